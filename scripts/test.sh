#!/usr/bin/env bash
# Command (b): build and run the whole test suite. As root on a fresh Debian 12 machine:
#
#   scripts/test.sh
#
# Steps (each prints one PASS/FAIL/SKIP line with its time; the full output of each step is in
# build/logs/<step>.log, and the tail of a failed step's log is printed under its line):
#   setup            scripts/setup.sh (native + aarch64 cross toolchain, qemu)
#   release-*        Release build with -Werror, ctest, `refast verify --isa all --peers`,
#                    `refast golden check`
#   verify-sweep     `refast verify --isa all --peers --sweep --sweep-cases 1`: the cheapest golden
#                    case of every kernel at every misalignment and tail length (README "verify")
#   asan-*           ASan + UBSan build (gcc) and its ctest
#   aarch64-*        NEON cross build, its ctest under qemu-aarch64, `refast verify --isa neon`
#   fuzz-*           the libFuzzer differential target (clang), 60 s over the whole registry in
#                    one slice per kernel, the .kow parser fuzz (20 s), the standalone driver on
#                    the gcc release build (20 s)
#   aarch64-fuzz     the standalone driver on NEON under qemu (30 s; the whole corpus also goes through NEON in ctest fuzz_corpus_replay)
#   gate             refast's own performance gate (scripts/gate.env): a short benchmark of every
#                    kernel gated on its speedups over scalar against the committed baseline of this
#                    machine class, and instruction counts (callgrind) of a subset against theirs;
#                    the Markdown/JUnit/JSON verdicts land in build/gate/
# A failed step does not stop the run (steps that need its output are skipped), so the closing
# line `test: N passed, M failed` is always complete. Exit status 0 only if every step passed.
#
# Environment: REFAST_JOBS (parallel jobs, default nproc), REFAST_FUZZ_SECONDS (default 60),
# REFAST_KOW_FUZZ_SECONDS (default 20), REFAST_DRIVER_FUZZ_SECONDS (20), REFAST_NEON_FUZZ_SECONDS (30).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${REFAST_JOBS:-$(nproc)}
fuzz_seconds=${REFAST_FUZZ_SECONDS:-60}
logdir=build/logs
mkdir -p "$logdir"

declare -A status
passed=0 failed=0 skipped=0
t_start=$SECONDS

# The `refast` executable of a build directory.
refast_in() {
    local p
    for p in "$1/harness/refast" "$1/refast" "$1/bin/refast"; do
        [[ -x $p ]] && { echo "$p"; return 0; }
    done
    echo "refast executable not found under $1" >&2
    return 127
}

# The line that best summarises a step's log: a test runner's or refast's own summary if there
# is one, else the last non-empty line.
summary_of() {
    local s
    s=$(grep -E 'tests passed|tests failed|^[a-z]+: [0-9]+ passed, [0-9]+ failed|Done [0-9]+ runs|^#[0-9]+: cov:|all present|^ninja: no work|^fuzz coverage: |^gate: speedups ' "$1" | tail -n 1)
    [[ -n $s ]] || s=$(grep -v '^[[:space:]]*$' "$1" | tail -n 1)
    s=$(printf '%s' "$s" | tr -s ' ')
    printf '%s' "${s:0:110}"
}

# step NAME [NEEDED-STEP...] -- COMMAND...
step() {
    local name=$1 need
    shift
    local needs=()
    while [[ $1 != -- ]]; do needs+=("$1"); shift; done
    shift
    for need in "${needs[@]}"; do
        if [[ ${status[$need]:-} != PASS ]]; then
            printf 'test: SKIP %-20s %8s  (needs %s)\n' "$name" "" "$need"
            status[$name]=SKIP
            skipped=$((skipped + 1))
            return
        fi
    done
    local log="$logdir/$name.log" t0=$SECONDS rc
    "$@" >"$log" 2>&1 </dev/null
    rc=$?
    local took="$((SECONDS - t0)) s"
    if [[ $rc -eq 0 ]]; then
        printf 'test: PASS %-20s %8s  %s\n' "$name" "$took" "$(summary_of "$log")"
        status[$name]=PASS
        passed=$((passed + 1))
    else
        printf 'test: FAIL %-20s %8s  exit %d, log %s\n' "$name" "$took" "$rc" "$log"
        if grep -q '^==== refast differential fuzz' "$log"; then
            sed -n '/^==== refast differential fuzz/,/^==== replay/p' "$log" | head -n 40
            grep -E 'Test unit written to' "$log"
        else
            tail -n 40 "$log"
        fi | sed 's/^/    | /'
        status[$name]=FAIL
        failed=$((failed + 1))
    fi
}

configure_build() { # preset
    cmake --preset "$1" && cmake --build --preset "$1" --parallel "$jobs"
}

# The levels this machine has, read from /proc/cpuinfo, not from refast's own detection: the run
# must judge each of them on its own code (--require-isa), so a detection bug or a level that fell
# out of the build fails instead of passing as a skip.
machine_levels() {
    local flags
    flags=$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo)
    local levels=()
    [[ $flags =~ (^| )avx2( |$) && $flags =~ (^| )fma( |$) ]] && levels+=(avx2)
    [[ $flags =~ (^| )avx512f( |$) && $flags =~ (^| )avx512bw( |$) && $flags =~ (^| )avx512dq( |$) &&
        $flags =~ (^| )avx512vl( |$) ]] && levels+=(avx512)
    local IFS=,
    echo "${levels[*]:-scalar}"
}
# The reproducibility matrix (which levels and peers give bit-identical outputs on each golden
# case) must equal the committed golden/REPRODUCIBILITY.<arch>, compared without the library
# peers (scripts/reproducibility.awk), on a machine with every level of the architecture.
reproducibility_check() {
    local got=$1 want=golden/REPRODUCIBILITY.$2 full=$3
    if [[ $full != yes ]]; then
        echo "reproducibility: not compared (this machine lacks a level of $2)"
        return 0
    fi
    if ! diff <(awk -f scripts/reproducibility.awk "$want" | LC_ALL=C sort) \
        <(awk -f scripts/reproducibility.awk "$got" | LC_ALL=C sort) \
        >"$got.diff"; then
        echo "reproducibility: $got differs from $want (lines < committed, > this run):"
        head -n 40 "$got.diff"
        return 1
    fi
    echo "reproducibility: $(wc -l <"$got") cases as committed in $want"
}
verify_release() {
    "$(refast_in build/release)" verify --isa all --peers --require-isa "$(machine_levels)" \
        --matrix build/reproducibility.x86_64 || return 1
    reproducibility_check build/reproducibility.x86_64 x86_64 \
        "$([[ $(machine_levels) == avx2,avx512 ]] && echo yes)"
}
golden_check() { "$(refast_in build/release)" golden check; }
# The bounded sweep: the cheapest case of each kernel, every misalignment and tail (the full sweep,
# every case, is `refast verify --isa all --peers --sweep`, run by hand: ~2W times verify-all).
verify_sweep() { "$(refast_in build/release)" verify --isa all --peers --sweep --sweep-cases 1; }
# scalar and neon: the golden judge on AArch64 (its ctest leaves the verify label to this step),
# as $jobs shards (`verify --shard`: each process judges every jobs-th case; qemu-user runs one
# thread per process), their matrices merged; then one summary line for the whole run.
verify_neon() {
    local refast i failed=0 pids=()
    refast=$(refast_in build/aarch64) || return 1
    rm -f build/verify-neon.*.log build/reproducibility.aarch64.*
    for ((i = 0; i < jobs; i++)); do
        qemu-aarch64 -L / "$refast" verify --isa all --peers --require-isa neon --shard "$i/$jobs" \
            --matrix "build/reproducibility.aarch64.$i" >"build/verify-neon.$i.log" 2>&1 &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed=1; done
    cat build/verify-neon.*.log
    awk '/^verify: [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 } END { printf "verify: %d passed, %d failed\n", p, f }' \
        build/verify-neon.*.log
    [[ $failed == 0 ]] || return 1
    cat build/reproducibility.aarch64.* >build/reproducibility.aarch64
    reproducibility_check build/reproducibility.aarch64 aarch64 yes
}

asan_ctest() {
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --preset asan --parallel "$jobs"
}

# The kernels the differential target fuzzes, one "NAME" a line (from its start-up line).
fuzz_kernels() {
    "$@" -runs=0 2>&1 </dev/null | sed -n 's/^diff_fuzz: [0-9]* kernel(s)://p' | tr ' ' '\n' | grep -v '^$'
}

# The committed seed corpus of a kernel's family (fuzz/corpus/<family>/<kernel>-*), or nothing.
fuzz_family_corpus() {
    local f
    for f in fuzz/corpus/*/"$1"-0; do [[ -e $f ]] && dirname "$f"; done
}

# libFuzzer spreads one run's time very unevenly over the kernels (a slow oracle's kernel got one
# input in 60 s while others got hundreds), so every kernel gets its own slice instead: a run
# restricted to it (REFAST_FUZZ_KERNEL) for fuzz_seconds x jobs / kernels seconds (at least 1),
# $jobs at a time, seeded with its family's committed corpus (fuzz/corpus/, read-only; what a run
# finds goes to build/fuzz/corpus/<kernel>/). A failing slice prints its dump and saves the input
# under artifacts/; the others still run, and the step fails.
fuzz_run() {
    local dir=build/fuzz bin=build/fuzz/fuzz/refast_diff_fuzz
    local kernels=() k
    mapfile -t kernels < <(fuzz_kernels "$bin")
    [[ ${#kernels[@]} -gt 0 ]] || { echo "fuzz: no kernels listed by $bin"; return 1; }
    local slice=$((fuzz_seconds * jobs / ${#kernels[@]}))
    [[ $slice -ge 1 ]] || slice=1
    echo "fuzz: ${#kernels[@]} kernels, $slice s each, $jobs at a time"
    rm -rf "$dir/stats" "$dir/slices" "$dir/artifacts" && mkdir -p "$dir/stats" "$dir/slices" "$dir/artifacts"
    local failed=0 running=0
    for k in "${kernels[@]}"; do
        mkdir -p "$dir/corpus/$k"
        # halt_on_error: the fuzz build keeps UBSan recoverable (see fuzz/CMakeLists.txt), this
        # makes its first report fatal anyway.
        REFAST_FUZZ_KERNEL=$k REFAST_FUZZ_STATS="$dir/stats" \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            "$bin" -max_total_time="$slice" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
            -artifact_prefix="$dir/artifacts/$k-" "$dir/corpus/$k" $(fuzz_family_corpus "$k") \
            >"$dir/slices/$k.log" 2>&1 &
        running=$((running + 1))
        # a slice's verdict is read from its log below: `wait -n` may also reap the process
        # substitution that listed the kernels, whose status says nothing about a slice
        if [[ $running -ge $jobs ]]; then
            wait -n || true
            running=$((running - 1))
        fi
    done
    while [[ $running -gt 0 ]]; do
        wait -n || true
        running=$((running - 1))
    done
    for k in "${kernels[@]}"; do
        if ! grep -q '^Done [0-9]* runs' "$dir/slices/$k.log" || grep -q '^==[0-9]*== *ERROR\|^SUMMARY: ' "$dir/slices/$k.log"; then
            echo "fuzz: the $k slice failed ($dir/slices/$k.log):"
            cat "$dir/slices/$k.log"
            failed=1
        fi
    done
    fuzz_coverage "$dir/stats" "$dir/coverage.json" || failed=1
    return $failed
}

# What the fuzz run covered, per kernel (the sum over the processes' stats files), as a table and
# as JSON; a kernel the fuzzer generated inputs for but never accepted one of fails the step (its
# fuzz_inputs is broken, and the kernel was not fuzzed at all). scripts/fuzz-coverage.awk.
fuzz_coverage() {
    cat "$1"/stats-*.tsv 2>/dev/null | awk -F'\t' -v json="$2" -f scripts/fuzz-coverage.awk
}

# The .kow parser fuzz: seeds are valid files (KO(3,2) and TinyKO(3,2) from `refast ko init`), so
# mutations reach the header, tensor and hash checks; the reader must reject or round-trip.
kow_fuzz_seconds=${REFAST_KOW_FUZZ_SECONDS:-20}
kow_fuzz_run() {
    local dir=build/fuzz/kow
    mkdir -p "$dir/corpus" "$dir/artifacts"
    local refast
    refast=$(refast_in build/release) || return 1
    "$refast" ko init --code ko:3:2 --seed 1 --out "$dir/corpus/seed-ko3.kow" || return 1
    "$refast" ko init --code ko:3:2 --tiny --seed 2 --out "$dir/corpus/seed-tiny3.kow" || return 1
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        build/fuzz/fuzz/refast_kow_fuzz -max_total_time="$kow_fuzz_seconds" -rss_limit_mb=2048 \
        -timeout=30 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus"
}

# The standalone driver (fuzz/driver_main.c, no libFuzzer: gcc builds, and qemu for NEON) over
# the committed corpus (split between them) and Philox-generated inputs: $jobs processes with
# different seeds for SECONDS each, replay included, then the per-kernel table. A failure prints the dump; the input is saved under
# build/fuzz-driver/<build>/artifacts/ and `refast_fuzz_driver <that file>` replays it.
fuzz_driver_run() { # build seconds [emulator...]
    local build=$1 seconds=$2
    shift 2
    local dir=build/fuzz-driver/$build bin=build/$build/fuzz/refast_fuzz_driver i failed=0
    rm -rf "$dir" && mkdir -p "$dir/stats" "$dir/artifacts"
    local pids=()
    for ((i = 1; i <= jobs; i++)); do
        REFAST_FUZZ_STATS="$dir/stats" "$@" "$bin" --seconds "$seconds" --seed "$i" --shard "$((i - 1))/$jobs" \
            --artifact-prefix "$dir/artifacts/" fuzz/corpus >"$dir/run-$i.log" 2>&1 &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        if ! wait "${pids[$i]}"; then
            failed=1
            cat "$dir/run-$((i + 1)).log"
        fi
    done
    head -n 4 "$dir/run-1.log"
    grep -h 'Done [0-9]* runs' "$dir"/run-*.log
    fuzz_coverage "$dir/stats" "$dir/coverage.json" || failed=1
    return $failed
}
neon_fuzz_seconds=${REFAST_NEON_FUZZ_SECONDS:-30}
driver_fuzz_seconds=${REFAST_DRIVER_FUZZ_SECONDS:-20}

# refast's own performance gate (README "Refast's own performance gate"). Both parts always run;
# the step fails when either finds a regression or cannot certify (exit 2: too noisy, or an error).
gate_run() {
    # shellcheck source=gate.env
    source scripts/gate.env
    local refast dir=build/gate base=reports/baseline/$REFAST_GATE_CLASS rc=0 r
    refast=$(refast_in build/release) || return 1
    rm -rf "$dir" && mkdir -p "$dir"
    echo "== (a) speedup over scalar, every kernel, vs $base.json"
    REFAST_MACHINE_CLASS=$REFAST_GATE_CLASS "$refast" bench --isa all --no-peers \
        --repetitions "$REFAST_GATE_REPETITIONS" --min-time "$REFAST_GATE_MIN_TIME" --no-machine \
        --out "$dir/speedup.json" >"$dir/bench.log" 2>&1 || { tail -n 5 "$dir/bench.log"; return 1; }
    "$refast" gate --baseline "$base.json" --current "$dir/speedup.json" --only speedup \
        --threshold "$REFAST_GATE_SPEEDUP_THRESHOLD" --confirm --json "$dir/speedup-gate.json" \
        --markdown "$dir/speedup-gate.md" --junit "$dir/speedup-gate.xml" --annotations
    r=$?
    local speedup="exit $r"
    if [[ $r -eq 2 ]] && grep -q '"verdict":"inconclusive","exit_code":2' "$dir/speedup-gate.json" 2>/dev/null &&
        [[ $REFAST_GATE_STRICT != 1 ]]; then
        speedup="inconclusive (too noisy to certify; not failing: REFAST_GATE_STRICT=1 would)"
    elif [[ $r -ne 0 ]]; then
        rc=1
    fi
    echo "gate: speedup part $speedup"
    echo "== (b) instruction counts ($REFAST_GATE_INSTR_KERNELS) vs $base.instructions.json"
    "$refast" bench --counter instructions --isa all --kernel "$REFAST_GATE_INSTR_KERNELS" \
        --calls "$REFAST_GATE_INSTR_CALLS" --out "$dir/instructions.json" >"$dir/instructions.log" 2>&1 ||
        { tail -n 5 "$dir/instructions.log"; return 1; }
    "$refast" gate --baseline "$base.instructions.json" --current "$dir/instructions.json" \
        --threshold "$REFAST_GATE_INSTR_THRESHOLD" --json "$dir/instructions-gate.json" \
        --markdown "$dir/instructions-gate.md" --junit "$dir/instructions-gate.xml" --annotations
    r=$?
    echo "gate: instruction part exit $r"
    [[ $r -eq 0 ]] || rc=1
    echo "gate: speedups $speedup; instruction counts exit $r"
    # the summaries of both parts, for a CI's job summary
    cat "$dir/speedup-gate.md" "$dir/instructions-gate.md" >"$dir/summary.md" 2>/dev/null
    [[ -n ${GITHUB_STEP_SUMMARY:-} ]] && cat "$dir/summary.md" >>"$GITHUB_STEP_SUMMARY"
    return $rc
}

echo "test: refast test suite in $root ($jobs jobs)"
step setup                            -- bash scripts/setup.sh
step release-build                    -- configure_build release
# The verify label (verify_scalar/avx2/avx512: `refast verify --isa L`) is left to verify-all,
# which judges the same golden cases at every level and the peers besides; the ASan ctest keeps it.
step release-ctest     release-build  -- ctest --preset release --parallel "$jobs" --label-exclude verify
step verify-all        release-build  -- verify_release
step golden-check      release-build  -- golden_check
step verify-sweep      release-build  -- verify_sweep
step asan-build                       -- configure_build asan
step asan-ctest        asan-build     -- asan_ctest
step aarch64-build                    -- configure_build aarch64
step aarch64-ctest     aarch64-build  -- ctest --preset aarch64 --parallel "$jobs" --label-exclude verify
step aarch64-verify    aarch64-build  -- verify_neon
step fuzz-build                       -- configure_build fuzz
step fuzz-run          fuzz-build     -- fuzz_run
step fuzz-kow          fuzz-build release-build -- kow_fuzz_run
step fuzz-driver       release-build  -- fuzz_driver_run release "$driver_fuzz_seconds"
step aarch64-fuzz      aarch64-build  -- fuzz_driver_run aarch64 "$neon_fuzz_seconds" qemu-aarch64 -L /
step gate              release-build  -- gate_run

echo "test: total $((SECONDS - t_start)) s; logs in $logdir/"
if [[ $skipped -gt 0 ]]; then
    echo "test: $passed passed, $failed failed, $skipped skipped"
else
    echo "test: $passed passed, $failed failed"
fi
[[ $failed -eq 0 && $skipped -eq 0 ]]
