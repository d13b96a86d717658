# tests/traps.sh (ch3): the trap vector, exception reports and the timer. The in-kernel tests
# (tests/kernel/*.c) run with `ktest`; each becomes one line here.

# Some in-kernel tests measure time (timer rates, fairness, sleeps): these boots run under
# --icount, the only mode where those (KTEST_TIMED) run. tests/races.sh runs the rest on real
# parallel harts.
BOOT_TIMEOUT=300 run_ktests ktest-smp1 ktest --smp 1 --icount
# The timer at rates whose period is not a whole number of 10 MHz timebase ticks, and a slow one.
run_ktests ktest-hz3 'ktest=timer_* hz=3' --smp 1 --icount
run_ktests ktest-hz300 'ktest=timer_* hz=300' --smp 1 --icount
# Without Sstc the timer goes through SBI set_timer.
run_ktests ktest-no-sstc 'ktest=timer_*' --smp 1 --icount -- -cpu rv64,sstc=false

test_no_sstc_banner() {
    boot --smp 1 -- -cpu rv64,sstc=false
    expect_status 0
    expect_line '^timer: 100 Hz from a 10000000 Hz timebase, SBI set_timer$'
}
run_test timer-sbi-without-sstc test_no_sstc_banner

# The heartbeat (now a task, kernel/demo.c): a line a second for three seconds.
test_heartbeat() {
    boot --smp 2 --icount
    expect_status 0
    expect_line '^timer: 100 Hz from a 10000000 Hz timebase, Sstc stimecmp$'
    expect_line '^tick: 1 s, 10[0-9] ticks, uptime 10[0-9][0-9] ms$'
    expect_line '^tick: 3 s, 30[0-9] ticks, uptime 30[0-9][0-9] ms$'
}
run_test timer-heartbeat test_heartbeat

# Kernel exceptions panic with the cause by name, where it happened, and a backtrace that
# starts at the faulting instruction. These tests end in a panic, so each runs alone.
# expect_trap_panic TEST MESSAGE-REGEX
expect_trap_panic() {
    boot --smp 1 --args "ktest=$1"
    expect_status 3
    expect_line "^panic: $2"
    expect_line "^    #0 0x[0-9a-f]+ ktest_fn_$1\\+0x[0-9a-f]+\$"
    expect_line '^    #[0-9] 0x[0-9a-f]+ ktest_run\+0x[0-9a-f]+$'
    expect_line '^    #[0-9] 0x[0-9a-f]+ task_start\+0x[0-9a-f]+$'
    expect_no_line '^    #[0-9] 0x[0-9a-f]+ task_exit'
}
run_test trap-illegal-instruction expect_trap_panic trap_illegal_instruction_panics \
    'illegal instruction in the kernel at ktest_fn_trap_illegal_instruction_panics\+0x[0-9a-f]+ \(sepc 0x[0-9a-f]+, stval 0xffffffff, scause 0x2\)$'
run_test trap-load-fault expect_trap_panic trap_load_fault_panics \
    'load page fault in the kernel at ktest_fn_trap_load_fault_panics\+0x[0-9a-f]+ \(sepc 0x[0-9a-f]+, stval 0x8, scause 0xd\)$'
run_test trap-nested expect_trap_panic trap_nested_panics \
    'nested trap: illegal instruction at ktest_fn_trap_nested_panics\+0x[0-9a-f]+ \(stval 0xffffffff\) while handling breakpoint$'

# Bad input: a nonsense hz is named and the default used; an impossible one is refused.
test_bad_hz() {
    boot --smp 1 --args 'hz=fast demo'
    expect_status 0
    expect_line '^bootargs: hz=fast is not a number; ignored$'
    expect_line '^timer: 100 Hz'
    boot --smp 1 --args 'hz=0'
    expect_status 3
    expect_line '^panic: timer: hz=0 is out of range \(1\.\.10000'
}
run_test timer-bad-hz test_bad_hz

test_ktest_no_match() {
    boot --smp 1 --args 'ktest=no_such_test'
    expect_status 1
    expect_line "^# no test matches 'no_such_test'\$"
}
run_test ktest-no-match test_ktest_no_match
