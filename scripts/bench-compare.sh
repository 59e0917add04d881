#!/usr/bin/env bash
# Before/after of one benchmark, two builds alternated in one run (docs/performance.md, "Comparing two commits").
#
#   scripts/bench-compare.sh BEFORE AFTER MODE [HARNESS ARGS...]
#   e.g. ROUNDS=3 scripts/bench-compare.sh 27655cf main paired --seconds 20
#
# Why: this VM's speed swings about 2x within seconds to minutes, so figures of two separate runs
# are not comparable. Each commit's bench/EventRouter.Benchmarks is built once into its own folder
# ($BENCH_COMPARE_DIR/<commit>, an export of that commit: our own code), then MODE runs from each
# in turn for ROUNDS rounds, the order swapped every round so neither always runs first. Per round
# it prints the UTC time and load average of each run and, for every result row both builds print,
# before, after and after/before; for harness modes also each build's own in-run ratio (paired:
# current against the frozen previous validator; kafka: the source against the bare loop) and
# their quotient, which cancels what the two builds share (a client library, the frozen code).
# At the end: the median of each over the rounds, with the lowest and highest.
#
# MODE is any harness mode (paired, kafka, ...) or micro (BenchmarkDotNet; its combined table's
# Median column is the figure). Rows are matched by their first cell, so a mode or option the
# older harness lacks shows up as a failed run or as rows only one build has (listed, not compared).
# Env: ROUNDS (default 3), BENCH_COMPARE_DIR (default /tmp/bench-compare; builds are reused).
set -euo pipefail

if [[ $# -lt 3 ]]; then
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
before_ref=$1 after_ref=$2 mode=$3
shift 3
rounds=${ROUNDS:-3}
root=${BENCH_COMPARE_DIR:-/tmp/bench-compare}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)

# Builds one commit's harness into $root/<short sha> (once) and prints that folder.
build() {
  local sha dir
  sha=$(git -C "$repo" rev-parse --short=9 "$1^{commit}")
  dir=$root/$sha
  if [[ ! -f $dir/.built ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    git -C "$repo" archive "$sha" | tar -x -C "$dir"
    echo "building $1 ($sha) in $dir" >&2
    (cd "$dir" && dotnet build -c Release bench/EventRouter.Benchmarks -p:KafkaTrigger=false --verbosity quiet -nologo >"$dir/build.log" 2>&1) \
      || { tail -20 "$dir/build.log" >&2; echo "bench-compare: $1 does not build (log: $dir/build.log)" >&2; exit 1; }
    touch "$dir/.built"
  fi
  echo "$dir"
}

before_dir=$(build "$before_ref")
after_dir=$(build "$after_ref")
run_dir=$root/runs/$(date -u +%Y%m%dT%H%M%SZ)-$mode
mkdir -p "$run_dir"
results=$run_dir/results.tsv
: >"$results"

# The result rows of one log as TSV: name, figure, in-run ratio (empty for micro).
rows() {
  awk -F'|' -v micro="$([[ $mode == micro ]] && echo 1)" '
    function num(s) { gsub(/,/, "", s); if (match(s, /[0-9]+(\.[0-9]+)?/)) return substr(s, RSTART, RLENGTH); return "" }
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    /^\| benchmark \|/ { table = 1; next }
    table && /^\|---/ { next }
    table && /^\|/ { print trim($2) "\t" num(micro ? $4 : $3) "\t" (micro ? "" : num($5)); next }
    { table = 0 }' "$1"
}

# Runs MODE from one build's folder (BenchmarkDotNet finds the project from the working directory).
run() {
  local label=$1 dir=$2 round=$3
  shift 3
  local log=$run_dir/round$round-$label.log
  local started load
  started=$(date -u +%H:%M:%S)
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "round $round: $label, $started UTC, load $load" >&2
  if ! (cd "$dir" && dotnet bench/EventRouter.Benchmarks/bin/Release/net10.0/EventRouter.Benchmarks.dll "$mode" "$@") >"$log" 2>&1; then
    echo "bench-compare: $label failed in round $round (log: $log)" >&2
  fi
  echo "$started $load"
}

for ((round = 1; round <= rounds; round++)); do
  if ((round % 2 == 1)); then
    read -r b_time b_load < <(run before "$before_dir" "$round" "$@")
    read -r a_time a_load < <(run after "$after_dir" "$round" "$@")
  else
    read -r a_time a_load < <(run after "$after_dir" "$round" "$@")
    read -r b_time b_load < <(run before "$before_dir" "$round" "$@")
  fi
  join -t $'\t' <(rows "$run_dir/round$round-before.log" | sort -t $'\t' -k1,1) \
                <(rows "$run_dir/round$round-after.log" | sort -t $'\t' -k1,1) \
    | awk -F'\t' -v r="$round" -v t="before $b_time, after $a_time" -v l="$b_load / $a_load" \
        'BEGIN { OFS = "\t" } { print r, t, l, $1, $2, $4, $3, $5 }' >>"$results"
  for label in before after; do
    other=$([[ $label == before ]] && echo after || echo before)
    join -t $'\t' -v 1 <(rows "$run_dir/round$round-$label.log" | sort -t $'\t' -k1,1) \
                       <(rows "$run_dir/round$round-$other.log" | sort -t $'\t' -k1,1) \
      | cut -f1 | sed "s/^/  only in $label (not compared): /" >&2 || true
  done
done

echo
echo "$mode $*: $before_ref ($(basename "$before_dir")) against $after_ref ($(basename "$after_dir")), $rounds rounds; logs in $run_dir"
echo
awk -F'\t' '
  function r3(x) { return sprintf("%.3f", x) }
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    lo = a[1]; hi = a[n]
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  BEGIN {
    print "| round | UTC | load (1 min) before / after | result | before | after | after/before | in-run ratio before | after | quotient |"
    print "|---|---|---|---|---:|---:|---:|---:|---:|---:|"
  }
  {
    ratio = ($5 > 0) ? $6 / $5 : 0
    q = ($7 > 0 && $8 != "") ? $8 / $7 : ""
    print "| " $1 " | " $2 " | " $3 " | " $4 " | " $5 " | " $6 " | " r3(ratio) " | " $7 " | " $8 " | " (q == "" ? "" : r3(q)) " |"
    if (!($4 in seen)) { seen[$4] = 1; order[++names] = $4 }
    ratios[$4] = ratios[$4] " " ratio
    if (q != "") quotients[$4] = quotients[$4] " " q
  }
  END {
    print ""
    print "| result | median after/before (lowest-highest) | median in-run quotient (lowest-highest) |"
    print "|---|---:|---:|"
    for (i = 1; i <= names; i++) {
      n = order[i]
      m = median(ratios[n]); line = "| " n " | " r3(m) " (" r3(lo) "-" r3(hi) ") | "
      if (n in quotients) { m = median(quotients[n]); line = line r3(m) " (" r3(lo) "-" r3(hi) ")" }
      print line " |"
    }
  }' "$results"
