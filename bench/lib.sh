# shellcheck shell=bash
# Helpers of the side-by-side benchmark scripts (bench/*.sh source this file). Every
# benchmark binary and peer prints one line of key=value pairs; these run and read them.

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

# alternate ROUNDS KEY min|max: runs the caller's functions `ours` and then `peer LINE` (LINE:
# what `ours` printed this round, for peers that take its sizes or peak) ROUNDS times,
# alternating so that both see the same machine, and sets best_ours and best_peer to the
# best line of each by KEY. A failing `ours` or `peer` stops the script.
alternate() {
  local rounds=$1 key=$2 direction=$3 r line mine="" theirs=""
  for ((r = 0; r < rounds; r++)); do
    line=$(ours)
    mine+=$line$'\n'
    line=$(peer "$line")
    theirs+=$line$'\n'
  done
  # shellcheck disable=SC2034  # the caller's results
  best_ours=$(printf '%s' "$mine" | best "$key" "$direction")
  # shellcheck disable=SC2034
  best_peer=$(printf '%s' "$theirs" | best "$key" "$direction")
}

# speedup KEY min|max OURS PEER: how many times better OURS' KEY is than PEER's (%.2f): PEER /
# OURS for a time (min is better), OURS / PEER for a rate (max is better).
speedup() {
  awk -v a="$(field "$1" "$3")" -v b="$(field "$1" "$4")" -v d="$2" \
      'BEGIN { printf "%.2f", d == "min" ? b / a : a / b }'
}

# percent KEY LINE: 100 * KEY of LINE, rounded.
percent() { awk -v v="$(field "$1" "$2")" 'BEGIN { printf "%.0f", 100 * v }'; }
