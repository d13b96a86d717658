# tests/tasks.sh (ch5): tasks, the scheduler and blocking. The in-kernel tests of task/ run with
# the rest (tests/traps.sh's ktest runs); here: the demo a learner sees, and the failures.

# `make qemu` in chapter 5: every ending join can report, two busy tasks sharing the hart, and
# a heartbeat task sleeping to absolute deadlines.
test_task_demo() {
    boot --smp 1 --icount
    expect_status 0
    expect_line "^task 'faulty' \\(id [0-9]+\\) panicked: on purpose, to show what join reports\$"
    expect_line "^join 'adder': returned 42\$"
    expect_line "^join 'faulty': panicked\$"
    expect_line "^join 'sleepy': aborted\$"
    expect_line "^join 'spin-1', 'spin-2': busy side by side for 500 ms, they ran 2[3-7] and 2[3-7] ticks"
    expect_line '^tick: 3 s, 30[0-9] ticks, uptime 30[01][0-9] ms$'
}
run_test task-demo test_task_demo

# A kernel stack overflow (the canary below the stack is gone) is named at the next switch.
test_task_stack_overflow() {
    boot --smp 1 --args ktest=task_stack_overflow_panics
    expect_status 3
    expect_line "^panic: task 'overflow' \\(id [0-9]+\\) overflowed its kernel stack \\(canary at 0x[0-9a-f]+ is 0\\)\$"
}
run_test task-stack-overflow test_task_stack_overflow

# ch10: a timer interrupt that finds no room for its frame above the stack's floor is a stack
# overflow like any other trap's (trap.S's fast timer path must not handle it on the spare stack).
test_timer_near_stack_floor() {
    boot --smp 1 --args "ktest=$1"
    expect_status 3
    expect_line "^panic: task '$2' overflowed its kernel stack \\(a trap at sp 0x[0-9a-f]+ found no room for its frame\\)\$"
}
run_test timer-near-stack-floor test_timer_near_stack_floor timer_near_stack_floor_panics nearfloor
run_test timer-two-tasks-near-floor test_timer_near_stack_floor timer_two_tasks_near_floor_panics floor-a
