/* fast_test.c: what a review of chapter 10's fast paths found. Each test failed (or,
 * for a KTEST_PANICS one, did not panic as it should) on the kernel it was written against. */
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

KTEST(lock_site_names_the_caller)
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

/* A trap that finds no room for its frame above the stack's floor is a kernel stack overflow
 * (kernel/trap.S, trap.c: "a trap at sp ... found no room for its frame"). The timer interrupt
 * is the commonest trap of all, so it must be checked too: here a task parks its sp 64 bytes
 * above its floor (not yet in the guard page) and spins with interrupts on until ticks come. */
static void *spin_near_floor(void *arg)
{
    uint64_t until = rdtime() + (uint64_t)arg;
    uint64_t low = (uint64_t)task_current()->stack + 64;
    __asm__ volatile("mv t1, sp\n"
                     "mv sp, %0\n"
                     "1: rdtime t0\n"
                     "bltu t0, %1, 1b\n"
                     "mv sp, t1\n"
                     : : "r"(low), "r"(until) : "t0", "t1", "memory");
    return arg;
}

KTEST_PANICS(timer_near_stack_floor_panics)
{
    struct task *t = task_spawn_local("nearfloor", spin_near_floor,
                                      (void *)(timer_timebase() / 10));
    task_join(t, NULL);
    task_drop(t);
}

/* What the unreported overflow does: two tasks on one hart, each preempted by a tick that
 * found no room on its stack, both leave their frames on the hart's one spare stack, at the
 * same place, and one resumes from the other's frame. The first tick must be reported as the
 * overflow it is (the harness checks the panic names 'floor-a'). */
KTEST_PANICS(timer_two_tasks_near_floor_panics)
{
    uint64_t spin = timer_timebase() / 5;
    struct task *a = task_spawn_local("floor-a", spin_near_floor, (void *)(spin + 1));
    struct task *b = task_spawn_local("floor-b", spin_near_floor, (void *)(spin + 2));
    void *ra = NULL, *rb = NULL;
    int ja = task_join(a, &ra), jb = task_join(b, &rb);
    task_drop(a);
    task_drop(b);
    KT_EXPECTF(ja == 0 && jb == 0 && ra == (void *)(spin + 1) && rb == (void *)(spin + 2),
               "joins %d %d, results %#lx %#lx (want %#lx %#lx)", ja, jb, (unsigned long)ra,
               (unsigned long)rb, (unsigned long)(spin + 1), (unsigned long)(spin + 2));
}
