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
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
    return r0;
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

#endif
