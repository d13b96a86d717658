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

/* Spawn tests/user/test_child.c with argv (argv[0] "test_child"): its pid. Check 1 of every
 * program that uses it fails if it cannot start. */
static inline long spawn_child(char *const argv[])
{
    long pid = sys_spawn("test_child", argv);
    CHECK(1, pid > 0, "spawn test_child");
    return pid;
}

/* System call `number` with no arguments, whether or not a stub exists for it. */
static inline long check_raw_syscall(long number)
{
    return syscall3(number, 0, 0, 0);
}

#endif
