/* test_spawn.c: spawn and wait. A missing program is -ENOENT, too many or too long arguments
 * are -E2BIG (user/syscall.h's limits, exactly at the edge), argv arrives as it was given, and
 * 200 children run and are waited for with the right exit status each, one at a time and a
 * few at a time. (tests/kernel/proc_test.c checks that they leave no memory behind.)
 * Exits 0, or the number of the first check that failed. */
#include <string.h>

#include "tests/user/check.h"

/* Spawn test_child with argv and wait: its status, or 1000 + the error if either call fails. */
static int run_child(char *const argv[])
{
    long pid = sys_spawn("test_child", argv);
    if (pid < 0)
        return 1000 + (int)-pid;
    int status = -1;
    long r = sys_wait(pid, &status);
    return r == pid ? status : 1000 + (int)-r;
}

static void errors(void)
{
    char long_name[40];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    CHECK_EQ(1, sys_spawn("no_such_program", NULL), -ENOENT);
    CHECK_EQ(2, sys_spawn("", NULL), -ENOENT);
    CHECK_EQ(3, sys_spawn(long_name, NULL), -ENOENT);
    CHECK_EQ(4, sys_spawn("test_chil", NULL), -ENOENT);                /* a prefix is not it */

    /* USER_ARGV_MAX strings are fine, one more is -E2BIG. */
    char *many[USER_ARGV_MAX + 2] = {"test_child", "argc"};
    for (int i = 2; i < USER_ARGV_MAX + 1; i++)
        many[i] = "a";
    many[USER_ARGV_MAX + 1] = NULL;
    CHECK_EQ(5, sys_spawn("test_child", many), -E2BIG);                /* 33 strings */
    many[USER_ARGV_MAX] = NULL;
    CHECK_EQ(6, run_child(many), USER_ARGV_MAX);                       /* 32 strings */

    /* USER_ARGV_BYTES in all, NULs counted, is fine; one byte more is -E2BIG. */
    static char filler[USER_ARGV_BYTES];
    size_t used = sizeof "test_child" + sizeof "argc";
    memset(filler, 'b', USER_ARGV_BYTES - used - 1);
    char *bytes[] = {"test_child", "argc", filler, NULL};
    CHECK_EQ(7, run_child(bytes), 3);
    filler[USER_ARGV_BYTES - used - 1] = 'b';
    CHECK_EQ(8, sys_spawn("test_child", bytes), -E2BIG);
}

static void arguments(void)
{
    char *given[] = {"test_child", "argv", "one", "two words", NULL};
    char *none[] = {NULL};
    char *hello[] = {"hello", "from", "test_spawn", NULL};
    CHECK_EQ(10, run_child(given), 0);          /* 60..64 name what test_child found wrong */
    CHECK_EQ(11, run_child(NULL), 50);          /* no argv: its name alone */
    CHECK_EQ(12, run_child(none), 50);          /* an empty argv: the same */
    char *masked[] = {"test_child", "exit", "300", NULL};
    CHECK_EQ(13, run_child(masked), 300 & 0xff);
    long pid = sys_spawn("hello", hello);       /* tests/user.sh checks the lines it prints */
    int status = -1;
    CHECK(14, pid > 0, "spawn hello");
    CHECK_EQ(15, sys_wait(pid, &status), pid);
    CHECK_EQ(16, status, 0);
    CHECK_EQ(17, sys_wait(pid, &status), -ECHILD);                      /* waited already */
    char *exit_9[] = {"test_child", "exit", "9", NULL};
    pid = sys_spawn("test_child", exit_9);
    CHECK(18, pid > 0, "spawn test_child exit 9");
    CHECK_EQ(19, sys_wait(pid, NULL), pid);                 /* NULL: the status is not wanted */
}

/* 100 one at a time, then 20 rounds of 5 at once, waited for in reverse order. */
static void two_hundred(void)
{
    char code[8], *argv[] = {"test_child", "exit", code, NULL};
    for (int i = 0; i < 100; i++) {
        snprintf(code, sizeof code, "%d", i);
        CHECK_EQ(20, run_child(argv), i);
    }
    for (int round = 0; round < 20; round++) {
        long pids[5];
        for (int k = 0; k < 5; k++) {
            snprintf(code, sizeof code, "%d", 100 + round * 5 + k);
            pids[k] = sys_spawn("test_child", argv);
            CHECK(21, pids[k] > 0, "spawn five at once");
        }
        for (int k = 4; k >= 0; k--) {
            int status = -1;
            CHECK_EQ(22, sys_wait(pids[k], &status), pids[k]);
            CHECK_EQ(23, status, 100 + round * 5 + k);
        }
    }
}

int main(void)
{
    check_program = "test_spawn";
    errors();
    arguments();
    two_hundred();
    printf("test_spawn: all checks passed\n");
    return 0;
}
