/* task_abort_test.c: in-kernel tests of when task_abort ends a kernel task (ch9). A task is
 * cancelled only at a switch point it chose: task_yield, a sleep, task_join, a blocking wait
 * on a wait queue. Never at a preemption: a timer interrupt may land anywhere, in the middle of
 * a kmalloc/kfree pair or of an update to shared data, and a task ended there would leak or
 * corrupt it. Never while it holds a mutex: mutex_lock is not a cancel point, and a holder runs
 * on until it has released every mutex. And a task whose abort is pending does not block: its
 * next sleep, join or wait ends it at once.
 *
 * Each test works on one hart and on many: where the order of events matters, the tasks are
 * pinned to the main task's hart (task_spawn_local), which a run queue serves in FIFO order. */
#include "heap/kheap.h"
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/race.h"
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "task/task.h"
#include "task/wait.h"

static bool abort_pending(void)
{
    return __atomic_load_n(&task_current()->abort_requested, __ATOMIC_ACQUIRE);
}

/* Wait up to ms for t to end: true if it did. Yielding, not sleeping: what is tested here is
 * the abort, and a sleep's wake-up is a different mechanism. */
static bool ends_within(struct task *t, int ms)
{
    uint64_t until = rdtime() + (uint64_t)ms * timer_timebase() / 1000;
    while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != TASK_DONE && rdtime() < until)
        task_yield();
    return __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == TASK_DONE;
}

/* Heap bytes in use once every ended task has been reclaimed (by the next switch on the hart
 * it ended on: a moment after task_join returned here). */
static uint64_t heap_used_settled(int tasks)
{
    for (int i = 0; i < 100 && task_count() > tasks; i++)
        task_sleep_ms(1);
    struct kheap_stats h;
    kheap_stats(&h);
    return h.used_bytes;
}

/* Allocates and frees for 100 ms without a switch point, holding a block nearly all the time;
 * then yields, the first point where an abort may end it. */
static volatile bool churn_finished, churn_after_yield;

static void *churns_heap(void *arg)
{
    uint64_t until = (uint64_t)arg;
    while (rdtime() < until) {
        volatile char *block = kmalloc(64);
        for (int i = 0; i < 256; i++)
            block[i % 64] = (char)i;
        RACE_WINDOW();
        kfree((void *)block);
    }
    churn_finished = true;
    task_yield();
    churn_after_yield = true;
    return NULL;
}

KTEST(task_abort_not_at_preemption)
{
    int tasks = ktest_tasks_settled();
    uint64_t used = heap_used_settled(tasks);
    churn_finished = churn_after_yield = false;
    struct task *t = task_spawn("churn", churns_heap,
                                (void *)(rdtime() + timer_timebase() / 10));
    task_sleep_ms(20);                          /* it is busy allocating now */
    task_abort(t);
    int rc = task_join(t, NULL);
    task_drop(t);
    uint64_t used_after = heap_used_settled(tasks);
    KT_EXPECTF(used_after == used, "heap used %lu -> %lu bytes: the task was ended between a "
               "kmalloc and its kfree", (unsigned long)used, (unsigned long)used_after);
    KT_EXPECTF(churn_finished, "the task was ended in the middle of its work (at a preemption), "
               "not at its yield");
    KT_EXPECTF(rc == TASK_EABORTED && !churn_after_yield,
               "join gave %d; the task %s its yield", rc,
               churn_after_yield ? "ran on after" : "did not reach");
}

/* A task with an abort pending that then blocks ends at once: in a sleep, in task_join, in a
 * wait on a wait queue nobody wakes. It spins (no switch point) until it sees the abort, on
 * another hart if there is one: so the abort arrives while it runs, and the block comes after. */
enum block_kind { BLOCK_SLEEP, BLOCK_JOIN, BLOCK_WAIT };

static struct wait_queue never_woken;
static struct task *join_target;
static volatile bool blocker_spinning, blocker_blocking, blocker_after_block;

static void *sleeps_100s(void *arg)
{
    (void)arg;
    task_sleep_ms(100 * 1000);
    return NULL;
}

static void *blocks_after_abort(void *arg)
{
    blocker_spinning = true;
    while (!abort_pending())
        ;
    blocker_blocking = true;
    switch ((enum block_kind)(uintptr_t)arg) {
    case BLOCK_SLEEP:
        task_sleep_ms(100 * 1000);
        break;
    case BLOCK_JOIN:
        task_join(join_target, NULL);
        break;
    case BLOCK_WAIT:
        spin_lock(&never_woken.lock);
        if (wait_block(&never_woken) != 0) {    /* the abort: give up the lock, end */
            spin_unlock(&never_woken.lock);
            task_exit_aborted();
        }
        spin_unlock(&never_woken.lock);
        break;
    }
    blocker_after_block = true;
    return NULL;
}

static void check_abort_then_block(enum block_kind kind, const char *in)
{
    blocker_spinning = blocker_blocking = blocker_after_block = false;
    uint64_t sie = intr_save();
    int here = this_hart()->index;
    intr_restore(sie);
    struct task *t = task_spawn_on((here + 1) % smp_harts(), "blocks", blocks_after_abort,
                                   (void *)(uintptr_t)kind);
    while (!blocker_spinning)
        task_yield();                   /* not a sleep: abort it while it spins, not at a tick */
    task_abort(t);
    bool ended = ends_within(t, 2000);
    if (!ended)
        task_abort(t);                  /* aborting it again, blocked, wakes it to end */
    int rc = task_join(t, NULL);
    task_drop(t);
    KT_EXPECTF(blocker_blocking, "the task ended before it reached %s (at a preemption?)", in);
    KT_EXPECTF(ended, "a task with an abort pending blocked in %s instead of ending", in);
    KT_EXPECTF(rc == TASK_EABORTED && !blocker_after_block, "%s: join gave %d%s", in, rc,
               blocker_after_block ? "; the task ran on after the block" : "");
}

KTEST(task_abort_before_sleep)
{
    check_abort_then_block(BLOCK_SLEEP, "task_sleep_ms");
}

KTEST(task_abort_before_join)
{
    join_target = task_spawn("sleeps-100s", sleeps_100s, NULL);
    KT_EXPECT(join_target != NULL);
    check_abort_then_block(BLOCK_JOIN, "task_join");
    task_abort(join_target);
    task_drop(join_target);
}

KTEST(task_abort_before_wait)
{
    wait_init(&never_woken, "never-woken");
    check_abort_then_block(BLOCK_WAIT, "wait_block");
}

/* A mutex hand-over survives an abort. A holds the mutex, B and C wait for it. A unlocks,
 * which wakes B (the first waiter), and B is aborted before it runs. mutex_lock is not a cancel
 * point, so B takes the mutex and passes it on; but were B to end in mutex_lock instead, it
 * would have to pass the wake-up to C, or C would sleep for ever on a free mutex. One hart,
 * every step in a known order: all four tasks are pinned here. */
static struct mutex handoff;
static volatile bool holder_release, b_got, c_got;

static void *holds_until_released(void *arg)
{
    (void)arg;
    mutex_lock(&handoff);
    while (!holder_release)
        task_yield();
    mutex_unlock(&handoff);
    return NULL;
}

static void *takes_once(void *arg)
{
    mutex_lock(&handoff);
    *(volatile bool *)arg = true;
    mutex_unlock(&handoff);
    return NULL;
}

KTEST(task_mutex_wakeup_survives_abort)
{
    mutex_init(&handoff);
    holder_release = b_got = c_got = false;
    struct task *a = task_spawn_local("holder", holds_until_released, NULL);
    struct task *b = task_spawn_local("waiter-b", takes_once, (void *)&b_got);
    struct task *c = task_spawn_local("waiter-c", takes_once, (void *)&c_got);
    for (int i = 0; i < 100 && !(b->state == TASK_BLOCKED && c->state == TASK_BLOCKED); i++)
        task_yield();                   /* A takes the mutex, B and C queue on it */
    bool queued = handoff.owner == a && b->state == TASK_BLOCKED && c->state == TASK_BLOCKED;
    holder_release = true;
    task_yield();                       /* A runs: unlocks (waking B), and ends */
    bool b_woken_not_run = b->state == TASK_RUNNABLE && !b_got;
    task_abort(b);
    bool c_took_it = ends_within(c, 1000) && c_got;
    if (!c_took_it) {                   /* C sleeps on a free mutex: wake it, to clean up */
        mutex_lock(&handoff);
        mutex_unlock(&handoff);
    }
    int rc_a = task_join(a, NULL), rc_b = task_join(b, NULL), rc_c = task_join(c, NULL);
    task_drop(a);
    task_drop(b);
    task_drop(c);
    KT_EXPECTF(queued, "A does not hold the mutex with B and C waiting (B %d, C %d)", b->state,
               c->state);
    KT_EXPECTF(b_woken_not_run, "A's unlock did not leave B woken and not yet run");
    KT_EXPECTF(c_took_it, "C never took the mutex after B, woken for it, was aborted");
    KT_EXPECT(rc_a == 0 && rc_c == 0 && (rc_b == 0 || rc_b == TASK_EABORTED));
    KT_EXPECT(!handoff.locked);
}

/* A task aborted while it holds a mutex runs on through its yields (switch points, but it
 * holds the mutex) until it releases it, and ends at its first switch point after. */
static struct mutex held_across;
static volatile bool holder_locked, holder_unlocking, holder_after_yield;

static void *holds_across_yields(void *arg)
{
    (void)arg;
    mutex_lock(&held_across);
    holder_locked = true;
    while (!abort_pending())
        task_yield();
    for (int i = 0; i < 5; i++)
        task_yield();
    holder_unlocking = true;
    mutex_unlock(&held_across);
    task_yield();
    holder_after_yield = true;
    return NULL;
}

KTEST(task_abort_waits_for_mutex_release)
{
    mutex_init(&held_across);
    holder_locked = holder_unlocking = holder_after_yield = false;
    struct task *t = task_spawn_local("holds-mutex", holds_across_yields, NULL);
    while (!holder_locked)
        task_yield();
    task_abort(t);
    int rc = task_join(t, NULL);
    task_drop(t);
    KT_EXPECTF(holder_unlocking, "the task was ended while it held a mutex");
    KT_EXPECTF(rc == TASK_EABORTED && !holder_after_yield, "join gave %d; the task %s", rc,
               holder_after_yield ? "ran on past its yield after the unlock" : "");
    KT_EXPECT(!held_across.locked);
}

/* A task that aborts itself, in task context and holding no mutex, ends right there: that is a
 * switch point it chose. */
static volatile bool self_abort_ran_on;

static void *aborts_itself(void *arg)
{
    (void)arg;
    task_abort(task_current());
    self_abort_ran_on = true;
    return NULL;
}

KTEST(task_abort_self_ends_at_once)
{
    self_abort_ran_on = false;
    struct task *t = task_spawn("self-abort", aborts_itself, NULL);
    KT_EXPECT(t != NULL);
    int rc = task_join(t, NULL);
    task_drop(t);
    KT_EXPECTF(rc == TASK_EABORTED && !self_abort_ran_on, "join gave %d; it %s after aborting "
               "itself", rc, self_abort_ran_on ? "ran on" : "did not run on");
}
