# tests/workflow.sh (ch1): what a learner types. `make qemu` boots and powers off; `make qemu-gdb`
# plus `make gdb` stop at kmain with a backtrace through _start, and quitting gdb ends QEMU.

# Since ch8 that is the shell: tests/tty-driver waits for its prompt and types poweroff.
test_make_qemu() {
    local script="$TEST_DIR/$T_NAME.script"
    printf '%s\n' 'expect ^sh[$] ' 'send poweroff\r' 'status 0' >"$script"
    CONSOLE="$TEST_DIR/$T_NAME.console"
    STATUS=0
    tests/tty-driver --timeout "$BOOT_TIMEOUT" "$script" -- make --no-print-directory qemu SMP=2 \
        >"$CONSOLE" 2>&1 || STATUS=$?
    cat "$CONSOLE"
    expect_status 0
    expect_line 'hartos: booting on hart [01],'
}
run_test make-qemu test_make_qemu

# A port for the test's gdb stub, away from the one `make qemu-gdb` uses for this user.
test_gdb_session() {
    make_gdb_session $((30000 + $(id -u) % 5000)) \
        "-ex continue -ex bt -ex 'info threads' -ex 'p \$\$priv'" SMP=2
    local out=$GDB_OUT qemu=$QEMU_PID
    grep -Eq '^#0 +kmain \(hartid=[01], dtb=0x[0-9a-f]+\) at kernel/main.c' <<<"$out" ||
        fail "gdb did not stop in kmain"
    grep -Eq '^#1 +0x[0-9a-f]+ in _start \(\) at boot/entry.S' <<<"$out" ||
        fail "the backtrace does not reach _start"
    grep -Eq '^\$1 = 1$' <<<"$out" || fail "\$priv at kmain is not 1 (S-mode)"
    [ "$(grep -c 'Thread 1\.[0-9]* (CPU#' <<<"$out")" = 2 ] || fail "info threads does not show 2 harts"
    expect_qemu_gone "$qemu" "$TEST_DIR/$T_NAME.qemu"
    ! grep -q 'powering off' "$TEST_DIR/$T_NAME.qemu" ||
        fail "the kernel ran on after gdb quit (QEMU was detached, not killed)"
}
run_test gdb-session test_gdb_session

# ch7: a user program under gdb: kuser loads its symbols, a hardware breakpoint stops in its
# main in U-mode ($priv 0), with the arguments init= gave it.
test_gdb_user() {
    ARGS="init=hello a b" gdb_batch --smp 1 -- -ex c -ex 'kuser hello' -ex 'hbreak main' -ex c \
        -ex bt -ex 'p argv[1]' -ex 'p $priv'
    grep -Eq "^kuser: symbols of 'hello' loaded from build/user/hello.elf\$" <<<"$GDB_OUT" ||
        fail "kuser did not load hello's symbols"
    grep -Eq '^#0 +main \(argc=3, argv=0x[0-9a-f]+\) at user/hello.c:[0-9]+$' <<<"$GDB_OUT" ||
        fail "gdb did not stop in hello's main with argc 3"
    grep -Eq '^\$1 = 0x[0-9a-f]+ "a"$' <<<"$GDB_OUT" || fail "argv[1] is not \"a\""
    grep -Eq '^\$2 = 0$' <<<"$GDB_OUT" || fail "\$priv in main is not 0 (U-mode)"
}
run_test gdb-user test_gdb_user

# The kernel's commands with the selected hart in U-mode, where QEMU refuses gdb's reads of
# kernel pages (tools/gdb/hartos.py reads them as physical memory meanwhile): ktasks, krunq,
# kheap and kbt print what they print in the kernel, and afterwards the hart reads as it did.
# kuser: `kuser cat` then stopping in hello's main names cat's functions (every program's main
# is at the same address); `kuser` alone swaps in the program the hart runs. On a kernel task
# it says there is no program. A stub without physical reads, and no hart in S-mode: one line
# that says so (but `kuser NAME` reads no kernel memory, and works).
test_gdb_user_kernel_commands() {
    ARGS="init=hello a b" gdb_batch --smp 1 -- -ex c \
        -ex 'tbreak proc_spawn' -ex c -ex 'echo ==kuser-kernel-task\n' -ex kuser \
        -ex 'kuser cat' -ex 'hbreak main' -ex c \
        -ex 'echo ==cat\n' -ex bt -ex 'output $priv' -ex 'echo \n' \
        -ex 'echo ==ktasks\n' -ex ktasks -ex 'echo ==krunq\n' -ex krunq \
        -ex 'echo ==kheap\n' -ex kheap -ex 'echo ==kbt\n' -ex 'kbt 1' \
        -ex 'echo ==after\n' -ex 'output $priv' -ex 'echo \n' \
        -ex 'maintenance packet qqemu.PhyMemMode' -ex 'x/gx &harts' \
        -ex 'echo ==kuser\n' -ex kuser -ex bt \
        -ex 'echo ==no-phys\n' -ex 'python PHYS_MODE_PACKET = "Qqemu.NoSuchMode"' -ex ktasks \
        -ex 'kuser cat' -ex 'echo ==end\n'
    ! grep -q '^Python Exception' <<<"$GDB_OUT" || fail "a command raised a Python exception"
    expect_gdb_line kuser-kernel-task "kuser: hart 0 (gdb thread 1) runs kernel task 1 'main', \
not a user program: name a program, kuser NAME"

    gdb_section cat | grep -Eq '^#0 +main \(\) at user/cat.c:[0-9]+$' ||
        fail "with cat's symbols, hello's main is not named cat's main"
    expect_gdb_line cat 0                   # $priv: U-mode

    local tasks
    tasks=$(gdb_section ktasks)
    expect_task 1 main BLOCKED '(sched_switch|switch_to|task_yield)\+0x[0-9a-f]+' <<<"$tasks"
    expect_task 2 hello RUNNING 'running on hart 0 \(gdb thread 1\)' <<<"$tasks"
    expect_gdb_line krunq 'hart 0 (id 0): running 2:hello; 0 queued'
    gdb_section kheap | grep -Eq '^arena 0x[0-9a-f]+, 256 KiB \(boot, kept\)$' ||
        fail "kheap shows no boot arena"
    gdb_section kheap | grep -Eq '^free: [0-9]+ bytes in [0-9]+ blocks, largest [0-9]+; kmalloc calls [1-9][0-9]*, kfree calls [0-9]+$' ||
        fail "kheap shows no totals"
    local frames
    frames=$(gdb_section kbt | frame_names)
    [[ "$frames" =~ "switch_commit "(.* )?"block wait_block task_join "(run_init )?"main_task task_start " ]] ||
        fail "kbt 1 (main, joining hello) shows the frames: $frames"

    expect_gdb_line after 0                 # $priv: still U-mode
    expect_gdb_line after 'received: "0"'   # QEMU's stub back to virtual addresses
    gdb_section after | grep -q 'Cannot access memory at address 0x' ||
        fail "the U-mode hart reads kernel memory after the commands: was its mode changed?"

    expect_gdb_line kuser "kuser: hart 0 (gdb thread 1) runs 'hello'"
    expect_gdb_line kuser "kuser: symbols of 'cat' dropped"
    expect_gdb_line kuser "kuser: symbols of 'hello' loaded from build/user/hello.elf"
    gdb_section kuser | grep -Eq '^#0 +main \(argc=3, argv=0x[0-9a-f]+\) at user/hello.c:[0-9]+$' ||
        fail "after kuser, bt does not show hello's main"

    expect_gdb_line no-phys "ktasks: every hart is in U-mode and this gdb stub cannot read \
physical memory (qqemu.NoSuchMode), so the kernel's memory cannot be read now. Stop where a hart \
is in the kernel (e.g. \`break trap_vector\`, then \`continue\`) and try again."
    expect_gdb_line no-phys "kuser: symbols of 'cat' loaded from build/user/cat.elf"  # reads none
}
run_test gdb-user-kernel-commands test_gdb_user_kernel_commands

# The same on two harts with a stub that has no physical reads: the commands read through the
# other hart, in S-mode, then the U-mode hart is selected again. (Which hart boots, runs hello
# and runs main varies: the checks take the hart from ktasks, and kbt shows hello's hart's idle
# task, which is switched out.)
test_gdb_user_kernel_commands_smp() {
    ARGS="init=hello a b" gdb_batch --smp 2 -- -ex c -ex 'kuser hello' -ex 'hbreak main' -ex c \
        -ex 'python PHYS_MODE_PACKET = "Qqemu.NoSuchMode"' \
        -ex 'echo ==before\n' -ex thread -ex 'output $priv' -ex 'echo \n' \
        -ex 'echo ==ktasks\n' -ex ktasks -ex 'echo ==krunq\n' -ex krunq \
        -ex 'echo ==kbt0\n' -ex 'kbt 0 0' -ex 'echo ==kbt1\n' -ex 'kbt 0 1' \
        -ex 'echo ==kuser\n' -ex kuser \
        -ex 'echo ==after\n' -ex thread -ex 'output $priv' -ex 'echo \n' -ex 'echo ==end\n'
    ! grep -q '^Python Exception' <<<"$GDB_OUT" || fail "a command raised a Python exception"
    local before thread hart frames
    before=$(gdb_section before)
    grep -qx '0' <<<"$before" || fail "\$priv in main is not 0 (U-mode)"
    thread=$(sed -n 's/^\[Current thread is \([0-9]*\) .*/\1/p' <<<"$before")
    [ -n "$thread" ] || fail "no current thread"
    hart=$(gdb_section ktasks | sed -nE "s/^ +2  hello +RUNNING +([01]) .*running on hart \
\\1 \\(gdb thread $thread\\)\$/\\1/p")
    [ -n "$hart" ] || fail "ktasks has no row for hello running on the selected thread's hart"
    gdb_section krunq | grep -Eqx "hart $hart \(id [01]\): running 2:hello; [01] queued" ||
        fail "krunq does not show hello running on hart $hart"
    frames=$(gdb_section "kbt$hart" | frame_names)
    [[ "$frames" =~ "switch_commit "(.* )?"sched_idle " ]] ||
        fail "kbt 0 $hart (the idle task hello took the hart from) shows the frames: $frames"
    expect_gdb_line kuser "kuser: hart $hart (gdb thread $thread) runs 'hello'"
    [ "$(gdb_section after)" = "$before" ] ||
        fail "the selected thread or its mode changed: before $before, after $(gdb_section after)"
}
run_test gdb-user-kernel-commands-smp test_gdb_user_kernel_commands_smp

# `make gdb` with nothing listening: two lines that say what to do, status non-zero, at once.
test_make_gdb_no_qemu() {
    local port=$((30200 + $(id -u) % 5000)) out status=0 start ms
    while port_listening "$port"; do port=$((port + 1)); done
    start=$(date +%s%N)
    out=$(timeout -k 5 30 make --no-print-directory gdb GDBPORT=$port 2>&1) || status=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "$out"
    [ "$status" != 0 ] || fail "make gdb with no QEMU exited 0"
    grep -qx "hartos: no QEMU listening on port $port (localhost:$port: Connection refused)" \
        <<<"$out" || fail "make gdb does not say no QEMU listens on port $port"
    grep -qxF 'hartos: start `make qemu-gdb` in another terminal first, then `make gdb`' \
        <<<"$out" || fail "make gdb does not say to start make qemu-gdb first"
    ! grep -q 'Python' <<<"$out" || fail "make gdb printed a Python error"
    [ "$ms" -lt 5000 ] || fail "make gdb took $ms ms to give up"
}
run_test make-gdb-no-qemu test_make_gdb_no_qemu
