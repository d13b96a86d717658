# Grader of lab ch4-poison: four boots of one hart. The tests are tests/kernel/lab_poison_test.c
# (from start.patch); each prints its verdict with the token, and each use after free is a boot
# of its own, since the panic that reports it ends the boot.
import re

TIMEOUT = 15


def uaf_case(g, case):
    """Boots the KTEST_PANICS test lab_uaf_CASE: the test prints what it wrote where, then takes
    the block again; the heap must panic naming exactly that block, size, offset and byte."""
    run = g.ktest(f"lab_uaf_{case}", timeout=TIMEOUT)
    m = run.expect(rf"^lab uaf_{case}: wrote 0x([0-9a-f]{{2}}) at \+(\d+) of (0x[0-9a-f]+) "
                   rf"\(size (\d+)\) {g.token}$")
    value, off, block, size = m.groups()
    run.expect(rf"^panic: kheap: use after free: block {block} \(size {size}\) "
               rf"byte at \+{off} changed to 0x{value}$")
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
                 "lab_poison_workout"):
        run.expect(rf"^ok \d+ - {name}$")
    run.expect(rf"^lab poison_workout: ok {g.token}$")


@test(20)
def freed_block_is_poisoned(g):
    run = g.ktest("lab_poison_fill", timeout=TIMEOUT)
    run.verdict("poison_fill: ok")


@test(30)
def uaf_caught_on_reuse(g):
    uaf_case(g, "reuse")


@test(30)
def uaf_caught_after_merge(g):
    uaf_case(g, "merged")
