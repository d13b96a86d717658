# grade.py for ch3-trapstats: per-hart, per-cause trap counters. The lab's ktests (in
# tests/kernel/lab_trapstats_test.c) cause a number of breakpoints and software interrupts
# computed from the token, and print "lab NAME: ok TOKEN" when the counts agree; the printout
# is checked line by line against the same numbers. One boot on 4 harts (any may be the boot
# hart) serves most tests (g.shared); the timed checks run on one hart under -icount.
import random
import re


def _counts(g):
    """The breakpoints and software interrupts the ktests cause (as the ktests compute them)."""
    v = int(g.token, 16)
    return 3 + v % 13, 2 + (v >> 8) % 7


def _ktests(g):
    return g.shared("boot", lambda: g.ktest("lab_trapstats_*", smp=4, timeout=20))


def _verdict(run, g, name):
    run.expect(rf"^lab {name}: ok {g.token}$")
    run.expect(rf"^ok \d+ - lab_{name}$")


@test(20)
def breakpoints(g):
    _verdict(_ktests(g), g, "trapstats_breakpoints")


@test(20)
def software_interrupts(g):
    _verdict(_ktests(g), g, "trapstats_software")


@test(10)
def other_and_harts(g):
    _verdict(_ktests(g), g, "trapstats_other_and_harts")


@test(20)
def printout(g):
    run = _ktests(g)
    boot = int(run.expect(r"^Boot HART ID\s*: (\d+)$").group(1))
    m = run.expect(rf"^lab trapstats_print: hart (\d+) took (\d+) timer interrupts {g.token}$")
    hart, timer = int(m.group(1)), int(m.group(2))
    if hart != boot:
        fail(f"the ktest ran on hart {hart}, but OpenSBI says the boot hart is {boot}")
    breaks, soft = _counts(g)
    want = [f"trapstats: hart {boot}: breakpoint: {breaks}",
            f"trapstats: hart {boot}: supervisor software interrupt: {soft}",
            f"trapstats: hart {boot}: supervisor timer interrupt: {timer}",
            f"trapstats: hart {boot}: other: 3",
            f"trapstats: hart {boot}: total: {breaks + soft + timer + 3}"]
    got = re.findall(r"^trapstats: .*$", run.out, re.M)
    if got != want:
        fail("the printout is\n  " + "\n  ".join(got or ["(nothing)"]) +
             "\nwant\n  " + "\n  ".join(want))


@test(10)
def timer_rate(g):
    hz = random.Random(g.token + "timer").choice([20, 50, 100, 200, 300, 500])
    run = g.ktest("lab_trapstats_timer", args=f"hz={hz}", icount=True, timeout=20)
    run.expect_status(0)
    _verdict(run, g, "trapstats_timer")


@test(10)
def at_poweroff(g):
    hz = random.Random(g.token + "poweroff").choice([20, 50, 100, 200, 300])
    run = g.boot(args=f"hz={hz} labtoken={g.token}", icount=True, timeout=20)
    run.expect_status(0)
    run.expect(r"^hartos: chapter 3 done, powering off$")
    # one printout: a list of lines for every hz would have one that fits
    for what in ("supervisor timer interrupt", "total"):
        n = len(re.findall(rf"^trapstats: hart 0: {what}: ", run.out, re.M))
        if n != 1:
            fail(f"{n} 'trapstats: hart 0: {what}: N' lines at the power-off, want one")
    m = run.expect(r"^trapstats: hart 0: supervisor timer interrupt: (\d+)$")
    ticks = int(m.group(1))
    # the heartbeat ends after 3 s of ticks; under -icount every tick is one interrupt
    if abs(ticks - 3 * hz) > 1:
        fail(f"{ticks} timer interrupts counted over the 3 s heartbeat at hz={hz}")
    run.expect(rf"^trapstats: hart 0: total: {ticks}$")


@test(10, baseline=True)
def chapter_trap_tests_pass(g):
    # trap_?r* picks the chapter's two trap tests that do not panic on purpose:
    # trap_breakpoint_resumes and trap_preserves_registers
    hz = random.Random(g.token + "chapter").choice([50, 100, 200])
    run = g.ktest("trap_?r*", args=f"hz={hz}", smp=2, timeout=15)
    run.expect(rf"^timer: {hz} Hz from a 10000000 Hz timebase")
    run.expect(r"^ok \d+ - trap_breakpoint_resumes$")
    run.expect(r"^ok \d+ - trap_preserves_registers$")
    run.expect(r"^# 2 passed, 0 failed$")
    run.expect_status(0)
