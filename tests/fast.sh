# tests/fast.sh (ch10): the tools for seeing where a hot path's instructions go.

# kcount (tools/gdb/hartos.py) steps one yield of the yield benchmark, from task_yield to the
# next task_yield, and counts per function. context_switch is assembly that saves and loads
# twelve registers each way, plus ra, sp and the nesting word, and (ch11) looks whether tracing
# is on: 35 instructions, whatever the compiler does. The whole round must be a plausible yield: more than the switch, far fewer
# than a thousand.
test_gdb_kcount() {
    ARGS="kbench=yield" gdb_batch --smp 1 -- -ex c -ex 'break task_yield' -ex c \
        -ex 'ignore 2 10' -ex c -ex 'delete' -ex 'echo ==kcount\n' -ex kcount -ex 'echo ==end\n'
    local out total
    out=$(sed -n '/^==kcount$/,/^==end$/p' <<<"$GDB_OUT")
    grep -Eq '^ +35  context_switch$' <<<"$out" || fail "kcount did not count 35 in context_switch"
    grep -Eq '^ +[0-9]+  task_yield$' <<<"$out" || fail "kcount did not count task_yield"
    total=$(sed -nE 's/^ +([0-9]+)  in all$/\1/p' <<<"$out")
    [ -n "$total" ] && [ "$total" -gt 60 ] && [ "$total" -lt 400 ] ||
        fail "kcount's total for one yield is '$total'"
    ! grep -q 'stopped after' <<<"$out" || fail "kcount did not come back to task_yield"
}
run_test gdb-kcount test_gdb_kcount
