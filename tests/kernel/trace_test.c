/* trace_test.c: in-kernel tests of the flight recorder (kernel/trace.c) that need a hart's
 * ring read back while the kernel runs. They check something only when the boot asked for a
 * trace (tests/trace_attack.sh boots them with `trace=N` on several harts); with tracing off,
 * or on one hart, there is nothing to look at and they pass at once. */
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/trace.h"
#include "task/task.h"
#include "task/wait.h"

static struct wait_queue sleepers;
static volatile int woken;

static void *sleep_until_woken(void *arg)
{
    spin_lock(&sleepers.lock);
    while (!woken)
        wait_block(&sleepers);
    spin_unlock(&sleepers.lock);
    return arg;
}

/* On another hart: wake the sleeper the moment it is marked blocked, while its hart is still
 * on its way to the switch. */
static void *wake_when_blocked(void *arg)
{
    struct task *t = arg;
    while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != TASK_BLOCKED)
        ;
    spin_lock(&sleepers.lock);
    woken = 1;
    wait_wake_all(&sleepers);
    spin_unlock(&sleepers.lock);
    return NULL;
}

/* The switches away from task `id` in ring r that say why (TR_SWITCH's x), among the events it
 * still holds. Read on another hart while r's hart records: the slots looked at are older than
 * the ones being written, as long as the ring is far from wrapping round (checked). */
static int switches_away(const struct trace_ring *r, uint64_t id, unsigned why, uint64_t from)
{
    uint64_t written = __atomic_load_n(&r->written, __ATOMIC_ACQUIRE);
    int n = 0;
    for (uint64_t i = from; i < written; i++) {
        const struct trace_event *e = &r->events[i & r->mask];
        if (e->type == TR_SWITCH && e->a == id && e->x == why)
            n++;
    }
    return n;
}

/* A task that blocks and is woken from another hart at once, before its own hart has switched
 * away from it, still blocked: the switch must say so (why 2), not that it yielded (why 0),
 * which would mean it stayed runnable and needed no wake. */
KTEST(trace_block_woken_at_once_is_a_block)
{
    enum { ROUNDS = 500 };
    if (trace_events_per_hart < 4096 || smp_harts() < 2)
        return;
    wait_init(&sleepers, "sleepers");
    const struct trace_ring *ring = trace_rings[1];
    int yields = 0, blocks = 0;
    for (int round = 0; round < ROUNDS; round++) {
        woken = 0;
        uint64_t from = __atomic_load_n(&ring->written, __ATOMIC_ACQUIRE);
        struct task *s = task_spawn_on(1, "sleeper", sleep_until_woken, NULL);
        KT_EXPECT(s != NULL);
        struct task *w = task_spawn_on(0, "waker", wake_when_blocked, s);
        KT_EXPECT(w != NULL);
        KT_EXPECT(task_join(w, NULL) == 0 && task_join(s, NULL) == 0);
        KT_EXPECTF(__atomic_load_n(&ring->written, __ATOMIC_ACQUIRE) - from <
                       trace_events_per_hart / 2, "hart 1's ring wrapped within a round");
        yields += switches_away(ring, s->id, TR_YIELD, from);
        blocks += switches_away(ring, s->id, TR_BLOCK, from);
        task_drop(w);
        task_drop(s);
    }
    KT_EXPECTF(yields == 0 && blocks == ROUNDS, "%d sleepers' blocks traced as yields, %d "
               "as blocks, of %d", yields, blocks, ROUNDS);
}
