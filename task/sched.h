/* sched.h: the scheduler. Each hart has its own run queue (ch6 gives every hart one; here the
 * boot hart uses its own): a FIFO of runnable tasks, O(1) at both ends. The running task goes to
 * the back when its time slice is up (or it yields), and the front task runs next. A hart with
 * nothing to run switches to its idle task, which sleeps in wfi.
 */
#ifndef HARTOS_SCHED_H
#define HARTOS_SCHED_H

#include "kernel/list.h"

#include <stddef.h>

struct task;

struct runq {
    struct list_node tasks;
    size_t length;
};

/* The run queue is a FIFO of tasks linked through task->queue_node; these are on every switch,
 * so they are inline. (The node's offset in struct task is TASK_QUEUE_NODE_OFFSET, checked in
 * task/task.c, so this header need not include task.h.) */
#define TASK_QUEUE_NODE_OFFSET 112      /* right after struct context: 14 words */

static inline void runq_init(struct runq *q)
{
    list_init(&q->tasks);
    q->length = 0;
}

static inline void runq_push(struct runq *q, struct task *t)
{
    list_push_back(&q->tasks, (struct list_node *)((char *)t + TASK_QUEUE_NODE_OFFSET));
    q->length++;
}

static inline struct task *runq_pop(struct runq *q)
{
    struct list_node *n = list_pop_front(&q->tasks);
    if (n == NULL)
        return NULL;
    q->length--;
    return (struct task *)((char *)n - TASK_QUEUE_NODE_OFFSET);
}

/* Make the boot context this hart's idle task. */
void sched_init_hart(void);
/* The idle loop: run whatever is runnable, else sleep until an interrupt. */
__attribute__((noreturn)) void sched_idle(void);

/* Put a runnable task on its hart's queue. Interrupts off. */
void sched_make_runnable(struct task *t);
/* Switch from the current task (already queued, blocked or done) to the next runnable one,
 * or the idle task. Interrupts off. Returns when the current task runs again. */
void sched_switch(void);
/* The timer interrupt's part: time slices, sleepers. May ask for a switch on trap exit. */
void sched_tick(void);
/* At the end of an interrupt: switch if sched_tick asked for it (trap.c checks
 * hart->need_resched inline, as it is rarely set). */
void sched_preempt(void);
/* After any switch, in the task that now runs: reclaim a task that has just ended. */
void sched_finish_switch(void);

void context_switch(void *old_ctx, void *new_ctx);
void sched_stack_canary(struct task *t);        /* arm a new task's stack canary */

#endif
