/* wait.h: blocking. A wait queue holds the tasks waiting for something (a task to end, a mutex
 * to be free, a line of input); a task blocks on it and whoever makes the something true wakes
 * it. Sleeping is waiting on the hart's queue of sleepers, by time. A mutex is a lock whose
 * waiters sleep instead of spinning.
 *
 * The wait queue's spinlock guards the condition too, as a condition variable's mutex does,
 * and wait_block gives it up while blocked and takes it again before returning:
 *
 *     spin_lock(&wq->lock);
 *     while (!condition)
 *         if (wait_block(wq) != 0) {      // aborted (task_abort): give up, end the task
 *             spin_unlock(&wq->lock);
 *             task_exit_aborted();
 *         }
 *     ...use the condition...
 *     spin_unlock(&wq->lock);
 *
 * Wakers change the condition and call wait_wake_* holding the same lock, so a wake-up cannot
 * fall between a check and the block. Lock order (kernel/spinlock.h ranks): a wait queue's lock,
 * then a task's lock, then run queues.
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
    struct list_node waiters;       /* struct task, through wait_node: lock */
};

void wait_init(struct wait_queue *wq, const char *name);
/* Block the current task on wq until a wait_wake_*. Call holding wq->lock and no other lock;
 * returns holding it again. Returns 0 when woken (look at the condition again: a wake-up may
 * be for another waiter), or TASK_EABORTED, at once or on waking, if the task has an abort
 * pending (task/task.h): it is then to end, at task_exit_aborted, having released what it
 * holds. A task that holds a mutex is not aborted here; it blocks as usual. */
int wait_block(struct wait_queue *wq);
/* The same, but task_abort does not end the wait (mutex_lock: the caller must hold the mutex
 * before it can give anything back). */
void wait_block_uninterruptible(struct wait_queue *wq);
/* Wake the first waiter that is still waiting / every waiter. Call holding wq->lock. */
void wait_wake_one(struct wait_queue *wq);
void wait_wake_all(struct wait_queue *wq);

/* Called by the timer interrupt: wake every sleeper whose time has come on this hart. */
void sleep_wake_due(void);
/* Sleep until the time CSR reaches `when`. A switch point: an aborted task ends here. */
void sleep_until(uint64_t when);
/* task_abort's half: mark t aborted and, if it is blocked in a wait an abort may end, make it
 * runnable (it leaves its wait queue itself). Returns the hart t was running on, or -1. */
int wait_abort(struct task *t);

struct mutex {
    bool locked;                    /* waiters.lock */
    struct task *owner;             /* waiters.lock */
    struct wait_queue waiters;
};

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

#endif
