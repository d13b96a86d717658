# tests/trace.sh (ch11): the flight recorder and its pictures. Every scenario of `make trace`
# at 1, 2, 4 and 8 harts: the kernel's block must convert (JSON that parses, SVG that is XML)
# and the validator must find it consistent; the deterministic ones (under -icount) must count
# the same switches, steals, wakes, spawns and exits as their golden summary. The validator must
# reject each kind of inconsistency (tests/trace/block.py makes them), tools/trace must refuse
# a broken block and write nothing, and trace= must refuse a nonsense size at boot.

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
    python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["traceEvents"]
harts = {e["tid"] for e in t if e.get("name") == "thread_name"}
assert len(harts) == int(sys.argv[2]), "%d hart tracks" % len(harts)
assert any(e["ph"] == "X" and e.get("cat") == "task" for e in t), "no task slice"
' "$out.json" "$2" || fail "$out.json is not a trace with a track per hart and task slices"
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

# The validator rejects each kind of inconsistency, each named; the good block passes.
test_trace_validator_rejects() {
    local d=$TEST_DIR/$T_NAME.d kind want out
    mkdir -p "$d"
    tests/trace/block.py good "$d/good.log"
    tools/trace --validate "$d/good.log" || fail "the good block is not valid"
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
}
run_test trace-tool-bad-input test_trace_bad_input
