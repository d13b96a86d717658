# tests/trace.sh (ch11): the flight recorder and its pictures. Every scenario of `make trace`
# at 1, 2, 4 and 8 harts: the kernel's block must convert (JSON whose slices nest and whose wake
# arrows go forward as each viewer reads them, SVG that is XML) and the validator must find it
# consistent; the deterministic ones (under -icount) must count the same switches, steals,
# wakes, spawns and exits as their golden summary. A generated block (tests/trace/block.py)
# must convert to the slices and arrows it holds; the validator must reject each kind of
# inconsistency (block.py makes them), tools/trace must refuse a broken block and write
# nothing, and trace= must refuse a nonsense size at boot.

# The scenario boots run TRACE_JOBS (2) at a time, as each is mostly one QEMU thread; then each
# gets its line. A scenario's golden summary is tests/trace/golden/SCENARIO-smpN.txt; after a
# change that moves the scheduler on purpose, `TRACE_GOLDEN=update tests/run 'trace-*-smp*'`
# writes them again (and git diff shows what moved).
TRACE_JOBS=${TRACE_JOBS:-2}
TRACE_SCENARIOS="demo balance shell usertests"
trace_scenarios() {
    local runs=() s n
    for s in $TRACE_SCENARIOS; do
        for n in 1 2 4 8; do
            wanted "trace-$s-smp$n" && runs+=("$s $n")
        done
    done
    [ ${#runs[@]} -gt 0 ] || return 0
    printf '%s\n' "${runs[@]}" | TEST_DIR=$TEST_DIR xargs -P "$TRACE_JOBS" -L1 bash -c '
        start=$(date +%s%N)
        out=$TEST_DIR/scn-$0-smp$1
        SMP=$1 tools/trace-scenario "$0" "$out" >"$out.result.log" 2>&1 </dev/null
        echo "$? $(( ($(date +%s%N) - start) / 1000000 ))" >"$out.result"'
    for s in "${runs[@]}"; do
        set -- $s
        run_test "trace-$1-smp$2" check_trace_scenario "$1" "$2"
    done
}

# check_trace_scenario SCENARIO N: the boot above, checked.
check_trace_scenario() {
    local out=$TEST_DIR/scn-$1-smp$2 status ms
    read -r status ms <"$out.result"
    echo "tools/trace-scenario $1 at SMP=$2: status $status, ${ms} ms"
    cat "$out.result.log"
    [ "$status" = 0 ] || fail "tools/trace-scenario $1 (SMP=$2) failed with status $status"
    grep -q '^trace valid: ' "$out.result.log" || fail "no 'trace valid' line"
    [ "$(grep -c '^hart [0-9]*: busy ' "$out.result.log")" = "$2" ] ||
        fail "not one summary line per hart ($2)"
    tests/trace/chrome_check.py "$out.json" "$2" ||
        fail "$out.json is not a trace with a track per hart, nested slices and arrows"
    python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$out.svg" ||
        fail "$out.svg is not XML"
    [ "$1" = shell ] && return 0        # typed at a real-time console: not the same each time
    local golden=tests/trace/golden/$1-smp$2.txt
    tools/trace --summary "$out.log" | sed 's/ busy [0-9.]*%,//' >"$out.summary"
    if [ "${TRACE_GOLDEN:-}" = update ]; then
        mkdir -p tests/trace/golden && cp "$out.summary" "$golden"
        echo "wrote $golden"
    fi
    [ -f "$golden" ] || fail "no golden summary $golden (TRACE_GOLDEN=update writes it)"
    diff -u "$golden" "$out.summary" ||
        fail "the $1 scenario at SMP=$2 scheduled differently from $golden (see the diff)"
}
trace_scenarios

# The scenarios with tracing off cost two instructions per recording site; with it on, the
# kernel's own tests still pass (real parallel harts: the rings, the dump and every site under
# load), and the trace of all that is consistent.
test_trace_ktests() {
    boot --smp 4 --mem 256M --args "ktest=smp_* trace=4096" --timeout 300
    expect_status 0
    expect_no_line '^not ok '
    tools/trace --validate "$CONSOLE" || fail "the ktests' trace is not consistent"
}
run_test trace-ktests-parallel test_trace_ktests

# A ring far too small for the boot: it wraps, says how many it lost, and the validator checks
# only the window every hart still holds.
test_trace_wraps() {
    boot --smp 2 --args "demo trace=64" --icount
    expect_status 0
    expect_line '^trace-hart 0 written=[0-9]+ lost=[1-9][0-9]* held=64$'
    tools/trace --validate "$CONSOLE" | tee "$TEST_DIR/$T_NAME.out"
    grep -q 'checked from .* (events were lost before)' "$TEST_DIR/$T_NAME.out" ||
        fail "the validator did not say it checked only the window after the lost events"
}
run_test trace-ring-wraps test_trace_wraps

# trace= with a nonsense size is refused at boot, with a message, and the boot goes on.
test_trace_bad_size() {
    local size
    for size in 1000 32 2097152 abc; do
        boot --args "trace=$size init=hello"
        expect_status 0
        expect_line "^trace: 'trace=$size' is not a power of two from 64 to 1048576 \(events per hart\); tracing stays off$"
        expect_no_line '^hartos-trace '
    done
}
run_test trace-bad-size test_trace_bad_size

# A generated block converts: JSON that parses, a thread per hart, system calls nested in their
# task's slices, one that blocks going on "(cont.)" when its task runs again, a wake's arrow
# from the waker's slice to the woken task's next run, every slice nested as each viewer
# computes it (tests/trace/chrome_check.py); an SVG that is XML, whole and for a window.
test_trace_convert() {
    local d=$TEST_DIR/$T_NAME.d
    mkdir -p "$d"
    tests/trace/block.py shell "$d/shell.log"
    tools/trace "$d/shell.log" -o "$d/shell" | tee "$d/out"
    grep -q '^hart 0: busy 4\.4%, 3 switches, 0 steals, 2 wakes, ' "$d/out" ||
        fail "no summary line for hart 0, or not the one expected"
    grep -q '^hart 1: busy 29\.6%, 2 switches, 0 steals, 1 wakes, ' "$d/out" ||
        fail "no summary line for hart 1, or not the one expected"
    grep -q '^total: 5 switches, 0 steals, 3 wakes, ' "$d/out" || fail "no total line"
    grep -q '^trace valid: 27 events, 2 harts, 5 switches' "$d/out" || fail "not validated"
    python3 -m json.tool "$d/shell.json" >/dev/null || fail "$d/shell.json is not JSON"
    tests/trace/chrome_check.py "$d/shell.json" 2 || fail "chrome_check refused $d/shell.json"
    python3 - "$d/shell.json" <<'EOF' || fail "the slices or arrows are not the block's"
import json, sys
t = json.load(open(sys.argv[1]))["traceEvents"]
def x(name, tid):
    return [e for e in t if e["ph"] == "X" and e["name"] == name and e["tid"] == tid]
def within(c, p):
    return p["ts"] <= c["ts"] and c["ts"] + c["dur"] <= p["ts"] + p["dur"]
sh = x("sh", 0)
assert [(e["ts"], e["dur"]) for e in sh] == [(20021.5, 247.8), (28921.0, 1079.0)], sh
(spawn,), (wait,), (cont,) = x("spawn", 0), x("wait", 0), x("wait (cont.)", 0)
assert within(spawn, sh[0]) and within(wait, sh[0]) and within(cont, sh[1]), (wait, cont)
assert wait["args"]["blocked here"] and cont["ts"] == sh[1]["ts"], (wait, cont)
(spin,), (timer,), (ipi,) = x("spin", 1), x("timer", 1), x("IPI", 0)
assert within(timer, spin) and not any(within(ipi, s) for s in sh), (timer, ipi)
flows = {}
for e in t:
    if e["ph"] in "sf":
        flows.setdefault(e["id"], {})[e["ph"]] = (e["tid"], e["ts"])
assert sorted(flows.values(), key=lambda f: f["s"]) == [
    {"s": (0, 10.1), "f": (0, 20021.5)},            # the boot's wake of sh: its first run
    {"s": (0, 20040.1), "f": (1, 20043.0)},         # sh wakes spin, which runs on hart 1
    {"s": (1, 28912.6), "f": (0, 28921.0)}], flows  # spin's exit wakes sh, back on hart 0
assert within({"ts": 28912.6, "dur": 0}, spin), spin
EOF
    python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$d/shell.svg" ||
        fail "$d/shell.svg is not XML"
    grep -q '>hart 1</text>' "$d/shell.svg" && grep -q '>spin (2)</text>' "$d/shell.svg" ||
        fail "$d/shell.svg has no lane for hart 1 or no legend for spin"
    tools/trace "$d/shell.log" -o "$d/window" --from 20 --to 21 >/dev/null
    python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$d/window.svg" ||
        fail "$d/window.svg is not XML"
    grep -q '20\.0 to 21\.0 ms' "$d/window.svg" || fail "the SVG does not say its window"
    grep -q '>20\.5 ms</text>' "$d/window.svg" || fail "the window's axis is not at round times"
}
run_test trace-tool-convert test_trace_convert

# The validator rejects each kind of inconsistency, each named; the good block passes.
test_trace_validator_rejects() {
    local d=$TEST_DIR/$T_NAME.d kind want out
    mkdir -p "$d"
    tests/trace/block.py good "$d/good.log"
    tools/trace --validate "$d/good.log" || fail "the good block is not valid"
    tests/trace/block.py sametick "$d/sametick.log"
    tools/trace --validate "$d/sametick.log" ||
        fail "a task leaving one hart and running on another at the same tick was refused"
    while IFS='|' read -r kind want; do
        tests/trace/block.py "$kind" "$d/$kind.log"
        out=$(tools/trace --validate "$d/$kind.log") && fail "$kind: the validator passed it"
        echo "$kind: $out"
        grep -q -- "$want" <<<"$out" || fail "$kind: the validator did not say '$want'"
    done <<'EOF'
overlap|two slices overlap
twoharts|on two harts at once
nowake|runs with no wake since it blocked
exit2|exits a second time
stealblocked|stolen while blocked, not queued
backwards|time goes back from 200 to 150
afterexit|woken after its exit
early|task 1 (main) starts running while hart 0 still runs it (on two harts at once)
EOF
    # and on a real trace (the demo at 4 harts, above): a task made to run on two harts
    local demo=$TEST_DIR/scn-demo-smp4.log
    [ -f "$demo" ] || { boot --smp 4 --icount --args "demo trace=4096"; demo=$CONSOLE; }
    tests/trace/block.py twice "$demo" "$d/twice.log"
    out=$(tools/trace --validate "$d/twice.log") && fail "a real trace with a task on two harts passed"
    echo "$out"
    grep -q 'on two harts at once' <<<"$out" || fail "the real trace's corruption was not named"
}
run_test trace-validator-rejects test_trace_validator_rejects

# A broken block is refused, naming what is wrong, and nothing is written.
test_trace_bad_input() {
    local d=$TEST_DIR/$T_NAME.d f out
    mkdir -p "$d"
    tests/trace/block.py good "$d/good.log"
    head -n 5 "$d/good.log" >"$d/truncated.log"
    sed '4s/^\(.\)./\1f/' "$d/good.log" >"$d/corrupted.log"
    sed 's/^hartos-trace 1 /hartos-trace 2 /' "$d/good.log" >"$d/version.log"
    sed '4s/^./z/' "$d/good.log" >"$d/badhex.log"
    sed '/^hartos-trace-end/d' "$d/good.log" >"$d/noend.log"
    sed 's/held=20/held=19/' "$d/good.log" >"$d/counts.log"
    echo "hello" >"$d/none.log"
    while IFS='|' read -r f want; do
        out=$(tools/trace "$d/$f.log" -o "$d/$f" 2>&1) && fail "$f: tools/trace accepted it"
        echo "$f: $out"
        grep -q -- "$want" <<<"$out" || fail "$f: tools/trace did not say '$want'"
        ! ls "$d/$f".* 2>/dev/null | grep -v "\.log$" || fail "$f: files were written"
    done <<'EOF'
truncated|hart 0's events end after 4 of 20 (truncated?
corrupted|checksum mismatch: the block says
version|version 2: this tools/trace reads version 1
badhex|hart 0's events end after 0 of 20 (truncated? expected 128 hex digits, found 'z
noend|ends without its hartos-trace-end line (truncated?
counts|written=20 lost=0 held=19 do not add up
none|no hartos-trace block in
EOF
    out=$(tools/trace "$d/missing.log" 2>&1) && fail "a missing file was accepted"
    grep -q "cannot read .*missing.log" <<<"$out" || fail "no message for a missing file"
    # the SVG cannot be written (its temporary file's name is taken): no JSON either
    mkdir -p "$d/blocked.svg.tmp"
    out=$(tools/trace "$d/good.log" -o "$d/blocked" 2>&1) && fail "an unwritable SVG was accepted"
    grep -q "cannot write .*blocked.svg.tmp" <<<"$out" || fail "no message for an unwritable SVG"
    [ ! -e "$d/blocked.json" ] || fail "the JSON was left behind without its SVG"
}
run_test trace-tool-bad-input test_trace_bad_input
