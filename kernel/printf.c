/* printf.c: kprintf = the formatting engine (kernel/format.c) writing onto the console, with
 * the console held for the whole call so that one call's output stays in one piece.
 */
#include "kernel/printf.h"
#include "kernel/console.h"
#include "kernel/format.h"

static void console_out(char c, void *ctx)
{
    (void)ctx;
    console_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    console_lock();
    int n = format(console_out, NULL, fmt, ap);
    console_unlock();
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
