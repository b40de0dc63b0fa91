#!/bin/bash
# The encoding-model library against an independent NumPy implementation
# (tests/core/encoding_reference.py). Usage: encoding_crosscheck.sh DUMP_BINARY PYTHON.
# Exits 77 (skipped) with the reason when the Python interpreter lacks numpy.
set -euo pipefail
dump=$1 python=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! "$python" -c 'import numpy' 2>/dev/null; then
  echo "SKIPPED: $python cannot import numpy (Debian: apt-get install python3-numpy)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$dump" "$work"
"$python" "$here/encoding_reference.py" "$work"
