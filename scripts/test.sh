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
#   verify-sweep     `refast verify --isa all --peers --sweep --sweep-cases 1`: the smallest golden
#                    case of every kernel at every misalignment and tail length (README "verify")
#   asan-*           ASan + UBSan build (gcc) and its ctest
#   aarch64-*        NEON cross build, its ctest under qemu-aarch64, `refast verify --isa neon`
#   fuzz-*           the libFuzzer differential target (clang), 60 s over the whole registry,
#                    and the .kow parser fuzz (20 s)
#   gate             refast's own performance gate (scripts/gate.env): a short benchmark of every
#                    kernel gated on its speedups over scalar against the committed baseline of this
#                    machine class, and instruction counts (callgrind) of a subset against theirs;
#                    the Markdown/JUnit/JSON verdicts land in build/gate/
# A failed step does not stop the run (steps that need its output are skipped), so the closing
# line `test: N passed, M failed` is always complete. Exit status 0 only if every step passed.
#
# Environment: REFAST_JOBS (parallel jobs, default nproc), REFAST_FUZZ_SECONDS (default 60),
# REFAST_KOW_FUZZ_SECONDS (default 20).
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
    if ! diff <(awk -f scripts/reproducibility.awk "$want") <(awk -f scripts/reproducibility.awk "$got") \
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
# The bounded sweep: the smallest case of each kernel, every misalignment and tail (the full sweep,
# every case, is `refast verify --isa all --peers --sweep`, run by hand: ~2W times verify-all).
verify_sweep() { "$(refast_in build/release)" verify --isa all --peers --sweep --sweep-cases 1; }
# scalar and neon: the golden judge on AArch64 (its ctest leaves the verify label to this step).
verify_neon() {
    qemu-aarch64 -L / "$(refast_in build/aarch64)" verify --isa all --peers --require-isa neon \
        --matrix build/reproducibility.aarch64 || return 1
    reproducibility_check build/reproducibility.aarch64 aarch64 yes
}

asan_ctest() {
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --preset asan --parallel "$jobs"
}

# Seed corpus: for each of the first 64 values of byte 0 (the kernel pick), 512 pseudo-random
# bytes from a fixed seed, so every kernel starts with inputs long enough to fill its arrays.
# Generated here rather than committed; libFuzzer adds what it finds to the same directory.
fuzz_seeds() {
    local dir=$1 i j fmt b
    mkdir -p "$dir"
    RANDOM=2024
    for ((i = 0; i < 64; i++)); do
        printf -v fmt '\\%03o' "$i"
        for ((j = 0; j < 512; j++)); do
            printf -v b '\\%03o' $((RANDOM & 255))
            fmt+=$b
        done
        printf "$fmt" >"$dir/seed-$i"
    done
}

fuzz_run() {
    local dir=build/fuzz
    fuzz_seeds "$dir/corpus" || return 1
    mkdir -p "$dir/artifacts"
    # halt_on_error: the fuzz build keeps UBSan recoverable (see fuzz/CMakeLists.txt), this makes
    # its first report fatal anyway. -fork=N keeps every core busy for the same wall time; a
    # failing child stops the run, prints its dump and saves the input under artifacts/.
    local fork=()
    [[ $jobs -gt 1 ]] && fork=(-fork="$jobs")
    rm -rf "$dir/stats" && mkdir -p "$dir/stats"
    REFAST_FUZZ_STATS="$dir/stats" \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$dir/fuzz/refast_diff_fuzz" "${fork[@]}" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
        -timeout=30 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" || return 1
    fuzz_coverage "$dir/stats" "$dir/coverage.json"
}

# What the fuzz run covered, per kernel (the sum over the processes' stats files), as a table and
# as JSON; a kernel the fuzzer generated inputs for but never accepted one of fails the step (its
# fuzz_inputs is broken, and the kernel was not fuzzed at all).
fuzz_coverage() {
    local stats=$1 json=$2
    cat "$stats"/stats-*.tsv 2>/dev/null | awk -F'\t' -v json="$json" '
        { g[$1] += $2; a[$1] += $3; j[$1] += $4; if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
        END {
            if (n == 0) { print "fuzz coverage: no stats written"; exit 1 }
            printf "%-28s %12s %12s %12s\n", "kernel", "generated", "accepted", "judged"
            bad = 0; printf "{\"kernels\":[" > json
            for (i = 0; i < n; i++) {
                k = order[i]
                printf "%-28s %12d %12d %12d\n", k, g[k], a[k], j[k]
                printf "%s{\"kernel\":\"%s\",\"generated\":%d,\"accepted\":%d,\"judged\":%d}", i ? "," : "", k, g[k], a[k], j[k] > json
                if (g[k] > 0 && a[k] == 0) { print "fuzz coverage: " k " accepted none of its " g[k] " inputs"; bad = 1 }
                tg += g[k]; ta += a[k]; tj += j[k]
            }
            printf "]}\n" > json
            printf "fuzz coverage: %d kernels, %d inputs generated, %d accepted, %d verdicts\n", n, tg, ta, tj
            exit bad
        }'
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
step release-ctest     release-build  -- ctest --preset release --parallel "$jobs"
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
step gate              release-build  -- gate_run

echo "test: total $((SECONDS - t_start)) s; logs in $logdir/"
if [[ $skipped -gt 0 ]]; then
    echo "test: $passed passed, $failed failed, $skipped skipped"
else
    echo "test: $passed passed, $failed failed"
fi
[[ $failed -eq 0 && $skipped -eq 0 ]]
