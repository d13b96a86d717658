/* uart.c: the 16550 UART driver: polled output, and (ch8) receive interrupts whose bytes go
 * to the console line discipline (kernel/tty.c). Registers are bytes, spaced 1 << reg-shift
 * apart (National Semiconductor PC16550D datasheet; the DTB's reg-shift is 0 on QEMU).
 * The firmware has already set the line speed; we only set the frame format and FIFOs.
 */
#include "kernel/uart.h"
#include "kernel/tty.h"

/* Register offsets (in units of 1 << reg_shift), with DLAB = 0. */
#define UART_RBR 0      /* receive buffer register (read) */
#define UART_THR 0      /* transmit holding register (write) */
#define UART_IER 1      /* interrupt enable */
#define UART_FCR 2      /* FIFO control (write) */
#define UART_LCR 3      /* line control */
#define UART_LSR 5      /* line status */

#define LCR_8N1       0x03      /* 8 data bits, no parity, 1 stop bit, DLAB = 0 */
#define FCR_ENABLE    0x01
#define FCR_CLEAR_TX  0x04      /* clear the transmit FIFO */
#define IER_RX_READY  0x01      /* interrupt when received data is available */
#define LSR_DATA      0x01      /* the receive buffer (FIFO) holds a byte */
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
    /* Keep the receive FIFO: keys typed during boot wait there for the shell (type-ahead). */
    reg_write(UART_FCR, FCR_ENABLE | FCR_CLEAR_TX);
}

void uart_putc(char c)
{
    while ((reg_read(UART_LSR) & LSR_THR_EMPTY) == 0)
        ;                                       /* a few microseconds at most */
    reg_write(UART_THR, (uint8_t)c);
}

void uart_rx_interrupts_on(void)
{
    reg_write(UART_IER, IER_RX_READY);
}

/* The PLIC's handler for the UART's source: hand every byte waiting in the FIFO to the line
 * discipline. Reading RBR until LSR says empty is what clears the interrupt. */
void uart_interrupt(void)
{
    while (reg_read(UART_LSR) & LSR_DATA)
        tty_input(reg_read(UART_RBR));
}
