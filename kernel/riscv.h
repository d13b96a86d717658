/* riscv.h: names for the RISC-V CSRs and bits the kernel touches, and C accessors for them.
 * Source: the RISC-V Privileged Architecture, chapter "Supervisor-Level ISA" (sstatus, sie, ...).
 * Usable from assembly too: the C parts hide behind __ASSEMBLER__.
 */
#ifndef HARTOS_RISCV_H
#define HARTOS_RISCV_H

/* sstatus fields (Privileged spec, "Supervisor Status Register") */
#define SSTATUS_SIE (1UL << 1)    /* S-mode interrupts enabled */
#define SSTATUS_FS  (3UL << 13)   /* floating-point unit state: 0 = Off, so FP instructions trap */

#ifndef __ASSEMBLER__
#include <stdint.h>

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" : : "rK"((uint64_t)(val)))
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" : : "rK"((uint64_t)(bits)))
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" : : "rK"((uint64_t)(bits)))

/* Sleep until an interrupt is pending (it wakes even if interrupts are disabled). */
static inline void wfi(void) { __asm__ volatile("wfi"); }

#endif /* __ASSEMBLER__ */
#endif
