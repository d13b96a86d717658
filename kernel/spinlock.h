/* spinlock.h: mutual exclusion between harts. A spinlock is one word that a hart swaps from 0
 * to 1 atomically; whoever got the 0 holds it, the others spin until it is 0 again. While a
 * hart holds any spinlock its interrupts are off (an interrupt handler taking the same lock
 * would spin forever on its own hart), counted, so that nested locks nest.
 *
 * Misuse is detected and named: taking a lock this hart already holds, releasing one it does
 * not hold, switching tasks while holding one (task/sched.c), taking locks out of order (see
 * the ranks below), and a spin that lasts far too long (a probable deadlock, reported with the
 * owner and where it took the lock).
 */
#ifndef HARTOS_SPINLOCK_H
#define HARTOS_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define SPIN_DEADLOCK_MS 2000       /* held this long by one owner, without a hand-over, while
                                       a hart waits: reported as a probable deadlock */

/* The lock order (chapter 9). Two harts that take two locks in opposite orders can deadlock,
 * but only when their timing is just wrong, so testing alone rarely finds it. Instead every
 * lock has a rank, and a hart may take a lock only if its rank is above that of every lock it
 * already holds: then no cycle, and no such deadlock, can exist. Locks of one rank may be held
 * together only when taken in address order (two run queues: steal takes them by hart index,
 * which is harts[] order). Taking one out of order panics at once, naming both locks, on the
 * first run that takes them so, whatever the timing. From outermost to innermost: */
enum lock_rank {
    LOCK_UNORDERED,     /* not checked: tests that build a deadlock on purpose */
    LOCK_WAIT,          /* a wait queue's lock: joiners, a mutex's waiters, sleepers, the tty */
    LOCK_TASK,          /* a task's own lock (task/task.h) */
    LOCK_RUNQ,          /* a run queue (task/sched.h) */
    LOCK_TASKS,         /* the list of every task (task/task.c) */
    LOCK_VM,            /* a user address space (kernel/vm_user.c) */
    LOCK_HEAP,          /* the kernel heap (heap/heap.c) */
    LOCK_FRAMES,        /* the page frames (heap/frame.c) */
    LOCK_CONSOLE,       /* the console: a leaf, since anything may print (kernel/console.c) */
};

struct spinlock {
    uint32_t locked;                /* 0 free, 1 held: the word the atomics work on */
    int owner;                      /* hart index holding it, -1 if none */
    const char *name;
    const char *file;               /* where the owner took it */
    int line;
    struct spinlock *held_next;     /* the owner's other held locks: a chain from its hart */
    uint32_t taken;                 /* times it was taken: a waiter sees the lock move on */
    enum lock_rank rank;
};

#define SPINLOCK_INIT(name_, rank_) { 0, -1, name_, 0, 0, 0, 0, rank_ }

void spin_init(struct spinlock *l, const char *name, enum lock_rank rank);
#define spin_lock(l) spin_lock_at((l), __FILE__, __LINE__)
void spin_lock_at(struct spinlock *l, const char *file, int line);
void spin_unlock(struct spinlock *l);
bool spin_holding(const struct spinlock *l);

/* The scheduler's own locks (the run queues) use a lighter pair, shaped like Linux's
 * spin_lock_irqsave: interrupts go off with one csrrci and their old state goes back to the
 * caller, instead of being counted per hart. Every check still applies. */
#define spin_lock_irqsave(l) spin_lock_irqsave_at((l), __FILE__, __LINE__)
uint64_t spin_lock_irqsave_at(struct spinlock *l, const char *file, int line);
void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags);

/* Interrupts off, counted: push_off/pop_off pairs nest, and the last pop_off turns interrupts
 * back on only if they were on at the first push_off. */
void push_off(void);
void pop_off(void);

/* Panics if this hart holds a spinlock at a point where its task may switch away. On every
 * switch, so the check is inline and the report is not. */
__attribute__((noreturn)) void spin_held_at_switch(const char *where);
#define spin_assert_none_held(where)                                                        \
    do {                                                                                    \
        if (__builtin_expect(hart_held() != 0, 0))                                          \
            spin_held_at_switch(where);                                                     \
    } while (0)

#endif
