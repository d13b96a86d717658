/* sys.h: one C function per system call (user/lib/syscall.c), named sys_* so they do not clash
 * with picolibc's POSIX declarations. Each returns what the kernel put in a0: a result, or a
 * negative error code from user/syscall.h. */
#ifndef HARTOS_USER_SYS_H
#define HARTOS_USER_SYS_H

#include <stddef.h>

#include "user/syscall.h"

/* Any call by number, with three arguments: what every stub below does, and what a test uses
 * for numbers no stub has (tests/user). */
long syscall3(long number, long arg0, long arg1, long arg2);
long sys_read(int fd, void *buf, size_t n);
long sys_write(int fd, const void *buf, size_t n);
__attribute__((noreturn)) void sys_exit(int status);
long sys_sched_yield(void);
long sys_kill(long pid);
long sys_getpid(void);
long sys_brk(unsigned long addr);
long sys_spawn(const char *name, char *const argv[]);    /* flags 0 */
long sys_spawn_flags(const char *name, char *const argv[], int flags);
long sys_wait(long pid, int *status);                   /* flags 0 */
long sys_wait_flags(long pid, int *status, int flags);
long sys_sleep_ms(unsigned long ms);
long sys_uptime_ms(void);
long sys_tasks(struct task_info *tasks, size_t n);
long sys_program_name(long i, char *buf, size_t n);
long sys_heap_stats(struct heap_info *info);
__attribute__((noreturn)) void sys_poweroff(int status);
long sys_foreground(long pid);

#endif
