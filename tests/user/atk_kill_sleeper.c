/* atk_kill_sleeper.c: kill a child blocked in sleep_ms, then (only then) wait for it. In the
 * race build, the kill itself panics: proc_kill -> task_abort -> wait_abort -> unblock ->
 * sched_make_runnable -> sched_kick_if_idle calls this_hart() with interrupts on
 * (task/sched.c, "h != this_hart()"): the killer runs in a syscall, interrupts on. */
#include "tests/user/atk.h"

int main(int argc, char **argv)
{
    check_program = "atk_kill_sleeper";
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    for (int i = 0; i < rounds; i++) {
        char *child[] = {"test_child", "sleep", "100000", NULL};
        long pid = spawn_child(child);
        sys_sleep_ms(5);
        CHECK_EQ(2, sys_kill(pid), 0);
        if (argc > 2)
            continue;               /* "nowait": leave them all to the end */
        int status = -1;
        CHECK_EQ(3, sys_wait(pid, &status), pid);
        CHECK_EQ(4, status, WSTATUS_KILLED);
    }
    printf("atk_kill_sleeper: all %d rounds passed\n", rounds);
    return 0;
}
