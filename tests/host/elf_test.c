/* elf_test.c -- host tests for kernel/elf.c: the programs the build embeds are accepted with
 * the plan the loader needs, and every kind of malformed file is refused with a message naming
 * the field. Cases damage a small image built here (or a real one); ASan fences each buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/elf.h"
#include "tests/host/elf_util.h"
#include "user/syscall.h"

static const char *user_dir; /* build/user: the cross-compiled programs */

/* Checks b (exactly len bytes) and expects -ENOEXEC with msg in the message and an empty plan. */
static void expect_refused(const struct image *m, const char *msg)
{
    struct elf_plan plan;
    char why[200];
    int rc = elf_check(m->data, m->size, &plan, why, sizeof why);
    if (rc != -ENOEXEC || strstr(why, msg) == NULL)
        fail_msg("expected -ENOEXEC \"%s\", got %d \"%s\"", msg, rc, rc ? why : "");
    assert_int_equal(plan.nsegments, 0);
}

/* Applies fn to a fresh copy of the valid test image, expects refusal, frees it. */
static void refuse_edit(void (*edit)(struct image *m), const char *msg)
{
    struct image m = image_build();
    edit(&m);
    expect_refused(&m, msg);
    free(m.data);
}

static void accept(const struct image *m, struct elf_plan *plan)
{
    char why[200] = "unchanged";
    int rc = elf_check(m->data, m->size, plan, why, sizeof why);
    if (rc != 0)
        fail_msg("refused (%d): %s", rc, why);
    assert_string_equal(why, "");
}

static void test_built_image_passes(void **state)
{
    struct elf_plan plan;
    struct image m = image_build();
    (void)state;
    accept(&m, &plan);
    assert_int_equal(plan.entry, IMG_ENTRY);
    assert_int_equal(plan.nsegments, 2); /* PT_RISCV_ATTRIBUTES is not a segment to map */
    assert_int_equal(plan.segments[0].vaddr, USER_BASE);
    assert_int_equal(plan.segments[0].offset, 0x1000);
    assert_int_equal(plan.segments[0].filesz, 0x100);
    assert_int_equal(plan.segments[0].flags, ELF_PF_R | ELF_PF_X);
    assert_int_equal(plan.segments[1].vaddr, USER_BASE + 0x1000);
    assert_int_equal(plan.segments[1].memsz, 0x800);
    assert_int_equal(plan.segments[1].flags, ELF_PF_R | ELF_PF_W);
    free(m.data);
}

/* Each real program, with and without symbols: three segments (text R+X at USER_BASE, rodata R,
 * data R+W), the entry point the file names; cutting off only the section headers is fine,
 * cutting into any part the loader reads is not. */
static void check_real(const char *file)
{
    struct elf_plan plan;
    char path[512], msg[160];
    snprintf(path, sizeof path, "%s/%s", user_dir, file);
    struct image m = image_load(path);
    accept(&m, &plan);
    assert_int_equal(plan.nsegments, 3);
    assert_int_equal(plan.entry, image_get(&m, 24, 8));
    assert_int_equal(plan.segments[0].vaddr, USER_BASE);
    assert_int_equal(plan.segments[0].flags, ELF_PF_R | ELF_PF_X);
    assert_int_equal(plan.segments[1].flags, ELF_PF_R);
    assert_int_equal(plan.segments[2].flags, ELF_PF_R | ELF_PF_W);
    const struct elf_segment *last = &plan.segments[2];
    size_t end = last->offset + last->filesz;

    struct image cut = image_prefix(&m, end); /* the section headers gone: still loadable */
    accept(&cut, &plan);
    free(cut.data);
    static const size_t tiny[] = {0, 1, 4, 63};
    for (int i = 0; i < 4; i++) {
        cut = image_prefix(&m, tiny[i]);
        expect_refused(&cut, "-byte ELF header");
        free(cut.data);
    }
    cut = image_prefix(&m, 64 + 56); /* inside the program header table */
    expect_refused(&cut, "program headers (offset 0x40, 5 x 56 bytes) are not inside the 120-byte");
    free(cut.data);
    cut = image_prefix(&m, end - 1); /* the last byte of data missing */
    snprintf(msg, sizeof msg, "segment 3: file bytes 0x%lx + 0x%lx are not inside the %zu-byte",
             (unsigned long)last->offset, (unsigned long)last->filesz, end - 1);
    expect_refused(&cut, msg);
    free(cut.data);
    free(m.data);
}

static void test_real_programs_pass(void **state)
{
    (void)state;
    check_real("hello.elf");
    check_real("hello.strip");
}

static void bad_magic(struct image *m) { m->data[1] = 'X'; }
static void class32(struct image *m) { m->data[4] = 1; }
static void big_endian(struct image *m) { m->data[5] = 2; }
static void bad_version(struct image *m) { image_set(m, 20, 4, 2); }
static void x86_64(struct image *m) { image_set(m, 18, 2, 62); }
static void shared(struct image *m) { image_set(m, 16, 2, 3); }
static void relocatable(struct image *m) { image_set(m, 16, 2, 1); }

static void test_header_refused(void **state)
{
    (void)state;
    refuse_edit(bad_magic, "elf: bad magic 7f 58 4c 46");
    refuse_edit(class32, "elf: class 1, not ELFCLASS64");
    refuse_edit(big_endian, "elf: data encoding 2, not little-endian");
    refuse_edit(bad_version, "elf: version 1/2, not 1");
    refuse_edit(x86_64, "elf: machine 62, not RISC-V (243)");
    refuse_edit(shared, "elf: type 3 (shared, ET_DYN), not an executable");
    refuse_edit(relocatable, "elf: type 1 (relocatable, ET_REL), not an executable");
}

static void phoff_past_end(struct image *m) { image_set(m, 32, 8, IMG_SIZE - 100); }
static void phoff_wraps(struct image *m) { image_set(m, 32, 8, UINT64_MAX - 63); }
static void phentsize_huge(struct image *m) { image_set(m, 54, 2, 0xffff); }
static void phnum_huge(struct image *m) { image_set(m, 56, 2, 0xffff); }
static void phnum_zero(struct image *m) { image_set(m, 56, 2, 0); }

static void test_program_header_table_refused(void **state)
{
    (void)state;
    refuse_edit(phoff_past_end, "elf: program headers (offset 0x1fac, 3 x 56 bytes) are not");
    refuse_edit(phoff_wraps, "elf: program headers (offset 0xffffffffffffffc0, 3 x 56 bytes)");
    /* phnum * phentsize up to 0xffff * 0xffff: refused before any product is formed. */
    refuse_edit(phentsize_huge, "elf: program header size 65535, not 56");
    refuse_edit(phnum_huge, "elf: 65535 program headers, not 1 to 32");
    refuse_edit(phnum_zero, "elf: 0 program headers");
}

/* Field offsets inside program header i of the test image. */
#define PH(i, field) (64 + 56 * (i) + (field))
enum { P_FLAGS = 4, P_OFFSET = 8, P_VADDR = 16, P_FILESZ = 32, P_MEMSZ = 40 };

static void data_past_end(struct image *m) { image_set(m, PH(1, P_FILESZ), 8, 0x11); }
static void offset_wraps(struct image *m)
{
    image_set(m, PH(1, P_FILESZ), 8, UINT64_MAX - 0xfff); /* 0x2000 + this wraps to 0x1000 */
    image_set(m, PH(1, P_MEMSZ), 8, UINT64_MAX);
}
static void offset_past_end(struct image *m) { image_set(m, PH(1, P_OFFSET), 8, 0x3000); }
static void filesz_over_memsz(struct image *m) { image_set(m, PH(1, P_MEMSZ), 8, 0x8); }
static void not_congruent(struct image *m) { image_set(m, PH(1, P_VADDR), 8, USER_BASE + 0x1010); }
static void below_base(struct image *m) { image_set(m, PH(0, P_VADDR), 8, 0x0); }
static void into_stack(struct image *m) { image_set(m, PH(1, P_VADDR), 8, USER_IMAGE_TOP); }
static void ends_in_stack(struct image *m) { image_set(m, PH(1, P_MEMSZ), 8, USER_IMAGE_TOP); }
static void vaddr_wraps(struct image *m)
{
    image_set(m, PH(1, P_VADDR), 8, 0xfffffffffffff000);
    image_set(m, PH(1, P_MEMSZ), 8, 0x2000);
}
static void end_wraps(struct image *m) /* 0x40001000 + memsz wraps to 0x40000000 */
{
    image_set(m, PH(1, P_MEMSZ), 8, UINT64_MAX - 0xfff);
}
static void kernel_half(struct image *m) { image_set(m, PH(1, P_VADDR), 8, 0xffffffc080200000); }

static void test_segment_bounds_refused(void **state)
{
    (void)state;
    refuse_edit(data_past_end, "elf: segment 1: file bytes 0x2000 + 0x11 are not inside the "
                               "8208-byte file");
    refuse_edit(offset_wraps, "elf: segment 1: file bytes 0x2000 + 0xfffffffffffff000 are not");
    refuse_edit(offset_past_end, "elf: segment 1: file bytes 0x3000 + 0x10");
    refuse_edit(filesz_over_memsz, "elf: segment 1: filesz 0x10 > memsz 0x8");
    refuse_edit(not_congruent, "elf: segment 1: vaddr 0x40001010 and offset 0x2000 differ modulo");
    refuse_edit(below_base, "elf: segment 0: 0x0 + 0x100 is outside the user range "
                            "[0x40000000, 0x7f000000)");
    refuse_edit(into_stack, "elf: segment 1: 0x7f000000 + 0x800 is outside the user range");
    refuse_edit(ends_in_stack, "elf: segment 1: 0x40001000 + 0x7f000000 is outside");
    refuse_edit(vaddr_wraps, "elf: segment 1: 0xfffffffffffff000 + 0x2000 is outside");
    refuse_edit(end_wraps, "elf: segment 1: 0x40001000 + 0xfffffffffffff000 is outside");
    refuse_edit(kernel_half, "elf: segment 1: 0xffffffc080200000 + 0x800 is outside");
}

static void same_page(struct image *m) { image_set(m, PH(0, P_MEMSZ), 8, 0x1001); }
static void same_address(struct image *m)
{
    image_set(m, PH(1, P_VADDR), 8, USER_BASE);
    image_set(m, PH(1, P_FLAGS), 4, ELF_PF_R);
}
static void write_exec(struct image *m) { image_set(m, PH(0, P_FLAGS), 4, 7); }
static void write_exec_data(struct image *m) { image_set(m, PH(1, P_FLAGS), 4, 3); }
static void write_only(struct image *m) { image_set(m, PH(1, P_FLAGS), 4, ELF_PF_W); }
static void no_permissions(struct image *m) { image_set(m, PH(1, P_FLAGS), 4, 0); }

static void test_layout_refused(void **state)
{
    (void)state;
    refuse_edit(same_page, "elf: segment 1 (0x40001000-0x40001800) shares a page with the segment at "
                           "0x40000000-0x40001001");
    refuse_edit(same_address, "elf: segment 1 (0x40000000-0x40000800) shares a page");
    refuse_edit(write_exec, "elf: segment 0 at 0x40000000 is both writable and executable");
    refuse_edit(write_exec_data, "elf: segment 1 at 0x40001000 is both writable and executable");
    /* Pages Sv39 cannot map (W without R is reserved) or that would be no use (no access). */
    refuse_edit(write_only, "elf: segment 1 at 0x40001000 is writable but not readable");
    refuse_edit(no_permissions, "elf: segment 1 at 0x40001000 is neither readable nor executable");
}

static void entry_in_data(struct image *m) { image_set(m, 24, 8, USER_BASE + 0x1000); }
static void entry_past_text(struct image *m) { image_set(m, 24, 8, USER_BASE + 0x100); }
static void entry_zero(struct image *m) { image_set(m, 24, 8, 0); }
static void no_exec(struct image *m) { image_set(m, PH(0, P_FLAGS), 4, ELF_PF_R); }
static void too_big(struct image *m) { image_set(m, PH(1, P_MEMSZ), 8, USER_IMAGE_MAX); }

static void test_entry_and_size_refused(void **state)
{
    (void)state;
    refuse_edit(entry_in_data, "elf: entry point 0x40001000 is not inside an executable segment");
    refuse_edit(entry_past_text, "elf: entry point 0x40000100 is not inside");
    refuse_edit(entry_zero, "elf: entry point 0x0 is not inside");
    refuse_edit(no_exec, "elf: no executable segment");
    refuse_edit(too_big, "elf: segments need 0x1001000 bytes, more than the limit of 0x1000000");

    struct image big = {calloc(1, USER_IMAGE_MAX + 1), USER_IMAGE_MAX + 1};
    struct image m = image_build();
    memcpy(big.data, m.data, m.size);
    expect_refused(&big, "elf: file of 16777217 bytes is larger than the limit of 16777216");
    free(big.data);
    free(m.data);
}

/* What the checker must let through: other segment types with any fields (real binaries carry
 * PT_RISCV_ATTRIBUTES, PT_TLS, PT_GNU_STACK), and an empty PT_LOAD, which maps nothing
 * (ld emits one at address 0 for an empty output section: a program with no rodata). */
static void odd_attributes(struct image *m)
{
    image_set(m, PH(2, P_OFFSET), 8, UINT64_MAX);
    image_set(m, PH(2, P_FILESZ), 8, UINT64_MAX);
    image_set(m, PH(2, P_FLAGS), 4, 7);
}
static void empty_load(struct image *m)
{
    image_set(m, PH(2, 0), 4, 1);
    image_set(m, PH(2, P_VADDR), 8, 0);
    image_set(m, PH(2, P_OFFSET), 8, 0);
}

static void test_ignored_parts_pass(void **state)
{
    struct elf_plan plan;
    void (*edits[])(struct image *) = {odd_attributes, empty_load};
    (void)state;
    for (int i = 0; i < 2; i++) {
        struct image m = image_build();
        edits[i](&m);
        accept(&m, &plan);
        assert_int_equal(plan.nsegments, 2);
        free(m.data);
    }
}

/* A segment may end exactly where the stack reserve begins, not a byte into it. */
static void ends_at_image_top(struct image *m)
{
    image_set(m, PH(1, P_VADDR), 8, USER_IMAGE_TOP - 0x1000);
    image_set(m, PH(1, P_MEMSZ), 8, 0x1000);
}
static void one_byte_into_stack(struct image *m)
{
    ends_at_image_top(m);
    image_set(m, PH(1, P_MEMSZ), 8, 0x1001);
}

static void test_stack_reserve_edge(void **state)
{
    struct elf_plan plan;
    struct image m = image_build();
    (void)state;
    ends_at_image_top(&m);
    accept(&m, &plan);
    assert_int_equal(plan.segments[1].vaddr + plan.segments[1].memsz, USER_IMAGE_TOP);
    free(m.data);
    refuse_edit(one_byte_into_stack, "elf: segment 1: 0x7efff000 + 0x1001 is outside the user "
                                     "range");
}

/* The message is cut to fit and always terminated; with no room, nothing is written. */
static void test_message_fits(void **state)
{
    struct elf_plan plan;
    char why[12];
    (void)state;
    memset(why, 'x', sizeof why);
    assert_int_equal(elf_check(NULL, 100, &plan, why, 8), -ENOEXEC);
    assert_string_equal(why, "elf: 0 ");
    assert_int_equal(why[8], 'x');
    assert_int_equal(elf_check("", 0, &plan, why, 0), -ENOEXEC);
    assert_int_equal(why[0], 'e');
}

int main(int argc, char **argv)
{
    user_dir = argc > 1 ? argv[1] : "build/user";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_built_image_passes),
        cmocka_unit_test(test_real_programs_pass),
        cmocka_unit_test(test_header_refused),
        cmocka_unit_test(test_program_header_table_refused),
        cmocka_unit_test(test_segment_bounds_refused),
        cmocka_unit_test(test_layout_refused),
        cmocka_unit_test(test_entry_and_size_refused),
        cmocka_unit_test(test_ignored_parts_pass),
        cmocka_unit_test(test_stack_reserve_edge),
        cmocka_unit_test(test_message_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
