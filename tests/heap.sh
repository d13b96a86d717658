# tests/heap.sh (ch4): page frames and the kernel heap. The allocator is tested in depth on the
# host (every heap/list*.c, under ASan/UBSan); in the kernel, on real pages (tests/kernel/).

# host_heap IMPL: the cmocka suite against one implementation.
host_heap() {
    build/host/heap_test_"$1"
    grep -q 'PASSED' "$TEST_DIR/$T_NAME.log" || fail "heap_test_$1 reported no passed cases"
}
for impl in $(cd heap && ls list*.c | sed 's/\.c$//'); do
    run_test "host-heap-$impl" host_heap "$impl"
done

# The per-hart caches in front of heap/list.c, several harts played on the host.
host_heap_cache() {
    build/host/heap_cache_test
    grep -q 'PASSED' "$TEST_DIR/$T_NAME.log" || fail "heap_cache_test reported no passed cases"
}
run_test host-heap-cache host_heap_cache

# Our T1 generator (tests/bench/trace_t1.c) must produce heapbench's trace bit for bit.
test_trace_t1_md5() {
    build/host/trace_dump "$TEST_DIR/t1.bin"
    local sum
    sum=$(md5sum <"$TEST_DIR/t1.bin" | cut -d' ' -f1)
    rm -f "$TEST_DIR/t1.bin"
    [ "$sum" = de8a4c06a50abdeef4aa434ef2ff0eed ] || fail "T1 dump md5 is $sum"
}
run_test trace-t1-md5 test_trace_t1_md5

test_host_fuzz_heap() {
    make --no-print-directory -C tests/host fuzz-heap FUZZSEC=${HOST_FUZZ_SECONDS:-10} \
        KHEAP="${KHEAP:-$(make --no-print-directory -s kheap-name)}"
    grep -Eq '^stat::number_of_executed_units: [0-9]{3,}' "$TEST_DIR/$T_NAME.log" ||
        fail "the fuzzer ran fewer than 100 inputs"
}
run_test host-fuzz-heap test_host_fuzz_heap

# Misuse the kernel cannot trust itself past: each panics naming the cause and address.
# expect_ktest_panic TEST REGEX
expect_ktest_panic() {
    boot --smp 1 --args "ktest=$1"
    expect_status 3
    expect_line "^panic: $2"
}
run_test frame-double-free expect_ktest_panic frame_double_free_panics \
    'frame_free\(0x[0-9a-f]+\): double free \(the page is already free\)$'
run_test frame-free-middle expect_ktest_panic frame_free_middle_of_run_panics \
    'frame_free\(0x[0-9a-f]+\): the middle of a run; free the run.s first page$'
run_test frame-free-reserved expect_ktest_panic frame_free_reserved_panics \
    'frame_free\(0x80200000\): a reserved page, never handed out$'
run_test heap-double-free expect_ktest_panic heap_double_free_panics \
    'kheap: double free of 0x[0-9a-f]+( \(already freed, (now inside the free block at 0x[0-9a-f]+|in hart [0-9]+.s cache)\))?$'
run_test heap-foreign-pointer expect_ktest_panic heap_foreign_pointer_panics \
    'kheap: kfree of 0x[0-9a-f]+ which is not a heap block$'
run_test heap-cache-double-free expect_ktest_panic heap_cache_double_free_panics \
    'kheap: double free of 0x[0-9a-f]+ \(already freed, in hart 0.s cache\)$'

# The boot banner reports the frame allocator and the heap.
test_memory_banner() {
    boot --smp 1 --mem 64M
    expect_status 0
    expect_line '^frames: [0-9]+ free of [0-9]+ pages \(4 KiB each\)$'
    expect_line '^heap: 256 KiB arena, 25[0-9] KiB free$'
}
run_test memory-banner test_memory_banner

# gdb's kheap command (tools/gdb/hartos.py) shows the free lists and the harts' caches as
# kmalloc and kfree change them: two kmalloc(100) take a run of 128-byte blocks into hart 0's
# cache (one handed out each time), and the kfree of the first puts it back there.
test_gdb_kheap() {
    gdb_batch -- -ex c -ex 'b trap_init_hart' -ex c -ex kheap \
        -ex 'p (char *)kmalloc(100)' -ex 'p (char *)kmalloc(100)' -ex 'call kfree($1)' -ex kheap
    grep -Eq '^arena 0x[0-9a-f]+, 256 KiB \(boot, kept\)$' <<<"$GDB_OUT" || fail "no boot arena"
    grep -Eq '^free: [0-9]+ bytes in 1 blocks, largest [0-9]+; kmalloc calls 0, kfree calls 0$' \
        <<<"$GDB_OUT" || fail "the fresh heap is not one free block"
    local freed
    freed=$(sed -n 's/^\$1 = \(0x[0-9a-f]*\).*/\1/p' <<<"$GDB_OUT")
    [ -n "$freed" ] || fail "no address from the first kmalloc"
    grep -Eq "^hart 0 cache 128 +[0-9]+ blocks: $(printf '%#x' $((freed - 16)))\(128\)" \
        <<<"$GDB_OUT" || fail "the freed 128-byte block is not on top of hart 0's cache list"
    grep -Eq '^free: [0-9]+ bytes in 1 blocks, largest [0-9]+; kmalloc calls 2, kfree calls 1$' \
        <<<"$GDB_OUT" || fail "totals after kmalloc, kmalloc, kfree are wrong"
    grep -Eq '^cached: [0-9]+ bytes in [0-9]+ blocks' <<<"$GDB_OUT" || fail "no cache totals"
}
run_test gdb-kheap test_gdb_kheap
