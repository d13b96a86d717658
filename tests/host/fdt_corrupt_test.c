/* fdt_corrupt_test.c -- broken device trees must be refused, never read out of bounds, and
 * explained: each case damages a good QEMU blob (or builds one by hand) and checks the
 * negative return code and the words of the message. Run under ASan+UBSan. */
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

static struct blob good(void)
{
    return dtb_load(dtb_dir, "virt-bootargs");
}

/* Parses b with max_size readable bytes (b->size if 0 is not meant), expects code and a
 * message containing msg, and frees the blob. */
static void expect_error_n(struct blob *b, size_t max_size, int code, const char *msg)
{
    struct fdt_info info;
    char err[256];
    int rc = fdt_parse(b->data, max_size, &info, err, sizeof err);
    if (rc != code || strstr(err, msg) == NULL)
        fail_msg("expected %d \"%s\", got %d \"%s\"", code, msg, rc, err);
    free(b->data);
}

static void expect_error(struct blob *b, int code, const char *msg)
{
    expect_error_n(b, b->size, code, msg);
}

static struct blob copy_prefix(const struct blob *b, size_t n) /* exact size: ASan-fenced */
{
    struct blob c = {malloc(n ? n : 1), n};
    memcpy(c.data, b->data, n);
    return c;
}

static void test_truncated(void **state)
{
    struct blob b = good();
    char msg[96];
    (void)state;
    static const size_t tiny[] = {0, 4, 39};
    for (int i = 0; i < 3; i++) {
        struct blob c = copy_prefix(&b, tiny[i]);
        expect_error(&c, FDT_ERR_HEADER, "fewer than the 40-byte header");
    }
    struct blob c = copy_prefix(&b, b.size - 1);
    snprintf(msg, sizeof msg, "fdt: totalsize %zu exceeds the %zu bytes available", b.size,
             b.size - 1);
    expect_error(&c, FDT_ERR_HEADER, msg);
    /* Every cut, with the header left alone: refused, and ASan sees no stray read. */
    for (size_t cut = 0; cut < b.size; cut++) {
        struct fdt_info info;
        char err[256];
        c = copy_prefix(&b, cut);
        assert_true(fdt_parse(c.data, c.size, &info, err, sizeof err) < 0);
        free(c.data);
    }
    /* Cuts the header admits to (totalsize lowered): the blocks no longer fit. */
    size_t cuts[] = {dtb_get32(&b, DTB_OFF_STRUCT) + 8,
                     dtb_get32(&b, DTB_OFF_STRUCT) + dtb_get32(&b, DTB_SIZE_STRUCT) / 2,
                     dtb_get32(&b, DTB_OFF_STRINGS) + 10};
    for (int i = 0; i < 3; i++) {
        c = copy_prefix(&b, cuts[i]);
        dtb_set32(&c, DTB_TOTALSIZE, (uint32_t)cuts[i]);
        expect_error(&c, FDT_ERR_HEADER, i < 2 ? "fdt: struct block" : "fdt: strings block");
    }
    free(b.data);
}

static void test_bad_magic(void **state)
{
    struct blob b = good();
    (void)state;
    dtb_set32(&b, DTB_MAGIC, 0x12345678);
    expect_error(&b, FDT_ERR_MAGIC, "fdt: bad magic 0x12345678");
}

static void test_bad_version(void **state)
{
    struct blob b = good();
    (void)state;
    dtb_set32(&b, DTB_VERSION, 15);
    expect_error(&b, FDT_ERR_HEADER, "fdt: version 15 is older than 16");
    b = good();
    dtb_set32(&b, DTB_LAST_COMP, 18);
    expect_error(&b, FDT_ERR_HEADER, "fdt: last_comp_version 18 is newer than 17");
}

static void test_totalsize_out_of_range(void **state)
{
    struct blob b = good(), big = {calloc(1, 65536), 65536};
    (void)state;
    memcpy(big.data, b.data, b.size);
    dtb_set32(&big, DTB_TOTALSIZE, 9999999);
    expect_error(&big, FDT_ERR_HEADER, "fdt: totalsize 9999999 exceeds the 65536 bytes available");
    dtb_set32(&b, DTB_TOTALSIZE, 20);
    expect_error(&b, FDT_ERR_HEADER, "fdt: totalsize 20 is smaller than the 40-byte header");
}

static void test_struct_block_out_of_range(void **state)
{
    struct blob b = good();
    uint32_t total = (uint32_t)b.size;
    (void)state;
    dtb_set32(&b, DTB_OFF_STRUCT, total);
    expect_error(&b, FDT_ERR_HEADER, "fdt: struct block (offset");
    b = good();
    dtb_set32(&b, DTB_SIZE_STRUCT, 0xffffffff); /* offset + size overflows 32 bits */
    expect_error(&b, FDT_ERR_HEADER, "size 0xffffffff) is not inside the blob");
    b = good();
    dtb_set32(&b, DTB_OFF_STRUCT, 0); /* on top of the header */
    expect_error(&b, FDT_ERR_HEADER, "fdt: struct block (offset 0x0");
    b = good();
    dtb_set32(&b, DTB_OFF_STRUCT, dtb_get32(&b, DTB_OFF_STRUCT) + 2);
    dtb_set32(&b, DTB_SIZE_STRUCT, 64);
    expect_error(&b, FDT_ERR_HEADER, "is not 4-byte aligned");
}

static void test_strings_and_rsvmap_out_of_range(void **state)
{
    struct blob b = good();
    (void)state;
    dtb_set32(&b, DTB_OFF_STRINGS, 0xfffffff0);
    expect_error(&b, FDT_ERR_HEADER, "fdt: strings block (offset 0xfffffff0");
    b = good();
    dtb_set32(&b, DTB_SIZE_STRINGS, (uint32_t)b.size);
    expect_error(&b, FDT_ERR_HEADER, "fdt: strings block");
    b = good();
    dtb_set32(&b, DTB_OFF_RSVMAP, 0x2c);
    expect_error(&b, FDT_ERR_HEADER, "memory reservation map offset 0x2c is not 8-byte aligned");
    b = good(); /* point the map at the strings' tail: no (0, 0) entry before the end */
    dtb_set32(&b, DTB_OFF_RSVMAP, (uint32_t)((b.size - 16) & ~(size_t)7));
    expect_error(&b, FDT_ERR_HEADER, "has no (0, 0) end entry in the blob");
}

static void test_property_length_huge(void **state)
{
    struct blob b = good();
    (void)state;
    dtb_set32(&b, dtb_prop_offset(&b, "memory@80000000", "reg") + 4, 0xffffffff);
    expect_error(&b, FDT_ERR_STRUCTURE,
                 "fdt: property 'reg' of /memory@80000000 runs past the struct block");
}

static void test_property_name_offset_outside_strings(void **state)
{
    struct blob b = good();
    (void)state;
    dtb_set32(&b, dtb_prop_offset(&b, "cpu@0", "reg") + 8, 4000);
    expect_error(&b, FDT_ERR_STRUCTURE,
                 "fdt: property name offset 4000 of /cpus/cpu@0 is outside the strings block");
}

static void test_strings_block_unterminated(void **state)
{
    struct blob b = good();
    (void)state;
    dtb_set32(&b, DTB_SIZE_STRINGS, dtb_get32(&b, DTB_SIZE_STRINGS) - 1); /* drop last NUL */
    expect_error(&b, FDT_ERR_STRUCTURE, "has no NUL in the strings block");
}

static void test_node_name_unterminated(void **state)
{
    struct blob b = good();
    size_t name = 0;
    (void)state;
    while (memcmp(b.data + name, "memory@80000000", 16) != 0)
        name++;
    /* End the struct block in the middle of "memory@8". */
    dtb_set32(&b, DTB_SIZE_STRUCT, (uint32_t)(name + 8 - dtb_get32(&b, DTB_OFF_STRUCT)));
    expect_error(&b, FDT_ERR_STRUCTURE, "fdt: a node name in / has no NUL inside the struct block");
}

static void test_bad_tokens(void **state)
{
    struct blob b = good();
    size_t end = dtb_get32(&b, DTB_OFF_STRUCT) + dtb_get32(&b, DTB_SIZE_STRUCT) - 4;
    (void)state;
    assert_int_equal(dtb_get32(&b, end), 9); /* FDT_END closes the struct block */
    dtb_set32(&b, end, 4);                   /* ... now a NOP */
    expect_error(&b, FDT_ERR_STRUCTURE, "fdt: struct block ends without FDT_END");
    b = good();
    dtb_set32(&b, end, 0x77);
    expect_error(&b, FDT_ERR_STRUCTURE, "fdt: unknown token 0x77 at struct offset");
    b = good();
    dtb_set32(&b, end - 4, 4); /* the root's END_NODE */
    expect_error(&b, FDT_ERR_STRUCTURE, "fdt: FDT_END inside /, which was never closed");
}

static void test_bootargs_unterminated(void **state)
{
    struct blob b = good();
    size_t prop = dtb_prop_offset(&b, "chosen", "bootargs");
    (void)state;
    b.data[prop + 12 + dtb_get32(&b, prop + 4) - 1] = 'z'; /* "x y\0" -> "x yz" */
    expect_error(&b, FDT_ERR_VALUE, "fdt: property 'bootargs' of /chosen is not NUL-terminated");
}

/* A small valid tree, with one thing changed per `breakage`. */
enum breakage { INTACT, NO_CPUS, NO_MEMORY, NO_TIMEBASE, SHORT_REG, PROP_AFTER_CHILD, BAD_CELLS };

static struct blob build_tree(enum breakage how)
{
    static const uint8_t reg[16] = {0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0};
    dtb_build_begin();
    dtb_begin_node("");
    dtb_prop_u32("#address-cells", how == BAD_CELLS ? 3 : 2);
    dtb_prop_u32("#size-cells", 2);
    if (how != NO_CPUS) {
        dtb_begin_node("cpus");
        dtb_prop_u32("#address-cells", 1);
        dtb_prop_u32("#size-cells", 0);
        if (how != NO_TIMEBASE)
            dtb_prop_u32("timebase-frequency", 10000000);
        dtb_begin_node("cpu@0");
        dtb_prop_str("device_type", "cpu");
        dtb_prop_u32("reg", 0);
        dtb_prop_str("mmu-type", "riscv,sv39"); /* ch12: a hart without one cannot run hartos */
        dtb_end_node();
        if (how == PROP_AFTER_CHILD)
            dtb_prop_u32("late", 1);
        dtb_end_node();
    }
    if (how != NO_MEMORY) {
        dtb_begin_node("memory@80000000");
        dtb_prop_str("device_type", "memory");
        dtb_prop("reg", reg, how == SHORT_REG ? 12 : 16);
        dtb_end_node();
    }
    dtb_end_node();
    return dtb_build_finish();
}

static void test_hand_built_trees(void **state)
{
    struct fdt_info info;
    char err[256];
    (void)state;
    struct blob b = build_tree(INTACT);
    assert_int_equal(fdt_parse(b.data, b.size, &info, err, sizeof err), 0);
    assert_int_equal(info.memory[0].size, 0x8000000);
    free(b.data);
    b = build_tree(NO_CPUS);
    expect_error(&b, FDT_ERR_MISSING, "fdt: no /cpus node");
    b = build_tree(NO_MEMORY);
    expect_error(&b, FDT_ERR_MISSING, "fdt: no memory node");
    b = build_tree(NO_TIMEBASE);
    expect_error(&b, FDT_ERR_MISSING, "fdt: /cpus has no timebase-frequency");
    b = build_tree(SHORT_REG);
    expect_error(&b, FDT_ERR_VALUE,
                 "fdt: reg of /memory@80000000 is 12 bytes, not a multiple of its 16-byte entries");
    b = build_tree(PROP_AFTER_CHILD);
    expect_error(&b, FDT_ERR_STRUCTURE, "in /cpus follows a child node");
    b = build_tree(BAD_CELLS);
    expect_error(&b, FDT_ERR_VALUE, "fdt: reg of /memory@80000000: parent #address-cells");
}

static void test_nesting_depth(void **state)
{
    (void)state;
    for (int levels = FDT_MAX_DEPTH; levels <= FDT_MAX_DEPTH + 1; levels++) {
        dtb_build_begin();
        dtb_begin_node("");
        for (int i = 1; i < levels; i++)
            dtb_begin_node("n");
        for (int i = 0; i < levels; i++)
            dtb_end_node();
        struct blob b = dtb_build_finish();
        if (levels == FDT_MAX_DEPTH) /* deep but allowed: fails later, for lack of /cpus */
            expect_error(&b, FDT_ERR_MISSING, "fdt: no /cpus node");
        else
            expect_error(&b, FDT_ERR_STRUCTURE,
                         "deeper than 16 levels under /n/n/n/n/n/n/n/n/n/n/n/n/n/n/n");
    }
}

int main(int argc, char **argv)
{
    dtb_dir = argc > 1 ? argv[1] : getenv("FDT_DTB_DIR");
    if (dtb_dir == NULL) {
        fprintf(stderr, "usage: %s DTB_DIR (or set FDT_DTB_DIR)\n", argv[0]);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_totalsize_out_of_range),
        cmocka_unit_test(test_struct_block_out_of_range),
        cmocka_unit_test(test_strings_and_rsvmap_out_of_range),
        cmocka_unit_test(test_property_length_huge),
        cmocka_unit_test(test_property_name_offset_outside_strings),
        cmocka_unit_test(test_strings_block_unterminated),
        cmocka_unit_test(test_node_name_unterminated),
        cmocka_unit_test(test_bad_tokens),
        cmocka_unit_test(test_bootargs_unterminated),
        cmocka_unit_test(test_hand_built_trees),
        cmocka_unit_test(test_nesting_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
