# Shared preamble of the shell tests in tests/jobs; source it after `set -u`:
#   source "$(dirname "$0")/test_helpers.sh"
# It gives a scratch directory `$dir` removed on exit, `fail MESSAGE` (prints FAIL and exits
# 1), one BLAS/OpenMP thread per process (tests run beside each other), and
# `require_python PYTHON MODULE...`, which exits 77 (ctest's "skipped") with the reason when
# PYTHON cannot import the modules.

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export OMP_NUM_THREADS=1

require_python() {
  local python=$1; shift
  local imports
  imports=$(IFS=,; echo "$*")
  if ! "$python" -c "import $imports" 2>/dev/null; then
    echo "SKIPPED: $python cannot import $* (scripts/setup installs them)"
    exit 77
  fi
}
