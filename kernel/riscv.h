/* riscv.h: names for the RISC-V CSRs and bits the kernel touches, and C accessors for them.
 * Source: the RISC-V Privileged Architecture, chapter "Supervisor-Level ISA" (sstatus, sie, ...).
 * Usable from assembly too: the C parts hide behind __ASSEMBLER__.
 */
#ifndef HARTOS_RISCV_H
#define HARTOS_RISCV_H

/* sstatus fields (Privileged spec, "Supervisor Status Register") */
#define SSTATUS_SIE  (1UL << 1)   /* S-mode interrupts enabled */
#define SSTATUS_SPIE (1UL << 5)   /* SIE before the trap; sret copies it back */
#define SSTATUS_SPP  (1UL << 8)   /* mode before the trap: 1 = S, 0 = U */
#define SSTATUS_SUM  (1UL << 18)  /* S-mode may touch U pages: hartos keeps it 0 */
#define SSTATUS_FS   (3UL << 13)  /* floating-point unit state: 0 = Off, so FP instructions trap */

/* sie / sip bits: which interrupts may be taken / are pending ("Supervisor Interrupt
 * Registers"). The bit number is the interrupt's cause code. */
/* For a hot function that makes no call except tail jumps (chapter 10): build no stack frame
 * for it. The kernel is built with frame pointers (for backtraces), and gcc 12 then gives every
 * function that calls anything a frame, even one whose calls are all jumps that leave it; with
 * this, a backtrace from inside the function jumped to goes straight to our caller. */
#define FRAMELESS __attribute__((optimize("omit-frame-pointer")))

#define IRQ_S_SOFTWARE 1
#define IRQ_S_TIMER    5
#define IRQ_S_EXTERNAL 9
#define SIE_STIE (1UL << IRQ_S_TIMER)
#define SIE_SSIE (1UL << IRQ_S_SOFTWARE)
#define SIE_SEIE (1UL << IRQ_S_EXTERNAL)
#define SIP_SSIP (1UL << IRQ_S_SOFTWARE)

/* scause: the top bit says interrupt; the rest is the code ("Supervisor Cause Register"). */
#define SCAUSE_INTERRUPT (1UL << 63)
#define EXC_INSTRUCTION_MISALIGNED 0
#define EXC_INSTRUCTION_ACCESS     1
#define EXC_ILLEGAL_INSTRUCTION    2
#define EXC_BREAKPOINT             3
#define EXC_LOAD_MISALIGNED        4
#define EXC_LOAD_ACCESS            5
#define EXC_STORE_MISALIGNED       6
#define EXC_STORE_ACCESS           7
#define EXC_ECALL_U                8
#define EXC_ECALL_S                9
#define EXC_INSTRUCTION_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT        13
#define EXC_STORE_PAGE_FAULT       15

/* Sstc extension: the S-mode timer compare register. Named by number because this binutils
 * does not know the name. */
#define CSR_STIMECMP 0x14d

#ifndef __ASSEMBLER__
#include <stdint.h>

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" : : "rK"((uint64_t)(val)))
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" : : "rK"((uint64_t)(bits)))
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" : : "rK"((uint64_t)(bits)))

static inline uint64_t rdtime(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }

/* Interrupts off, returning whether they were on (one csrrci: read and clear together). */
static inline uint64_t intr_save(void)
{
    uint64_t s;
    __asm__ volatile("csrrci %0, sstatus, %1" : "=r"(s) : "i"(SSTATUS_SIE) : "memory");
    return s & SSTATUS_SIE;
}

static inline void intr_restore(uint64_t was_on)
{
    if (was_on)
        intr_on();
}

/* Sleep until an interrupt is pending (it wakes even if interrupts are disabled). */
static inline void wfi(void) { __asm__ volatile("wfi"); }

/* Stop this hart for good: interrupts off, and none enabled in sie, so no pending one (a timer
 * that fired) can end wfi and turn the sleep into a spin. A panic's other harts, a halt, a hart
 * that came too late. */
static inline __attribute__((noreturn)) void hart_halt(void)
{
    intr_off();
    csr_write(sie, 0);
    for (;;)
        wfi();
}

#endif /* __ASSEMBLER__ */
#endif
