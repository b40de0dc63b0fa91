#!/usr/bin/env bash
# usage: corpus_h5py_check.sh NEUROSCALE PYTHON SCRIPT — writes a corpus, checks it with h5py.
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$1" synth --output "$dir/c.h5" dtype=float16
"$2" "$3" "$dir/c.h5"
