/* switch.S: context_switch(old, new) saves the calling task's callee-saved registers into
 * old->ctx and loads new->ctx, so `ret` returns into the new task, at the place where it once
 * called context_switch (or, for a new task, at task_start). The caller-saved registers need no
 * saving: the C code that calls context_switch already assumes a call clobbers them.
 */
#include "kernel/trap.h"

    .section .text
    .globl context_switch
context_switch:                     /* a0 = &old->ctx, a1 = &new->ctx */
    sd      ra, 0(a0)
    sd      sp, 8(a0)
    sd      s0, 16(a0)
    sd      s1, 24(a0)
    sd      s2, 32(a0)
    sd      s3, 40(a0)
    sd      s4, 48(a0)
    sd      s5, 56(a0)
    sd      s6, 64(a0)
    sd      s7, 72(a0)
    sd      s8, 80(a0)
    sd      s9, 88(a0)
    sd      s10, 96(a0)
    sd      s11, 104(a0)
    ld      t0, HART_NEST(tp)       /* ch10: the nesting goes with the task (kernel/trap.h) */
    sd      t0, 112(a0)
    ld      t0, HART_TRACE(tp)      /* ch11: tracing? (two instructions when it is off) */
    bnez    t0, .Ltrace

.Lload:
    ld      ra, 0(a1)
    ld      sp, 8(a1)
    ld      s0, 16(a1)
    ld      s1, 24(a1)
    ld      s2, 32(a1)
    ld      s3, 40(a1)
    ld      s4, 48(a1)
    ld      s5, 56(a1)
    ld      s6, 64(a1)
    ld      s7, 72(a1)
    ld      s8, 80(a1)
    ld      s9, 88(a1)
    ld      s10, 96(a1)
    ld      s11, 104(a1)
    ld      t0, 112(a1)
    sd      t0, HART_NEST(tp)
    ret

/* ch11: record the switch (kernel/trace.c), here rather than in C: the old task's registers
 * are saved already, so the call is free to use them, and the C of the switch keeps its
 * registers as if tracing did not exist. */
.Ltrace:
    mv      s1, a0
    mv      s2, a1
    call    trace_switch
    mv      a0, s1
    mv      a1, s2
    j       .Lload

/* A new task's first instructions (its context's ra): clear ra, so that task_start's frame
 * records no caller and backtraces end there, then enter task_start in C. */
    .globl task_trampoline
task_trampoline:
    li      ra, 0
    tail    task_start
