# The reproducibility matrix (refast verify --matrix) without the library peers' tokens (openblas,
# onednn: their results follow the library's own run-time choice of kernels for the CPU, which refast
# does not control) and the groups left empty; used by scripts/test.sh to compare a run with
# golden/REPRODUCIBILITY.<arch>.
{
    out = $1; n = split(substr($0, length($1) + 2), groups, / \| /)
    sep = " "
    for (i = 1; i <= n; i++) {
        m = split(groups[i], t, " "); g = ""
        for (j = 1; j <= m; j++) if (t[j] !~ /^(openblas|onednn)/) g = g (g == "" ? "" : " ") t[j]
        if (g != "") { out = out sep g; sep = " | " }
    }
    print out
}
