/* smp.h: the other harts. The boot hart starts every hart the device tree lists (that has an
 * MMU) through SBI HSM; each then runs its own idle loop, timer and run queue. IPIs (SBI
 * send_ipi, arriving as supervisor software interrupts) wake a hart or stop it.
 */
#ifndef HARTOS_SMP_H
#define HARTOS_SMP_H

#include <stdint.h>

struct fdt_info;

/* Start the other harts and wait (at most SMP_START_WAIT_S, kernel/smp.c) until they are up;
 * a hart later than that is named and left out, and parks itself if it ever arrives. */
void smp_start(const struct fdt_info *machine, uint64_t boot_hartid);
int smp_harts(void);                    /* harts running: harts[0 .. smp_harts() - 1] */

/* A software interrupt to harts[index] (a wake-up: it reschedules). */
void smp_kick(int index);
/* The same to every harts[i] whose bit i is set, in as few SBI calls as the ids allow. */
void smp_kick_many(uint64_t index_bits);
/* Panic: stop every other hart where it is (they park with interrupts off). */
void smp_stop_others(void);
/* The software interrupt handler (kernel/trap.c). */
void smp_ipi_interrupt(void);

#endif
