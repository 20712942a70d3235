/* The differential fuzz target (fuzz/diff_fuzz.c) as its drivers see it: libFuzzer's two entry
 * points, and the kernels it fuzzes in the order byte 0 of an input picks them (input byte 0 modulo
 * the count), for the standalone driver (fuzz/driver_main.c), which names corpus files after them.
 * The selection is fixed by LLVMFuzzerInitialize (REFAST_FUZZ_KERNEL, REFAST_FUZZ_FAMILY).
 */
#ifndef REFAST_FUZZ_DIFF_FUZZ_H
#define REFAST_FUZZ_DIFF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "refast/registry.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* After LLVMFuzzerInitialize: how many kernels byte 0 chooses from, and the i-th. */
size_t rf_diff_fuzz_kernel_count(void);
const rf_kernel *rf_diff_fuzz_kernel(size_t i);

#endif
