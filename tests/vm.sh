# tests/vm.sh (ch7): Sv39 paging. The in-kernel tests of kernel/vm*.c run with the others
# (tests/traps.sh, tests/smp.sh); here: the boot line, and the tests that end in a panic.

# The kernel map is on, with its permissions and its cost said at boot.
test_vm_banner() {
    boot --smp 1
    expect_status 0
    expect_line '^vm: 0x80000000-0x80080000 unmapped \(mmode_resv0@80000000\)$'
    expect_line '^vm: Sv39 on, kernel text r-x, rodata r--, data rw-, [0-9]+ page-table pages \([0-9]+ KiB\)$'
}
run_test vm-banner test_vm_banner

# A task that recurses without end runs into the guard page below its stack: the fault is named
# as an overflow, not a mystery page fault, and reported from the spare trap stack.
test_vm_stack_overflow() {
    boot --smp 1 --args ktest=vm_stack_overflow_panics
    expect_status 3
    expect_line "^panic: task 'deep' overflowed its kernel stack \\(fault at 0x[0-9a-f]+ in guard page\\)\$"
    expect_line '^    #0 0x[0-9a-f]+ recurse\+0x[0-9a-f]+$'
}
run_test vm-stack-overflow test_vm_stack_overflow

# TLB shootdown: a hart reading a page loses it when another hart unmaps it, because the unmap
# sends it an SBI remote sfence.vma. (Without that, the test ends with "still reads".)
test_vm_shootdown() {
    boot --smp 4 --args ktest=vm_shootdown_panics
    expect_status 3
    expect_line '^panic: load page fault in the kernel at shot_reader\+0x[0-9a-f]+ \(sepc 0x[0-9a-f]+, stval 0x[0-9a-f]+, scause 0xd\)$'
    expect_no_line 'still reads'
}
run_test vm-shootdown test_vm_shootdown
