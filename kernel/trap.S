/* trap.S: the S-mode trap vector. Every interrupt and exception on every hart comes here
 * (stvec, direct mode). It saves all registers in a struct trap_frame on the kernel stack,
 * calls trap_handle(frame) in C, restores the (possibly edited) frame and returns with sret.
 *
 * Where the kernel stack is depends on where the trap came from. The convention (the same as
 * Linux's) is the sscratch CSR: 0 while the hart runs the kernel, and the address of this
 * hart's struct hart while it runs a user program (ch7). tp always holds that address in
 * the kernel. So one swap tells the two cases apart without touching any other register.
 */
#include "kernel/trap.h"

    .cfi_sections .debug_frame
    .section .text
    .balign 4                       /* stvec's low two bits select the mode: 0 = direct */
    .globl trap_vector

/* The registers every trap saves: all that C does not preserve (a handler may change them),
 * plus ra, gp and s0 (the frame pointer, for backtraces). s1-s11 are callee-saved: C code
 * leaves them as it found them, and a task switch saves them per task (task/switch.S). */
.macro SAVE_CALLER_SAVED
    sd      ra, TF_RA(sp)
    sd      gp, TF_GP(sp)
    sd      t0, 32(sp)
    sd      t1, 40(sp)
    sd      t2, 48(sp)
    sd      s0, 56(sp)
    sd      a0, 72(sp)
    sd      a1, 80(sp)
    sd      a2, 88(sp)
    sd      a3, 96(sp)
    sd      a4, 104(sp)
    sd      a5, 112(sp)
    sd      a6, 120(sp)
    sd      a7, 128(sp)
    sd      t3, 216(sp)
    sd      t4, 224(sp)
    sd      t5, 232(sp)
    sd      t6, 240(sp)
.endm

/* The rest of a program's frame: s1-s11, for a report or whoever inspects it. */
.macro SAVE_S1_S11
    sd      s1, 64(sp)
    sd      s2, 136(sp)
    sd      s3, 144(sp)
    sd      s4, 152(sp)
    sd      s5, 160(sp)
    sd      s6, 168(sp)
    sd      s7, 176(sp)
    sd      s8, 184(sp)
    sd      s9, 192(sp)
    sd      s10, 200(sp)
    sd      s11, 208(sp)
.endm

/* The interrupted sp (parked in user_sp) and tp (in sscratch), and sscratch = 0: we are in the
 * kernel now, so a trap taken from here on (a nested one) takes the kernel path. */
.macro SAVE_SP_TP
    ld      t0, HART_USER_SP(tp)
    sd      t0, TF_SP(sp)
    csrrw   t0, sscratch, zero
    sd      t0, TF_TP(sp)
.endm

/* The trap CSRs, into the frame; scause last, left in t0 for the dispatch. */
.macro SAVE_CSRS
    csrr    t0, sepc
    sd      t0, TF_SEPC(sp)
    csrr    t0, sstatus
    sd      t0, TF_SSTATUS(sp)
    csrr    t0, stval
    sd      t0, TF_STVAL(sp)
    csrr    t0, scause
    sd      t0, TF_SCAUSE(sp)
.endm

trap_vector:
    .cfi_startproc
    .cfi_signal_frame               /* gdb: the "caller" was interrupted, not calling */
    .cfi_undefined ra               /* until the frame exists, nothing to unwind to */
    csrrw   tp, sscratch, tp        /* tp <-> sscratch */
    bnez    tp, .Lfrom_user          /* sscratch was nonzero: we were in U-mode */

    /* From the kernel: sscratch was 0, so the kernel's tp is now in sscratch. Take it back and
     * stay on the current stack.
     *
     * Is there room for the frame on this stack? Not when a task overflowed its kernel stack
     * into the unmapped guard page below it (ch7): the fault lands here with sp in the guard
     * page, and storing the frame there would fault again, forever. So if sp - TF_SIZE is
     * below the floor of the current stack, build the frame on this hart's spare stack and
     * let trap_handle name the overflow. t0 is borrowed through user_sp. */
    csrrw   tp, sscratch, zero      /* sscratch = 0 again: we are in the kernel */
    sd      t0, HART_USER_SP(tp)
    ld      t0, HART_STACK_FLOOR(tp)
    addi    t0, t0, TF_SIZE
    bltu    sp, t0, .Lstack_overflow
    ld      t0, HART_USER_SP(tp)
    addi    sp, sp, -TF_SIZE
    SAVE_CALLER_SAVED               /* ch10: not s1-s11 (see above): eleven stores fewer */
    addi    t0, sp, TF_SIZE
    sd      t0, TF_SP(sp)
    sd      tp, TF_TP(sp)
    SAVE_CSRS
    j       .Lsaved

.Lfrom_user:
    /* tp = this hart. Park the interrupted sp, move to the kernel stack, make the frame. */
    sd      sp, HART_USER_SP(tp)
    ld      sp, HART_KERNEL_SP(tp)
    addi    sp, sp, -TF_SIZE
    SAVE_CALLER_SAVED
    SAVE_SP_TP
    SAVE_CSRS
    /* A system call needs no more (ch10). Any other trap from a program keeps its frame
     * whole, s1-s11 too, for a report or whoever inspects it. */
    addi    t1, t0, -8              /* scause 8: an ecall from U-mode, a system call */
    beqz    t1, .Lsyscall
    SAVE_S1_S11

.Lsaved:
    /* For gdb's backtrace, describe the frame in DWARF (raw bytes: the assembler has no
     * directive for an expression): the caller's stack pointer (the CFA) is the word at
     * sp + TF_SP; its pc is at sp + TF_SEPC; its s0 at sp + TF_S0.
     *   0x0f len DW_OP_breg2(sp) off DW_OP_deref        CFA = *(sp + 8)
     *   0x10 reg len DW_OP_breg2(sp) off                register reg is saved at sp + off */
    .cfi_escape 0x0f, 0x03, 0x72, TF_SP, 0x06
    .cfi_escape 0x10, 0x01, 0x03, 0x72, 0xf8, 0x01  /* ra (x1) <- sepc, at sp + 248 (SLEB128) */
    .cfi_escape 0x10, 0x08, 0x02, 0x72, TF_S0       /* s0 (x8), at sp + 56 */

    /* trap_handle's prologue saves the interrupted s0 as its "caller's" frame pointer, so
     * panic's backtrace, too, continues into the interrupted code. */
    bltz    t0, .Linterrupt         /* scause's top bit: an interrupt */
    j       .Lgeneral

.Lsyscall:
    /* ch7: straight to kernel/syscall.c, with the arguments still in a0..a2 and the number in
     * a7: syscall_entry(a0, a1, a2, number, frame). Its result goes back to the program's a0.
     * ch9: with interrupts on. The frame is saved, so the call may be preempted like any
     * kernel code (and resume on another hart: tp is put right on the way back, below); a
     * long call (a big brk, a spawn) no longer holds its hart deaf to ticks and Ctrl-C. */
    mv      a3, a7
    mv      a4, sp
    csrsi   sstatus, 1 << 1         /* sstatus.SIE */
    ld      t0, HART_TRACE(tp)      /* ch11: tracing? two instructions when it is off */
    bnez    t0, .Lsyscall_traced
    call    syscall_entry
.Lsyscall_done:
    csrci   sstatus, 1 << 1         /* SIE off before sepc and sstatus are reloaded */
    sd      a0, TF_A0(sp)

.Lto_user:
    /* Every way back to U-mode passes here (ch9: a killed program ends on its way back, in
     * task_cancel_point). ch10 looks at the flag in assembly, once for every kind of trap,
     * so that the common case costs three instructions and no call. */
    ld      t0, HART_CURRENT(tp)
    lbu     t0, TASK_ABORT_REQUESTED(t0)
    beqz    t0, trap_return
    call    task_cancel_point
    j       trap_return

.Linterrupt:
    /* ch10: the timer interrupt, the commonest trap of all, goes straight to its handler,
     * without trap_handle's bookkeeping (it needs none: it cannot nest, since interrupts are
     * off in it, and it does not end a task). The other interrupts go the general way. */
    slli    t0, t0, 1               /* the cause code, doubled (the top bit shifted out) */
    addi    t0, t0, -2 * 5          /* IRQ_S_TIMER (kernel/riscv.h) */
    bnez    t0, .Lgeneral
    ld      t0, HART_TRACE(tp)      /* ch11: tracing on? two instructions when it is off */
    bnez    t0, .Ltimer_traced
    call    timer_interrupt
.Ltimer_done:
    lbu     t0, HART_NEED_RESCHED(tp)
    beqz    t0, .Lreturn
    call    sched_preempt           /* switch tasks; we return here when resumed */
    j       .Lreturn

.Lsyscall_traced:
    call    syscall_entry_traced    /* the same, between two trace events (syscall.c) */
    j       .Lsyscall_done

.Ltimer_traced:
    /* ch11: the same, between two trace events (kernel/trace.c). */
    mv      a0, sp
    call    trace_timer_enter
    call    timer_interrupt
    call    trace_timer_exit
    j       .Ltimer_done

.Lgeneral:
    mv      a0, sp
    call    trap_handle
.Lreturn:
    ld      t0, TF_SSTATUS(sp)
    andi    t0, t0, 1 << 8          /* sstatus.SPP: 1 if back to the kernel, 0 to U-mode */
    beqz    t0, .Lto_user

    .globl trap_return
trap_return:
    /* sp points at the frame to resume (the handler may have edited it). */
    ld      t0, TF_SEPC(sp)
    csrw    sepc, t0
    ld      t0, TF_SSTATUS(sp)
    csrw    sstatus, t0             /* SPP and SPIE say where sret goes and with what SIE */

    /* Returning to U-mode (SPP = 0): the next trap from there must find this hart through
     * sscratch and land at the top of this kernel stack; the program's tp comes back. Back to
     * the kernel, tp stays this hart's: the interrupted task may have been switched out inside
     * this trap and resumed on another hart, and the tp in its frame is the old hart's. */
    andi    t0, t0, 1 << 8          /* sstatus.SPP */
    bnez    t0, 1f
    addi    t0, sp, TF_SIZE
    sd      t0, HART_KERNEL_SP(tp)
    csrw    sscratch, tp
    ld      tp, TF_TP(sp)
1:
    /* Reload what C may have changed. s0-s11 are not reloaded: they are callee-saved, so
     * trap_handle and everything it calls leave them as they found them, and a task switch in
     * between saves and restores them per task (task/switch.S). That saves twelve loads on every
     * trap. A frame built from scratch (a new user program, ch7) must therefore set s0-s11 in
     * the registers itself before coming here. */
    ld      ra, TF_RA(sp)
    ld      gp, TF_GP(sp)
    ld      t0, 32(sp)
    ld      t1, 40(sp)
    ld      t2, 48(sp)
    ld      a0, 72(sp)
    ld      a1, 80(sp)
    ld      a2, 88(sp)
    ld      a3, 96(sp)
    ld      a4, 104(sp)
    ld      a5, 112(sp)
    ld      a6, 120(sp)
    ld      a7, 128(sp)
    ld      t3, 216(sp)
    ld      t4, 224(sp)
    ld      t5, 232(sp)
    ld      t6, 240(sp)
    ld      sp, TF_SP(sp)           /* last: it was our base register */
    sret

.Lstack_overflow:
    /* Out of line: build the whole frame on the spare stack, and go the general way whatever
     * the trap, so that trap_handle names the overflow (a timer interrupt too: its own path
     * would handle it here on the spare stack as if nothing were wrong, ch10's review found).
     * sscratch = the kernel's tp again, for SAVE_SP_TP; t0 comes back from user_sp first. */
    csrw    sscratch, tp
    ld      t0, HART_USER_SP(tp)
    sd      sp, HART_USER_SP(tp)
    ld      sp, HART_OVERFLOW_SP(tp)
    addi    sp, sp, -TF_SIZE
    SAVE_CALLER_SAVED
    SAVE_S1_S11
    SAVE_SP_TP
    SAVE_CSRS
    j       .Lgeneral
    .cfi_endproc

/* enter_user(frame): leave the kernel for a new user program (kernel/proc.c). The frame was
 * built in C; trap_return takes it from there like any other, with SPP = 0 sending it to
 * U-mode. trap_return does not reload s0-s11 (see above), so they are zeroed here: a program
 * must not start with kernel values in its registers. */
    .globl enter_user
enter_user:
    mv      sp, a0
    li      s0, 0
    li      s1, 0
    li      s2, 0
    li      s3, 0
    li      s4, 0
    li      s5, 0
    li      s6, 0
    li      s7, 0
    li      s8, 0
    li      s9, 0
    li      s10, 0
    li      s11, 0
    j       trap_return
