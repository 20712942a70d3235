#include "testlib.h"

int rf_test_passed, rf_test_failed;

int rf_test_levels(rf_isa out[RF_ISA_COUNT])
{
    int n = 0;
    for (int i = 0; i < RF_ISA_COUNT; i++)
        if (rf_isa_usable((rf_isa)i)) out[n++] = (rf_isa)i;
    return n;
}

int rf_test_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, rf_test_passed, rf_test_failed);
    return (rf_test_failed == 0 && rf_test_passed > 0) ? 0 : 1;
}
