/* ch10_attack_test.c: what a review of chapter 10's fast paths found. Each test fails (or,
 * for a KTEST_PANICS one, does not panic as it should) on the kernel it was written against. */
#include "kernel/hart.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/riscv.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "task/task.h"

/* A lock report names where the lock was taken (SPIN_HERE, kernel/spinlock.h): the function
 * that called spin_lock_irqoff, not spin_lock_irqoff itself. task_finish takes the task lock
 * last, so that is where t->lock.pc must point once the task has ended. */
static void *returns_arg(void *arg)
{
    return arg;
}

KTEST(ch10_lock_site_names_the_caller)
{
    struct task *t = task_spawn_local("site", returns_arg, NULL);
    KT_EXPECT(t && task_join(t, NULL) == 0);
    uint64_t off = 0;
    const char *fn = ksym_lookup(t->lock.pc, &off);
    bool ok = fn && strcmp(fn, "task_finish") == 0;
    task_drop(t);
    KT_EXPECTF(ok, "task lock taken at %s+%#lx, not in task_finish", fn ? fn : "?",
               (unsigned long)off);
}
