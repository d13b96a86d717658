# tests/smp.sh (ch6): spinlocks and harts. Every misuse of a spinlock is named.

# expect_lock_panic TEST REGEX
expect_lock_panic() {
    boot --smp 1 --args "ktest=$1"
    expect_status 3
    expect_line "^panic: $2"
}
run_test spin-reacquire expect_lock_panic spin_reacquire_panics \
    "lock 'test-a': hart 0 takes it again at tests/kernel/spinlock_test.c:[0-9]+ \\(it took it at tests/kernel/spinlock_test.c:[0-9]+\\)\$"
run_test spin-release-unheld expect_lock_panic spin_release_unheld_panics \
    "lock 'test-b': hart 0 releases it but does not hold it \\(owner: hart -1\\)\$"
run_test spin-switch-while-holding expect_lock_panic spin_switch_while_holding_panics \
    "task 'main' yielded while holding lock 'test-a' \\(taken at tests/kernel/spinlock_test.c:[0-9]+\\)\$"

# Every hart the machine has comes up, whichever hart OpenSBI booted on.
test_harts_online() {
    boot --smp "$1"
    expect_status 0
    expect_line "^smp: $1 harts? online:( [0-9]+){$1} \\(boot hart [0-9]+\\)\$"
}
run_test smp-online-1 test_harts_online 1
run_test smp-online-4 test_harts_online 4
run_test smp-online-8 test_harts_online 8

# A panic on a machine with eight harts stops all of them: QEMU exits with 3.
test_panic_stops_all() {
    boot --smp 8 --args ktest=trap_illegal_instruction_panics
    expect_status 3
    expect_line '^panic: illegal instruction in the kernel'
}
run_test smp-panic-stops-all test_panic_stops_all
