/* ktest.h: in-kernel tests. KTEST(name) { ... } defines a test function and registers it in
 * the .ktests section; the boot argument `ktest` (or `ktest=GLOB`) runs them, prints TAP and
 * powers off with 0 if all passed, 1 otherwise. Tests live in tests/kernel/, beside nothing
 * else, and are linked into every kernel (they cost only their code until asked for).
 *
 *   KTEST(timer_counts_up) {
 *       uint64_t t = timer_ticks();
 *       ...
 *       KT_EXPECT(timer_ticks() > t);
 *   }
 */
#ifndef HARTOS_KTEST_H
#define HARTOS_KTEST_H

#include <stdbool.h>
#include <stdint.h>

struct ktest {
    const char *name;
    void (*fn)(void);
    const char *file;
    int line;
    bool panics;        /* ends in a panic on purpose: run only when named exactly */
    bool timed;         /* measures time: run only when the clock is deterministic */
};

#define KTEST_DEFINE(name_, panics_, timed_)                                                \
    static void ktest_fn_##name_(void);                                                     \
    static const struct ktest ktest_##name_ __attribute__((used, section(".ktests"),        \
                                                          aligned(8))) = {                  \
        #name_, ktest_fn_##name_, __FILE__, __LINE__, panics_, timed_};                     \
    static void ktest_fn_##name_(void)

#define KTEST(name) KTEST_DEFINE(name, false, false)

/* A test whose success is a panic. The harness runs it alone (ktest=NAME) and checks the
 * panic message and exit status 3 from outside. */
#define KTEST_PANICS(name) KTEST_DEFINE(name, true, false)

/* A test whose assertion depends on time: a rate, a share of the hart, a deadline met within
 * a tick. On real parallel harts the host decides when a hart runs (a busy host stalls one
 * for milliseconds), so such a test is only meaningful when the clock is deterministic: under
 * QEMU -icount, where time follows executed instructions. tools/qemu's ICOUNT=1 adds both
 * -icount and the boot argument `icount` that says so; without it a timed test is reported
 * as skipped (TAP "ok N - name # SKIP ..."), never run. Everything else must hold whatever
 * the timing, so it is a plain KTEST. */
#define KTEST_TIMED(name) KTEST_DEFINE(name, false, true)

/* Check a condition; on failure report it and end this test (the others still run). */
#define KT_EXPECT(cond)                                                                     \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            ktest_fail(__FILE__, __LINE__, "%s", #cond);                                    \
            return;                                                                         \
        }                                                                                   \
    } while (0)

/* The same, with a message formatted like kprintf. */
#define KT_EXPECTF(cond, ...)                                                               \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            ktest_fail(__FILE__, __LINE__, __VA_ARGS__);                                    \
            return;                                                                         \
        }                                                                                   \
    } while (0)

/* Shell-style glob (`*`, `?`) over [g, g_end), against the whole of s. */
bool ktest_glob_match(const char *g, const char *g_end, const char *s);

/* The task count once every task that ended before now has been reclaimed. A task is reaped by
 * the next switch on the hart it ended on, which on parallel harts may come a moment after its
 * join returned: a leak test that took its baseline before that would count a leak that is not
 * there (or miss one). A count only falls on its own, so: the lowest of a few readings. */
int ktest_tasks_settled(void);

void ktest_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Run the tests whose names match glob (NULL: all but the KTEST_PANICS ones), print TAP,
 * power off. The KTEST_TIMED ones run only with the boot argument `icount`. */
__attribute__((noreturn)) void ktest_run(const char *glob, unsigned long glob_len);

#endif
