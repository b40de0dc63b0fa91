# Helpers of the side-by-side benchmark scripts (bench/*.sh source this file). Every
# benchmark binary and peer prints one line of key=value pairs; these read them.

# bench_binary BUILD NAME: prints BUILD/bench/NAME; exits 2 naming the calling script when
# it has not been built.
bench_binary() {
  local bin=$1/bench/$2
  [ -x "$bin" ] || { echo "bench/$(basename "$0"): build first ($bin missing)" >&2; exit 2; }
  echo "$bin"
}

# bench_python BUILD [MODULE...]: prints the build's NEUROSCALE_PYTHON (the PyTorch whose
# LibTorch the build links); exits 2 when the cache lacks it or it cannot import a MODULE.
bench_python() {
  local build=$1 python
  shift
  python=$(sed -n 's/^NEUROSCALE_PYTHON:FILEPATH=//p' "$build/CMakeCache.txt" 2>/dev/null)
  [ -n "$python" ] || { echo "bench/$(basename "$0"): $build/CMakeCache.txt names no NEUROSCALE_PYTHON (configure with scripts/setup)" >&2; exit 2; }
  if [ $# -gt 0 ]; then
    local imports
    imports=$(IFS=,; echo "$*")
    "$python" -c "import $imports" 2>/dev/null ||
      { echo "bench/$(basename "$0"): $python cannot import $imports (scripts/setup installs them)" >&2; exit 2; }
  fi
  echo "$python"
}

# field KEY LINE: the value of KEY=value in LINE (a whole key: "gflops" is not
# "gemm_peak_gflops"); empty when absent.
field() { sed -n "s/\(^\|.* \)$1=\([^ ]*\).*/\2/p" <<<"$2"; }

# best KEY min|max: of the lines on stdin, the one whose KEY is smallest (min) or largest
# (max); lines without KEY are ignored.
best() {
  awk -v key="$1" -v dir="$2" '{
    for (i = 1; i <= NF; ++i) {
      if (index($i, key "=") != 1) continue
      v = substr($i, length(key) + 2) + 0
      if (!found || (dir == "min" ? v < b : v > b)) { b = v; line = $0; found = 1 }
    }
  } END { if (found) print line }'
}
