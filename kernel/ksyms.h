/* ksyms.h: the kernel's own symbol table, embedded in the image at build time so a panic can
 * name functions without any host tool. The Makefile links twice: the first link's `nm` output
 * becomes build/ksyms.S (tools/ksyms), and the second link includes it.
 */
#ifndef HARTOS_KSYMS_H
#define HARTOS_KSYMS_H

#include <stdint.h>

struct ksym {
    uint64_t addr;          /* sorted ascending */
    const char *name;
};

extern const struct ksym ksyms[];
extern const uint64_t ksyms_count;

/* The function containing addr and the offset into it; NULL if addr is outside the kernel's
 * text. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif
