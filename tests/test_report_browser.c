/* The reports in a real browser (issue 15): headless Chromium renders report.html of a benchmark
 * report and of a simulation report (with references and distance histograms), takes a screenshot
 * of each, and checks through the DOM, after layout, that every chart is there and drawn: for
 * every svg.rf-chart (svg.h's DOM contract) a rendered size, x-axis labels, at least two y-axis
 * tick labels, a legend entry and at least one data mark with a non-empty box; and as many charts
 * in the page as SVG files beside it. The check is a script appended to a copy of the page; its
 * verdict is read from Chromium's --dump-dom.
 *
 * Skipped (exit 77, one line saying so) only when no Chromium is found: REFAST_CHROMIUM, else
 * /usr/bin/chromium or chromium-browser; scripts/setup.sh installs Debian's `chromium`. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "testlib.h"

extern char **environ;

static char out[1 << 16], err[1 << 12];
#define CLI(...) rf_test_cli(out, sizeof out, err, sizeof err, __VA_ARGS__, NULL)

static const char *chromium(void)
{
    static const char *const where[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"};
    const char *env = getenv("REFAST_CHROMIUM");
    if (env && *env && access(env, X_OK) == 0) return env;
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++)
        if (access(where[i], X_OK) == 0) return where[i];
    return NULL;
}

/* Runs Chromium headless on url with one extra argument; stdout into out_path. Exit status, -1 on
 * a timeout (120 s: the process is killed). */
static int run_chromium(const char *bin, const char *extra, const char *url, const char *out_path, const char *profile)
{
    char user_dir[600];
    snprintf(user_dir, sizeof user_dir, "--user-data-dir=%s", profile);
    const char *argv[] = {bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          "--hide-scrollbars", user_dir, "--window-size=1300,2400", extra, url, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    const int rc = posix_spawn(&pid, bin, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    for (int i = 0; i < 1200; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

/* The DOM check, appended to a copy of the page: its verdict goes into <pre id="rf-dom-check">. */
static const char *const check_js =
    "<script>(function(){"
    "const out=[],charts=[...document.querySelectorAll('svg.rf-chart')];let bad=0;"
    "const shown=t=>t.textContent.trim().length>0&&t.getBBox().width>0;"
    "charts.forEach((c,i)=>{"
    "const title=(c.querySelector('text')||{textContent:'chart '+i}).textContent,bb=c.getBoundingClientRect(),p=[];"
    "const xl=[...c.querySelectorAll('g.rf-axis-x text')].filter(shown).length;"
    "const yl=[...c.querySelectorAll('g.rf-axis-y text')].filter(shown).length;"
    "const lg=c.querySelectorAll('g.rf-legend g.rf-legend-item').length;"
    "const mk=[...c.querySelectorAll('g.rf-data *')].filter(e=>{if(!e.getBBox)return false;"
    "const b=e.getBBox();return b.width>0||b.height>0;}).length;"
    "if(!(bb.width>100&&bb.height>100))p.push('rendered '+bb.width+'x'+bb.height);"
    "if(xl<1)p.push('no x-axis labels');if(yl<2)p.push(yl+' y-axis labels');"
    "if(lg<1)p.push('no legend');if(mk<1)p.push('no data marks');"
    "if(p.length){bad++;out.push('BAD '+title+': '+p.join(', '));}});"
    "out.unshift('charts='+charts.length+' bad='+bad);"
    "const pre=document.createElement('pre');pre.id='rf-dom-check';pre.textContent=out.join('\\n');"
    "document.body.appendChild(pre);})();</script>\n";

static size_t count_svgs(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        const size_t len = strlen(e->d_name);
        n += len > 4 && !strcmp(e->d_name + len - 4, ".svg");
    }
    if (d) closedir(d);
    return n;
}

/* Screenshot and DOM check of dir/report.html. */
static void check_report(const char *bin, const char *dir, const char *what)
{
    char page[700], copy[700], url[800], png[700], dom[700], profile[700], e[256];
    snprintf(page, sizeof page, "%s/report.html", dir);
    snprintf(copy, sizeof copy, "%s/report-check.html", dir);
    snprintf(png, sizeof png, "%s/report.png", dir);
    snprintf(dom, sizeof dom, "%s/dom.txt", dir);
    snprintf(profile, sizeof profile, "%s/chromium-profile", dir);
    const size_t want = count_svgs(dir);
    CHECKF(want >= 2, "%s: %zu SVG files", what, want);

    /* the screenshot: a page with charts is far from a blank one (a few KB of PNG) */
    char shot[720];
    snprintf(shot, sizeof shot, "--screenshot=%s", png);
    snprintf(url, sizeof url, "file://%s", page);
    int rc = run_chromium(bin, shot, url, "/dev/null", profile);
    struct stat st;
    CHECKF(rc == 0 && stat(png, &st) == 0 && st.st_size > 30000, "%s: screenshot: exit %d, %lld bytes", what, rc,
           stat(png, &st) == 0 ? (long long)st.st_size : -1LL);

    uint8_t *html;
    size_t len;
    CHECK(rf_read_file(page, 64u << 20, &html, &len, e, sizeof e));
    if (!html) return;
    char *end = strstr((char *)html, "</body>");
    FILE *f = fopen(copy, "w");
    if (f) {
        fwrite(html, 1, end ? (size_t)(end - (char *)html) : len, f);
        fputs(check_js, f);
        fputs("</body>\n</html>\n", f);
        fclose(f);
    }
    free(html);
    snprintf(url, sizeof url, "file://%s", copy);
    rc = run_chromium(bin, "--dump-dom", url, dom, profile);
    uint8_t *text = NULL;
    CHECKF(rc == 0 && rf_read_file(dom, 256u << 20, &text, &len, e, sizeof e), "%s: --dump-dom: exit %d", what, rc);
    const char *verdict = text ? strstr((char *)text, "<pre id=\"rf-dom-check\">") : NULL;
    char line[160] = "", want_line[80];
    if (verdict) sscanf(verdict + 23, "%159[^<\n]", line);
    snprintf(want_line, sizeof want_line, "charts=%zu bad=0", want);
    CHECKF(verdict && !strcmp(line, want_line), "%s: DOM check says '%s' (want '%s')%s%.600s", what, line, want_line,
           verdict ? "\n" : "", verdict ? verdict + 23 : "");
    free(text);
}

int main(void)
{
    const char *bin = chromium();
    if (!bin) {
        printf("test_report_browser: SKIPPED: no Chromium (set REFAST_CHROMIUM, or install Debian's chromium: "
               "scripts/setup.sh does)\n");
        return 77;
    }
    const char *tmp = rf_test_tmpdir();
    char bench[600], bjson[600], sim[600], a[600], b[600], csv[600], dist[600];
    snprintf(bench, sizeof bench, "%s/bench", tmp);
    snprintf(bjson, sizeof bjson, "%s/bench.json", tmp);
    snprintf(sim, sizeof sim, "%s/sim", tmp);
    snprintf(a, sizeof a, "%s/a.json", tmp);
    snprintf(b, sizeof b, "%s/b.json", tmp);
    snprintf(csv, sizeof csv, "%s/ref.csv", tmp);
    snprintf(dist, sizeof dist, "%s/dist.json", tmp);

    int rc;
    /* a benchmark report: a small run of this build (the machine rows give the % of peak) */
#ifdef REFAST_HAVE_BENCH
    rc = CLI("bench", "--kernel", "fht_f32", "--repetitions", "2", "--min-time", "0.01", "--out", bjson);
    CHECKF(rc == 0, "bench: rc %d: %s", rc, err);
    rc = CLI("report", "--in", bjson, "--out", bench);
    CHECKF(rc == 0, "report --in: rc %d: %s", rc, err);
    check_report(bin, bench, "benchmark report");
#else
    printf("test_report_browser: this build has no refast bench: the benchmark report is not checked\n");
#endif

    /* a simulation report: two codes, a CSV reference, a distance histogram */
    rc = CLI("sim", "--code", "rm:6:1", "--decoder", "map", "--ebn0", "0:6:1", "--max-frames", "20000",
             "--target-errors", "200", "--json", a);
    CHECKF(rc == 0, "sim a: rc %d: %s", rc, err);
    rc = CLI("sim", "--code", "rm:6:2", "--decoder", "dumer", "--ebn0", "0:6:1", "--max-frames", "20000",
             "--target-errors", "200", "--json", b);
    CHECKF(rc == 0, "sim b: rc %d: %s", rc, err);
    FILE *f = fopen(csv, "w");
    if (f) {
        fputs("# a hand-made reference\nsnr,ber,bler\n0,0.08,0.3\n2,0.02,0.08\n4,2e-3,1e-2\n", f);
        fclose(f);
    }
    rc = CLI("code", "distances", "rm:6:1", "--json", dist);
    CHECKF(rc == 0, "code distances: rc %d: %s", rc, err);
    rc = CLI("report", "--sim", a, b, "--ref", csv, "--distances", dist, "--out", sim);
    CHECKF(rc == 0, "report --sim: rc %d: %s", rc, err);
    check_report(bin, sim, "simulation report");
    return rf_test_summary("test_report_browser");
}
