/* syscall.c: the system calls, one function each, reached from kernel/trap.c on an ecall from
 * U-mode. The number is in a7, the arguments in a0..a5 (user/syscall.h lists them). Nothing
 * here follows a user pointer: every address is checked against the caller's page table and
 * copied through the kernel's map (kernel/vm_user.c), so a bad one is -EFAULT, never a fault.
 */
#include "kernel/syscall.h"
#include "heap/kheap.h"
#include "kernel/console.h"
#include "kernel/proc.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "kernel/vm.h"
#include "task/task.h"
#include "user/syscall.h"

#define NAME_MAX_LEN 32             /* a program's name, with its NUL */
#define TASKS_MAX    64             /* SYS_tasks reports at most this many */
#define SLEEP_MAX_MS 86400000UL     /* a day: longer sleeps are cut to it */

static struct proc *me(void)
{
    return task_current()->proc;
}

/* No console input yet (chapter 8 adds it): a read is at the end of its input. */
static long sys_read(int fd, uint64_t buf, size_t n)
{
    if (fd != 0)
        return -EBADF;
    if (n > 0 && vm_user_ok(me()->vm, buf, n, VM_WRITE) != 0)
        return -EFAULT;
    return 0;
}

/* The whole buffer is checked first and then written under the console lock, so one write
 * comes out whole, even with other harts printing. */
static long sys_write(int fd, uint64_t buf, size_t n)
{
    if (fd != 1 && fd != 2)
        return -EBADF;
    if (vm_user_ok(me()->vm, buf, n, VM_READ) != 0)
        return -EFAULT;
    char chunk[128];
    console_lock();
    for (size_t done = 0; done < n;) {
        size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
        copy_from_user(me()->vm, chunk, buf + done, k);
        for (size_t i = 0; i < k; i++)
            console_putc(chunk[i]);
        done += k;
    }
    console_unlock();
    return (long)n;
}

/* brk(addr): move the break to addr and return where it is. Like Linux, a break that cannot
 * move (below the start, past the limit, out of memory) returns the old one. */
static long sys_brk(uint64_t addr)
{
    struct proc *p = me();
    uint64_t limit = p->brk_base + USER_HEAP_MAX;
    if (addr < p->brk_base || addr > limit || addr > USER_IMAGE_TOP)
        return (long)p->brk;
    uint64_t old_end = (p->brk + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    uint64_t new_end = (addr + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    if (new_end > old_end && vm_alloc_map(p->vm, old_end, new_end - old_end,
                                          VM_READ | VM_WRITE) != 0)
        return (long)p->brk;
    if (new_end < old_end)
        vm_unmap(p->vm, new_end, old_end - new_end);
    p->brk = addr;
    return (long)addr;
}

/* spawn(name, argv): copy the name and the argument strings in (argv may be NULL: then the
 * program gets its name alone), then load it. */
static long sys_spawn(uint64_t uname, uint64_t uargv)
{
    struct vm *vm = me()->vm;
    char name[NAME_MAX_LEN];
    long r = copy_string_from_user(vm, name, uname, sizeof(name));
    if (r < 0)
        return r == -ENAMETOOLONG ? -ENOENT : r;
    char *strings = kmalloc(USER_ARGV_BYTES), *argv[USER_ARGV_MAX];
    if (strings == NULL)
        return -ENOMEM;
    int argc = 0;
    size_t used = 0;
    for (; uargv != 0; argc++) {
        uint64_t up;
        if (copy_from_user(vm, &up, uargv + 8 * (uint64_t)argc, sizeof(up)) != 0) {
            r = -EFAULT;
            goto out;
        }
        if (up == 0)
            break;
        if (argc == USER_ARGV_MAX) {
            r = -E2BIG;
            goto out;
        }
        r = copy_string_from_user(vm, strings + used, up, USER_ARGV_BYTES - used);
        if (r < 0) {
            r = r == -ENAMETOOLONG ? -E2BIG : r;
            goto out;
        }
        argv[argc] = strings + used;
        used += (size_t)r + 1;
    }
    if (argc == 0)
        argv[argc++] = name;
    int err;
    struct task *t = proc_spawn(name, argc, argv, &err);
    r = t ? (long)t->id : err;
out:
    kfree(strings);
    return r;
}

/* wait(pid, &status): the status pointer is checked before waiting, so a bad one cannot lose
 * the child's status. */
static long sys_wait(int64_t pid, uint64_t ustatus)
{
    if (ustatus && vm_user_ok(me()->vm, ustatus, sizeof(int), VM_WRITE) != 0)
        return -EFAULT;
    int status;
    long r = proc_wait(pid, &status);
    if (r >= 0 && ustatus)
        copy_to_user(me()->vm, ustatus, &status, sizeof(status));
    return r;
}

static long sys_tasks(uint64_t ubuf, size_t n)
{
    n = n < TASKS_MAX ? n : TASKS_MAX;
    if (vm_user_ok(me()->vm, ubuf, n * sizeof(struct task_info), VM_WRITE) != 0)
        return -EFAULT;
    struct task_info *list = kmalloc(TASKS_MAX * sizeof(*list));
    if (list == NULL)
        return -ENOMEM;
    int got = task_list(list, (int)n);
    copy_to_user(me()->vm, ubuf, list, (size_t)got * sizeof(*list));
    kfree(list);
    return got;
}

long syscall(struct trap_frame *tf)
{
    uint64_t a0 = tf->a0, a1 = tf->a1, a2 = tf->a2;
    switch (tf->a7) {
    case SYS_getpid:      return (long)task_current()->id;
    case SYS_read:        return sys_read((int)a0, a1, a2);
    case SYS_write:       return sys_write((int)a0, a1, a2);
    case SYS_exit:        proc_exit((int)a0);
    case SYS_sched_yield: task_yield(); return 0;
    case SYS_kill:        return proc_kill((int64_t)a0);
    case SYS_brk:         return sys_brk(a0);
    case SYS_spawn:       return sys_spawn(a0, a1);
    case SYS_wait:        return sys_wait((int64_t)a0, a1);
    case SYS_sleep_ms:    task_sleep_ms(a0 < SLEEP_MAX_MS ? a0 : SLEEP_MAX_MS); return 0;
    case SYS_uptime_ms:   return (long)uptime_ms();
    case SYS_tasks:       return sys_tasks(a0, a1);
    default:              return -ENOSYS;
    }
}
