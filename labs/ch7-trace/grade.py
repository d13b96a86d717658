# labs/ch7-trace/grade.py: one boot of `init=lab_trace TOKEN` (tests/user/lab_trace.c), shared by
# the tests below. The program's calls take their arguments from the token, so each expected
# trace line holds a value this run computed; the values here are the program's own formulas.


def run(g):
    """The one boot, made by whichever test comes first."""
    return g.shared("boot", lambda: g.boot(args="init=lab_trace " + g.token, smp=1, timeout=20))


def token_value(g):
    return int(g.token, 16)


PTR = r"0x[0-9a-f]+"


def pid_of(g, r):
    """The traced program's pid: its write of the token prefix, right after trace(1)."""
    t = token_value(g)
    n = t % 12 + 1
    m = r.expect(r"^trace: \[(\d+)\] trace\(1\) = 0\n%strace: \[\1\] write\(1, %s, %d\) = %d$"
                 % (g.token[:n], PTR, n, n))
    return m.group(1)


@test(10, baseline=True)
def program_runs(g):
    """The program itself runs to its end, traced or not."""
    t = token_value(g)
    r = run(g)
    r.expect(r"^lab_trace: trace\(1\) returned -?\d+ and -?\d+, child status %d, token %s$"
             % (t % 50 + 1, g.token))
    r.expect_status(t % 100 + 100)


@test(25)
def write_and_bad_read(g):
    """trace(1) prints itself; a write's line follows its output; a bad read is -EFAULT (-14)."""
    t = token_value(g)
    r = run(g)
    pid = pid_of(g, r)
    r.expect(r"^trace: \[%s\] read\(0, 0x%x, %d\) = -14$"
             % (pid, 0x7e000000 + (t & 0xfff), t % 100 + 1))


@test(20)
def errors_and_unknown(g):
    """kill of no child is -ESRCH (-3), an unknown number prints as syscall(N) = -38, and brk's
    argument and result print in hex."""
    t = token_value(g)
    r = run(g)
    pid = pid_of(g, r)
    r.expect(r"^trace: \[%s\] kill\(%d\) = -3$" % (pid, 1000 + t % 1000))
    r.expect(r"^trace: \[%s\] syscall\(%d\) = -38$" % (pid, 9000 + t % 1000))
    r.expect(r"^trace: \[%s\] brk\(0x%x\) = 0x4[0-9a-f]{7}$" % (pid, t % 4096 + 1))


@test(25)
def spawned_child_traced(g):
    """A program spawned by a traced one is traced: its lines carry its own pid; exit prints
    without a result."""
    t = token_value(g)
    r = run(g)
    pid = pid_of(g, r)
    child = r.expect(r"^trace: \[%s\] spawn\(%s, %s\) = (\d+)$" % (pid, PTR, PTR)).group(1)
    if child == pid:
        fail("spawn's result is the parent's own pid %s" % pid)
    r.expect(r"^trace: \[%s\] sleep_ms\(%d\) = 0$" % (child, t % 7 + 1))
    r.expect(r"^trace: \[%s\] exit\(%d\)$" % (child, t % 50 + 1))
    r.expect(r"^trace: \[%s\] wait\(%s, %s\) = %s$" % (pid, child, PTR, child))


@test(20)
def off_and_on_again(g):
    """trace(0) stops the lines (and prints none itself); trace(1) starts them again."""
    t = token_value(g)
    r = run(g)
    pid = pid_of(g, r)
    r.expect_no(r"kill\(%d\)" % (2000 + t % 1000))
    r.expect_no(r"trace\(0\)")
    line = "lab_trace: trace(1) returned 0 and 0, child status %d, token %s\n" % (t % 50 + 1,
                                                                                 g.token)
    r.expect(r"^trace: \[%s\] write\(1, %s, %d\) = %d$" % (pid, PTR, len(line), len(line)))
    r.expect(r"^trace: \[%s\] exit\(%d\)$" % (pid, t % 100 + 100))
