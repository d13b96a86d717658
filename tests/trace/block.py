#!/usr/bin/env python3
"""tests/trace/block.py: make trace blocks for tests/trace.sh, good and bad, without a kernel.

    tests/trace/block.py good OUT                 a small, consistent two-hart block
    tests/trace/block.py shell OUT                another, at 10 MHz as on QEMU: a shell's
                                                  system calls, one blocking, and wakes
    tests/trace/block.py KIND OUT                 the same with one inconsistency KIND (below),
                                                  re-checksummed, so only the validator sees it
                                                  (but KIND sametick: consistent, a task leaves
                                                  one hart and arrives on another at one tick)
    tests/trace/block.py twice LOG OUT            a real trace (LOG) with one task made to run on
                                                  two harts at once, re-checksummed

The events follow DESIGN.md's "Traces": (time, type, x, y, a, b, c)."""
import importlib.machinery
import importlib.util
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
loader = importlib.machinery.SourceFileLoader("trace_tool", os.path.join(ROOT, "tools", "trace"))
spec = importlib.util.spec_from_loader("trace_tool", loader)
trace = importlib.util.module_from_spec(spec)
loader.exec_module(trace)
T = trace


def name(s):
    b = s.encode().ljust(16, b"\0")
    return struct.unpack("<QQ", b)


# Two harts. Hart 0 spawns "worker" (2) and "sleeper" (3); hart 1 steals the worker; the
# sleeper blocks, hart 1's worker wakes it, both end. Times in timebase ticks.
def good():
    w, s = name("worker"), name("sleeper")
    h0 = [(100, T.START, 0, 0, 0, 0, 0),
          (110, T.SPAWN, 0, 0, 1, *name("main")), (111, T.WAKE, 0, 0, 1, 0, 0),
          (120, T.SWITCH, 4, 0, 0, 1, 0),
          (130, T.SPAWN, 0, 0, 2, *w), (131, T.WAKE, 0, 0, 2, 1, 0),
          (140, T.SPAWN, 0, 0, 3, *s), (141, T.WAKE, 0, 0, 3, 1, 0),
          (150, T.SWITCH, 2, 0, 1, 3, 0),           # main blocks (joins); the sleeper runs
          (155, T.SYS_ENTER, 0, 0, 502, 3, 10),
          (160, T.SWITCH, 2, 0, 3, 0, 0),           # the sleeper blocks: idle
          (200, T.TRAP_ENTER, 1, 0, 1, 0, 0), (201, T.IPI_RECV, 0, 0, 0, 0, 0),
          (202, T.TRAP_EXIT, 1, 0, 1, 0, 0),
          (210, T.SWITCH, 4, 0, 0, 3, 0),           # the sleeper, woken, runs again
          (215, T.SYS_EXIT, 0, 0, 502, 3, 0),
          (220, T.EXIT, 0, 0, 3, 0, 0), (221, T.WAKE, 0, 0, 1, 3, 0),
          (222, T.SWITCH, 3, 0, 3, 1, 0),
          (300, T.SWITCH, 0, 0, 1, 0, 0)]          # main yields to nothing: idle after
    h1 = [(105, T.START, 0, 0, 0, 0, 0),
          (145, T.STEAL, 0, 0, 2, 0, 0), (146, T.SWITCH, 4, 0, 0, 2, 0),
          (190, T.WAKE, 0, 0, 3, 2, 0), (191, T.IPI_SEND, 0, 0, 0, 0, 0),
          (250, T.EXIT, 0, 0, 2, 0, 0), (251, T.SWITCH, 3, 0, 2, 0, 0)]
    return [h0, h1]


# Two harts at 10 MHz, times as a real trace of the shell had them: "sh" (1) spawns "spin" (2)
# onto hart 1 and waits for it, blocked; spin exits and wakes sh, which goes on with its wait
# "(cont.)". The wait's slice ends with sh's: at 10 MHz, in microseconds as doubles,
# 20265.4 + 3.9 > 20021.5 + 247.8, the trap tools/trace must not fall into.
def shell():
    h0 = [(0, T.START, 0, 0, 0, 0, 0),
          (100, T.SPAWN, 0, 0, 1, *name("sh")), (101, T.WAKE, 0, 0, 1, 0, 0),
          (200215, T.SWITCH, 4, 0, 0, 1, 0),
          (200300, T.SYS_ENTER, 0, 0, 500, 1, 0x1000),
          (200400, T.SPAWN, 1, 0, 2, *name("spin")), (200401, T.WAKE, 1, 0, 2, 1, 0),
          (200410, T.IPI_SEND, 1, 0, 0, 0, 0),
          (200500, T.SYS_EXIT, 0, 0, 500, 1, 2),
          (202654, T.SYS_ENTER, 0, 0, 501, 1, 2),
          (202693, T.SWITCH, 2, 0, 1, 0, 0),           # sh blocks in wait: idle
          (289200, T.TRAP_ENTER, 1, 0, 1, 0, 0), (289201, T.IPI_RECV, 0, 0, 0, 0, 0),
          (289203, T.TRAP_EXIT, 1, 0, 1, 0, 0),
          (289210, T.SWITCH, 4, 0, 0, 1, 0),           # sh, woken, runs again
          (289300, T.SYS_EXIT, 0, 0, 501, 1, 0)]
    h1 = [(5, T.START, 0, 0, 0, 0, 0),
          (200420, T.TRAP_ENTER, 1, 0, 1, 0, 0), (200421, T.IPI_RECV, 0, 0, 0, 0, 0),
          (200425, T.TRAP_EXIT, 1, 0, 1, 0, 0),
          (200430, T.SWITCH, 4, 0, 0, 2, 0),           # spin runs
          (250000, T.TRAP_ENTER, 1, 0, 5, 0x80001000, 2),
          (250010, T.TRAP_EXIT, 1, 0, 5, 0, 2),
          (289100, T.EXIT, 0, 0, 2, 0, 0), (289126, T.WAKE, 0, 0, 1, 2, 0),
          (289127, T.IPI_SEND, 0, 0, 0, 0, 0), (289130, T.SWITCH, 3, 0, 2, 0, 0)]
    return [h0, h1]


def bad(kind):
    h0, h1 = good()
    if kind == "overlap":           # hart 1 switches away from a task it was not running
        h1[4] = (191, T.SWITCH, 0, 0, 3, 2, 0)
    elif kind == "twoharts":        # the worker runs on hart 0 too while hart 1 runs it
        h0[10] = (160, T.SWITCH, 2, 0, 3, 2, 0)
    elif kind == "nowake":          # the sleeper runs again with no wake
        del h1[3]
    elif kind == "exit2":           # the worker exits twice
        h1.insert(5, (249, T.EXIT, 0, 0, 2, 0, 0))
    elif kind == "stealblocked":    # hart 1 steals the sleeper while it is blocked
        h1.insert(3, (170, T.STEAL, 0, 0, 3, 0, 0))
    elif kind == "backwards":       # hart 0's clock goes back
        h0[12] = (150, T.IPI_RECV, 0, 0, 0, 0, 0)
    elif kind == "afterexit":       # the sleeper runs after its exit
        h1.insert(5, (240, T.WAKE, 1, 0, 3, 2, 0))
    elif kind in ("sametick", "early"):     # main, yielding on hart 0 at 300, goes on on
        at = 300 if kind == "sametick" else 299     # hart 1 at the same tick (consistent:
        h1 += [(at, T.SWITCH, 4, 0, 0, 1, 0),       # one clock for all harts), or a tick
               (310, T.SWITCH, 0, 0, 1, 0, 0)]      # before hart 0 let it go (not)
    else:
        sys.exit("block.py: unknown kind " + kind)
    return [h0, h1]


def write(harts, out, per_hart=64, end=400, timebase=1000000):
    raw, lines = b"", ["some console output before the block",
                       "hartos-trace 1 harts=%d per_hart=%d timebase=%d end=%d" %
                       (len(harts), per_hart, timebase, end)]
    for i, events in enumerate(harts):
        held = events[-per_hart:]
        lines.append("trace-hart %d written=%d lost=%d held=%d" %
                     (i, len(events), len(events) - len(held), len(held)))
        data = b"".join(T.EVENT.pack(*e) for e in held)
        raw += data
        for k in range(0, len(data), 64):
            lines.append(data[k:k + 64].hex())
    lines.append("hartos-trace-end fnv1a64=%016x" % T.fnv1a64(raw))
    lines.append("poweroff: and after it")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    if argv[0] == "twice":
        with open(argv[1], errors="replace") as f:
            t = T.parse(f.read())
        a = T.analyse(t)
        # the longest slice on hart 0; make hart 1 switch to that task in its middle
        start, stop, task, _ = max(a["slices"][0], key=lambda s: s[1] - s[0])
        mid = (start + stop) // 2
        ev = t["events"][1]
        k = next(i for i, e in enumerate(ev) if e[0] >= mid)
        cur = next((e[5] for e in reversed(ev[:k]) if e[1] == T.SWITCH), 0)
        ev.insert(k, (mid, T.SWITCH, 0, 0, cur, task, 0))
        ev.insert(k + 1, (mid, T.SWITCH, 0, 0, task, cur, 0))
        write(t["events"], argv[2], per_hart=max(t["per_hart"], max(map(len, t["events"]))),
              end=t["end"], timebase=t["timebase"])
        return 0
    if argv[0] == "shell":
        write(shell(), argv[1], end=300000, timebase=10000000)
        return 0
    write(good() if argv[0] == "good" else bad(argv[0]), argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
