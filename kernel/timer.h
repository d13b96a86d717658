/* timer.h: periodic timer interrupts on every hart, `hz` times a second (boot argument hz=,
 * default 100), counted in ticks; and the time since boot.
 */
#ifndef HARTOS_TIMER_H
#define HARTOS_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_DEFAULT_HZ 100
#define TIMER_MAX_HZ     10000

/* Once, on the boot hart: the tree's timebase-frequency, the rate, and whether the harts have
 * the Sstc extension (their own stimecmp CSR) or must ask the firmware (SBI set_timer). */
void timer_init(uint64_t timebase_hz, uint64_t hz, bool sstc);
void timer_start_hart(void);            /* arm this hart's first deadline, enable STIE */

struct hart;
void timer_step_deadline(struct hart *h);   /* one period on from h->timer_next (for tests) */

uint64_t timer_ticks(void);             /* ticks of the boot hart: the kernel's clock */
uint64_t timer_hz(void);
uint64_t timer_timebase(void);
bool timer_uses_sstc(void);
/* Booted with `icount` (QEMU -icount, tools/qemu ICOUNT=1): a hart that waits should end its
 * turn on the one host thread, so that the hart it waits for can run (kernel/timer.c). */
bool timer_icount(void);
uint64_t uptime_ms(void);               /* from the time CSR, not from ticks */

#endif
