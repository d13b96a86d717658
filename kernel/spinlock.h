/* spinlock.h: mutual exclusion between harts. A spinlock is one word that a hart swaps from 0
 * to 1 atomically; whoever got the 0 holds it, the others spin until it is 0 again. While a
 * hart holds any spinlock its interrupts are off (an interrupt handler taking the same lock
 * would spin forever on its own hart), counted, so that nested locks nest.
 *
 * Misuse is detected and named: taking a lock this hart already holds, releasing one it does
 * not hold, switching tasks while holding one (task/sched.c), and a spin that lasts far too
 * long (a probable deadlock, reported with the owner and where it took the lock).
 */
#ifndef HARTOS_SPINLOCK_H
#define HARTOS_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define SPIN_DEADLOCK_MS 2000       /* a wait longer than this is reported as a deadlock */

struct spinlock {
    uint32_t locked;                /* 0 free, 1 held: the word the atomics work on */
    int owner;                      /* hart index holding it, -1 if none */
    const char *name;
    const char *file;               /* where the owner took it */
    int line;
    struct spinlock *held_next;     /* the owner's other held locks: a chain from its hart */
};

#define SPINLOCK_INIT(name_) { 0, -1, name_, 0, 0, 0 }

void spin_init(struct spinlock *l, const char *name);
#define spin_lock(l) spin_lock_at((l), __FILE__, __LINE__)
void spin_lock_at(struct spinlock *l, const char *file, int line);
void spin_unlock(struct spinlock *l);
bool spin_holding(const struct spinlock *l);

/* Interrupts off, counted: push_off/pop_off pairs nest, and the last pop_off turns interrupts
 * back on only if they were on at the first push_off. */
void push_off(void);
void pop_off(void);

/* Panics if this hart holds a spinlock at a point where its task may switch away. On every
 * switch, so the check is inline and the report is not. */
__attribute__((noreturn)) void spin_held_at_switch(const char *where);
#define spin_assert_none_held(where)                                                        \
    do {                                                                                    \
        if (__builtin_expect(this_hart()->held != 0, 0))                                    \
            spin_held_at_switch(where);                                                     \
    } while (0)

#endif
