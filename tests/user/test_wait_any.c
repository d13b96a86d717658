/* test_wait_any.c: wait(-1, &status) waits for whichever child ends first, and WAIT_NOHANG asks
 * without blocking (user/syscall.h). Children end on other harts while we wait (tests/user.sh
 * runs this on one hart and on four); a child that ends before we wait, or while we are not
 * waiting, is still found; a waited-for child is gone; the kernel keeps no task for any of them.
 * Exits 0, or the number of the first check that failed. */
#include <string.h>

#include "tests/user/check.h"

#define MANY 100

static long task_count(void)
{
    static struct task_info list[64];
    return sys_tasks(list, 64);
}

/* The task count once the children already waited for are gone. wait() returns as soon as a
 * child has ended, but its struct task stays listed until its hart has switched away from it
 * (task/sched.c, finish_switch): on parallel harts a count taken at once may still see it. */
static long settled_task_count(void)
{
    long n = task_count();
    for (int i = 0; i < 100; i++) {
        sys_sleep_ms(1);
        long now = task_count();
        if (now == n)
            break;
        n = now;
    }
    return n;
}

static void no_children(void)
{
    int status = -1;
    CHECK_EQ(10, sys_wait(-1, &status), -ECHILD);
    CHECK_EQ(11, sys_wait_flags(-1, &status, WAIT_NOHANG), -ECHILD);
    CHECK_EQ(12, sys_wait_flags(-1, &status, 2), -EINVAL);           /* an unknown flag */
    CHECK_EQ(13, sys_wait(-2, &status), -ECHILD);                     /* -1 is the only "any" */
    CHECK_EQ(14, status, -1);
}

/* The child that ends first is the one wait(-1) returns, not the first one spawned. */
static void first_to_end(void)
{
    char *slow[] = {"test_child", "sleep", "300", NULL};
    char *quick[] = {"test_child", "exit", "5", NULL};
    long slow_pid = spawn_child(slow);
    long quick_pid = spawn_child(quick);
    int status = -1;
    CHECK_EQ(20, sys_wait(-1, &status), quick_pid);
    CHECK_EQ(21, status, 5);
    /* The slow one is still sleeping: NOHANG says so with 0, for -1 and for its pid. */
    CHECK_EQ(22, sys_wait_flags(-1, &status, WAIT_NOHANG), 0);
    CHECK_EQ(23, sys_wait_flags(slow_pid, &status, WAIT_NOHANG), 0);
    CHECK_EQ(24, status, 5);                                          /* untouched */
    long t0 = sys_uptime_ms();
    CHECK_EQ(25, sys_wait(-1, &status), slow_pid);                    /* blocks until it ends */
    CHECK_EQ(26, status, 0);
    CHECK(27, sys_uptime_ms() - t0 >= 100, "wait(-1) blocked until the sleeper ended");
    CHECK_EQ(28, sys_wait(-1, &status), -ECHILD);
    CHECK_EQ(29, sys_wait(quick_pid, &status), -ECHILD);              /* waited for already */
}

/* A child that ended while we were not waiting is reaped by NOHANG; a killed one too. */
static void nohang_reaps(void)
{
    char *quick[] = {"test_child", "exit", "9", NULL};
    char *spin[] = {"test_child", "spin", NULL};
    long quick_pid = spawn_child(quick);
    long spinner = spawn_child(spin);
    sys_sleep_ms(50);
    int status = -1;
    long pid = sys_wait_flags(-1, &status, WAIT_NOHANG);
    for (int i = 0; i < 2000 && pid == 0; i++) {    /* a busy host may have held it back */
        sys_sleep_ms(1);
        pid = sys_wait_flags(-1, &status, WAIT_NOHANG);
    }
    CHECK_EQ(30, pid, quick_pid);
    CHECK_EQ(31, status, 9);
    CHECK_EQ(32, sys_wait_flags(-1, &status, WAIT_NOHANG), 0);
    CHECK_EQ(33, sys_kill(spinner), 0);
    CHECK_EQ(34, sys_wait(-1, &status), spinner);
    CHECK_EQ(35, status, WSTATUS_KILLED);
    CHECK_EQ(36, sys_wait_flags(-1, &status, WAIT_NOHANG), -ECHILD);
}

/* MANY children, each with its own status, reaped in whatever order they end; half of them
 * while others are still being spawned. None is lost, none is reported twice. */
static void many(void)
{
    static long pids[MANY];
    static char codes[MANY][4];
    long tasks_before = settled_task_count();      /* nohang_reaps' spinner may be listed */
    int reaped = 0;
    for (int i = 0; i < MANY; i++) {
        codes[i][0] = (char)('0' + i / 10), codes[i][1] = (char)('0' + i % 10);
        char *argv[] = {"test_child", "exit", codes[i], NULL};
        pids[i] = spawn_child(argv);
        int status;
        long pid = i % 2 ? sys_wait_flags(-1, &status, WAIT_NOHANG) : 0;
        CHECK(40, pid >= 0, "NOHANG while children run: a pid or 0");
        for (int j = 0; pid > 0 && j <= i; j++)
            if (pids[j] == pid) {
                CHECK_EQ(41, status, j);
                pids[j] = 0, reaped++, pid = 0;
            }
        CHECK_EQ(42, pid, 0);                   /* it was one of ours, not reaped before */
    }
    while (reaped < MANY) {
        int status;
        long pid = sys_wait(-1, &status);
        CHECK(43, pid > 0, "wait(-1) with children left");
        int j = 0;
        while (j < MANY && pids[j] != pid)
            j++;
        CHECK(44, j < MANY, "wait(-1) returned a child not yet reaped");
        CHECK_EQ(45, status, j);
        pids[j] = 0, reaped++;
    }
    int status;
    CHECK_EQ(46, sys_wait(-1, &status), -ECHILD);
    for (int i = 0; i < 100 && task_count() > tasks_before; i++)
        sys_sleep_ms(1);                        /* the last one's hart reclaims it at a switch */
    CHECK_EQ(47, task_count(), tasks_before);
}

/* Children that exit at once, leaving grandchildren that end later: those must not reach back
 * into a parent that is gone (kernel/proc.c, proc_ended). */
static void orphans(void)
{
    char *orphan[] = {"test_child", "orphan", NULL};
    for (int i = 0; i < 4; i++)
        spawn_child(orphan);
    for (int i = 0; i < 4; i++) {
        int status = -1;
        CHECK(50, sys_wait(-1, &status) > 0, "wait(-1) for an orphan-maker");
        CHECK_EQ(51, status, 0);
    }
    sys_sleep_ms(50);                           /* the grandchildren print and end */
    CHECK_EQ(52, sys_wait(-1, NULL), -ECHILD);
}

int main(void)
{
    check_program = "test_wait_any";
    no_children();
    first_to_end();
    nohang_reaps();
    many();
    orphans();
    printf("test_wait_any: all checks passed\n");
    return 0;
}
