/* wait.h: blocking. A wait queue holds the tasks waiting for something (a task to end, a mutex
 * to be free); a task blocks on it and whoever makes the something true wakes it. Sleeping
 * waits for a time instead. A mutex is a lock whose waiters sleep instead of spinning.
 */
#ifndef HARTOS_WAIT_H
#define HARTOS_WAIT_H

#include "kernel/list.h"

#include <stdbool.h>
#include <stdint.h>

struct task;

struct wait_queue {
    struct list_node waiters;
};

void wait_init(struct wait_queue *wq);
/* Block the current task on wq. Call with interrupts off, after checking the condition you
 * wait for: a wake-up between the check and the block would be lost otherwise. */
void wait_block(struct wait_queue *wq);
void wait_wake_one(struct wait_queue *wq);
void wait_wake_all(struct wait_queue *wq);

/* Called by the timer interrupt: wake every sleeper whose time has come on this hart. */
void sleep_wake_due(void);
void sleep_until(uint64_t when);    /* the time CSR value; the current task sleeps till then */

struct mutex {
    bool locked;
    struct task *owner;
    struct wait_queue waiters;
};

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

#endif
