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
