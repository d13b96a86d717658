/* hart.h: the per-hart area. Each hart the kernel runs has one struct hart, and while in the
 * kernel its tp register points at it (boot/entry.S and kmain set tp; trap.S keeps it).
 * So "which hart am I" is one register read, with no table lookup and no lock.
 *
 * The answer is only true while the task cannot move (chapter 9): with interrupts on, a task
 * may be preempted right after reading tp and resume on another hart, still holding the old
 * hart's address. So use this_hart() with interrupts off, or in a task pinned to its hart
 * (the race-widening build checks it), or read a field in one instruction off tp
 * (task_current, hart_held, hart_index).
 */
#ifndef HARTOS_HART_H
#define HARTOS_HART_H

#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/trap.h"
#include "task/sched.h"

struct spinlock;
struct kheap_cache;
struct trace_ring;

#include <stdbool.h>
#include <stdint.h>

struct hart {
    /* Read by trap.S at fixed offsets (HART_KERNEL_SP, HART_USER_SP in kernel/trap.h). */
    uint64_t kernel_sp;         /* stack top for a trap from U-mode; scratch for S-mode traps */
    uint64_t user_sp;           /* the interrupted sp, while trap.S builds the frame */

    uint64_t id;                /* the hart id SBI and the device tree use */
    int index;                  /* our own number for it: harts[index]; the boot hart is 0 */
    uint64_t stack_lo, stack_hi;    /* the boot stack, for backtraces */
    /* trap.S's overflow check (HART_STACK_FLOOR, HART_OVERFLOW_SP): the lowest address of the
     * stack this hart runs on now (task/sched.c keeps it), and a spare stack for the trap that
     * finds no room below sp, so that a kernel stack overflow can still be reported. */
    uint64_t stack_floor;
    uint64_t overflow_sp;
    struct task *current;       /* the task running on this hart (HART_CURRENT); other
                                   harts read it as a hint (sched_kick_if_idle) */
    struct spinlock *held;      /* spinlocks held now, newest first, chained through them
                                   (HART_HELD; kernel/spinlock.c) */
    struct nest nest;           /* the running task's trap and push_off nesting (HART_NEST) */
    bool need_resched;          /* sched_tick asks for a switch when the interrupt ends
                                   (HART_NEED_RESCHED: trap.S reads it) */
    uint64_t trap_cause;        /* scause of the trap being handled, for the nested report */
    uint64_t breakpoints;       /* kernel ebreaks reported and skipped */

    /* Timer (kernel/timer.c). */
    uint64_t timer_next;        /* the next deadline, in timebase ticks */
    uint64_t timer_rem;         /* drift-free stepping: remainder accumulated so far */
    uint64_t ticks;             /* timer periods passed on this hart (late ones included) */

    /* Scheduler (task/sched.c). Owner hart only, with interrupts off, except where marked. */
    struct task *idle;          /* what runs when nothing else can: the boot context */
    struct runq runq;           /* runnable tasks waiting for this hart */
    struct wait_queue sleepers; /* tasks sleeping on this hart, by wake-up time (its lock) */
    struct task *switched_from; /* set across a switch: the task this hart just left */
    uint64_t idle_time;         /* timebase ticks spent in the idle task, up to idle_since */
    uint64_t idle_since;        /* when it last switched to the idle task */
    uint64_t guards_seen;       /* vm_guards_made when this hart last flushed its TLB (ch10) */
    struct task *task_cache;    /* ended tasks kept for reuse, and how many (task/task.c) */
    int tasks_cached;
    uint32_t current_ticks;     /* current's ticks_run at the last tick, truncated: what other
                                   harts' balancers read (ch11), without a lock (in a hole of
                                   the struct: a larger struct makes harts[i] cost more) */

    uint64_t timer_interrupts;  /* timer interrupts actually taken */

    struct vm *vm;              /* the user address space in satp; NULL: the kernel's (ch7) */
    uint64_t kernel_flushes;    /* TLB flushes done for another hart's vm_kernel_unguard (ch9) */

    struct kheap_cache *heap_cache; /* this hart's heap cache (heap/cache.h), set by heap_init;
                                       owner hart only, with interrupts off (ch10) */

    struct trace_ring *trace;   /* this hart's trace ring, or NULL: tracing is off (ch11;
                                   trap.S and kernel/trace.h read it at HART_TRACE) */
};

extern struct hart harts[MAX_HARTS];

void hart_local_check(void);

static inline struct hart *this_hart(void)
{
    struct hart *h;
    __asm__ volatile("mv %0, tp" : "=r"(h));
#ifdef HARTOS_RACE      /* the race-widening build: "cannot move" is checked, not assumed */
    if (csr_read(sstatus) & SSTATUS_SIE)
        hart_local_check();
#endif
    return h;
}

/* This hart's held spinlocks, read in one instruction: safe with interrupts on (the answer is
 * "none" on every hart a task can run on, if it is "none" here). */
static inline struct spinlock *hart_held(void)
{
    return spin_top();          /* kernel/spinlock.h: ld HART_HELD(tp) */
}

/* The hart this task is on at this instruction (it may be on another by the next one: use the
 * answer to report or to count, not to reach the hart's own state). One load off tp, so it is
 * safe with interrupts on. */
static inline uint64_t hart_id(void)
{
    uint64_t id;
    __asm__ volatile("ld %0, %1(tp)" : "=r"(id) : "i"(__builtin_offsetof(struct hart, id)));
    return id;
}

static inline int hart_index(void)
{
    return (int)spin_me();      /* kernel/spinlock.h: lw HART_INDEX(tp) */
}

/* Make harts[index] this hart's area: tp points at it from now on. */
void hart_init(int index, uint64_t hartid, uint64_t stack_lo, uint64_t stack_hi);

/* The bounds of the stack this code runs on: backtraces must not leave it. */
void hart_stack_bounds(uint64_t *lo, uint64_t *hi);

#endif
