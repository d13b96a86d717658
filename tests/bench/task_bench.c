/* task_bench.c: the cost of the task machinery, in instructions (make bench runs under
 * -icount, where instret counts them exactly):
 *   yield_N      per switch between kernel tasks, with N tasks taking turns on one hart (a curve:
 *                N = 2, 8, 64, 256, 1024)
 *   tick         per timer interrupt that does not switch (entry, handler, exit)
 *   spawn_join   per task_spawn + task_join + task_drop of a task that returns at once
 *                (spawn_local_join: the same with task_spawn_local)
 *   spawn_join_live_N  spawn_join while N other tasks are alive, asleep (a curve: N = 0, 10,
 *                100, 1000)
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
#include "task/sched.h"
#include "task/task.h"
#include "tests/bench/fairness.h"

#ifndef BALANCE_CHUNKS
#define BALANCE_CHUNKS 10000            /* per task: about 10 time slices at hz=100 here */
#endif

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

/* N tasks yield to each other `switches` times in all, and the instructions from the first
 * switch to the last join. The bench task starts them and sleeps (in task_join), so every
 * switch counted is from one yielder to the next. */
static uint64_t yield_round(const char *name, int n, uint64_t switches)
{
    static struct task *t[1024];
    for (int i = 0; i < n; i++)
        if ((t[i] = task_spawn_local("yielder", yielder, NULL)) == NULL)
            panic("kbench %s: spawn failed", name);
    yields_left = switches;
    uint64_t t0 = rdinstret();
    task_join(t[0], NULL);          /* the others end right after it */
    for (int i = 1; i < n; i++)
        task_join(t[i], NULL);
    uint64_t spent = rdinstret() - t0;
    for (int i = 0; i < n; i++)
        task_drop(t[i]);
    return spent;
}

/* Besides the switches, a round holds each task's first run, its end and its join: a round
 * with no yields at all counts those alone, and is taken out. (Left in, they added about 600
 * instructions per task, spread over the switches: +3 per switch at 1,024 tasks.) */
static void bench_yield(const char *name, int n, uint64_t switches)
{
    uint64_t bare = yield_round(name, n, 0);
    uint64_t spent = yield_round(name, n, switches);
    if (spent <= bare)
        panic("kbench %s: %lu switches took no instructions", name, (unsigned long)switches);
    kbench_report(name, (spent - bare) * 1000 / switches, "instr/switch");
}

KBENCH(yield)
{
    bench_yield("yield_2", 2, 100000);
    bench_yield("yield_8", 8, 100000);
    bench_yield("yield_64", 64, 100000);
    bench_yield("yield_256", 256, 100000);
    bench_yield("yield_1024", 1024, 100000);
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

static int ran_on;

static void *nothing(void *arg)
{
    ran_on = hart_index();
    return arg;
}

/* Counted on the spawning hart. With other harts idle, task_spawn places the task on one of
 * them: then this is the cost of sending it there and being woken when it ends (two IPIs,
 * through OpenSBI), and task_spawn_local shows the same round trip kept on one hart. */
static void bench_spawn_join(const char *name, struct task *(*spawn)(const char *, task_fn,
                                                                     void *))
{
    enum { ROUNDS = 1000 };
    uint64_t t0 = rdinstret();
    for (int i = 0; i < ROUNDS; i++) {
        struct task *t = spawn("empty", nothing, NULL);
        if (t == NULL || task_join(t, NULL) != 0)
            panic("kbench %s: spawn or join failed", name);
        task_drop(t);
    }
    uint64_t spent = rdinstret() - t0;
    kprintf("# %s: the last task ran on hart %d, spawned from hart %d\n", name, ran_on,
            hart_index());
    kbench_report(name, spent * 1000 / ROUNDS, "instr");
}

KBENCH(spawn_join)
{
    bench_spawn_join("spawn_join", task_spawn);
    bench_spawn_join("spawn_local_join", task_spawn_local);
}

/* spawn_join_live_N: does spawning get dearer as tasks pile up (the list of every task, the
 * sleepers, the heap)? N tasks sleep on this hart, far from their wake-up time, while
 * spawn_join is measured as above; then they are aborted, which ends a sleeper at once. */
static void *sleeper(void *arg)
{
    task_sleep_ms(24 * 3600 * 1000);    /* a day: the bench ends long before */
    return arg;
}

static void bench_spawn_join_live(const char *name, int live)
{
    static struct task *parked[1000];
    if (live > (int)(sizeof parked / sizeof parked[0]))
        panic("kbench %s: at most %d live tasks", name, (int)(sizeof parked / sizeof parked[0]));
    for (int i = 0; i < live; i++)
        if ((parked[i] = task_spawn_local("sleeper", sleeper, NULL)) == NULL)
            panic("kbench %s: spawn failed", name);
    /* Let each one run into its sleep, so that none of them runs while we measure. */
    for (int i = 0; i < live; i++)
        while (__atomic_load_n(&parked[i]->state, __ATOMIC_RELAXED) != TASK_BLOCKED)
            task_yield();
    bench_spawn_join(name, task_spawn);
    for (int i = 0; i < live; i++) {
        task_abort(parked[i]);
        if (task_join(parked[i], NULL) != TASK_EABORTED)
            panic("kbench %s: a sleeper was not aborted", name);
        task_drop(parked[i]);
    }
}

KBENCH(spawn_join_live)
{
    bench_spawn_join_live("spawn_join_live_0", 0);
    bench_spawn_join_live("spawn_join_live_10", 10);
    bench_spawn_join_live("spawn_join_live_100", 100);
    bench_spawn_join_live("spawn_join_live_1000", 1000);
}

/* balance: 64 equal CPU-bound tasks spawned from one hart; placement and work stealing spread
 * them. makespan / ideal = the wall time from the first spawn to the last join, over the time
 * the same work would take with every hart busy throughout: the harts' busy time (not in their
 * idle task) summed and shared evenly. 1.000 is perfect; a hart left idle while work waits
 * elsewhere raises it. Each task runs about 20 time slices, so tasks move between harts many
 * times. Measured in time, so make bench runs it with real parallel harts, without -icount
 * (where the harts take turns on one host thread); the chunks each hart ran are printed too. */
static uint64_t chunks_on[MAX_HARTS];

static void *cpu_bound(void *arg)
{
    for (int c = 0; c < BALANCE_CHUNKS; c++) {
        for (volatile int i = 0; i < 2000; i++)
            ;
        __atomic_fetch_add(&chunks_on[hart_index()], 1, __ATOMIC_RELAXED);
    }
    return arg;
}

KBENCH(balance)
{
    enum { N = 64 };
    struct task *t[N];
    int nharts = smp_harts();
    if (nharts == 1)
        return;                         /* nothing to balance: make bench runs it on four */
    uint64_t idle0[MAX_HARTS];
    for (int i = 0; i < nharts; i++) {
        chunks_on[i] = 0;
        idle0[i] = sched_idle_time(i);
    }
    uint64_t t0 = rdtime();
    for (int i = 0; i < N; i++)
        if ((t[i] = task_spawn("cpu-bound", cpu_bound, NULL)) == NULL)
            panic("kbench balance: spawn failed");
    for (int i = 0; i < N; i++) {
        task_join(t[i], NULL);
        task_drop(t[i]);
    }
    uint64_t makespan = rdtime() - t0, busy = 0, total = 0;
    for (int i = 0; i < nharts; i++) {
        uint64_t idle = sched_idle_time(i) - idle0[i];
        busy += makespan - (idle < makespan ? idle : makespan);
        total += chunks_on[i];
        kprintf("# balance: hart %d idle %lu ms of %lu, ran %lu of %lu chunks\n", i,
                (unsigned long)(idle * 1000 / timer_timebase()),
                (unsigned long)(makespan * 1000 / timer_timebase()),
                (unsigned long)chunks_on[i], (unsigned long)total);
    }
    kbench_report("balance", makespan * nharts * 1000 / busy, "makespan/ideal");
}

/* fairness_6on4 (ch11): 6 CPU-bound tasks on 4 harts for 5 s: the largest share of the time
 * over the smallest (1.000: even). Chapter 6's scheduler leaves two harts with two tasks each
 * for good (2.000); chapter 11's periodic balancing rotates them. Under -icount (make bench). */
KBENCH(fairness_6on4)
{
    uint64_t ticks[6], fair;
    if (smp_harts() != 4)
        return;                         /* its shape needs four harts: make bench runs it so */
    uint64_t ratio = fairness_run(6, 5000, ticks, &fair);
    for (int i = 0; i < 6; i++)
        kprintf("# fairness_6on4: task %d ran %lu ticks (fair share %lu)\n", i,
                (unsigned long)ticks[i], (unsigned long)fair);
    kbench_report("fairness_6on4", ratio, "max/min share");
}
