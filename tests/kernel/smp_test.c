/* smp_test.c: in-kernel tests with every hart busy: spinlocks under contention, tasks spread
 * over the harts, and a deadlock between two harts reported. tests/smp.sh runs them on 1, 2, 4
 * and 8 harts, repeatedly. */
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"
#include "task/task.h"
#include "tests/bench/fairness.h"

#define INCREMENTS 100000

static struct spinlock counter_lock = SPINLOCK_INIT("counter", LOCK_TASKS);
static uint64_t counter;
static uint64_t counter_harts;          /* the harts that did some of the adding */
static volatile int started, go;

static void *increment(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&started, 1, __ATOMIC_RELAXED);
    while (!go)
        task_sleep_ms(1);               /* all at once, so they really contend (sleep, not
                                           spin: a spinning hart can starve the others) */
    for (int i = 0; i < INCREMENTS; i++) {
        spin_lock(&counter_lock);
        counter = counter + 1;          /* a plain read-modify-write: only the lock protects it */
        spin_unlock(&counter_lock);
        if (i % 1024 == 0)              /* pinned, but check: note where we are */
            __atomic_fetch_or(&counter_harts, 1UL << hart_index(), __ATOMIC_RELAXED);
    }
    return NULL;
}

/* One task pinned to each hart, each adding 100,000 under a spinlock: no increment is lost, and
 * every hart took part. */
KTEST(smp_spinlock_counter)
{
    int n = smp_harts();
    struct task *t[MAX_HARTS];
    counter = counter_harts = 0;
    started = go = 0;
    for (int i = 0; i < n; i++)
        KT_EXPECT((t[i] = task_spawn_on(i, "increment", increment, NULL)));
    while (started < n)
        task_sleep_ms(1);
    go = 1;
    for (int i = 0; i < n; i++) {
        KT_EXPECT(task_join(t[i], NULL) == 0);
        task_drop(t[i]);
    }
    uint64_t harts_used = counter_harts;
    KT_EXPECTF(counter == (uint64_t)n * INCREMENTS, "counter %lu, expected %lu",
               (unsigned long)counter, (unsigned long)n * INCREMENTS);
    int distinct = 0;
    for (; harts_used; harts_used &= harts_used - 1)
        distinct++;
    KT_EXPECTF(distinct == n, "the %d tasks added on only %d harts", n, distinct);
}

static uint64_t ran_on[MAX_HARTS];

static void *short_work(void *arg)
{
    uint64_t until = rdtime() + timer_timebase() / 1000;     /* 1 ms of work */
    while (rdtime() < until)
        ;
    __atomic_fetch_add(&ran_on[hart_index()], 1, __ATOMIC_RELAXED);
    return arg;
}

/* 1,000 tasks spawned from one hart all run and are joined, and every hart ran some. */
KTEST(smp_thousand_tasks_every_hart)
{
    enum { N = 1000 };
    static struct task *t[N];
    for (int i = 0; i < MAX_HARTS; i++)
        ran_on[i] = 0;
    for (uintptr_t i = 0; i < N; i++)
        KT_EXPECT((t[i] = task_spawn("short", short_work, (void *)i)));
    for (uintptr_t i = 0; i < N; i++) {
        void *r;
        KT_EXPECT(task_join(t[i], &r) == 0 && (uintptr_t)r == i);
        task_drop(t[i]);
    }
    uint64_t total = 0;
    for (int i = 0; i < smp_harts(); i++) {
        KT_EXPECTF(ran_on[i] > 0, "hart %d ran none of the %d tasks", i, N);
        total += ran_on[i];
    }
    KT_EXPECT(total == N);
}

/* Two harts take two locks in opposite orders: each ends up waiting for the other, and the
 * spinlock's timeout reports a probable deadlock instead of hanging. (Needs two harts.) */
static struct spinlock lock_one = SPINLOCK_INIT("deadlock-one", LOCK_UNORDERED);
static struct spinlock lock_two = SPINLOCK_INIT("deadlock-two", LOCK_UNORDERED);
static volatile int holding;

static void *takes(void *arg)
{
    struct spinlock *mine = arg, *other = mine == &lock_one ? &lock_two : &lock_one;
    spin_lock(mine);
    __atomic_fetch_add(&holding, 1, __ATOMIC_RELAXED);
    while (holding < 2)
        ;                               /* interrupts are off: wait for the other hart */
    spin_lock(other);
    spin_unlock(other);
    spin_unlock(mine);
    return NULL;
}

KTEST_PANICS(smp_deadlock_reported)
{
    if (smp_harts() < 2)
        panic("smp_deadlock_reported needs two harts");
    struct task *a = task_spawn("takes-one", takes, &lock_one);
    struct task *b = task_spawn("takes-two", takes, &lock_two);
    task_join(a, NULL);
    task_join(b, NULL);
}

/* Chapter 11's periodic balancing: M + (M + 1) / 2 CPU-bound tasks on M harts (2 on 1, 3 on 2,
 * 6 on 4, 12 on 8) for 5 s, and each gets within 1.25x of the fair share M/N of a hart, and the
 * largest share is within 1.25x of the smallest. Without the balancer (balance=off), 6 on 4
 * gives two tasks a whole hart each and four of them half of one. Timed: under -icount. */
KTEST_TIMED(sched_balance_is_fair)
{
    uint64_t ticks[FAIRNESS_MAX_TASKS], fair;
    int n = smp_harts() + (smp_harts() + 1) / 2;
    uint64_t ratio = fairness_run(n, 5000, ticks, &fair);
    for (int i = 0; i < n; i++) {
        kprintf("# task %d: %lu ticks, fair share %lu\n", i, (unsigned long)ticks[i],
                (unsigned long)fair);
        KT_EXPECTF(ticks[i] * 1000 <= fair * 1250 && ticks[i] * 1250 >= fair * 1000,
                   "task %d ran %lu ticks, the fair share is %lu", i, (unsigned long)ticks[i],
                   (unsigned long)fair);
    }
    KT_EXPECTF(ratio <= 1250, "largest share / smallest = %lu.%03lu", (unsigned long)ratio / 1000,
               (unsigned long)ratio % 1000);
}

/* The balancer's moves themselves, on real parallel harts too (not timed: tests/races.sh runs
 * it on parallel harts, under -singlestep and in the race build): more CPU-bound tasks than
 * harts for 1.5 s; every one runs and ends with its own result, and with two or more harts
 * tasks were moved while they ran. */
static volatile int workers_stop;

static void *worker(void *arg)
{
    uint64_t rounds = 0;
    while (!workers_stop)
        rounds++;
    return (void *)(rounds << 8 | (uint64_t)arg);
}

KTEST(sched_balance_moves_tasks)
{
    int n = smp_harts() + (smp_harts() + 1) / 2;
    struct task *t[FAIRNESS_MAX_TASKS];
    uint64_t before = sched_migrations();
    workers_stop = 0;
    for (int i = 0; i < n; i++)
        KT_EXPECT((t[i] = task_spawn("worker", worker, (void *)(uint64_t)i)) != NULL);
    task_sleep_ms(1500);
    workers_stop = 1;
    for (int i = 0; i < n; i++) {
        void *result;
        KT_EXPECT(task_join(t[i], &result) == TASK_RETURNED);
        task_drop(t[i]);
        KT_EXPECTF(((uint64_t)result & 0xff) == (uint64_t)i && ((uint64_t)result >> 8) > 0,
                   "worker %d returned %#lx", i, (unsigned long)result);
    }
    kprintf("# %lu tasks moved by the balancer\n", (unsigned long)(sched_migrations() - before));
    if (smp_harts() > 1)
        KT_EXPECT(sched_migrations() > before);
}
