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
#include "kernel/spinlock.h"
#include "task/task.h"
#include "task/wait.h"

#define STACK_CANARY 0x5741434b43414e59UL     /* "STACKCANY" */

void sched_make_runnable(struct task *t)
{
    t->state = TASK_RUNNABLE;
    runq_push(&harts[t->hart].runq, t);
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

/* A task that ended on its own stack is reclaimed by the next one to run, which no longer
 * needs that stack. Inline for the common case: nothing to reap. */
static inline void finish_switch(struct hart *h)
{
    struct task *dead = h->reap;
    if (dead) {
        h->reap = NULL;
        task_put(dead);
    }
}

void sched_finish_switch(void)
{
    finish_switch(this_hart());
}

void sched_switch(void)
{
    spin_assert_none_held("switched");
    struct hart *h = this_hart();
    struct task *prev = h->current, *next = runq_pop(&h->runq);

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
    next->state = TASK_RUNNING;
    next->slice_left = TASK_SLICE_TICKS;
    next->hart = h->index;
    h->current = next;

    /* trap_depth belongs to the task, not the hart: prev may be inside a trap handler (it
     * was preempted) while next is not, so each keeps its own across the switch. */
    int depth = h->trap_depth;
    context_switch(&prev->ctx, &next->ctx);
    h = this_hart();
    h->trap_depth = depth;

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
    if (t == h->idle) {
        h->need_resched = h->runq.length != 0;
        return;
    }
    t->ticks_run++;
    if (t->slice_left > 0)
        t->slice_left--;
    if (t->slice_left == 0 && h->runq.length != 0)
        h->need_resched = true;
}

void sched_preempt(void)
{
    struct hart *h = this_hart();
    h->need_resched = false;
    struct task *t = h->current;
    if (t != h->idle) {
        t->state = TASK_RUNNABLE;
        runq_push(&h->runq, t);
    }
    sched_switch();
}

static struct task idle_tasks[MAX_HARTS];

void sched_init_hart(void)
{
    struct hart *h = this_hart();
    struct task *idle = &idle_tasks[h->index];
    idle->name[0] = 'i', idle->name[1] = 'd', idle->name[2] = 'l', idle->name[3] = 'e';
    idle->state = TASK_RUNNING;
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
