# tests/shell.sh (ch8): the shell on the real console. tests/tty-driver types at QEMU's serial
# port (its stdin) and reads what comes back, waiting for each prompt before typing on, so the
# keys go through the UART, its PLIC interrupt and the line discipline as a person's would.

# The prompt; a background program's output may follow it on the same line.
PROMPT='^sh[$] '

# shell_session SCRIPT-LINES... (on stdin) [boot options]: boot with no boot arguments (so the
# shell starts) and follow the script; the console lands in $CONSOLE like boot's.
shell_session() {
    local smp=2
    [ "${1-}" = --smp ] && { smp=$2; shift 2; }
    local script="$TEST_DIR/$T_NAME.script"
    cat >"$script"
    CONSOLE="$TEST_DIR/$T_NAME.console"
    smp=$(qemu_smp "$smp")
    echo "shell: MACHINE=${MACHINE:-virt} SMP=$smp, script:"
    sed 's/^/  /' "$script"
    STATUS=0
    SMP=$smp ARGS= tests/tty-driver "$script" -- tools/qemu --timeout 30 "$@" \
        >"$CONSOLE" 2>&1 || STATUS=$?
    tr -d '\r' <"$CONSOLE" >"$CONSOLE.txt" && mv "$CONSOLE.txt" "$CONSOLE"
    echo "shell: driver status $STATUS; console:"
    sed 's/^/  /' "$CONSOLE"
    [ "$STATUS" = 0 ] || fail "$(grep '^tty-driver: ' "$CONSOLE" | tail -n 1)"
}

# The built-ins and the programs, each answer checked; unknown commands and bad arguments are
# named and leave their status in the prompt; poweroff ends QEMU with status 0.
test_shell_commands() {
    shell_session <<EOF2
expect $PROMPT
send help\r
expect ^  kill PID +end a program
expect $PROMPT
send ls\r
expect (^| )cat( |$)
expect $PROMPT
send echo hello   world\r
expect ^hello world$
expect $PROMPT
send uptime\r
expect ^up [0-9]+\.[0-9]{3} s$
expect $PROMPT
send heapstat\r
expect ^heap: [0-9]+ bytes in arenas, [0-9]+ used
expect ^frames: [0-9]+ free of [0-9]+
expect $PROMPT
send nosuch arg\r
expect ^sh: nosuch: unknown command
expect ^sh\[127\][$] 
send sleep x\r
expect ^sleep: usage
expect ^sh\[2\][$] 
send kill 99999\r
expect ^sh: kill: 99999 is not a program this shell started$
expect ^sh\[1\][$] 
send sleep 1\r
expect $PROMPT
send poweroff\r
expect ^poweroff: requested by pid [0-9]+ \(sh\), status 0$
status 0
EOF2
    # QEMU virt: the UART is source 10; hart N's S-mode context is 2N + 1. ch12: on sifive_u
    # (tests/boards.sh) it is source 4 and context 2N, hart 0 having only an M-mode one.
    local src=10 ctx hart
    [ "${MACHINE:-virt}" = sifive_u ] && src=4
    read -r ctx hart < <(sed -n \
        "s/^console: input on UART source $src, PLIC context \\([0-9]*\\) (hart \\([0-9]*\\))\$/\\1 \\2/p" \
        "$CONSOLE")
    local want=$((2 * hart + 1))
    [ "${MACHINE:-virt}" = sifive_u ] && want=$((2 * hart))
    [ -n "$ctx" ] && [ "$ctx" = "$want" ] || fail "no input line, or a wrong PLIC context"

}
run_test shell-commands test_shell_commands

# Ctrl-C kills the foreground spin (137 in the prompt) and nothing else; a background spin is
# listed by ps, survives a Ctrl-C at the prompt, and kill ends it; cat echoes a line back and
# Ctrl-D ends it; exit powers off with the shell's status.
test_shell_jobs() {
    shell_session <<EOF2
expect $PROMPT
send spin\r
expect ^spin: pid [0-9]+ spinning
send \x03
expect ^\^C$
expect ^sh\[137\][$] 
send spin &\r
expect ^\[([0-9]+)\] spin$
expect $PROMPT
send half a line\x03
expect $PROMPT
send ps\r
expect ^ +[0-9]+ (running|ready) +[0-9]+ +[0-9]+ spin$
expect $PROMPT
send cat\r
expect ^cat$
send some text\r
expect ^some text$
expect ^some text$
send \x04
expect $PROMPT
send exit 7\r
status 7
EOF2
    [ "$(grep -cE '^ +[0-9]+ [a-z]+ .* spin$' "$CONSOLE")" = 1 ] ||
        fail "ps did not list exactly one spin (the foreground one was killed)"
    expect_line "^init: 'sh' exited with status 7\$"
}
run_test shell-jobs test_shell_jobs

# kill of a background job waits for it and says so; a background job that ends by itself is
# reported at a later prompt. First, on one hart, Ctrl-C interrupts the very program it kills:
# task_abort from inside the interrupt ends it when the trap returns.
test_shell_kill() {
    shell_session --smp 1 <<EOF2
expect $PROMPT
send spin\r
expect ^spin: pid [0-9]+ spinning
send \x03
expect ^sh\[137\][$] 
send spin &\r
expect ^\[4\] spin$
expect $PROMPT
send kill 4\r
expect \[4\] killed$
expect $PROMPT
send sleep 0 &\r
expect ^\[5\] sleep$
expect $PROMPT
send sleep 1\r
expect ^\[5\] done: exited with status 0$
expect $PROMPT
send poweroff\r
status 0
EOF2
}
run_test shell-kill test_shell_kill

# Line editing: Backspace and Ctrl-U edit what the program gets; a line longer than the tty's
# buffer is cut with a message; binary garbage (all bytes but Ctrl-A, QEMU's escape, and
# Ctrl-D, which would end the shell's input) crashes nothing, and the shell goes on.
test_shell_editing() {
    local long garbage
    long=$(printf 'A%.0s' $(seq 300))
    garbage=$(python3 -c 'import random; random.seed(8)
b = [c for c in range(256) if c not in (1, 4)] * 3
random.shuffle(b); print("".join("\\\\x%02x" % c for c in b))')
    shell_session <<EOF2
expect $PROMPT
send echo abx\x7fc\x08\x08bc\r
expect ^abc$
expect $PROMPT
send rubbish\x15echo ok\r
expect ^ok$
expect $PROMPT
send echo $long\r
expect ^tty: line longer than 255 bytes: truncated to its first 255$
expect ^A{250}$
expect $PROMPT
send $garbage
send \x15\r
expect $PROMPT
send echo alive\r
expect ^alive$
expect $PROMPT
send poweroff\r
status 0
EOF2
    expect_no_line '^panic'
}
run_test shell-editing test_shell_editing

# More background jobs than the shell's job table held (16) and than one tasks() call lists
# (64): 70 sleepers; after the first is killed, `spin &` still starts and the prompt comes back
# (the shell used to block in wait for a job tasks() had not listed); each job is killed and
# reported. Then 70 jobs that end by themselves a second later are all reaped and reported, and
# ps lists what it listed before (jobs past the table used to stay, exited, forever). The many jobs sleep
# rather than spin: 70 spinners would leave the shell one time slice in 35, and every prompt
# most of a second. Commands are typed ahead in bursts, so the session takes seconds. Pids are
# handed out in order: the kernel's main task is 1, sh 2, so the sleepers are 3..72, the spin
# 73, echo 74 and the short jobs 75..144.
test_shell_many_jobs() {
    local sleepers kills quick
    sleepers=$(printf 'sleep 1000 &\\r%.0s' $(seq 70))
    kills=$(printf 'kill %d\\r' $(seq 4 73))
    quick=$(printf 'sleep 1 &\\r%.0s' $(seq 70))
    shell_session <<EOF2
expect $PROMPT
send ps\r
expect $PROMPT
send $sleepers
expect \[72\] sleep$
expect $PROMPT
send kill 3\r
expect \[3\] killed$
expect $PROMPT
send spin &\r
expect \[73\] spin$
expect $PROMPT
send echo still here\r
expect ^still here$
expect $PROMPT
send $kills
expect \[73\] killed$
expect $PROMPT
send $quick
expect \[144\] sleep$
expect $PROMPT
send sleep 2\r
expect $PROMPT
send ps\r
expect $PROMPT
send poweroff\r
status 0
EOF2
    local pid missing=
    for pid in $(seq 3 73); do
        [ "$(grep -c "\[$pid\] killed\$" "$CONSOLE")" = 1 ] || missing="$missing $pid"
    done
    [ -z "$missing" ] || fail "not reported killed exactly once:$missing"
    for pid in $(seq 75 144); do
        [ "$(grep -c "\[$pid\] done: exited with status 0\$" "$CONSOLE")" = 1 ] ||
            missing="$missing $pid"
    done
    [ -z "$missing" ] || fail "not reported done exactly once:$missing"
    # The two ps listings (the second after every job ended): the same tasks.
    local before after
    read -r before after < <(awk '/  PID STATE/ { ps = 1; n = 0; next }
                                  ps && /^sh[$] / { print n; ps = 0 } ps { n++ }' "$CONSOLE" |
                             tr '\n' ' ')
    [ -n "$after" ] && [ "$before" = "$after" ] ||
        fail "ps listed ${before:-?} tasks before the jobs and ${after:-?} after"
}
run_test shell-many-jobs test_shell_many_jobs

# Only the console's owner (the shell), the foreground program and the program that made it the
# foreground may change the foreground: a background job that tries (foreground(0), its own
# child, spawn with SPAWN_FOREGROUND) gets -EPERM, and Ctrl-C still kills the shell's job. A
# foreground program may hand the console to its child and take it back; Ctrl-C then kills the
# child; afterwards the shell has the console again (Ctrl-C at the prompt: a new prompt).
test_shell_foreground_owner() {
    shell_session <<EOF2
expect $PROMPT
send test_foreground thief &\r
expect \[[0-9]+\] test_foreground$
expect $PROMPT
send spin\r
expect ^spin: pid [0-9]+ spinning
expect ^test_foreground: the thief was refused$
send \x03
expect ^sh\[137\][$] 
send test_foreground hand\r
expect ^test_foreground: handed the console to [0-9]+$
send \x03
expect ^test_foreground: my child was killed by Ctrl-C$
expect $PROMPT
send \x03
expect ^\^C$
expect $PROMPT
send poweroff\r
status 0
EOF2
    expect_no_line '^FAIL '
    expect_line '\[3\] done: exited with status 0$'        # the thief, reaped at a prompt
}
run_test shell-foreground-owner test_shell_foreground_owner

# ps names harts by their ids (the boot line's, SBI's, gdb's), not by the kernel's own indexes
# into harts[]. The two differ whenever OpenSBI boots on a hart other than 0 (the boot hart takes
# index 0; random with several harts); here always: QEMU boots a virt tree whose cpu@0 is
# "disabled", so the kernel runs harts 1 and 2 as indexes 0 and 1. ps must never say hart 0;
# the main task, pinned to the boot hart, must show the boot hart's id.
test_shell_ps_hart_ids() {
    local tree="$TEST_DIR/$T_NAME.dtb" smp=3 qemu=()
    if [ "${MACHINE:-virt}" = sifive_u ]; then   # ch12: harts 1 and 2 as they come, hart 0
        smp=2                                   # being the monitor core
    else
        qemu=(-- -dtb "$tree")
    fi
    qemu-system-riscv64 -machine "virt,dumpdtb=$tree.virt" -smp 3 -m 128M -nographic -bios none \
        >/dev/null 2>&1
    dtc -q -I dtb -O dts "$tree.virt" |
        awk '/cpu@0 \{/ { cpu0 = 1 } cpu0 && /status = "okay"/ { sub(/okay/, "disabled"); cpu0 = 0 }
             { print }' | dtc -q -I dts -O dtb -o "$tree"
    shell_session --smp "$smp" "${qemu[@]}" <<EOF2
expect $PROMPT
send spin &\r
expect ^\[[0-9]+\] spin$
expect $PROMPT
send ps\r
expect ^ +[0-9]+ (running|ready) +[0-9]+ +[0-9]+ spin$
expect $PROMPT
send poweroff\r
status 0
EOF2
    expect_line '^smp: 2 harts online: [12] [12] \(boot hart [12]\)$'
    local boot rows
    boot=$(sed -n 's/^hartos: booting on hart \([0-9]*\),.*/\1/p' "$CONSOLE")
    rows=$(awk '/  PID STATE/ { ps = 1; next } ps && /^sh[$] / { ps = 0 } ps' "$CONSOLE")
    [ -n "$rows" ] || fail "ps listed nothing"
    awk '$3 != 1 && $3 != 2 { exit 1 }' <<<"$rows" ||
        fail "ps shows a hart that is not hart 1 or 2: $(awk '$3 != 1 && $3 != 2' <<<"$rows" | head -n 1)"
    awk -v boot="$boot" '$5 == "main" && $3 == boot { found = 1 } END { exit !found }' \
        <<<"$rows" || fail "ps does not show main on the boot hart $boot: $(grep ' main$' <<<"$rows")"
}
run_test shell-ps-hart-ids test_shell_ps_hart_ids

# Keys that send escape sequences (arrows: ESC [ A..D, or ESC O A..D in the terminal's
# application mode; Home, End: ESC [ H / F; Delete: ESC [ 3 ~; with modifiers: ESC [ 1 ; 5 C)
# are taken whole by the line discipline: none of their bytes reaches the line, so nothing runs
# that was not typed. A lone ESC followed by an ordinary key drops the ESC and keeps the key; a
# control key in the middle of a sequence ends it and does its own work (Ctrl-U here).
test_shell_escape_keys() {
    shell_session <<EOF2
expect $PROMPT
send \x1b[A\x1b[B\x1bOA\x1b[D\r
expect $PROMPT
send ech\x1b[Do\x1b[C lef\x1bOCt\x1b[H\x1b[F\x1b[3~\x1b[1;5C\x1b[15~\r
expect ^left$
expect $PROMPT
send \x1becho lone\r
expect ^lone$
expect $PROMPT
send junk\x1b[\x15echo cut\r
expect ^cut$
expect $PROMPT
send poweroff\r
status 0
EOF2
    expect_no_line 'unknown command'
    expect_no_line '\[[0-9;]*[A-Z~]|O[A-D]'
    expect_line '^sh[$] echo left$'
    expect_line '^sh[$] echo lone$'
}
run_test shell-escape-keys test_shell_escape_keys

# exit takes at most one status, a number 0..255: anything else is a usage error (status 2 in
# the prompt) and the shell goes on; `exit 3` then leaves with 3.
test_shell_exit_usage() {
    shell_session <<EOF2
expect $PROMPT
send exit 1 2\r
expect ^sh: exit: usage: exit \[N\] \(N: a status, 0\.\.255\)$
expect ^sh\[2\][$] 
send exit abc\r
expect ^sh: exit: usage: exit \[N\] \(N: a status, 0\.\.255\)$
expect ^sh\[2\][$] 
send exit 256\r
expect ^sh: exit: usage: exit
expect ^sh\[2\][$] 
send exit 3\r
status 3
EOF2
    expect_line "^init: 'sh' exited with status 3\$"
}
run_test shell-exit-usage test_shell_exit_usage

# A program the shell cannot start is named with the error, not its number: on an 8 MiB machine
# (each sleep costs about 28 of its 1,400 free page frames) 80 background sleeps run it out of
# memory; the shell says so and goes on (two sleeps killed, echo runs). Typed in two bursts of
# 40 lines: one burst of 80 would not fit the tty's type-ahead.
test_shell_spawn_error() {
    local sleepers
    sleepers=$(printf 'sleep 1000 &\\r%.0s' $(seq 40))
    shell_session --smp 1 -- -m 8M <<EOF2
expect $PROMPT
send $sleepers
expect \[42\] sleep$
send $sleepers
expect ^sh: sleep: cannot start it: out of memory$
send kill 3\r
expect \[3\] killed$
expect $PROMPT
send kill 4\r
expect \[4\] killed$
expect $PROMPT
send echo still here\r
expect ^still here$
expect $PROMPT
send poweroff\r
status 0
EOF2
    expect_no_line '^panic'
    expect_no_line 'error [0-9]'
}
run_test shell-spawn-error test_shell_spawn_error
