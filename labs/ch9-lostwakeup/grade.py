# ch9-lostwakeup: the hand-over that hangs, found in the race-widening build and fixed.
# The race build (RACE=1, kernel/race.h) widens the window after a block gives up its queue
# lock, so at the start the wake-up is lost within a few hundred hand-overs nearly every boot;
# the test sees it at once (a BLOCKED task on no wait queue) instead of hanging to the timeout.


def race_kernel(g):
    status, out = g.make("RACE=1")
    if status != 0:
        fail("the race build (make RACE=1) failed:\n" + out[-2000:])
    return "build/race/kernel.elf"


@test(80)
def handover_survives_race_build(g):
    kernel = race_kernel(g)
    run = g.ktest("lab_lostwakeup_handover", smp=2, kernel=kernel, timeout=90)
    run.expect_no(r"^lab lostwakeup: consumer stuck")
    run.verdict("lostwakeup: ok, 2000 items handed over")


@test(20, baseline=True)
def aborts_still_end_waits(g):
    run = g.ktest("lab_lostwakeup_aborts", smp=2, timeout=60)
    run.verdict("lostwakeup: aborts ok, 300 rounds")
