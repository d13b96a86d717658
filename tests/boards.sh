# tests/boards.sh (ch12): a second machine. QEMU's sifive_u models a HiFive Unleashed: a SiFive
# UART instead of a 16550, a monitor hart 0 without an MMU, a 1 MHz timebase, no Sstc, and no
# device that can power it off. The boot is checked line by line, device trees with what hartos
# cannot use are fed in with -dtb, and then the ktest suite, the usertests and the shell tests
# run again on it (names prefixed sifive_u-). `--smp N` there means N harts that run hartos:
# tests/lib.sh's qemu_smp adds hart 0.

# dump_dts MACHINE SMP OUT: QEMU's own device tree for MACHINE with SMP harts, as OUT.dts (and
# the blob, OUT.dtb); edited copies go in with -dtb.
dump_dts() {
    qemu-system-riscv64 -machine "$1,dumpdtb=$3.dtb" -bios none -smp "$2" -m 128M -nographic \
        >/dev/null 2>&1 || fail "QEMU did not dump $1's device tree"
    dtc -q -I dtb -O dts -o "$3.dts" "$3.dtb" || fail "dtc could not read the dumped tree"
}

board_dts() {       # board_dts SMP OUT: sifive_u's
    dump_dts sifive_u "$@"
}

board_dtb() {
    dtc -q -I dts -O dtb -o "$1.dtb" "$1.dts" || fail "dtc could not compile $1.dts"
}

# The boot on sifive_u: harts 1-4 start and hart 0 does not (OpenSBI marks it disabled, having
# no MMU); the SiFive UART is the console, with input through the PLIC context that
# interrupts-extended names for the boot hart (2N there, not virt's 2N + 1); the timer runs at
# 100 Hz from 1 MHz through SBI; the program runs; the kernel halts, saying so, and tools/qemu
# ends QEMU with the status printed.
test_sifive_boot() {
    boot --smp 4 --args init=hello
    expect_status 0
    expect_line '^harts: 1 2 3 4 \(4 found\), timebase 1000000 Hz$'
    expect_line '^uart: sifive,uart0 at 0x10010000$'
    expect_line '^timer: 100 Hz from a 1000000 Hz timebase, SBI set_timer$'
    expect_line '^smp: 4 harts online: [1-4] [1-4] [1-4] [1-4] \(boot hart [1-4]\)$'
    expect_line "^init: 'hello' exited with status 0$"
    expect_line '^poweroff: halted with status 0; nothing on this machine can power it off$'
    local ctx hart
    read -r ctx hart < <(sed -n \
        's/^console: input on UART source 4, PLIC context \([0-9]*\) (hart \([0-9]*\))$/\1 \2/p' \
        "$CONSOLE")
    [ -n "$ctx" ] && [ "$ctx" = $((2 * hart)) ] || fail "no input line, or a wrong PLIC context"
}

# A status that is not 0 comes back too, through the halt line: init=nosuch ends with 127.
test_sifive_status() {
    boot --smp 2 --args init=nosuch
    expect_status 127
    expect_line '^poweroff: halted with status 127; nothing on this machine can power it off$'
}

# The status comes back even when nobody reads the console (`| head`, here `| true`, which
# reads nothing): halt-watch keeps watching after its output is closed (it died of a broken
# pipe, and QEMU ran on until the timeout).
test_sifive_status_output_closed() {
    local status
    MACHINE=sifive_u ARGS=init=nosuch tools/qemu --timeout 30 </dev/null \
        2>"$TEST_DIR/$T_NAME.err" | true
    status=${PIPESTATUS[0]}
    cat "$TEST_DIR/$T_NAME.err"
    [ "$status" = 127 ] || fail "tools/qemu | true exited $status, not init=nosuch's 127"
    ! grep -q Traceback "$TEST_DIR/$T_NAME.err" || fail "halt-watch died with a traceback"
}

# Under a TMPDIR too long for a unix socket's path (107 bytes), QEMU refused the monitor's
# socket and sifive_u could not start; tools/qemu puts the socket under /tmp then.
test_sifive_long_tmpdir() {
    local long=$TEST_DIR/$(printf 'd%.0s' $(seq 110)) status=0
    mkdir -p "$long"
    TMPDIR=$long MACHINE=sifive_u SMP=2 ARGS=init=nosuch tools/qemu --timeout 30 </dev/null \
        >"$TEST_DIR/$T_NAME.console" 2>&1 || status=$?
    cat "$TEST_DIR/$T_NAME.console"
    rm -rf "$long"
    [ "$status" = 127 ] || fail "with a ${#long}-byte TMPDIR, tools/qemu exited $status, not 127"
}

# Any program can print the halt line; only the kernel can fill in poweroff_halted, which
# tools/halt-watch reads back before it ends QEMU. So an echo of the line ends nothing.
test_sifive_halt_spoof() {
    shell_session --smp 1 <<EOF2
expect $PROMPT
send echo poweroff: halted with status 7; nothing on this machine can power it off\r
expect tools/halt-watch: a halt line, but the kernel has not halted
send \r
expect $PROMPT
send exit 5\r
status 5
EOF2
    expect_line '^poweroff: halted with status 5; nothing on this machine can power it off$'
}

# A program that prints the halt line just before the kernel really halts must not hide the
# real one: tools/halt-watch sees both in one read, ignores the program's, and must still act
# on the kernel's (found by a hostile review: it waited for more output, which never came).
test_sifive_halt_spoof_at_halt() {
    boot --smp 1 --timeout 20 --args 'init=echo poweroff: halted with status 7; spoof'
    expect_line '^poweroff: halted with status 0; nothing on this machine can power it off$'
    expect_status 0
}

# Each halt line is looked at once: tools/halt-watch must not match the same line again when
# more output comes (it cut its buffer at an offset counted without the CRs). Typing the echo
# shows the line twice, as typed and as printed: two warnings, and no more after that.
test_sifive_halt_spoof_once() {
    shell_session --smp 1 <<EOF2
expect $PROMPT
send echo poweroff: halted with status 7; x\r
expect tools/halt-watch: a halt line, but the kernel has not halted
send help\r
expect $PROMPT
send help\r
expect $PROMPT
send exit 5\r
status 5
EOF2
    [ "$(grep -c 'tools/halt-watch: a halt line' "$CONSOLE")" = 2 ] ||
        fail "a spoofed halt line, typed and printed, gave $(grep -c 'tools/halt-watch: a halt line' "$CONSOLE") warnings, not 2"
}

# A serial port of a kind hartos has no driver for is named, and the console stays on SBI:
# output still works, input does not, the program still runs. (The port OpenSBI prints on is
# marked disabled for the kernel, so OpenSBI's console keeps working.)
test_sifive_unknown_uart() {
    local t=$TEST_DIR/$T_NAME
    board_dts 5 "$t"
    sed -i -e '/serial@10010000 {/a\                        status = "disabled";' \
        -e '/serial@10011000 {/,/};/ s/compatible = .*/compatible = "acme,uart9";/' "$t.dts"
    board_dtb "$t"
    boot --smp 4 --args init=hello -- -dtb "$t.dtb"
    expect_status 0
    expect_line '^console: serial@10011000 \(compatible "acme,uart9"\) is a UART hartos has no driver for; staying on the SBI console, output only$'
    expect_line '^console: no input: the console is not on a UART \(hart [1-4]\)$'
    expect_no_line '^uart:'
    expect_line "^init: 'hello' exited with status 0$"
}

# reg-shift and reg-io-width mean nothing to a SiFive UART (its layout is fixed): a tree that
# gives them anyway boots as usual, and the uart line says they are ignored.
test_sifive_uart_props_ignored() {
    local t=$TEST_DIR/$T_NAME
    board_dts 5 "$t"
    sed -i '/serial@10010000 {/a\                        reg-shift = <2>;\n                        reg-io-width = <4>;' \
        "$t.dts"
    board_dtb "$t"
    boot --smp 4 --args init=hello -- -dtb "$t.dtb"
    expect_status 0
    expect_line '^uart: sifive,uart0 at 0x10010000, reg-shift 2 and reg-io-width 4 ignored \(its layout is fixed\)$'
    expect_line "^init: 'hello' exited with status 0$"
}

# plic_drop_s DTS HART: take HART's S-mode context out of the PLIC's interrupts-extended, the
# way trees mark a context unused (irq 0xffffffff). The hart's intc phandle is read from its node.
plic_drop_s() {
    python3 - "$1" "$2" <<'EOF'
import re, sys
path, hart = sys.argv[1], int(sys.argv[2])
dts = open(path).read()
cpu = re.search(r"cpu@%x \{.*?interrupt-controller \{.*?phandle = <(0x[0-9a-f]+)>" % hart, dts, re.S)
plic = re.search(r"(interrupt-controller@c000000 \{.*?interrupts-extended = <)([^>]*)>", dts, re.S)
cells = plic.group(2).split()
pairs = [cells[i:i + 2] for i in range(0, len(cells), 2)]
hit = [p for p in pairs if int(p[0], 16) == int(cpu.group(1), 16) and p[1] == "0x09"]
assert len(hit) == 1, "hart %d has %d S contexts" % (hart, len(hit))
hit[0][1] = "0xffffffff"
new = " ".join(c for p in pairs for c in p)
open(path, "w").write(dts[:plic.start(2)] + new + dts[plic.end(2):])
EOF
}

# A PLIC without an S-mode context for hart 2: named at boot; hart 2 still runs tasks. With one
# hart (hart 1, which is then the boot hart) and no context for it, console input is off,
# saying why, and the program still runs.
test_sifive_plic_no_context() {
    local t=$TEST_DIR/$T_NAME
    board_dts 5 "$t"
    plic_drop_s "$t.dts" 2
    board_dtb "$t"
    boot --smp 4 --args init=hello -- -dtb "$t.dtb"
    expect_status 0
    expect_line '^plic: hart 2 has no S-mode context \(interrupts-extended\); it takes no device interrupts$'
    expect_no_line '^plic: hart [134] has no'
    expect_line '^smp: 4 harts online'
    expect_line '^console: (input on UART source 4, PLIC context (2 \(hart 1|6 \(hart 3|8 \(hart 4)\)|no input: the PLIC has no S-mode context for this hart \(hart 2\))$'
    expect_line "^init: 'hello' exited with status 0$"

    board_dts 2 "$t-smp1"
    plic_drop_s "$t-smp1.dts" 1
    board_dtb "$t-smp1"
    boot --smp 1 --args init=hello -- -dtb "$t-smp1.dtb"
    expect_status 0
    expect_line '^console: no input: the PLIC has no S-mode context for this hart \(hart 1\)$'
    expect_line "^init: 'hello' exited with status 0$"
}

# No hart with an MMU: OpenSBI marks them all disabled, and the kernel stops, naming why, with
# the status (3, a panic) still reaching QEMU's exit.
test_sifive_no_mmu() {
    local t=$TEST_DIR/$T_NAME
    board_dts 5 "$t"
    sed -i '/mmu-type/d' "$t.dts"
    board_dtb "$t"
    boot --smp 4 --args init=hello -- -dtb "$t.dtb"
    expect_status 3
    expect_line '^panic: fdt: no hart can run hartos: /cpus has no enabled cpu node \(5 disabled; firmware disables harts without an MMU\)$'
    expect_no_line '^init:'
}

# What a learner types: `make qemu MACHINE=sifive_u` gives a shell whose exit status ends QEMU;
# `make qemu-gdb MACHINE=sifive_u` + `make gdb` stop at kmain on whichever hart OpenSBI chose,
# `next` steps on from there, all five harts (hart 0 too) are gdb threads, and quitting gdb
# ends QEMU.
test_sifive_make_qemu() {
    local script="$TEST_DIR/$T_NAME.script"
    printf '%s\n' 'expect ^sh[$] ' 'send echo on a board\r' 'expect ^on a board$' \
        'expect ^sh[$] ' 'send exit 3\r' 'status 2' >"$script"     # make's own, for a failure
    CONSOLE="$TEST_DIR/$T_NAME.console"
    STATUS=0
    tests/tty-driver --timeout "$BOOT_TIMEOUT" "$script" -- make --no-print-directory qemu \
        MACHINE=sifive_u >"$CONSOLE" 2>&1 || STATUS=$?
    cat "$CONSOLE"
    expect_status 0
    expect_line '^hartos: booting on QEMU sifive_u \(SMP=5 MEM=128M\)'
    expect_line '^smp: 4 harts online'
    expect_line '^poweroff: halted with status 3;'
    expect_line '^make(\[[0-9]+\])?: \*\*\* \[Makefile:[0-9]+: qemu\] Error 3$'
}

test_sifive_gdb() {
    make_gdb_session $((35000 + $(id -u) % 5000)) "-ex continue -ex next -ex bt -ex 'info threads'" \
        MACHINE=sifive_u
    local out=$GDB_OUT qemu=$QEMU_PID
    grep -Eq '^#0 +kmain \(hartid=[1-4], dtb=0x[0-9a-f]+\) at kernel/main.c' <<<"$out" ||
        fail "gdb did not stop in kmain on one of harts 1-4"
    [ "$(grep -c 'hit Breakpoint 1' <<<"$out")" = 1 ] ||
        fail "next did not step past kmain's breakpoint (it hit again)"
    [ "$(grep -cE 'Thread [12]\.[0-9]+ \(sifive-(e51|u54)-riscv-cpu' <<<"$out")" = 5 ] ||
        fail "info threads does not show the 5 harts of both clusters"
    expect_qemu_gone "$qemu" "$TEST_DIR/$T_NAME.qemu"
}

run_test sifive_u-make-qemu test_sifive_make_qemu
run_test sifive_u-make-gdb test_sifive_gdb

# A UART the device tree describes wrongly. A 16550 with 32-bit registers (reg-io-width 4)
# needs them 4-aligned (reg-shift >= 2): with reg-shift 0 the tree is refused by name. A
# byte-wide 16550 described with reg-shift 3 reads past its registers, and the fault comes
# before trap_init_hart: kernel/trap.c's early_trap names it (until then the hart parked
# without a word; found by a hostile review). Both stop: the second with status 3, the first
# saying the status is lost (the tree was refused, so the test device is unknown). A copy of virt's UART
# with the bad properties goes first, so the kernel takes it while OpenSBI keeps printing on
# the real one (stdout-path).
virt_dts() {        # virt_dts NAME [SMP]: virt's tree, one hart by default, as $TEST_DIR/NAME.dts
    dump_dts virt "${2:-1}" "$TEST_DIR/$1"
}

# virt_edited NAME SED-EXPRESSION: QEMU virt's tree (one hart) edited by sed and compiled to
# $TEST_DIR/$T_NAME-NAME.dtb; a sed that changes nothing fails the test.
virt_edited() {
    local t=$TEST_DIR/$T_NAME-$1
    virt_dts "$T_NAME-$1"
    sed -i "$2" "$t.dts"
    ! cmp -s "$t.dts" <(dtc -q -I dtb -O dts "$t.dtb") || fail "$1: the sed changed nothing"
    board_dtb "$t"
}

virt_bad_uart() {   # virt_bad_uart NAME COMPATIBLE PROPERTY: $TEST_DIR/NAME.dtb
    local t=$TEST_DIR/$1
    virt_dts "$1"
    python3 - "$t.dts" "$2" "$3" <<'EOF2'
import re, sys
path, compatible, prop = sys.argv[1:]
dts = open(path).read()
node = re.search(r"\t\tserial@10000000 \{.*?\n\t\t\};\n", dts, re.S).group(0)
bad = node.replace("serial@10000000", "serial@1").replace('"ns16550a"', '"%s"' % compatible)
bad = bad.replace("{", "{\n\t\t\t%s;" % prop, 1)
open(path, "w").write(dts.replace(node, bad + node, 1))
EOF2
    board_dtb "$t"
}

test_uart_misdescribed() {
    virt_bad_uart "$T_NAME-width" snps,dw-apb-uart 'reg-io-width = <0x04>'
    boot --timeout 15 --args init=hello -- -dtb "$TEST_DIR/$T_NAME-width.dtb"
    [ "$STATUS" != 124 ] || fail "the boot hung silently on a reg-io-width 4, reg-shift 0 UART"
    expect_line '^poweroff: no test device known; an SBI shutdown cannot carry exit status 3$'
    expect_line '^panic: fdt: /soc/serial@1 has 32-bit registers \(reg-io-width 4\) only 1 << 0 bytes apart; they need reg-shift 2 or more$'

    virt_bad_uart "$T_NAME-shift" ns16550a 'reg-shift = <0x03>'
    boot --timeout 15 --args init=hello -- -dtb "$TEST_DIR/$T_NAME-shift.dtb"
    [ "$STATUS" != 124 ] || fail "the boot hung silently on a fault before the trap vector"
    expect_status 3
    expect_line '^panic: (load|store/AMO) access fault at uart_[a-z_]+\+0x[0-9a-f]+ \(stval 0x1[0-9a-f]+\) before the trap vector was set up$'
    # the backtrace starts at the faulting function and goes on to its callers
    expect_line '^ +#1 0x[0-9a-f]+ console_use_uart\+0x[0-9a-f]+$'
    expect_line '^ +#2 0x[0-9a-f]+ kmain\+0x[0-9a-f]+$'

    # The same tree with the test device moved where nothing answers: the panic's power-off
    # faults too. That second trap must not re-enter early_trap (it would recurse until the
    # stack ran into .bss); boot/entry.S names it through SBI and stops the hart, so QEMU
    # runs until the timeout.
    local t=$TEST_DIR/$T_NAME-nested
    sed 's/reg = <0x00 0x100000 0x00 0x1000>;/reg = <0x00 0x110000 0x00 0x1000>;/' \
        "$TEST_DIR/$T_NAME-shift.dts" >"$t.dts"
    ! cmp -s "$t.dts" "$TEST_DIR/$T_NAME-shift.dts" || fail "the test device's reg was not moved"
    board_dtb "$t"
    boot --timeout 10 --args init=hello -- -dtb "$t.dtb"
    expect_status 124
    expect_line '^panic: (load|store/AMO) access fault at uart_[a-z_]+\+0x[0-9a-f]+ '
    local pc
    pc=$(sed -En 's/^hartos: a trap at pc 0x([0-9a-f]{16}) that this hart cannot report \(it has no stack yet, or it trapped again while reporting one\); stopped\r?$/\1/p' "$CONSOLE")
    [ -n "$pc" ] || fail "no 'hartos: a trap at pc ... cannot report' line after the nested fault"
    [ "$(grep -c '^panic: ' "$CONSOLE")" = 1 ] || fail "the nested fault panicked again"
    local fn       # the function the second trap's pc is in: the last text symbol at or below it
                   # (compared as strings: both are 16 hex digits)
    fn=$("$(tools/setup prefix)nm" -n build/kernel.elf |
        awk -v pc="$pc" '$2 ~ /^[tT]$/ && $1 "" <= pc "" { f = $3 } END { print f }')
    [ "$fn" = poweroff ] || fail "the second trap (pc $pc) is in ${fn:-nothing}, not in poweroff"
}

run_test uart-misdescribed test_uart_misdescribed

# A UART interrupt the PLIC cannot deliver is named, and the console goes on without input:
# the program still runs. (virt, one hart: the boot hart is hart 0, its S-mode context 1.)
# expect_no_input NAME SED-EXPRESSION MESSAGE
expect_no_input() {
    virt_edited "$1" "$2"
    boot --smp 1 --args init=hello -- -dtb "$TEST_DIR/$T_NAME-$1.dtb"
    expect_status 0
    expect_line "^console: no input: $3 \\(hart 0\\)\$"
    expect_no_line '^console: input on'
    expect_line "^init: 'hello' exited with status 0$"
}

test_uart_irq_unroutable() {
    expect_no_input zero 's/interrupts = <0x0a>;/interrupts = <0x00>;/' \
        "the UART's interrupts property is missing or 0"
    expect_no_input past-ndev 's/interrupts = <0x0a>;/interrupts = <0x61>;/' \
        "the UART's interrupt source 97 is beyond the PLIC's 96 \\(riscv,ndev\\)"
    expect_no_input small-plic 's/reg = <0x00 0xc000000 0x00 0x600000>;/reg = <0x00 0xc000000 0x00 0x200000>;/' \
        "the PLIC's reg \\(size 0x200000\\) ends before context 1's registers"
}
run_test uart-irq-unroutable test_uart_irq_unroutable

# A test device where nothing answers: the power-off's store faults, and that panic's own
# power-off must not store again (it did, 48 nested panics deep, until the stack ran out). It
# says the device faulted and asks SBI, whose firmware uses the same broken device, so QEMU may
# never end: the status is the timeout's.
test_test_device_faults() {
    virt_edited moved 's/reg = <0x00 0x100000 0x00 0x1000>;/reg = <0x00 0x110000 0x00 0x1000>;/'
    boot --smp 1 --timeout 10 --args init=hello -- -dtb "$TEST_DIR/$T_NAME-moved.dtb"
    expect_line "^init: 'hello' exited with status 0$"
    expect_line '^panic: store/AMO access fault in the kernel at poweroff\+0x[0-9a-f]+ \(sepc 0x[0-9a-f]+, stval 0x110000, scause 0x7\)$'
    expect_line '^poweroff: the test device faulted; an SBI shutdown cannot carry exit status 3$'
    expect_no_line 'nested panic'
    [ "$(grep -c '^panic: ' "$CONSOLE")" = 1 ] || fail "more than one panic"
}
run_test test-device-faults test_test_device_faults

# Trees whose RAM cannot be right stop the boot, naming what is wrong: RAM listed twice (it
# would be handed out twice), RAM that does not hold the kernel (the boot went on and died
# without a word), a UART inside RAM (its "registers" were memory the kernel hands out; the
# tree keeps OpenSBI's own UART, which stdout-path names, after it).
# expect_tree_refused NAME SED-EXPRESSION PANIC-REGEX
expect_tree_refused() {
    virt_edited "$1" "$2"
    boot --smp 1 --timeout 15 --args init=hello -- -dtb "$TEST_DIR/$T_NAME-$1.dtb"
    expect_line "^panic: $3\$"
    expect_no_line "^init: "
    [ "$STATUS" != 124 ] || fail "$1: the boot hung"
}

test_tree_ram_refused() {
    expect_tree_refused twice \
        's/reg = <0x00 0x80000000 0x00 0x8000000>;/reg = <0x00 0x80000000 0x00 0x8000000 0x00 0x84000000 0x00 0x4000000>;/' \
        'fdt: memory 0x84000000-0x88000000 \(memory@80000000\) overlaps 0x80000000-0x88000000 \(memory@80000000\)'
    expect_tree_refused no-kernel \
        's/reg = <0x00 0x80000000 0x00 0x8000000>;/reg = <0x00 0x80000000 0x00 0x280000>;/' \
        'memory: the kernel image \(0x80200000-0x[0-9a-f]+\) is not in the RAM the device tree describes'
    expect_tree_refused uart-in-ram \
        's/^\t\tserial@10000000 {/\t\tserial@87000000 {\n\t\t\treg = <0x00 0x87000000 0x00 0x100>;\n\t\t\tcompatible = "ns16550a";\n\t\t};\n&/' \
        "fdt: the UART's registers at 0x87000000 are in RAM \\(memory@80000000\\)"
}
run_test tree-ram-refused test_tree_ram_refused

# A memory node marked disabled is not RAM to use (the kernel cleared it, and faulted there).
test_tree_disabled_memory() {
    virt_edited extra 's/^\tmemory@80000000 {/\tmemory@90000000 {\n\t\tdevice_type = "memory";\n\t\treg = <0x00 0x90000000 0x00 0x1000000>;\n\t\tstatus = "disabled";\n\t};\n&/'
    grep -q 'memory@90000000' "$TEST_DIR/$T_NAME-extra.dts" || fail "the sed added no memory node"
    boot --smp 1 --timeout 15 --args init=hello -- -dtb "$TEST_DIR/$T_NAME-extra.dtb"
    expect_status 0
    expect_no_line '0x90000000'
    expect_line "^init: 'hello' exited with status 0$"
}
run_test tree-disabled-memory test_tree_disabled_memory

# A UART where nothing answers (here virtio-mmio's first slot, which reads 0, put before the
# real one): it never says it has room to send. The console waits a bounded time, goes back to
# SBI saying so, and the boot goes on without input (it hung without a word).
test_uart_never_ready() {
    virt_edited virtio \
        's/^\t\tserial@10000000 {/\t\tserial@10001000 {\n\t\t\treg = <0x00 0x10001000 0x00 0x100>;\n\t\t\tcompatible = "ns16550a";\n\t\t};\n&/'
    boot --smp 2 --timeout 30 --args init=hello -- -dtb "$TEST_DIR/$T_NAME-virtio.dtb"
    expect_status 0
    expect_line '^console: the UART never had room for a byte; back on the SBI console$'
    expect_line '^console: no input: the console is not on a UART \(hart [01]\)$'
    expect_line "^init: 'hello' exited with status 0$"
}
run_test uart-never-ready test_uart_never_ready

# 17 harts, the boot hart's node listed last: hartos keeps the first 16 and must say that this
# is why it cannot find the boot hart (it said the hart was not in the tree). Under -icount
# hart 0 is the first to reach OpenSBI's boot lottery, every time.
test_boot_hart_beyond_limit() {
    local t=$TEST_DIR/$T_NAME
    virt_dts "$T_NAME" 17
    python3 - "$t.dts" <<'EOF2'
import re, sys
path = sys.argv[1]
dts = open(path).read()
node = re.search(r"\t\tcpu@0 \{.*?\n\t\t\};\n", dts, re.S).group(0)
dts = dts.replace(node, "", 1)
last = re.search(r"\t\tcpu@16 \{.*?\n\t\t\};\n", dts, re.S).group(0)
open(path, "w").write(dts.replace(last, last + node, 1))
EOF2
    board_dtb "$t"
    boot --smp 17 --icount --timeout 60 --args init=hello -- -dtb "$t.dtb"
    expect_status 3
    expect_line '^hartos: booting on hart 0, '
    expect_line '^panic: boot hart 0 is not among the 16 harts hartos keeps \(FDT_MAX_HARTS in kernel/fdt.h\); the device tree lists 1 more, which it skips$'
}
run_test boot-hart-beyond-limit test_boot_hart_beyond_limit

# A device above 256 GiB, which the Sv39 identity map cannot reach: named at vm_init (the map
# wrapped it onto a lower address without a word). The test device is the one moved there, so
# the panic's power-off faults too, and SBI's, in the firmware, hangs: the status is the
# timeout's.
test_tree_beyond_sv39() {
    virt_edited test-dev 's/reg = <0x00 0x100000 0x00 0x1000>;/reg = <0x80 0x100000 0x00 0x1000>;/'
    boot --smp 1 --timeout 10 --args init=hello -- -dtb "$TEST_DIR/$T_NAME-test-dev.dtb"
    expect_line "^panic: vm: 0x8000100000-0x8000101000 \\(RAM or a device's registers\\) is beyond 256 GiB, which Sv39's identity map cannot reach$"
    expect_no_line "^init: "
}
run_test tree-beyond-sv39 test_tree_beyond_sv39

export MACHINE=sifive_u
run_test sifive_u-boot test_sifive_boot
run_test sifive_u-status test_sifive_status
run_test sifive_u-status-output-closed test_sifive_status_output_closed
run_test sifive_u-long-tmpdir test_sifive_long_tmpdir
run_test sifive_u-halt-spoof test_sifive_halt_spoof
run_test sifive_u-halt-spoof-at-halt test_sifive_halt_spoof_at_halt
run_test sifive_u-halt-spoof-once test_sifive_halt_spoof_once
run_test sifive_u-unknown-uart test_sifive_unknown_uart
run_test sifive_u-uart-props-ignored test_sifive_uart_props_ignored
run_test sifive_u-plic-no-context test_sifive_plic_no_context
run_test sifive_u-no-mmu test_sifive_no_mmu

# The in-kernel tests on four harts, timed ones included (-icount), and in real parallel.
BOOT_TIMEOUT=300 run_ktests sifive_u-ktest-smp4 ktest --smp 4 --icount
BOOT_TIMEOUT=300 run_ktests sifive_u-ktest-parallel-smp4 ktest --smp 4

# The usertests and the shell tests, as on virt.
T_PREFIX=sifive_u-
source tests/user.sh
source tests/shell.sh
T_PREFIX=
unset MACHINE
