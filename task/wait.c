/* wait.c: wait queues, sleeping and the sleeping mutex (see task/wait.h).
 *
 * No lost wake-ups: a task checks its condition and blocks with interrupts off, and every waker
 * runs with interrupts off too (or in an interrupt handler), so on one hart a wake-up cannot
 * fall between the check and the block. Chapter 6 adds the locks that make this hold across
 * harts.
 */
#include "task/wait.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "task/sched.h"
#include "task/task.h"

void wait_init(struct wait_queue *wq)
{
    list_init(&wq->waiters);
}

void wait_block(struct wait_queue *wq)
{
    struct task *t = task_current();
    spin_assert_none_held("blocked");
    if (t == this_hart()->idle)
        panic("the idle task must never block");
    t->state = TASK_BLOCKED;
    list_push_back(&wq->waiters, &t->queue_node);
    sched_switch();
}

void wait_wake_one(struct wait_queue *wq)
{
    struct list_node *n = list_pop_front(&wq->waiters);
    if (n)
        sched_make_runnable(list_entry(n, struct task, queue_node));
}

void wait_wake_all(struct wait_queue *wq)
{
    struct list_node *n;
    while ((n = list_pop_front(&wq->waiters)) != NULL)
        sched_make_runnable(list_entry(n, struct task, queue_node));
}

/* Each hart keeps its sleepers in a list ordered by wake-up time, so the timer interrupt looks
 * only at the front. Inserting walks from the back: a new sleeper usually wakes last. */
void sleep_until(uint64_t when)
{
    spin_assert_none_held("slept");
    uint64_t sie = intr_save();
    struct hart *h = this_hart();
    struct task *t = task_current();
    struct list_node *at = h->sleepers.prev;
    while (at != &h->sleepers && list_entry(at, struct task, queue_node)->wake_at > when)
        at = at->prev;
    t->wake_at = when;
    t->state = TASK_BLOCKED;
    list_insert_before(at->next, &t->queue_node);
    sched_switch();
    intr_restore(sie);
}

void sleep_wake_due(void)
{
    struct hart *h = this_hart();
    uint64_t now = rdtime();
    while (!list_empty(&h->sleepers)) {
        struct task *t = list_entry(h->sleepers.next, struct task, queue_node);
        if (t->wake_at > now)
            break;
        list_remove(&t->queue_node);
        sched_make_runnable(t);
    }
}

void mutex_init(struct mutex *m)
{
    m->locked = false;
    m->owner = NULL;
    wait_init(&m->waiters);
}

void mutex_lock(struct mutex *m)
{
    uint64_t sie = intr_save();
    struct task *t = task_current();
    if (m->owner == t)
        panic("mutex %p: task '%s' locks it again (it already holds it)", (void *)m, t->name);
    while (m->locked)
        wait_block(&m->waiters);
    m->locked = true;
    m->owner = t;
    t->mutexes_held++;
    intr_restore(sie);
}

void mutex_unlock(struct mutex *m)
{
    uint64_t sie = intr_save();
    struct task *t = task_current();
    if (m->owner != t)
        panic("mutex %p: task '%s' unlocks it but does not hold it", (void *)m, t->name);
    m->locked = false;
    m->owner = NULL;
    t->mutexes_held--;
    wait_wake_one(&m->waiters);
    intr_restore(sie);
}
