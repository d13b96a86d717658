/* task.c: a task's life. task_spawn gives it a stack and a first context that starts in
 * task_start; it runs fn(arg); it ends by returning, task_exit, task_panic or task_abort; it is
 * reaped by the next task to run on its hart (a task cannot free the stack it is running on);
 * and its memory goes when the last reference to it is dropped.
 *
 * References: the handle task_spawn returns is one; the task itself holds another until it is
 * reaped. task_drop releases the handle's. So a task nobody joins still runs to its end, and a
 * handle stays valid (task_join can still read the result) after the task has ended.
 */
#include "task/task.h"
#include "heap/frame.h"
#include "heap/kheap.h"
#include "kernel/format.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/proc.h"
#include "kernel/race.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "kernel/trace.h"
#include "kernel/vm.h"
#include "task/sched.h"
#include "user/syscall.h"

#include <stdarg.h>

_Static_assert(__builtin_offsetof(struct task, abort_requested) == TASK_ABORT_REQUESTED,
               "kernel/trap.S's offset");

#define TASK_MAGIC 0x7461736b6861726eUL     /* "tashkarn": a live struct task */

extern char task_trampoline[];
void task_start(void);

/* Every task, for inspection (ktasks), with the id counter and the reference counts. */
static struct spinlock tasks_lock = SPINLOCK_INIT("tasks", LOCK_TASKS);
static struct list_node all_tasks = LIST_INIT(all_tasks);
static uint64_t next_id = 1;
static int live_tasks;

int task_count(void)
{
    return live_tasks;
}

/* The first C a new task runs: context_switch "returns" to task_trampoline (task/switch.S) on
 * the task's fresh stack, which comes here. */
__attribute__((noreturn, used)) void task_start(void)
{
    sched_finish_switch();      /* its nesting is zero: its context's was (task/switch.S) */
    struct task *t = task_current();
    if (__builtin_expect(t->abort_requested, 0))
        task_cancel_point();            /* aborted before it ever ran */
    intr_on();
    task_exit(t->fn(t->arg));
}

/* A task is a run of 1 + TASK_STACK_PAGES frames. The first is a guard page, unmapped while
 * the task lives, so running off the bottom of the stack faults at once (kernel/trap.c names
 * it) instead of overwriting whatever lies below; the canary stays as a second check. The rest
 * is its stack, with the struct task itself at the very top (ch10: one allocation per task,
 * and none from the heap), where a stack growing down never reaches it before the guard. */
#define TASK_RUN_PAGES (1 + TASK_STACK_PAGES)
#define TASK_STRUCT_BYTES ((sizeof(struct task) + 15) & ~15UL)

static struct task *task_alloc(void)
{
    char *run = frame_alloc_run(TASK_RUN_PAGES);
    if (run == NULL)
        return NULL;
    vm_kernel_guard(run);
    struct task *t = (struct task *)(run + TASK_RUN_PAGES * PAGE_SIZE - TASK_STRUCT_BYTES);
    memset(t, 0, sizeof(*t));
    t->stack = (uint64_t *)(run + PAGE_SIZE);
    sched_stack_canary(t);      /* once: every switch away checks it, the last one too */
    wait_init(&t->joiners, "joiners");
    spin_init(&t->lock, "task", LOCK_TASK);
    list_init(&t->queue_node);
    list_init(&t->wait_node);
    return t;
}

static void task_release_run(struct task *t)
{
    char *run = (char *)t->stack - PAGE_SIZE;
    vm_kernel_unguard(run);
    frame_free(run);            /* the struct too: it lives in the run */
}

/* Each hart keeps up to TASK_CACHE_MAX ended tasks, struct, stack and guard page together,
 * ready to be spawned again (ch10): a new task then costs no heap, no frames and no page-table
 * change, and an ended one no TLB shootdown. Only its own hart touches a cache, with
 * interrupts off, so it needs no lock. What the cache holds is not a live task (its magic is
 * cleared): a handle used after task_drop is refused while the struct waits here, though not
 * once a new spawn has reused it (as with chapter 9's heap, which handed the same block back).
 * Bounded, so that a burst of
 * tasks does not leave memory parked here for ever: beyond the bound, tasks are freed. */
static struct task *cache_take(void)
{
    uint64_t s = intr_save();
    struct hart *h = this_hart();
    struct task *t = h->task_cache;
    if (t) {
        h->task_cache = t->cache_next;
        h->tasks_cached--;
    }
    intr_restore(s);
    return t;
}

static void task_free(struct task *t)
{
    t->magic = 0;
    uint64_t s = intr_save();
    struct hart *h = this_hart();
    if (h->tasks_cached < TASK_CACHE_MAX) {
        t->cache_next = h->task_cache;
        h->task_cache = t;
        h->tasks_cached++;
        intr_restore(s);
        return;
    }
    intr_restore(s);
    task_release_run(t);
}

size_t task_cache_frames(void)
{
    size_t n = 0;
    for (int i = 0; i < smp_harts(); i++)
        n += __atomic_load_n(&harts[i].tasks_cached, __ATOMIC_RELAXED);
    return n * TASK_RUN_PAGES;
}

/* Every field a task's life leaves changed, set for a new one (the stack is kept). The rest
 * are right already when a task is reaped, and are not touched: outcome and result are
 * written by task_finish before DONE, and read only after it; wake_at and wait_abortable are
 * written before each sleep or block; slice_left at every switch in; on_cpu is false once a
 * task is reaped, waiting_on NULL once it has left its last wait, and mutexes_held 0 (an end
 * holding a mutex panics), and the canary intact (the task's last switch checked it). A new
 * task's struct starts zeroed (task_alloc). */
static void task_reset(struct task *t, const char *name, task_fn fn, void *arg,
                       struct proc *proc)
{
    size_t n = 0;
    for (; n < TASK_NAME_MAX - 1 && name[n]; n++)
        t->name[n] = name[n];
    t->name[n] = '\0';
    t->magic = TASK_MAGIC;
    t->state = TASK_RUNNABLE;
    t->fn = fn;
    t->arg = arg;
    t->refs = 2;
    t->joined = false;
    t->abort_requested = false;
    t->ticks_run = 0;
    t->proc = proc;
    /* Its locks and lists need nothing: a task ends with both locks free and no joiner left
     * waiting (task_alloc set them up once). */
    /* The first switch into it lands in task_start, on the top of its stack, with the frame
     * pointer 0 so that backtraces end there, and no trap or push_off nesting. */
    t->ctx.ra = (uint64_t)task_trampoline;
    t->ctx.sp = (uint64_t)t;            /* just below the struct, 16-byte aligned */
    t->ctx.s[0] = 0;
    t->ctx.nest = (struct nest){0};
}

static struct task *spawn(const char *name, task_fn fn, void *arg, int pin_to,
                          struct proc *proc)
{
    struct task *t = cache_take();
    if (t == NULL && (t = task_alloc()) == NULL)
        return NULL;
    task_reset(t, name, fn, arg, proc);

    uint64_t flags = spin_lock_irqsave(&tasks_lock);
    t->id = next_id++;
    list_push_back(&all_tasks, &t->all_node);
    live_tasks++;
    spin_unlock_irqrestore(&tasks_lock, flags);
    /* Unless pinned, its hart is ours to begin with: sched_make_runnable moves it to an idle
     * hart (and wakes that one) if there is one. Interrupts off, so "ours" stays ours. */
    uint64_t sie = intr_save();
    t->hart = pin_to >= 0 ? pin_to : this_hart()->index;
    t->pinned = pin_to >= 0;
    struct trace_ring *r = trace_here();
    if (!TRACE_OFF(r))
        trace_spawn(r, t);              /* ch11: its name, for the pictures */
    sched_make_runnable(t);
    intr_restore(sie);
    return t;
}

struct task *task_spawn(const char *name, task_fn fn, void *arg)
{
    return spawn(name, fn, arg, -1, NULL);
}

struct task *task_spawn_local(const char *name, task_fn fn, void *arg)
{
    uint64_t sie = intr_save();
    int here = this_hart()->index;
    intr_restore(sie);
    return spawn(name, fn, arg, here, NULL);
}

struct task *task_spawn_proc(const char *name, task_fn fn, struct proc *proc)
{
    return spawn(name, fn, proc, -1, proc);
}

struct task *task_spawn_on(int hart, const char *name, task_fn fn, void *arg)
{
    if (hart < 0 || hart >= smp_harts())
        return NULL;
    return spawn(name, fn, arg, hart, NULL);
}

static bool task_valid(const struct task *t)
{
    return t != NULL && t->magic == TASK_MAGIC;
}

/* Drop one reference; the last one takes the task off the list of all tasks and frees it (to
 * this hart's cache). The count is atomic, so only the last drop takes the lock. */
void task_put(struct task *t)
{
    if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    assert(t->state == TASK_DONE);
    uint64_t flags = spin_lock_irqsave(&tasks_lock);
    list_remove(&t->all_node);
    live_tasks--;
    spin_unlock_irqrestore(&tasks_lock, flags);
    task_free(t);
}

void task_drop(struct task *t)
{
    if (!task_valid(t))
        panic("task_drop(%p): not a live task handle", (void *)t);
    task_put(t);
}

int task_join(struct task *t, void **result)
{
    if (!task_valid(t))
        return TASK_EINVAL;
    if (t == task_current())
        return TASK_ESELF;
    uint64_t flags = spin_lock_irqsave(&t->joiners.lock);
    if (t->joined) {
        spin_unlock_irqrestore(&t->joiners.lock, flags);
        return TASK_EJOINED;
    }
    t->joined = true;
    while (t->state != TASK_DONE)
        if (wait_block(&t->joiners) != 0) {     /* the joiner itself was aborted */
            t->joined = false;
            spin_unlock_irqrestore(&t->joiners.lock, flags);
            task_exit_aborted();
        }
    spin_unlock_irqrestore(&t->joiners.lock, flags);
    if (t->outcome == TASK_PANICKED)
        return TASK_EPANICKED;
    if (t->outcome == TASK_ABORTED)
        return TASK_EABORTED;
    if (result)
        *result = t->result;
    return 0;
}

void task_finish(enum task_outcome outcome, void *result)
{
    intr_off();
    struct task *t = task_current();
    if (t == this_hart()->idle)
        panic("the idle task tried to end");
    if (t->mutexes_held)
        panic("task '%s' ended holding %d mutex(es)", t->name, t->mutexes_held);
    if (t->proc) {
        /* A user program: its memory and its children's handles go now, its status stays.
         * How much that is, the program chose (a big heap, thousands of children), so it is
         * done with interrupts on (chapter 9). A trap it may have ended in (a fault, a kill on
         * the way back to U-mode) is abandoned: that frame is never returned to. */
        this_hart()->nest.trap_depth = 0;
        intr_on();
        proc_release(t);
        intr_off();
    }
    spin_lock_irqoff(&t->joiners.lock);     /* interrupts are off from here to the end */
    t->outcome = outcome;
    t->result = result;
    spin_lock_irqoff(&t->lock); /* DONE under the task lock too: task_abort then does nothing */
    t->state = TASK_DONE;       /* the next task to run on this hart reclaims it */
    spin_unlock_irqoff(&t->lock);
    wait_wake_all(&t->joiners);
    spin_unlock_irqoff(&t->joiners.lock);
    TRACE(TR_EXIT, outcome, t->id, result, 0);
    sched_switch();
    panic("task '%s' ran after it ended", t->name);
}

void task_exit(void *result)
{
    task_finish(TASK_RETURNED, result);
}

void task_panic(const char *fmt, ...)
{
    struct task *t = task_current();
    char msg[128];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kprintf("task '%s' (id %lu) panicked: %s\n", t->name, (unsigned long)t->id, msg);
    task_finish(TASK_PANICKED, NULL);
}

void task_exit_aborted(void)
{
    task_finish(TASK_ABORTED, NULL);
}

void task_cancel_point(void)
{
    struct task *t = task_current();
    if (__builtin_expect(__atomic_load_n(&t->abort_requested, __ATOMIC_RELAXED), 0) &&
        t->mutexes_held == 0)
        task_finish(TASK_ABORTED, NULL);
}

/* Tokio's abort (see task/task.h). A blocked task is woken so that it can end (task/wait.c);
 * a running one is left to reach its next switch point, and its hart is sent an IPI, so that
 * a user program running there comes into the kernel, and meets its end on the way back. */
void task_abort(struct task *t)
{
    if (!task_valid(t))
        panic("task_abort(%p): not a live task handle", (void *)t);
    if (t == task_current()) {
        uint64_t s = intr_save();
        bool in_trap = this_hart()->nest.trap_depth != 0;
        intr_restore(s);
        /* In task context, aborting itself is a switch point it chose. From an interrupt that
         * came in while it ran (Ctrl-C on the console) it is not: it ends at the next one. */
        if (!in_trap && t->mutexes_held == 0)
            task_exit_aborted();
    }
    RACE_WINDOW();
    int hart = wait_abort(t);
    if (hart >= 0 && t != task_current())
        smp_kick(hart);
}

int task_abort_id(uint64_t id)
{
    struct task *t = NULL;
    spin_lock(&tasks_lock);
    for (struct list_node *l = all_tasks.next; l != &all_tasks; l = l->next) {
        struct task *c = list_entry(l, struct task, all_node);
        if (c->id == id && c->state != TASK_DONE) {
            /* A reference, so that it cannot be freed under us once the lock is gone; unless
             * its count is already 0: then its last task_put is waiting for our lock, and it
             * is as good as gone. */
            int refs = __atomic_load_n(&c->refs, __ATOMIC_RELAXED);
            while (refs > 0 && !__atomic_compare_exchange_n(&c->refs, &refs, refs + 1, false,
                                                            __ATOMIC_ACQ_REL,
                                                            __ATOMIC_RELAXED))
                ;
            if (refs > 0)
                t = c;
            break;
        }
    }
    spin_unlock(&tasks_lock);
    if (t == NULL)
        return -1;
    task_abort(t);
    task_put(t);
    return 0;
}

void task_sleep_ms(uint64_t ms)
{
    sleep_until(rdtime() + ms * timer_timebase() / 1000);
}

int task_list(struct task_info *out, int max)
{
    int n = 0;
    spin_lock(&tasks_lock);
    for (struct list_node *l = all_tasks.next; l != &all_tasks && n < max; l = l->next, n++) {
        struct task *t = list_entry(l, struct task, all_node);
        struct task_info *i = &out[n];
        memset(i, 0, sizeof(*i));
        i->pid = (int32_t)t->id;
        memcpy(i->name, t->name, TASK_NAME_MAX < TASK_NAME_LEN ? TASK_NAME_MAX : TASK_NAME_LEN);
        i->name[TASK_NAME_LEN - 1] = '\0';
        i->state = t->state == TASK_RUNNING ? TASK_INFO_RUNNING :
                   t->state == TASK_RUNNABLE || t->state == TASK_MIGRATING ? TASK_INFO_READY :
                   t->state == TASK_BLOCKED ? TASK_INFO_BLOCKED : TASK_INFO_EXITED;
        i->hart_id = (uint32_t)harts[t->hart].id;  /* the id, not our index (user/syscall.h) */
        i->ticks = t->ticks_run;
    }
    spin_unlock(&tasks_lock);
    return n;
}
