# tests/console.sh (ch2): the kernel reads the machine from the device tree and says what it
# found; a panic names its cause and shows a symbolised backtrace; bad input is named.

# The memory map and hart list follow QEMU's -m and -smp.
test_machine() {
    local smp=$1 mem=$2 end=$3 size=$4 harts
    boot --smp "$smp" --mem "$mem"
    expect_status 0
    harts=$(seq -s ' ' 0 $((smp - 1)))
    expect_line "^harts: $harts \\($smp found\\), timebase 10000000 Hz\$"
    expect_line "^memory: 0x80000000-$end \\($size\\)\$"
    expect_line '^  reserved 0x80000000-0x80080000 \(512 KiB, mmode_resv0@80000000\)$'
    expect_line '^  kernel   0x80200000-0x[0-9a-f]+ \([0-9]+ KiB, hartos image\)$'
    expect_line '^  dtb      0x[0-9a-f]+-0x[0-9a-f]+ \([0-9]+ KiB, device tree\)$'
    expect_line '^uart: ns16550a at 0x10000000$'
    expect_line '^poweroff: sifive,test at 0x100000$'
}
run_test machine-smp1-64M test_machine 1 64M 0x84000000 '64 MiB'
run_test machine-smp8-1G test_machine 8 1G 0xc0000000 '1024 MiB'
run_test machine-smp4-128M test_machine 4 128M 0x88000000 '128 MiB'

# `ARGS=panic`: the message, the hart, and the frames from the panicking function out to _start,
# symbolised in order, then exit status 3.
test_panic_backtrace() {
    boot --smp 2 --args panic
    expect_status 3
    expect_line '^panic: on purpose \(boot argument .panic.\)$'
    expect_line '^  on hart [01]$'
    local frames
    frames=$(sed -n 's/^    #[0-9]* 0x[0-9a-f]* \([a-z_]*\).*/\1/p' "$CONSOLE" | tr '\n' ' ')
    echo "frames: $frames"
    [ "$frames" = "panic_demo_inner panic_demo_middle panic_demo kmain _start " ] ||
        fail "backtrace frames are '$frames'"
    expect_line '^    #0 0x[0-9a-f]+ panic_demo_inner(\.[a-z0-9.]+)?\+0x[0-9a-f]+$'
}
run_test panic-backtrace test_panic_backtrace

# A device tree that is not where a1 says: named, and the kernel stops. The finisher is only
# known from the tree, so the status cannot reach QEMU; the kernel says so.
test_bad_dtb() {
    local kernel
    kernel=$(build_variant bad-dtb -DTEST_BAD_DTB)
    boot --kernel "$kernel"
    expect_line '^panic: fdt: bad magic 0x[0-9a-f]+$'
    expect_line '^poweroff: no test device known; an SBI shutdown cannot carry exit status 3$'
    expect_no_line '^harts:'
}
run_test panic-bad-dtb test_bad_dtb

test_unknown_bootarg() {
    boot --args 'hello=world  quiet demo'
    expect_status 0
    expect_line "^bootargs: unknown argument 'hello=world' ignored\$"
    expect_line "^bootargs: unknown argument 'quiet' ignored\$"
    expect_no_line "unknown argument 'demo'"
    expect_line '^bootargs: "hello=world  quiet demo"$'
}
run_test bootargs-unknown test_unknown_bootarg
