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

for guide in $(ls docs/ch*-*.md | sort -V); do
    n=${guide#docs/ch}; n=${n%%-*}
    run_test "doctest-ch$n" tools/doctest -v "$guide"
done
