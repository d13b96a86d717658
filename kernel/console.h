/* console.h: where kernel text goes. Until the device tree has been read that is the SBI
 * legacy console (one ecall per byte); then console_use_uart() switches to the UART driver.
 * kprintf (kernel/printf.h) formats onto it.
 */
#ifndef HARTOS_CONSOLE_H
#define HARTOS_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/uart.h"

/* The device tree's UART (kind, reg, reg-shift, reg-io-width) becomes the console. */
void console_use_uart(enum uart_kind kind, uint64_t base, uint32_t reg_shift, uint32_t io_width);
void console_use_sbi(void);         /* back to SBI: a fault at the UART (kernel/trap.c) */
bool console_on_uart(void);         /* the UART (not SBI) is the console: input can be had */
void console_putc(char c);
void console_puts(const char *s);

/* Holding the console keeps one kprintf call's characters together (a spinlock since ch6). */
void console_lock(void);
void console_unlock(void);
void console_break_lock(void);      /* panic: print whoever holds the lock */

#endif
