/* elf_util.h -- helpers for the ELF host tests: a small valid RISC-V executable built in
 * memory, real files loaded from the build, and little-endian field access for damaging them.
 * Every image lives in an exact-size allocation, so ASan sees any read past its end. */
#ifndef HARTOS_ELF_UTIL_H
#define HARTOS_ELF_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct image {
    uint8_t *data;
    size_t size;
};

/* The test image, IMG_SIZE bytes: an ELF header, three program headers
 *   0  PT_LOAD R+X  offset 0x1000  vaddr USER_BASE          filesz 0x100  memsz 0x100
 *   1  PT_LOAD R+W  offset 0x2000  vaddr USER_BASE + 0x1000  filesz 0x10   memsz 0x800
 *   2  PT_RISCV_ATTRIBUTES (ignored by elf_check)
 * and entry IMG_ENTRY, inside segment 0. */
#define IMG_SIZE  0x2010
#define IMG_ENTRY (USER_BASE + 0x20)
struct image image_build(void);

/* The file at path; fails the current cmocka test if it cannot be read. */
struct image image_load(const char *path);

/* A copy of the first n bytes of m. */
struct image image_prefix(const struct image *m, size_t n);

/* The n-byte (1, 2, 4 or 8) little-endian field at off. */
uint64_t image_get(const struct image *m, size_t off, int n);
void image_set(struct image *m, size_t off, int n, uint64_t v);

#endif
