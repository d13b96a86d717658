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
    'kheap: double free of 0x[0-9a-f]+( \(already freed, now inside the free block at 0x[0-9a-f]+\))?$'
run_test heap-foreign-pointer expect_ktest_panic heap_foreign_pointer_panics \
    'kheap: kfree of 0x[0-9a-f]+ which is not a heap block$'

# The boot banner reports the frame allocator and the heap.
test_memory_banner() {
    boot --smp 1 --mem 64M
    expect_status 0
    expect_line '^frames: [0-9]+ free of [0-9]+ pages \(4 KiB each\)$'
    expect_line '^heap: 256 KiB arena, 25[0-9] KiB free$'
}
run_test memory-banner test_memory_banner
