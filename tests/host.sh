# tests/host.sh (ch2): unit tests of the kernel's pure modules on the host (tests/host/), under
# ASan and UBSan. Each cmocka binary is one line here; its cases are in the log.

test_host_build() {
    make --no-print-directory -C tests/host
}
run_test host-build test_host_build

# host_cmocka BINARY [DIR]: run it on DIR (default build/dtbs, the trees it reads); cmocka's
# own summary must report every case passed.
host_cmocka() {
    build/host/"$1" "${2:-build/dtbs}" || fail "$1 exited with status $? (cases failed)"
    grep -q 'PASSED' "$TEST_DIR/$T_NAME.log" || fail "$1 reported no passed cases"
    ! grep -q 'FAILED' "$TEST_DIR/$T_NAME.log" || fail "$1 reported failed cases"
}
run_test host-format host_cmocka format_test
run_test host-fdt host_cmocka fdt_test
run_test host-fdt-corrupt host_cmocka fdt_corrupt_test
run_test host-elf host_cmocka elf_test build/user     # ch7: the ELF checks, on the real programs

# host_fuzz TARGET: a short run of `make -C tests/host fuzz-TARGET` (`make fuzz` runs longer);
# it must get through 1000 inputs.
host_fuzz() {
    make --no-print-directory -C tests/host "fuzz-$1" FUZZSEC=${HOST_FUZZ_SECONDS:-10}
    grep -Eq '^stat::number_of_executed_units: [0-9]{4,}' "$TEST_DIR/$T_NAME.log" ||
        fail "the fuzzer ran fewer than 1000 inputs"
}
run_test host-fuzz-fdt host_fuzz fdt    # seeded with QEMU's trees
run_test host-fuzz-elf host_fuzz elf    # ch7: seeded with the embedded programs
