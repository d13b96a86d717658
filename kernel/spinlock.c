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
#include "kernel/format.h"
#include "kernel/hart.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "kernel/race.h"
#include "kernel/riscv.h"
#include "kernel/timer.h"
#include "kernel/trace.h"
#include "task/task.h"

void spin_init(struct spinlock *l, const char *name, enum lock_rank rank)
{
    l->locked = 0;
    l->owner = -1;
    l->taken = 0;
    l->order = LOCK_ORDER(rank);
    l->rank = rank;
    l->name = name;
    l->pc = 0;
    l->held_next = NULL;
}

/* Interrupts off, counted. The nesting lives in the hart's `nest` word, which the switch
 * carries with each task (task/switch.S). */
static inline __attribute__((always_inline)) void push_off_inline(void)
{
    uint64_t was_on = intr_save();
    struct hart *h = this_hart();
    if (h->nest.push_depth++ == 0)
        h->nest.push_intr_was_on = was_on != 0;
}

void push_off(void)
{
    push_off_inline();
}

static inline __attribute__((always_inline)) void pop_off_inline(void)
{
    struct hart *h = this_hart();
    if (--h->nest.push_depth == 0 && h->nest.push_intr_was_on)
        intr_on();
}

void pop_off(void)
{
    pop_off_inline();
}

bool spin_holding(const struct spinlock *l)
{
    return l->locked && l->owner == spin_me();
}

/* Where a lock was taken, for a report: "kmain+0x24 (0x80200a4c)". In gdb, `info line *ADDR`
 * turns the address into a file and line. */
static const char *site(char *buf, size_t n, uintptr_t pc)
{
    uint64_t off;
    const char *fn = pc ? ksym_lookup(pc, &off) : NULL;
    if (fn)
        ksnprintf(buf, n, "%s+%#lx (%#lx)", fn, (unsigned long)off, (unsigned long)pc);
    else
        ksnprintf(buf, n, "%#lx", (unsigned long)pc);
    return buf;
}

/* The reports. */
static __attribute__((noreturn, noinline, cold)) void deadlock(struct spinlock *l, uintptr_t pc)
{
    char here[96], there[96];
    panic("probable deadlock: hart %d waited %d ms at %s for lock '%s', held by hart %d "
          "(taken at %s)", hart_index(), SPIN_DEADLOCK_MS, site(here, sizeof(here), pc),
          l->name, l->owner, site(there, sizeof(there), l->pc));
}

static __attribute__((noreturn, noinline, cold)) void reacquire(struct spinlock *l, uintptr_t pc)
{
    char here[96], there[96];
    panic("lock '%s': hart %d takes it again at %s (it took it at %s)", l->name, hart_index(),
          site(here, sizeof(here), pc), site(there, sizeof(there), l->pc));
}

static const char *const rank_names[] = {
    [LOCK_UNORDERED] = "unordered", [LOCK_WAIT] = "wait queue", [LOCK_TASK] = "task",
    [LOCK_RUNQ] = "run queue", [LOCK_TASKS] = "task list", [LOCK_VM] = "address space",
    [LOCK_HEAP] = "heap", [LOCK_FRAMES] = "frames", [LOCK_CONSOLE] = "console",
};

static __attribute__((noreturn, noinline, cold)) void out_of_order(struct spinlock *l,
                                                                  struct spinlock *held,
                                                                  uintptr_t pc)
{
    char here[96], there[96];
    panic("lock order: hart %d takes '%s' (%s) at %s while holding '%s' (%s, taken at %s); "
          "'%s' must be taken first", hart_index(), l->name, rank_names[l->rank],
          site(here, sizeof(here), pc), held->name, rank_names[held->rank],
          site(there, sizeof(there), held->pc), l->name);
}

/* The whole lock-order check, for when the fast one (in acquire) cannot decide: the newest
 * held lock is unordered, or of the same rank, or above l. The held chain is newest first,
 * and every lock on it passed this check when it was taken, so the ranked locks on it are
 * sorted: the newest ranked one is the highest, and it is the only one to compare with. */
static __attribute__((noinline)) void check_order(struct spinlock *l, uintptr_t pc)
{
    struct spinlock *top = hart_held();
    while (top != 0 && top->rank == LOCK_UNORDERED)
        top = top->held_next;
    if (top && l->rank != LOCK_UNORDERED &&
        (l->rank < top->rank || (l->rank == top->rank && l < top)))
        out_of_order(l, top, pc);
}

/* Someone else holds it: spin, reading only, until we have it, and give up loudly after
 * SPIN_DEADLOCK_MS without the lock changing hands. */
static void spin_until_ours(struct spinlock *l, uintptr_t pc)
{
    uint64_t patience = SPIN_DEADLOCK_MS * timer_timebase() / 1000;
    uint64_t deadline = rdtime() + patience;
    uint32_t seen = __atomic_load_n(&l->taken, __ATOMIC_RELAXED);
    bool icount = timer_icount();
    do {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0) {
            /* Under QEMU -icount the harts take turns on one host thread, and a turn spent
             * spinning here is one the owner cannot use to finish and let go: 8 harts
             * allocating at once reported a "probable deadlock" after 2 s of such turns. A
             * wfi ends the turn (kernel/timer.c); the software interrupt made pending first
             * keeps it from sleeping, and is taken later as a harmless extra IPI. */
            if (__builtin_expect(icount, 0)) {
                csr_set(sip, SIP_SSIP);
                wfi();
            }
            uint32_t now_taken = __atomic_load_n(&l->taken, __ATOMIC_RELAXED);
            if (now_taken != seen) {        /* it changed hands: contended, not stuck */
                seen = now_taken;
                deadline = rdtime() + patience;
            } else if (rdtime() > deadline) {
                deadlock(l, pc);
            }
        }
    } while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0);
}

/* Everything but the fast case, checked in full (spinlock.h). */
uint64_t spin_acquire_slow(struct spinlock *l, uintptr_t pc, uint64_t flags)
{
    if (l->owner == spin_me())
        reacquire(l, pc);
    check_order(l, pc);
    if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0) {
        uint64_t began = rdtime();
        spin_until_ours(l, pc);
        struct trace_ring *r = trace_here();    /* ch11: how long it waited, and for what */
        if (!TRACE_OFF(r))
            trace_lock_wait(r, l->name, rdtime() - began);
    }
    spin_took(l, pc, spin_top());
    return flags;
}

static __attribute__((noreturn, noinline, cold)) void foreign_release(struct spinlock *l)
{
    panic("lock '%s': hart %d releases it but does not hold it (owner: hart %d)", l->name,
          hart_index(), l->owner);
}

/* Not ours (a report), or not the newest held lock: find it in the chain, then free it. */
uint64_t spin_release_slow(struct spinlock *l, uint64_t flags)
{
    if (l->owner != spin_me())
        foreign_release(l);
    struct spinlock *at = spin_top();
    while (at->held_next != l)
        at = at->held_next;
    at->held_next = l->held_next;
    spin_freed(l);
    return flags;
}

/* The four entry points below need no stack frame (kernel/riscv.h): every slow path is a tail
 * jump. */
FRAMELESS void spin_lock_at(struct spinlock *l, uintptr_t pc)
{
    push_off_inline();
    if (!spin_acquire_fast(l, pc))
        spin_acquire_slow(l, pc, 0);
}

FRAMELESS void spin_unlock(struct spinlock *l)
{
    if (!spin_release_fast(l))
        spin_release_slow(l, 0);
    pop_off_inline();
}

FRAMELESS uint64_t spin_lock_irqsave_at(struct spinlock *l, uintptr_t pc)
{
    uint64_t flags = intr_save();
    if (!spin_acquire_fast(l, pc))
        return spin_acquire_slow(l, pc, flags);
    return flags;
}

FRAMELESS void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    if (!spin_release_fast(l))
        flags = spin_release_slow(l, flags);
    intr_restore(flags);
}

void spin_held_at_switch(const char *where)
{
    struct hart *h = this_hart();
    struct spinlock *l = h->held;
    char there[96];
    panic("task '%s' %s while holding lock '%s' (taken at %s)",
          h->current ? h->current->name : "?", where, l->name, site(there, sizeof(there), l->pc));
}
