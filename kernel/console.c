/* console.c: the kernel's text output, for now through the SBI legacy console.
 * A teaching kernel's first job is to speak; everything else is easier once it can.
 */
#include "kernel/console.h"
#include "kernel/sbi.h"

void console_putc(char c)
{
    if (c == '\n')
        sbi_legacy_putchar('\r');   /* the terminal wants CR LF */
    sbi_legacy_putchar(c);
}

void console_puts(const char *s)
{
    while (*s)
        console_putc(*s++);
}

void console_put_uint(uint64_t value, unsigned base)
{
    char digits[20];                /* 2^64 - 1 has 20 decimal digits */
    int n = 0;

    if (base == 16)
        console_puts("0x");
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value != 0);
    while (n > 0)
        console_putc(digits[--n]);
}
