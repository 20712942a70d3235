/* refast golden check|generate (SPEC §4). */
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "golden.h"

typedef struct golden_opts {
    const char *golden, *kernel;
} golden_opts;

/* Files under dir/<family>/ that end in .rfg, for the orphan check. */
static size_t count_orphans(const char *dir, rf_manifest *m)
{
    size_t orphans = 0;
    DIR *top = opendir(dir);
    if (!top) return 0;
    struct dirent *fam;
    while ((fam = readdir(top))) {
        if (fam->d_name[0] == '.') continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", dir, fam->d_name);
        DIR *d = opendir(sub);
        if (!d) continue;
        struct dirent *f;
        while ((f = readdir(d))) {
            size_t len = strlen(f->d_name);
            if (len < 5 || strcmp(f->d_name + len - 4, ".rfg") != 0) continue;
            char rel[600];
            snprintf(rel, sizeof rel, "%s/%s", fam->d_name, f->d_name);
            if (!rf_manifest_find(m, rel)) {
                fprintf(stderr, "refast: %s/%s: not listed in MANIFEST\n", dir, rel);
                orphans++;
            }
        }
        closedir(d);
    }
    closedir(top);
    return orphans;
}

static int golden_check(const void *opts)
{
    const golden_opts *o = opts;
    const char *dir = o->golden ? o->golden : rf_golden_dir(), *glob = o->kernel;
    char err[512];
    rf_manifest m;
    if (!rf_manifest_load(dir, &m, false, err, sizeof err)) return rf_usage_error("%s", err);
    size_t ok = 0, bad = 0;
    for (size_t i = 0; i < m.n; i++) {
        const rf_manifest_entry *e = &m.e[i];
        if (!rf_glob_match(glob, e->kernel)) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->path);
        rf_case c;
        rfg_hash h;
        if (!rfg_read(path, &c, &h, err, sizeof err)) {
            fprintf(stderr, "refast: %s\n", err);
            bad++;
            continue;
        }
        if (h.hi != e->hash.hi || h.lo != e->hash.lo) {
            char a[33], b[33];
            rfg_hash_hex(h, a);
            rfg_hash_hex(e->hash, b);
            fprintf(stderr, "refast: %s: field 'file hash': %s, MANIFEST says %s\n", path, a, b);
            bad++;
        } else if (strcmp(c.kernel, e->kernel) != 0 || strcmp(c.params, e->params) != 0) {
            fprintf(stderr, "refast: %s: field 'kernel/params': file and MANIFEST disagree\n", path);
            bad++;
        } else {
            ok++;
        }
        rf_case_free(&c);
    }
    /* every registry recipe must have its file */
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!rf_glob_match(glob, k->name)) continue;
        for (const rf_case_spec *s = k->cases; s && s->name; s++) {
            char rel[512];
            rf_golden_relpath(k, s, rel, sizeof rel);
            if (!rf_manifest_find(&m, rel)) {
                fprintf(stderr, "refast: %s/%s: missing (run refast golden generate --kernel %s)\n",
                        dir, rel, k->name);
                bad++;
            }
        }
    }
    if (!strcmp(glob, "*")) bad += count_orphans(dir, &m);
    rf_manifest_free(&m);
    printf("golden check: %zu passed, %zu failed\n", ok, bad);
    return bad ? RF_EXIT_USAGE : RF_EXIT_OK;
}

static int golden_generate(const void *opts)
{
    const golden_opts *o = opts;
    const char *dir = o->golden ? o->golden : rf_golden_dir(), *glob = o->kernel;
    char err[512];
    rf_manifest m;
    if (!rf_manifest_load(dir, &m, true, err, sizeof err)) return rf_usage_error("%s", err);
    size_t made = 0, changed = 0, matched = 0;
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!rf_glob_match(glob, k->name)) continue;
        matched++;
        for (const rf_case_spec *s = k->cases; s && s->name; s++) {
            char rel[512], path[4096];
            rf_golden_relpath(k, s, rel, sizeof rel);
            snprintf(path, sizeof path, "%s/%s", dir, rel);
            rf_case c;
            rfg_hash h;
            if (!rf_golden_build(k, s, &c, err, sizeof err) || !rfg_write(path, &c, &h, err, sizeof err)) {
                rf_manifest_free(&m);
                return rf_usage_error("%s", err);
            }
            rf_manifest_entry *old = rf_manifest_find(&m, rel);
            if (old && (old->hash.hi != h.hi || old->hash.lo != h.lo)) {
                char a[33], b[33];
                rfg_hash_hex(old->hash, a);
                rfg_hash_hex(h, b);
                fprintf(stderr, "refast: *** CHANGED *** %s: hash %s -> %s (the oracle's output or "
                                "the recipe changed; review before committing)\n", rel, a, b);
                changed++;
            }
            if (!rf_manifest_set(&m, rel, k->name, c.params, h)) {
                rf_case_free(&c);
                rf_manifest_free(&m);
                return rf_usage_error("out of memory");
            }
            rf_case_free(&c);
            made++;
        }
    }
    if (!matched) {
        rf_manifest_free(&m);
        return rf_usage_error("golden generate: no kernel matches '%s'", glob);
    }
    /* Entries of a regenerated kernel that no recipe produced any more (a recipe removed or
     * renamed, the kernel moved to another family) go, with their files; so do entries of a
     * kernel this binary does not know, but only when the glob names it: `--kernel X` never
     * touches another kernel's files, whatever the binary was built with. */
    size_t removed = 0;
    for (size_t i = m.n; i-- > 0;) {
        const rf_kernel *k = rf_kernel_find(m.e[i].kernel);
        bool stale = !k && rf_glob_match(glob, m.e[i].kernel);
        if (k && rf_glob_match(glob, k->name)) {
            stale = true;
            for (const rf_case_spec *s = k->cases; s && s->name && stale; s++) {
                char rel[512];
                rf_golden_relpath(k, s, rel, sizeof rel);
                stale = strcmp(rel, m.e[i].path) != 0;
            }
        } else if (k) {
            continue;
        }
        if (!stale) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, m.e[i].path);
        fprintf(stderr, "refast: *** REMOVED *** %s: no recipe of kernel '%s' produces it any more\n",
                m.e[i].path, m.e[i].kernel);
        remove(path);
        rf_manifest_remove(&m, i);
        removed++;
    }
    bool ok = rf_manifest_save(dir, &m, err, sizeof err);
    rf_manifest_free(&m);
    if (!ok) return rf_usage_error("%s", err);
    printf("golden generate: %zu cases written, %zu changed, %zu removed\n", made, changed, removed);
    return RF_EXIT_OK;
}

static const rf_opt golden_opts_table[] = {
    {"--golden", RF_OPT_FILE, offsetof(golden_opts, golden), "DIR",
     .help = "the golden files (default: $REFAST_GOLDEN, else golden)"},
    {"--kernel", RF_OPT_STR, offsetof(golden_opts, kernel), "GLOB",
     .help = RF_OPT_KERNEL_HELP,
     .def = "*"},
    {0},
};

static const rf_command golden_check_cmd = {
    .name = "check",
    .summary = "check the golden files against MANIFEST and the registry",
    .about = "Reads every case of MANIFEST (every field and XXH3 hash), compares its file hash with\n"
             "MANIFEST, and reports registry cases without a file and files without a MANIFEST line.\n"
             "Exit 0 when all is well, 2 otherwise.",
    .opts = golden_opts_table,
    .size = sizeof(golden_opts),
    .run = golden_check,
};

static const rf_command golden_generate_cmd = {
    .name = "generate",
    .summary = "rebuild the golden files from the oracle and rewrite MANIFEST",
    .about = "Rebuilds the cases of the matching kernels from their recipes with the oracle and\n"
             "rewrites MANIFEST. A case whose hash changes is reported loudly (review the MANIFEST\n"
             "diff); so is a case of those kernels that no recipe produces any more (or of a kernel\n"
             "no longer in the registry), whose file is removed.",
    .opts = golden_opts_table,
    .size = sizeof(golden_opts),
    .run = golden_generate,
};

static const rf_command *const golden_subs[] = {&golden_check_cmd, &golden_generate_cmd, NULL};

const rf_command rf_cmd_golden = {
    .name = "golden",
    .summary = "check the golden files' hashes, or regenerate them from the oracle",
    .subs = golden_subs,
};
