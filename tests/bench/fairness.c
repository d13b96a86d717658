/* fairness.c: see fairness.h. A task's share is the timer ticks that found it running
 * (ticks_run), counted from when all n are spawned to ms later. */
#include "tests/bench/fairness.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "task/task.h"

static volatile int stop;

static void *spinner(void *arg)
{
    while (!stop)
        __asm__ volatile("");
    return arg;
}

uint64_t fairness_run(int n, uint64_t ms, uint64_t ticks[], uint64_t *fair)
{
    struct task *t[FAIRNESS_MAX_TASKS];
    uint64_t start[FAIRNESS_MAX_TASKS];
    if (n > FAIRNESS_MAX_TASKS)
        panic("fairness_run: %d tasks, at most %d", n, FAIRNESS_MAX_TASKS);
    stop = 0;
    for (int i = 0; i < n; i++)
        if ((t[i] = task_spawn("spinner", spinner, NULL)) == NULL)
            panic("fairness_run: spawn failed");
    for (int i = 0; i < n; i++)
        start[i] = __atomic_load_n(&t[i]->ticks_run, __ATOMIC_RELAXED);
    task_sleep_ms(ms);
    uint64_t most = 0, least = UINT64_MAX;
    for (int i = 0; i < n; i++) {
        ticks[i] = __atomic_load_n(&t[i]->ticks_run, __ATOMIC_RELAXED) - start[i];
        most = ticks[i] > most ? ticks[i] : most;
        least = ticks[i] < least ? ticks[i] : least;
    }
    stop = 1;
    for (int i = 0; i < n; i++) {
        task_join(t[i], NULL);
        task_drop(t[i]);
    }
    *fair = ms * timer_hz() / 1000 * (uint64_t)smp_harts() / (uint64_t)n;
    return least ? most * 1000 / least : UINT64_MAX;
}
