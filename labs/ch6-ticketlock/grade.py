# ch6-ticketlock: a FIFO spinlock. The fairness test runs on four real parallel harts (no
# -icount: a lock's order is a matter of which hart gets there first, so it must be tried with
# harts that really run at once). Its verdict does not depend on timing: each round the test
# holds the lock, lets the other harts ask in an order drawn from the token, waits until
# spin_contenders() shows each one queued, then releases and asks again itself; a FIFO lock
# serves them in that order and the test last (tests/kernel/lab_ticket_test.c). The other
# tests check that the chapter's misuse reports still name what went wrong: true at the start,
# and they must stay true.


@test(70)
def fifo_order(g):
    """Ten rounds on four harts: every round served in the order asked, the holder that asks
    again straight after its release served last (no barging), no acquisition lost."""
    run = g.ktest("lab_ticket_fifo", smp=4, timeout=60)
    run.expect(rf"^lab ticket_fifo: ok {g.token}: 10 rounds on 4 harts, each served in the "
               r"order asked$")
    run.expect_status(0)


def panics(g, name, smp, message):
    run = g.ktest(name, smp=smp, timeout=20)
    run.expect(message)
    run.expect_status(3)


@test(15, baseline=True)
def misuse_named(g):
    """Taking a lock twice, releasing one not held, and yielding while holding one are still
    named panics, with the file and line of each call."""
    panics(g, "spin_reacquire_panics", 1,
           r"^panic: lock 'test-a': hart 0 takes it again at tests/kernel/spinlock_test\.c:29 "
           r"\(it took it at tests/kernel/spinlock_test\.c:28\)$")
    panics(g, "spin_release_unheld_panics", 1,
           r"^panic: lock 'test-b': hart 0 releases it but does not hold it \(owner: hart -1\)$")
    panics(g, "spin_switch_while_holding_panics", 1,
           r"^panic: task 'main' yielded while holding lock 'test-a' \(taken at "
           r"tests/kernel/spinlock_test\.c:40\)$")


@test(10, baseline=True)
def deadlock_reported(g):
    """Two harts that take two locks in opposite orders: after 2 s without a hand-over, a
    probable deadlock is reported, naming the lock, its holder and where it was taken."""
    panics(g, "smp_deadlock_reported", 2,
           r"^panic: probable deadlock: hart [01] waited 2000 ms at tests/kernel/smp_test\.c:109 "
           r"for lock 'deadlock-(one|two)', held by hart [01] \(taken at "
           r"tests/kernel/smp_test\.c:105\)$")


@test(5, baseline=True)
def interrupts_follow_nesting(g):
    """Interrupts are off while any spinlock is held and come back with the last release."""
    run = g.ktest("spin_interrupts_follow_nesting", smp=1, timeout=20)
    run.expect(r"^ok 1 - spin_interrupts_follow_nesting$")
    run.expect_status(0)
