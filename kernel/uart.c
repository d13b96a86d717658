/* uart.c: the UART drivers: polled output, and (ch8) receive interrupts whose bytes go to the
 * console line discipline (kernel/tty.c). Two kinds of UART (ch12), chosen by the device tree:
 *
 * - The 16550 (National Semiconductor PC16550D datasheet): registers are bytes, spaced
 *   1 << reg-shift apart (reg-shift is 0 on QEMU's virt). Some SoCs wire it with 32-bit
 *   registers (reg-io-width 4, reg-shift 2: the VisionFive 2's snps,dw-apb-uart); then every
 *   access is a 32-bit load or store. The firmware has set the line speed; we set the frame
 *   format and the FIFOs.
 * - The SiFive UART (SiFive FU540-C000 manual, chapter "Universal Asynchronous
 *   Receiver/Transmitter"): seven 32-bit registers. A full transmit FIFO and an empty receive
 *   FIFO show in bit 31 of txdata and rxdata, and reading rxdata pops a byte, so it is read once
 *   and then tested.
 */
#include "kernel/uart.h"
#include "kernel/tty.h"

#include <stdbool.h>

/* 16550 register numbers (in units of 1 << reg_shift), with DLAB = 0. */
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

/* SiFive UART registers: byte offsets of 32-bit words. */
#define SIFIVE_TXDATA 0x00      /* write: a byte to send; read: bit 31 = FIFO full */
#define SIFIVE_RXDATA 0x04      /* read: a byte received, or bit 31 = FIFO empty */
#define SIFIVE_TXCTRL 0x08      /* bit 0: transmit enable */
#define SIFIVE_RXCTRL 0x0c      /* bit 0: receive enable; bits 18:16 the watermark */
#define SIFIVE_IE     0x10      /* bit 1: interrupt while the rx FIFO holds > watermark bytes */
#define SIFIVE_FULL   (1u << 31)
#define SIFIVE_EMPTY  (1u << 31)
#define SIFIVE_TXEN   1u
#define SIFIVE_RXEN   1u        /* with watermark 0: interrupt as soon as one byte is there */
#define SIFIVE_IE_RXWM 2u       /* not txwm: with it on, QEMU's model holds the line high */

static enum uart_kind uart_kind;
static volatile uint8_t *uart_base;
static uint32_t uart_shift;
static bool uart_words;         /* a 16550 with 32-bit registers (reg-io-width 4) */

static inline void reg_write(int reg, uint8_t value)
{
    if (uart_words)
        *(volatile uint32_t *)(uart_base + (reg << uart_shift)) = value;
    else
        uart_base[reg << uart_shift] = value;
}

static inline uint8_t reg_read(int reg)
{
    if (uart_words)
        return (uint8_t)*(volatile uint32_t *)(uart_base + (reg << uart_shift));
    return uart_base[reg << uart_shift];
}

static inline volatile uint32_t *sifive(int offset)
{
    return (volatile uint32_t *)(uart_base + offset);
}

void uart_init(enum uart_kind kind, uint64_t base, uint32_t reg_shift, uint32_t io_width)
{
    uart_kind = kind;
    uart_base = (volatile uint8_t *)base;
    uart_shift = reg_shift;
    uart_words = io_width == 4;
    if (kind == UART_SIFIVE) {
        *sifive(SIFIVE_IE) = 0;                 /* polled: no interrupts yet */
        *sifive(SIFIVE_TXCTRL) |= SIFIVE_TXEN;  /* the firmware set the divisor; keep it */
        *sifive(SIFIVE_RXCTRL) = SIFIVE_RXEN;
        return;
    }
    reg_write(UART_IER, 0);                     /* polled: no interrupts yet */
    /* The DesignWare 16550 refuses an LCR write while it is busy sending (and raises a "busy"
     * interrupt); the firmware that printed before us has set 8N1 already, so leave LCR be. */
    if (!uart_words)
        reg_write(UART_LCR, LCR_8N1);
    /* Keep the receive FIFO: keys typed during boot wait there for the shell (type-ahead). */
    reg_write(UART_FCR, FCR_ENABLE | FCR_CLEAR_TX);
}

static bool tx_ready(void);     /* ch12: a bounded wait, at the end of this file */
/* Send c once the transmitter has room; false if it never has (a UART that is not there). */
bool uart_putc(char c)
{
    if (!tx_ready())
        return false;
    if (uart_kind == UART_SIFIVE)
        *sifive(SIFIVE_TXDATA) = (uint8_t)c;
    else
        reg_write(UART_THR, (uint8_t)c);
    return true;
}

void uart_rx_interrupts_on(void)
{
    if (uart_kind == UART_SIFIVE)
        *sifive(SIFIVE_IE) = SIFIVE_IE_RXWM;
    else
        reg_write(UART_IER, IER_RX_READY);
}

/* The PLIC's handler for the UART's source: hand every byte waiting in the FIFO to the line
 * discipline. Emptying the FIFO is what lowers the interrupt, on both kinds. */
void uart_interrupt(void)
{
    if (uart_kind == UART_SIFIVE) {
        uint32_t v;
        while (((v = *sifive(SIFIVE_RXDATA)) & SIFIVE_EMPTY) == 0)
            tty_input((uint8_t)v);
        return;
    }
    while (reg_read(UART_LSR) & LSR_DATA)
        tty_input(reg_read(UART_RBR));
}

/* ch12: is addr one of the UART's registers? (kernel/trap.c's early_trap asks, to tell a fault
 * at the UART, which must not be reported through it, from any other.) A 16550 has eight
 * registers 1 << reg_shift bytes apart; the SiFive UART's run from txdata to ie. */
bool uart_owns(uint64_t addr)
{
    uint64_t span = uart_kind == UART_SIFIVE ? SIFIVE_IE + 4 : 8u << uart_shift;
    return uart_base && addr - (uint64_t)uart_base < span;
}

/* ch12: wait until the transmitter can take a byte: a few microseconds on a real UART (a FIFO of
 * 8 or 16 bytes drains in about a millisecond at 115200 baud). A tree can put the UART where
 * none answers; its "status" then never says ready, so until it has said so once, give up after
 * TX_SPINS reads rather than hang the boot without a word. After that it is a UART, and a slow
 * reader at the other end (a stalled terminal) is waited for. */
#define TX_SPINS (1u << 20)
static int answered;            /* set once by whichever hart first sees it ready */

static bool tx_ready(void)
{
    for (uint32_t i = 0; i < TX_SPINS || __atomic_load_n(&answered, __ATOMIC_RELAXED); i++) {
        if (uart_kind == UART_SIFIVE ? (*sifive(SIFIVE_TXDATA) & SIFIVE_FULL) == 0
                                     : (reg_read(UART_LSR) & LSR_THR_EMPTY) != 0) {
            if (!__atomic_load_n(&answered, __ATOMIC_RELAXED))
                __atomic_store_n(&answered, 1, __ATOMIC_RELAXED);  /* not a store per byte */
            return true;
        }
    }
    return false;
}
