/* ISA levels and CPU feature detection.
 *
 * refast runs every kernel at one of four levels: `scalar` (ref/, always present), `avx2`
 * (AVX2 + FMA, x86-64-v3), `avx512` (AVX-512 F/BW/DQ/VL, x86-64-v4) and `neon` (AArch64 Advanced
 * SIMD). A level is usable when it was compiled for this architecture AND the CPU (and, on x86,
 * the OS via XCR0) supports it. Nothing here ever executes a level's instructions: callers must
 * check rf_isa_usable() first, which is what keeps refast from ever raising SIGILL.
 *
 * A kernel without a hand-written version at some level falls back along rf_isa_fallback():
 * avx512 -> avx2 -> scalar, neon -> scalar.
 *
 * Environment: REFAST_ISA=LEVEL selects the level of the dispatching wrappers; REFAST_CPU_DISABLE=
 * avx512[,avx2] hides levels from detection (testing fallbacks and the missing-level errors).
 */
#ifndef REFAST_ISA_H
#define REFAST_ISA_H

#include <stdbool.h>
#include <stddef.h>

/* The vector ISA levels, one row each: X(name, ENUM, fallback, vector bytes). Adding a level is one row here,
 * its detection function in kernels/isa.c (rf_detect_<name>), its flags in cmake/RefastIsa.cmake
 * and its fast/<name>/ folder; nothing else names a level. The fallback is the level a kernel
 * without a hand-written version at this level uses (and `refast list` prints). */
#define RF_VECTOR_ISAS(X)                                                                        \
    X(avx2, AVX2, SCALAR, 32)                                                                    \
    X(avx512, AVX512, AVX2, 64)                                                                  \
    X(neon, NEON, SCALAR, 16)

#define RF_ISA_ENUM_(name, E, fallback, bytes) RF_ISA_##E,
typedef enum rf_isa { RF_ISA_SCALAR = 0, RF_VECTOR_ISAS(RF_ISA_ENUM_) RF_ISA_COUNT } rf_isa;

#if defined(__x86_64__) || defined(_M_X64)
#define RF_ARCH_X86 1
#define RF_ARCH_ARM64 0
#elif defined(__aarch64__)
#define RF_ARCH_X86 0
#define RF_ARCH_ARM64 1
#else
#define RF_ARCH_X86 0
#define RF_ARCH_ARM64 0
#endif

const char *rf_isa_name(rf_isa level);
/* Parses "scalar", "avx2", "avx512", "neon". Returns false for anything else. */
bool rf_isa_parse(const char *name, rf_isa *out);
/* Level compiled into this binary (cmake/RefastIsa.cmake built it for this architecture). */
bool rf_isa_compiled(rf_isa level);
/* Compiled in AND supported by this CPU/OS. */
bool rf_isa_usable(rf_isa level);
/* The next lower level a kernel falls back to (scalar falls back to itself). */
rf_isa rf_isa_fallback(rf_isa level);
/* The widest vector register of a level in bytes (scalar: 0); `refast verify --sweep` misaligns
 * arrays by 0 .. this many bytes minus one element. */
size_t rf_isa_vector_bytes(rf_isa level);
/* The best usable level. */
rf_isa rf_isa_best(void);
/* Short description of the detected CPU features, e.g. "x86-64: avx2 fma avx512f ...". */
const char *rf_isa_cpu_summary(void);

/* The process-wide level used by the dispatching wrappers (rf_fht_f32() etc.). Initially
 * REFAST_ISA from the environment if set and valid, else rf_isa_best(). */
rf_isa rf_isa_current(void);
/* Select a level. Returns false (and leaves the level unchanged) if it is not usable. */
bool rf_isa_set(rf_isa level);
/* Parses a level request ("all" is not a level; callers handle it) and checks it against the CPU.
 * On failure writes a one-line message into err and returns false. */
bool rf_isa_request(const char *name, rf_isa *out, char *err, size_t errlen);

#endif
