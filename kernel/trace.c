/* trace.c: the flight recorder's slow half (see kernel/trace.h): making the rings at boot,
 * writing one event, and printing the rings at power-off.
 *
 * Who touches a ring: only its own hart writes events into it (trace_record, kernel/trace.S),
 * with interrupts off, so that an interrupt cannot land between a slot's stores and reuse the
 * slot. The one exception is trace_dump at power-off, on whichever hart powers off, which first
 * stops every hart recording (below) and then reads all the rings.
 */
#include "kernel/trace.h"
#include "heap/frame.h"
#include "kernel/bootargs.h"
#include "kernel/console.h"
#include "kernel/hart.h"
#include "kernel/param.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "task/task.h"

_Static_assert(sizeof(struct trace_event) == 32, "the trace format's event size");
_Static_assert(offsetof(struct trace_ring, written) == TRACE_RING_WRITTEN &&
               offsetof(struct trace_ring, mask) == TRACE_RING_MASK &&
               offsetof(struct trace_ring, events) == TRACE_RING_EVENTS &&
               offsetof(struct trace_ring, recording) == TRACE_RING_RECORDING, "trace.S's offsets");
_Static_assert(offsetof(struct task, id) == TRACE_TASK_ID &&
               offsetof(struct task, hart) == TRACE_TASK_HART && TR_WAKE == TRACE_WAKE,
               "trace.S's offsets in struct task");

#define TRACE_VERSION    1
#define TRACE_MIN_EVENTS 64
#define TRACE_MAX_EVENTS (1u << 20)

struct trace_ring *trace_rings[MAX_HARTS];
uint32_t trace_events_per_hart;
static struct trace_ring rings[MAX_HARTS];

/* A switch, from context_switch (task/switch.S), with the two tasks' saved contexts: why prev
 * stopped running is its state, plus whether sched_preempt or a blocking wait is the one
 * switching (a state of BLOCKED alone is not enough: a waker on another hart may have made
 * prev runnable again already, and waits only for the switch to be over before queueing it). Interrupts are
 * off, and next is not yet running anywhere (its on_cpu is set, but nothing of it has run). */
void trace_switch(void *prev_ctx, void *next_ctx)
{
    struct trace_ring *r = trace_here();
    if (r == NULL)
        return;                 /* trace_dump stopped this hart since switch.S looked */
    const struct hart *h = &harts[r->hart];
    struct task *prev = (struct task *)((char *)prev_ctx - offsetof(struct task, ctx));
    struct task *next = (struct task *)((char *)next_ctx - offsetof(struct task, ctx));
    unsigned why;
    if (prev == h->idle)
        why = TR_IDLE_ENDS;
    else if (r->blocking || prev->state == TASK_BLOCKED)
        why = TR_BLOCK;
    else if (prev->state == TASK_DONE)
        why = TR_EXITED;
    else
        why = r->preempting ? TR_PREEMPT : TR_YIELD;
    r->preempting = 0;
    r->blocking = 0;
    trace_record(r, TR_SWITCH, why, prev->id, next->id, 0);
}

/* The timer interrupt (trap.S calls these only with tracing on). The cause is the timer's;
 * c is the task it interrupted, as for every trap. */
void trace_timer_enter(struct trap_frame *tf)
{
    struct trace_ring *r = trace_here();
    if (r)
        trace_record(r, TR_TRAP_ENTER, 1, IRQ_S_TIMER, tf->sepc, harts[r->hart].current->id);
}

void trace_timer_exit(void)
{
    struct trace_ring *r = trace_here();
    if (r)
        trace_record(r, TR_TRAP_EXIT, 1, IRQ_S_TIMER, 0, harts[r->hart].current->id);
}

/* Up to 8 bytes of a string, as one little-endian word (the format's names). */
static uint64_t name_word(const char *s, size_t max)
{
    uint64_t w = 0;
    for (size_t i = 0; i < max && i < 8 && s[i]; i++)
        w |= (uint64_t)(uint8_t)s[i] << (8 * i);
    return w;
}

void trace_spawn(struct trace_ring *r, const struct task *t)
{
    _Static_assert(TASK_NAME_MAX <= 16, "a spawn event holds 16 bytes of name");
    size_t n = strlen(t->name);
    trace_record(r, TR_SPAWN, (unsigned)t->hart, t->id, name_word(t->name, n),
                 n > 8 ? name_word(t->name + 8, n - 8) : 0);
}

void trace_lock_wait(struct trace_ring *r, const char *name, uint64_t ticks)
{
    trace_record(r, TR_LOCK_WAIT, 0, 0, ticks, name ? name_word(name, 8) : 0);
}

/* trace=N: N events per hart, a power of two, so that a slot is `written & mask`. */
void trace_init(int nharts)
{
    size_t len;
    const char *arg = bootarg("trace", &len);
    if (arg == NULL)
        return;
    uint64_t n = 0;
    if (!bootarg_u64("trace", &n) || n < TRACE_MIN_EVENTS || n > TRACE_MAX_EVENTS ||
        (n & (n - 1)) != 0) {
        kprintf("trace: 'trace=%.*s' is not a power of two from %u to %u (events per hart); "
                "tracing stays off\n", (int)len, arg, TRACE_MIN_EVENTS, TRACE_MAX_EVENTS);
        return;
    }
    size_t pages = (n * sizeof(struct trace_event) + PAGE_SIZE - 1) / PAGE_SIZE;
    for (int i = 0; i < nharts && i < MAX_HARTS; i++) {
        struct trace_event *ev = frame_alloc_run(pages);
        if (ev == NULL) {
            kprintf("trace: no memory for %lu events on hart %d; tracing stays off\n",
                    (unsigned long)n, i);
            for (int j = 0; j < i; j++) {
                frame_free(rings[j].events);
                trace_rings[j] = NULL;
            }
            return;
        }
        rings[i] = (struct trace_ring){.mask = (uint32_t)(n - 1), .hart = (uint32_t)i,
                                       .events = ev};
        trace_rings[i] = &rings[i];
    }
    trace_events_per_hart = (uint32_t)n;
    kprintf("trace: recording %lu events per hart (%lu KiB each); printed at power-off\n",
            (unsigned long)n, (unsigned long)(pages * PAGE_SIZE / 1024));
}

void trace_start_hart(void)
{
    struct hart *h = this_hart();
    if (h->index >= MAX_HARTS || trace_rings[h->index] == NULL)
        return;
    h->trace = trace_rings[h->index];
    trace_record(h->trace, TR_START, 0, 0, 0, 0);
}

/* The block (DESIGN.md, "Traces"): a header, each hart's held events oldest first as hex, two
 * per line, and FNV-1a 64 over all those bytes. */
static uint64_t fnv1a(uint64_t hash, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        hash = (hash ^ p[i]) * 0x100000001b3ULL;
    return hash;
}

static void print_events(const struct trace_ring *r, uint64_t first, uint64_t held,
                         uint64_t *hash)
{
    static const char hex[] = "0123456789abcdef";
    char line[2 * 2 * sizeof(struct trace_event) + 2];
    size_t at = 0;
    for (uint64_t i = 0; i < held; i++) {
        const uint8_t *p = (const uint8_t *)&r->events[(first + i) & r->mask];
        *hash = fnv1a(*hash, p, sizeof(struct trace_event));
        for (size_t k = 0; k < sizeof(struct trace_event); k++) {
            line[at++] = hex[p[k] >> 4];
            line[at++] = hex[p[k] & 15];
        }
        if (i % 2 == 1 || i + 1 == held) {
            line[at++] = '\n';
            line[at] = '\0';
            console_puts(line);
            at = 0;
        }
    }
}

void trace_dump(void)
{
    static int dumped;
    if (trace_events_per_hart == 0 || __atomic_exchange_n(&dumped, 1, __ATOMIC_ACQ_REL))
        return;
    /* Stop every hart recording, then wait for any event being written to be whole (see
     * trace_record), and stop the other harts themselves, so that nothing they print lands
     * inside the block. The trace ends only then: an event that got past its check before
     * recording stopped reads the time after we cleared its hart's ring, so `end` read any
     * earlier could come before that event. */
    int n = smp_harts();
    for (int i = 0; i < n; i++)
        __atomic_store_n(&harts[i].trace, NULL, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (int i = 0; i < n; i++)
        if (trace_rings[i])
            while (__atomic_load_n(&trace_rings[i]->recording, __ATOMIC_ACQUIRE))
                ;
    uint64_t end = rdtime();
    smp_stop_others();
    uint64_t settle = rdtime() + timer_timebase() / 100;     /* 10 ms for them to stop */
    while (rdtime() < settle)
        ;

    kprintf("hartos-trace %d harts=%d per_hart=%u timebase=%lu end=%lu\n", TRACE_VERSION, n,
            trace_events_per_hart, (unsigned long)timer_timebase(), (unsigned long)end);
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (int i = 0; i < n; i++) {
        const struct trace_ring *r = trace_rings[i];
        uint64_t written = r ? r->written : 0, size = (uint64_t)trace_events_per_hart;
        uint64_t held = written < size ? written : size;
        kprintf("trace-hart %d written=%lu lost=%lu held=%lu\n", i, (unsigned long)written,
                (unsigned long)(written - held), (unsigned long)held);
        if (r)
            print_events(r, written - held, held, &hash);
    }
    kprintf("hartos-trace-end fnv1a64=%016lx\n", (unsigned long)hash);
}
