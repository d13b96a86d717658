/* sched_race_test.c: chapter 9's scheduler races, as stress that real parallel harts (and the
 * race-widening build, kernel/race.h) turn into failures. Named smp_* so that tests/smp.sh runs
 * them again and again on 1 to 8 harts; on one hart they still pass, proving little. */
#include "heap/frame.h"
#include "heap/kheap.h"
#include "kernel/ktest.h"
#include "kernel/param.h"
#include "kernel/smp.h"
#include "task/task.h"
#include "task/wait.h"

/* Tasks that block, are woken from another hart, and end at once: the end of each is reaped by
 * the next switch on its hart while the waker's hart may be switching too. Reaping a task twice
 * (a double reap: reading its state after releasing on_cpu, task/sched.c finish_switch) shows
 * as a double free, a panic in task_put, or counts that do not come back. */
static struct wait_queue gate;
static int gate_open;

static void *wait_for_gate(void *arg)
{
    spin_lock(&gate.lock);
    while (!gate_open)
        wait_block(&gate);
    spin_unlock(&gate.lock);
    return arg;
}

KTEST(smp_wake_then_end)
{
    enum { ROUNDS = 100, N = 16 };
    struct kheap_stats h0, h1;
    int tasks0 = ktest_tasks_settled();
    wait_init(&gate, "gate");
    kheap_stats(&h0);
    for (int round = 0; round < ROUNDS; round++) {
        struct task *t[N];
        gate_open = 0;
        for (uintptr_t i = 0; i < N; i++)
            KT_EXPECT((t[i] = task_spawn("gated", wait_for_gate, (void *)i)));
        task_yield();                   /* let some block; the rest find the gate open */
        spin_lock(&gate.lock);
        gate_open = 1;
        wait_wake_all(&gate);
        spin_unlock(&gate.lock);
        for (uintptr_t i = 0; i < N; i++) {
            void *r;
            KT_EXPECT(task_join(t[i], &r) == 0 && (uintptr_t)r == i);
            task_drop(t[i]);
        }
    }
    for (int i = 0; i < 100 && task_count() > tasks0; i++)
        task_sleep_ms(1);               /* the last ones are reaped by their harts' next switch */
    kheap_stats(&h1);
    KT_EXPECTF(task_count() == tasks0, "%d tasks not reclaimed", task_count() - tasks0);
    KT_EXPECTF(h1.used_bytes == h0.used_bytes, "heap used %lu -> %lu",
               (unsigned long)h0.used_bytes, (unsigned long)h1.used_bytes);
}

/* Pairs of tasks passing a token back and forth through a wait queue each, while yielding
 * spinners keep every queue busy, so idle harts steal tasks that were woken a moment ago. A
 * switch that waited for a stolen task's registers while its own were awaited by the other hart
 * (the steal deadlock) hangs here, with interrupts off: the boot times out. */
struct pair {
    struct wait_queue wq;
    int turn;                           /* whose turn: 0 or 1 (wq.lock) */
    int passes;
};

static struct pair pairs[4];
static volatile int spinners_stop;

static void *pass_token(void *arg)
{
    uintptr_t me = (uintptr_t)arg & 1;
    struct pair *p = &pairs[(uintptr_t)arg >> 1];
    for (int i = 0; i < 500; i++) {
        spin_lock(&p->wq.lock);
        while (p->turn != (int)me)
            wait_block(&p->wq);
        p->turn = !me;
        p->passes++;
        wait_wake_all(&p->wq);
        spin_unlock(&p->wq.lock);
    }
    return NULL;
}

static void *spin_and_yield(void *arg)
{
    (void)arg;
    while (!spinners_stop)
        task_yield();
    return NULL;
}

KTEST(smp_ping_pong_steal)
{
    enum { PAIRS = 4, SPINNERS = 4 };
    struct task *t[2 * PAIRS], *s[SPINNERS];
    spinners_stop = 0;
    for (int i = 0; i < PAIRS; i++) {
        wait_init(&pairs[i].wq, "pair");
        pairs[i].turn = 0;
        pairs[i].passes = 0;
    }
    for (int i = 0; i < SPINNERS; i++)
        KT_EXPECT((s[i] = task_spawn("spinner", spin_and_yield, NULL)));
    for (uintptr_t i = 0; i < 2 * PAIRS; i++)
        KT_EXPECT((t[i] = task_spawn("token", pass_token, (void *)i)));
    for (int i = 0; i < 2 * PAIRS; i++) {
        KT_EXPECT(task_join(t[i], NULL) == 0);
        task_drop(t[i]);
    }
    spinners_stop = 1;
    for (int i = 0; i < SPINNERS; i++) {
        KT_EXPECT(task_join(s[i], NULL) == 0);
        task_drop(s[i]);
    }
    for (int i = 0; i < PAIRS; i++)
        KT_EXPECTF(pairs[i].passes == 1000, "pair %d passed the token %d times", i,
                   pairs[i].passes);
}

/* A barrier: two tasks per hart meet again and again, and the last to arrive wakes the rest at
 * once. So, at the same moment, many harts are switching away from tasks that blocked an
 * instant ago while those tasks are queued again and stolen. This is the steal deadlock's
 * shape: hart A steals B's just-woken task and waits for B to finish saving it, while B does
 * the same with A's. */
static struct wait_queue barrier;
static int barrier_arrived, barrier_round, barrier_size;

static void *meet_often(void *arg)
{
    for (int i = 0; i < 300; i++) {
        spin_lock(&barrier.lock);
        int round = barrier_round;
        if (++barrier_arrived == barrier_size) {
            barrier_arrived = 0;
            barrier_round++;
            wait_wake_all(&barrier);
        } else {
            while (barrier_round == round)
                wait_block(&barrier);
        }
        spin_unlock(&barrier.lock);
    }
    return arg;
}

KTEST(smp_barrier_rounds)
{
    struct task *t[2 * MAX_HARTS];
    barrier_size = 2 * smp_harts();
    barrier_arrived = barrier_round = 0;
    wait_init(&barrier, "barrier");
    for (int i = 0; i < barrier_size; i++)
        KT_EXPECT((t[i] = task_spawn("meet", meet_often, NULL)));
    for (int i = 0; i < barrier_size; i++) {
        KT_EXPECT(task_join(t[i], NULL) == 0);
        task_drop(t[i]);
    }
    KT_EXPECTF(barrier_round == 300, "%d rounds, not 300", barrier_round);
}
