# tests/labs.sh (course): the labs (labs/, tools/lab, docs/labs.md). One test per lab: its grader
# must fail the lab's start (chapter + start.patch) on every test of the assignment and pass its
# solution with full marks, so a grader that cannot fail, or a solution that no longer works, is
# a failure with the lab's name. Then the learner's flow and its bad input, on a small lab made
# up here at chapter 1 (two seconds a build, a third of a second a boot).

# The checks run LAB_JOBS (2) at a time, as their boots are mostly one QEMU thread each; each
# writes its own log, and then each gets its line, in the labs' order.
LAB_JOBS=${LAB_JOBS:-2}
lab_checks() {
    local lab labs=() status why
    for lab in $(tools/lab names); do
        wanted "lab-$lab" && labs+=("$lab")
    done
    [ ${#labs[@]} -gt 0 ] || return 0
    printf '%s\n' "${labs[@]}" | TEST_DIR=$TEST_DIR xargs -P "$LAB_JOBS" -I{} bash -c '
        start=$(date +%s%N)
        tools/lab check {} >"$TEST_DIR/lab-{}.log" 2>&1 </dev/null
        echo "$? $(( ($(date +%s%N) - start) / 1000000 ))" >"$TEST_DIR/lab-{}.result"'
    for lab in "${labs[@]}"; do
        read -r status ms <"$TEST_DIR/lab-$lab.result"
        why=$(grep -m1 '^  - ' "$TEST_DIR/lab-$lab.log" | cut -c5-)
        report "lab-$lab" "$status" "${why:-tools/lab check failed with status $status}" \
            "${ms}e-3" "$TEST_DIR/lab-$lab.log"
    done
}
lab_checks

# lab_clone DIR: a clone of this repository with this tree's lab machinery (committed there), so
# that the tests check the tools as they are here, committed or not.
lab_clone() {
    rm -rf "$1" "$1.wt" && git clone -q . "$1"
    mkdir -p "$1/labs"
    cp Makefile "$1/" && cp tools/lab tools/worktree.py tools/chapters "$1/tools/" && cp labs/lab.mk labs/README.md "$1/labs/"
    git -C "$1" config user.email t@example.com && git -C "$1" config user.name t
    git -C "$1" add -A Makefile tools labs && { git -C "$1" commit -qm "course: this tree's tools" || true; }
}

# lab_fixture CLONE NAME START SOLUTION: a made-up lab at chapter 1 in CLONE, committed there:
# start.patch makes the kernel print "fixture: START", solution.patch "fixture: SOLUTION".
# Its grader: a baseline test (20 points, the banner) and an assignment test (80, "fixture:
# done" and the power-off status).
lab_fixture() {
    local repo=$1 name=$2 wt="$PWD/$1.wt"
    local lab="$repo/labs/$name"
    mkdir -p "$lab"
    git -C "$repo" worktree add -q --detach "$wt" "$(tools/chapters commit 1)"
    sed -i 's/^    console_puts("hartos: chapter 1 done/    console_puts("fixture: '"$3"'\\n");\n&/' \
        "$wt/kernel/main.c"
    git -C "$wt" diff >"$lab/start.patch"
    git -C "$wt" commit -qam start
    sed -i "s/fixture: $3/fixture: $4/" "$wt/kernel/main.c"
    git -C "$wt" diff >"$lab/solution.patch"
    git -C "$repo" worktree remove --force "$wt"
    printf '# %s: a lab for the tests\n\n**Level:** warm-up · **Time:** about 1 minute\n' \
        "$name" >"$lab/README.md"
    cat >"$lab/grade.py" <<'PY'
@test(20, baseline=True)
def banner(g):
    g.boot(smp=2, timeout=20).expect(r"^hartos: booting on hart \d+")

@test(80)
def says_done(g):
    run = g.boot(smp=1, timeout=20)
    run.expect(r"^fixture: done$")
    run.expect_status(0)
PY
    git -C "$repo" add labs && git -C "$repo" commit -qm "course: lab $name"
}

# make lab, make grade, make handin as a learner types them, in a clone.
test_lab_flow() {
    local repo="$TEST_DIR/$T_NAME.repo" out
    lab_clone "$repo"
    lab_fixture "$repo" ch1-fixture todo done
    out=$(make -s -C "$repo" lab LAB=ch1-fixture 2>&1) || fail "make lab failed: $out"
    echo "$out"
    [ "$(git -C "$repo" symbolic-ref --short HEAD)" = lab/ch1-fixture ] || fail "not on lab/ch1-fixture"
    [ "$(git -C "$repo" log -1 --format=%s)" = "lab ch1-fixture: start" ] || fail "no start commit"
    [ -e "$repo/labs/ch1-fixture/solution.patch" ] && fail "the solution came along to the branch"
    grep -q 'fixture: todo' "$repo/kernel/main.c" || fail "the start patch is not applied"

    out=$(make -s -C "$repo" grade 2>&1) || fail "make grade failed on the start: $out"
    echo "$out"
    grep -Eq '^  ok +banner +20/20 ' <<<"$out" || fail "the baseline test did not pass"
    grep -Eq '^  FAIL +says_done +0/80 .*no line matching' <<<"$out" || fail "says_done did not fail"
    grep -qx 'score: 20/100' <<<"$out" || fail "no 'score: 20/100'"
    [ -s "$repo/build/grade/says_done.log" ] || fail "the failing test's log is not kept"
    grep -q '^fixture: todo' "$repo/build/grade/says_done.log" || fail "the log has no console"
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert (j["score"] == 20 and
j["lab"] == "ch1-fixture" and len(j["token"]) == 12 and j["tests"][1]["passed"] is False), j' \
        "$repo/build/grade.json" ||
        fail "build/grade.json is wrong"

    # A learner who edits the grader gets a score that says it does not count.
    echo "# one more line" >>"$repo/labs/ch1-fixture/grade.py"
    out=$(make -s -C "$repo" grade 2>&1) || fail "make grade failed: $out"
    grep -q "changed what grades it since the lab's start: labs/ch1-fixture/grade.py" <<<"$out" &&
        grep -qx 'score: 20/100 (not valid: the grader.s files changed)' <<<"$out" ||
        fail "a changed grader is not named: $out"
    git -C "$repo" checkout -q labs/ch1-fixture/grade.py

    out=$(make -s -C "$repo" handin 2>&1) && fail "handin without commits: $out"
    grep -q 'no commits since the lab.s start' <<<"$out" || fail "handin says: $out"
    git -C "$repo" show main:labs/ch1-fixture/solution.patch | git -C "$repo" apply
    out=$(make -s -C "$repo" handin 2>&1) && fail "handin with uncommitted work: $out"
    grep -q 'uncommitted changes' <<<"$out" || fail "handin says: $out"
    git -C "$repo" commit -qam "fixture: done"
    out=$(make -s -C "$repo" grade 2>&1) || fail "make grade failed on the solution: $out"
    echo "$out"
    grep -qx 'score: 100/100' <<<"$out" || fail "the solution does not score 100/100"
    touch "$repo/kernel/extra.c"
    out=$(make -s -C "$repo" handin 2>&1) && fail "handin with an untracked source: $out"
    grep -q 'files the build uses are not committed: kernel/extra.c' <<<"$out" || fail "handin says: $out"
    rm "$repo/kernel/extra.c"
    out=$(make -s -C "$repo" handin 2>&1) || fail "make handin failed: $out"
    echo "$out"
    grep -q '1 commit since the start, graded 100/100' <<<"$out" || fail "handin says: $out"
    tar -tzf "$repo/build/handin-ch1-fixture.tar.gz" >"$repo.list"
    grep -qx 'handin-ch1-fixture/0001-fixture-done.patch' "$repo.list" || fail "no patch in the tarball"
    grep -qx 'handin-ch1-fixture/grade.json' "$repo.list" || fail "no grade.json in the tarball"
}
run_test lab-flow test_lab_flow

# Every way to misuse make lab / make grade is named; a kernel that hangs or does not build
# loses points, not the grade; tools/lab check refuses a grader its start passes, and a patch
# that does not apply.
test_lab_bad_input() {
    local repo="$TEST_DIR/$T_NAME.repo" out
    lab_clone "$repo"
    lab_fixture "$repo" ch1-fixture todo done
    lab_fixture "$repo" ch1-vacuous done done

    out=$(make -s -C "$repo" grade 2>&1) && fail "make grade on main passed"
    grep -q "this branch (main) is not a lab; start one with make lab LAB=NAME" <<<"$out" ||
        fail "grade on main says: $out"
    out=$(make -s -C "$repo" grade LAB=nosuch 2>&1) && fail "make grade LAB=nosuch passed"
    grep -q "there is no lab 'nosuch'; the labs are: ch1-fixture .*ch1-vacuous" <<<"$out" ||
        fail "grade LAB=nosuch says: $out"
    out=$(make -s -C "$repo" lab LAB=nosuch 2>&1) && fail "make lab LAB=nosuch passed"
    grep -q "there is no lab 'nosuch'" <<<"$out" || fail "lab LAB=nosuch says: $out"
    out=$(make -s -C "$repo" lab 2>&1) && fail "make lab without LAB passed"
    grep -q "name a lab (make lab LAB=NAME)" <<<"$out" || fail "make lab says: $out"
    echo "// work" >>"$repo/kernel/main.c"
    out=$(make -s -C "$repo" lab LAB=ch1-fixture 2>&1) && fail "make lab on a changed tree passed"
    grep -q "uncommitted changes" <<<"$out" || fail "make lab on a changed tree says: $out"
    git -C "$repo" checkout -q kernel/main.c

    # A lab named with LAB= (as from main, where building would take longer); a kernel that does
    # not build.
    make -s -C "$repo" lab LAB=ch1-fixture >/dev/null 2>&1 || fail "make lab failed"
    out=$(make -s -C "$repo" grade LAB=ch1-fixture 2>&1) || fail "grade LAB= failed: $out"
    grep -qx 'score: 20/100' <<<"$out" || fail "grade LAB=ch1-fixture: $out"
    out=$(make -s -C "$repo" lab LAB=ch1-fixture 2>&1) && fail "a second make lab passed"
    grep -q "the branch lab/ch1-fixture exists already" <<<"$out" || fail "second make lab says: $out"
    echo "this is not C" >>"$repo/kernel/main.c"
    out=$(make -s -C "$repo" grade 2>&1) && fail "grading a tree that does not build passed"
    echo "$out"
    grep -q "the tree does not build; every test fails" <<<"$out" || fail "no 'does not build'"
    grep -q "main.c:.*error" <<<"$out" || fail "the compiler's error is not shown"
    grep -qx 'score: 0/100' <<<"$out" || fail "a tree that does not build scored: $out"
    git -C "$repo" checkout -q kernel/main.c

    # An instructor's private test whose kernel hangs (QEMU halted: -S) loses its own points.
    mkdir -p "$repo/labs/ch1-fixture/private"
    printf '@test(50)\ndef hangs(g):\n    g.boot(timeout=2, qemu=("-S",)).expect("never")\n' \
        >"$repo/labs/ch1-fixture/private/hang.py"
    out=$(make -s -C "$repo" grade 2>&1) || fail "grade with a hanging test failed: $out"
    echo "$out"
    grep -Eq '^  FAIL +hangs +0/50 .*stopped after 2 s: the kernel hung' <<<"$out" ||
        fail "the hang is not named"
    grep -Eq '^  ok +banner +20/20' <<<"$out" || fail "the hang cost another test its points"
    grep -q '^score: 20/150 (not valid' <<<"$out" || fail "with the hang (a private test added on the branch): $out"
    [ -s "$repo/build/grade/hangs.log" ] || fail "the hung test's log is not kept"

    # Ctrl-C while a test boots: the QEMU it started goes too.
    printf '@test(50)\ndef hangs(g):\n    g.boot(timeout=60, qemu=("-S",))\n' \
        >"$repo/labs/ch1-fixture/private/hang.py"
    (cd "$repo" && exec tools/lab grade) >"$repo.int" 2>&1 &
    local grader=$! pid
    for _ in $(seq 100); do
        grep -q banner "$repo.int" && pgrep -f "qemu-system-riscv64.*-S" >/dev/null && break
        sleep 0.1
    done
    sleep 0.5
    kill -INT "$grader"
    wait "$grader" && fail "an interrupted grade exited 0"
    grep -q "tools/lab: interrupted" "$repo.int" || fail "an interrupted grade says: $(cat "$repo.int")"
    sleep 0.2
    for pid in $(pgrep -x qemu-system-ris); do
        case $(readlink "/proc/$pid/cwd") in "$PWD/$repo"*) fail "QEMU $pid is left running" ;; esac
    done

    # tools/lab check: the good lab passes, the vacuous one and a broken patch are named.
    rm -r "$repo/labs/ch1-fixture/private"
    git -C "$repo" switch -q main
    out=$("$repo/tools/lab" check ch1-fixture 2>&1) || fail "check ch1-fixture failed: $out"
    grep -q "ch1-fixture: ok: the start scores 20/100, the solution 100/100" <<<"$out" ||
        fail "check ch1-fixture says: $out"
    out=$("$repo/tools/lab" check ch1-vacuous 2>&1) && fail "check passed a vacuous lab: $out"
    echo "$out"
    grep -q "at the start, says_done passes, so it does not test the assignment" <<<"$out" ||
        fail "the vacuous grader is not named"
    sed -i 's/^ .*poweroff(BOOT_EXIT_STATUS);/ not a line of main.c/' "$repo/labs/ch1-fixture/start.patch"
    out=$("$repo/tools/lab" check ch1-fixture 2>&1) && fail "check passed a patch that does not apply"
    grep -q "ch1-fixture: FAILED" <<<"$out" && grep -q "start.patch does not apply (chapter 1" <<<"$out" ||
        fail "the broken patch is not named: $out"
}
run_test lab-bad-input test_lab_bad_input

# docs/labs.md lists every lab, with the level, time and title its README gives.
test_lab_docs() {
    local want have
    want=$(tools/lab table)
    have=$(grep -E '^\| \[ch[0-9]+-' docs/labs.md || true)
    [ -n "$want" ] || fail "there are no labs"
    diff <(echo "$want") <(echo "$have") || fail "docs/labs.md's table is not tools/lab table's (above)"
}
run_test lab-docs test_lab_docs
