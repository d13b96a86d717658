# grade.py for ch1-sbi: the kernel asks the firmware (SBI HSM) about every hart and prints what it
# says. Ch1 has no boot arguments, so the run's randomness is the machine: a random hart count
# and memory size, and the hart OpenSBI's lottery picks. Every expected line is checked against
# OpenSBI's own banner in the same console.
import random
import re


def _machine(g, salt, lo):
    """A random -smp (lo..8) and -m for this run, reproducible from the token."""
    rnd = random.Random(g.token + salt)
    return rnd.randint(lo, 8), f"{rnd.choice([64, 96, 128, 192, 256, 384, 512])}M"


def _opensbi(run, field):
    """A value from OpenSBI's banner, e.g. 'Boot HART ID' -> '2'."""
    m = run.expect(rf"^{field}\s*: (\S+)$")
    return m.group(1)


@test(40)
def hart_states(g):
    smp, mem = _machine(g, "states", 2)
    run = g.boot(smp=smp, mem=mem, timeout=15)
    run.expect_status(0)
    boot = int(_opensbi(run, "Boot HART ID"))
    for hart in range(smp):
        state = "started" if hart == boot else "stopped"
        run.expect(rf"^hsm: hart {hart} {state}$")
    # no line for a hart the machine does not have, and each hart named once
    run.expect_no(rf"^hsm: hart {smp} ")
    lines = re.findall(r"^hsm: hart \d+ ", run.out, re.M)
    if len(lines) != smp:
        fail(f"{len(lines)} 'hsm: hart N STATE' lines with -smp {smp}, want {smp}")


@test(45)
def summary_matches_opensbi(g):
    smp, mem = _machine(g, "summary", 1)
    run = g.boot(smp=smp, mem=mem, timeout=15)
    run.expect_status(0)
    count = int(_opensbi(run, "Platform HART Count"))
    boot = int(_opensbi(run, "Boot HART ID"))
    if count != smp:
        fail(f"OpenSBI counts {count} harts with -smp {smp}")
    # exactly one summary: a list of every possible line would hold the right one
    lines = re.findall(r"^hsm: harts.*$", run.out, re.M)
    want = f"hsm: harts {count}, boot hart {boot}"
    if len(lines) != 1:
        fail(f"{len(lines)} 'hsm: harts' lines, want exactly one: '{want}'")
    if lines[0] != want:
        fail(f"the summary is '{lines[0]}', want '{want}'")


@test(15, baseline=True)
def banner_unchanged(g):
    smp, mem = _machine(g, "banner", 2)
    run = g.boot(smp=smp, mem=mem, timeout=15)
    run.expect_status(0)
    boot = int(_opensbi(run, "Boot HART ID"))
    dtb = int(_opensbi(run, "Domain0 Next Arg1"), 16)
    spec = _opensbi(run, "Runtime SBI Version")
    impl = re.search(r"^OpenSBI (v\d+\.\d+)", run.out, re.M)
    if impl is None:
        fail("no 'OpenSBI vX.Y' line in the firmware's banner")
    run.expect(rf"^hartos: booting on hart {boot}, device tree at {dtb:#x}$")
    run.expect(rf"^sbi: spec v{re.escape(spec)}, OpenSBI {re.escape(impl.group(1))}, "
               r"system reset available$")
    run.expect(r"^hartos: chapter 1 done, powering off$")
