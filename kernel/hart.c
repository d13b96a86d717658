/* hart.c: per-hart facts. For now: which hart booted, and where its stack is (entry.S gives
 * the boot hart stack slot 0 of boot_stacks).
 */
#include "kernel/hart.h"
#include "kernel/param.h"

extern char boot_stacks[];

uint64_t boot_hart_id;

void hart_stack_bounds(uint64_t *lo, uint64_t *hi)
{
    *lo = (uint64_t)boot_stacks;
    *hi = (uint64_t)boot_stacks + KSTACK_SIZE;
}
