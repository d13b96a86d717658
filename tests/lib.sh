# tests/lib.sh: the harness's vocabulary, sourced by tests/run and every suite.
# A test is a shell function run in a subshell with `set -eu`; it fails by calling `fail` (or any
# command failing). Each test prints one line; its full output stays in build/tests/NAME.log.

TEST_DIR=${TEST_DIR:-build/tests}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}      # seconds any single QEMU run may take
T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_FILTER=${T_FILTER:-}

mkdir -p "$TEST_DIR"

# wanted NAME: the test NAME is selected by tests/run's pattern (if any).
wanted() {
    [ -z "$T_FILTER" ] || [[ "$1" == $T_FILTER ]]
}

# run_test NAME FUNCTION [ARGS...]. ch12: tests/boards.sh runs whole suites again on sifive_u,
# with T_PREFIX=sifive_u- in front of every name.
run_test() {
    local name=${T_PREFIX-}$1; shift
    wanted "$name" || return 0
    local log="$TEST_DIR/$name.log" start end
    start=$(date +%s%N)
    local status=0 why
    (T_NAME=$name; set -eu; "$@") >"$log" 2>&1 </dev/null || status=$?
    end=$(date +%s%N)
    why=$(grep '^FAIL: ' "$log" | tail -n 1 | cut -c7-)
    report "$name" "$status" "${why:-a command failed with status $status (see $log)}" \
        "$(( (end - start) / 1000000 ))e-3" "$log"
}

# report NAME STATUS WHY SECONDS LOG: one result line (and the log's tail on failure). STATUS
# "skip" counts the test as skipped, WHY saying why.
report() {
    if [ "$2" = skip ]; then
        T_SKIPPED=$((T_SKIPPED + 1))
        printf 'skip  %-44s %s\n' "$1" "$3"
    elif [ "$2" = 0 ]; then
        T_PASSED=$((T_PASSED + 1))
        if [ -n "$4" ]; then
            printf 'ok    %-44s %6.1fs\n' "$1" "$4"
        else
            printf 'ok    %s\n' "$1"
        fi
    else
        T_FAILED=$((T_FAILED + 1))
        printf 'FAIL  %-44s %s\n' "$1" "$3"
        [ -n "$5" ] && tail -n 12 "$5" | sed 's/^/      | /'
    fi
}

# run_ktests LABEL BOOTARGS [boot options]: boot with BOOTARGS ("ktest", "ktest=trap_* hz=3")
# and report each in-kernel test from the TAP it prints as its own line, LABEL/NAME; a test the
# kernel skipped ("ok N - NAME # SKIP why": a timed test without --icount) as skipped. The run
# itself fails if the kernel did not finish the plan ("1..N", all N reported) or stopped with
# anything but 0 (all passed) or 1 (some failed).
run_ktests() {
    local label=${T_PREFIX-}$1 bootargs=$2 status plan got
    shift 2
    wanted "$label" || return 0
    (T_NAME=$label; set -eu; boot --args "$bootargs" "$@") >"$TEST_DIR/$label.log" 2>&1 </dev/null
    status=$(sed -n 's/^boot: exit status \([0-9]*\).*/\1/p' "$TEST_DIR/$label.log")
    local console="$TEST_DIR/$label.console"
    while read -r line; do
        case "$line" in
            "ok "*" # SKIP"*)
                        line=${line#* - }
                        report "$label/${line%% # SKIP*}" skip "${line#* # SKIP }" "" "" ;;
            "ok "*)     report "$label/${line#* - }" 0 "" "" "" ;;
            "not ok "*) report "$label/${line#* - }" 1 "$(grep -B1 -F "$line" "$console" |
                                                           sed -n 's/^# failed at //p')" "" "" ;;
        esac
    done < <(grep -E '^(not )?ok [0-9]+ - ' "$console")
    plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$console")
    got=$(grep -cE '^(not )?ok [0-9]+ - ' "$console")
    if [[ "$status" != [01] ]] || [ -z "$plan" ] || [ "$plan" != "$got" ] || [ "$plan" = 0 ]; then
        report "$label" 1 "the kernel did not finish its tests (plan '$plan', $got reported, \
QEMU status $status)" "" "$TEST_DIR/$label.log"
    fi
}

summary() {
    if [ $((T_PASSED + T_FAILED)) = 0 ]; then
        echo "no test matches '${T_FILTER}'"
        T_FAILED=1
    fi
    if [ "$T_SKIPPED" = 0 ]; then
        echo "$T_PASSED passed, $T_FAILED failed"
    else
        echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
    fi
    [ "$T_FAILED" = 0 ]
}

fail() {
    echo "FAIL: $*"
    exit 1
}

# boot [--smp N] [--mem M] [--args "A B"] [--kernel FILE] [--timeout S] [--icount]
#      [-- qemu args]
# Boots under tools/qemu; the console goes to $CONSOLE and the exit status to $STATUS.
# --icount: for boots whose checks depend on time (timer rates, fair shares, sleeps): QEMU's
# -icount and the boot argument `icount` (tools/qemu's ICOUNT=1), so a busy host cannot make a
# test late, and the kernel runs its timed tests.
# Without --args the boot runs the ch5 demo (`demo`), which powers off by itself: since ch8 no
# boot arguments start the shell, which waits for keys (tests/shell.sh types them).
boot() {
    local smp=1 mem=128M args=demo kernel=build/kernel.elf timeout=$BOOT_TIMEOUT icount=
    while [ $# -gt 0 ]; do
        case "$1" in
            --icount) icount=1; shift ;;
            --smp) smp=$2; shift 2 ;;
            --mem) mem=$2; shift 2 ;;
            --args) args=$2; shift 2 ;;
            --kernel) kernel=$2; shift 2 ;;
            --timeout) timeout=$2; shift 2 ;;
            --) shift; break ;;
            *) fail "boot: unknown option $1" ;;
        esac
    done
    CONSOLE="$TEST_DIR/$T_NAME.console"
    smp=$(qemu_smp "$smp")
    echo "boot: MACHINE=${MACHINE:-virt} SMP=$smp MEM=$mem ARGS='$args' KERNEL=$kernel ICOUNT=$icount $*"
    STATUS=0
    SMP=$smp MEM=$mem ARGS=$args KERNEL=$kernel ICOUNT=$icount \
        tools/qemu --timeout "$timeout" -- "$@" >"$CONSOLE" 2>&1 || STATUS=$?
    tr -d '\r' <"$CONSOLE" >"$CONSOLE.txt" && mv "$CONSOLE.txt" "$CONSOLE"
    echo "boot: exit status $STATUS; console:"
    sed 's/^/  /' "$CONSOLE"
}

# qemu_smp N: QEMU's -smp for N harts that run hartos. ch12: sifive_u's hart 0 is a monitor
# core without an MMU, which hartos leaves stopped, so it needs one more.
qemu_smp() {
    if [ "${MACHINE:-virt}" = sifive_u ]; then
        echo $(($1 + 1))
    else
        echo "$1"
    fi
}

expect_status() {
    [ "$STATUS" = "$1" ] || fail "expected exit status $1, got $STATUS"
}

# expect_line REGEX: some console line matches the extended regular expression.
expect_line() {
    grep -Eq -- "$1" "$CONSOLE" || fail "console has no line matching /$1/"
}

expect_no_line() {
    ! grep -Eq -- "$1" "$CONSOLE" || fail "console unexpectedly matches /$1/: $(grep -Em1 -- "$1" "$CONSOLE")"
}

# repeat_boot RUNS CHECK KERNELS [boot options]: boot RUNS times, REPEAT_JOBS (2) QEMUs at a
# time, taking the kernels in the space-separated list KERNELS in turn; every run must exit 0
# and pass CHECK (a function that reads $CONSOLE, like expect_line). The first run that does
# not fails the test, with its console's tail. A race that shows once in twenty runs is still
# a bug.
REPEAT_JOBS=${REPEAT_JOBS:-2}
repeat_boot() {
    local runs=$1 check=$2 kernels=($3) j pids=() failed=
    shift 3
    for j in $(seq "$REPEAT_JOBS"); do
        (
            T_NAME=$T_NAME.job$j
            for i in $(seq "$j" "$REPEAT_JOBS" "$runs"); do
                kernel=${kernels[i % ${#kernels[@]}]}
                boot --kernel "$kernel" "$@" >"$TEST_DIR/$T_NAME.log" 2>&1
                [ "$STATUS" = 0 ] || fail "run $i of $runs ($kernel): exit status $STATUS"
                "$check" || fail "run $i of $runs ($kernel): $check failed"
            done
        ) >"$TEST_DIR/$T_NAME.job$j.result" 2>&1 &
        pids+=($!)
    done
    for j in $(seq "$REPEAT_JOBS"); do
        wait "${pids[j - 1]}" && continue
        failed=${failed:-$j}
        tail -n 20 "$TEST_DIR/$T_NAME.job$j.console"
    done
    [ -z "$failed" ] || fail "$(grep -h '^FAIL: ' "$TEST_DIR/$T_NAME.job$failed.result" |
                                  tail -n 1 | cut -c7-)"
}

# make_gdb_session PORT "GDB COMMANDS" [make qemu-gdb VARS...]: what a learner does in two
# terminals, `make qemu-gdb` and then `make gdb`, with gdb in batch mode running the commands
# (e.g. "-ex continue -ex bt"). gdb's output goes to $GDB_OUT, QEMU's pid to $QEMU_PID (its output
# in $TEST_DIR/$T_NAME.qemu), for expect_qemu_gone. The VARS reach `make qemu-gdb` only: `make
# gdb` loads build/kernel.elf, so VARS that build another kernel (LOAD_ADDR) do not belong here.
make_gdb_session() {
    local port=$1 commands=$2
    shift 2
    timeout -k 5 "$BOOT_TIMEOUT" make --no-print-directory qemu-gdb GDBPORT="$port" "$@" \
        >"$TEST_DIR/$T_NAME.qemu" 2>&1 &
    QEMU_PID=$!
    if ! wait_for_port "$port"; then
        kill "$QEMU_PID" 2>/dev/null    # timeout(1) passes it on to its whole process group
        cat "$TEST_DIR/$T_NAME.qemu"
        fail "make qemu-gdb did not open gdb's port $port within 10 s"
    fi
    local status=0
    GDB_OUT=$(timeout -k 5 "$BOOT_TIMEOUT" make --no-print-directory gdb GDBPORT="$port" \
        GDBFLAGS="-batch $commands" 2>&1) || status=$?
    echo "$GDB_OUT"
    [ "$status" = 0 ] || fail "make gdb ended with status $status"
}

# expect_qemu_gone PID LOG: the QEMU that `make qemu-gdb` started (PID, its output in LOG) has
# ended within 5 s of gdb quitting, as tools/gdbinit promises; LOG goes into the test's log.
expect_qemu_gone() {
    local gone=no
    for _ in $(seq 50); do
        kill -0 "$1" 2>/dev/null || { gone=yes; break; }
        sleep 0.1
    done
    cat "$2"
    [ "$gone" = yes ] || { kill "$1"; fail "QEMU still running 5 s after gdb quit"; }
}

# build_variant NAME CFLAGS: a kernel built with extra flags (test hooks), in its own folder.
build_variant() {
    make --no-print-directory -s BUILD="build/variants/$1" EXTRA_CFLAGS="$2" \
        "build/variants/$1/kernel.elf" >/dev/null
    echo "build/variants/$1/kernel.elf"
}

# port_listening PORT: something listens on TCP PORT now (state 0A in /proc/net/tcp).
port_listening() {
    awk '$4 == "0A" { print $2 " " }' /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        grep -q "$(printf ':%04X ' "$1")"
}

# wait_for_port PORT: until something listens on TCP PORT (QEMU's gdb stub), at most 10 s. A
# fixed sleep was too short on a busy host: gdb then found nothing to connect to.
wait_for_port() {
    for _ in $(seq 100); do
        port_listening "$1" && return 0
        sleep 0.1
    done
    return 1
}

# gdb_batch [--smp N] -- GDB-ARGS...: boot halted under a gdb stub (ARGS, default `demo`, as
# boot's), run gdb-multiarch in batch mode with tools/gdbinit plus GDB-ARGS (e.g. -ex c -ex bt);
# gdb's output goes to $GDB_OUT.
# Quitting gdb kills QEMU (tools/gdbinit); a QEMU still running after 5 s is a failure.
gdb_batch() {
    local smp=1 port=$((30100 + $(id -u) % 5000)) qemu
    [ "$1" = --smp ] && { smp=$2; shift 2; }
    [ "$1" = -- ] && shift
    ARGS=${ARGS-demo} SMP=$smp ICOUNT= tools/qemu --gdb "$port" --timeout "$BOOT_TIMEOUT" \
        >"$TEST_DIR/$T_NAME.qemu" 2>&1 &
    qemu=$!
    wait_for_port "$port"
    GDB_OUT=$(GDBPORT=$port timeout -k 5 "$BOOT_TIMEOUT" gdb-multiarch -q -nx -batch \
        -x tools/gdbinit "$@" 2>&1) || true
    echo "$GDB_OUT"
    for _ in $(seq 50); do
        kill -0 "$qemu" 2>/dev/null || return 0
        sleep 0.1
    done
    kill "$qemu"
    fail "QEMU still running 5 s after gdb quit"
}

# gdb_section NAME: the lines gdb printed after `echo ==NAME\n`, up to the next such marker.
gdb_section() {
    sed -n "/^==$1\$/,/^==/p" <<<"$GDB_OUT" | sed '1d;/^==/d'
}

# expect_gdb_line NAME LINE: gdb printed exactly LINE in section NAME (see gdb_section).
expect_gdb_line() {
    gdb_section "$1" | grep -qxF -- "$2" || fail "gdb printed no line '$2' (section $1)"
}

# expect_task ID NAME STATE WHERE-REGEX: ktasks printed this row (in the section on stdin).
expect_task() {
    grep -Eq "^ +$1  $2 +$3 +0 +[0-9]+  $4\$" ||
        fail "ktasks has no row: id $1, '$2', $3 on hart 0, at /$4/"
}

# The frames' function names, innermost first, on one line: "switch_commit switch_to ...".
frame_names() {
    sed -nE 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([A-Za-z_][A-Za-z_0-9]*) \(.*/\2/p' | tr '\n' ' '
}
