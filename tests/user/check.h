/* check.h: how the usertests (tests/user/test_*.c, run by tests/user.sh) report. Every check has
 * its own number; a failed one prints one line naming the program, the number, the expression,
 * what it gave and what was expected, and exits with that number. So the exit status alone
 * says which check broke, and the console says why. Numbers stay below 128: 132, 137 and 139
 * are the statuses of a killed program (user/syscall.h). */
#ifndef HARTOS_TESTS_USER_CHECK_H
#define HARTOS_TESTS_USER_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include "user/lib/sys.h"

/* CHECK_EQ(N, expr, want): expr (an integer or a pointer) must equal want. */
#define CHECK_EQ(number, expr, want) \
    check_equal((number), #expr, (long)(expr), (long)(want))

/* CHECK(N, cond, "what it means"): cond must hold. */
#define CHECK(number, cond, meaning) check_equal((number), (meaning), (long)!!(cond), 1L)

static const char *check_program = "usertest"; /* the name in failure lines: main sets it */

static inline void check_equal(int number, const char *what, long got, long want)
{
    if (got == want)
        return;
    printf("FAIL %s check %d: %s: got %ld (%#lx), expected %ld\n", check_program, number, what,
           got, (unsigned long)got, want);
    exit(number);
}

/* A raw ecall, for what the sys_* stubs cannot express: numbers the kernel does not know, and
 * arguments the stubs' C types would not let through. */
static inline long check_ecall(long number, long arg0, long arg1, long arg2)
{
    register long a0 __asm__("a0") = arg0;
    register long a1 __asm__("a1") = arg1;
    register long a2 __asm__("a2") = arg2;
    register long a7 __asm__("a7") = number;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

#endif
