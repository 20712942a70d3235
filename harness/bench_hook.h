/* A test seam of `refast bench`: when set (never in the `refast` executable: only a test program
 * linked from the same libraries sets it before calling rf_cli_main), it is asked once per
 * benchmark item, by name, for the extra work to add, as a fraction of the item's calls (0.10:
 * every 10 calls made, one more). The extra calls are real calls of the same kernel inside the
 * timed (or counted) loop, so the item gets slower by that fraction in time and in instructions:
 * the planted regression with which the tests check that `refast ab` and the instruction-count
 * gate flag that item and only it. */
#ifndef REFAST_BENCH_HOOK_H
#define REFAST_BENCH_HOOK_H

extern double (*rf_bench_extra_work)(const char *item_name);

#endif
