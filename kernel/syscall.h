/* syscall.h: the system calls (numbers and meanings: user/syscall.h). kernel/trap.c calls
 * syscall() for an ecall from U-mode; its result goes back in a0. */
#ifndef HARTOS_SYSCALL_H
#define HARTOS_SYSCALL_H

struct trap_frame;
long syscall(struct trap_frame *tf);

#endif
