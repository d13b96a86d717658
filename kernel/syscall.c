/* syscall.c: the system calls, one function each, reached from kernel/trap.c on an ecall from
 * U-mode. The number is in a7, the arguments in a0..a5 (user/syscall.h lists them). Nothing
 * here follows a user pointer: every address is checked against the caller's page table and
 * copied through the kernel's map (kernel/vm_user.c), so a bad one is -EFAULT, never a fault.
 */
#include "kernel/syscall.h"
#include "heap/frame.h"
#include "heap/kheap.h"
#include "kernel/console.h"
#include "kernel/hart.h"
#include "kernel/poweroff.h"
#include "kernel/printf.h"
#include "kernel/proc.h"
#include "kernel/programs.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "kernel/trace.h"
#include "kernel/trap.h"
#include "kernel/tty.h"
#include "kernel/vm.h"
#include "task/task.h"
#include "user/syscall.h"

#define NAME_MAX_LEN 32             /* a program's name, with its NUL */
#define TASKS_MAX    128            /* SYS_tasks reports at most this many (make bench: 64
                                       programs, tests/user/bench_syscall.c, and kernel tasks) */
#define SLEEP_MAX_MS 86400000UL     /* a day: longer sleeps are cut to it */
#define BRK_STEP     0x100000UL     /* brk grows 1 MiB at a time */

static struct proc *me(void)
{
    return task_current()->proc;
}

/* The console's next line (kernel/tty.c), or as much of it as fits; blocks until one is
 * typed. The buffer is checked before blocking, so a bad one cannot swallow a line. */
static long sys_read(uint64_t fd, uint64_t buf, size_t n)
{
    if (fd != 0)
        return -EBADF;
    if (n > 0 && vm_user_ok(me()->vm, buf, n, VM_WRITE) != 0)
        return -EFAULT;
    char line[TTY_LINE_MAX];
    size_t got = tty_read(line, n < sizeof(line) ? n : sizeof(line));
    copy_to_user(me()->vm, buf, line, got);
    return (long)got;
}

/* How much of a write is printed under one hold of the console lock. The size of a write is
 * the program's choice, so the lock is never held for all of it: a hart printing meanwhile (or
 * the UART interrupt echoing a key) would spin with interrupts off for as long as the write
 * takes, and past SPIN_DEADLOCK_MS the kernel calls that a deadlock. */
#define WRITE_CHUNK 128

/* The whole buffer is checked first, so a bad one prints nothing and is -EFAULT. Then each
 * chunk is copied in with no lock held and printed under the console lock: one write comes out
 * in order, but another hart's output may land between two of its chunks (a chunk's bytes stay
 * together, as one kprintf's do). */
static long sys_write(uint64_t fd, uint64_t buf, size_t n)
{
    if (fd != 1 && fd != 2)
        return -EBADF;
    if (vm_user_ok(me()->vm, buf, n, VM_READ) != 0)
        return -EFAULT;
    char chunk[WRITE_CHUNK];
    for (size_t done = 0; done < n;) {
        if (task_aborted())         /* killed meanwhile: stop now, not megabytes later */
            return (long)done;
        size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
        copy_from_user(me()->vm, chunk, buf + done, k);
        console_lock();
        for (size_t i = 0; i < k; i++)
            console_putc(chunk[i]);
        console_unlock();
        done += k;
    }
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
    /* Grow a step at a time: a program killed meanwhile stops within a step, not after up to
     * USER_HEAP_MAX of zeroed pages (it ends on its way back to U-mode). */
    for (uint64_t at = old_end; at < new_end; at += BRK_STEP) {
        uint64_t n = new_end - at < BRK_STEP ? new_end - at : BRK_STEP;
        if (task_aborted() || vm_alloc_map(p->vm, at, n, VM_READ | VM_WRITE) != 0) {
            if (at > old_end)
                vm_unmap(p->vm, old_end, at - old_end);
            return (long)p->brk;
        }
    }
    /* Shrink a step at a time too, top down: a program killed meanwhile stops with its break
     * where the unmapping has reached. */
    for (uint64_t at = old_end; at > new_end; at -= BRK_STEP) {
        uint64_t lo = at - new_end < BRK_STEP ? new_end : at - BRK_STEP;
        if (task_aborted()) {
            p->brk = at;
            return (long)at;
        }
        vm_unmap(p->vm, lo, at - lo);
    }
    p->brk = addr;
    return (long)addr;
}

/* spawn(name, argv, flags): copy the name and the argument strings in (argv may be NULL: then
 * the program gets its name alone), then load it. */
static long sys_spawn(uint64_t uname, uint64_t uargv, uint64_t flags)
{
    struct vm *vm = me()->vm;
    if (flags & ~(uint64_t)SPAWN_FOREGROUND)
        return -EINVAL;
    if ((flags & SPAWN_FOREGROUND) && !tty_may_hand_foreground(task_current()->id))
        return -EPERM;
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
    struct task *t = proc_spawn_flags(name, argc, argv, (int)flags, &err);
    r = t ? (long)t->id : err;
out:
    kfree(strings);
    return r;
}

/* wait(pid, &status, flags): the status pointer is checked before waiting, so a bad one
 * cannot lose the child's status. */
static long sys_wait(uint64_t pid, uint64_t ustatus, uint64_t flags)
{
    if (flags & ~(uint64_t)WAIT_NOHANG)
        return -EINVAL;
    if (ustatus && vm_user_ok(me()->vm, ustatus, sizeof(int), VM_WRITE) != 0)
        return -EFAULT;
    int status;
    long r = proc_wait((int64_t)pid, &status, (int)flags);
    if (r > 0 && ustatus)
        copy_to_user(me()->vm, ustatus, &status, sizeof(status));
    return r;
}

static long sys_tasks(uint64_t ubuf, size_t n)
{
    n = n < TASKS_MAX ? n : TASKS_MAX;
    if (vm_user_ok(me()->vm, ubuf, n * sizeof(struct task_info), VM_WRITE) != 0)
        return -EFAULT;
    struct task_info *list = kmalloc(n * sizeof(*list));
    if (list == NULL)
        return -ENOMEM;
    int got = task_list(list, (int)n);
    copy_to_user(me()->vm, ubuf, list, (size_t)got * sizeof(*list));
    kfree(list);
    return got;
}

static long sys_program_name(uint64_t i, uint64_t ubuf, size_t n)
{
    const struct user_program *prog = i < (uint64_t)program_count() ? program_at((int)i) : NULL;
    if (prog == NULL)
        return -ENOENT;
    size_t len = strlen(prog->name);
    if (n < len + 1)
        return -EINVAL;
    if (vm_user_ok(me()->vm, ubuf, len + 1, VM_WRITE) != 0)
        return -EFAULT;
    copy_to_user(me()->vm, ubuf, prog->name, len + 1);
    return (long)len;
}

static long sys_heap_stats(uint64_t ubuf)
{
    if (vm_user_ok(me()->vm, ubuf, sizeof(struct heap_info), VM_WRITE) != 0)
        return -EFAULT;
    struct kheap_stats h;
    struct frame_stats f;
    kheap_stats(&h);
    frame_stats(&f);
    size_t cached = task_cache_frames();
    struct heap_info info = {h.arena_bytes, h.used_bytes, h.free_bytes, h.free_blocks,
                             h.largest_free, h.allocs, h.frees, f.total, f.free + cached,
                             cached};
    copy_to_user(me()->vm, ubuf, &info, sizeof(info));
    return 0;
}

static long sys_poweroff(uint64_t status)
{
    struct task *t = task_current();
    kprintf("poweroff: requested by pid %lu (%s), status %d\n", (unsigned long)t->id, t->name,
            (int)(status & 0xff));
    poweroff((int)(status & 0xff));
}

/* Only a child may be made the foreground: Ctrl-C must not reach tasks the caller could not
 * kill itself. And only the console's owner may do it (kernel/tty.h), or any program could
 * take Ctrl-C away from the shell's job. */
static long sys_foreground(uint64_t pid)
{
    if (pid != 0 && !proc_is_child((int64_t)pid))
        return -ESRCH;
    return tty_hand_foreground(task_current()->id, pid);
}

/* The rest take their arguments as the registers hold them. */
static long sys_getpid(void)
{
    return (long)task_current()->id;
}

static long sys_exit(uint64_t status)
{
    proc_exit((int)status);
}

static long sys_sched_yield(void)
{
    task_yield();
    return 0;
}

static long sys_sleep_ms(uint64_t ms)
{
    task_sleep_ms(ms < SLEEP_MAX_MS ? ms : SLEEP_MAX_MS);
    return 0;
}

static long sys_uptime_ms(void)
{
    return (long)uptime_ms();
}

/* The table: a call's number is its index (Linux's numbers below 500, ours from 500). Each
 * handler gets a0..a2 whatever it declares; one that takes fewer ignores the rest. */
typedef long (*syscall_fn)(uint64_t, uint64_t, uint64_t);
#define CALL(fn) ((syscall_fn)(void (*)(void))(fn))
static const syscall_fn linux_calls[] = {
    [SYS_read] = CALL(sys_read),            [SYS_write] = CALL(sys_write),
    [SYS_exit] = CALL(sys_exit),            [SYS_sched_yield] = CALL(sys_sched_yield),
    [SYS_kill] = CALL(proc_kill),           [SYS_getpid] = CALL(sys_getpid),
    [SYS_brk] = CALL(sys_brk),
};
static const syscall_fn hartos_calls[] = {
    [SYS_spawn - 500] = CALL(sys_spawn),    [SYS_wait - 500] = CALL(sys_wait),
    [SYS_sleep_ms - 500] = CALL(sys_sleep_ms), [SYS_uptime_ms - 500] = CALL(sys_uptime_ms),
    [SYS_tasks - 500] = CALL(sys_tasks),
    [SYS_program_name - 500] = CALL(sys_program_name),
    [SYS_heap_stats - 500] = CALL(sys_heap_stats),
    [SYS_poweroff - 500] = CALL(sys_poweroff), [SYS_foreground - 500] = CALL(sys_foreground),
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* kernel/trap.S calls this straight from the trap vector for an ecall from U-mode (a system
 * call is the trap programs make most, so it skips trap_handle), with the arguments as the
 * program left them in its registers, and with interrupts on (ch9): a call may be preempted,
 * and resume on another hart. A program killed (task_abort) during a call ends when it blocks,
 * or here, on its way back to U-mode, once the call has cleaned up after itself. */
static long no_such_call(uint64_t a0, uint64_t a1, uint64_t a2)
{
    (void)a0, (void)a1, (void)a2;
    return -ENOSYS;
}

/* The call itself is a tail jump (ch10): nothing is left to do after it here, since trap.S
 * checks for a pending kill on the way back. */
FRAMELESS long syscall_entry(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t n,
                             struct trap_frame *tf)
{
    syscall_fn fn = n < COUNT(linux_calls) ? linux_calls[n] :
                    n - 500 < COUNT(hartos_calls) ? hartos_calls[n - 500] : NULL;
    tf->sepc += 4;                          /* resume after the ecall */
    if (__builtin_expect(fn == NULL, 0))
        fn = no_such_call;
    return fn(a0, a1, a2);
}

/* ch11: the same between two trace events, when trap.S finds tracing on. The call may block
 * (sleep, wait, read) and end on another hart: its exit is recorded on the hart it ends on. */
long syscall_entry_traced(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t n,
                          struct trap_frame *tf)
{
    uint64_t id = task_current()->id;
    TRACE(TR_SYSCALL_ENTER, 0, n, id, a0);
    long result = syscall_entry(a0, a1, a2, n, tf);
    TRACE(TR_SYSCALL_EXIT, 0, n, id, result);
    return result;
}
