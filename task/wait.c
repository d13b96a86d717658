/* wait.c: wait queues, sleeping and the sleeping mutex (see task/wait.h for the rules).
 *
 * Blocking and waking, with harts really running at once (chapter 9):
 * - A blocked task is on its wait queue's list through wait_node, guarded by the queue's lock,
 *   and its state is BLOCKED, guarded by its own task lock. A waker holds the queue lock, takes
 *   the task off the list, then flips it from BLOCKED to RUNNABLE under the task lock.
 * - task_abort (wait_abort here) flips BLOCKED to RUNNABLE under the task lock alone. It does
 *   not know the queue, and could not safely lock it: the queue may be freed the moment the
 *   task leaves it. So a task woken by an abort may still be on the list; it takes itself off
 *   when it runs, under the queue lock that wait_block takes again anyway.
 * - Whoever flips a task to RUNNABLE owns handing it to the scheduler, and first waits until
 *   the hart it blocked on has saved its registers (on_cpu false). So no run queue ever holds a
 *   task that another hart is still saving, and no switch has to wait for one (task/sched.c).
 * - The abort flag is set, and "may an abort end this wait?" is decided, under the task lock:
 *   so an abort either comes before the block (which then does not block) or finds the task
 *   blocked (and wakes it). Neither can slip between the two.
 */
#include "task/wait.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/race.h"
#include "kernel/riscv.h"
#include "kernel/trace.h"
#include "task/sched.h"
#include "task/task.h"

void wait_init(struct wait_queue *wq, const char *name)
{
    spin_init(&wq->lock, name, LOCK_WAIT);
    list_init(&wq->waiters);
}

/* t blocked a moment ago on another hart that is still switching away from it: wait until its
 * registers are saved. That hart holds none of our locks, and needs none to finish its switch,
 * so this wait is a few dozen instructions. Out of line so that gdb can stop in the window
 * (`break wait_until_saved`). */
static __attribute__((noinline)) void wait_until_saved(struct task *t)
{
    while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
        ;
}

/* BLOCKED -> RUNNABLE, if t is blocked (in a wait an abort may end, if `abort`): true if this
 * call did it, and so handed t to the scheduler. Interrupts are off (the wakers hold a wait
 * queue's lock; wait_abort turns them off itself). */
static bool unblock(struct task *t, bool abort)
{
    spin_lock_irqoff(&t->lock);
    if (abort)
        t->abort_requested = true;
    bool ours = t->state == TASK_BLOCKED && (!abort || t->wait_abortable);
    if (ours)
        t->state = TASK_RUNNABLE;
    spin_unlock_irqoff(&t->lock);
    if (!ours)
        return false;
    RACE_WINDOW();
    if (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
        wait_until_saved(t);
    sched_make_runnable(t);
    return true;
}

/* Block the current task on wq, its wait_node inserted before `at`. */
static int block(struct wait_queue *wq, struct list_node *at, bool interruptible)
{
    struct hart *h = this_hart();       /* interrupts are off: we hold wq->lock */
    struct task *t = h->current;
    if (t == h->idle)
        panic("the idle task must never block");
    if (h->held != &wq->lock || wq->lock.held_next != NULL)
        panic("wait_block on '%s': hold its lock and no other (holding '%s')", wq->lock.name,
              h->held ? h->held->name : "none");
    /* A task holding a mutex cannot be ended here: the mutex would stay locked for ever. */
    bool abortable = interruptible && t->mutexes_held == 0;
    spin_lock_irqoff(&t->lock);
    if (abortable && t->abort_requested) {
        spin_unlock_irqoff(&t->lock);
        return TASK_EABORTED;           /* aborted before it blocked: it does not block */
    }
    t->state = TASK_BLOCKED;
    t->wait_abortable = abortable;
    spin_unlock_irqoff(&t->lock);
    t->waiting_on = wq;
    list_insert_before(at, &t->wait_node);

    /* Interrupts stay off from the unlock to the switch, and after it until the caller's
     * spin_unlock: the irqoff pair leaves the push_off count that the caller's spin_lock made
     * as it is, and that count goes with the task across the switch (task/switch.S). */
    spin_unlock_irqoff(&wq->lock);
    RACE_WINDOW();              /* a waker or an abort may come now, before the switch */
    struct trace_ring *r = trace_here();    /* ch11: this switch is a block, even if such a */
    if (!TRACE_OFF(r))                      /* waker has made t runnable already */
        r->blocking = 1;
    sched_switch();
    spin_lock_irqoff(&wq->lock);
    if (t->waiting_on == wq) {  /* an abort woke it: it is still on the list */
        list_remove(&t->wait_node);
        t->waiting_on = NULL;
    }
    return abortable && t->abort_requested ? TASK_EABORTED : 0;
}

int wait_block(struct wait_queue *wq)
{
    return block(wq, &wq->waiters, true);
}

void wait_block_uninterruptible(struct wait_queue *wq)
{
    block(wq, &wq->waiters, false);
}

/* Take the first waiter off the list: it is no longer on any wait queue. */
static struct task *pop_waiter(struct wait_queue *wq)
{
    struct list_node *n = list_pop_front(&wq->waiters);
    if (n == NULL)
        return NULL;
    struct task *t = list_entry(n, struct task, wait_node);
    t->waiting_on = NULL;
    return t;
}

/* A waiter that an abort has woken already will not take what a wake_one offers (a free
 * mutex, an item): offer it to the next one instead, so that no wake-up is lost. */
void wait_wake_one(struct wait_queue *wq)
{
    struct task *t;
    while ((t = pop_waiter(wq)) != NULL)
        if (unblock(t, false))
            return;
}

void wait_wake_all(struct wait_queue *wq)
{
    struct task *t;
    while ((t = pop_waiter(wq)) != NULL)
        unblock(t, false);
}

int wait_abort(struct task *t)
{
    uint64_t sie = intr_save();
    bool woke = unblock(t, true);
    intr_restore(sie);
    if (woke)
        return -1;
    return __atomic_load_n(&t->state, __ATOMIC_RELAXED) == TASK_RUNNING ? t->hart : -1;
}

/* Each hart keeps its sleepers ordered by wake-up time, so the timer interrupt looks only at
 * the front. Inserting walks from the back: a new sleeper usually wakes last. */
void sleep_until(uint64_t when)
{
    spin_assert_none_held("slept");
    uint64_t sie = intr_save();         /* this hart's queue: stay on this hart to lock it */
    struct task *t = task_current();
    struct wait_queue *wq = &this_hart()->sleepers;
    spin_lock(&wq->lock);
    struct list_node *at = wq->waiters.prev;
    while (at != &wq->waiters && list_entry(at, struct task, wait_node)->wake_at > when)
        at = at->prev;
    t->wake_at = when;
    int aborted = block(wq, at->next, true);
    spin_unlock(&wq->lock);
    intr_restore(sie);
    if (aborted)
        task_exit_aborted();
}

void sleep_wake_due(void)
{
    struct wait_queue *wq = &this_hart()->sleepers;
    uint64_t now = rdtime();
    spin_lock(&wq->lock);
    bool woke = false;
    while (!list_empty(&wq->waiters) &&
           list_entry(wq->waiters.next, struct task, wait_node)->wake_at <= now) {
        unblock(pop_waiter(wq), false);
        woke = true;
    }
    spin_unlock(&wq->lock);
    if (woke)                   /* one may have queued here, behind a task whose turn is up */
        sched_check_slice(this_hart());
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
    while (m->locked)
        wait_block_uninterruptible(&m->waiters);
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
