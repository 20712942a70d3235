#!/usr/bin/env bash
# A long differential fuzz campaign over one kernel family, on every core:
#
#   scripts/fuzz-campaign.sh FAMILY HOURS [--large]
#
# Runs the libFuzzer target (build/fuzz/fuzz/refast_diff_fuzz; `cmake --preset fuzz && cmake
# --build build/fuzz`) restricted to FAMILY's kernels (REFAST_FUZZ_FAMILY, a shell pattern over
# the descriptors' family names) for HOURS (a decimal: 0.1 = 6 min) with -fork=$(nproc), seeded
# with fuzz/corpus/FAMILY/. It keeps going after a mismatch (-ignore_crashes=1) so that one
# finding does not end a night's run. --large turns on the registry's large-size mode
# (REFAST_FUZZ_LARGE=1: FHT 2^16, polar N 1024, MoE d up to 256).
#
# Everything lands in build/fuzz/campaign/FAMILY[-large]/: corpus/ (what it found), artifacts/
# (one file per mismatch or sanitizer report), stats/, and at the end
#   counts.txt   the per-kernel table (generated, accepted, judged, accepted per second)
#   counts.json  the same
#   findings.txt one line per artifact with the command that replays it
# Exit status: 0 when every kernel accepted inputs and nothing was found, 1 otherwise, 2 on
# bad usage.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
usage() { echo "usage: scripts/fuzz-campaign.sh FAMILY HOURS [--large]" >&2; exit 2; }
[[ $# -ge 2 && $# -le 3 ]] || usage
family=$1 hours=$2 large=${3:-}
[[ -z $large || $large == --large ]] || usage
[[ $hours =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "fuzz-campaign: HOURS must be a decimal number" >&2; exit 2; }
seconds=$(awk -v h="$hours" 'BEGIN { s = int(h * 3600 + 0.5); print s < 1 ? 1 : s }')
bin=build/fuzz/fuzz/refast_diff_fuzz
[[ -x $bin ]] || { echo "fuzz-campaign: $bin not built (cmake --preset fuzz && cmake --build build/fuzz)" >&2; exit 2; }

dir=build/fuzz/campaign/$family${large:+-large}
mkdir -p "$dir/corpus" "$dir/artifacts"
rm -rf "$dir/stats" && mkdir -p "$dir/stats"
seeds=()
[[ -d fuzz/corpus/$family ]] && seeds=("fuzz/corpus/$family")
export REFAST_FUZZ_FAMILY=$family REFAST_FUZZ_STATS=$dir/stats
[[ -n $large ]] && export REFAST_FUZZ_LARGE=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
jobs=$(nproc)
echo "fuzz-campaign: family $family${large:+ (large sizes)}, $seconds s on $jobs cores, in $dir"
t0=$SECONDS
"$bin" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" \
    -rss_limit_mb=4096 -timeout=120 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$dir/corpus" "${seeds[@]}" 2>&1 | tee "$dir/libfuzzer.log" | grep -E '^diff_fuzz:|^#[0-9]+: cov|^==== refast|^  (kernel|impl|params|detail) '
took=$((SECONDS - t0))
[[ $took -ge 1 ]] || took=1

rc=0
cat "$dir"/stats/stats-*.tsv 2>/dev/null |
    awk -F'\t' -v json="$dir/counts.json" -v seconds="$took" -f scripts/fuzz-coverage.awk | tee "$dir/counts.txt"
[[ ${PIPESTATUS[1]} -eq 0 ]] || rc=1
: >"$dir/findings.txt"
for f in "$dir"/artifacts/*; do
    [[ -e $f ]] || continue
    echo "$f: REFAST_FUZZ_FAMILY='$family'${large:+ REFAST_FUZZ_LARGE=1} $bin $f" >>"$dir/findings.txt"
    rc=1
done
echo "fuzz-campaign: $took s wall, $(wc -l <"$dir/findings.txt") finding(s); counts in $dir/counts.txt"
cat "$dir/findings.txt"
exit $rc
