# tests/trace_attack.sh (ch11): the flight recorder where it is easiest to get wrong. A switch
# away from a task that blocks and is woken at once from another hart; trace= at and just past
# its edges; rings that do not fit in memory; a panic on eight harts in the middle of recording.
# Each block that comes out must be whole: tools/trace --validate reads and checks it, and no
# event in it may come after the trace's end (the `end=` of its header).

# expect_block_ends_last: the console's block has no event later than its `end`: an event
# recorded after the dump began was let through.
expect_block_ends_last() {
    python3 - "$CONSOLE" <<'EOF' || fail "an event comes after the trace's end"
import re, struct, sys
lines = open(sys.argv[1], errors="replace").read().split("\n")
end = hart = None
late = 0
for line in lines:
    m = re.match(r"hartos-trace 1 .* end=(\d+)$", line)
    if m:
        end = int(m.group(1))
    elif line.startswith("trace-hart "):
        hart = int(line.split()[1])
    elif line.startswith("hartos-trace-end"):
        break
    elif end is not None and hart is not None and re.fullmatch(r"[0-9a-f]+", line):
        raw = bytes.fromhex(line)
        for at in range(0, len(raw), 32):
            t, kind = struct.unpack_from("<QB", raw, at)
            if t > end:
                late += 1
                print("hart %d: an event of type %d at %d, after the end %d" % (hart, kind, t, end))
sys.exit(1 if end is None or late else 0)
EOF
}

# A task blocks on hart 1 and a task on hart 0 wakes it the moment it is marked blocked, before
# hart 1 has switched away from it; 500 times. Each of those switches is a block (why 2). Until
# trace_switch was told so by the wait itself, it went by the task's state, which the waker had
# already made runnable: most of them were traced as yields (why 0), a task that stayed runnable
# and yet was woken. tests/kernel/trace_test.c reads hart 1's ring to count them.
test_trace_block_woken_at_once() {
    boot --smp 2 --args "ktest=trace_block_woken_at_once_is_a_block trace=4096" --timeout 120
    expect_status 0
    expect_line '^ok 1 - trace_block_woken_at_once_is_a_block$'
    tools/trace --validate "$CONSOLE" || fail "the trace is not consistent"
    expect_block_ends_last
}
run_test trace-attack-block-woken-at-once test_trace_block_woken_at_once

# trace=N at and just past its edges: 64 (and 0064) are taken; 63, 2^20 + 1, 0, -1, 2^64 (too
# big to be a number), hex, an empty value and a bare `trace` are each refused with the message,
# and the boot goes on (the program runs, no block comes out).
test_trace_size_edges() {
    local size
    for size in 63 1048577 0 -1 18446744073709551616 0x100 ""; do
        boot --args "trace=$size init=hello"
        expect_status 0
        expect_line "^trace: 'trace=$size' is not a power of two from 64 to 1048576 \(events per hart\); tracing stays off$"
        expect_line '^hello: argc 1$'
        expect_no_line '^hartos-trace '
    done
    boot --args "trace init=hello"
    expect_status 0
    expect_line "tracing stays off$"
    expect_no_line '^hartos-trace '
    for size in 64 0064; do
        boot --args "trace=$size init=hello"
        expect_status 0
        expect_line '^trace: recording 64 events per hart \(4 KiB each\); printed at power-off$'
        tools/trace --validate "$CONSOLE" || fail "trace=$size: the trace is not consistent"
    done
}
run_test trace-attack-size-edges test_trace_size_edges

# The biggest rings on eight harts in 128 MiB: 32 MiB a hart does not fit four times. The boot
# says so, gives back the rings it had made, and goes on without tracing.
test_trace_no_memory() {
    boot --smp 8 --mem 128M --args "trace=1048576 init=hello"
    expect_status 0
    expect_line '^trace: no memory for 1048576 events on hart [0-9]; tracing stays off$'
    expect_line '^init: .hello. exited with status 0$'
    expect_no_line '^hartos-trace '
}
run_test trace-attack-no-memory test_trace_no_memory

# A panic on one of eight harts while the others record: the block still comes out whole after
# the panic's report, checked and valid, with every hart's ring and nothing after its end.
test_trace_panic_block() {
    boot --smp 8 --args "ktest=trap_illegal_instruction_panics trace=256"
    expect_status 3
    expect_line '^panic: illegal instruction in the kernel'
    expect_line '^hartos-trace 1 harts=8 per_hart=256 '
    [ "$(grep -c '^trace-hart ' "$CONSOLE")" = 8 ] || fail "not one trace-hart line per hart"
    tools/trace --validate "$CONSOLE" || fail "the panic's trace is not consistent"
    expect_block_ends_last
}
run_test trace-attack-panic-block test_trace_panic_block

# The validator checks the history of tasks only from where every hart's is known (after the
# events lost); a task that exited just before that point and switched away as ended just
# after it did exit. Seen on a race-variant ktest trace (`ktest trace=4096`, 4 harts): "task
# 3501 switched away as ended, with no exit event". Here the same shape, made by hand: hart 0
# lost its oldest events, and its oldest held one falls between hart 1's exit and switch.
test_trace_exit_before_window() {
    local log=$TEST_DIR/$T_NAME.block
    python3 - "$log" <<'PY'
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("block", "tests/trace/block.py")
block = importlib.util.module_from_spec(importlib.util.spec_from_loader("block", loader))
loader.exec_module(block)
T = block.T
h0 = [(100, T.START, 0, 0, 0, 0, 0), (110, T.SPAWN, 0, 0, 1, *block.name("main")),
      (111, T.WAKE, 0, 0, 1, 0, 0), (112, T.SPAWN, 1, 0, 2, *block.name("worker")),
      (113, T.WAKE, 1, 0, 2, 1, 0), (120, T.SWITCH, 4, 0, 0, 1, 0),
      (255, T.TRAP_ENTER, 1, 0, 5, 0, 1), (256, T.TRAP_EXIT, 1, 0, 5, 0, 1),
      (257, T.TRAP_ENTER, 1, 0, 5, 0, 1), (258, T.TRAP_EXIT, 1, 0, 5, 0, 1)]
h1 = [(105, T.START, 0, 0, 0, 0, 0), (140, T.SWITCH, 4, 0, 0, 2, 0),
      (250, T.EXIT, 0, 0, 2, 0, 0), (260, T.SWITCH, 3, 0, 2, 0, 0)]
block.write([h0, h1], sys.argv[1], per_hart=4, end=400)
PY
    tools/trace --validate "$log" || fail "an exit just before the checked window was not seen"
}
run_test trace-attack-exit-before-window test_trace_exit_before_window
