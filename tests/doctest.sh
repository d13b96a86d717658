# tests/doctest.sh (course): the guides are executable. tools/doctest runs each guide's marked
# sessions (shell and gdb) in a worktree of its chapter's tag, and compares its code excerpts with
# the files there; one test per guide. The first test shows the tool can fail: a guide that says
# something its tag does not do is named, with the line and the difference.

test_doctest_finds_drift() {
    local dir="$TEST_DIR/$T_NAME.d" out
    mkdir -p "$dir"
    cat >"$dir/ch1-drift.md" <<'GUIDE'
# A guide that drifted

<!-- doctest -->
```
$ echo "hartos: chapter 1"; echo done
hartos: chapter 2
```

From `boot/entry.S:1`:

```asm boot/entry.S:1
this is not the first line of entry.S
```

<!-- doctest -->
```
$ false
```
GUIDE
    ! out=$(tools/doctest "$dir/ch1-drift.md")
    echo "$out"
    grep -Fq "ch1-drift.md:6: at ch1 (" <<<"$out" || fail "the wrong output line is not named"
    grep -q '^ *hartos: chapter 2$' <<<"$out" || fail "the expected line is not shown"
    grep -Fq "ch1-drift.md:12: at ch1" <<<"$out" || fail "the wrong excerpt is not named"
    grep -Fq "ch1-drift.md:17: at ch1" <<<"$out" || fail "the failing command is not named"
    grep -q "failed with status 1" <<<"$out" || fail "the failing command's status is not given"
    grep -q '^FAIL .*ch1-drift.md at ch1' <<<"$out" || fail "no summary line for the guide"
}
run_test doctest-finds-drift test_doctest_finds_drift

# Guides that would pass while checking nothing, or less than they say: each is refused, at its
# line. (One boots QEMU under gdb: a gdb command that fails ends gdb's script, the last one too.)
test_doctest_refuses_vacuous() {
    local dir="$TEST_DIR/$T_NAME.d" out g
    rm -rf "$dir" && mkdir -p "$dir"
    printf '<!-- doctest -->\nprose, then the block:\n```\n$ echo hi\nbye\n```\n' >"$dir/ch1-dangling.md"
    printf '<!-- doctest gdb -->\n```\n(gdb) p 1\n$1 = 2\n```\n' >"$dir/ch1-nocolon.md"
    printf '<!-- doctest: SMP=1 -->\n```\n$ true\n```\n' >"$dir/ch1-shellvar.md"
    printf '<!-- doctest: timeout=abc -->\n```\n$ true\n```\n' >"$dir/ch1-timeout.md"
    printf '<!-- doctest -->\n```\n$ false\n$ echo $?\n```\n' >"$dir/ch1-status.md"
    printf 'From `boot/entry.S:12`:\n\n```asm boot/entry.S:1\n%s\n```\n\n<!-- doctest -->\n```\n$ true\n```\n' \
        "$(git show "$(tools/chapters commit 1)":boot/entry.S | head -n 1)" >"$dir/ch1-prose.md"
    printf 'From `boot/entry.S:0`:\n\n```asm boot/entry.S:0\n\n```\n\n<!-- doctest -->\n```\n$ true\n```\n' >"$dir/ch1-zero.md"
    printf '<!-- doctest: gdb SMP=1 -->\n```\n(gdb) p 1\n$1 = 1\n(gdb) p no_such_symbol\n```\n' >"$dir/ch1-gdbfails.md"
    local pid
    for g in dangling:1 nocolon:1 shellvar:1 timeout:1 status:4 prose:3 zero:3 gdbfails:5; do
        ! out=$(tools/doctest "$dir/ch1-${g%:*}.md") || fail "ch1-${g%:*}.md passed: $out"
        echo "$out"
        grep -Fq "ch1-${g%:*}.md:${g#*:}: " <<<"$out" || fail "ch1-${g%:*}.md is not refused at its line ${g#*:}"
    done
    grep -Fq 'No symbol "no_such_symbol"' <<<"$out" || fail "gdb's error is not shown"
    for pid in $(pgrep -x qemu-system-ris); do
        case $(readlink "/proc/$pid/cwd") in "$PWD"/build/doctest/*) fail "QEMU $pid is left running" ;; esac
    done
}
run_test doctest-refuses-vacuous test_doctest_refuses_vacuous

# build/doctest/ch1 as a plain directory (not a worktree) must not make tools/doctest check out
# the chapter in the clone around it, the learner's own tree; a worktree a session changed is
# put back. In a clone, so that a failure here cannot touch this tree.
test_doctest_own_worktree() {
    local repo="$TEST_DIR/$T_NAME.repo" guide="$TEST_DIR/$T_NAME.d/ch1-w.md" head out
    rm -rf "$repo" "${guide%/*}" && mkdir -p "${guide%/*}"
    git clone -q . "$repo" || fail "cannot clone"
    cp tools/doctest tools/chapters tools/worktree.py "$repo/tools/"
    head=$(git -C "$repo" rev-parse HEAD)
    echo '// a learner at work' >>"$repo/kernel/main.c"
    mkdir -p "$repo/build/doctest/ch1" && touch "$repo/build/doctest/ch1/stray"
    printf '<!-- doctest -->\n```\n$ git status --porcelain | wc -l\n0\n$ echo x >>Makefile\n```\n' >"$guide"
    out=$("$repo/tools/doctest" "$guide") || fail "the guide failed: $out"
    out=$("$repo/tools/doctest" "$guide") || fail "the worktree a session changed is not put back: $out"
    [ "$(git -C "$repo" rev-parse HEAD)" = "$head" ] || fail "the clone's HEAD moved"
    grep -q 'a learner at work' "$repo/kernel/main.c" || fail "the clone's own change is gone"
    git -C "$repo" worktree remove --force build/doctest/ch1
}
run_test doctest-own-worktree test_doctest_own_worktree

for guide in $(ls docs/ch*-*.md | sort -V); do
    n=${guide#docs/ch}; n=${n%%-*}
    run_test "doctest-ch$n" tools/doctest -v "$guide"
done
