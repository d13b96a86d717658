/* test_foreground.c: who may say which program Ctrl-C kills (SYS_foreground, user/syscall.h).
 * tests/shell.sh runs it from the shell:
 *   test_foreground thief &   in the background, while the shell's foreground job runs: every
 *                             way to take the console is -EPERM (Ctrl-C still kills the job)
 *   test_foreground hand      as the shell's foreground job: it hands the console to a child,
 *                             takes it back, hands it on again, and waits for Ctrl-C to kill
 *                             the child
 * Exits 0, or the number of the first check that failed. */
#include <string.h>

#include "tests/user/check.h"

static void thief(void)
{
    sys_sleep_ms(300);          /* the shell's foreground job has started by now */
    char *quick[] = {"test_child", "exit", "0", NULL};
    long child = spawn_child(quick);    /* ours until we wait, even once it has exited */
    CHECK_EQ(2, sys_foreground(0), -EPERM);
    CHECK_EQ(3, sys_foreground(child), -EPERM);
    CHECK_EQ(4, sys_foreground(sys_getpid() + 1000), -ESRCH);    /* not a child at all */
    CHECK_EQ(5, sys_spawn_flags("test_child", quick, SPAWN_FOREGROUND), -EPERM);
    CHECK_EQ(6, sys_wait(child, NULL), child);
    printf("test_foreground: the thief was refused\n");
}

/* Until pid is asleep: a kill that lands before it has gone to sleep is only seen when the
 * sleep ends (task/wait.c), so Ctrl-C must come after. */
static void until_asleep(long pid)
{
    static struct task_info list[64];
    for (;;) {
        long n = sys_tasks(list, 64);
        for (long i = 0; i < n; i++)
            if (list[i].pid == pid && list[i].state == TASK_INFO_BLOCKED)
                return;
        sys_sleep_ms(1);
    }
}

static void hand(void)
{
    char *sleeper[] = {"test_child", "sleep", "100000", NULL};
    long child = spawn_child(sleeper);
    CHECK_EQ(11, sys_foreground(child), 0);     /* we are the foreground: we may hand it on */
    CHECK_EQ(12, sys_foreground(0), 0);         /* and, as the giver, take it back */
    CHECK_EQ(13, sys_foreground(child), 0);
    until_asleep(child);
    printf("test_foreground: handed the console to %ld\n", child);
    int status = -1;
    CHECK_EQ(14, sys_wait(child, &status), child);
    CHECK_EQ(15, status, WSTATUS_KILLED);
    printf("test_foreground: my child was killed by Ctrl-C\n");
}

int main(int argc, char **argv)
{
    check_program = "test_foreground";
    if (argc == 2 && strcmp(argv[1], "thief") == 0)
        thief();
    else if (argc == 2 && strcmp(argv[1], "hand") == 0)
        hand();
    else
        CHECK(90, 0, "usage: test_foreground thief|hand");
    return 0;
}
