/* kbench.c: the benchmark runner (see kernel/kbench.h). */
#include "kernel/kbench.h"
#include "kernel/ktest.h"
#include "kernel/poweroff.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"

#include <stddef.h>

extern const struct kbench __kbenches_start[], __kbenches_end[];

static __attribute__((noinline)) void empty(void)
{
    __asm__ volatile("");
}

uint64_t kbench_call_overhead(void)
{
    uint64_t least = UINT64_MAX;
    for (int i = 0; i < 8; i++) {       /* the first call may differ; take the least */
        uint64_t t0 = rdinstret();
        empty();
        uint64_t t = rdinstret() - t0;
        least = t < least ? t : least;
    }
    return least - 1;
}

void kbench_report(const char *name, uint64_t value_milli, const char *unit)
{
    if (value_milli % 1000 == 0)
        kprintf("bench %s %lu %s\n", name, (unsigned long)(value_milli / 1000), unit);
    else
        kprintf("bench %s %lu.%03lu %s\n", name, (unsigned long)(value_milli / 1000),
                (unsigned long)(value_milli % 1000), unit);
}

void kbench_run(const char *glob, unsigned long glob_len)
{
    int n = 0;
    for (const struct kbench *b = __kbenches_start; b < __kbenches_end; b++) {
        if (glob_len && !ktest_glob_match(glob, glob + glob_len, b->name))
            continue;
        kprintf("# bench %s\n", b->name);
        b->fn();
        n++;
    }
    if (n == 0)
        kprintf("# no benchmark matches '%.*s'\n", (int)glob_len, glob ? glob : "");
    poweroff(n ? 0 : 1);
}
