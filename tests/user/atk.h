/* atk.h: helpers for the chapter 9 attack programs (tests/user/atk_*.c): each is a hostile
 * program that tries to break a rule the kernel claims to keep; it exits 0 if the kernel held,
 * or prints "FAIL ..." and exits non-zero. A kernel panic ends QEMU with 3, a hang with 124. */
#ifndef HARTOS_TESTS_USER_ATK_H
#define HARTOS_TESTS_USER_ATK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/user/check.h"

static inline uint64_t atk_time(void)       /* 10 MHz timebase on QEMU virt */
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

static inline long atk_ecall(long n, long a0, long a1, long a2)
{
    return syscall3(n, a0, a1, a2);
}

/* Spawn this same program (name) with one mode argument and up to two more. */
static inline long atk_self(const char *name, const char *mode, const char *a, const char *b)
{
    char *argv[] = {(char *)name, (char *)mode, (char *)a, (char *)b, NULL};
    return sys_spawn(name, argv);
}

static inline void atk_heap(struct heap_info *h)
{
    CHECK_EQ(120, sys_heap_stats(h), 0);
}

/* Frames, heap and tasks are back to where they were (h0, tasks0): nothing leaked. */
static inline bool atk_settled(const struct heap_info *h0, long tasks0)
{
    static struct task_info list[64];
    struct heap_info h;
    atk_heap(&h);
    return h.frames_free == h0->frames_free && h.used_bytes <= h0->used_bytes &&
           sys_tasks(list, 64) == tasks0;
}

/* After `rounds` rounds: wait up to tries * 10 ms for everything to be reclaimed (orphans end,
 * reaping is lazy), say where frames, heap and tasks ended up, and check nothing is left. */
static inline void atk_expect_settled(int check, int rounds, const struct heap_info *h0,
                                      long tasks0, int tries)
{
    static struct task_info list[64];
    struct heap_info h1;
    while (!atk_settled(h0, tasks0) && tries-- > 0)
        sys_sleep_ms(10);
    atk_heap(&h1);
    printf("%s: %d rounds; frames free %lu -> %lu, heap used %lu -> %lu, tasks %ld -> %ld\n",
           check_program, rounds, (unsigned long)h0->frames_free,
           (unsigned long)h1.frames_free, (unsigned long)h0->used_bytes,
           (unsigned long)h1.used_bytes, tasks0, sys_tasks(list, 64));
    CHECK(check, atk_settled(h0, tasks0), "no frame, heap block or task left behind");
}

#endif
