# labs/ch7-lazybrk/grade.py: one boot of `init=lab_lazybrk TOKEN` (tests/user/lab_lazybrk.c),
# shared by the tests below. The token picks how far the heap grows and which pages are touched;
# the numbers here are the program's own formulas, so each expected line holds this run's values.


def run(g):
    """The one boot, made by whichever test comes first."""
    return g.shared("boot", lambda: g.boot(args="init=lab_lazybrk " + g.token, smp=1, timeout=20))


def plan(g):
    """(t, grow, k, pages): the token's value, the pages grown, how many are touched, which."""
    t = int(g.token, 16)
    grow = 4096 + t % 2048
    k = 3 + t % 6
    pages = [j * grow // k + (t >> j) % 16 for j in range(k)]
    return t, grow, k, pages


def line(g, what):
    return r"^lab_lazybrk: %s, token %s$" % (what, g.token)


@test(25)
def grow_reserves_only(g):
    """Growing the break by thousands of pages allocates none of them."""
    t, grow, k, pages = plan(g)
    r = run(g)
    r.expect(line(g, r"grew by %d pages: 0 allocated" % grow))
    r.expect_status(0)                  # the program ends normally: its status powers off


@test(25)
def touch_allocates_each_page(g):
    """Touching k pages (a load, then a store) allocates exactly k, zeroed, that keep their data."""
    t, grow, k, pages = plan(g)
    r = run(g)
    r.expect_no(r"^FAIL lab_lazybrk")
    r.expect(line(g, r"touched %d pages: %d allocated" % (k, k)))
    r.expect_status(0)


@test(20)
def syscalls_fault_in(g):
    """A system call handed a pointer into the reserved heap works, and costs one page each."""
    r = run(g)
    r.expect(line(g, r"tasks into an untouched page: 1, read: 0, 2 allocated"))
    r.expect_status(0)


@test(15)
def shrink_frees_touched(g):
    """Shrinking to half frees the touched pages above the half (and the two from the system
    calls); shrinking to nothing frees the rest."""
    t, grow, k, pages = plan(g)
    half = grow // 2
    upper = sum(1 for p in pages if p >= half)
    r = run(g)
    r.expect(line(g, r"shrank to %d pages: -%d allocated" % (half, upper + 2)))
    r.expect(line(g, r"shrank to 0 pages: -%d allocated" % (k - upper)))
    r.expect_status(0)


@test(15, baseline=True)
def store_past_break_killed(g):
    """A store past the break still kills the program, with the chapter's fault report."""
    r = run(g)
    addr = r.expect(line(g, r"storing at (0x[0-9a-f]+) past the break 0x[0-9a-f]+")).group(1)
    r.expect(r"^pid \d+ \(lab_lazybrk\): killed: store/AMO page fault at %s pc 0x4[0-9a-f]{7}$"
             % addr)
    r.expect(line(g, r"past the break: status 139"))
    r.expect_no(r"the store past the break came back")
    r.expect_status(0)
