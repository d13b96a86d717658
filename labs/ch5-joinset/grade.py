# ch5-joinset: task_join_any. Each test boots the kernel once, on one hart under -icount (the
# tasks sleep for different lengths, so the order they end in is fixed), and runs one of the
# lab's in-kernel tests (tests/kernel/lab_joinset_test.c). A test prints its verdict line,
# "lab joinset_NAME: ok TOKEN", only if every check in it passed; on a failure the console shows
# "# failed at FILE:LINE: why" (build/grade/ keeps the log).


def ktest(g, name):
    run = g.ktest(f"lab_joinset_{name}", smp=1, icount=True, timeout=20)
    run.verdict(rf"joinset_{name}: ok")


@test(35)
def first_to_end(g):
    """Tasks ending after 60, 20, 40 ms come back in that order, each as soon as it ends, with
    its result; the waiter blocks (does not run while it waits); then TASK_EJOINED."""
    ktest(g, "first")


@test(20)
def outcomes(g):
    """A panic, an abort and a result come back as TASK_EPANICKED, TASK_EABORTED and 0, in the
    order the tasks ended."""
    ktest(g, "outcomes")


@test(20)
def already_done(g):
    """Tasks that ended before the call are joined at once, in the order they ended; of two
    tasks that end in the same tick, the first to end comes first, and the second without
    waiting."""
    ktest(g, "already_done")


@test(15)
def rules(g):
    """NULL and joined entries skipped; the returned handle is joined, the others stay
    joinable; TASK_EJOINED, TASK_EINVAL, TASK_ESELF; a waiter aborted inside join_any leaves
    nothing behind."""
    ktest(g, "rules")


@test(10, baseline=True)
def task_join_still_works(g):
    """task_join still gives a result, a panic and an abort (true at the start too)."""
    ktest(g, "task_join_still_works")
