/* spinlock.h: mutual exclusion between harts. A spinlock is one word that a hart swaps from 0
 * to 1 atomically; whoever got the 0 holds it, the others spin until it is 0 again. While a
 * hart holds any spinlock its interrupts are off (an interrupt handler taking the same lock
 * would spin forever on its own hart), counted, so that nested locks nest.
 *
 * Misuse is detected and named: taking a lock this hart already holds, releasing one it does
 * not hold, switching tasks while holding one (task/sched.c), taking locks out of order (see
 * the ranks below), and a spin that lasts far too long (a probable deadlock, reported with the
 * owner and where it took the lock).
 *
 * Chapter 10 keeps every one of those checks on and makes them cheap: an uncontended
 * spin_lock + spin_unlock is about 50 instructions, all checks included (docs/ch10-fast.md).
 */
#ifndef HARTOS_SPINLOCK_H
#define HARTOS_SPINLOCK_H

#include "kernel/race.h"
#include "kernel/trap.h"

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
    uint32_t taken;                 /* times it was taken: a waiter sees the lock move on */
    uint8_t order;                  /* the rank as the fast check compares it (spinlock.c) */
    enum lock_rank rank;
    const char *name;
    uintptr_t pc;                   /* where the owner took it: the return address of the
                                       spin_lock call, shown as function+offset (ch10) */
    struct spinlock *held_next;     /* the owner's other held locks: a chain from its hart */
};

/* An unordered lock's `order` is the highest: the fast check (spinlock.c) then never passes a
 * ranked lock taken over an unordered one without the full check. */
#define LOCK_ORDER(rank_) ((rank_) == LOCK_UNORDERED ? 0xff : (rank_))
#define SPINLOCK_INIT(name_, rank_)                                                         \
    { .locked = 0, .owner = -1, .taken = 0, .order = LOCK_ORDER(rank_), .rank = (rank_),    \
      .name = (name_), .pc = 0, .held_next = 0 }

void spin_init(struct spinlock *l, const char *name, enum lock_rank rank);

/* Each spin_lock call passes its own address, which a report shows as function+offset (and
 * `info line *ADDR` in gdb turns into a file and line). One auipc at the call site, where
 * chapter 9 stored a file name and a line number. (The return address would cost nothing,
 * but a call compiled as a tail jump has none of its own: it names the caller's caller.) */
#define SPIN_HERE() ({ uintptr_t pc_; __asm__ volatile("auipc %0, 0" : "=r"(pc_)); pc_; })
#define spin_lock(l) spin_lock_at((l), SPIN_HERE())
void spin_lock_at(struct spinlock *l, uintptr_t pc);
void spin_unlock(struct spinlock *l);
bool spin_holding(const struct spinlock *l);

/* The scheduler's own locks (the run queues) use a lighter pair, shaped like Linux's
 * spin_lock_irqsave: interrupts go off with one csrrci and their old state goes back to the
 * caller, instead of being counted per hart. Every check still applies. */
#define spin_lock_irqsave(l) spin_lock_irqsave_at((l), SPIN_HERE())
uint64_t spin_lock_irqsave_at(struct spinlock *l, uintptr_t pc);
void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags);

/* For code whose interrupts are already off (the scheduler, wait queues): the same lock and
 * the same checks, inline, and no interrupt state touched at all. Defined below. */
static inline __attribute__((always_inline)) void spin_lock_irqoff(struct spinlock *l);
static inline __attribute__((always_inline)) void spin_unlock_irqoff(struct spinlock *l);

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

/* The fast paths, inline (chapter 10), shared by every entry point above. While a hart holds
 * a spinlock its interrupts are off, so tp is this hart's for the whole of each. */

/* The newest lock this hart holds (kernel/hart.h's hart_held), and this hart's index as a long
 * (lw sign-extends, and saying so spares a sext.w per compare). */
static inline struct spinlock *spin_top(void)
{
    struct spinlock *l;
    __asm__ volatile("ld %0, %1(tp)" : "=r"(l) : "i"(HART_HELD) : "memory");
    return l;
}

static inline long spin_me(void)
{
    long i;
    __asm__ volatile("lw %0, %1(tp)" : "=r"(i) : "i"(HART_INDEX));
    return i;
}

/* Out of line (spinlock.c): everything that is not the fast case, checked in full. They
 * return flags only so that the irqsave pair can reach them with a tail jump. */
uint64_t spin_acquire_slow(struct spinlock *l, uintptr_t pc, uint64_t flags);
uint64_t spin_release_slow(struct spinlock *l, uint64_t flags);

/* l is ours now: record who took it, where and how often, and chain it to the hart's held
 * locks, newest first (top: the newest until now). The fast and the slow path both end so. */
static inline __attribute__((always_inline)) void spin_took(struct spinlock *l, uintptr_t pc,
                                                            struct spinlock *top)
{
    l->owner = spin_me();
    l->pc = pc;
    l->taken++;
    l->held_next = top;
    __asm__ volatile("sd %0, %1(tp)" : : "r"(l), "i"(HART_HELD) : "memory");
}

/* l is off the chain: free it. The fast and the slow path both end so. */
static inline __attribute__((always_inline)) void spin_freed(struct spinlock *l)
{
    l->owner = -1;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    RACE_WINDOW();              /* the lock is free: another hart may take it right now */
}

/* The fast case of an acquire: not ours already (one compare), the newest held lock ranks
 * below l (or none is held), and the swap finds it free. */
static inline __attribute__((always_inline)) bool spin_acquire_fast(struct spinlock *l,
                                                                    uintptr_t pc)
{
    struct spinlock *top = spin_top();
    if (__builtin_expect(l->owner == spin_me() || (top && top->order >= l->order), 0) ||
        __builtin_expect(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0, 0))
        return false;
    spin_took(l, pc, top);
    return true;
}

/* The fast case of a release: the newest lock this hart holds (so it is ours: only the hart
 * that took a lock chains it; spin_release_slow names a foreign release). */
static inline __attribute__((always_inline)) bool spin_release_fast(struct spinlock *l)
{
    if (__builtin_expect(spin_top() != l, 0))
        return false;
    __asm__ volatile("sd %0, %1(tp)" : : "r"(l->held_next), "i"(HART_HELD) : "memory");
    spin_freed(l);
    return true;
}

/* Always inline: SPIN_HERE must be the caller's address, not this function's (a copy out of
 * line would name itself in every report, ch10's review found). */
static inline __attribute__((always_inline)) void spin_lock_irqoff(struct spinlock *l)
{
    uintptr_t pc = SPIN_HERE();
    if (!spin_acquire_fast(l, pc))
        spin_acquire_slow(l, pc, 0);
}

static inline __attribute__((always_inline)) void spin_unlock_irqoff(struct spinlock *l)
{
    if (!spin_release_fast(l))
        spin_release_slow(l, 0);
}

#endif
