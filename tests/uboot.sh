# tests/uboot.sh (ch12): the boot path of real boards. build/Image starts with the RISC-V Linux
# image header that U-Boot's booti checks; make LOAD_ADDR=... links the kernel for a board whose
# RAM starts elsewhere; OpenSBI, then U-Boot, boots hartos from an MBR + ext2 disk
# (tools/mkdisk), whose extlinux.conf carries the boot arguments; a kernel loaded away from its
# link address says so and stops; a bad image never runs.
# The shell is driven as in tests/shell.sh (shell_session), only after its prompt appears.

# image_header IMAGE IMAGE_SIZE: the 64-byte header of IMAGE is what
# Documentation/riscv/boot-image-header.rst describes, with IMAGE_SIZE bytes from _start to the
# end of .bss (the part U-Boot copies, and must not put anything else in).
image_header() {
    python3 - "$1" "$2" <<'EOF'
import struct, sys
path, image_size = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
fields = struct.unpack_from("<IIQQQIIQ8sII", data)
names = "code0 code1 text_offset image_size flags version res1 res2 magic magic2 res3".split()
got = dict(zip(names, fields))
show = lambda v: f"{v:#x}" if isinstance(v, int) else repr(v)
print(path + ": " + ", ".join(f"{k} {show(v)}" for k, v in got.items()))
want = {
    "code0": 0x0400006f,          # jal x0, +64: a 4-byte jump over the header
    "code1": 0,
    "text_offset": 0x200000,      # U-Boot copies the image to the RAM base plus this
    "image_size": image_size,
    "flags": 0,                   # little endian
    "version": 0x2,               # 0.2
    "res1": 0, "res2": 0,
    "magic": b"RISCV\0\0\0",
    "magic2": 0x05435352,         # "RSC\x05", at 0x38: booti's "Bad Linux RISCV Image magic!"
    "res3": 0,
}
bad = [f"{k} is {show(got[k])}, not {show(v)}" for k, v in want.items() if got[k] != v]
if image_size < len(data):
    bad.append(f"image_size {image_size} is less than the file's {len(data)} bytes")
if bad:
    print("FAIL: " + path + ": " + "; ".join(bad))
    sys.exit(1)
EOF
}

# nm_addr ELF SYMBOL: the symbol's address, as nm prints it (16 hex digits).
nm_addr() {
    "$(tools/setup prefix)nm" "$1" | awk -v s="$2" '$3 == s { print $1 }'
}

# build/Image is build/kernel.bin (objcopy -O binary), with the header; its image_size covers
# the kernel up to __kernel_end (.bss included), so booti leaves that room free.
test_uboot_image_header() {
    cmp build/Image build/kernel.bin || fail "build/Image differs from build/kernel.bin"
    local start end
    start=$(nm_addr build/kernel.elf _start)
    end=$(nm_addr build/kernel.elf __kernel_end)
    image_header build/Image $((0x$end - 0x$start))
}
run_test uboot-image-header test_uboot_image_header

# make LOAD_ADDR=0x40200000 (the VisionFive 2: RAM from 0x40000000, so booti puts the image at
# 0x40200000) links every address there, in its own folder; the default build stays put.
LOAD_DIR=build/load-0x40200000
load_addr_build() {
    make --no-print-directory -s -j"$(nproc)" LOAD_ADDR=0x40200000 \
        "$LOAD_DIR/kernel.elf" "$LOAD_DIR/Image" >/dev/null
}
test_uboot_load_addr() {
    local dir=$LOAD_DIR start end
    load_addr_build
    start=$(nm_addr "$dir/kernel.elf" _start)
    echo "LOAD_ADDR=0x40200000: _start at $start"
    [ "$start" = 0000000040200000 ] || fail "_start is at $start, not 0x40200000"
    [ "$(nm_addr build/kernel.elf _start)" = 0000000080200000 ] ||
        fail "the default build's _start moved from 0x80200000"
    end=$(nm_addr "$dir/kernel.elf" __kernel_end)
    image_header "$dir/Image" $((0x$end - 0x$start))
}
run_test uboot-load-addr test_uboot_load_addr

# OpenSBI starts U-Boot, U-Boot's autoboot finds the disk's extlinux.conf, moves the image to
# 0x80200000 and starts it with its own device tree, whose /chosen/bootargs holds the `append`
# line (hz=50, which the kernel obeys); the shell comes up, runs a program and powers off.
test_uboot_boot() {
    local disk=$TEST_DIR/$T_NAME.disk.img ours theirs
    ARGS=hz=50 tools/mkdisk build/Image "$disk"
    BOOT=uboot DISK=$disk shell_session <<EOF2
expect ^U-Boot 20[0-9][0-9]\.
expect ^Hit any key to stop autoboot
expect ^append: hz=50$
expect ^Moving Image from 0x84000000 to 0x80200000
expect ^Starting kernel
expect ^hartos: booting on hart [0-9]+, device tree at
expect $PROMPT
send hello\r
expect ^hello: argc 1$
expect $PROMPT
send poweroff\r
status 0
EOF2
    expect_line '^bootargs: "hz=50"$'
    expect_line '^timer: 50 Hz from'
    ours=$(sed -n 's/^hartos: booting on hart [0-9]*, device tree at \(0x[0-9a-f]*\)$/\1/p' "$CONSOLE")
    theirs=$(sed -n 's/^ *Booting using the fdt blob at \(0x[0-9a-f]*\)$/\1/p' "$CONSOLE")
    [ -n "$ours" ] && [ "$((ours))" = "$((theirs))" ] ||
        fail "hartos's device tree is at '$ours', U-Boot passed '$theirs'"
}
run_test uboot-boot test_uboot_boot

# That kernel on QEMU virt, whose RAM starts at 0x80000000: booti moves it to 0x80200000, not
# where it was linked, and boot/entry.S says so (through SBI, before any C) and shuts down.
test_uboot_wrong_load_addr() {
    local disk=$TEST_DIR/$T_NAME.disk.img
    load_addr_build
    tools/mkdisk "$LOAD_DIR/Image" "$disk"
    BOOT=uboot DISK=$disk shell_session --smp 1 <<EOF2
expect ^Moving Image from 0x84000000 to 0x80200000
expect ^hartos: loaded at the wrong address: this kernel is linked elsewhere
status 0
EOF2
    expect_no_line '^hartos: booting'
}
run_test uboot-wrong-load-addr test_uboot_wrong_load_addr

# An image whose magic2 is wrong: U-Boot refuses it, hartos never starts, and U-Boot's own
# prompt (after every other boot source failed) powers QEMU off.
test_uboot_bad_magic() {
    local dir=$TEST_DIR/$T_NAME
    mkdir -p "$dir"
    cp build/Image "$dir/Image"
    printf 'RSC\006' | dd of="$dir/Image" bs=1 seek=$((0x38)) conv=notrunc status=none
    tools/mkdisk "$dir/Image" "$dir/disk.img"
    BOOT=uboot DISK=$dir/disk.img shell_session <<EOF2
expect ^Retrieving file: /Image
expect ^Bad Linux RISCV Image magic!$
expect ^=> 
send poweroff\r
status 0
EOF2
    expect_no_line '^(Starting kernel|hartos: )'
}
run_test uboot-bad-magic test_uboot_bad_magic

# What the tools refuse, each in one line: a disk without an image, ARGS that QEMU would carry
# past U-Boot (the disk holds them on this path).
test_uboot_refusals() {
    local out status=0
    out=$(tools/mkdisk "$TEST_DIR/no-such-Image" "$TEST_DIR/$T_NAME.img" 2>&1) || status=$?
    echo "$out"
    [ "$status" = 2 ] && grep -q "no kernel image at $TEST_DIR/no-such-Image" <<<"$out" ||
        fail "tools/mkdisk without an image: status $status, '$out'"
    status=0
    out=$(BOOT=uboot ARGS=hz=50 tools/qemu --timeout 5 2>&1) || status=$?
    echo "$out"
    [ "$status" = 2 ] && grep -q "boot arguments go on the disk" <<<"$out" ||
        fail "BOOT=uboot with ARGS: status $status, '$out'"
    status=0
    out=$(BOOT=uboot MACHINE=sifive_u DISK=build/Image tools/qemu --timeout 5 2>&1) || status=$?
    echo "$out"
    [ "$status" = 2 ] && grep -q "BOOT=uboot boots QEMU virt .*not MACHINE=sifive_u" <<<"$out" ||
        fail "BOOT=uboot on sifive_u: status $status, '$out'"

    # ARGS that U-Boot's extlinux would refuse (over 255 bytes) or change (a quote, a backslash,
    # a ${name} it expands, a line break) are refused, naming why; 255 bytes are taken.
    local long
    long="init=echo $(printf '%0245d' 0)"
    ARGS="$long" tools/mkdisk build/Image "$TEST_DIR/$T_NAME.img" ||
        fail "tools/mkdisk refused ARGS of 255 bytes"
    mkdisk_refuses "${long}0" 'ARGS is 256 bytes; U-Boot passes at most 255'
    mkdisk_refuses "init=echo it's" "ARGS holds ' or "
    mkdisk_refuses 'init=echo a\b' "ARGS holds ' or "
    mkdisk_refuses 'init=echo ${fdtcontroladdr}' "ARGS holds ' or "
    mkdisk_refuses $'init=echo a\nb' 'ARGS holds a line break'
}

# mkdisk_refuses ARGS MESSAGE: tools/mkdisk exits 2 saying MESSAGE and writes no disk.
mkdisk_refuses() {
    local out status=0 disk=$TEST_DIR/$T_NAME-refused.img
    rm -f "$disk"
    out=$(ARGS="$1" tools/mkdisk build/Image "$disk" 2>&1) || status=$?
    echo "$out"
    [ "$status" = 2 ] && grep -qF "$2" <<<"$out" ||
        fail "tools/mkdisk with ARGS='$1': status $status, '$out'"
    [ ! -e "$disk" ] || fail "tools/mkdisk wrote $disk although it refused ARGS='$1'"
}
run_test uboot-refusals test_uboot_refusals
