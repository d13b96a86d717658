/* sched.c: run queues, switching, time slices and the idle loop (see task/sched.h).
 *
 * A switch goes straight from the old task to the next one: sched_switch picks the next task
 * and context_switch jumps into it. There is no scheduler thread in between (xv6 switches
 * through one, which costs a second switch every time). Everything here runs with interrupts
 * off: on one hart, that is what makes a run queue or a wait queue safe to change. Chapter 6
 * adds a lock per run queue for the other harts.
 */
#include "task/sched.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "task/task.h"
#include "task/wait.h"

#define STACK_CANARY 0x5741434b43414e59UL     /* "STACKCANY" */

void sched_kick_if_idle(struct hart *h)
{
    if (h != this_hart() && __atomic_load_n(&h->current, __ATOMIC_RELAXED) == h->idle)
        smp_kick(h->index);
}

void sched_make_runnable(struct task *t)
{
    struct hart *h = &harts[t->hart];
    spin_lock(&h->runq.lock);
    t->state = TASK_RUNNABLE;
    runq_push(&h->runq, t);
    spin_unlock(&h->runq.lock);
    sched_kick_if_idle(h);
}

int sched_place(void)
{
    struct hart *me = this_hart();
    if (me->runq.length == 0 && me->current == me->idle)
        return me->index;
    for (int i = 0; i < smp_harts(); i++)
        if (harts[i].current == harts[i].idle && harts[i].runq.length == 0)
            return i;
    return me->index;
}

/* Our queue is empty: take half (rounded up) of the longest other queue. The lengths are read
 * without locks, as a hint; the moving is done holding both queues' locks. */
static struct task *steal(struct hart *h)
{
    struct hart *victim = NULL;
    size_t longest = 0;
    for (int i = 0; i < smp_harts(); i++)
        if (&harts[i] != h && harts[i].runq.length > longest) {
            longest = harts[i].runq.length;
            victim = &harts[i];
        }
    if (victim == NULL)
        return NULL;
    struct hart *first = victim->index < h->index ? victim : h;
    struct hart *second = first == h ? victim : h;
    spin_lock(&first->runq.lock);
    spin_lock(&second->runq.lock);
    for (size_t n = (victim->runq.length + 1) / 2; n > 0; n--) {
        struct task *t = runq_pop(&victim->runq);
        t->hart = h->index;
        runq_push(&h->runq, t);
    }
    struct task *next = runq_pop(&h->runq);
    spin_unlock(&second->runq.lock);
    spin_unlock(&first->runq.lock);
    return next;
}

/* The stack's lowest word is a canary; a task that ran over it has corrupted memory below its
 * stack, and nothing it does from here on can be trusted. */
static void check_stack(struct task *t)
{
    if (t->stack && t->stack[0] != STACK_CANARY)
        panic("task '%s' (id %lu) overflowed its kernel stack (canary at %p is %#lx)", t->name,
              (unsigned long)t->id, (void *)t->stack, (unsigned long)t->stack[0]);
}

void sched_stack_canary(struct task *t)
{
    t->stack[0] = STACK_CANARY;
}

/* After a switch, in the task that now runs: the one switched away from is fully saved, so
 * another hart may run it now (on_cpu false); if it had ended, it is reclaimed here, by a
 * task that no longer needs its stack. */
static inline void finish_switch(struct hart *h)
{
    struct task *from = h->switched_from;
    h->switched_from = NULL;
    if (from == NULL)
        return;
    __atomic_store_n(&from->on_cpu, false, __ATOMIC_RELEASE);
    if (from->state == TASK_DONE)
        task_put(from);
}

void sched_finish_switch(void)
{
    finish_switch(this_hart());
}

void sched_switch(void)
{
    sched_switch_requeue(false);
}

void sched_switch_requeue(bool requeue)
{
    spin_assert_none_held("switched");
    struct hart *h = this_hart();
    struct task *prev = h->current;
    spin_lock(&h->runq.lock);
    if (requeue) {              /* yield, preemption: to the back, in the same locked step */
        prev->state = TASK_RUNNABLE;
        runq_push(&h->runq, prev);
    }
    struct task *next = runq_pop(&h->runq);
    spin_unlock(&h->runq.lock);

    if (next == NULL && smp_harts() > 1)
        next = steal(h);
    if (next == NULL) {
        if (prev->state == TASK_RUNNING)
            return;             /* nothing else to run: carry on */
        next = h->idle;
    }
    check_stack(prev);
    if (next == prev) {         /* it queued itself and was the only one */
        prev->state = TASK_RUNNING;
        return;
    }
    if (prev == h->idle)
        prev->state = TASK_RUNNABLE;    /* idle is never queued, but it is not running */
    /* Another hart may still be saving next's registers (it was just preempted or woken
     * there): wait until it is off that hart. A few instructions at most. */
    while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
        ;
    next->on_cpu = true;
    next->state = TASK_RUNNING;
    next->slice_left = TASK_SLICE_TICKS;
    next->hart = h->index;
    h->current = next;
    h->switched_from = prev;

    /* trap_depth and the push_off nesting belong to the task, not the hart: prev may be inside
     * a trap handler (it was preempted) or a push_off section (wait_block) while next is not,
     * so each keeps its own across the switch. */
    int depth = h->trap_depth, push_depth = h->push_depth;
    bool push_was_on = h->push_intr_was_on;
    context_switch(&prev->ctx, &next->ctx);
    h = this_hart();            /* prev may resume on another hart */
    h->trap_depth = depth;
    h->push_depth = push_depth;
    h->push_intr_was_on = push_was_on;

    finish_switch(h);
    if (prev->abort_requested)  /* task_abort: end at this switch point, as Tokio does */
        task_finish(TASK_ABORTED, NULL);
}

void sched_tick(void)
{
    struct hart *h = this_hart();
    struct task *t = h->current;

    if (!list_empty(&h->sleepers))
        sleep_wake_due();
    if (t == h->idle) {         /* work arrived, or another hart has some to steal */
        h->need_resched = true;
        return;
    }
    t->ticks_run++;
    if (t->slice_left > 0)
        t->slice_left--;
    if ((t->slice_left == 0 && h->runq.length != 0) || t->abort_requested)
        h->need_resched = true;     /* an abort, too: preemption is a switch point */
}

void sched_preempt(void)
{
    struct hart *h = this_hart();
    h->need_resched = false;
    struct task *t = h->current;
    if (t != h->idle && t->abort_requested)
        task_finish(TASK_ABORTED, NULL);    /* even with nothing else to run on this hart */
    sched_switch_requeue(t != h->idle);
}

static struct task idle_tasks[MAX_HARTS];

void sched_init_hart(void)
{
    struct hart *h = this_hart();
    struct task *idle = &idle_tasks[h->index];
    idle->name[0] = 'i', idle->name[1] = 'd', idle->name[2] = 'l', idle->name[3] = 'e';
    idle->state = TASK_RUNNING;
    idle->on_cpu = true;
    idle->hart = h->index;
    list_init(&idle->queue_node);
    list_init(&idle->all_node);
    runq_init(&h->runq);
    list_init(&h->sleepers);
    h->idle = h->current = idle;
}

void sched_idle(void)
{
    for (;;) {
        /* Interrupts off while deciding, or an interrupt that makes a task runnable between
         * the check and the wfi would leave this hart asleep with work queued. wfi wakes on a
         * pending interrupt even with SIE clear; turning SIE on then takes it. */
        intr_off();
        if (this_hart()->runq.length != 0)
            sched_switch();
        else
            wfi();
        intr_on();
    }
}
