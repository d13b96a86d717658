# tests/user.sh (ch7): the usertests. Each boot runs one program of tests/user/ as init, and
# QEMU's exit status is the program's. A test_* program checks many things and exits with the
# number of the first check that failed, after a line "FAIL test_x check N: ..."
# (tests/user/check.h), so a failure here names the broken check. Programs that must be killed
# are spawned by test_fault, which checks each one's status; a few run as init as well, where
# the status is QEMU's exit code. tests/kernel/proc_test.c checks what spawn leaves behind.

# run_user_program NAME [boot options]: boot with init=NAME; it must exit 0 saying so, with no
# FAIL line and no program killed.
run_user_program() {
    local name=$1
    shift
    boot --smp 1 --args "init=$name" "$@"
    expect_no_line '^FAIL '
    expect_no_line 'killed:'
    expect_status 0
    expect_line "^$name: all .*passed\$"
    expect_line "^init: '$name' exited with status 0\$"
}

# Pointer arguments that are NULL, kernel addresses, unmapped, wrapping, read-only or running
# off the user range are -EFAULT, and the program lives on; a bad fd is -EBADF; unknown call
# numbers are -ENOSYS; wait checks its status pointer before it waits.
run_test user-bad-pointers run_user_program test_badptr

# brk: absurd breaks leave it unchanged, it grows and shrinks with zeroed pages, malloc says
# NULL to 1 GiB and goes on working.
run_test user-brk run_user_program test_brk

# spawn: -ENOENT, -E2BIG at the exact limits, argv passed, 200 children with their statuses;
# on one hart and on four (children then run, end and are waited for on other harts).
test_user_spawn() {
    run_user_program test_spawn --smp "$1"
    expect_line '^argv\[2\] = "test_spawn"$'            # hello, spawned with arguments
}
run_test user-spawn-smp1 test_user_spawn 1
run_test user-spawn-smp4 test_user_spawn 4

# A child that never yields is preempted, so a second child still runs and ends; kill, wait and
# their errors; an orphan runs on; sleep_ms against uptime_ms. On one hart preemption is the
# only way the second child runs. Under --icount, so the times cannot be late on a busy
# host.
test_user_sched() {
    run_user_program test_sched --smp "$1" --icount
    expect_line '^test_child: ran beside spin$'
    expect_line '^test_child: orphan finished$'
}
run_test user-sched-smp1 test_user_sched 1
# On two and four harts the spinner runs on another hart: kill reaches it there.
run_test user-sched-smp2 test_user_sched 2
run_test user-sched-smp4 test_user_sched 4

# expect_kill MODE REGEX: the line before test_fault's "MODE: status" line is the kernel's kill
# line for that child, and says REGEX after "killed: ".
expect_kill() {
    local before
    before=$(grep -B1 -E "^test_fault: $1: status" "$CONSOLE" | head -n 1)
    [[ "$before" =~ ^pid\ [0-9]+\ \(test_fault\):\ killed:\ $2$ ]] ||
        fail "$1: expected the kill line 'killed: $2', got '$before'"
}

# Every forbidden thing, each in its own child: killed with the status that names it, the
# reason printed, and the parent unharmed (it checks the statuses and exits 0).
test_user_faults() {
    boot --smp 1 --args "init=test_fault"
    expect_no_line '^FAIL '
    expect_status 0
    expect_line '^test_fault: all 9 modes ended as expected$'
    local pc='pc 0x4[0-9a-f]{7}'
    expect_kill stack "store/AMO page fault at 0x7ffe[0-9a-f]{4} $pc"
    expect_kill illegal "illegal instruction 0x0 at $pc"
    expect_kill csr "illegal instruction 0x10002[0-9a-f][7f]3 at $pc"      # csrr rd, sstatus
    expect_kill text "store/AMO page fault at 0x4[0-9a-f]{7} $pc"
    expect_kill kstore "store/AMO page fault at 0x80200000 $pc"
    expect_kill kjump "instruction page fault at 0x80200000 pc 0x80200000"
    expect_kill null "load page fault at 0x0 $pc"
    expect_kill data_exec "instruction page fault at 0x4[0-9a-f]{7} pc 0x4[0-9a-f]{7}"
    expect_kill brk_shrunk "load page fault at 0x4[0-9a-f]{4}000 $pc"
}
run_test user-faults test_user_faults

# The same faults as init: QEMU's exit code is the status, after the kill line and init's.
# test_fault_as_init MODE STATUS REGEX
test_fault_as_init() {
    boot --smp 1 --args "init=test_fault $1"
    expect_status "$2"
    expect_line "^pid [0-9]+ \\(test_fault\\): killed: $3\$"
    expect_line "^init: 'test_fault' exited with status $2\$"
    expect_no_line 'came back'
    expect_no_line '^panic'
}
run_test user-fault-stack-overflow test_fault_as_init stack 139 \
    'store/AMO page fault at 0x7ffe[0-9a-f]{4} pc 0x4[0-9a-f]{7}'
run_test user-fault-illegal test_fault_as_init illegal 132 \
    'illegal instruction 0x0 at pc 0x4[0-9a-f]{7}'
run_test user-fault-store-text test_fault_as_init text 139 \
    'store/AMO page fault at 0x4[0-9a-f]{7} pc 0x4[0-9a-f]{7}'

# argv reaches main: init=hello a b.
test_user_argv() {
    boot --smp 1 --args "init=hello a b"
    expect_status 0
    expect_line '^hello: argc 3$'
    expect_line '^argv\[0\] = "hello"$'
    expect_line '^argv\[1\] = "a"$'
    expect_line '^argv\[2\] = "b"$'
}
run_test user-argv test_user_argv

# One write that lasts twice the deadlock detector's patience (the program sizes it from a first
# write's speed, at least a MiB, and writes again at twice the size if it ended too soon) while
# a child prints on the other hart, in real time (no -icount): the kernel takes the console lock
# a chunk at a time, so the printer never waits long enough to be taken for a deadlock. Every
# line of the big write comes out whole (chunks are 128 bytes from the buffer's start, lines 64,
# so a printer's line lands between two); a write running off the heap prints nothing.
test_user_long_write() {
    boot --smp 2 --args "init=test_long_write 4000"
    expect_no_line '^panic'
    expect_no_line '^FAIL '
    expect_no_line 'never-printed'
    expect_status 0
    expect_line '^test_long_write: all checks passed$'
    expect_line '^test_long_write: printer line [0-9]+$'
    # A write that ended too soon is made again, twice the size: the last one counts.
    local want=0 n ms took= lines
    while read -r n ms; do
        want=$((want + n)) took=$ms
    done < <(sed -n \
        's/^test_long_write: \([0-9]*\) lines in one write took \([0-9]*\) ms$/\1 \2/p' "$CONSOLE")
    [ "${took:-0}" -ge 2000 ] || fail "the write took ${took:-?} ms: too short to show a deadlock"
    lines=$(grep -cE '^long-write [0-9]{8} \.{43}$' "$CONSOLE")
    [ "$lines" = $((want + 256)) ] || fail "$lines whole lines written, expected $want + 256"
}
run_test user-long-write test_user_long_write

# wait(-1) reaps whichever child ends first, blocking until one does; WAIT_NOHANG only asks;
# 100 children reaped in any order, none lost or reported twice, no task left behind; orphaned
# grandchildren end safely. On one hart, and on four, where children end on other harts while
# the parent looks.
run_test user-wait-any-smp1 run_user_program test_wait_any
run_test user-wait-any-smp4 run_user_program test_wait_any --smp 4

# Chapter 9's attack programs (tests/user/atk_*.c), each a rule a hostile program once broke.
# The two that measure time run under --icount, where a busy host cannot stretch it.
# A program that ends with 3,000 children it never waited for: its end runs with interrupts
# on, so the other program on its hart is let in at least every time slice (before: 130 ms).
test_zombies_end() {
    boot --smp 1 --icount --args "init=atk_zombies 3000"
    expect_status 0
    expect_line '^atk_zombies: all checks passed$'
}
run_test user-zombies-end-preemptible test_zombies_end

# Kills of a program moving its break by 8 MiB up and down end it within 30 ms, and leave
# nothing behind (brk grows and shrinks a step at a time, looking for the kill between steps).
test_brk_kill() {
    boot --smp 4 --icount --args "init=atk_brkkill 20 8"
    expect_status 0
    expect_line '^atk_brkkill: all checks passed$'
}
run_test user-brk-kill test_brk_kill

# In the race-widening build, where every this_hart() must run with interrupts off or pinned:
# a wait that reaps, a kill of a blocked child, spawns that run out of memory.
test_race_build_user() {
    local kernel
    kernel=$(race_kernel)
    for prog in "atk_reap" "atk_kill_sleeper 1 nowait" "atk_oom 10"; do
        boot --smp 4 --kernel "$kernel" --args "init=$prog"
        expect_status 0
        expect_line "^${prog%% *}: all .*passed\$"
    done
}
run_test user-race-build test_race_build_user

# A ^C typed after a SPAWN_FOREGROUND spawn has returned, but before the job first ran (60
# spinners queued ahead of it on one hart), kills the job; it used to reach the shell.
test_ctrlc_before_first_run() {
    python3 tests/user/atk_ctrlc.py "$(qemu_smp 1)" "init=atk_ctrlc window" ||
        fail "atk_ctrlc window: $?"
}
run_test user-ctrlc-before-first-run test_ctrlc_before_first_run

# init= a program that is not there: the error is named, and QEMU exits with 127 (as a shell
# says "not found").
test_user_init_nosuch() {
    boot --smp 1 --args "init=nosuch"
    expect_status 127
    expect_line "^init: cannot start 'nosuch': no such program\$"
}
run_test user-init-nosuch test_user_init_nosuch
