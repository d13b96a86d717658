/* task_test.c: in-kernel tests of task/: spawn and join with every outcome, the handle rules,
 * reclamation, fair preemption, sleeping, wait queues and the mutex. Each test runs inside the
 * "main" task. When exactly an abort takes effect: task_abort_test.c. */
#include "heap/frame.h"
#include "heap/kheap.h"
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "task/task.h"
#include "task/wait.h"

static void *return_arg_plus_one(void *arg)
{
    return (void *)((uintptr_t)arg + 1);
}

KTEST(task_spawn_join_results)
{
    struct task *t[8];
    for (uintptr_t i = 0; i < 8; i++)
        KT_EXPECT((t[i] = task_spawn("plus-one", return_arg_plus_one, (void *)(i * 10))));
    for (uintptr_t i = 0; i < 8; i++) {
        void *r = NULL;
        KT_EXPECT(task_join(t[i], &r) == 0);
        KT_EXPECTF((uintptr_t)r == i * 10 + 1, "task %lu returned %lu", (unsigned long)i,
                   (unsigned long)(uintptr_t)r);
        task_drop(t[i]);
    }
}

static void *panics(void *arg)
{
    (void)arg;
    task_panic("as the test asked");
}

static void *exits_early(void *arg)
{
    task_exit(arg);
}

static void *sleeps_long(void *arg)
{
    (void)arg;
    task_sleep_ms(10 * 1000);
    return (void *)1;
}

static volatile bool spin_forever_stop;
static void *spins(void *arg)
{
    (void)arg;
    while (!spin_forever_stop)
        ;
    return (void *)7;
}

/* CPU-bound, but yielding now and then: a switch point it chose, where an abort ends it. It
 * gives up after 5 s (returning 7), so a kernel that never ends it fails the test, not hangs. */
static void *computes_and_yields(void *arg)
{
    (void)arg;
    uint64_t give_up = rdtime() + 5 * timer_timebase();
    while (rdtime() < give_up) {
        for (volatile int i = 0; i < 10000; i++)
            ;
        task_yield();
    }
    return (void *)7;
}

KTEST(task_outcomes_panic_exit_abort)
{
    void *r = NULL;
    struct task *p = task_spawn("panics", panics, NULL);
    KT_EXPECT(task_join(p, &r) == TASK_EPANICKED);
    task_drop(p);

    struct task *e = task_spawn("exits", exits_early, (void *)99);
    KT_EXPECT(task_join(e, &r) == 0 && (uintptr_t)r == 99);
    task_drop(e);

    struct task *s = task_spawn("sleeper", sleeps_long, NULL);
    for (int i = 0; i < 100 && s->state != TASK_BLOCKED; i++)
        task_sleep_ms(1);                       /* let it go to sleep (maybe on another hart) */
    KT_EXPECT(s->state == TASK_BLOCKED);
    task_abort(s);
    KT_EXPECT(task_join(s, &r) == TASK_EABORTED);
    task_drop(s);

    /* Aborted before it ever ran. On real parallel harts a task spawned anywhere may have run
     * and ended before task_spawn returns; pinned to this hart, with interrupts off until the
     * abort, it cannot have. */
    intr_off();
    struct task *n = task_spawn_local("never-ran", return_arg_plus_one, NULL);
    task_abort(n);
    intr_on();
    KT_EXPECT(n != NULL && task_join(n, &r) == TASK_EABORTED);
    task_drop(n);

    struct task *c = task_spawn("cpu-bound", computes_and_yields, NULL);    /* at its yield */
    task_sleep_ms(30);
    task_abort(c);
    r = NULL;
    int rc = task_join(c, &r);
    KT_EXPECTF(rc == TASK_EABORTED, "a task that yields every few ms was not ended by an abort "
               "(join gave %d, result %lu)", rc, (unsigned long)(uintptr_t)r);
    task_drop(c);

    struct task *d = task_spawn("done", return_arg_plus_one, (void *)4);
    KT_EXPECT(task_join(d, &r) == 0 && (uintptr_t)r == 5);
    task_abort(d);                              /* ended already: a no-op */
    KT_EXPECT(d->outcome == TASK_RETURNED);
    task_drop(d);
}

static void *joins_itself(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)task_join(task_current(), NULL);
}

KTEST(task_join_rules)
{
    void *r;
    struct task *t = task_spawn("plus-one", return_arg_plus_one, NULL);
    KT_EXPECT(task_join(t, &r) == 0);
    KT_EXPECT(task_join(t, &r) == TASK_EJOINED);        /* twice: an error, not a hang */
    task_drop(t);
    KT_EXPECT(task_join(NULL, &r) == TASK_EINVAL);
    struct task *self = task_spawn("self-join", joins_itself, NULL);
    KT_EXPECT(task_join(self, &r) == 0 && (intptr_t)r == TASK_ESELF);
    task_drop(self);
}

/* 1000 tasks: all run and are joined, and the heap and the frame allocator are back where they
 * were (the task structs and stacks are reclaimed). */
KTEST(task_thousand_no_leak)
{
    struct kheap_stats h0, h1;
    struct frame_stats f0, f1;
    int tasks0 = ktest_tasks_settled();
    kheap_stats(&h0);
    frame_stats(&f0);
    size_t cached0 = task_cache_frames();
    for (int round = 0; round < 10; round++) {
        struct task *t[100];
        for (uintptr_t i = 0; i < 100; i++)
            KT_EXPECT((t[i] = task_spawn("many", return_arg_plus_one, (void *)i)));
        for (uintptr_t i = 0; i < 100; i++) {
            void *r;
            KT_EXPECT(task_join(t[i], &r) == 0 && (uintptr_t)r == i + 1);
            task_drop(t[i]);
        }
    }
    /* A task is reclaimed by the next switch on the hart it ended on: on another hart that is
     * a moment after task_join returned here. */
    for (int i = 0; i < 100 && task_count() > tasks0; i++)
        task_sleep_ms(1);
    KT_EXPECTF(task_count() == tasks0, "%d tasks not reclaimed", task_count() - tasks0);
    kheap_stats(&h1);
    frame_stats(&f1);
    KT_EXPECTF(h1.used_bytes == h0.used_bytes, "heap used %lu -> %lu",
               (unsigned long)h0.used_bytes, (unsigned long)h1.used_bytes);
    f0.used -= cached0;                 /* ended tasks kept for reuse are not leaked (ch10) */
    f1.used -= task_cache_frames();
    KT_EXPECTF(f1.used == f0.used, "frames used %lu -> %lu", (unsigned long)f0.used,
               (unsigned long)f1.used);
}

/* Two tasks that never yield share the hart through preemption alone, within 5% over 100
 * slices. (The main task sleeps meanwhile.) A one-hart property: with more harts they run side
 * by side, and smp_test.c checks how work spreads instead. */
static void *busy_for(void *arg)
{
    uint64_t until = (uint64_t)arg;
    while (rdtime() < until)
        ;
    return (void *)task_current()->ticks_run;
}

KTEST_TIMED(task_preemption_is_fair)
{
    uint64_t slices = 100, span = slices * TASK_SLICE_TICKS * timer_timebase() / timer_hz();
    uint64_t until = rdtime() + span;
    struct task *a = task_spawn("busy-a", busy_for, (void *)until);
    struct task *b = task_spawn("busy-b", busy_for, (void *)until);
    void *ra, *rb;
    KT_EXPECT(task_join(a, &ra) == 0 && task_join(b, &rb) == 0);
    uint64_t ta = (uintptr_t)ra, tb = (uintptr_t)rb, diff = ta > tb ? ta - tb : tb - ta;
    KT_EXPECTF(ta + tb >= slices * TASK_SLICE_TICKS * 9 / 10, "only %lu ticks ran in all",
               (unsigned long)(ta + tb));
    KT_EXPECTF(diff * 20 <= ta + tb || smp_harts() > 1, "unfair: %lu vs %lu ticks",
               (unsigned long)ta, (unsigned long)tb);
    task_drop(a);
    task_drop(b);
}

/* A task that never yields cannot keep the hart: the main task, sleeping, still wakes. */
KTEST(task_never_yields_is_preempted)
{
    spin_forever_stop = false;
    struct task *t = task_spawn("hog", spins, NULL);
    uint64_t before = rdtime();
    task_sleep_ms(50);
    KT_EXPECT(rdtime() - before >= timer_timebase() / 20);
    spin_forever_stop = true;
    void *r;
    KT_EXPECT(task_join(t, &r) == 0 && (uintptr_t)r == 7);
    task_drop(t);
}

/* Wakes within one tick of the deadline, never before it. */
KTEST_TIMED(task_sleep_wakes_on_time)
{
    uint64_t tick = timer_timebase() / timer_hz();
    for (int i = 1; i <= 5; i++) {
        uint64_t deadline = rdtime() + (uint64_t)i * 7 * timer_timebase() / 1000;
        sleep_until(deadline);
        uint64_t late = rdtime() - deadline;
        KT_EXPECTF(rdtime() >= deadline && late <= tick, "woke %lu timebase ticks late",
                   (unsigned long)late);
    }
}

/* A mutex held across sleeps: every increment lands, and no two tasks are ever inside. */
static struct mutex counter_lock;
static int counter, inside, overlap;

static void *increment(void *arg)
{
    for (uintptr_t i = 0; i < (uintptr_t)arg; i++) {
        mutex_lock(&counter_lock);
        overlap += inside++;
        int c = counter;
        if (i % 8 == 0)
            task_yield();                       /* others run, and must wait for the lock */
        counter = c + 1;
        inside--;
        mutex_unlock(&counter_lock);
    }
    return NULL;
}

KTEST(task_mutex_excludes)
{
    mutex_init(&counter_lock);
    counter = inside = overlap = 0;
    struct task *t[4];
    for (int i = 0; i < 4; i++)
        KT_EXPECT((t[i] = task_spawn("inc", increment, (void *)500)));
    for (int i = 0; i < 4; i++) {
        KT_EXPECT(task_join(t[i], NULL) == 0);
        task_drop(t[i]);
    }
    KT_EXPECTF(counter == 2000 && overlap == 0, "counter %d, overlaps %d", counter, overlap);
}

/* Wait queues lose no wake-up: a consumer blocks until the producer has put each item. */
static struct wait_queue item_ready;
static volatile int items_made, items_taken;

static void *consumer(void *arg)
{
    for (int i = 0; i < (int)(uintptr_t)arg; i++) {
        spin_lock(&item_ready.lock);
        while (items_taken == items_made)
            wait_block(&item_ready);
        items_taken++;
        spin_unlock(&item_ready.lock);
    }
    return NULL;
}

KTEST(task_wait_queue_no_lost_wakeup)
{
    wait_init(&item_ready, "items");
    items_made = items_taken = 0;
    struct task *c = task_spawn("consumer", consumer, (void *)1000);
    for (int i = 0; i < 1000; i++) {
        spin_lock(&item_ready.lock);
        items_made++;
        wait_wake_one(&item_ready);
        spin_unlock(&item_ready.lock);
        if (i % 3 == 0)
            task_yield();
    }
    KT_EXPECT(task_join(c, NULL) == 0 && items_taken == 1000);
    task_drop(c);
}

/* A kernel stack overflow: the canary below the stack is gone, and the next switch names the
 * task. (Chapter 7's guard pages turn a real overflow into a fault first.) */
static void *smashes_canary(void *arg)
{
    (void)arg;
    task_current()->stack[0] = 0;
    task_yield();
    return NULL;
}

KTEST_PANICS(task_stack_overflow_panics)
{
    struct task *t = task_spawn("overflow", smashes_canary, NULL);
    task_join(t, NULL);
}

/* Chapter 10's cache of ended tasks: a task spawned after one ended on this hart reuses it
 * (struct, stack and guard page, no new frames), the caches stay within their bound however
 * many tasks end at once, and a reused task starts clean. */
static void *report_state(void *arg)
{
    struct task *t = task_current();
    /* A reused task must look new: no abort pending, no mutex, its canary in place, no
     * nesting carried over. (Its result and outcome are stale until it ends: task_finish
     * writes them before anyone may read them.) The nesting is read where it lives while the
     * task runs, in its hart: t->ctx.nest is only the copy saved at the task's last switch,
     * and a task preempted inside a trap (an IPI's) saved trap_depth 1 there. Interrupts off
     * for the read, so the task cannot move to another hart between this_hart() and it. */
    uint64_t was_on = intr_save();
    struct nest n = this_hart()->nest;
    intr_restore(was_on);
    bool clean = !t->abort_requested && t->mutexes_held == 0 &&
                 t->stack[0] == (uint64_t)t->stack && n.push_depth == 0 && n.trap_depth == 0;
    return clean ? arg : NULL;
}

KTEST(task_cache_reuses_and_is_bounded)
{
    struct frame_stats f0, f1;
    ktest_tasks_settled();
    frame_stats(&f0);
    size_t cached0 = task_cache_frames();
    struct task *seen[40];
    int reused = 0;
    for (int i = 0; i < 40; i++) {
        void *r;
        KT_EXPECT((seen[i] = task_spawn_local("again", report_state, (void *)(uintptr_t)(i + 1))));
        KT_EXPECT(task_join(seen[i], &r) == 0 && r == (void *)(uintptr_t)(i + 1));
        for (int j = 0; j < i; j++)
            reused += seen[j] == seen[i];
        task_drop(seen[i]);
    }
    KT_EXPECTF(reused >= 30, "only %d of 40 spawns reused an ended task", reused);

    enum { BURST = 4 * TASK_CACHE_MAX };
    struct task *t[BURST];
    for (uintptr_t i = 0; i < BURST; i++)
        KT_EXPECT((t[i] = task_spawn("burst", report_state, (void *)(i + 1))));
    for (uintptr_t i = 0; i < BURST; i++) {
        void *r;
        KT_EXPECT(task_join(t[i], &r) == 0 && r == (void *)(i + 1));
        task_drop(t[i]);
    }
    ktest_tasks_settled();
    size_t bound = (size_t)smp_harts() * TASK_CACHE_MAX * (1 + TASK_STACK_PAGES);
    KT_EXPECTF(task_cache_frames() <= bound, "caches hold %lu frames, bound %lu",
               (unsigned long)task_cache_frames(), (unsigned long)bound);
    frame_stats(&f1);
    KT_EXPECTF(f1.used - task_cache_frames() == f0.used - cached0, "frames used %lu -> %lu",
               (unsigned long)(f0.used - cached0), (unsigned long)(f1.used - task_cache_frames()));
}
