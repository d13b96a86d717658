# Grader of lab ch4-unlink: four boots of one hart. The tests are tests/kernel/lab_unlink_test.c
# (from start.patch). Each lab_unlink_* case corrupts one link of a free block, prints the
# block and its links with the token, and has the heap unlink it; the heap must panic naming
# exactly that block and those links. A panic ends the boot, so each case boots on its own.

TIMEOUT = 15


def corrupt_case(g, case):
    run = g.ktest(f"lab_unlink_{case}", timeout=TIMEOUT)
    m = run.expect(rf"^lab unlink_{case}: block (0x[0-9a-f]+) next (0x[0-9a-f]+) "
                   rf"prev (0x[0-9a-f]+) {g.token}$")
    block, nxt, prev = m.groups()
    run.expect(rf"^panic: kheap: free list corrupt at {block}: next {nxt}, prev {prev}$")
    run.expect_status(3)


@test(20, baseline=True)
def heap_tests_still_pass(g):
    # Every ktest but those that panic on purpose. The timer tests read the wall clock (no
    # -icount here, to stay fast), so only the heap's tests and the workout are checked.
    run = g.boot(args=f"ktest labtoken={g.token}", timeout=TIMEOUT)
    run.expect_no(r"^panic:")
    for name in ("frame_alloc_free_balance", "frame_exhaustion_and_reservations",
                 "heap_kmalloc_basics", "heap_grows_and_gives_back",
                 "heap_exhaustion_returns_null", "heap_bump_reuses_only_when_empty",
                 "lab_unlink_workout"):
        run.expect(rf"^ok \d+ - {name}$")
    run.expect(rf"^lab unlink_workout: ok {g.token}$")


@test(30)
def corrupt_next_caught_by_kmalloc(g):
    corrupt_case(g, "take")


@test(25)
def corrupt_prev_caught_by_merge(g):
    corrupt_case(g, "merge_small")


@test(25)
def corrupt_prev_caught_by_replace(g):
    corrupt_case(g, "merge_large")
