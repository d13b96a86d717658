/* syscall.h: the system calls (numbers and meanings: user/syscall.h). kernel/trap.S calls
 * syscall_entry() for an ecall from U-mode; the result goes back in the program's a0. */
#ifndef HARTOS_SYSCALL_H
#define HARTOS_SYSCALL_H

struct trap_frame;
#include <stdint.h>
long syscall_entry(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t n, struct trap_frame *tf);
/* ch11: the same, recorded in the trace (trap.S calls it when tracing is on). */
long syscall_entry_traced(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t n,
                          struct trap_frame *tf);

#endif
