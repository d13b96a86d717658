/* syscall.c: the system call stubs. Each loads the number into a7 and the arguments into
 * a0..a2 and executes ecall, which traps to the kernel's U-mode handler; a0 holds the result
 * when the kernel returns to the next instruction. */
#include "user/lib/sys.h"

long syscall3(long number, long arg0, long arg1, long arg2)
{
    register long a0 __asm__("a0") = arg0;
    register long a1 __asm__("a1") = arg1;
    register long a2 __asm__("a2") = arg2;
    register long a7 __asm__("a7") = number;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

long sys_read(int fd, void *buf, size_t n)
{
    return syscall3(SYS_read, fd, (long)buf, (long)n);
}

long sys_write(int fd, const void *buf, size_t n)
{
    return syscall3(SYS_write, fd, (long)buf, (long)n);
}

/* exit and poweroff come back only through a kernel bug, made loud here (status 132). */
static __attribute__((noreturn)) void no_return(long number, long arg0)
{
    syscall3(number, arg0, 0, 0);
    for (;;)
        __asm__ volatile("unimp");
}

void sys_exit(int status)
{
    no_return(SYS_exit, status);
}

long sys_sched_yield(void)
{
    return syscall3(SYS_sched_yield, 0, 0, 0);
}

long sys_kill(long pid)
{
    return syscall3(SYS_kill, pid, 0, 0);
}

long sys_getpid(void)
{
    return syscall3(SYS_getpid, 0, 0, 0);
}

long sys_brk(unsigned long addr)
{
    return syscall3(SYS_brk, (long)addr, 0, 0);
}

long sys_spawn(const char *name, char *const argv[])
{
    return sys_spawn_flags(name, argv, 0);
}

long sys_spawn_flags(const char *name, char *const argv[], int flags)
{
    return syscall3(SYS_spawn, (long)name, (long)argv, flags);
}

long sys_wait(long pid, int *status)
{
    return sys_wait_flags(pid, status, 0);
}

long sys_wait_flags(long pid, int *status, int flags)
{
    return syscall3(SYS_wait, pid, (long)status, flags);
}

long sys_sleep_ms(unsigned long ms)
{
    return syscall3(SYS_sleep_ms, (long)ms, 0, 0);
}

long sys_uptime_ms(void)
{
    return syscall3(SYS_uptime_ms, 0, 0, 0);
}

long sys_tasks(struct task_info *tasks, size_t n)
{
    return syscall3(SYS_tasks, (long)tasks, (long)n, 0);
}

long sys_program_name(long i, char *buf, size_t n)
{
    return syscall3(SYS_program_name, i, (long)buf, (long)n);
}

long sys_heap_stats(struct heap_info *info)
{
    return syscall3(SYS_heap_stats, (long)info, 0, 0);
}

void sys_poweroff(int status)
{
    no_return(SYS_poweroff, status);
}

long sys_foreground(long pid)
{
    return syscall3(SYS_foreground, pid, 0, 0);
}
