# tests/boot.sh (ch1): the kernel image is laid out as OpenSBI expects, boots on every hart
# count, prints its banner, and powers off with the status it chose.

CROSS=$(tools/setup prefix)

# OpenSBI jumps to 0x80200000: the entry must be the first byte of the first loadable segment.
test_image_layout() {
    local entry load
    entry=$("${CROSS}readelf" -h build/kernel.elf | awk '/Entry point/ {print $4}')
    load=$("${CROSS}readelf" -lW build/kernel.elf | awk '$1 == "LOAD" {print $3; exit}')
    echo "entry $entry, first PT_LOAD at $load"
    [ "$entry" = 0x80200000 ] || fail "entry point is $entry, not 0x80200000"
    [ "$((load))" = "$((0x80200000))" ] || fail "first PT_LOAD is at $load, not 0x80200000"
    [ "$("${CROSS}nm" build/kernel.elf | awk '$3 == "_start" {print $1}')" = 0000000080200000 ] ||
        fail "_start is not at 0x80200000"
}
run_test image-layout test_image_layout

# The banner names the boot hart; it must be the hart OpenSBI says it booted on.
test_banner() {
    boot --smp "$1"
    expect_status 0
    expect_line '^hartos: booting on hart [0-9]+, device tree at 0x[0-9a-f]+$'
    expect_line '^sbi: spec v[0-9]+\.[0-9]+, OpenSBI v[0-9]+\.[0-9]+, system reset available$'
    expect_line '^hartos: chapter [0-9]+ done, powering off$'
    local ours theirs
    ours=$(sed -n 's/^hartos: booting on hart \([0-9]*\),.*/\1/p' "$CONSOLE")
    theirs=$(sed -n 's/^Boot HART ID *: *\([0-9]*\)$/\1/p' "$CONSOLE")
    [ "$ours" = "$theirs" ] || fail "kernel says boot hart $ours, OpenSBI says $theirs"
    [ "$ours" -lt "$1" ] || fail "boot hart $ours does not exist with -smp $1"
}
run_test boot-banner-smp1 test_banner 1
run_test boot-banner-smp4 test_banner 4
run_test boot-banner-smp8 test_banner 8

# QEMU's exit code is the kernel's power-off status (through the sifive,test finisher).
test_exit_status() {
    local kernel
    kernel=$(build_variant exit"$1" "-DBOOT_EXIT_STATUS=$1")
    boot --kernel "$kernel"
    expect_status "$1"
}
run_test exit-status-7 test_exit_status 7
run_test exit-status-255 test_exit_status 255
