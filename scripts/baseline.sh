#!/usr/bin/env bash
# Updates the committed performance baseline of one machine class (SPEC §7):
#
#   scripts/baseline.sh CLASS            e.g. scripts/baseline.sh epyc-zen4-2core
#
# writes reports/baseline/CLASS.json (Google Benchmark JSON: every kernel x level x size, peers and
# machine limits, 10 repetitions). Updating a baseline is always this explicit command followed by
# a reviewed diff; nothing else writes there. Compare a later run against it with
#   refast gate --baseline reports/baseline/CLASS.json --current new.json
# (on a different machine of the same class the speedup gate, --only speedup, is the robust one).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
class=${1:?usage: scripts/baseline.sh MACHINE-CLASS}
shift
[[ $class =~ ^[A-Za-z0-9._-]+$ ]] || { echo "baseline: machine class must be [A-Za-z0-9._-]+" >&2; exit 2; }
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
mkdir -p reports/baseline
REFAST_MACHINE_CLASS=$class build/release/harness/refast bench --isa all --repetitions 10 \
    --min-time 0.1 --out "reports/baseline/$class.json" "$@"
echo "baseline: wrote reports/baseline/$class.json (review the diff before committing)"
