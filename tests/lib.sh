# tests/lib.sh: the harness's vocabulary, sourced by tests/run and every suite.
# A test is a shell function run in a subshell with `set -eu`; it fails by calling `fail` (or any
# command failing). Each test prints one line; its full output stays in build/tests/NAME.log.

TEST_DIR=${TEST_DIR:-build/tests}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}      # seconds any single QEMU run may take
T_PASSED=0
T_FAILED=0
T_FILTER=${T_FILTER:-}

mkdir -p "$TEST_DIR"

# run_test NAME FUNCTION [ARGS...]
run_test() {
    local name=$1; shift
    if [ -n "$T_FILTER" ] && [[ "$name" != $T_FILTER ]]; then
        return 0
    fi
    local log="$TEST_DIR/$name.log" start end
    start=$(date +%s%N)
    local status=0
    (T_NAME=$name; set -eu; "$@") >"$log" 2>&1 </dev/null || status=$?
    if [ "$status" = 0 ]; then
        end=$(date +%s%N)
        T_PASSED=$((T_PASSED + 1))
        printf 'ok    %-44s %6.1fs\n' "$name" "$(( (end - start) / 1000000 ))e-3"
    else
        T_FAILED=$((T_FAILED + 1))
        local why
        why=$(grep '^FAIL: ' "$log" | tail -n 1 | cut -c7-)
        printf 'FAIL  %-44s %s\n' "$name" "${why:-a command failed with status $status (see $log)}"
        tail -n 12 "$log" | sed 's/^/      | /'
    fi
}

summary() {
    if [ $((T_PASSED + T_FAILED)) = 0 ]; then
        echo "no test matches '${T_FILTER}'"
        T_FAILED=1
    fi
    echo "$T_PASSED passed, $T_FAILED failed"
    [ "$T_FAILED" = 0 ]
}

fail() {
    echo "FAIL: $*"
    exit 1
}

# boot [--smp N] [--mem M] [--args "A B"] [--kernel FILE] [--timeout S] [-- qemu args]
# Boots under tools/qemu; the console goes to $CONSOLE and the exit status to $STATUS.
boot() {
    local smp=1 mem=128M args= kernel=build/kernel.elf timeout=$BOOT_TIMEOUT
    while [ $# -gt 0 ]; do
        case "$1" in
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
    echo "boot: SMP=$smp MEM=$mem ARGS='$args' KERNEL=$kernel $*"
    STATUS=0
    SMP=$smp MEM=$mem ARGS=$args KERNEL=$kernel \
        tools/qemu --timeout "$timeout" -- "$@" >"$CONSOLE" 2>&1 || STATUS=$?
    tr -d '\r' <"$CONSOLE" >"$CONSOLE.txt" && mv "$CONSOLE.txt" "$CONSOLE"
    echo "boot: exit status $STATUS; console:"
    sed 's/^/  /' "$CONSOLE"
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

# build_variant NAME CFLAGS: a kernel built with extra flags (test hooks), in its own folder.
build_variant() {
    make --no-print-directory -s BUILD="build/variants/$1" EXTRA_CFLAGS="$2" \
        "build/variants/$1/kernel.elf" >/dev/null
    echo "build/variants/$1/kernel.elf"
}
