/* printf.h: kprintf, the kernel's printf onto the console. The conversions are those of
 * kernel/format.h (%d %i %u %x %X %p %s %c %% with hh h l ll z, width, precision, - 0 flags).
 */
#ifndef HARTOS_PRINTF_H
#define HARTOS_PRINTF_H

#include <stdarg.h>

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
