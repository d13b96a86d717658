/* sched.c: run queues, switching, time slices and the idle loop (see task/sched.h).
 *
 * A switch goes straight from the old task to the next one: sched_switch picks the next task
 * and context_switch jumps into it. There is no scheduler thread in between (xv6 switches
 * through one, which costs a second switch every time). Everything here runs with interrupts
 * off: on one hart, that is what makes a run queue or a wait queue safe to change. Chapter 6
 * adds a lock per run queue for the other harts.
 */
#include "task/sched.h"
#include "heap/frame.h"
#include "kernel/vm.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/proc.h"
#include "kernel/race.h"
#include "kernel/vm.h"
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/trace.h"
#include "task/task.h"
#include "task/wait.h"

_Static_assert(__builtin_offsetof(struct task, ctx.nest) == 112, "task/switch.S's offset");


/* Harts idling with nothing queued, one bit each: where new work should go. A hart sets its
 * bit as it goes idle; whoever gives it work clears the bit first (a claim, so that two harts
 * placing tasks at once pick different idle harts), and the idle loop sets it again if it is
 * still idle after that. */
static uint64_t idle_mask;

static inline void set_idle(const struct hart *h)
{
    __atomic_fetch_or(&idle_mask, 1UL << h->index, __ATOMIC_RELAXED);
}

/* Claim hart i if it is idle: true if its bit was set, and it is ours now. */
static inline bool claim(int i)
{
    uint64_t bit = 1UL << i;
    return (__atomic_load_n(&idle_mask, __ATOMIC_RELAXED) & bit) &&
           (__atomic_fetch_and(&idle_mask, ~bit, __ATOMIC_RELAXED) & bit);
}

/* Claim any idle hart: its index, or -1. */
static int claim_any(void)
{
    while (__atomic_load_n(&idle_mask, __ATOMIC_RELAXED) != 0)
        for (int i = 0; i < smp_harts(); i++)
            if (claim(i))
                return i;
    return -1;
}

/* h has just been given work: wake it if it idles. The fence pairs with the one in
 * sched_idle: this hart stores the task into h's queue and then loads h->current, while h
 * stores current = idle and then loads its queue's length. Without a full fence on both
 * sides each load may be served before the other hart's store is seen (RISC-V lets a load
 * pass an earlier store to another address), and both miss: h sleeps in wfi with work queued
 * until its next tick. */
void sched_kick_if_idle(struct hart *h)
{
    if (h->index == hart_index())
        return;                         /* our own queue: we are not idle, and we will look */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&h->current, __ATOMIC_RELAXED) == h->idle)
        smp_kick(h->index);
}

void sched_make_runnable(struct task *t)
{
    int to = t->hart;
    if (!claim(to) && !t->pinned) {     /* its own hart is busy: is another one idle? */
        int idle = claim_any();
        if (idle >= 0)
            to = idle;
    }
    struct hart *h = &harts[to];
    uint64_t sie = intr_save();
    spin_lock_irqoff(&h->runq.lock);
    t->hart = to;
    struct trace_ring *r = trace_here();    /* ch11: before t is queued, so before it can */
    if (!TRACE_OFF(r))                      /* run anywhere */
        trace_emit_wake(r, t);
    t->state = TASK_RUNNABLE;
    runq_push(&h->runq, t);
    spin_unlock_irqoff(&h->runq.lock);
    intr_restore(sie);
    sched_kick_if_idle(h);
}

/* Our queue is empty: take half (rounded up) of the longest other queue's unpinned tasks. The
 * lengths are read without locks, as a hint; the moving is done holding both queues' locks. */
static __attribute__((noinline)) struct task *steal(struct hart *h)
{
    struct hart *victim = NULL;
    size_t most = 0;
    for (int i = 0; i < smp_harts(); i++)
        if (&harts[i] != h && runq_stealable(&harts[i].runq) > most) {
            most = runq_stealable(&harts[i].runq);
            victim = &harts[i];
        }
    if (victim == NULL)
        return NULL;
    struct hart *first = victim->index < h->index ? victim : h;
    struct hart *second = first == h ? victim : h;
    uint64_t flags1 = spin_lock_irqsave(&first->runq.lock);
    uint64_t flags2 = spin_lock_irqsave(&second->runq.lock);
    /* Take from the back (the tasks that would wait longest there), skipping pinned ones and
     * the one its hart is still switching away from (it yielded or was preempted a moment ago,
     * and its registers are not saved yet: chapter 9's steal deadlock came from waiting for
     * them here); each goes to the front of ours, so together they keep their order. */
    struct runq *from = &victim->runq;
    size_t n = (from->length - from->pinned + 1) / 2;
    struct list_node *at = from->tasks.prev;
    while (n > 0 && at != &from->tasks) {
        struct task *t = list_entry(at, struct task, queue_node);
        at = at->prev;
        RACE_WINDOW();
        if (t->pinned || __atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
            continue;
        list_remove(&t->queue_node);
        from->length--;
        t->hart = h->index;
        if (!TRACE_OFF(h->trace))
            trace_emit(h->trace, TR_STEAL, victim->index, t->id, 0, 0);
        list_push_front(&h->runq.tasks, &t->queue_node);
        h->runq.length++;
        n--;
    }
    struct task *next = runq_pop(&h->runq);
    spin_unlock_irqrestore(&second->runq.lock, flags2);
    spin_unlock_irqrestore(&first->runq.lock, flags1);
    return next;
}

/* The stack's lowest word is a canary: its own address (one load and a compare, no constant
 * to load). A task that ran over it has corrupted memory below its stack, and nothing it does
 * from here on can be trusted. (The guard page below the stack usually faults first.) */
static __attribute__((noinline, cold)) void stack_overflowed(struct task *t)
{
    panic("task '%s' (id %lu) overflowed its kernel stack (canary at %p is %#lx)", t->name,
          (unsigned long)t->id, (void *)t->stack, (unsigned long)t->stack[0]);
}

static inline void check_stack(struct task *t)
{
    if (__builtin_expect(t->stack && t->stack[0] != (uint64_t)t->stack, 0))
        stack_overflowed(t);
}

void sched_stack_canary(struct task *t)
{
    t->stack[0] = (uint64_t)t->stack;
}

/* After a switch, in the task that now runs: the one switched away from is fully saved, so
 * another hart may run it now (on_cpu false); if it had ended, it is reclaimed here, by a
 * task that no longer needs its stack.
 *
 * The order is the lesson of chapter 9's double reap: read `from`'s state *before* releasing
 * it. The moment on_cpu is false, another hart may run `from` to its end and reap it itself;
 * reading the state after that would see DONE and reap it a second time (Linux's
 * finish_task_switch() warns of the same trap). Only `from` itself sets DONE, so what we read
 * while it is still ours is the truth. */
static __attribute__((noinline)) void moved(struct task *t);

static inline void finish_switch(struct hart *h)
{
    struct task *from = h->switched_from;
    h->switched_from = NULL;
    if (from == NULL)
        return;
    enum task_state state = from->state;
    __atomic_store_n(&from->on_cpu, false, __ATOMIC_RELEASE);
    RACE_WINDOW();              /* from now on `from` is another hart's to run, unless done */
    if (__builtin_expect(state >= TASK_DONE, 0)) {  /* one compare for both (task.h) */
        if (state == TASK_DONE)
            task_put(from);
        else
            moved(from);        /* ch11: the balancer's move, finished now it is saved */
    }
}

void sched_finish_switch(void)
{
    finish_switch(this_hart());
}

static __attribute__((noinline, cold)) void still_on_cpu(struct task *t, int hart)
{
    panic("task '%s' (id %lu) queued on hart %d while another hart still runs it", t->name,
          (unsigned long)t->id, hart);
}

/* The last part of every switch: next becomes this hart's running task and gets its turn,
 * and context_switch jumps into it. Returns when prev runs again, perhaps on another hart.
 * Only what changes with the task is done here; what can be done once per task or per hart
 * is not. */
static inline __attribute__((always_inline)) void switch_commit(struct hart *h,
                                                                struct task *prev,
                                                                struct task *next)
{
    next->on_cpu = true;
    next->state = TASK_RUNNING;
    next->slice_left = TASK_SLICE_TICKS;
    h->current = next;
    h->stack_floor = next->stack ? (uint64_t)next->stack : h->stack_lo;    /* for trap.S */
    h->switched_from = prev;
    RACE_WINDOW();              /* prev is still on_cpu, and may be queued already */
    context_switch(&prev->ctx, &next->ctx);     /* it carries h->nest over (switch.S), and
                                                   records the switch for a trace (ch11) */
    finish_switch(this_hart());                 /* prev may resume on another hart */
}

/* next's address space: a user program runs on its own page table, kernel tasks on the
 * kernel's. (Every table holds the kernel's half, so this is only for the user half, and an
 * address space that is freed is then in no hart's satp.) */
static inline struct vm *vm_of(const struct task *t)
{
    return t->proc ? t->proc->vm : NULL;
}

/* The switch, for every caller: from prev (this hart's current task, already queued again,
 * blocked or done) to next (taken off a queue, or the idle task). Interrupts are off and no
 * spinlock is held. */
static __attribute__((noinline)) void switch_to(struct hart *h, struct task *prev,
                                                struct task *next)
{
    check_stack(prev);
    /* Never wait here for another hart to finish saving next: two harts each waiting for the
     * other's task would wait for ever with interrupts off (chapter 9). Wakers wait for on_cpu
     * before queueing a task (task/wait.c) and steal skips such tasks, so it cannot be set. */
    if (__builtin_expect(__atomic_load_n(&next->on_cpu, __ATOMIC_RELAXED), 0))
        still_on_cpu(next, h->index);
    if (__builtin_expect(vm_of(next) != h->vm, 0))
        vm_switch(vm_of(next));
    /* A stack guard page made since this hart last looked may still be mapped in its TLB
     * (kernel/vm.c): flush once per new guard, not once per switch. */
    uint64_t guards = vm_kernel_guards();
    if (__builtin_expect(h->guards_seen != guards, 0)) {
        h->guards_seen = guards;
        sfence_vma_all();
    }
    switch_commit(h, prev, next);
}

/* Yield and preemption, on the hottest path of all (ch10): the running task to the back of
 * this hart's queue and the front one off it, in one locked step, then the switch. With
 * nothing queued, it just carries on. The common case is inline and calls nothing but
 * context_switch; anything unusual (a contended lock, a user address space, a new guard page,
 * a failed check) goes the careful way, out of line. So the only value that must live across
 * a call is the caller's interrupt flag, and the stack frame stays small. */
static __attribute__((noinline)) void yield_careful(struct hart *h)
{
    struct task *prev = h->current;
    spin_lock_irqoff(&h->runq.lock);
    struct task *next = runq_rotate(&h->runq, prev);
    spin_unlock_irqoff(&h->runq.lock);
    if (next)
        switch_to(h, prev, next);
}

static __attribute__((noreturn, noinline, cold)) void runq_lock_lost(struct hart *h)
{
    panic("hart %d: its run queue's lock is not its newest held lock after a yield took it",
          h->index);
}

/* The switch, inline when nothing is unusual: a stack intact, next not still on a hart, the
 * same address space, no new guard page. Otherwise switch_to checks and handles it all. */
static inline __attribute__((always_inline)) void switch_fast(struct hart *h, struct task *prev,
                                                              struct task *next)
{
    if (__builtin_expect((prev->stack && prev->stack[0] != (uint64_t)prev->stack) ||
                         __atomic_load_n(&next->on_cpu, __ATOMIC_RELAXED) ||
                         vm_of(next) != h->vm || h->guards_seen != vm_kernel_guards(), 0)) {
        switch_to(h, prev, next);
        __asm__ volatile("");   /* not a tail jump: backtraces keep the caller's frame */
        return;
    }
    switch_commit(h, prev, next);
}

static inline __attribute__((always_inline)) void yield_on(struct hart *h)
{
    struct task *prev = h->current;
    struct spinlock *l = &h->runq.lock;
    if (__builtin_expect(!spin_acquire_fast(l, SPIN_HERE()), 0)) {
        yield_careful(h);
        return;
    }
    struct task *next = runq_rotate(&h->runq, prev);
    if (__builtin_expect(!spin_release_fast(l), 0))
        runq_lock_lost(h);      /* it took l and nothing since: only memory corruption */
    if (next)
        switch_fast(h, prev, next);
}

void sched_yield(void)
{
    yield_on(this_hart());
}

/* task_yield lives here, not in task/task.c, so that the whole of it is one function: one
 * stack frame on the hottest path of all. */
void task_yield(void)
{
    spin_assert_none_held("yielded");
    if (__builtin_expect(task_aborted(), 0))
        task_cancel_point();
    uint64_t s = intr_save();
    struct hart *h = this_hart();
    if (h->runq.length != 0)            /* a hint; the rotation copes if it just emptied */
        yield_on(h);
    intr_restore(s);
    if (__builtin_expect(task_aborted(), 0))
        task_cancel_point();            /* aborted while it waited for its turn */
}

void sched_switch(void)
{
    spin_assert_none_held("switched");
    struct hart *h = this_hart();
    struct task *prev = h->current;
    spin_lock_irqoff(&h->runq.lock);
    struct task *next = runq_pop(&h->runq);
    spin_unlock_irqoff(&h->runq.lock);

    RACE_WINDOW();              /* our queue looked empty: a wake-up may land now */
    if (next == NULL && smp_harts() > 1)
        next = steal(h);
    if (next == NULL) {
        if (prev->state == TASK_RUNNING)
            return;             /* the idle task, with nothing to run: carry on idling */
        next = h->idle;
    }
    if (prev == h->idle) {
        prev->state = TASK_RUNNABLE;    /* idle is never queued, but it is not running */
        h->idle_time += rdtime() - h->idle_since;
        claim(h->index);                /* busy now: no more placing here */
    } else if (next == h->idle) {
        h->idle_since = rdtime();
        set_idle(h);
    }
    switch_fast(h, prev, next);
}

/* Does the current task's turn end at this interrupt? */
FRAMELESS void sched_check_slice(struct hart *h)
{
    struct task *t = h->current;
    if (t == h->idle || (t->slice_left == 0 && h->runq.length != 0))
        h->need_resched = true;     /* idle: work arrived, or another hart has some to steal */
}

FRAMELESS void sched_tick(void)
{
    struct hart *h = this_hart();
    struct task *t = h->current;
    h->current_ticks = (uint32_t)++t->ticks_run;    /* ch11: for other harts' balancers */
    if (t->slice_left > 0)
        t->slice_left--;
    sched_check_slice(h);
    /* Last, so that this is a tail call and the tick needs no stack frame: sleep_wake_due
     * checks the slice again if it wakes anyone. Only this hart adds to its sleepers, so
     * looking without the lock is a safe hint. */
    if (!list_empty(&h->sleepers.waiters))
        sleep_wake_due();
}

/* Chapter 11: periodic balancing. A hart steals only when it is idle (above), so with every
 * hart busy an imbalance stays: 6 CPU-bound tasks on 4 harts leave some harts running two or
 * three tasks and others one, for as long as they live. So at the end of a slice, when this
 * hart's preempted task would go back to a queue that is now 2 or more longer than another busy
 * hart's (which is empty: its one task runs alone), the preempted task may go to that hart
 * instead. Which tasks should share a hart and which should run alone changes over time: the
 * one that has had the least time so far should be the one alone. So the move is made only if
 * the task it leaves alone here (our next) has had at least BALANCE_GAP ticks less than the
 * one it joins there; that gap is also the hysteresis, so tasks are not bounced from hart to
 * hart on every slice (each move costs a task its cache and TLB). Over a few slices every
 * task gets its fair share. `balance=off` turns it off, to see the difference. */
#define BALANCE_GAP (4 * TASK_SLICE_TICKS)

static bool balance_off;
static uint64_t migrations;             /* tasks moved, ever (for tests: sched_migrations) */

void sched_balance_off(void)
{
    balance_off = true;
}

uint64_t sched_migrations(void)
{
    return __atomic_load_n(&migrations, __ATOMIC_RELAXED);
}

/* Of the busy harts with an empty queue, other than h, the one whose task has had the most
 * ticks: where the preempted task should go, or -1. The lengths and counts are read without
 * locks, as hints: at worst a task moves to a hart that has just got work too, and a later
 * slice evens it out. */
static int quiet_hart(const struct hart *h, uint32_t *ticks)
{
    int best = -1;
    for (int i = 0; i < smp_harts(); i++) {
        const struct hart *o = &harts[i];
        uint32_t t = __atomic_load_n(&o->current_ticks, __ATOMIC_RELAXED);
        if (o != h && __atomic_load_n(&o->runq.length, __ATOMIC_RELAXED) == 0 &&
            __atomic_load_n(&o->current, __ATOMIC_RELAXED) != o->idle &&
            (best < 0 || t > *ticks)) {
            best = i;
            *ticks = t;
        }
    }
    return best;
}

/* The slice of h's current task has ended and tasks wait in h's queue: hand the task to a
 * quiet hart, switching here to the next one of ours. True if it did. The task cannot simply
 * be queued there now: its registers are not saved yet, and the other hart might pick it up
 * first (chapter 9). So it is marked TASK_MIGRATING, and finish_switch, once the switch has
 * saved it, calls moved() to queue it on its new hart. */
static __attribute__((noinline)) bool hand_over(struct hart *h)
{
    struct task *t = h->current;
    uint32_t there;
    if (balance_off || t == h->idle || t->pinned)
        return false;
    int to = quiet_hart(h, &there);
    if (to < 0)
        return false;
    spin_lock_irqoff(&h->runq.lock);
    struct task *next = NULL;
    if (!list_empty(&h->runq.tasks)) {
        struct task *front = list_entry(h->runq.tasks.next, struct task, queue_node);
        if ((uint32_t)front->ticks_run + BALANCE_GAP <= there)
            next = runq_pop(&h->runq);      /* it has had least: it may run alone here */
    }
    spin_unlock_irqoff(&h->runq.lock);
    if (next == NULL)
        return false;
    t->move_to = to;
    t->state = TASK_MIGRATING;
    RACE_WINDOW();              /* next is ours, t still runs here and is on no queue */
    switch_to(h, t, next);
    return true;
}

/* finish_switch, in the task that now runs on the hart t left: t is saved, and nobody else
 * touches a migrating task (it is on no queue and not blocked), so it is ours to queue. */
static __attribute__((noinline)) void moved(struct task *t)
{
    struct hart *to = &harts[t->move_to];
    TRACE(TR_MIGRATE, t->move_to, t->id, 0, 0);
    __atomic_fetch_add(&migrations, 1, __ATOMIC_RELAXED);
    RACE_WINDOW();              /* t is saved and on no queue: nobody else may touch it */
    spin_lock_irqoff(&to->runq.lock);
    t->hart = to->index;
    t->state = TASK_RUNNABLE;
    runq_push(&to->runq, t);
    spin_unlock_irqoff(&to->runq.lock);
    sched_kick_if_idle(to);
}

void sched_preempt(void)
{
    struct hart *h = this_hart();
    h->need_resched = false;
    /* Not a switch point for task_abort: a kernel task preempted in the middle of its work
     * carries on with it (chapter 9); a user program ends on its way back to U-mode. */
    spin_assert_none_held("was preempted");
    if (!TRACE_OFF(h->trace))
        h->trace->preempting = 1;       /* ch11: the switch's why, for trace_switch */
    if (h->current == h->idle)
        sched_switch();
    else if (h->runq.length == 0 || smp_harts() == 1 || !hand_over(h))
        sched_yield();
    struct trace_ring *r = trace_here();    /* back, perhaps on another hart */
    if (!TRACE_OFF(r))
        r->preempting = 0;              /* no switch happened: nobody took the flag */
}

static struct task idle_tasks[MAX_HARTS];

void sched_init_hart(void)
{
    struct hart *h = this_hart();
    struct task *idle = &idle_tasks[h->index];
    idle->name[0] = 'i', idle->name[1] = 'd', idle->name[2] = 'l', idle->name[3] = 'e';
    idle->state = TASK_RUNNING;
    idle->on_cpu = true;
    idle->hart = h->index;
    list_init(&idle->queue_node);
    list_init(&idle->all_node);
    runq_init(&h->runq);
    wait_init(&h->sleepers, "sleepers");
    h->idle = h->current = idle;
    h->stack_floor = h->stack_lo;       /* idle runs on the boot stack */
    h->idle_since = rdtime();
    set_idle(h);
    trace_start_hart();                 /* ch11: if the boot asked for a trace */
}

uint64_t sched_idle_time(int i)
{
    struct hart *h = &harts[i];
    uint64_t now = rdtime(), idle = __atomic_load_n(&h->idle_time, __ATOMIC_RELAXED);
    if (__atomic_load_n(&h->current, __ATOMIC_RELAXED) == h->idle)
        idle += now - __atomic_load_n(&h->idle_since, __ATOMIC_RELAXED);
    return idle;
}

/* Is there work on another hart's queue that this one could take? */
static bool anything_to_steal(const struct hart *h)
{
    for (int i = 0; i < smp_harts(); i++)
        if (&harts[i] != h && runq_stealable(&harts[i].runq) != 0)
            return true;
    return false;
}

void sched_idle(void)
{
    for (;;) {
        /* Interrupts off while deciding, or an interrupt that makes a task runnable between
         * the check and the wfi would leave this hart asleep with work queued. wfi wakes on a
         * pending interrupt even with SIE clear; turning SIE on then takes it. */
        intr_off();
        struct hart *h = this_hart();
        __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* current = idle, then look (see
                                                       sched_kick_if_idle) */
        if (h->runq.length != 0 || anything_to_steal(h)) {
            sched_switch();
        } else {
            set_idle(h);        /* again: it may have been claimed for work since taken */
            if (h->runq.length == 0)
                wfi();
        }
        intr_on();
    }
}
