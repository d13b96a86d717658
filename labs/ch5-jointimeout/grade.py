# ch5-jointimeout: task_join_timeout. Each test boots the kernel once, on one hart under -icount
# (deadlines and sleeps then fall at the same instructions on every run, whatever the host is
# doing), and runs one of the lab's in-kernel tests (tests/kernel/lab_jointimeout_test.c). A test
# prints its verdict line, "lab jointimeout_NAME: ok TOKEN", only if every check in it passed; on
# a failure the console shows "# failed at FILE:LINE: why" (build/grade/ keeps the log).


def ktest(g, name):
    run = g.ktest(f"lab_jointimeout_{name}", smp=1, icount=True, timeout=20)
    run.verdict(rf"jointimeout_{name}: ok")


@test(30)
def in_time(g):
    """A task ending in time: its result as soon as it ends (woken by the end), the waiter
    blocked meanwhile, the handle then joined; a panic and an abort in time; ms = 0 on an
    ended task."""
    ktest(g, "in_time")


@test(30)
def times_out(g):
    """A task that does not end in time: TASK_ETIMEDOUT at the deadline (not before, at most a
    tick after), without polling; ms = 0 returns at once; the task runs on, and its handle can
    be waited on again and joined; sleeping still wakes on time afterwards."""
    ktest(g, "times_out")


@test(20)
def at_deadline(g):
    """21 rounds where the task ends within 2 ms of the deadline, both often in one tick: each
    answer consistent (a result, or TASK_ETIMEDOUT with the task still running), no wake-up
    lost or doubled, no task left behind."""
    ktest(g, "at_deadline")


@test(10)
def aborted_waiter(g):
    """A waiter aborted inside task_join_timeout ends; the handle it waited on stays joinable;
    its deadline passing after its memory is freed breaks nothing."""
    ktest(g, "aborted_waiter")


@test(10, baseline=True)
def join_and_sleep_still_work(g):
    """task_join's outcomes, and sleeps waking on time, still work (true at the start too)."""
    ktest(g, "join_and_sleep_still_work")
