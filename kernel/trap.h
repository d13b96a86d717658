/* trap.h: the trap frame, the snapshot of a hart's registers that kernel/trap.S saves on the
 * kernel stack when an interrupt or exception arrives, and the C handler it calls.
 * The offsets are shared with trap.S, so they are macros; trap.c checks them against the struct.
 */
#ifndef HARTOS_TRAP_H
#define HARTOS_TRAP_H

/* Byte offsets of each saved register: x1..x31 at 8 * (n - 1), then the trap CSRs. */
#define TF_RA      0
#define TF_SP      8
#define TF_GP      16
#define TF_TP      24
#define TF_T0      32
#define TF_S0      56
#define TF_A0      72
#define TF_SEPC    248
#define TF_SSTATUS 256
#define TF_SCAUSE  264
#define TF_STVAL   272
#define TF_SIZE    288      /* 35 words, rounded up to keep sp 16-byte aligned */

/* Offsets into struct hart (kernel/hart.h) that trap.S uses. */
#define HART_KERNEL_SP 0
#define HART_USER_SP   8
#define HART_STACK_HI  40       /* boot/entry.S: a secondary hart's first stack */
#define HART_STACK_FLOOR 48     /* a kernel trap needs TF_SIZE bytes above this ... */
#define HART_OVERFLOW_SP 56     /* ... or it builds its frame on this stack instead */
/* And two that C reads in one instruction, `ld rd, OFF(tp)` (task_current, hart_held): a task
 * may be preempted between `mv a0, tp` and a load through a0 and resume on another hart, with
 * a0 still naming the old one (chapter 9). A single load off tp cannot be split that way. */
#define HART_INDEX   24       /* read by spinlock.h's fast paths */
#define HART_CURRENT 64
#define HART_HELD    72
/* The nesting that belongs to the running task, not to the hart (struct nest): one word, so
 * that task/switch.S carries it across a switch in two loads and two stores (ch10). */
#define HART_NEST    80
/* The flag trap.S checks before a system call returns (struct task, task/task.h). */
#define TASK_ABORT_REQUESTED 301
/* And the one trap.S checks after a timer interrupt (ch10). */
#define HART_NEED_RESCHED 88
/* This hart's trace ring, or 0 when tracing is off: trace.h and trap.S look at it (ch11). */
#define HART_TRACE   368

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

/* How deep the running task is in traps and push_off sections. A task preempted inside a trap
 * handler, or switched away inside push_off (wait_block), comes back to the same depths, even
 * on another hart, while the task that runs meanwhile has its own: so the word is saved in the
 * task's context at every switch and the next task's is loaded (task/switch.S). */
struct nest {
    int32_t push_depth;         /* nested push_off calls */
    int16_t trap_depth;         /* traps being handled right now: 1 normally, 2 = nested */
    bool push_intr_was_on;      /* interrupts were on at the outermost push_off */
} __attribute__((aligned(8)));

/* s1-s11 are saved only for traps from U-mode other than system calls (ch10): C preserves
 * them, so nothing else needs them, and a kernel trap's frame holds stale values there. */
struct trap_frame {
    uint64_t ra, sp, gp, tp;
    uint64_t t0, t1, t2;
    uint64_t s0, s1;
    uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
    uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
    uint64_t t3, t4, t5, t6;
    uint64_t sepc;          /* where the trap happened (or the instruction to resume at) */
    uint64_t sstatus;       /* SPP: the mode we came from; SPIE: interrupts before the trap */
    uint64_t scause;        /* interrupt bit + cause code */
    uint64_t stval;         /* the faulting address or instruction, cause-dependent */
};

void trap_init_hart(void);                  /* point stvec at trap_vector on this hart */
/* ch12: a trap before that, with the faulting code's ra and s0 (boot/entry.S) */
__attribute__((noreturn)) void early_trap(uint64_t ra, uint64_t s0);
void trap_handle(struct trap_frame *tf);    /* called by trap.S */
const char *trap_cause_name(uint64_t scause);

/* Handlers that other modules register: the timer (ch3), later the PLIC (ch8). */
void timer_interrupt(struct trap_frame *tf);

#endif /* __ASSEMBLER__ */
#endif
