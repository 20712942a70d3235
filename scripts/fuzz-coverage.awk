# What a differential fuzz run covered, per kernel: sums the stats files fuzz/diff_fuzz.c writes
# (REFAST_FUZZ_STATS=DIR: one "kernel generated accepted judged" line per kernel and process),
# prints a table and writes it as JSON to the file `json`. With `seconds` (the run's wall time)
# it adds inputs per second. Exits 1 when no stats were written, or when a kernel had at least
# `min` (default 10) inputs generated for it but accepted none (its fuzz_inputs is broken: the
# kernel was not fuzzed); a kernel with fewer than `min` inputs is listed as under-sampled (a
# short run, or one under qemu, where a rejecting kernel's one or two inputs prove nothing).
#   cat DIR/stats-*.tsv | awk -F'\t' -v json=FILE [-v seconds=S] [-v min=N] -f scripts/fuzz-coverage.awk
{ g[$1] += $2; a[$1] += $3; j[$1] += $4; if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
BEGIN { if (min == "") min = 10 }
END {
    if (n == 0) { print "fuzz coverage: no stats written"; exit 1 }
    rate = seconds > 0
    printf "%-28s %12s %12s %12s%s\n", "kernel", "generated", "accepted", "judged", rate ? "   accepted/s" : ""
    bad = 0; printf "{%s\"kernels\":[", rate ? "\"seconds\":" seconds "," : "" > json
    for (i = 0; i < n; i++) {
        k = order[i]
        printf "%-28s %12d %12d %12d", k, g[k], a[k], j[k]
        if (rate) printf " %13.1f", a[k] / seconds
        printf "\n"
        printf "%s{\"kernel\":\"%s\",\"generated\":%d,\"accepted\":%d,\"judged\":%d}", i ? "," : "", k, g[k], a[k], j[k] > json
        if (g[k] >= min && a[k] == 0) { print "fuzz coverage: " k " accepted none of its " g[k] " inputs"; bad = 1 }
        if (g[k] < min) under = under " " k "(" a[k] "/" g[k] ")"

        tg += g[k]; ta += a[k]; tj += j[k]
    }
    printf "]}\n" > json
    if (under != "") print "fuzz coverage: under-sampled (accepted/generated < " min "):" under
    printf "fuzz coverage: %d kernels, %d inputs generated, %d accepted, %d verdicts\n", n, tg, ta, tj
    exit bad
}
