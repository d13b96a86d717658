/* console.c: the kernel's text output. It starts on the SBI legacy console, which needs no
 * knowledge of the machine, and moves to the UART once the device tree says where it is.
 */
#include "kernel/console.h"
#include "kernel/sbi.h"
#include "kernel/spinlock.h"
#include "kernel/uart.h"

#include <stdbool.h>

/* Set by the boot hart before the other harts start; cleared (ch12) by early_trap
 * (kernel/trap.c) on whichever hart faulted at the UART, or by console_putc on whichever hart
 * found it never ready, while the others may be printing. Relaxed atomics: a reader sees the
 * old value or the new one, and nothing else hangs on which. */
static int on_uart;            /* 0 or 1 (an int: RISC-V swaps words, not bytes) */

void console_use_uart(enum uart_kind kind, uint64_t base, uint32_t reg_shift, uint32_t io_width)
{
    uart_init(kind, base, reg_shift, io_width);
    __atomic_store_n(&on_uart, 1, __ATOMIC_RELAXED);
}

void console_use_sbi(void)
{
    __atomic_store_n(&on_uart, 0, __ATOMIC_RELAXED);
}

bool console_on_uart(void)
{
    return __atomic_load_n(&on_uart, __ATOMIC_RELAXED) != 0;
}

void console_putc(char c)
{
    if (c == '\n')
        console_putc('\r');     /* the terminal wants CR LF */
    if (__atomic_load_n(&on_uart, __ATOMIC_RELAXED)) {
        if (uart_putc(c))
            return;
        /* ch12: the UART never had room for the byte: the tree put it where none answers.
         * Back to SBI, saying so once (whichever hart found it first; on_uart is clear now,
         * so the message goes to SBI too). */
        if (__atomic_exchange_n(&on_uart, 0, __ATOMIC_RELAXED))
            console_puts("\nconsole: the UART never had room for a byte; "
                         "back on the SBI console\n");
    }
    sbi_legacy_putchar(c);
}

void console_puts(const char *s)
{
    while (*s)
        console_putc(*s++);
}

/* One kprintf call's characters stay together: lines from different harts never interleave.
 * The console lock is a leaf: nothing else is ever taken while it is held. A panic ignores it
 * (console_break_lock), since the panicking hart may be the one holding it. */
static struct spinlock console_spin = SPINLOCK_INIT("console", LOCK_CONSOLE);
static volatile bool console_broken;

void console_lock(void)
{
    if (!console_broken)
        spin_lock(&console_spin);
}

void console_unlock(void)
{
    if (!console_broken)
        spin_unlock(&console_spin);
}

void console_break_lock(void)
{
    console_broken = true;
}
