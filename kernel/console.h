/* console.h: where kernel text goes. In chapter 1 that is the SBI legacy console, one ecall
 * per byte; ch2 moves it to the UART driver once the device tree says where the UART is.
 */
#ifndef HARTOS_CONSOLE_H
#define HARTOS_CONSOLE_H

#include <stdint.h>

void console_putc(char c);
void console_puts(const char *s);
void console_put_uint(uint64_t value, unsigned base);   /* base 10 or 16 (with 0x) */

#endif
