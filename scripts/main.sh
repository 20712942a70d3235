#!/usr/bin/env bash
# Command (a): the main job. As root on a fresh Debian 12 machine:
#
#   scripts/main.sh
#
# installs what is missing (scripts/setup.sh --native-only), builds Release, checks every kernel
# at every ISA level this CPU has against the golden vectors (`refast verify --isa all`), then
# runs a short benchmark of every kernel at every level and writes
#   reports/out/<UTC timestamp>/results.json   Google Benchmark JSON (`refast gate` reads it)
#   reports/out/<UTC timestamp>/report.md|.html  the readable summary (`refast report`)
# It stops at the first failure: a kernel out of tolerance is not worth timing.
#
# Environment: REFAST_JOBS (build jobs, default nproc), REFAST_BENCH_REPETITIONS (default 3),
# REFAST_BENCH_MIN_TIME (seconds per repetition, default 0.05).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${REFAST_JOBS:-$(nproc)}
# Short on purpose (the defaults of `refast bench` are 5 repetitions of 0.1 s): enough for the
# report; a baseline for `refast gate` deserves `--repetitions 10` or more.
reps=${REFAST_BENCH_REPETITIONS:-3}
min_time=${REFAST_BENCH_MIN_TIME:-0.05}
mkdir -p build/logs

say() { printf 'main: %s\n' "$*"; }

# Runs a quiet step: one line, its output in build/logs/<first word>.log (tail shown on failure).
quiet() {
    local name=$1 t0=$SECONDS log="build/logs/main-${1%% *}.log"
    shift
    if "$@" >"$log" 2>&1 </dev/null; then
        say "$name ok ($((SECONDS - t0)) s)"
    else
        say "$name FAILED ($((SECONDS - t0)) s), log $log:"
        tail -n 40 "$log" | sed 's/^/    | /'
        exit 1
    fi
}

bash scripts/setup.sh --native-only
quiet "configure --preset release" cmake --preset release
quiet "build --preset release (Release, -Werror)" cmake --build --preset release --parallel "$jobs"
refast=build/release/harness/refast

say "refast verify --isa all --peers"
if ! "$refast" verify --isa all --peers; then
    say "verify FAILED: not benchmarking kernels that are out of tolerance"
    exit 1
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="reports/out/$stamp"
mkdir -p "$out"
quiet "refast bench --isa all --repetitions $reps --min-time $min_time --out $out/results.json" \
    "$refast" bench --isa all --repetitions "$reps" --min-time "$min_time" --out "$out/results.json"

say "refast report --in $out/results.json --out $out"
"$refast" report --in "$out/results.json" --out "$out"

if [[ -f $out/report.md ]]; then
    echo
    sed -n '1,80p' "$out/report.md"
    [[ $(wc -l <"$out/report.md") -le 80 ]] || echo "... (the rest is in $out/report.md)"
    echo
fi
say "done: $out/results.json, $out/report.md, $out/report.html"
