# tests/host.sh (ch2): unit tests of the kernel's pure modules on the host (tests/host/), under
# ASan and UBSan. Each cmocka binary is one line here; its cases are in the log.

test_host_build() {
    make --no-print-directory -C tests/host
}
run_test host-build test_host_build

# host_cmocka BINARY: run it; cmocka's own summary must report every case passed.
host_cmocka() {
    build/host/"$1" build/dtbs
    grep -q 'PASSED' "$TEST_DIR/$T_NAME.log" || fail "$1 reported no passed cases"
}
run_test host-format host_cmocka format_test
run_test host-fdt host_cmocka fdt_test
run_test host-fdt-corrupt host_cmocka fdt_corrupt_test

# A short fuzz run of the device tree parser, seeded with QEMU's trees; `make fuzz` runs longer.
test_host_fuzz_fdt() {
    make --no-print-directory -C tests/host fuzz-fdt FUZZSEC=${HOST_FUZZ_SECONDS:-10}
    grep -Eq '^stat::number_of_executed_units: [0-9]{4,}' "$TEST_DIR/$T_NAME.log" ||
        fail "the fuzzer ran fewer than 1000 inputs"
}
run_test host-fuzz-fdt test_host_fuzz_fdt
