/* proc.h: user programs. A user program is a task (task/task.h) with a struct proc: its own
 * address space (kernel/vm.h), its break, and the programs it spawned. It is loaded from an ELF
 * image embedded in the kernel (kernel/programs.h, checked by kernel/elf.c) and entered in
 * U-mode; from then on it reaches the kernel only through traps (kernel/trap.c): system calls
 * (kernel/syscall.c), interrupts, and faults, which end it alone.
 *
 * Tokio's shape carries over: the pid is the task's id, waiting for a program is joining its
 * task, and killing one is aborting it. Its exit status is the join result (0..255), or
 * WSTATUS_FAULT / _ILLEGAL when a fault ended it, or WSTATUS_KILLED when it was aborted.
 */
#ifndef HARTOS_PROC_H
#define HARTOS_PROC_H

#include "kernel/list.h"

#include <stdbool.h>
#include <stdint.h>

struct task;
struct trap_frame;

struct proc {
    struct vm *vm;
    uint64_t brk_base, brk;         /* the heap: [brk_base, brk), grown page by page */
    uint64_t entry, sp, argv;       /* how it starts: pc, stack pointer, a1 */
    int argc;
    /* Set before it runs, then read-only: */
    bool owns_console;              /* started by a kernel task (init): the console's owner
                                       (kernel/tty.h) from before it runs (ch9) */
    uint64_t foreground_giver;      /* SPAWN_FOREGROUND: the spawner, which hands it the console
                                       as it starts (ch8); 0 if none */
    struct list_node children;      /* struct child: programs it spawned, not yet waited for
                                       (its own task only) */
    /* For wait(-1) (ch9), guarded by kernel/proc.c's family lock: */
    struct child *as_child;         /* its entry in its parent's children, NULL if the parent is
                                       a kernel task or has ended */
    int children_ended;             /* children that have ended and are not yet waited for */
};

/* Load program `name` with argv[0..argc) (kernel strings; argv[0] is usually the name) into a
 * new address space and start it as a task. Returns the task, or NULL with *err set to
 * -ENOENT (no such program), -ENOEXEC (refused: elf_check's reason is printed), -E2BIG, or
 * -ENOMEM (also printed, with what ran out). On an error nothing stays allocated. Called by a program (SYS_spawn), the handle
 * becomes that program's, for proc_wait; called by a kernel task, the handle is the caller's,
 * as task_spawn's is (join it, then drop it). */
struct task *proc_spawn(const char *name, int argc, char *const argv[], int *err);
/* The same with SYS_spawn's flags: SPAWN_FOREGROUND makes the program the console's foreground
 * (kernel/tty.h) as it starts, before its first instruction, if the spawner may still hand it
 * on then (SYS_spawn checks first, so normally it may). */
struct task *proc_spawn_flags(const char *name, int argc, char *const argv[], int flags,
                              int *err);

/* The same for an image that need not be one of the embedded programs (the loader's tests). */
struct user_program;
struct task *proc_spawn_image(const struct user_program *prog, int argc, char *const argv[],
                              int flags, int *err);

/* The status a joined program ended with (see above). */
int proc_status(int join_result, void *result);

/* For the calling program (the current task's proc): */
/* Wait for child pid, or for any child if pid is -1: its pid (and *status), -ECHILD if it has
 * no such child, or 0 if flags has WAIT_NOHANG and the child (every child, for -1) runs on. */
int proc_wait(int64_t pid, int *status, int flags);
int proc_kill(int64_t pid);                /* 0, or -ESRCH: not its child */
bool proc_is_child(int64_t pid);           /* spawned by it and not yet waited for */
__attribute__((noreturn)) void proc_exit(int status);

/* A trap from U-mode that is not an interrupt or a system call: the program is killed and the
 * reason printed on one line. */
__attribute__((noreturn)) void proc_fault(struct trap_frame *tf);

/* task/task.c, when a task with a proc ends (however): free its address space and drop the
 * handles of its children (which run on, unwaited). It calls proc_ended first. */
void proc_release(struct task *t);

/* A program has ended: its parent's wait(-1) may reap it now. Called by the ending task itself
 * while t->proc is still attached and before the task is DONE (before task_join can return:
 * proc_wait relies on it, and panics if it did not happen). proc_release does it, so
 * task_finish's call to proc_release is enough. */
void proc_ended(struct task *t);

#endif
