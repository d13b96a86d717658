/* uart.h: the NS16550A serial port QEMU's virt machine (and many boards) provide. Polled
 * output in chapter 2; ch8 adds receive interrupts through the PLIC.
 */
#ifndef HARTOS_UART_H
#define HARTOS_UART_H

#include <stdint.h>

/* base and reg_shift come from the device tree node (reg, reg-shift). */
void uart_init(uint64_t base, uint32_t reg_shift);
void uart_putc(char c);
/* ch8: raise an interrupt for every received byte; uart_interrupt (the PLIC's handler for the
 * UART) passes them to tty_input. */
void uart_rx_interrupts_on(void);
void uart_interrupt(void);

#endif
