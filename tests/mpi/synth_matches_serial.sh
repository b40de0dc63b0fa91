#!/usr/bin/env bash
# usage: synth_matches_serial.sh NEUROSCALE H5DIFF NP CONFIG "MPIRUN ARGS"
# Passes when `mpirun -np NP neuroscale synth` writes a file identical (data and attributes)
# to a single-process run, i.e. the parallel write is independent of the rank count.
set -eu
neuroscale=$1 h5diff=$2 np=$3 config=$4 mpirun=$5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$neuroscale" synth --config "$config" --output "$dir/serial.h5" subjects.0.sessions=3
$mpirun -np "$np" "$neuroscale" synth --config "$config" --output "$dir/parallel.h5" subjects.0.sessions=3
"$neuroscale" corpus info "$dir/parallel.h5"
"$h5diff" "$dir/serial.h5" "$dir/parallel.h5"
echo "PASS: $np-rank corpus identical to the serial one"
