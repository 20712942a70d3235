#!/bin/bash
# refast sim frames/s per core (simulation loop: messages, encoder, channel, decoder, counting) against
# the decoder kernel alone (refast bench), for the four codes of issue 15. Both are CPU-time rates
# (frames per CPU second of one thread; Google Benchmark's items_per_second uses CPU time), so a
# loaded machine slows both alike, though not evenly: "loop on top of decode" compares the stage
# times of one sim run instead (the messages, encoder, channel and counting against the decoder),
# which a busy machine cannot skew. Usage: scripts/sim_perf.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
B=${1:-build/release}/harness/refast
O=${2:-$(mktemp -d)}
mkdir -p "$O"
KO="$O/ko82.kow"
[ -f "$KO" ] || "$B" ko import "${REFAST_KO_REF:-../shared/ko-reference}/ko_8_2" --out "$KO" > /dev/null
sim() { # name, frames, sim args...
  local name=$1 frames=$2; shift 2
  "$B" sim "$@" --max-frames "$frames" --target-errors 1000000000000 --threads 1 --json "$O/$name.json" > /dev/null
}
sim rm82 3000000 --code rm:8:2 --decoder dumer --ebn0 4:4:1
sim polar128 3000000 --code polar:128:96 --decoder sc --f minsum --ebn0 4:4:1
sim scl1024 20000 --code polar:1024:512 --decoder scl:8 --f minsum --construction bhattacharyya --design-sigma 0.7 --snr 3.098:3.098:1
sim ko82 30000 --code "ko:$KO" --decoder ko --ebn0 4:4:1
"$B" bench --isa "$("$B" list | awk 'NR==2{print $NF}')" --kernel 'rm_dumer' --no-peers --no-machine --repetitions 5 --out "$O/k1.json" > /dev/null 2>&1
"$B" bench --kernel 'polar_sc' --no-peers --no-machine --repetitions 5 --out "$O/k2.json" > /dev/null 2>&1
"$B" bench --kernel 'polar_scl' --no-peers --no-machine --repetitions 5 --out "$O/k3.json" > /dev/null 2>&1
"$B" bench --kernel 'ko_decode_f32' --no-peers --no-machine --repetitions 5 --out "$O/k4.json" > /dev/null 2>&1
python3 - "$O" <<'PY'
import json, sys, glob
o = sys.argv[1]
isa = json.load(open(f"{o}/rm82.json"))["isa"]
bench = {}
for f in glob.glob(f"{o}/k[0-9].json"):
    for b in json.load(open(f))["benchmarks"]:
        if b.get("aggregate_name") == "median": bench[b["run_name"]] = b["items_per_second"]
rows = [("RM(8,2) dumer, Eb/N0 4 dB", "rm82", f"rm_dumer/{isa}/m=8,r=2,frames=64"),
        ("Polar(128,96) SC min-sum, Eb/N0 4 dB", "polar128", f"polar_sc/{isa}/code=p128_96,f=minsum,frames=512,sigma=0.5,seed=5"),
        ("Polar(1024,512) SCL-8 min-sum, sigma 0.7", "scl1024", f"polar_scl/{isa}/code=bhat,log2n=10,K=512,design=0.7,list=8,f=minsum,frames=8,sigma=0.7,seed=5"),
        ("KO(8,2), Eb/N0 4 dB", "ko82", f"ko_decode_f32/{isa}/m=8,frames=512")]
print(f"| code ({isa}, 1 thread) | sim frames/s | decoder kernel frames/s | sim vs kernel | loop on top of decode (stages) | messages | encode | channel | decode | count |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for label, name, kern in rows:
    p = json.load(open(f"{o}/{name}.json"))["points"][0]
    fps = p["frames_per_cpu_second"]; k = bench.get(kern, float("nan"))
    st = p["stage_seconds"]; tot = sum(st.values())
    cells = " | ".join(f"{100 * st[s] / tot:.0f}%" for s in ["messages", "encode", "channel", "decode", "count"])
    # the same run's stage times: what the loop adds to its own decoder time (load affects both alike)
    on_top = (tot - st["decode"]) / st["decode"]
    print(f"| {label} | {fps:,.0f} | {k:,.0f} | {100 * (k / fps - 1):+.0f}% | {100 * on_top:+.0f}% | {cells} |")
PY
