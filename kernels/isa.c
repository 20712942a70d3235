/* CPU feature detection and the process-wide ISA level (see refast/isa.h). */
#include "refast/isa.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_compiled_isas.h" /* RF_COMPILED_ISAS(X): X(avx2, AVX2) ... for the levels built */

#if RF_ARCH_X86
#include <cpuid.h>
#endif

#define RF_ISA_NAME_(name, E, fallback, bytes) [RF_ISA_##E] = #name,
static const char *const isa_names[RF_ISA_COUNT] = {[RF_ISA_SCALAR] = "scalar",
                                                    RF_VECTOR_ISAS(RF_ISA_NAME_)};
#define RF_ISA_FALLBACK_(name, E, fallback, bytes) [RF_ISA_##E] = RF_ISA_##fallback,
static const rf_isa isa_fallback[RF_ISA_COUNT] = {[RF_ISA_SCALAR] = RF_ISA_SCALAR,
                                                  RF_VECTOR_ISAS(RF_ISA_FALLBACK_)};
#define RF_ISA_BYTES_(name, E, fallback, bytes) [RF_ISA_##E] = bytes,
static const size_t isa_bytes[RF_ISA_COUNT] = {[RF_ISA_SCALAR] = 0, RF_VECTOR_ISAS(RF_ISA_BYTES_)};
#define RF_ISA_BUILT_(name, E) [RF_ISA_##E] = true,
static const bool compiled[RF_ISA_COUNT] = {[RF_ISA_SCALAR] = true, RF_COMPILED_ISAS(RF_ISA_BUILT_)};

const char *rf_isa_name(rf_isa level)
{
    return (unsigned)level < RF_ISA_COUNT ? isa_names[level] : "?";
}

size_t rf_isa_vector_bytes(rf_isa level)
{
    return (unsigned)level < RF_ISA_COUNT ? isa_bytes[level] : 0;
}

bool rf_isa_parse(const char *name, rf_isa *out)
{
    for (int i = 0; i < RF_ISA_COUNT; i++) {
        if (name && strcmp(name, isa_names[i]) == 0) {
            *out = (rf_isa)i;
            return true;
        }
    }
    return false;
}

bool rf_isa_compiled(rf_isa level)
{
    return (unsigned)level < RF_ISA_COUNT && compiled[level];
}

#if RF_ARCH_X86
/* XCR0 through the raw xgetbv encoding, so this file needs no -mxsave. */
static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

typedef struct x86_features {
    bool avx2_fma;
    bool avx512;
    char summary[160];
} x86_features;

static x86_features detect_x86(void)
{
    x86_features f = {0};
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    const bool os_avx = (xcr0 & 0x6) == 0x6;            /* XMM and YMM state */
    const bool os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0; /* opmask, ZMM_Hi256, Hi16_ZMM */
    unsigned b7 = 0;
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b7, c, d);
    }
    const bool avx2 = (b7 >> 5) & 1;
    const bool f512 = (b7 >> 16) & 1, dq = (b7 >> 17) & 1, bw = (b7 >> 30) & 1, vl = (b7 >> 31) & 1;
    f.avx2_fma = avx && os_avx && avx2 && fma;
    f.avx512 = f.avx2_fma && os_avx512 && f512 && dq && bw && vl;
    snprintf(f.summary, sizeof f.summary,
             "x86-64:%s%s%s%s%s%s%s (OS state: avx %s, avx512 %s)", avx ? " avx" : "",
             avx2 ? " avx2" : "", fma ? " fma" : "", f512 ? " avx512f" : "", dq ? " avx512dq" : "",
             bw ? " avx512bw" : "", vl ? " avx512vl" : "", os_avx ? "on" : "off",
             os_avx512 ? "on" : "off");
    return f;
}
#endif

/* One detection function per row of RF_VECTOR_ISAS (refast/isa.h): does this CPU, with this OS,
 * run the level's instructions? None of them executes those instructions. */
#if RF_ARCH_X86
static x86_features x86;
static bool rf_detect_avx2(void)
{
    return x86.avx2_fma;
}
static bool rf_detect_avx512(void)
{
    return x86.avx512;
}
#else
static bool rf_detect_avx2(void)
{
    return false;
}
static bool rf_detect_avx512(void)
{
    return false;
}
#endif
static bool rf_detect_neon(void)
{
    return RF_ARCH_ARM64; /* Advanced SIMD is mandatory in AArch64 */
}

static struct {
    bool done;
    bool usable[RF_ISA_COUNT];
    char summary[192];
} cpu;

/* REFAST_CPU_DISABLE=avx512[,avx2...] hides levels the CPU has, so that fallbacks and the
 * "CPU lacks this level" paths can be exercised on any machine. It can only remove levels. */
static void apply_disable(void)
{
    const char *env = getenv("REFAST_CPU_DISABLE");
    if (!env) return;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", env);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        rf_isa level;
        if (rf_isa_parse(tok, &level) && level != RF_ISA_SCALAR) cpu.usable[level] = false;
    }
}

static void detect(void)
{
    if (cpu.done) return;
    cpu.usable[RF_ISA_SCALAR] = true;
#if RF_ARCH_X86
    x86 = detect_x86();
    snprintf(cpu.summary, sizeof cpu.summary, "%s", x86.summary);
#elif RF_ARCH_ARM64
    snprintf(cpu.summary, sizeof cpu.summary, "aarch64: asimd");
#else
    snprintf(cpu.summary, sizeof cpu.summary, "generic: scalar only");
#endif
#define RF_ISA_DETECT_(name, E, fallback, bytes)                                                      \
    cpu.usable[RF_ISA_##E] = rf_isa_compiled(RF_ISA_##E) && rf_detect_##name();
    RF_VECTOR_ISAS(RF_ISA_DETECT_)
    apply_disable();
    /* A level builds on its fallback (avx512 code assumes avx2 is there, and the fallback chain
     * must end in usable code): a level whose fallback is unusable is unusable. Fallbacks come
     * earlier in the list, so one pass in order settles every chain. */
    for (int i = 1; i < RF_ISA_COUNT; i++)
        if (!cpu.usable[isa_fallback[i]]) cpu.usable[i] = false;
    cpu.done = true;
}

bool rf_isa_usable(rf_isa level)
{
    detect();
    return (unsigned)level < RF_ISA_COUNT && cpu.usable[level];
}

const char *rf_isa_cpu_summary(void)
{
    detect();
    return cpu.summary;
}

rf_isa rf_isa_fallback(rf_isa level)
{
    return (unsigned)level < RF_ISA_COUNT ? isa_fallback[level] : RF_ISA_SCALAR;
}

rf_isa rf_isa_best(void)
{
    for (int i = RF_ISA_COUNT - 1; i > 0; i--)
        if (rf_isa_usable((rf_isa)i)) return (rf_isa)i;
    return RF_ISA_SCALAR;
}

bool rf_isa_request(const char *name, rf_isa *out, char *err, size_t errlen)
{
    rf_isa level;
    if (!rf_isa_parse(name, &level)) {
        char known[128] = "scalar";
        for (int i = 1; i < RF_ISA_COUNT; i++)
            snprintf(known + strlen(known), sizeof known - strlen(known), ", %s", isa_names[i]);
        snprintf(err, errlen, "unknown ISA level '%s' (expected one of %s)", name ? name : "",
                 known);
        return false;
    }
    if (!rf_isa_compiled(level)) {
        snprintf(err, errlen, "ISA level '%s' is not built for this architecture", name);
        return false;
    }
    if (!rf_isa_usable(level)) {
        snprintf(err, errlen, "ISA level '%s' is not supported by this CPU (%s)", name,
                 rf_isa_cpu_summary());
        return false;
    }
    *out = level;
    return true;
}

static int current = -1;

rf_isa rf_isa_current(void)
{
    if (current < 0) {
        rf_isa level = rf_isa_best();
        const char *env = getenv("REFAST_ISA");
        char err[256];
        /* An unusable REFAST_ISA is reported by the harness (exit 2); library users get best. */
        if (env && *env && rf_isa_request(env, &level, err, sizeof err)) current = (int)level;
        else current = (int)rf_isa_best();
    }
    return (rf_isa)current;
}

bool rf_isa_set(rf_isa level)
{
    if (!rf_isa_usable(level)) return false;
    current = (int)level;
    return true;
}
