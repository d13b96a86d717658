/* format.h -- the printf formatting engine shared by kprintf, panic and ksnprintf.
 * format() turns a format string into characters handed one at a time to an output
 * function, so the console, a string buffer and the gdb log can all reuse it. */
#ifndef HARTOS_FORMAT_H
#define HARTOS_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each output character; ctx is whatever the caller passed to format(). */
typedef void (*format_out_fn)(char c, void *ctx);

/* Conversions: %d %i %u %x %X %p %s %c %%, length modifiers hh h l ll z, flags - 0 + space #,
 * field width and precision (numbers or *). %p of NULL prints "(nil)" and %s of NULL prints
 * "(null)" (both as glibc does). An unknown conversion is printed literally ("%q" -> "%q")
 * and consumes no argument. Returns the number of characters emitted. */
int format(format_out_fn out, void *ctx, const char *fmt, va_list ap);

/* C99 snprintf semantics: writes at most n-1 characters plus a NUL (when n > 0) and
 * returns the length the full output would have had. */
int ksnprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
