/* test_badptr.c: every system call that takes a pointer refuses a bad one with -EFAULT and the
 * program lives on (it is not killed: the kernel never follows a user pointer itself). Bad
 * means: NULL, a kernel address, an unmapped user address, a range that wraps around or runs
 * off the end of the user range, and memory without the needed permission (text and rodata
 * are not writable). Also: a bad fd is -EBADF and an unknown system call is -ENOSYS.
 * Exits 0 when all hold, else the number of the first check that did not (tests/user/check.h). */
#include <stdint.h>
#include <string.h>

#include "tests/user/check.h"

#define KERNEL_ADDR   0x80200000UL          /* the kernel's text on QEMU virt: no U bit */
#define UNMAPPED_ADDR 0x7e000000UL          /* inside the user range, in the stack reserve */

static const char rodata[16] = "read-only";

/* Read into buf, n bytes: fd 0 accepts any length, and 0 bytes are available. */
static long read_into(unsigned long buf, unsigned long n)
{
    return sys_read(0, (void *)buf, n);
}

static long write_from(unsigned long buf, unsigned long n)
{
    return sys_write(1, (const void *)buf, n);
}

static void reads_and_writes(void)
{
    char ok[8];
    CHECK_EQ(1, read_into(0, 1), -EFAULT);
    CHECK_EQ(2, read_into(KERNEL_ADDR, 1), -EFAULT);
    CHECK_EQ(3, read_into(UNMAPPED_ADDR, 1), -EFAULT);
    CHECK_EQ(4, read_into(USER_BASE, UINT64_MAX), -EFAULT);           /* wraps around */
    CHECK_EQ(5, read_into((unsigned long)rodata, 1), -EFAULT);        /* read-only data */
    CHECK_EQ(6, read_into((unsigned long)&reads_and_writes, 1), -EFAULT);   /* own text */
    CHECK_EQ(7, read_into(USER_TOP - 4, 8), -EFAULT);                 /* runs off the top */
    /* good, and 0 bytes: since ch8 a read of n > 0 waits for a typed line */
    CHECK_EQ(8, read_into((unsigned long)ok, 0), 0);

    CHECK_EQ(10, write_from(0, 1), -EFAULT);
    CHECK_EQ(11, write_from(KERNEL_ADDR, 16), -EFAULT);
    CHECK_EQ(12, write_from(UNMAPPED_ADDR, 1), -EFAULT);
    CHECK_EQ(13, write_from(USER_BASE, UINT64_MAX), -EFAULT);
    CHECK_EQ(14, write_from(USER_TOP - 4, 8), -EFAULT);
    CHECK_EQ(15, write_from((unsigned long)rodata, 0), 0);            /* nothing to write */
    CHECK_EQ(16, sys_write(1, "test_badptr: a good write\n", 26), 26);

    CHECK_EQ(20, sys_read(1, ok, 1), -EBADF);
    CHECK_EQ(21, sys_read(-1, ok, 1), -EBADF);
    CHECK_EQ(22, sys_write(0, "x", 1), -EBADF);
    CHECK_EQ(23, sys_write(3, "x", 1), -EBADF);
    CHECK_EQ(24, sys_read(7, NULL, 1), -EBADF);                       /* the fd is checked first */
}

static void spawns(void)
{
    char *good_argv[] = {"test_child", "exit", "3", NULL};
    char *bad_element[] = {"test_child", (char *)UNMAPPED_ADDR, NULL};
    char *kernel_element[] = {"test_child", (char *)KERNEL_ADDR, NULL};
    CHECK_EQ(30, sys_spawn(NULL, NULL), -EFAULT);
    CHECK_EQ(31, sys_spawn((const char *)KERNEL_ADDR, NULL), -EFAULT);
    CHECK_EQ(32, sys_spawn((const char *)UNMAPPED_ADDR, NULL), -EFAULT);
    CHECK_EQ(33, sys_spawn("test_child", (char *const *)KERNEL_ADDR), -EFAULT);
    CHECK_EQ(34, sys_spawn("test_child", (char *const *)UNMAPPED_ADDR), -EFAULT);
    CHECK_EQ(35, sys_spawn("test_child", bad_element), -EFAULT);
    CHECK_EQ(36, sys_spawn("test_child", kernel_element), -EFAULT);
    /* argv[] itself running off the top of the user range: its last slot would be at USER_TOP. */
    char **top = (char **)(USER_TOP - 8);
    char *saved = *top;
    *top = "test_child";
    CHECK_EQ(37, sys_spawn("test_child", top), -EFAULT);
    *top = saved;
    /* A name whose NUL would lie past the end of the user range: the last bytes of the stack
     * (argv's strings, used no more) hold "...child" with no terminator. */
    char *name_end = (char *)USER_TOP - 10;
    memcpy(name_end, "test_child", 10);
    CHECK_EQ(38, sys_spawn(name_end, NULL), -EFAULT);
    /* After all that, spawning still works. */
    long pid = sys_spawn("test_child", good_argv);
    CHECK(39, pid > 0, "spawn test_child exit 3 after the bad spawns");
    int status = -1;
    CHECK_EQ(40, sys_wait(pid, &status), pid);
    CHECK_EQ(41, status, 3);
}

/* wait checks its status pointer before it waits: a child that never ends cannot hang a wait
 * that was going to fail anyway, and the child is still there to wait for properly. */
static void waits(void)
{
    char *exit_42[] = {"test_child", "exit", "42", NULL};
    char *spin[] = {"test_child", "spin", NULL};
    int status = -1;
    long pid = sys_spawn("test_child", exit_42);
    CHECK(50, pid > 0, "spawn test_child exit 42");
    CHECK_EQ(51, sys_wait(pid, (int *)KERNEL_ADDR), -EFAULT);
    CHECK_EQ(52, sys_wait(pid, (int *)UNMAPPED_ADDR), -EFAULT);
    CHECK_EQ(53, sys_wait(pid, (int *)(void *)rodata), -EFAULT);
    CHECK_EQ(54, sys_wait(pid, (int *)(USER_TOP - 2)), -EFAULT);      /* half past the top */
    CHECK_EQ(55, sys_wait(pid, &status), pid);
    CHECK_EQ(56, status, 42);

    pid = sys_spawn("test_child", spin);
    CHECK(57, pid > 0, "spawn test_child spin");
    CHECK_EQ(58, sys_wait(pid, (int *)KERNEL_ADDR), -EFAULT);         /* does not hang */
    CHECK_EQ(59, sys_kill(pid), 0);
    CHECK_EQ(60, sys_wait(pid, &status), pid);
    CHECK_EQ(61, status, WSTATUS_KILLED);
}

static void task_lists(void)
{
    struct task_info list[4];
    CHECK_EQ(70, sys_tasks(NULL, 4), -EFAULT);
    CHECK_EQ(71, sys_tasks((struct task_info *)KERNEL_ADDR, 4), -EFAULT);
    CHECK_EQ(72, sys_tasks((struct task_info *)UNMAPPED_ADDR, 4), -EFAULT);
    CHECK_EQ(73, sys_tasks((struct task_info *)(void *)rodata, 1), -EFAULT);
    CHECK_EQ(74, sys_tasks((struct task_info *)(USER_TOP - sizeof(list[0])), 2), -EFAULT);
    CHECK(75, sys_tasks(list, 4) >= 1, "sys_tasks with a good buffer lists at least this task");
}

/* Numbers the kernel does not know. */
static void unknown_calls(void)
{
    CHECK_EQ(80, check_raw_syscall(9999), -ENOSYS);
    CHECK_EQ(81, check_raw_syscall(0), -ENOSYS);
    CHECK_EQ(82, check_raw_syscall(-1), -ENOSYS);
    CHECK_EQ(83, check_raw_syscall(SYS_foreground + 1), -ENOSYS);  /* past the last (ch8) */
    CHECK_EQ(84, check_raw_syscall(SYS_getpid + (1L << 32)), -ENOSYS);   /* not truncated */
}

int main(void)
{
    check_program = "test_badptr";
    reads_and_writes();
    task_lists();
    unknown_calls();
    waits();
    spawns();       /* last: it overwrites the top of the stack, where argv's strings are */
    printf("test_badptr: all checks passed\n");
    return 0;
}
