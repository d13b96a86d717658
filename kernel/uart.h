/* uart.h: the serial port the console talks to. Two kinds, both found in the device tree:
 * the NS16550A that QEMU's virt machine and many boards provide (the VisionFive 2's
 * DesignWare UART is one, with 32-bit registers), and the SiFive UART of the HiFive boards and
 * QEMU's sifive_u (ch12). Polled output in chapter 2; ch8 adds receive interrupts via the PLIC.
 */
#ifndef HARTOS_UART_H
#define HARTOS_UART_H

#include <stdbool.h>
#include <stdint.h>

enum uart_kind {
    UART_16550,     /* byte-wide registers (io_width 1) or 32-bit ones (io_width 4) */
    UART_SIFIVE,    /* sifive,uart0: 32-bit registers, its own layout */
};

/* From the device tree node: reg (base), reg-shift, reg-io-width. */
void uart_init(enum uart_kind kind, uint64_t base, uint32_t reg_shift, uint32_t io_width);
bool uart_putc(char c);          /* false: the UART never had room (ch12) */
bool uart_owns(uint64_t addr);   /* ch12: addr is one of its registers */
/* ch8: raise an interrupt for every received byte; uart_interrupt (the PLIC's handler for the
 * UART) passes them to tty_input. */
void uart_rx_interrupts_on(void);
void uart_interrupt(void);

#endif
