/* trace.h: the scheduler's flight recorder (chapter 11).
 *
 * With the boot argument `trace=N`, every hart records what it does into a ring of N events of
 * its own: which task it switched to and why, whom it woke, what it stole, every trap and system
 * call, every wait for a contended spinlock. No lock: a hart writes only its own ring, with
 * interrupts off for the few stores of one event. A full ring overwrites its oldest events and
 * counts them as lost. At power-off the kernel prints the rings as one checksummed block
 * (trace_dump), and gdb's `ktrace FILE` writes the same block from a stopped kernel; tools/trace
 * turns it into a timeline (Chrome's trace format, and an SVG). The format is DESIGN.md's
 * "Traces".
 *
 * Off (the default), each place that records costs two instructions: load this hart's ring
 * pointer off tp, branch if it is NULL. Everything else is out of line, in kernel/trace.c.
 */
#ifndef HARTOS_TRACE_H
#define HARTOS_TRACE_H

/* struct trace_ring's fields, for trace.S (checked in trace.c). */
#define TRACE_RING_WRITTEN   0
#define TRACE_RING_MASK      8
#define TRACE_RING_EVENTS    16
#define TRACE_RING_RECORDING 24
/* And struct task's (task/task.h), for trace_record_wake. */
#define TRACE_TASK_ID   144
#define TRACE_TASK_HART 176
#define TRACE_WAKE      2       /* TR_WAKE */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#include "kernel/trap.h"

struct task;

/* What happened (struct trace_event's type); the arguments of each are in DESIGN.md. */
enum trace_type {
    TR_SWITCH = 1,      /* x: why (below), a: the task left, b: the task switched to */
    TR_WAKE,            /* x: the hart it goes to, a: the task made runnable, b: the waker */
    TR_SPAWN,           /* x: its first hart, a: the new task, b, c: its name's 16 bytes */
    TR_EXIT,            /* x: outcome (enum task_outcome), a: the task, b: its result */
    TR_STEAL,           /* x: the hart stolen from, a: the task taken */
    TR_IPI_SEND,        /* x: the hart interrupted */
    TR_IPI_RECV,
    TR_TRAP_ENTER,      /* x: 1 for an interrupt, a: the cause code, b: sepc, c: the task */
    TR_TRAP_EXIT,       /* the same x, a and c */
    TR_SYSCALL_ENTER,   /* a: the call's number, b: the task, c: its first argument */
    TR_SYSCALL_EXIT,    /* a: the call's number, b: the task, c: its result */
    TR_LOCK_WAIT,       /* b: timebase ticks spent waiting, c: the lock's name, 8 bytes */
    TR_CACHE_REFILL,    /* a: blocks taken from the heap into this hart's cache, b: their size */
    TR_CACHE_DRAIN,     /* a: blocks given back to the heap, b: their size */
    TR_FAULT_KILL,      /* a: the task, b: stval, c: scause */
    TR_START,           /* the first event of a ring: this hart began recording */
    TR_MIGRATE,         /* x: the hart it goes to, a: the task (the periodic balancer) */
};

/* Why a switch happened (TR_SWITCH's x). */
enum trace_why { TR_YIELD, TR_PREEMPT, TR_BLOCK, TR_EXITED, TR_IDLE_ENDS };

struct trace_event {                /* 32 bytes, read raw by gdb and tools/trace */
    uint64_t time;                  /* the time CSR, in timebase ticks */
    uint8_t type;                   /* enum trace_type */
    uint8_t x;
    uint16_t y;                     /* 0 for now: room for a later version */
    uint32_t a;
    uint64_t b, c;
};

struct trace_ring {
    uint64_t written;               /* events ever recorded here; the next goes in slot
                                       written & mask */
    uint32_t mask;                  /* events - 1: the ring's size is a power of two */
    uint32_t hart;                  /* whose ring: the hart's index */
    struct trace_event *events;
    /* Between the recording hart and the one printing the rings at power-off (trace_dump). */
    uint32_t recording;             /* 1 while this hart writes an event */
    uint8_t preempting;             /* the switch being made is a preemption (sched_preempt) */
    uint8_t blocking;               /* the switch being made is a block (task/wait.c): its
                                       task's state cannot say, as a waker on another hart
                                       may make it runnable again before the switch */
};

/* Every hart's ring (NULL: not traced), and the ring size the boot asked for (0: off). */
extern struct trace_ring *trace_rings[];
extern uint32_t trace_events_per_hart;

/* This hart's ring, or NULL: one load off tp (struct hart's `trace`, at HART_TRACE). One
 * load, so that a task preempted around it cannot mix two harts up (chapter 9); trace_record
 * checks again, with interrupts off, that the ring is still its hart's. */
static inline struct trace_ring *trace_here(void)
{
    struct trace_ring *r;
    __asm__ volatile("ld %0, %1(tp)" : "=r"(r) : "i"(HART_TRACE));
    return r;
}

#define TRACE_OFF(r) __builtin_expect((r) == NULL, 1)

/* Record one event into r (not NULL): kernel/trace.S, about 30 instructions. It follows the
 * calling convention, so C may call it like any function; but it changes only t0-t6, and
 * trace_emit says so to the compiler, so that a place that records keeps its registers. */
void trace_record(struct trace_ring *r, unsigned type, unsigned x, uint64_t a, uint64_t b,
                  uint64_t c);

static inline __attribute__((always_inline)) void trace_emit(struct trace_ring *r,
                                                             unsigned type, unsigned x,
                                                             uint64_t a, uint64_t b, uint64_t c)
{
    register uint64_t a0 __asm__("a0") = (uint64_t)r;
    register uint64_t a1 __asm__("a1") = type;
    register uint64_t a2 __asm__("a2") = x;
    register uint64_t a3 __asm__("a3") = a;
    register uint64_t a4 __asm__("a4") = b;
    register uint64_t a5 __asm__("a5") = c;
    __asm__ volatile("call trace_record"
                     :
                     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
                     : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "ra", "memory");
}

/* A wake: t has just been queued on hart t->hart by the running task. trace_record_wake
 * (trace.S) reads the rest itself, so that the place that records binds only two registers. */
static inline __attribute__((always_inline)) void trace_emit_wake(struct trace_ring *r,
                                                                  struct task *t)
{
    register uint64_t a0 __asm__("a0") = (uint64_t)r;
    register struct task *a1 __asm__("a1") = t;
    __asm__ volatile("call trace_record_wake"
                     :
                     : "r"(a0), "r"(a1)
                     : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "ra", "memory");
}

/* The common case, for any place that does not hold its hart's ring already. */
#define TRACE(type, x, a, b, c)                                                      \
    do {                                                                             \
        struct trace_ring *r_ = trace_here();                                        \
        if (!TRACE_OFF(r_))                                                          \
            trace_emit(r_, (type), (x), (uint64_t)(a), (uint64_t)(b), (uint64_t)(c)); \
    } while (0)

/* Events that need more than their arguments; each is called only with tracing on. */
void trace_switch(void *prev_ctx, void *next_ctx);     /* from task/switch.S */
void trace_spawn(struct trace_ring *r, const struct task *t);
void trace_lock_wait(struct trace_ring *r, const char *name, uint64_t ticks);
/* The timer interrupt's entry and exit, from trap.S (its fast path has no C around it). */
void trace_timer_enter(struct trap_frame *tf);
void trace_timer_exit(void);

/* Boot: read `trace=N` and make the rings (boot hart, once, before the other harts start);
 * then each hart starts recording into its ring (trace_start_hart, on that hart). */
void trace_init(int nharts);
void trace_start_hart(void);

/* Power-off (and panic): stop every hart recording, print the rings as one block. Safe to call
 * with tracing off (it does nothing) and more than once (only the first prints). */
void trace_dump(void);

#endif /* __ASSEMBLER__ */
#endif
