/* hart.h: the per-hart area. Each hart the kernel runs has one struct hart, and while in the
 * kernel its tp register points at it (boot/entry.S and kmain set tp; trap.S keeps it).
 * So "which hart am I" is one register read, with no table lookup and no lock.
 */
#ifndef HARTOS_HART_H
#define HARTOS_HART_H

#include "kernel/param.h"
#include "kernel/trap.h"
#include "task/sched.h"

struct spinlock;

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
    int trap_depth;             /* traps being handled right now: 1 normally, 2 = nested */
    uint64_t trap_cause;        /* scause of the trap being handled, for the nested report */
    uint64_t breakpoints;       /* kernel ebreaks reported and skipped */

    /* Timer (kernel/timer.c). */
    uint64_t timer_next;        /* the next deadline, in timebase ticks */
    uint64_t timer_rem;         /* drift-free stepping: remainder accumulated so far */
    uint64_t ticks;             /* timer periods passed on this hart (late ones included) */

    /* Scheduler (task/sched.c). */
    struct task *current;       /* the task running on this hart */
    struct task *idle;          /* what runs when nothing else can: the boot context */
    struct runq runq;           /* runnable tasks waiting for this hart */
    struct list_node sleepers;  /* sleeping tasks, by wake-up time */
    bool need_resched;          /* sched_tick asks for a switch when the interrupt ends */
    struct task *switched_from; /* set across a switch: the task this hart just left */
    uint64_t idle_time;         /* timebase ticks spent in the idle task, up to idle_since */
    uint64_t idle_since;        /* when it last switched to the idle task */

    /* Spinlocks (kernel/spinlock.c). */
    int push_depth;             /* nested push_off calls */
    bool push_intr_was_on;      /* interrupts were on at the outermost push_off */
    struct spinlock *held;      /* spinlocks held now, newest first (chained through them) */
    uint64_t timer_interrupts;  /* timer interrupts actually taken */

    struct vm *vm;              /* the user address space in satp; NULL: the kernel's (ch7) */
};

extern struct hart harts[MAX_HARTS];

static inline struct hart *this_hart(void)
{
    struct hart *h;
    __asm__ volatile("mv %0, tp" : "=r"(h));
    return h;
}

static inline uint64_t hart_id(void)
{
    return this_hart()->id;
}

/* Make harts[index] this hart's area: tp points at it from now on. */
void hart_init(int index, uint64_t hartid, uint64_t stack_lo, uint64_t stack_hi);

/* The bounds of the stack this code runs on: backtraces must not leave it. */
void hart_stack_bounds(uint64_t *lo, uint64_t *hi);

#endif
