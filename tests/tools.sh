# tests/tools.sh (ch1): the tools around the kernel fail loudly and clearly: a missing or old
# tool, a QEMU that cannot start, a kernel that hangs. And tools/chapters finds the chapters,
# editors get the build's compile commands, make fuzz says how each fuzzer went.

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

# A signal that ends tools/qemu (a harness's timeout, a closed terminal) ends its QEMU too, and
# on sifive_u tools/halt-watch: none of them is left running. The boot waits at the shell's
# prompt. A token in the boot arguments finds this test's QEMU among any others, and a TMPDIR of
# its own its halt-watch (whose arguments name the monitor's socket there).
test_signal_ends_qemu() {
    local machine sig token tmp pid status console
    for machine in virt sifive_u; do
        for sig in TERM INT HUP; do
            token=signal-test-$$-$RANDOM
            tmp=$(mktemp -d "$TEST_DIR/$token.XXXX")
            tmp=$(cd "$tmp" && pwd)
            console=$TEST_DIR/$T_NAME-$machine-$sig.console
            # (a background job ignores SIGINT unless told otherwise: env puts it back, as a
            # terminal's Ctrl-C would find it)
            TMPDIR=$tmp MACHINE=$machine ARGS="init=sh $token" env --default-signal=INT \
                tools/qemu --timeout 60 </dev/null >"$console" 2>&1 &
            pid=$!
            for _ in $(seq 300); do
                grep -q 'sh[$] ' "$console" 2>/dev/null && break
                sleep 0.1
            done
            grep -q 'sh[$] ' "$console" || fail "$machine: the shell's prompt did not come within 30 s"
            [ "$machine" = virt ] || pgrep -f "halt-watch $tmp" >/dev/null ||
                fail "$machine: no halt-watch found to check"
            kill -"$sig" "$pid"
            status=0
            wait "$pid" || status=$?
            sleep 0.5
            if pgrep -f "$token|$tmp" >/dev/null; then
                pgrep -af "$token|$tmp"
                pkill -f "$token|$tmp"
                fail "$machine: QEMU or halt-watch outlived tools/qemu after SIG$sig"
            fi
            [ "$status" -gt 128 ] || fail "$machine: tools/qemu exited $status after SIG$sig"
            echo "$machine, SIG$sig: tools/qemu exited $status, nothing left running"
        done
    done
}
run_test tools-signal-ends-qemu test_signal_ends_qemu

# tools/chapters on a small made-up history: a chapter is complete at the first Chapter-Complete
# trailer of its number and holds every commit until the next chapter's first one; its tag is
# its last commit; commits after the last chapter are listed as fixes.
test_chapters() {
    local repo="$TEST_DIR/$T_NAME.repo" here=$PWD out
    rm -rf "$repo" && git init -q "$repo"
    (
        cd "$repo"
        git config user.email t@example.invalid && git config user.name t
        mkdir -p kernel docs
        echo 'int a;' >kernel/a.c && echo '# ch1' >docs/ch1-boot.md && git add -A
        git commit -q -m 'ch1: start'
        git commit -q --allow-empty -m 'ch1: finish' -m 'Chapter-Complete: 1'
        git commit -q --allow-empty -m 'ch1: a later fix' -m 'Chapter-Complete: 1'
        git commit -q --allow-empty -m 'course: a tool for every chapter'
        echo 'int b;' >kernel/b.c && echo '# ch2' >docs/ch2-console.md && git add -A
        git commit -q -m 'ch2: console' -m 'Chapter-Complete: 2'
        git commit -q --allow-empty -m 'ch1: a fix made during chapter 3'
        git commit -q --allow-empty -m 'ch3: traps begin'
    )
    out=$(cd "$repo" && "$here/tools/chapters" list)
    echo "$out"
    [ "$(grep -c '^ch' <<<"$out")" = 2 ] || fail "expected 2 chapters, got: $out"
    grep -Eq '^ch1 +[0-9a-f]{7,} +course: a tool for every chapter +\(complete at [0-9a-f]{7,}; 2 later\)$' <<<"$out" ||
        fail "ch1 does not end at the last commit before chapter 2"
    grep -Eq '^ch2 +[0-9a-f]{7,} +ch1: a fix made during chapter 3 ' <<<"$out" || fail "ch2 does not end before ch3"
    grep -Eq '^ +[0-9a-f]{7,} +ch3: traps begin$' <<<"$(sed -n '/^after the last chapter/,$p' <<<"$out")" ||
        fail "the commits after the last chapter are not listed"
    (cd "$repo" && "$here/tools/chapters" tag)
    [ "$(git -C "$repo" log -1 --format=%s ch1)" = 'course: a tool for every chapter' ] || fail "tag ch1 misplaced"
    [ "$(git -C "$repo" rev-parse ch2)" = "$(cd "$repo" && "$here/tools/chapters" commit 2)" ] ||
        fail "tag ch2 is not 'tools/chapters commit 2'"
    out=$(cd "$repo" && "$here/tools/chapters" diff 2 --code --stat)
    echo "$out"
    grep -q 'kernel/b.c' <<<"$out" || fail "diff 2 --code lacks kernel/b.c"
    ! grep -q 'docs/\|kernel/a.c\|^+int' <<<"$out" || fail "diff 2 --code --stat shows docs, chapter 1 or lines"
    [ "$(cd "$repo" && "$here/tools/chapters" guide 2)" = "$(cd "$repo" && pwd -P)/docs/ch2-console.md" ] || fail "guide 2 not found"
    ! (cd "$repo" && "$here/tools/chapters" diff 3 2>/dev/null) || fail "diff of a missing chapter succeeded"
    ! (cd "$repo" && "$here/tools/chapters" guide 3 2>/dev/null) || fail "guide of a missing chapter succeeded"
}
run_test tools-chapters test_chapters

# A chapter's trailer on a commit whose subject does not name it still ends the chapter before
# at the commit before it; a chapter completed on a branch and merged is complete at the merge.
test_chapters_merge() {
    local repo="$TEST_DIR/$T_NAME.repo" here=$PWD out
    rm -rf "$repo" && git init -q "$repo"
    (
        cd "$repo"
        git config user.email t@example.invalid && git config user.name t
        git commit -q --allow-empty -m 'ch1: boot' -m 'Chapter-Complete: 1'
        git commit -q --allow-empty -m 'course: console, all at once' -m 'Chapter-Complete: 2'
        git checkout -q -b traps
        git commit -q --allow-empty -m 'ch3: traps'
        git commit -q --allow-empty -m 'ch3: timer' -m 'Chapter-Complete: 3'
        git checkout -q -
        git commit -q --allow-empty -m 'ch2: a fix while chapter 3 was on its branch'
        git merge -q --no-ff -m 'Merge branch traps' traps
        git commit -q --allow-empty -m 'course: after the merge'
        git commit -q --allow-empty -m 'ch4: heap'
    )
    out=$(cd "$repo" && "$here/tools/chapters" list)
    echo "$out"
    subject() { git -C "$repo" log -1 --format=%s "$(cd "$repo" && "$here/tools/chapters" commit "$1")"; }
    [ "$(subject 1)" = 'ch1: boot' ] || fail "ch1 holds chapter 2's trailer commit: $(subject 1)"
    [ "$(subject 2)" = 'ch2: a fix while chapter 3 was on its branch' ] ||
        fail "ch2 does not end before the merge of chapter 3: $(subject 2)"
    [ "$(subject 3)" = 'course: after the merge' ] || fail "ch3 does not end before ch4: $(subject 3)"
}
run_test tools-chapters-merge test_chapters_merge

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

# tools/bench-plot (ch10) on a fixed bench.txt: well-formed SVG, one panel per curve with
# exactly its points at their values, the same bytes twice; a missing curve fails loudly
# unless --partial says only some benchmarks ran.
bench_plot_fixture() {
    cat <<'END'
bench: KHEAP=heap/list.c
bench kmalloc_pair_mean 360.947 instr
bench spawn_join_live_0 2949.131 instr
bench spawn_join_live_10 2949.5 instr
bench spawn_join_live_100 2950 instr
bench spawn_join_live_1000 2953.25 instr
bench spawn_join 2949.131 instr
bench tick 182 instr
bench yield_2 230.003 instr/switch
bench yield_8 230.003 instr/switch
bench yield_64 230.1 instr/switch
bench yield_256 231 instr/switch
bench yield_1024 232 instr/switch
bench syscall 125.001 instr
bench syscall_64 126.5 instr
bench yield_2_smp4 230.5 instr/switch
bench yield_8_smp4 230.5 instr/switch
bench yield_64_smp4 231 instr/switch
bench yield_256_smp4 232 instr/switch
bench yield_1024_smp4 240 instr/switch
bench spawn_join_smp4 8707.643 instr
bench kmalloc_pair_smp1 380 instr
bench kmalloc_pair_smp2 380.022 instr
bench kmalloc_pair_smp4 475.497 instr
bench kmalloc_pair_smp8 788.346 instr
bench heap_frag 1.328 ratio
END
}

test_bench_plot() {
    local dir="$TEST_DIR/$T_NAME.d" out status=0
    rm -rf "$dir" && mkdir -p "$dir"
    bench_plot_fixture >"$dir/bench.txt"
    out=$(tools/bench-plot "$dir/bench.txt" "$dir/a.svg") || fail "bench-plot failed: $out"
    echo "$out"
    grep -q '^curve kmalloc_pair (per pair): 1 380.0, 2 380.0, 4 475.5, 8 788.3 ' <<<"$out" ||
        fail "no kmalloc_pair curve line"
    tools/bench-plot "$dir/bench.txt" "$dir/b.svg" >/dev/null
    cmp "$dir/a.svg" "$dir/b.svg" || fail "the same bench.txt drew different bytes"
    python3 - "$dir/a.svg" <<'END' || fail "the SVG is not what bench.txt says (above)"
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()        # raises if the SVG is not well-formed XML
want = {
    "yield": {"yield_2": (2, 230.003), "yield_8": (8, 230.003), "yield_64": (64, 230.1),
              "yield_256": (256, 231), "yield_1024": (1024, 232),
              "yield_2_smp4": (2, 230.5), "yield_8_smp4": (8, 230.5),
              "yield_64_smp4": (64, 231), "yield_256_smp4": (256, 232),
              "yield_1024_smp4": (1024, 240)},
    "spawn_join": {"spawn_join_live_0": (0, 2949.131), "spawn_join_live_10": (10, 2949.5),
                   "spawn_join_live_100": (100, 2950), "spawn_join_live_1000": (1000, 2953.25)},
    "kmalloc_pair": {"kmalloc_pair_smp1": (1, 380), "kmalloc_pair_smp2": (2, 380.022),
                     "kmalloc_pair_smp4": (4, 475.497), "kmalloc_pair_smp8": (8, 788.346)},
    "syscall": {"syscall": (1, 125.001), "syscall_64": (64, 126.5)},
}
panels = {g.get("id"): g for g in root.iter("{http://www.w3.org/2000/svg}g")
          if g.get("class") == "panel"}
bad = []
if sorted(panels) != sorted("panel-" + p for p in want):
    bad.append(f"panels {sorted(panels)}")
for p, points in want.items():
    g = panels.get("panel-" + p)
    if g is None:
        continue
    got = {c.get("data-name"): (int(c.get("data-x")), float(c.get("data-y")))
           for c in g.iterfind(".//s:circle[@class='point']", ns)}
    if got != {k: (x, float(y)) for k, (x, y) in points.items()}:
        bad.append(f"{p}: points {got}")
    # Drawn where they belong: a larger x further right, a larger figure never lower (close
    # figures may share a pixel row).
    at = [(int(c.get("data-x")), float(c.get("data-y")), float(c.get("cx")), float(c.get("cy")))
          for c in g.iterfind(".//s:circle[@class='point']", ns)]
    for x1, y1, cx1, cy1 in at:
        for x2, y2, cx2, cy2 in at:
            if (x1 < x2 and not cx1 < cx2) or (y1 < y2 and cy1 < cy2):
                bad.append(f"{p}: ({x1}, {y1}) drawn at ({cx1}, {cy1}), "
                           f"({x2}, {y2}) at ({cx2}, {cy2})")
    if g.find("s:line[@class='target']", ns) is None:
        bad.append(f"{p}: no target line")
    if len(g.findall("s:text[@class='label']", ns)) != 2:
        bad.append(f"{p}: not two axis labels")
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
END
    grep -v '^bench kmalloc_pair_smp' "$dir/bench.txt" >"$dir/partial.txt"
    out=$(tools/bench-plot "$dir/partial.txt" "$dir/c.svg" 2>&1) || status=$?
    echo "$out"
    [ "$status" != 0 ] || fail "a bench.txt without kmalloc_pair_smp* drew a plot and passed"
    grep -q 'no figures for kmalloc_pair' <<<"$out" || fail "the missing curve is not named"
    tools/bench-plot --partial "$dir/partial.txt" "$dir/c.svg" >/dev/null ||
        fail "--partial failed on a missing curve"
}
run_test tools-bench-plot test_bench_plot

# build/compile_commands.json (editors: clangd): `make` writes it; every command that compiles a
# source in the build (kernel, user programs, tests/host) is in it, exactly as make runs it, and
# the kernel's comes first for a file the host tests compile too (clangd takes the first). It
# is not rewritten when nothing changed, and follows a change of flags.
check_compile_commands() {
    python3 - "$@" <<'END'
import json, os, shlex, sys
db_path, kernel_n, host_n = sys.argv[1:4]
db = json.load(open(db_path))              # raises if the JSON does not parse
root, host = os.getcwd(), os.path.join(os.getcwd(), "tests/host")
first, every = {}, {}
for e in db:
    first.setdefault(e["file"], e)
    every.setdefault(e["file"], []).append((e["directory"], e["arguments"]))
bad = []
# The kernel's and the user programs' compile commands, as `make -n -B` prints them.
made = [shlex.split(l) for l in open(kernel_n) if " -c -o " in l]
for want in made:
    e = first.get(os.path.join(root, want[-1]))
    if e is None:
        bad.append(f"{want[-1]}: not in {db_path}")
    elif (e["directory"], e["arguments"]) != (root, want):
        bad.append(f"{want[-1]}: make runs `{shlex.join(want)}`, {db_path} has "
                   f"`{shlex.join(e['arguments'])}` in {e['directory']}")
sources = {a[-1] for a in made}
for s in ("boot/entry.S", "kernel/main.c", "task/switch.S", "heap/list.c", "user/hello.c",
          "user/lib/crt0.S", "tests/user/test_brk.c", "/ksyms.S"):
    if not any(x.endswith(s) for x in sources):
        bad.append(f"make -n -B does not compile {s}: the comparison above saw too little")
# tests/host: one command compiles and links a program; each of its sources must be there with
# that compiler and those flags.
programs = [shlex.split(l) for l in open(host_n) if l.startswith(("gcc ", "clang "))]
for args in programs:
    n = next(i for i, a in enumerate(args) if a.endswith(".c"))
    for s in (a for a in args if a.endswith(".c")):
        f = os.path.normpath(os.path.join(host, s))
        if (host, args[:n] + ["-c", s]) not in every.get(f, []):
            bad.append(f"tests/host/{s}: no entry `{shlex.join(args[:n] + ['-c', s])}`")
if len(programs) < 10:
    bad.append(f"make -n -B -C tests/host compiled {len(programs)} programs")
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
END
}

test_compile_commands() {
    local db=build/compile_commands.json dir="$TEST_DIR/$T_NAME.d" before
    rm -rf "$dir" && mkdir -p "$dir"
    make --no-print-directory
    [ -f "$db" ] || fail "make did not write $db"
    make --no-print-directory -n -B all >"$dir/kernel.n"
    make --no-print-directory -n -B -C tests/host all \
        "../../build/host/heap_frag_$(basename "$(make --no-print-directory -s kheap-name)" .c)" \
        >"$dir/host.n"
    check_compile_commands "$db" "$dir/kernel.n" "$dir/host.n" || fail "see above"
    before=$(stat -c %.9Y "$db")
    sleep 0.01
    make --no-print-directory
    [ "$(stat -c %.9Y "$db")" = "$before" ] || fail "make rewrote $db when nothing changed"
    # Other flags, in another build folder: only the database is written, not the kernel.
    make --no-print-directory BUILD="$dir/b" EXTRA_CFLAGS=-DHARTOS_EDITOR_TEST \
        "$dir/b/compile_commands.json"
    make --no-print-directory -n -B BUILD="$dir/b" EXTRA_CFLAGS=-DHARTOS_EDITOR_TEST all \
        >"$dir/kernel-b.n"
    grep -q HARTOS_EDITOR_TEST "$dir/kernel-b.n" || fail "make -n ignored EXTRA_CFLAGS"
    check_compile_commands "$dir/b/compile_commands.json" "$dir/kernel-b.n" "$dir/host.n" ||
        fail "a change of flags is not in the database (see above)"
    if command -v clangd >/dev/null; then
        clangd --check=kernel/main.c 2>&1 | tee "$dir/clangd.log" | tail -n 3
        grep -q 'All checks completed, 0 errors' "$dir/clangd.log" ||
            fail "clangd --check=kernel/main.c found errors: $(grep '^E\[' "$dir/clangd.log" | head -n 3)"
    fi
}
run_test tools-compile-commands test_compile_commands

# make fuzz (ch2): a line per fuzzer saying how it went, a summary, and the exit status. A
# fuzzer that fails (here: under an RSS limit of 1 MB, which any run exceeds) names the input
# libFuzzer saved, and one that does not even build names its log.
test_fuzz_labels() {
    local out status=0 unit
    out=$(make --no-print-directory fuzz FUZZSEC=1 2>&1) || fail "make fuzz failed: $out"
    echo "$out"
    for f in fdt heap elf; do
        grep -Eq "^fuzz $f: ok, [0-9]+ runs in [0-9]+ s$" <<<"$out" || fail "no ok line for $f"
    done
    grep -q '^fuzz: 3 ok, 0 failed$' <<<"$out" || fail "no summary line '3 ok, 0 failed'"
    out=$(make --no-print-directory fuzz FUZZSEC=1 FUZZERS="fdt nosuch" \
              FUZZFLAGS=-rss_limit_mb=1 2>&1) || status=$?
    echo "$out"
    [ "$status" != 0 ] || fail "make fuzz exited 0 with two failed fuzzers"
    unit=$(sed -n 's/^fuzz fdt: FAILED (oom saved to \([^;]*\); log: build\/host\/fuzz-fdt.log)$/\1/p' \
               <<<"$out")
    [ -n "$unit" ] && [ -f "$unit" ] || fail "the fdt fuzzer's failure does not name the saved input"
    rm -f "$unit" build/host/fuzz-nosuch.log
    grep -qx 'fuzz nosuch: FAILED (log: build/host/fuzz-nosuch.log)' <<<"$out" ||
        fail "the fuzzer that does not exist is not named with its log"
    grep -qx 'fuzz: 0 ok, 2 failed (fdt nosuch)' <<<"$out" || fail "no summary naming the failed"
}
run_test tools-fuzz-labels test_fuzz_labels
