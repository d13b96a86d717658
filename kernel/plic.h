/* plic.h: the Platform-Level Interrupt Controller, which gathers the devices' interrupt lines
 * (the UART's, from ch8) and raises a hart's supervisor external interrupt (scause 9) for them.
 * main.c routes a source to one hart's context at boot; kernel/trap.c calls plic_interrupt.
 */
#ifndef HARTOS_PLIC_H
#define HARTOS_PLIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ch12: whether source can be routed to context on a PLIC whose node gives size and ndev; if
 * not, why, in why[n]. */
bool plic_can_route(uint64_t size, uint32_t ndev, uint32_t source, int context, char *why,
                    size_t n);

/* base: the PLIC's registers (the device tree's reg); ndev: its riscv,ndev. */
void plic_init(uint64_t base, uint32_t ndev);

/* Send source's interrupts to PLIC context `context` (the device tree's S-mode context of the
 * hart that is to take them) and call handler for each. Returns 0, or -1 if the source is out
 * of range or the handler table is full. */
int plic_route(uint32_t source, int context, void (*handler)(void));

/* The supervisor external interrupt on the hart that owns `context`: claim each pending
 * source, run its handler, complete it. */
void plic_interrupt(void);

#endif
