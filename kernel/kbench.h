/* kbench.h: in-kernel benchmarks. KBENCH(name) { ... } registers a benchmark like KTEST does;
 * the boot argument `kbench` (or `kbench=GLOB`) runs them and powers off. `make bench` boots
 * with QEMU's -icount shift=0,sleep=off, under which the instret counter counts guest
 * instructions exactly, so every figure is a deterministic instruction count, not a time.
 * Each result is one line: `bench NAME VALUE UNIT`.
 */
#ifndef HARTOS_KBENCH_H
#define HARTOS_KBENCH_H

#include <stdint.h>

struct kbench {
    const char *name;
    void (*fn)(void);
};

#define KBENCH(name_)                                                                       \
    static void kbench_fn_##name_(void);                                                    \
    static const struct kbench kbench_##name_                                               \
        __attribute__((used, section(".kbenches"), aligned(8))) = {#name_, kbench_fn_##name_}; \
    static void kbench_fn_##name_(void)

static inline uint64_t rdinstret(void)
{
    uint64_t n;
    __asm__ volatile("rdinstret %0" : "=r"(n));
    return n;
}

/* The instructions `rdinstret; call f; rdinstret` counts for an empty function, minus one for
 * its `ret`: subtract it from a measured call to count the callee from its first instruction
 * through its ret (the convention of ../shared/heapbench). */
uint64_t kbench_call_overhead(void);

/* `bench NAME VALUE UNIT`; value_milli is the value times 1000 (printed with 3 decimals, or as
 * a whole number when it is one). */
void kbench_report(const char *name, uint64_t value_milli, const char *unit);

__attribute__((noreturn)) void kbench_run(const char *glob, unsigned long glob_len);

#endif
