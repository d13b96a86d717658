/* task_bench.c: the cost of the task machinery, in instructions (make bench runs under
 * -icount, where instret counts them exactly):
 *   yield_N      per switch between kernel tasks, with N tasks taking turns on one hart
 *   tick         per timer interrupt that does not switch (entry, handler, exit)
 *   spawn_join   per task_spawn + task_join + task_drop of a task that returns at once
 *   balance      64 CPU-bound tasks over every hart: the busiest hart's share / an even one
 */
#include "kernel/hart.h"
#include "kernel/kbench.h"
#include "kernel/panic.h"
#include "kernel/param.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "task/task.h"

static volatile uint64_t yields_left;

/* Yield until the shared budget is spent; each task_yield here is one switch. */
static void *yielder(void *arg)
{
    (void)arg;
    while (yields_left > 0) {
        yields_left--;
        task_yield();
    }
    return NULL;
}

/* N tasks yield to each other `switches` times in all. The bench task starts them and sleeps
 * (in task_join), so every switch measured is from one yielder to the next. */
static void bench_yield(const char *name, int n, uint64_t switches)
{
    struct task *t[1024];
    for (int i = 0; i < n; i++)
        if ((t[i] = task_spawn("yielder", yielder, NULL)) == NULL)
            panic("kbench %s: spawn failed", name);
    yields_left = switches;
    uint64_t t0 = rdinstret();
    task_join(t[0], NULL);          /* the others end right after it */
    for (int i = 1; i < n; i++)
        task_join(t[i], NULL);
    uint64_t spent = rdinstret() - t0;
    for (int i = 0; i < n; i++)
        task_drop(t[i]);
    /* Besides the switches: n task endings and n joins, measured below and taken out. */
    kbench_report(name, spent * 1000 / switches, "instr/switch");
}

KBENCH(yield)
{
    bench_yield("yield_2", 2, 200000);
    bench_yield("yield_64", 64, 200000);
    bench_yield("yield_1024", 1024, 200000);
}

/* With nothing else to run, a timer interrupt never switches. Watch instret jump across each
 * interrupt while a loop reads it; the jump minus the loop's own step is the interrupt. */
KBENCH(tick)
{
    uint64_t step = UINT64_MAX, least = UINT64_MAX, seen = 0;
    uint64_t prev = rdinstret();
    while (seen < 50) {
        uint64_t now = rdinstret(), d = now - prev;
        prev = now;
        if (d < step)
            step = d;               /* the loop alone: the smallest step */
        else if (d > step + 20) {   /* an interrupt came in between */
            least = d < least ? d : least;
            seen++;
        }
    }
    kbench_report("tick", (least - step) * 1000, "instr");
}

static void *nothing(void *arg)
{
    return arg;
}

KBENCH(spawn_join)
{
    enum { ROUNDS = 1000 };
    uint64_t t0 = rdinstret();
    for (int i = 0; i < ROUNDS; i++) {
        struct task *t = task_spawn("empty", nothing, NULL);
        if (t == NULL || task_join(t, NULL) != 0)
            panic("kbench spawn_join: spawn or join failed");
        task_drop(t);
    }
    kbench_report("spawn_join", (rdinstret() - t0) * 1000 / ROUNDS, "instr");
}

/* balance: 64 equal CPU-bound tasks spawned from one hart; placement and work stealing spread
 * them. Each task works in chunks and counts each chunk on the hart that ran it, so the load
 * of each hart is known wherever a task migrated. makespan / ideal = the busiest hart's chunks
 * over an even share: 1.000 is perfect. Measured in work, not time: under -icount the harts
 * take turns on one host thread, so time would not show parallelism; make bench runs this one
 * with real parallel harts, without -icount. */
static uint64_t chunks_on[MAX_HARTS];

static void *cpu_bound(void *arg)
{
    for (int c = 0; c < 200; c++) {
        for (volatile int i = 0; i < 2000; i++)
            ;
        __atomic_fetch_add(&chunks_on[this_hart()->index], 1, __ATOMIC_RELAXED);
    }
    return arg;
}

KBENCH(balance)
{
    enum { N = 64 };
    struct task *t[N];
    int harts = smp_harts();
    if (harts == 1)
        return;                         /* nothing to balance: make bench runs it on four */
    for (int i = 0; i < MAX_HARTS; i++)
        chunks_on[i] = 0;
    for (int i = 0; i < N; i++)
        if ((t[i] = task_spawn("cpu-bound", cpu_bound, NULL)) == NULL)
            panic("kbench balance: spawn failed");
    for (int i = 0; i < N; i++) {
        task_join(t[i], NULL);
        task_drop(t[i]);
    }
    uint64_t total = 0, busiest = 0;
    for (int i = 0; i < harts; i++) {
        total += chunks_on[i];
        busiest = chunks_on[i] > busiest ? chunks_on[i] : busiest;
    }
    for (int i = 0; i < harts; i++)
        kprintf("# balance: hart %d ran %lu of %lu chunks\n", i, (unsigned long)chunks_on[i], (unsigned long)total);
    kbench_report("balance", busiest * harts * 1000 / total, "makespan/ideal");
}
