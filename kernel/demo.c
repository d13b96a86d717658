/* demo.c: what `make qemu` shows at this point of the course (no ktest, kbench or init= boot
 * argument): tasks with every ending Tokio distinguishes, two busy tasks sharing the hart by
 * preemption, and a heartbeat task that sleeps a second at a time.
 */
#include "kernel/demo.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/timer.h"
#include "task/task.h"

#define HEARTBEAT_SECONDS 3

static void *adder(void *arg)
{
    task_sleep_ms(100);
    return (void *)((uintptr_t)arg + 40);
}

static void *faulty(void *arg)
{
    (void)arg;
    task_panic("on purpose, to show what join reports");
}

static void *sleepy(void *arg)
{
    (void)arg;
    task_sleep_ms(60 * 1000);           /* aborted long before this */
    return NULL;
}

/* Busy for `arg` ms of time, never yielding: only the timer can take the hart from it. */
static void *spinner(void *arg)
{
    uint64_t until = rdtime() + (uintptr_t)arg * timer_timebase() / 1000;
    while (rdtime() < until)
        ;
    return (void *)task_current()->ticks_run;
}

/* Sleeps to absolute deadlines (start + 1 s, + 2 s, ...), so lateness does not add up. */
static void *heartbeat(void *arg)
{
    (void)arg;
    uint64_t start = rdtime();
    for (uint64_t s = 1; s <= HEARTBEAT_SECONDS; s++) {
        sleep_until(start + s * timer_timebase());
        kprintf("tick: %lu s, %lu ticks, uptime %lu ms\n", (unsigned long)s,
                (unsigned long)timer_ticks(), (unsigned long)uptime_ms());
    }
    return NULL;
}

static const char *ending(int err)
{
    return err == 0 ? "returned" : err == TASK_EPANICKED ? "panicked" : "aborted";
}

void demo_run(void)
{
    struct task *beat = task_spawn("heartbeat", heartbeat, NULL);
    struct task *add = task_spawn("adder", adder, (void *)2);
    struct task *bad = task_spawn("faulty", faulty, NULL);
    struct task *slp = task_spawn("sleepy", sleepy, NULL);
    struct task *spin1 = task_spawn("spin-1", spinner, (void *)500);
    struct task *spin2 = task_spawn("spin-2", spinner, (void *)500);
    void *r;

    int err = task_join(add, &r);
    kprintf("join 'adder': %s %ld\n", ending(err), err ? 0L : (long)r);
    kprintf("join 'faulty': %s\n", ending(task_join(bad, NULL)));
    task_abort(slp);
    kprintf("join 'sleepy': %s\n", ending(task_join(slp, NULL)));
    void *t1, *t2;
    task_join(spin1, &t1);
    task_join(spin2, &t2);
    kprintf("join 'spin-1', 'spin-2': busy side by side for 500 ms, they ran %lu and %lu ticks "
            "(a slice is %d)\n", (unsigned long)(uintptr_t)t1, (unsigned long)(uintptr_t)t2,
            TASK_SLICE_TICKS);
    task_join(beat, NULL);
    struct task *all[] = {beat, add, bad, slp, spin1, spin2};
    for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        task_drop(all[i]);
}
