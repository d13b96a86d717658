/* fdt_test.c -- host tests for kernel/fdt.c: exact values from the trees QEMU itself generates
 * (gen-dtbs.sh writes them to the directory in $FDT_DTB_DIR or argv[1]) and from
 * fdt_custom.dts. Broken blobs are fdt_corrupt_test.c's job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/fdt.h"
#include "dtb_util.h"

static const char *dtb_dir;

/* Blobs must outlive the fdt_info pointing into them: freed after all tests. */
static struct blob loaded[32];
static int nloaded;

static int free_loaded(void **state)
{
    (void)state;
    while (nloaded > 0)
        free(loaded[--nloaded].data);
    return 0;
}

static void parse_ok(const char *name, struct fdt_info *info)
{
    char err[200];
    struct blob b = dtb_load(dtb_dir, name);
    int rc = fdt_parse(b.data, b.size, info, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: fdt_parse returned %d: %s", name, rc, err);
    assert_string_equal(err, "");
    assert_int_equal(info->totalsize, b.size);
    assert_true(nloaded < 32);
    loaded[nloaded++] = b;
}

static void test_virt_memory_follows_m(void **state)
{
    static const struct {
        const char *dtb;
        uint64_t size;
    } cases[] = {
        {"virt-m64M", 64u << 20},
        {"virt-m128M", 128u << 20},
        {"virt-m1G", 1u << 30},
    };
    struct fdt_info info;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        parse_ok(cases[i].dtb, &info);
        assert_int_equal(info.nmemory, 1);
        assert_int_equal(info.memory[0].base, 0x80000000);
        assert_int_equal(info.memory[0].size, cases[i].size);
        assert_string_equal(info.memory[0].name, "memory@80000000");
        assert_int_equal(info.nreserved, 0); /* -bios none: no OpenSBI reservation */
    }
}

static void test_virt_harts_follow_smp(void **state)
{
    static const int smps[] = {1, 4, 8};
    struct fdt_info info;
    char name[32];
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "virt-smp%d", smps[i]);
        parse_ok(name, &info);
        assert_int_equal(info.nharts, smps[i]);
        assert_int_equal(info.harts_skipped, 0);
        for (int h = 0; h < info.nharts; h++) {
            assert_int_equal(info.harts[h].id, h);
            assert_non_null(info.harts[h].isa);
            assert_memory_equal(info.harts[h].isa, "rv64", 4);
            assert_true(info.harts[h].has_mmu);
            /* QEMU virt gives each hart an M-mode context 2N and an S-mode one 2N+1. */
            assert_int_equal(info.harts[h].plic_context, 2 * h + 1);
        }
    }
}

static void test_virt_more_harts_than_stored(void **state)
{
    struct fdt_info info;
    (void)state;
    parse_ok("virt-smp20", &info);
    assert_int_equal(info.nharts, FDT_MAX_HARTS);
    assert_int_equal(info.harts_skipped, 20 - FDT_MAX_HARTS);
    assert_int_equal(info.harts[15].id, 15);
    assert_int_equal(info.harts[15].plic_context, 31);
}

static void test_virt_devices(void **state)
{
    struct fdt_info info;
    (void)state;
    parse_ok("virt-smp4", &info);
    assert_int_equal(info.timebase_hz, 10000000);
    assert_true(info.uart.present);
    assert_int_equal(info.uart.base, 0x10000000);
    assert_string_equal(info.uart.compatible, "ns16550a");
    assert_int_equal(info.uart.clock_hz, 3686400);
    assert_int_equal(info.uart.reg_shift, 0);
    assert_int_equal(info.uart.irq, 10); /* ch8: its PLIC source */
    assert_true(info.plic.present);
    assert_int_equal(info.plic.base, 0xc000000);
    assert_int_equal(info.plic.size, 0x600000);
    assert_int_equal(info.plic.ndev, 96);
    assert_true(info.test_dev.present);
    assert_int_equal(info.test_dev.base, 0x100000);
    assert_null(info.bootargs);
    assert_string_equal(info.stdout_path, "/soc/serial@10000000");
}

static void test_virt_bootargs_from_append(void **state)
{
    struct fdt_info info;
    (void)state;
    parse_ok("virt-bootargs", &info);
    assert_string_equal(info.bootargs, "x y");
    assert_int_equal(info.nharts, 2);
}

static void test_sifive_u(void **state)
{
    struct fdt_info info;
    (void)state;
    parse_ok("sifive_u", &info);
    assert_int_equal(info.nharts, 2);
    assert_false(info.harts[0].has_mmu); /* the E51 monitor core: M-mode only */
    assert_int_equal(info.harts[0].plic_context, -1);
    assert_true(info.harts[1].has_mmu);
    assert_int_equal(info.harts[1].plic_context, 2);
    assert_int_equal(info.timebase_hz, 1000000);
    assert_string_equal(info.uart.compatible, "sifive,uart0");
    assert_int_equal(info.uart.base, 0x10010000);
    assert_int_equal(info.uart.clock_hz, 0); /* it names a clock instead */
    assert_int_equal(info.uart.irq, 4);
    assert_int_equal(info.plic.base, 0xc000000);
    assert_int_equal(info.plic.ndev, 53);
    assert_false(info.test_dev.present);
    assert_int_equal(info.memory[0].base, 0x80000000);
}

static void test_custom_tree(void **state)
{
    struct fdt_info info;
    (void)state;
    parse_ok("custom", &info);
    assert_int_equal(info.nmemory, 2); /* root: 2 address cells, 1 size cell */
    assert_int_equal(info.memory[1].base, 0x100000000);
    assert_int_equal(info.memory[1].size, 0x8000000);
    assert_int_equal(info.nreserved, 4); /* 2 /memreserve/ + 2 children with reg */
    assert_string_equal(info.reserved[0].name, "memreserve");
    assert_int_equal(info.reserved[1].base, 0x87f00000);
    assert_int_equal(info.reserved[1].size, 0x100000);
    assert_string_equal(info.reserved[2].name, "mmode_resv0@80000000");
    assert_int_equal(info.reserved[2].size, 0x40000);
    assert_string_equal(info.reserved[3].name, "framebuffer@84000000");
    assert_int_equal(info.timebase_hz, 12500000); /* given in 2 cells */
    assert_int_equal(info.nharts, 2);             /* cpu@1 is disabled */
    assert_int_equal(info.harts[0].plic_context, 1);
    assert_int_equal(info.harts[1].id, 5);
    assert_null(info.harts[1].isa);
    assert_false(info.harts[1].has_mmu);
    assert_int_equal(info.harts[1].plic_context, 4);
    assert_string_equal(info.uart.compatible, "ns16550"); /* second entry of the list */
    assert_int_equal(info.uart.base, 0x10000000);         /* 1-cell bus */
    assert_int_equal(info.uart.reg_shift, 2);
    assert_int_equal(info.uart.clock_hz, 1843200);
    assert_int_equal(info.uart.irq, 7); /* the first of two cells */
    assert_int_equal(info.plic.ndev, 31);
    assert_int_equal(info.test_dev.base, 0x100000);
    assert_string_equal(info.bootargs, "console=ttyS0 quiet");
}

/* ch12: a VisionFive 2-shaped tree: the disabled SiFive UART is passed over for the DesignWare
 * one, with its 32-bit registers 4 bytes apart; hart 0 has no MMU; contexts marked 0xffffffff
 * are nobody's. */
static void test_board_tree(void **state)
{
    struct fdt_info info;
    (void)state;
    parse_ok("board", &info);
    assert_int_equal(info.memory[0].base, 0x40000000);
    assert_int_equal(info.memory[0].size, 0x100000000);
    assert_int_equal(info.timebase_hz, 4000000);
    assert_int_equal(info.nharts, 3);
    assert_false(info.harts[0].has_mmu); /* mmu-type = "riscv,none" */
    assert_int_equal(info.harts[0].plic_context, -1);
    assert_true(info.harts[1].has_mmu);
    assert_int_equal(info.harts[1].plic_context, 2);
    assert_int_equal(info.harts[2].plic_context, 4);
    assert_true(info.uart.present);
    assert_int_equal(info.uart.kind, FDT_UART_16550);
    assert_string_equal(info.uart.compatible, "snps,dw-apb-uart");
    assert_int_equal(info.uart.base, 0x10000000);
    assert_int_equal(info.uart.reg_shift, 2);
    assert_int_equal(info.uart.reg_io_width, 4);
    assert_int_equal(info.uart.clock_hz, 24000000);
    assert_int_equal(info.uart.irq, 32);
    assert_null(info.unknown_uart_name);
}

/* A UART of no kind hartos knows: no console UART, but its name and compatible are kept so the
 * boot can say why. */
static void test_board_unknown_uart(void **state)
{
    struct fdt_info info;
    (void)state;
    parse_ok("board-unknown-uart", &info);
    assert_false(info.uart.present);
    assert_string_equal(info.unknown_uart_name, "serial@10000000");
    assert_string_equal(info.unknown_uart_compatible, "acme,uart9");
}

/* No hart with an MMU: nothing can run hartos, and the error says so. */
static void test_board_no_mmu(void **state)
{
    struct fdt_info info;
    char err[200];
    (void)state;
    struct blob b = dtb_load(dtb_dir, "board-no-mmu");
    assert_int_equal(fdt_parse(b.data, b.size, &info, err, sizeof err), FDT_ERR_MISSING);
    assert_string_equal(err, "fdt: no hart can run hartos: no cpu node in /cpus has an MMU "
                             "(mmu-type)");
    free(b.data);
}

/* The board's PLIC with its reg's size words set to (hi, lo): the parse must fail with err. */
static void board_plic_size_refused(uint32_t hi, uint32_t lo, const char *err_want)
{
    struct fdt_info info;
    char err[200];
    struct blob b = dtb_load(dtb_dir, "board");
    size_t reg = dtb_prop_offset(&b, "interrupt-controller@c000000", "reg") + 12;
    dtb_set32(&b, reg + 8, hi);
    dtb_set32(&b, reg + 12, lo);
    assert_int_equal(fdt_parse(b.data, b.size, &info, err, sizeof err), FDT_ERR_VALUE);
    assert_string_equal(err, err_want);
    free(b.data);
}

/* ch12: a reg that wraps around the address space, or a PLIC bigger than the spec's whole
 * map, is named; the kernel would otherwise map nothing, or map for ever. */
static void test_board_plic_reg_refused(void **state)
{
    (void)state;
    board_plic_size_refused(0xffffffff, 0xf8000000,
                            "fdt: reg of /soc/interrupt-controller@c000000 (0xc000000, size "
                            "0xfffffffff8000000) wraps around the address space");
    board_plic_size_refused(0, 0x4001000,
                            "fdt: reg of /soc/interrupt-controller@c000000 is 0x4001000 bytes; "
                            "a PLIC's registers take at most 0x4000000");
}

/* ch12: a device whose registers lie in RAM is refused: writing them would write memory. */
static void test_board_uart_in_ram(void **state)
{
    struct fdt_info info;
    char err[200];
    (void)state;
    struct blob b = dtb_load(dtb_dir, "board");
    size_t reg = dtb_prop_offset(&b, "serial@10000000", "reg") + 12;
    dtb_set32(&b, reg + 4, 0x40000000);
    assert_int_equal(fdt_parse(b.data, b.size, &info, err, sizeof err), FDT_ERR_VALUE);
    assert_string_equal(err, "fdt: the UART's registers at 0x40000000 are in RAM "
                             "(memory@40000000)");
    free(b.data);
}

static void test_find_prop(void **state)
{
    uint32_t len = 0;
    struct blob b = dtb_load(dtb_dir, "virt-bootargs");
    (void)state;
    assert_string_equal(fdt_find_prop(b.data, "/chosen", "bootargs", &len), "x y");
    assert_int_equal(len, 4);
    assert_string_equal(fdt_find_prop(b.data, "/", "model", &len), "riscv-virtio,qemu");
    assert_string_equal(fdt_find_prop(b.data, "/soc/serial@10000000", "compatible", &len),
                        "ns16550a");
    assert_null(fdt_find_prop(b.data, "/chosen", "no-such-prop", &len));
    assert_null(fdt_find_prop(b.data, "/no/such/node", "reg", &len));
    assert_null(fdt_find_prop(b.data, "/cpus/cpu", "reg", &len)); /* unit address matters */
    free(b.data);
}

int main(int argc, char **argv)
{
    dtb_dir = argc > 1 ? argv[1] : getenv("FDT_DTB_DIR");
    if (dtb_dir == NULL) {
        fprintf(stderr, "usage: %s DTB_DIR (or set FDT_DTB_DIR)\n", argv[0]);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virt_memory_follows_m),
        cmocka_unit_test(test_virt_harts_follow_smp),
        cmocka_unit_test(test_virt_more_harts_than_stored),
        cmocka_unit_test(test_virt_devices),
        cmocka_unit_test(test_virt_bootargs_from_append),
        cmocka_unit_test(test_sifive_u),
        cmocka_unit_test(test_custom_tree),
        cmocka_unit_test(test_board_tree),
        cmocka_unit_test(test_board_unknown_uart),
        cmocka_unit_test(test_board_no_mmu),
        cmocka_unit_test(test_board_plic_reg_refused),
        cmocka_unit_test(test_board_uart_in_ram),
        cmocka_unit_test(test_find_prop),
    };
    return cmocka_run_group_tests(tests, NULL, free_loaded);
}
