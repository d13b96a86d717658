# tests/races.sh (ch9): the kernel on truly parallel harts. Chapters 5-8 tested mostly under
# -icount, where the harts take turns on one host thread and an interrupt lands only between
# translation blocks: an interleaving that needs two harts at once, or an interrupt between two
# particular instructions, never happens there. Here every hart is a host thread of its own;
# with -singlestep an interrupt may land between any two instructions; and the race variant
# (kernel/race.h, -DHARTOS_RACE) pauses at the scheduler's critical points so that the other
# harts get a real chance to act in the middle. The timed tests (KTEST_TIMED) are skipped in
# these runs: they run under --icount in tests/traps.sh and tests/smp.sh.

race_kernel() {
    build_variant race -DHARTOS_RACE
}

# The whole in-kernel suite on real parallel harts.
for n in 2 4 8; do
    BOOT_TIMEOUT=300 run_ktests "ktest-parallel-smp$n" ktest --smp "$n"
done

# Each hart one instruction per translation block: interrupts may land anywhere. About four
# times slower, so on two and four harts only.
for n in 2 4; do
    BOOT_TIMEOUT=300 run_ktests "ktest-singlestep-smp$n" ktest --smp "$n" -- -singlestep
done

# The race variant: the whole suite (the smp_* and the abort tests among it).
for n in 2 4; do
    if wanted "ktest-race-smp$n"; then
        BOOT_TIMEOUT=300 run_ktests "ktest-race-smp$n" ktest --smp "$n" --kernel "$(race_kernel)"
    fi
done

# stress_kill (tests/user/stress_kill.c): 1,000 children of every kind, each killed at some
# moment, every status valid, nothing leaked. KERNEL: build/kernel.elf, or `race`.
stress_kill_passed() {
    expect_no_line '^FAIL '
    expect_line '^stress_kill: all [0-9]+ rounds ended as expected$'
}
test_stress_kill() {
    local smp=$1 kernel=build/kernel.elf
    [ "$2" = race ] && kernel=$(race_kernel)
    boot --smp "$smp" --kernel "$kernel" --args "init=stress_kill 1000" --timeout 60
    stress_kill_passed
    expect_status 0
}
for n in 2 4; do
    run_test "stress-kill-smp$n" test_stress_kill "$n" plain
    run_test "stress-kill-race-smp$n" test_stress_kill "$n" race
done

# Under --icount a kill must end its child within one tick of the child running (10 ms at the
# default 100 Hz, plus 1 for uptime's whole milliseconds), wherever it runs and whatever it
# does. Not on real harts: there a busy host may stall a hart for longer.
test_stress_kill_latency() {
    boot --smp "$1" --icount --args "init=stress_kill 1000 11" --timeout 60
    stress_kill_passed
    expect_status 0
}
for n in 2 4; do
    run_test "stress-kill-latency-smp$n" test_stress_kill_latency "$n"
done
# At 250 Hz, without the turn each tick ends (kernel/timer.c), hart 0's spinning child took
# every -icount turn and the parent never reached its kill (round 47 at af96bac).
test_stress_kill_latency_hz() {
    boot --smp 4 --icount --args "hz=$1 init=stress_kill 1000 11" --timeout 60
    stress_kill_passed
    expect_status 0
}
run_test "stress-kill-latency-hz250-smp4" test_stress_kill_latency_hz 250
# On 8 harts the order in which the harts' deadlines fell (each rounded by QEMU as its hart
# wrote it) came back every period and left one hart only its tick handler: stopped at round
# 68 at 50 to 1000 Hz until ch12 turned the order every period (kernel/timer.c).
test_stress_kill_latency_smp8() {
    boot --smp 8 --icount --args "hz=$1 init=stress_kill 1000 $((1000 / $1 + 1))" --timeout 60
    stress_kill_passed
    expect_status 0
}
run_test "stress-kill-latency-smp8" test_stress_kill_latency_smp8 100
run_test "stress-kill-latency-hz1000-smp8" test_stress_kill_latency_smp8 1000

# Again and again (REPEAT_RUNS times; `make soak` runs many more), real parallel harts, the
# plain and the race kernel in turn: a race that shows once in twenty runs is still a bug.
REPEAT_RUNS=${REPEAT_RUNS:-20}
smp_tests_passed() {
    expect_line '^ok [0-9]+ - smp_spinlock_counter$'
    expect_line '^ok [0-9]+ - smp_thousand_tasks_every_hart$'
}
test_smp_repeat() {
    repeat_boot "$REPEAT_RUNS" smp_tests_passed "build/kernel.elf $(race_kernel)" \
        --smp "$1" --args 'ktest=smp_*'
}
test_kill_repeat() {
    repeat_boot "$REPEAT_RUNS" stress_kill_passed "build/kernel.elf $(race_kernel)" \
        --smp "$1" --args "init=stress_kill 200" --timeout 30
}
for n in 1 2 4 8; do
    run_test "smp-repeat-$n" test_smp_repeat "$n"
done
for n in 2 4 8; do
    run_test "kill-repeat-$n" test_kill_repeat "$n"
done
