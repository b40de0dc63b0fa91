#!/bin/bash
# The speech units (MFCCs, k-means) against an independent NumPy/SciPy implementation
# (tests/core/speech_units_reference.py). Usage: speech_units_crosscheck.sh DUMP_BINARY PYTHON.
# Exits 77 (skipped) with the reason when the Python interpreter lacks numpy or scipy.
set -euo pipefail
dump=$1 python=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! "$python" -c 'import numpy, scipy.fft, scipy.signal' 2>/dev/null; then
  echo "SKIPPED: $python cannot import numpy and scipy (Debian: apt-get install python3-scipy)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$dump" "$work"
"$python" "$here/speech_units_reference.py" "$work"
