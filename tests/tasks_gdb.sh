# tests/tasks_gdb.sh (ch5): gdb's ktasks and kbt commands (tools/gdb/hartos.py) read the
# scheduler's own structures in a live kernel. Both stop in demo_run's tasks (kernel/demo.c),
# whose order is fixed: main spawns ids 2-7 (heartbeat, adder, faulty, sleepy, spin-1, spin-2),
# then blocks joining adder; heartbeat runs first and sleeps, then adder starts.

# ktasks before the scheduler exists, with only the idle task, and with main running in its
# first task_join and six tasks that have not run yet. One hart, so that every spawned task
# waits on hart 0 (with more, ch6 places new tasks on idle harts). "gdb thread" must follow the
# hart id. (tbreak: from ch6 on, every hart passes trap_init_hart.)
test_gdb_ktasks() {
    gdb_batch --smp 1 -- -ex c \
        -ex 'echo ==kmain\n' -ex ktasks \
        -ex 'tbreak trap_init_hart' -ex c -ex 'echo ==idle-only\n' -ex ktasks \
        -ex 'b task_join' -ex c -ex 'echo ==spawned\n' -ex ktasks -ex 'p harts[0].id' \
        -ex 'echo ==kbt-running\n' -ex 'kbt 1' -ex 'echo ==end\n'
    gdb_section kmain | grep -qx \
        "ktasks: no scheduler yet (kmain calls sched_init_hart after start_memory)" ||
        fail "ktasks in kmain does not say the scheduler has not started"

    local idle_only header='^ ID  NAME +STATE +HART  TICKS  WHERE$'
    idle_only=$(gdb_section idle-only)
    grep -Eq "$header" <<<"$idle_only" || fail "ktasks printed no header"
    expect_task 0 idle RUNNING 'running on hart 0 \(gdb thread [0-9]+\)' <<<"$idle_only"
    grep -qx "(all_tasks is empty: kmain has not spawned 'main' yet, or every task was reaped)" \
        <<<"$idle_only" || fail "ktasks does not say all_tasks is empty"

    local spawned thread
    spawned=$(gdb_section spawned)
    thread=$(( $(sed -n 's/^\$[0-9]* = //p' <<<"$spawned") + 1 ))
    [ "$(grep -Ec '^ +[0-9]+  ' <<<"$spawned")" = 8 ] || fail "ktasks did not print 8 tasks"
    expect_task 1 main RUNNING "running on hart 0 \\(gdb thread $thread\\)" <<<"$spawned"
    local id=2 name
    for name in heartbeat adder faulty sleepy spin-1 spin-2; do
        expect_task $id "$name" RUNNABLE task_trampoline <<<"$spawned"
        id=$((id + 1))
    done
    # The idle task gave hart 0 to main in the switch (sched_switch, or switch_to when it
    # went the careful way, ch10), and waits there, runnable.
    expect_task 0 idle RUNNABLE '(sched_switch|switch_to|task_yield)\+0x[0-9a-f]+' <<<"$spawned"

    gdb_section kbt-running | grep -qx "kbt: task 1 'main' is running on hart 0: its registers \
are live. Use \`thread $thread\` then \`bt\`." || fail "kbt 1 does not say main is running"
}
run_test gdb-ktasks test_gdb_ktasks

# kbt walks the stacks of tasks that are switched out, and leaves the hart as it found it: the
# registers are the same afterwards, and the kernel runs on to its normal end.
test_gdb_kbt() {
    gdb_batch -- -ex c -ex 'b adder' -ex c \
        -ex 'echo ==tasks\n' -ex ktasks \
        -ex 'echo ==regs-before\n' -ex 'info registers pc ra sp s0 s1 s2' \
        -ex 'echo ==kbt-main\n' -ex 'kbt 1' \
        -ex 'echo ==kbt-heartbeat\n' -ex 'kbt 2' \
        -ex 'echo ==kbt-idle\n' -ex 'kbt 0' \
        -ex 'echo ==regs-after\n' -ex 'info registers pc ra sp s0 s1 s2' \
        -ex 'echo ==kbt-others\n' -ex 'kbt 3' -ex 'kbt 4' -ex 'kbt 99' -ex 'kbt main' \
        -ex 'echo ==end\n' -ex 'delete' -ex c
    local tasks
    tasks=$(gdb_section tasks)
    expect_task 1 main BLOCKED '(sched_switch|switch_to|task_yield)\+0x[0-9a-f]+' <<<"$tasks"
    expect_task 2 heartbeat BLOCKED '(sched_switch|switch_to|task_yield)\+0x[0-9a-f]+' <<<"$tasks"
    expect_task 3 adder RUNNING 'running on hart 0 \(gdb thread 1\)' <<<"$tasks"
    expect_task 4 faulty RUNNABLE task_trampoline <<<"$tasks"

    local frames
    frames=$(gdb_section kbt-main | frame_names)
    # ch10: the switch's parts are inline, so gdb names them: switch_commit, then the
    # careful switch_to or the inline switch_fast, then the caller.
    [[ "$frames" =~ "switch_commit "(.* )?"block wait_block task_join demo_run main_task task_start " ]] ||
        fail "kbt 1 (main, in task_join) shows the frames: $frames"
    frames=$(gdb_section kbt-heartbeat | frame_names)
    [[ "$frames" =~ "switch_commit "(.* )?"block sleep_until "(task_sleep_ms )?"heartbeat task_start " ]] ||
        fail "kbt 2 (heartbeat, asleep) shows the frames: $frames"
    frames=$(gdb_section kbt-idle | frame_names)
    [[ "$frames" =~ "switch_commit "(.* )?"sched_idle kmain " ]] ||
        fail "kbt 0 (hart 0's idle task) shows the frames: $frames"

    local before after
    before=$(gdb_section regs-before)
    after=$(gdb_section regs-after)
    grep -Eq '^pc +0x[0-9a-f]+[[:space:]]+0x[0-9a-f]+ <adder>$' <<<"$before" ||
        fail "no pc in adder before kbt"
    [ "$(wc -l <<<"$before")" = 6 ] || fail "info registers printed: $before"
    [ "$before" = "$after" ] || fail "kbt changed the registers: before $before, after $after"

    local others
    others=$(gdb_section kbt-others)
    grep -qx "kbt: task 3 'adder' is running on hart 0: its registers are live. Use \`thread 1\` \
then \`bt\`." <<<"$others" || fail "kbt 3 does not say adder is running"
    grep -qx "task 4 'faulty' has not run yet: its first switch enters task_trampoline, then \
task_start calls faulty" <<<"$others" || fail "kbt 4 does not say faulty has not run"
    grep -qx "kbt: no task with id 99 (ktasks lists the tasks)" <<<"$others" ||
        fail "kbt 99 does not say there is no such task"
    grep -qx "usage: kbt ID, or kbt 0 \[HART\] for an idle task (ktasks lists IDs)" \
        <<<"$others" || fail "kbt main does not print the usage"

    # Continued after all that, the demo finishes as it does without gdb.
    grep -qF "join 'adder': returned 42" "$TEST_DIR/$T_NAME.qemu" ||
        fail "adder did not return 42 after kbt"
    grep -qF "hartos: chapter 5 done, powering off" "$TEST_DIR/$T_NAME.qemu" ||
        fail "the kernel did not finish after kbt"
}
run_test gdb-kbt test_gdb_kbt
