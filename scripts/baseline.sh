#!/usr/bin/env bash
# Updates the committed performance baselines of one machine class (SPEC §7):
#
#   scripts/baseline.sh [CLASS] [--only time|instructions]      CLASS defaults to c-epyc-2core
#
# writes
#   reports/baseline/CLASS.json               Google Benchmark JSON: every kernel x level x size,
#                                             peers and machine limits, 10 repetitions of 0.1 s
#                                             (what the speedup gate of scripts/test.sh compares to)
#   reports/baseline/CLASS.instructions.json  instructions per call (callgrind) of scalar, avx2 and
#                                             autovec_avx2 for the subset in scripts/gate.env
# Updating a baseline is always this explicit command followed by a reviewed diff; nothing else
# writes there. Compare a later run against them with
#   refast gate --baseline reports/baseline/CLASS.json --current new.json --only speedup
#   refast gate --baseline reports/baseline/CLASS.instructions.json --current new-instructions.json
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=gate.env
source scripts/gate.env
class=$REFAST_GATE_CLASS only=
while [[ $# -gt 0 ]]; do
    case $1 in
        --only) only=${2:?--only needs time or instructions}; shift 2 ;;
        -*) echo "baseline: unknown option $1" >&2; exit 2 ;;
        *) class=$1; shift ;;
    esac
done
[[ $class =~ ^[A-Za-z0-9._-]+$ ]] || { echo "baseline: machine class must be [A-Za-z0-9._-]+" >&2; exit 2; }
[[ -z $only || $only == time || $only == instructions ]] || { echo "baseline: --only time|instructions" >&2; exit 2; }
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
refast=build/release/harness/refast
mkdir -p reports/baseline
if [[ $only != instructions ]]; then
    # REFAST_BASELINE_MIN_TIME / REFAST_BASELINE_NO_PEERS=1: a shorter baseline (the gate itself
    # compares levels only, at 0.02 s); the JSON records the settings it was measured with.
    peers=()
    [[ ${REFAST_BASELINE_NO_PEERS:-0} == 1 ]] && peers=(--no-peers)
    REFAST_MACHINE_CLASS=$class "$refast" bench --isa all --repetitions 10 \
        --min-time "${REFAST_BASELINE_MIN_TIME:-0.1}" "${peers[@]}" \
        --out "reports/baseline/$class.json"
    echo "baseline: wrote reports/baseline/$class.json (review the diff before committing)"
fi
if [[ $only != time ]]; then
    REFAST_MACHINE_CLASS=$class "$refast" bench --counter instructions --isa all \
        --kernel "$REFAST_GATE_INSTR_KERNELS" --calls "$REFAST_GATE_INSTR_CALLS" \
        --out "reports/baseline/$class.instructions.json"
    echo "baseline: wrote reports/baseline/$class.instructions.json (review the diff before committing)"
fi
