/* spinlock.c: spinlocks (see kernel/spinlock.h).
 *
 * What the atomics compile to, on RV64A (GCC 12, read with objdump -d on build/kernel.elf):
 *   acquire: amoswap.w.aq t, t, (lock)     swap in a 1 (t = 1); .aq: no later load or store of
 *                                          this hart may be seen before the swap, so the
 *                                          critical section cannot leak above the acquire
 *   release: fence iorw,ow                 every load, store and device access before it is
 *            amoswap.w zero, zero, (lock)  done before the store of 0 that frees the lock
 *                                          (GCC 12 writes a release store as a fence and a
 *                                          swap that discards the old value, not a plain sw;
 *                                          either is correct, the fence is what matters)
 * The spin itself only reads (no stores) until the lock looks free: a waiting hart does not
 * keep pulling the cache line away from the owner.
 */
#include "kernel/spinlock.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/race.h"
#include "kernel/riscv.h"
#include "kernel/timer.h"
#include "task/task.h"

void spin_init(struct spinlock *l, const char *name, enum lock_rank rank)
{
    l->locked = 0;
    l->owner = -1;
    l->name = name;
    l->file = 0;
    l->line = 0;
    l->held_next = 0;
    l->taken = 0;
    l->rank = rank;
}

void push_off(void)
{
    uint64_t was_on = intr_save();
    struct hart *h = this_hart();
    if (h->push_depth++ == 0)
        h->push_intr_was_on = was_on != 0;
}

void pop_off(void)
{
    struct hart *h = this_hart();
    if (--h->push_depth == 0 && h->push_intr_was_on)
        intr_on();
}

bool spin_holding(const struct spinlock *l)
{
    return l->locked && l->owner == hart_index();
}

static __attribute__((noreturn, noinline, cold)) void deadlock(struct spinlock *l,
                                                              const char *file, int line)
{
    panic("probable deadlock: hart %d waited %d ms at %s:%d for lock '%s', held by hart %d "
          "(taken at %s:%d)", hart_index(), SPIN_DEADLOCK_MS, file, line, l->name,
          l->owner, l->file ? l->file : "?", l->line);
}

static __attribute__((noreturn, noinline, cold)) void reacquire(struct spinlock *l,
                                                                 const char *file, int line)
{
    panic("lock '%s': hart %d takes it again at %s:%d (it took it at %s:%d)", l->name,
          hart_index(), file, line, l->file, l->line);
}

static const char *const rank_names[] = {
    [LOCK_UNORDERED] = "unordered", [LOCK_WAIT] = "wait queue", [LOCK_TASK] = "task",
    [LOCK_RUNQ] = "run queue", [LOCK_TASKS] = "task list", [LOCK_VM] = "address space",
    [LOCK_HEAP] = "heap", [LOCK_FRAMES] = "frames", [LOCK_CONSOLE] = "console",
};

static __attribute__((noreturn, noinline, cold)) void out_of_order(struct spinlock *l,
                                                                  struct spinlock *held,
                                                                  const char *file, int line)
{
    panic("lock order: hart %d takes '%s' (%s) at %s:%d while holding '%s' (%s, taken at "
          "%s:%d); '%s' must be taken first", this_hart()->index, l->name, rank_names[l->rank],
          file, line, held->name, rank_names[held->rank], held->file, held->line, l->name);
}

/* Before taking l: is it above every lock this hart holds? The held chain is newest first, and
 * every lock on it passed this check when it was taken, so the ranked locks on it are sorted:
 * the newest ranked one is the highest, and it is the only one to compare with. */
static inline void check_order(struct spinlock *l, struct hart *h, const char *file, int line)
{
    struct spinlock *top = h->held;
    while (__builtin_expect(top != 0 && top->rank == LOCK_UNORDERED, 0))
        top = top->held_next;
    if (top && l->rank != LOCK_UNORDERED &&
        (l->rank < top->rank || (l->rank == top->rank && l < top)))
        out_of_order(l, top, file, line);
}

/* The lock is ours: record who took it and where, and chain it to the hart's held locks. */
static inline void took(struct spinlock *l, struct hart *h, const char *file, int line)
{
    l->owner = h->index;
    l->file = file;
    l->line = line;
    l->taken++;
    l->held_next = h->held;
    h->held = l;
}

/* Unchain it: usually the newest, else find it. */
static inline void unchain(struct spinlock *l, struct hart *h)
{
    struct spinlock **link = &h->held;
    while (*link != l)
        link = &(*link)->held_next;
    *link = l->held_next;
}

/* Someone else holds it: spin, reading only, until we have it, and give up loudly after
 * SPIN_DEADLOCK_MS. */
static __attribute__((noinline)) void spin_until_ours(struct spinlock *l, const char *file,
                                                      int line)
{
    uint64_t patience = SPIN_DEADLOCK_MS * timer_timebase() / 1000;
    uint64_t deadline = rdtime() + patience;
    uint32_t seen = __atomic_load_n(&l->taken, __ATOMIC_RELAXED);
    do {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0) {
            uint32_t now_taken = __atomic_load_n(&l->taken, __ATOMIC_RELAXED);
            if (now_taken != seen) {        /* it changed hands: contended, not stuck */
                seen = now_taken;
                deadline = rdtime() + patience;
            } else if (rdtime() > deadline) {
                deadlock(l, file, line);
            }
        }
    } while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0);
}

/* The slow path finishes the acquisition itself, so that the fast path below ends in a tail
 * call and needs no saved registers. */
static __attribute__((noinline)) void spin_wait(struct spinlock *l, const char *file, int line)
{
    spin_until_ours(l, file, line);
    took(l, this_hart(), file, line);
}

void spin_lock_at(struct spinlock *l, const char *file, int line)
{
    push_off();
    struct hart *h = this_hart();
    if (__builtin_expect(l->owner == h->index, 0))
        reacquire(l, file, line);
    check_order(l, h, file, line);
    if (__builtin_expect(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0, 0)) {
        spin_wait(l, file, line);
        return;
    }
    took(l, h, file, line);
}

static __attribute__((noreturn, noinline, cold)) void foreign_release(struct spinlock *l)
{
    panic("lock '%s': hart %d releases it but does not hold it (owner: hart %d)", l->name,
          hart_index(), l->owner);
}

void spin_unlock(struct spinlock *l)
{
    struct hart *h = this_hart();
    if (__builtin_expect(l->owner != h->index || !l->locked, 0))
        foreign_release(l);
    unchain(l, h);
    l->owner = -1;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    RACE_WINDOW();              /* the lock is free: another hart may take it right now */
    pop_off();
}

static __attribute__((noinline)) uint64_t spin_wait_irqsave(struct spinlock *l, const char *file,
                                                             int line, uint64_t flags)
{
    spin_until_ours(l, file, line);
    took(l, this_hart(), file, line);
    return flags;
}

uint64_t spin_lock_irqsave_at(struct spinlock *l, const char *file, int line)
{
    uint64_t flags = intr_save();
    struct hart *h = this_hart();
    if (__builtin_expect(l->owner == h->index, 0))
        reacquire(l, file, line);
    check_order(l, h, file, line);
    if (__builtin_expect(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0, 0))
        return spin_wait_irqsave(l, file, line, flags);
    took(l, h, file, line);
    return flags;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    struct hart *h = this_hart();
    if (__builtin_expect(l->owner != h->index || !l->locked, 0))
        foreign_release(l);
    unchain(l, h);
    l->owner = -1;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    RACE_WINDOW();
    intr_restore(flags);
}

void spin_held_at_switch(const char *where)
{
    struct hart *h = this_hart();
    struct spinlock *l = h->held;
    panic("task '%s' %s while holding lock '%s' (taken at %s:%d)",
          h->current ? h->current->name : "?", where, l->name, l->file, l->line);
}
