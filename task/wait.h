/* wait.h: blocking. A wait queue holds the tasks waiting for something (a task to end, a mutex
 * to be free); a task blocks on it and whoever makes the something true wakes it. Sleeping
 * waits for a time instead. A mutex is a lock whose waiters sleep instead of spinning.
 *
 * The wait queue's spinlock guards the condition too, as a condition variable's mutex does:
 *
 *     spin_lock(&wq->lock);
 *     while (!condition)
 *         wait_block(wq);             // gives the lock up while blocked; returns without it
 *         ...then spin_lock(&wq->lock) again before looking at the condition
 *     spin_unlock(&wq->lock);
 *
 * and wakers change the condition and call wait_wake_* holding the same lock, so a wake-up
 * cannot fall between a check and the block. Lock order: a wait queue's lock, then run queues.
 */
#ifndef HARTOS_WAIT_H
#define HARTOS_WAIT_H

#include "kernel/list.h"
#include "kernel/spinlock.h"

#include <stdbool.h>
#include <stdint.h>

struct task;

struct wait_queue {
    struct spinlock lock;
    struct list_node waiters;
};

void wait_init(struct wait_queue *wq, const char *name);
/* Block the current task on wq. Call holding wq->lock (and no other); returns without it. */
void wait_block(struct wait_queue *wq);
/* Wake the first / every waiter. Call holding wq->lock. */
void wait_wake_one(struct wait_queue *wq);
void wait_wake_all(struct wait_queue *wq);

/* Called by the timer interrupt: wake every sleeper whose time has come on this hart. */
void sleep_wake_due(void);
void sleep_until(uint64_t when);    /* the time CSR value; the current task sleeps till then */
/* task_abort of a blocked task: take it off whatever it waits on and make it runnable. */
void wait_cancel(struct task *t);

struct mutex {
    bool locked;
    struct task *owner;
    struct wait_queue waiters;
};

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

#endif
