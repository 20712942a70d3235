/* refast list: kernels x levels, and where each level's code comes from (fallbacks shown). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "refast/registry.h"

typedef struct list_opts {
    const char *kernel;
} list_opts;

static int run_list(const void *opts)
{
    const char *glob = ((const list_opts *)opts)->kernel;
    printf("CPU: %s\n", rf_isa_cpu_summary());
    printf("%-22s %-8s %-9s %5s", "kernel", "family", "tolerance", "cases");
    for (int l = 0; l < RF_ISA_COUNT; l++)
        if (rf_isa_compiled((rf_isa)l)) printf("  %-18s", rf_isa_name((rf_isa)l));
    printf("\n");
    size_t shown = 0;
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!rf_glob_match(glob, k->name)) continue;
        size_t ncases = 0;
        for (const rf_case_spec *s = k->cases; s && s->name; s++) ncases++;
        printf("%-22s %-8s %-9s %5zu", k->name, k->family, rf_tol_name(k->tol.cls), ncases);
        for (int l = 0; l < RF_ISA_COUNT; l++) {
            if (!rf_isa_compiled((rf_isa)l)) continue;
            rf_impl im;
            rf_kernel_level(k, (rf_isa)l, &im);
            const rf_isa by = im.provided_by;
            char cell[64];
            if (by == (rf_isa)l) snprintf(cell, sizeof cell, "%s", rf_isa_name(by));
            else snprintf(cell, sizeof cell, "%s -> %s", rf_isa_name((rf_isa)l), rf_isa_name(by));
            if (!rf_isa_usable((rf_isa)l)) strncat(cell, " (no cpu)", sizeof cell - strlen(cell) - 1);
            printf("  %-18s", cell);
        }
        printf("\n");
        shown++;
    }
    if (!shown) return rf_usage_error("list: no kernel matches '%s'", glob);
    return RF_EXIT_OK;
}

static const rf_opt list_opts_table[] = {
    {"--kernel", RF_OPT_STR, offsetof(list_opts, kernel), "GLOB", .help = RF_OPT_KERNEL_HELP,
     .def = "*"},
    {0},
};

const rf_command rf_cmd_list = {
    .name = "list",
    .summary = "kernels x ISA levels, and what each level falls back to",
    .about = "Prints every kernel with, per ISA level compiled for this architecture, the\n"
             "level that provides its code ('avx512 -> avx2' = falls back), whether this CPU\n"
             "can run it, the tolerance class and the number of golden cases.",
    .opts = list_opts_table,
    .size = sizeof(list_opts),
    .run = run_list,
};
