/* uart.c: a polled driver for the 16550 UART. Registers are bytes, spaced 1 << reg-shift apart
 * (National Semiconductor PC16550D datasheet; the DTB's reg-shift property is 0 on QEMU).
 * The firmware has already set the line speed; we only set the frame format and FIFOs.
 */
#include "kernel/uart.h"

/* Register offsets (in units of 1 << reg_shift), with DLAB = 0. */
#define UART_THR 0      /* transmit holding register (write) */
#define UART_IER 1      /* interrupt enable */
#define UART_FCR 2      /* FIFO control (write) */
#define UART_LCR 3      /* line control */
#define UART_LSR 5      /* line status */

#define LCR_8N1       0x03      /* 8 data bits, no parity, 1 stop bit, DLAB = 0 */
#define FCR_ENABLE    0x01
#define FCR_CLEAR     0x06      /* clear both FIFOs */
#define LSR_THR_EMPTY 0x20      /* transmit holding register can take a byte */

static volatile uint8_t *uart_base;
static uint32_t uart_shift;

static inline void reg_write(int reg, uint8_t value)
{
    uart_base[reg << uart_shift] = value;
}

static inline uint8_t reg_read(int reg)
{
    return uart_base[reg << uart_shift];
}

void uart_init(uint64_t base, uint32_t reg_shift)
{
    uart_base = (volatile uint8_t *)base;
    uart_shift = reg_shift;
    reg_write(UART_IER, 0);                     /* polled: no interrupts yet */
    reg_write(UART_LCR, LCR_8N1);
    reg_write(UART_FCR, FCR_ENABLE | FCR_CLEAR);
}

void uart_putc(char c)
{
    while ((reg_read(UART_LSR) & LSR_THR_EMPTY) == 0)
        ;                                       /* a few microseconds at most */
    reg_write(UART_THR, (uint8_t)c);
}
