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
    local port=$((30000 + $(id -u) % 5000)) qemu out gone=no
    timeout -k 5 "$BOOT_TIMEOUT" make --no-print-directory qemu-gdb GDBPORT=$port SMP=2 \
        >"$TEST_DIR/$T_NAME.qemu" 2>&1 &
    qemu=$!
    wait_for_port "$port"
    out=$(timeout -k 5 "$BOOT_TIMEOUT" make --no-print-directory gdb GDBPORT=$port \
        GDBFLAGS="-batch -ex continue -ex bt -ex 'info threads' -ex 'p \$\$priv'" 2>&1)
    echo "$out"
    grep -Eq '^#0 +kmain \(hartid=[01], dtb=0x[0-9a-f]+\) at kernel/main.c' <<<"$out" ||
        fail "gdb did not stop in kmain"
    grep -Eq '^#1 +0x[0-9a-f]+ in _start \(\) at boot/entry.S' <<<"$out" ||
        fail "the backtrace does not reach _start"
    grep -Eq '^\$1 = 1$' <<<"$out" || fail "\$priv at kmain is not 1 (S-mode)"
    [ "$(grep -c 'Thread 1\.[0-9]* (CPU#' <<<"$out")" = 2 ] || fail "info threads does not show 2 harts"
    for _ in $(seq 50); do
        kill -0 "$qemu" 2>/dev/null || { gone=yes; break; }
        sleep 0.1
    done
    cat "$TEST_DIR/$T_NAME.qemu"
    [ "$gone" = yes ] || { kill "$qemu"; fail "QEMU still running 5 s after gdb quit"; }
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
