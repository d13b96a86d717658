/* fairness.h: N CPU-bound tasks on every hart for a while; how evenly did they share? Used by
 * the ktest sched_balance_is_fair (tests/kernel/smp_test.c) and make bench's fairness_6on4
 * (tests/bench/task_bench.c). Chapter 11. */
#ifndef HARTOS_TESTS_FAIRNESS_H
#define HARTOS_TESTS_FAIRNESS_H

#include <stdint.h>

#define FAIRNESS_MAX_TASKS 16

/* Spawn n spinning tasks, let them run for ms milliseconds, and return the largest share
 * over the smallest, times 1000 (1000: perfectly even). Each task's ticks are put in ticks[]
 * and the fair share, in ticks per task, in *fair. */
uint64_t fairness_run(int n, uint64_t ms, uint64_t ticks[], uint64_t *fair);

#endif
