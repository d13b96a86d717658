/* test_sched.c: the calls about tasks and time. A program that never makes a system call is
 * preempted, so others still run beside it (tests/user.sh runs this on one hart); kill ends it
 * with WSTATUS_KILLED; wait and kill refuse what is not our child; getpid, sleep_ms,
 * sched_yield, uptime_ms and tasks say what they should. Exits 0, or the number of the first
 * check that failed. */
#include <string.h>

#include "tests/user/check.h"

static int wait_status(long pid)
{
    int status = -1;
    CHECK_EQ(2, sys_wait(pid, &status), pid);
    return status;
}

/* The entry of tasks() for pid, or NULL. */
static const struct task_info *find_task(const struct task_info *list, long n, long pid)
{
    for (long i = 0; i < n; i++)
        if (list[i].pid == pid)
            return &list[i];
    return NULL;
}

static void preemption_and_kill(void)
{
    char *spin[] = {"test_child", "spin", NULL};
    char *print[] = {"test_child", "print", "ran beside spin", NULL};
    long spinner = spawn_child(spin);
    sys_sleep_ms(30);                           /* let it spin for a few time slices */
    long printer = spawn_child(print);
    CHECK_EQ(10, wait_status(printer), 0);      /* it ran although spin never yields */

    struct task_info list[16];
    long n = sys_tasks(list, 16);
    const struct task_info *me = find_task(list, n, sys_getpid());
    const struct task_info *spun = find_task(list, n, spinner);
    CHECK(11, me != NULL && strcmp(me->name, "test_sched") == 0, "tasks lists test_sched");
    CHECK_EQ(12, me->state, TASK_INFO_RUNNING);
    CHECK(13, spun != NULL && strcmp(spun->name, "test_child") == 0, "tasks lists the spinner");
    CHECK(14, spun->state == TASK_INFO_READY || spun->state == TASK_INFO_RUNNING,
          "the spinner is ready or running");
    CHECK(15, spun->ticks > 0, "the spinner has had timer ticks");

    CHECK_EQ(16, sys_kill(spinner), 0);
    CHECK_EQ(17, wait_status(spinner), WSTATUS_KILLED);
    CHECK_EQ(18, sys_kill(spinner), -ESRCH);    /* waited for: no longer our child */

    /* A sleeping child is killed too, at once rather than when its sleep ends. */
    char *sleep_long[] = {"test_child", "sleep", "100000", NULL};
    long sleeper = spawn_child(sleep_long);
    sys_sleep_ms(10);
    long t0 = sys_uptime_ms();
    CHECK_EQ(19, sys_kill(sleeper), 0);
    CHECK_EQ(20, wait_status(sleeper), WSTATUS_KILLED);
    CHECK(21, sys_uptime_ms() - t0 < 1000, "a killed sleeper ends within a second");

    /* Killing a child that has already exited does not change how it ended. */
    char *exit_5[] = {"test_child", "exit", "5", NULL};
    long done = spawn_child(exit_5);
    sys_sleep_ms(20);
    CHECK_EQ(22, sys_kill(done), 0);
    CHECK_EQ(23, wait_status(done), 5);

    /* A child blocked in wait (for a grandchild that sleeps long) is killed there too. */
    char *waiter[] = {"test_child", "waiter", NULL};
    long waiting = spawn_child(waiter);
    sys_sleep_ms(20);
    t0 = sys_uptime_ms();
    CHECK_EQ(24, sys_kill(waiting), 0);
    CHECK_EQ(25, wait_status(waiting), WSTATUS_KILLED);
    CHECK(26, sys_uptime_ms() - t0 < 1000, "a child killed in wait ends within a second");
}

static void not_our_children(void)
{
    int status = -1;
    long me = sys_getpid();
    CHECK_EQ(30, sys_wait(me, &status), -ECHILD);             /* itself */
    CHECK_EQ(31, sys_wait(1, &status), -ECHILD);              /* the kernel's main task */
    CHECK_EQ(32, sys_wait(99999, &status), -ECHILD);          /* no such task */
    CHECK_EQ(33, sys_wait(-1, &status), -ECHILD);
    CHECK_EQ(34, sys_kill(me), -ESRCH);
    CHECK_EQ(35, sys_kill(1), -ESRCH);
    CHECK_EQ(36, sys_kill(99999), -ESRCH);
    CHECK_EQ(37, status, -1);                                 /* untouched by the failures */

    /* A grandchild is not ours: its parent's to wait for or kill. Here its parent exits at
     * once, without waiting; the grandchild runs on and prints (tests/user.sh checks). */
    char *orphan[] = {"test_child", "orphan", NULL};
    long parent = spawn_child(orphan);
    CHECK_EQ(38, wait_status(parent), 0);
    long grandchild = parent + 1;                             /* pids are handed out in order */
    CHECK_EQ(39, sys_kill(grandchild), -ESRCH);
    CHECK_EQ(40, sys_wait(grandchild, &status), -ECHILD);
    sys_sleep_ms(50);                                         /* time for it to print */
}

static void time_and_identity(void)
{
    long me = sys_getpid();
    CHECK(90, me > 0, "getpid is positive");
    CHECK_EQ(91, sys_getpid(), me);
    CHECK_EQ(92, sys_sched_yield(), 0);
    CHECK_EQ(93, sys_getpid(), me);                           /* the same after a yield */
    long t0 = sys_uptime_ms();
    CHECK_EQ(94, sys_sleep_ms(50), 0);
    long slept = sys_uptime_ms() - t0;
    CHECK(95, slept >= 50, "sleep_ms(50) lasts at least 50 ms by uptime_ms");
    CHECK(96, slept < 1000, "sleep_ms(50) lasts less than a second");
    CHECK_EQ(97, sys_sleep_ms(0), 0);
    CHECK(98, sys_uptime_ms() >= t0 + slept, "uptime_ms does not go back");
    char *exit_0[] = {"test_child", "exit", "0", NULL};
    long child = spawn_child(exit_0);
    CHECK(99, child != me, "a child's pid is not ours");
    CHECK_EQ(100, wait_status(child), 0);
}

int main(void)
{
    check_program = "test_sched";
    time_and_identity();
    not_our_children();
    preemption_and_kill();
    printf("test_sched: all checks passed\n");
    return 0;
}
