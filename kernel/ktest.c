/* ktest.c: the in-kernel test runner (see kernel/ktest.h). Output is TAP (Test Anything
 * Protocol), which the harness reads: "ok N - name" / "not ok N - name", then "1..N".
 */
#include "kernel/ktest.h"
#include "task/task.h"
#include "kernel/bootargs.h"
#include "kernel/poweroff.h"
#include "kernel/printf.h"
#include "kernel/string.h"

#include <stdarg.h>
#include <stddef.h>

extern const struct ktest __ktests_start[], __ktests_end[];

static bool current_failed;

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kprintf("# failed at %s:%d: ", file, line);
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
    current_failed = true;
}

/* Shell-style glob: `*` any run of characters, `?` one character, anything else itself. */
bool ktest_glob_match(const char *g, const char *g_end, const char *s)
{
    while (g < g_end) {
        if (*g == '*') {
            for (const char *t = s;; t++) {
                if (ktest_glob_match(g + 1, g_end, t))
                    return true;
                if (*t == '\0')
                    return false;
            }
        }
        if (*s == '\0' || (*g != '?' && *g != *s))
            return false;
        g++;
        s++;
    }
    return *s == '\0';
}

/* Source order: by file name, then line. */
static bool before(const struct ktest *a, const struct ktest *b)
{
    int c = strcmp(a->file, b->file);
    return c < 0 || (c == 0 && a->line < b->line);
}

/* The test after `prev` in source order (NULL: the first), or NULL. The linker collects the
 * records in no useful order; picking the next one each time needs no memory and is quick
 * enough for a few hundred tests. */
static const struct ktest *next_test(const struct ktest *prev)
{
    const struct ktest *best = NULL;
    for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
        if ((prev == NULL || before(prev, t)) && (best == NULL || before(t, best)))
            best = t;
    return best;
}

static bool selected(const struct ktest *t, const char *glob, unsigned long glob_len)
{
    if (glob == NULL || glob_len == 0)
        return !t->panics;
    if (t->panics)              /* only when named exactly: it ends the run */
        return strlen(t->name) == glob_len && strncmp(t->name, glob, glob_len) == 0;
    if (glob[0] == '!')         /* ktest=!GLOB: every test but those */
        return !ktest_glob_match(glob + 1, glob + glob_len, t->name);
    return ktest_glob_match(glob, glob + glob_len, t->name);
}

void ktest_run(const char *glob, unsigned long glob_len)
{
    int n = 0, failed = 0, skipped = 0;
    bool clock_deterministic = bootarg_present("icount");     /* tools/qemu's ICOUNT=1 */

    kprintf("TAP version 13\n");
    for (const struct ktest *t = next_test(NULL); t; t = next_test(t)) {
        if (!selected(t, glob, glob_len))
            continue;
        n++;
        if (t->timed && !clock_deterministic) {
            skipped++;
            kprintf("ok %d - %s # SKIP timed test: run with ICOUNT=1 "
                    "(make qemu ICOUNT=1 ARGS=ktest)\n", n, t->name);
            continue;
        }
        current_failed = false;
        kprintf("# %s (%s:%d)\n", t->name, t->file, t->line);
        t->fn();
        if (current_failed)
            failed++;
        kprintf("%sok %d - %s\n", current_failed ? "not " : "", n, t->name);
    }
    kprintf("1..%d\n", n);
    if (n == 0)
        kprintf("# no test matches '%.*s'\n", (int)glob_len, glob ? glob : "");
    kprintf("# %d passed, %d failed, %d skipped\n", n - failed - skipped, failed, skipped);
    poweroff(failed == 0 && n > 0 ? 0 : 1);
}

int ktest_tasks_settled(void)
{
    int n = task_count();
    for (int i = 0; i < 5; i++) {
        task_sleep_ms(1);
        if (task_count() < n)
            n = task_count();
    }
    return n;
}
