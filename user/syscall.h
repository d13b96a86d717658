/* syscall.h -- the user ABI, the single source of truth that the kernel (syscalls, ELF checks,
 * loader) and user programs (user/lib) both include: call numbers, error codes, exit statuses,
 * the user address range, how a program starts, and the limits on what it is given. */
#ifndef HARTOS_USER_SYSCALL_H
#define HARTOS_USER_SYSCALL_H

#include <stdint.h>

/* How to call: `ecall` with the number in a7 and arguments in a0..a5; the result comes back in
 * a0, and a negative result is -E... below. Numbers follow Linux riscv64
 * (include/uapi/asm-generic/unistd.h) where Linux has the same call; ours start at 500. */
#define SYS_read        63  /* (fd, buf, n) -> bytes read; fd 0 is the console */
#define SYS_write       64  /* (fd, buf, n) -> bytes written; fd 1 and 2 are the console */
#define SYS_exit        93  /* (status) -> does not return; status & 0xff is the exit status */
#define SYS_sched_yield 124 /* () -> 0 */
#define SYS_kill        129 /* (pid, 0) -> 0; the task ends with WSTATUS_KILLED */
#define SYS_getpid      172 /* () -> pid */
#define SYS_brk         214 /* (addr) -> the new break; brk(0) asks for the current one */
#define SYS_spawn       500 /* (name, argv, flags) -> pid of a new task running program `name`;
                               flags: 0, or SPAWN_FOREGROUND (ch8) */
#define SYS_wait        501 /* (pid, int *status, flags) -> pid; status gets the WSTATUS below.
                               pid -1: any child, the pid of the one that ended (ch9); flags:
                               0, or WAIT_NOHANG (ch9); -ECHILD if there is no such child */
#define SYS_sleep_ms    502 /* (ms) -> 0 */
#define SYS_uptime_ms   503 /* () -> milliseconds since boot */
#define SYS_tasks       504 /* (struct task_info *, n) -> entries filled, at most n (for ps) */
/* ch8, for the shell and its programs: */
#define SYS_program_name 505 /* (i, buf, n) -> length of the i-th embedded program's name, copied
                                with its NUL (-EINVAL if n is too small); -ENOENT past the last */
#define SYS_heap_stats  506 /* (struct heap_info *) -> 0 */
#define SYS_poweroff    507 /* (status) -> does not return: QEMU exits with status (0..255) */
#define SYS_foreground  508 /* (pid) -> 0: Ctrl-C on the console kills pid (a child of the
                               caller, or 0 for none); -ESRCH if pid is not a child; -EPERM
                               if the caller does not own the console (below, ch9) */

/* SYS_spawn's flags. SPAWN_FOREGROUND: the new program is the console's foreground (the one
 * Ctrl-C kills, see SYS_foreground) from before it first runs, so a Ctrl-C typed at once cannot
 * fall between the spawn and a separate SYS_foreground. */
#define SPAWN_FOREGROUND 1

/* Who may change the foreground (SYS_foreground, SPAWN_FOREGROUND), since ch9: the console's
 * owner (the program the kernel started, init: the shell), the foreground program itself, and
 * the program that made it the foreground. Anyone else gets -EPERM (spawn checks before it
 * starts anything). Whoever changes it becomes the one that made it so. Thus the shell can
 * always take the console back; its foreground job may hand the console to a child of its own
 * and take it back; a background job cannot take Ctrl-C away from the shell's job. */

/* SYS_wait's flags. WAIT_NOHANG: do not block; if the child (or, for pid -1, every child) is
 * still running, return 0 and leave *status alone. A shell reaps its finished background jobs
 * with wait(-1, &status, WAIT_NOHANG) until it returns 0 or -ECHILD. */
#define WAIT_NOHANG 1

/* Error codes, returned negated. The values are Linux's (asm-generic/errno-base.h), so they
 * differ from picolibc's <errno.h> (ENOSYS is 88 there): compare results with these names and
 * do not include <errno.h> in the same file. */
#define EPERM   1  /* not allowed (changing the foreground without owning the console) */
#define ENOENT  2  /* no program of that name */
#define ESRCH   3  /* no task with that pid */
#define E2BIG   7  /* argv exceeds USER_ARGV_MAX or USER_ARGV_BYTES */
#define ENOEXEC 8  /* the program is not an ELF executable we accept (kernel/elf.c says why) */
#define EBADF   9  /* fd is not 0, 1 or 2 */
#define ECHILD  10 /* wait for a task that is not our child */
#define EAGAIN  11 /* no task slot free now */
#define ENOMEM  12 /* out of memory (brk, spawn) */
#define EFAULT  14 /* a pointer argument is not readable/writable user memory */
#define EEXIST  17 /* (kernel-internal) a page is already mapped there */
#define EINVAL  22 /* an argument is out of range */
#define ENAMETOOLONG 36 /* a string (a program name, an argument) is too long */
#define ENOSYS  38 /* no such system call */

/* What an error code means, in a few words, for messages: "no such program" for ENOENT or
 * -ENOENT (as calls return it). Messages name errors with this, never by number; both sides
 * use it (the kernel's init, the shell, the user programs), so each code has one name. */
static inline const char *error_name(long err)
{
    switch (err < 0 ? -err : err) {
    case EPERM:        return "not allowed";
    case ENOENT:       return "no such program";
    case ESRCH:        return "no such task";
    case E2BIG:        return "too many arguments, or too long";
    case ENOEXEC:      return "not an executable hartos accepts";
    case EBADF:        return "no such file descriptor";
    case ECHILD:       return "not a child";
    case EAGAIN:       return "no task slot free";
    case ENOMEM:       return "out of memory";
    case EFAULT:       return "bad address";
    case EEXIST:       return "already mapped";
    case EINVAL:       return "invalid argument";
    case ENAMETOOLONG: return "name too long";
    case ENOSYS:       return "no such system call";
    default:           return "unknown error";
    }
}

/* Wait statuses. 0..255 is the value passed to exit (masked to 8 bits, as on Linux); the others
 * follow the shell's 128 + signal number, so a test runner reads them as sh would. */
#define WSTATUS_FAULT   139 /* a memory fault (128 + SIGSEGV) */
#define WSTATUS_ILLEGAL 132 /* an illegal instruction (128 + SIGILL) */
#define WSTATUS_KILLED  137 /* ended by kill (128 + SIGKILL) */

/* SYS_tasks fills an array of these. Fixed-width fields, so both sides agree on the layout. */
#define TASK_NAME_LEN 16
enum task_info_state {
    TASK_INFO_READY = 0,   /* runnable, waiting for a hart */
    TASK_INFO_RUNNING = 1, /* on a hart now (see hart) */
    TASK_INFO_BLOCKED = 2, /* sleeping or waiting */
    TASK_INFO_EXITED = 3,  /* ended, not yet waited for */
};
struct task_info {
    int32_t pid;
    char name[TASK_NAME_LEN]; /* NUL-terminated, truncated if longer */
    int32_t state;            /* enum task_info_state */
    uint32_t hart_id;         /* the hart it runs on, last ran on, or waits for: its id, the
                                 one the device tree, SBI, the boot line and gdb use (not the
                                 kernel's index, which counts harts in the order they came up) */
    uint64_t ticks;           /* timer ticks it has spent running */
};

/* SYS_heap_stats fills one of these: the kernel heap (heap/kheap.h) and the page frames. */
struct heap_info {
    uint64_t arena_bytes;   /* memory the heap manages */
    uint64_t used_bytes;    /* in blocks handed out, headers included */
    uint64_t free_bytes;
    uint64_t free_blocks;
    uint64_t largest_free;  /* the largest block kmalloc could hand out now (plus a header) */
    uint64_t allocs, frees; /* kmalloc and kfree calls since boot */
    uint64_t frames_total, frames_free;    /* 4 KiB page frames; free counts cached ones */
    uint64_t frames_cached; /* of the free: ended tasks' stacks kept for reuse (ch10) */
};

/* The user address space (Sv39, privileged spec 4.4). Each program's page table also holds the
 * kernel's identity map (devices below 1 GiB, RAM from 2 GiB on QEMU virt, all without the U
 * bit), so traps need no table switch; user pages live in the gigabyte between, root entry 1
 * (kernel/vm.c checks that the kernel leaves it free). Address 0 and everything outside this
 * range fault in U-mode: kernel pages lack U, and the rest is unmapped.
 *
 *   USER_TOP        0x8000_0000  end of the user range (not a user address itself)
 *                   stack: argv strings, argv[], then sp; grows down, USER_STACK_SIZE mapped
 *   USER_IMAGE_TOP  0x7f00_0000  USER_STACK_RESERVE below the top: no segment, no heap above
 *                   heap: from the page after the last segment, grown by brk
 *                   data, bss   (R+W)
 *   USER_BASE       0x4000_0000  text, rodata (R+X, R)
 */
#define USER_PAGE_SIZE     0x1000UL
#define USER_BASE          0x40000000UL
#define USER_TOP           0x80000000UL
#define USER_STACK_TOP     USER_TOP
#define USER_STACK_SIZE    0x10000UL   /* what the loader maps for the stack (64 KiB) */
#define USER_STACK_RESERVE 0x1000000UL /* kept free of segments below the top (16 MiB) */
#define USER_IMAGE_TOP     (USER_TOP - USER_STACK_RESERVE)
#define USER_IMAGE_MAX     0x1000000UL /* sum of the segments' memsz (16 MiB) */
#define USER_HEAP_MAX      0x4000000UL /* how far brk may grow past the image (64 MiB) */

/* Limits on what spawn passes: at most USER_ARGV_MAX strings of USER_ARGV_BYTES in total,
 * counting each string's NUL. More is -E2BIG. */
#define USER_ARGV_MAX   32
#define USER_ARGV_BYTES 1024

/* How a program starts. The kernel enters _start (the ELF entry) in U-mode with
 *   a0 = argc, a1 = argv (argv[argc] == NULL), every other register 0, sp 16-byte aligned.
 * The stack, from USER_STACK_TOP down: the argument strings (each NUL-terminated), padding to
 * 8 bytes, argv[0..argc] (argc + 1 pointers, the last NULL), padding so sp % 16 == 0. So
 * sp <= argv, and nothing the program needs lies below sp. argv[0] is the program's name. */

#endif
