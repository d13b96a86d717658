# tests/smp.sh (ch6): spinlocks and harts. Every misuse of a spinlock is named.

# expect_lock_panic TEST REGEX
expect_lock_panic() {
    boot --smp 1 --args "ktest=$1"
    expect_status 3
    expect_line "^panic: $2"
}
run_test spin-reacquire expect_lock_panic spin_reacquire_panics \
    "lock 'test-a': hart 0 takes it again at ktest_fn_spin_reacquire_panics\\+0x[0-9a-f]+ \\(0x[0-9a-f]+\\) \\(it took it at ktest_fn_spin_reacquire_panics\\+0x[0-9a-f]+ \\(0x[0-9a-f]+\\)\\)\$"
run_test spin-release-unheld expect_lock_panic spin_release_unheld_panics \
    "lock 'test-b': hart 0 releases it but does not hold it \\(owner: hart -1\\)\$"
run_test spin-switch-while-holding expect_lock_panic spin_switch_while_holding_panics \
    "task 'main' yielded while holding lock 'test-a' \\(taken at ktest_fn_spin_switch_while_holding_panics\\+0x[0-9a-f]+ \\(0x[0-9a-f]+\\)\\)\$"
run_test spin-lock-order expect_lock_panic spin_lock_order_panics \
    "lock order: hart 0 takes 'test-a' \\(wait queue\\) at ktest_fn_spin_lock_order_panics\\+0x[0-9a-f]+ \\(0x[0-9a-f]+\\) while holding 'test-b' \\(task list, taken at ktest_fn_spin_lock_order_panics\\+0x[0-9a-f]+ \\(0x[0-9a-f]+\\)\\); 'test-a' must be taken first\$"

# Every hart the machine has comes up, whichever hart OpenSBI booted on.
test_harts_online() {
    boot --smp "$1"
    expect_status 0
    expect_line "^smp: $1 harts? online:( [0-9]+){$1} \\(boot hart [0-9]+\\)\$"
}
run_test smp-online-1 test_harts_online 1
run_test smp-online-4 test_harts_online 4
run_test smp-online-8 test_harts_online 8

# More harts than MAX_HARTS (8): the first eight run, the rest are named and left stopped.
test_too_many_harts() {
    boot --smp 10
    expect_status 0
    expect_line "^smp: the device tree lists 2 more harts than the 8 hartos runs; they stay stopped\$"
    expect_line "^smp: 8 harts online:( [0-9]+){8} \\(boot hart [0-9]+\\)\$"
}
run_test smp-too-many-harts test_too_many_harts

# A hart that OpenSBI refuses to start (here: sent to an address inside OpenSBI itself) is
# named with the SBI error, and the others carry on.
test_hart_start_fails() {
    local kernel
    kernel=$(build_variant hsm-fail -DTEST_HSM_FAIL_SECOND) || { fail "build failed"; return; }
    boot --kernel "$kernel" --smp 4
    expect_status 0
    expect_line "^smp: hart [0-3] did not start: [a-z ]+; carrying on without it\$"
    expect_line "^smp: 3 harts online:( [0-9]+){3} \\(boot hart [0-9]+\\)\$"
}
run_test smp-hart-start-fails test_hart_start_fails

# A hart that comes up after the boot stopped waiting for it (here: held back 3 s, with the wait
# cut to 1 s) is named and left out, not a panic; when it does come, it parks itself, and the
# others run the SMP tests without it.
test_hart_comes_late() {
    local kernel
    kernel=$(build_variant hart-late "-DSMP_START_WAIT_S=1 -DTEST_HART_LATE_MS=3000") ||
        { fail "build failed"; return; }
    boot --kernel "$kernel" --smp 4 --args 'ktest=smp_*'
    expect_status 0
    expect_line "^smp: hart [0-3] did not come up within 1 s; carrying on without it \(if it comes later, it parks\)\$"
    expect_line "^smp: 3 harts online:( [0-9]+){3} \(boot hart [0-9]+\)\$"
    expect_line "^smp: hart [0-3] came up after the boot had gone on without it; parked\$"
    expect_line '^# [0-9]+ passed, 0 failed, [0-9]+ skipped$'
}
run_test smp-hart-comes-late test_hart_comes_late

# A panic on a machine with eight harts stops all of them: QEMU exits with 3.
test_panic_stops_all() {
    boot --smp 8 --args ktest=trap_illegal_instruction_panics
    expect_status 3
    expect_line '^panic: illegal instruction in the kernel'
}
run_test smp-panic-stops-all test_panic_stops_all

# The in-kernel tests on every hart count (time-dependent ones under --icount). Chapter 6 left
# the smp_* tests out at 8 harts here: under -icount the harts take turns until the next timer
# deadline of any hart, and harts whose ticks fell just before another's starved. Since every
# hart ticks on one grid (kernel/timer.c, ch9), they run at every count.
for n in 2 4 8; do
    BOOT_TIMEOUT=300 run_ktests "ktest-smp$n" ktest --smp "$n" --icount
done

# Two harts taking two locks in opposite order: reported as a probable deadlock, by one hart.
test_deadlock() {
    boot --smp 2 --args ktest=smp_deadlock_reported
    expect_status 3
    expect_line "^panic: probable deadlock: hart [01] waited 2000 ms at takes\+0x[0-9a-f]+ \(0x[0-9a-f]+\) for lock 'deadlock-(one|two)', held by hart [01] \(taken at takes\+0x[0-9a-f]+ \(0x[0-9a-f]+\)\)\$"
    expect_no_line 'nested panic'
}
run_test smp-deadlock-reported test_deadlock

# gdb's krunq: at main's first task_join (one hart), the six demo tasks wait in spawn order.
test_gdb_krunq() {
    gdb_batch -- -ex c -ex 'tbreak task_join' -ex c -ex krunq
    grep -Eq '^hart 0 \(id 0\): running 1:main; 6 queued: 2:heartbeat 3:adder 4:faulty 5:sleepy 6:spin-1 7:spin-2$' \
        <<<"$GDB_OUT" || fail "krunq does not show main running and the six tasks queued in order"
}
run_test gdb-krunq test_gdb_krunq
