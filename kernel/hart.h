/* hart.h: what the kernel knows about the hart it is running on. Chapter 2 has only the boot
 * hart; ch3 gives each hart a per-hart area reached through the tp register.
 */
#ifndef HARTOS_HART_H
#define HARTOS_HART_H

#include <stdint.h>

extern uint64_t boot_hart_id;       /* set by kmain */

static inline uint64_t hart_id(void)
{
    return boot_hart_id;
}

/* The bounds of the stack this code runs on: backtraces must not leave it. */
void hart_stack_bounds(uint64_t *lo, uint64_t *hi);

#endif
