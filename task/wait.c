/* wait.c: wait queues, sleeping and the sleeping mutex (see task/wait.h for the locking rule).
 * A task blocked on a wait queue has waiting_on set; a sleeping one is on its hart's sleepers
 * list, which that hart's run-queue lock guards.
 */
#include "task/wait.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/riscv.h"
#include "task/sched.h"
#include "task/task.h"

void wait_init(struct wait_queue *wq, const char *name)
{
    spin_init(&wq->lock, name);
    list_init(&wq->waiters);
}

void wait_block(struct wait_queue *wq)
{
    struct hart *h = this_hart();
    struct task *t = h->current;
    if (t == h->idle)
        panic("the idle task must never block");
    if (h->held != &wq->lock || wq->lock.held_next != NULL)
        panic("wait_block on '%s': hold its lock and no other (holding '%s')", wq->lock.name,
              h->held ? h->held->name : "none");
    t->state = TASK_BLOCKED;
    t->waiting_on = wq;
    list_push_back(&wq->waiters, &t->queue_node);
    push_off();                 /* interrupts stay off from the unlock to the switch */
    spin_unlock(&wq->lock);
    sched_switch();
    pop_off();
}

static void wake(struct list_node *n)
{
    struct task *t = list_entry(n, struct task, queue_node);
    t->waiting_on = NULL;
    sched_make_runnable(t);
}

void wait_wake_one(struct wait_queue *wq)
{
    struct list_node *n = list_pop_front(&wq->waiters);
    if (n)
        wake(n);
}

void wait_wake_all(struct wait_queue *wq)
{
    struct list_node *n;
    while ((n = list_pop_front(&wq->waiters)) != NULL)
        wake(n);
}

/* Each hart keeps its sleepers ordered by wake-up time, so the timer interrupt looks only at
 * the front. Inserting walks from the back: a new sleeper usually wakes last. */
void sleep_until(uint64_t when)
{
    spin_assert_none_held("slept");
    uint64_t sie = intr_save();
    struct hart *h = this_hart();
    struct task *t = h->current;
    uint64_t flags = spin_lock_irqsave(&h->runq.lock);
    struct list_node *at = h->sleepers.prev;
    while (at != &h->sleepers && list_entry(at, struct task, queue_node)->wake_at > when)
        at = at->prev;
    t->wake_at = when;
    t->state = TASK_BLOCKED;
    t->sleeping = true;
    list_insert_before(at->next, &t->queue_node);
    spin_unlock_irqrestore(&h->runq.lock, flags);
    sched_switch();
    intr_restore(sie);
}

void sleep_wake_due(void)
{
    struct hart *h = this_hart();
    uint64_t now = rdtime();
    uint64_t flags = spin_lock_irqsave(&h->runq.lock);
    while (!list_empty(&h->sleepers)) {
        struct task *t = list_entry(h->sleepers.next, struct task, queue_node);
        if (t->wake_at > now)
            break;
        list_remove(&t->queue_node);
        t->sleeping = false;
        t->state = TASK_RUNNABLE;
        runq_push(&h->runq, t);     /* it slept on this hart: back to this hart's queue */
    }
    spin_unlock_irqrestore(&h->runq.lock, flags);
}

void wait_cancel(struct task *t)
{
    if (t->sleeping) {
        struct hart *h = &harts[t->hart];
        uint64_t flags = spin_lock_irqsave(&h->runq.lock);
        if (t->sleeping) {
            list_remove(&t->queue_node);
            t->sleeping = false;
            t->state = TASK_RUNNABLE;
            runq_push(&h->runq, t);
        }
        spin_unlock_irqrestore(&h->runq.lock, flags);
        sched_kick_if_idle(h);
        return;
    }
    struct wait_queue *wq = t->waiting_on;
    if (wq) {
        spin_lock(&wq->lock);
        if (t->waiting_on == wq) {
            list_remove(&t->queue_node);
            wake(&t->queue_node);
        }
        spin_unlock(&wq->lock);
    }
}

void mutex_init(struct mutex *m)
{
    m->locked = false;
    m->owner = NULL;
    wait_init(&m->waiters, "mutex");
}

void mutex_lock(struct mutex *m)
{
    struct task *t = task_current();
    spin_lock(&m->waiters.lock);
    if (m->owner == t)
        panic("mutex %p: task '%s' locks it again (it already holds it)", (void *)m, t->name);
    while (m->locked) {
        wait_block(&m->waiters);
        spin_lock(&m->waiters.lock);
    }
    m->locked = true;
    m->owner = t;
    t->mutexes_held++;
    spin_unlock(&m->waiters.lock);
}

void mutex_unlock(struct mutex *m)
{
    struct task *t = task_current();
    spin_lock(&m->waiters.lock);
    if (m->owner != t)
        panic("mutex %p: task '%s' unlocks it but does not hold it", (void *)m, t->name);
    m->locked = false;
    m->owner = NULL;
    t->mutexes_held--;
    wait_wake_one(&m->waiters);
    spin_unlock(&m->waiters.lock);
}
