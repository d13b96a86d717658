/* elf_util.c -- the ELF test images (see elf_util.h). The header fields written here are the
 * System V gABI's; kernel/elf.c reads the same offsets, so a test that fails points at one of
 * the two disagreeing with the spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/host/elf_util.h"
#include "user/syscall.h"

#define PT_LOAD             1
#define PT_RISCV_ATTRIBUTES 0x70000003

uint64_t image_get(const struct image *m, size_t off, int n)
{
    uint64_t v = 0;
    assert_true(off + (size_t)n <= m->size);
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | m->data[off + (size_t)i];
    return v;
}

void image_set(struct image *m, size_t off, int n, uint64_t v)
{
    assert_true(off + (size_t)n <= m->size);
    for (int i = 0; i < n; i++, v >>= 8)
        m->data[off + (size_t)i] = (uint8_t)v;
}

static void phdr(struct image *m, int i, uint32_t type, uint32_t flags, uint64_t offset,
                 uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
    size_t ph = 64 + 56 * (size_t)i;
    image_set(m, ph + 0, 4, type);
    image_set(m, ph + 4, 4, flags);
    image_set(m, ph + 8, 8, offset);
    image_set(m, ph + 16, 8, vaddr);
    image_set(m, ph + 24, 8, vaddr); /* p_paddr */
    image_set(m, ph + 32, 8, filesz);
    image_set(m, ph + 40, 8, memsz);
    image_set(m, ph + 48, 8, 0x1000);
}

struct image image_build(void)
{
    struct image m = {calloc(1, IMG_SIZE), IMG_SIZE};
    assert_non_null(m.data);
    memcpy(m.data, "\x7f" "ELF\x02\x01\x01", 7); /* ELF64, little-endian, version 1 */
    image_set(&m, 16, 2, 2);                      /* e_type ET_EXEC */
    image_set(&m, 18, 2, 243);                    /* e_machine EM_RISCV */
    image_set(&m, 20, 4, 1);                      /* e_version */
    image_set(&m, 24, 8, IMG_ENTRY);
    image_set(&m, 32, 8, 64);                     /* e_phoff: right after the header */
    image_set(&m, 52, 2, 64);                     /* e_ehsize */
    image_set(&m, 54, 2, 56);                     /* e_phentsize */
    image_set(&m, 56, 2, 3);                      /* e_phnum */
    phdr(&m, 0, PT_LOAD, 5, 0x1000, USER_BASE, 0x100, 0x100);
    phdr(&m, 1, PT_LOAD, 6, 0x2000, USER_BASE + 0x1000, 0x10, 0x800);
    phdr(&m, 2, PT_RISCV_ATTRIBUTES, 4, 0x2010, 0, 0, 0);
    memset(m.data + 0x1000, 0x13, 0x100);         /* bytes for the segments to hold */
    memset(m.data + 0x2000, 0xaa, 0x10);
    return m;
}

struct image image_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s (run make first)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    struct image m = {malloc(n > 0 ? (size_t)n : 1), n > 0 ? (size_t)n : 0};
    assert_non_null(m.data);
    if (fread(m.data, 1, m.size, f) != m.size)
        fail_msg("short read of %s", path);
    fclose(f);
    return m;
}

struct image image_prefix(const struct image *m, size_t n)
{
    struct image c = {malloc(n ? n : 1), n};
    assert_non_null(c.data);
    memcpy(c.data, m->data, n);
    return c;
}
