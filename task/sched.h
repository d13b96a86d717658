/* sched.h: the scheduler. Each hart has its own run queue, a FIFO of runnable tasks, O(1) at
 * both ends, guarded by its own spinlock. The running task goes to the back when its time
 * slice is up (or it yields), and the front task runs next. A task made runnable goes to an
 * idle hart if its own is busy (sched_make_runnable). A hart whose queue is empty steals half
 * of the longest other queue's unpinned tasks; with nothing to steal it switches to its idle
 * task, which sleeps in wfi until an interrupt (a tick, or an IPI saying work arrived).
 *
 * Lock order: a wait queue's lock, then run-queue locks (two run queues: lower hart index
 * first). No spinlock is held across a switch: a task being switched out is marked on_cpu
 * until its registers are saved, and a hart that wants to run it waits for that.
 */
#ifndef HARTOS_SCHED_H
#define HARTOS_SCHED_H

#include "kernel/list.h"
#include "kernel/spinlock.h"
#include "task/task.h"

#include <stdbool.h>
#include <stddef.h>

struct runq {
    struct spinlock lock;
    struct list_node tasks;
    size_t length;
    size_t pinned;                  /* of those, pinned to this hart: not for stealing */
};

/* The run queue is a FIFO of tasks linked through task->queue_node; these are on every switch,
 * so they are inline. */
static inline void runq_init(struct runq *q)
{
    spin_init(&q->lock, "runq", LOCK_RUNQ);
    list_init(&q->tasks);
    q->length = 0;
    q->pinned = 0;
}

static inline void runq_push(struct runq *q, struct task *t)
{
    list_push_back(&q->tasks, &t->queue_node);
    q->length++;
    q->pinned += t->pinned;
}

static inline struct task *runq_pop(struct runq *q)
{
    struct list_node *n = list_pop_front(&q->tasks);
    if (n == NULL)
        return NULL;
    struct task *t = list_entry(n, struct task, queue_node);
    q->length--;
    q->pinned -= t->pinned;
    return t;
}

/* Yield's one step: prev to the back, the front task off: the length does not change. NULL,
 * and prev not queued, if the queue is empty. */
static inline struct task *runq_rotate(struct runq *q, struct task *prev)
{
    struct list_node *head = &q->tasks, *n = head->next;
    if (n == head)
        return NULL;
    struct task *next = list_entry(n, struct task, queue_node);
    /* list_remove, less two things a yield does not need: n->prev is the head (no load), and
     * n's own links are left stale (it is on no list while it runs). One instruction a yield. */
    head->next = n->next;
    n->next->prev = head;
    list_push_back(head, &prev->queue_node);
    if (__builtin_expect(prev->pinned != next->pinned, 0))
        q->pinned += (size_t)prev->pinned - (size_t)next->pinned;
    prev->state = TASK_RUNNABLE;
    return next;
}

/* Tasks another hart may take from this queue: a hint when read without the lock. */
static inline size_t runq_stealable(const struct runq *q)
{
    return __atomic_load_n(&q->length, __ATOMIC_RELAXED) -
           __atomic_load_n(&q->pinned, __ATOMIC_RELAXED);
}

/* Make the boot context this hart's idle task. */
void sched_init_hart(void);
/* The idle loop: run whatever is runnable, else sleep until an interrupt. */
__attribute__((noreturn)) void sched_idle(void);

/* Make a task runnable: on its hart's queue if that hart is idle, else on an idle hart's (a
 * task that is not pinned), else on its hart's anyway. The hart it lands on is woken by IPI
 * if it idles. A new task's hart is the spawning one. */
void sched_make_runnable(struct task *t);
struct hart;
void sched_kick_if_idle(struct hart *h);
/* Switch from the current task (already queued, blocked or done) to the next runnable one,
 * or the idle task. Interrupts off. Returns when the current task runs again. */
void sched_switch(void);
/* The same, first putting the current task at the back of this hart's queue (yield, preempt);
 * with nothing else queued here it returns at once. Interrupts off, no spinlock held. */
void sched_yield(void);
/* The timer interrupt's part: time slices, sleepers. May ask for a switch on trap exit. */
void sched_tick(void);
/* Ask for a switch at the end of this interrupt if the current task's turn is over. */
void sched_check_slice(struct hart *h);
/* At the end of an interrupt: switch if sched_tick asked for it (trap.c checks
 * hart->need_resched inline, as it is rarely set). */
void sched_preempt(void);
/* The boot argument balance=off: no periodic balancing (ch11), to compare. */
void sched_balance_off(void);
uint64_t sched_migrations(void);        /* tasks the balancer has moved since boot */
/* After any switch, in the task that now runs: reclaim a task that has just ended. */
void sched_finish_switch(void);

/* Timebase ticks hart i has spent in its idle task since boot (read racily: for reports). */
uint64_t sched_idle_time(int i);

void context_switch(void *old_ctx, void *new_ctx);
void sched_stack_canary(struct task *t);        /* arm a new task's stack canary */

#endif
