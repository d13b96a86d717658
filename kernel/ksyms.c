/* ksyms.c: look an address up in the embedded symbol table (binary search over the sorted
 * addresses; the table itself is generated, see kernel/ksyms.h).
 */
#include "kernel/ksyms.h"

extern char __kernel_start[], __text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
    if (addr < (uint64_t)__kernel_start || addr >= (uint64_t)__text_end || ksyms_count == 0)
        return 0;
    /* Find the last symbol whose address is <= addr. */
    uint64_t lo = 0, hi = ksyms_count;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ksyms[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (ksyms[lo].addr > addr)
        return 0;
    *offset = addr - ksyms[lo].addr;
    return ksyms[lo].name;
}
