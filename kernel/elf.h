/* elf.h -- elf_check(): decide whether an ELF file is a RISC-V executable hartos will run, and
 * say exactly why not. Pure (no allocation, no kernel state), so the host tests and the fuzzer
 * run it too; the loader (spawn) maps what the plan lists and trusts nothing else. */
#ifndef HARTOS_ELF_H
#define HARTOS_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_PHDRS    32 /* more program headers is refused (ld emits 3 to 6) */
#define ELF_MAX_SEGMENTS 8  /* PT_LOAD segments a plan holds; more is refused */

/* p_flags bits (System V ABI, "Segment Permissions"). */
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

/* One PT_LOAD: map [vaddr, vaddr + memsz) with flags; its first filesz bytes come from the
 * image at offset, the rest is zero (.bss). Segments are listed in program-header order and do
 * not share a page, so each page gets one segment's permissions. */
struct elf_segment {
    uint64_t vaddr, memsz;
    uint64_t offset, filesz;
    uint32_t flags; /* ELF_PF_* */
};

struct elf_plan {
    uint64_t entry;
    int nsegments;
    struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/* Checks the len bytes at image: an ELF64 little-endian RISC-V executable (ET_EXEC) whose
 * PT_LOAD segments lie inside the file and inside [USER_BASE, USER_IMAGE_TOP) (user/syscall.h),
 * with vaddr = offset modulo the page size, memsz >= filesz, no two sharing a page, each
 * readable or executable, none writable without readable or both writable and executable,
 * USER_IMAGE_MAX bytes at most in all, and the entry point inside an executable one. So every
 * segment of a plan is one vm_alloc_map the loader can make. Other segment types (PT_RISCV_ATTRIBUTES, PT_GNU_STACK, ...) are ignored.
 * Returns 0 and fills *plan, or -ENOEXEC with a message such as
 * "elf: segment 2: filesz 0x2000 > memsz 0x1000" in why (always NUL-terminated if whylen > 0). */
int elf_check(const void *image, size_t len, struct elf_plan *plan, char *why, size_t whylen);

#endif
