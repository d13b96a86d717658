# tests/tools.sh (ch1): the tools around the kernel fail loudly and clearly: a missing or old
# tool, a QEMU that cannot start, a kernel that hangs. And tools/chapters finds the chapters.

# A fake tool directory: scripts named like the real tools, first on PATH.
fake_tool() {
    mkdir -p "$TEST_DIR/$T_NAME.bin"
    printf '#!/bin/sh\n%s\n' "$2" >"$TEST_DIR/$T_NAME.bin/$1"
    chmod +x "$TEST_DIR/$T_NAME.bin/$1"
}

test_unknown_cross_compile() {
    local out status=0
    out=$(make --no-print-directory CROSS_COMPILE=nonexistent- BUILD="$TEST_DIR/b" 2>&1) || status=$?
    echo "$out"
    [ "$status" != 0 ] || fail "make succeeded with CROSS_COMPILE=nonexistent-"
    grep -q 'CROSS_COMPILE=nonexistent- but nonexistent-gcc is not on PATH' <<<"$out" ||
        fail "no clear message for an unknown CROSS_COMPILE"
}
run_test tools-unknown-cross-compile test_unknown_cross_compile

# setup_check_rejects MESSAGE [VAR=VALUE...]: with the fake tools first on PATH,
# `tools/setup check` fails and says MESSAGE.
setup_check_rejects() {
    local msg=$1 out status=0
    shift
    out=$(env PATH="$TEST_DIR/$T_NAME.bin:$PATH" "$@" tools/setup check 2>&1) || status=$?
    echo "$out"
    [ "$status" != 0 ] || fail "tools/setup check passed; expected: $msg"
    grep -qF "$msg" <<<"$out" || fail "tools/setup check did not say: $msg"
}

test_old_qemu() {
    fake_tool qemu-system-riscv64 'echo "QEMU emulator version 6.2.0"'
    setup_check_rejects "qemu-system-riscv64 is version '6.2.0'; hartos needs QEMU >= 7.0"
}
run_test tools-old-qemu test_old_qemu

test_old_gcc() {
    fake_tool riscv64-unknown-elf-gcc 'echo 10.2.1'
    setup_check_rejects 'riscv64-unknown-elf-gcc is version 10.2.1; hartos needs GCC >= 11' \
        CROSS_COMPILE=riscv64-unknown-elf-
}
run_test tools-old-gcc test_old_gcc

# QEMU refusing to start (here: an impossible memory size) is explained in one line.
test_qemu_fails_to_start() {
    boot --mem 7zebras
    [ "$STATUS" != 0 ] || fail "QEMU with -m 7zebras exited 0"
    expect_line '^tools/qemu: QEMU failed \(exit [0-9]+\): qemu-system-riscv64: '
}
run_test tools-qemu-fails-to-start test_qemu_fails_to_start

# A machine that never powers off (here: QEMU halted with -S, no debugger) is stopped by the
# timeout with an explanation and status 124, never a silent hang.
test_hang_times_out() {
    boot --timeout 3 -- -S
    expect_status 124
    expect_line '^tools/qemu: the kernel did not power off within 3 s \(hung\?\); QEMU was stopped$'
}
run_test tools-hang-times-out test_hang_times_out

# tools/chapters on a small made-up history: chapters come from the first Chapter-Complete
# trailer of each number, in order, and become tags.
test_chapters() {
    local repo="$TEST_DIR/$T_NAME.repo" here=$PWD out
    rm -rf "$repo" && git init -q "$repo"
    (
        cd "$repo"
        git config user.email t@example.invalid && git config user.name t
        git commit -q --allow-empty -m 'ch1: start'
        git commit -q --allow-empty -m 'ch1: finish' -m 'Chapter-Complete: 1'
        git commit -q --allow-empty -m 'ch1: a later fix' -m 'Chapter-Complete: 1'
        git commit -q --allow-empty -m 'ch2: console' -m 'Chapter-Complete: 2'
        git commit -q --allow-empty -m 'ch3: traps begin'
    )
    out=$(cd "$repo" && "$here/tools/chapters" list)
    echo "$out"
    [ "$(wc -l <<<"$out")" = 2 ] || fail "expected 2 chapters, got: $out"
    grep -Eq '^ch1 +[0-9a-f]{7,} +ch1: finish$' <<<"$out" || fail "ch1 is not the first trailer"
    grep -Eq '^ch2 +[0-9a-f]{7,} +ch2: console$' <<<"$out" || fail "ch2 missing"
    (cd "$repo" && "$here/tools/chapters" tag)
    [ "$(git -C "$repo" log -1 --format=%s ch1)" = 'ch1: finish' ] || fail "tag ch1 misplaced"
    [ "$(git -C "$repo" log -1 --format=%s ch2)" = 'ch2: console' ] || fail "tag ch2 misplaced"
    ! (cd "$repo" && "$here/tools/chapters" diff 3 2>/dev/null) || fail "diff of a missing chapter succeeded"
}
run_test tools-chapters test_chapters

# On a system without apt-get or any of our tools, `tools/setup install` names the packages.
# PATH holds only the basic commands the script itself uses.
test_setup_names_packages() {
    local bin="$TEST_DIR/$T_NAME.bin" out status=0 c
    rm -rf "$bin" && mkdir -p "$bin"
    for c in bash env sort head tr sed id cat printf; do
        ln -s "$(command -v "$c")" "$bin/$c"
    done
    out=$(PATH="$bin" CROSS_COMPILE= "$bin/bash" tools/setup install 2>&1) || status=$?
    echo "$out"
    [ "$status" != 0 ] || fail "tools/setup install succeeded with nothing installed"
    grep -q 'not a Debian/Ubuntu system' <<<"$out" || fail "does not say why it cannot install"
    for c in gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-misc gdb-multiarch; do
        grep -q "$c" <<<"$out" || fail "does not name $c"
    done
}
run_test tools-setup-names-packages test_setup_names_packages
