/* task.h: kernel tasks, shaped like Tokio's. task_spawn starts a function on its own stack and
 * returns a handle; task_join waits for it and gives back its result, or says it panicked or
 * was aborted. A task's memory is reclaimed once it has ended and its handle is dropped.
 *
 *   struct task *h = task_spawn("worker", work, arg);     // arg now belongs to the task
 *   void *result;
 *   int err = task_join(h, &result);                      // 0, TASK_EPANICKED, TASK_EABORTED
 *   task_drop(h);
 */
#ifndef HARTOS_TASK_H
#define HARTOS_TASK_H

#include "kernel/list.h"
#include "kernel/spinlock.h"
#include "kernel/trap.h"
#include "task/wait.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TASK_NAME_MAX    16
#define TASK_STACK_PAGES 4          /* 16 KiB kernel stack per task */
#define TASK_SLICE_TICKS 2          /* timer ticks a task may run before it is preempted */
#define TASK_CACHE_MAX   8          /* ended tasks each hart keeps for reuse (ch10) */

/* task_join's errors (and the results it distinguishes). */
#define TASK_EPANICKED (-1)         /* the task called task_panic */
#define TASK_EABORTED  (-2)         /* task_abort ended it */
#define TASK_EJOINED   (-3)         /* this handle was joined before */
#define TASK_ESELF     (-4)         /* a task cannot wait for itself */
#define TASK_EINVAL    (-5)         /* not a live task handle */

typedef void *(*task_fn)(void *arg);

/* TASK_MIGRATING (ch11): running, but being handed to another hart's queue by the periodic
 * balancer; the switch away from it finishes the move (task/sched.c). After TASK_DONE, so that
 * finish_switch's one compare finds both. */
enum task_state { TASK_RUNNABLE, TASK_RUNNING, TASK_BLOCKED, TASK_DONE, TASK_MIGRATING };
enum task_outcome { TASK_RETURNED, TASK_PANICKED, TASK_ABORTED };

/* What task/switch.S saves: the registers a function call must preserve (RISC-V psABI). */
struct context {
    uint64_t ra, sp;
    uint64_t s[12];
    struct nest nest;       /* the task's trap and push_off nesting while it is switched out
                               (kernel/trap.h); a new task's is all zero */
};

/* Who may touch what (chapter 9): "owner" is the task itself, while it runs. A field another
 * hart reads or writes names its lock, or says how it is published. */
struct task {
    struct context ctx;             /* first: switch.S saves into it (owner, then the switch) */
    struct list_node queue_node;    /* on a run queue: that queue's lock (second: task/sched.h
                                       reaches it at a fixed offset) */
    uint64_t magic;                 /* TASK_MAGIC while the struct is a live task */
    uint64_t id;
    char name[TASK_NAME_MAX];
    /* RUNNING <-> RUNNABLE: the switch and the run-queue lock. Into BLOCKED (the owner) and out
     * of it (a waker, task_abort): `lock`, so that "is it blocked?" is a stable answer under
     * it. DONE: the owner, under `lock` and the joiners' lock. */
    enum task_state state;
    enum task_outcome outcome;      /* written before DONE, under the joiners' lock */
    int hart;                       /* its run queue's hart: written under that queue's lock */
    task_fn fn;
    void *arg, *result;
    struct list_node all_node;      /* on the list of every task: tasks_lock (task.c) */
    uint64_t wake_at;               /* sleeping: the time CSR value to wake at (owner) */
    struct wait_queue joiners;      /* tasks in task_join for this one */
    int refs;                       /* the handle + 1 until reaped: atomic */
    bool joined;                    /* joiners.lock */
    bool abort_requested;           /* lock; the owner may read it alone (it is only ever set) */
    bool wait_abortable;            /* lock: blocked in a wait that task_abort may end */
    bool pinned;                    /* task_spawn_local/_on: never moved to another hart */
    bool on_cpu;                    /* a hart runs it or is still saving its registers: set by
                                       the switch in, cleared (release) once it is saved */
    struct spinlock lock;           /* the task lock: state into and out of BLOCKED, aborts */
    struct list_node wait_node;     /* on a wait queue (or a hart's sleepers): that queue's lock */
    struct wait_queue *waiting_on;  /* the queue wait_node is on (NULL if none): its lock */
    int mutexes_held;               /* owner only */
    uint64_t *stack;                /* TASK_STACK_PAGES pages; stack[0] is the canary; the
                                       page below is the unmapped guard page (ch7) */
    uint64_t slice_left;            /* ticks left in this time slice */
    uint64_t ticks_run;             /* timer ticks that found it running */
    int move_to;                    /* TASK_MIGRATING: the hart it goes to */
    struct proc *proc;              /* a user program's (kernel/proc.h), NULL for kernel tasks */
    struct task *cache_next;        /* in its hart's cache of ended tasks (owner hart) */
};

struct task *task_spawn(const char *name, task_fn fn, void *arg);
/* The same, but the task stays on this hart for life: placement and stealing leave it alone
 * (Tokio's spawn_local). For work that must not move, and for measuring one hart alone. */
struct task *task_spawn_local(const char *name, task_fn fn, void *arg);
/* Pinned to hart index `hart` (NULL if there is no such hart). */
struct task *task_spawn_on(int hart, const char *name, task_fn fn, void *arg);
/* A user program's task (kernel/proc.c): proc is attached before it can first run. */
struct proc;
struct task *task_spawn_proc(const char *name, task_fn fn, struct proc *proc);
int task_join(struct task *t, void **result);
void task_drop(struct task *t);
/* Ask t to end (TASK_EABORTED for its joiner), Tokio's way: at a switch point it chose, never
 * in the middle of its work. A kernel task ends at its next task_yield, sleep, task_join or
 * blocking wait (at once if it is blocked in one now); not while it holds a mutex, and never
 * at a preemption. A user program also ends at its next return to U-mode. The current task,
 * from task context, ends at once. Aborting a task that has ended does nothing. */
void task_abort(struct task *t);
/* task_abort by id, for callers that hold no handle (Ctrl-C, kernel/tty.c); safe in an
 * interrupt handler, even one that interrupted the task itself. 0, or -1 if no such live task. */
int task_abort_id(uint64_t id);
void task_yield(void);
void task_sleep_ms(uint64_t ms);
__attribute__((noreturn)) void task_exit(void *result);
__attribute__((noreturn, format(printf, 1, 2))) void task_panic(const char *fmt, ...);

/* The running task: one load off tp, so it is right even if the task moves to another hart
 * around it (kernel/trap.h, HART_CURRENT). Not volatile: for the task that asks, the answer
 * never changes. */
static inline struct task *task_current(void)
{
    struct task *t;
    __asm__("ld %0, %1(tp)" : "=r"(t) : "i"(HART_CURRENT));
    return t;
}
/* Up to max entries (user/syscall.h's struct task_info) describing every task, for ps. */
struct task_info;
int task_list(struct task_info *out, int max);
int task_count(void);               /* tasks not yet reaped (idle tasks excluded) */
/* Frames held by the harts' caches of ended tasks (task.c), read without locks: for leak
 * checks, once the tasks have settled. */
size_t task_cache_frames(void);

/* A switch point: if the current task has an abort pending and holds no mutex, it ends here.
 * task_yield, sleeping, task_join and blocking waits call it; so does the return to U-mode. */
void task_cancel_point(void);
/* Has the current task been aborted? For long work that wants to stop early (sys_brk). */
static inline bool task_aborted(void)
{
    return __atomic_load_n(&task_current()->abort_requested, __ATOMIC_RELAXED);
}
/* End the current task as aborted: where wait_block said TASK_EABORTED, once the caller has
 * released what it holds. */
__attribute__((noreturn)) void task_exit_aborted(void);

/* Internal to task/: end the current task with an outcome; reclaim a task's memory. */
__attribute__((noreturn)) void task_finish(enum task_outcome outcome, void *result);
void task_put(struct task *t);


#endif
