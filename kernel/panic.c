/* panic.c: the kernel's last words. Everything here must work on a kernel in a bad state:
 * it uses only the console, the symbol table and the stack it is running on.
 *
 * The backtrace follows frame pointers. With -fno-omit-frame-pointer every RISC-V function's
 * prologue saves its return address at fp - 8 and its caller's frame pointer at fp - 16,
 * where fp (s0) is the stack pointer on entry. entry.S starts the chain with fp = 0.
 */
#include "kernel/panic.h"
#include "kernel/console.h"
#include "kernel/hart.h"
#include "kernel/ksyms.h"
#include "kernel/poweroff.h"
#include "kernel/printf.h"

#include <stdarg.h>

#define BACKTRACE_MAX_FRAMES 32

static int panicking;

void backtrace_print(uint64_t fp)
{
    uint64_t lo, hi;
    hart_stack_bounds(&lo, &hi);
    for (int depth = 0; depth < BACKTRACE_MAX_FRAMES; depth++) {
        /* A frame must lie inside this stack, above the last one (stacks grow down). */
        if (fp == 0)
            return;
        if (fp % 8 != 0 || fp < lo + 16 || fp > hi) {
            kprintf("    (frame pointer %p is outside the stack %p-%p; stopping)\n",
                    (void *)fp, (void *)lo, (void *)hi);
            return;
        }
        uint64_t ra = ((uint64_t *)fp)[-1];
        uint64_t offset;
        /* ra is the instruction after the call; ra - 1 is inside the call, which keeps a
         * call at the very end of a function from being named after the next function. */
        const char *name = ksym_lookup(ra - 1, &offset);
        if (name)
            kprintf("    #%d %p %s+%#lx\n", depth, (void *)ra, name, offset + 1);
        else
            kprintf("    #%d %p ?\n", depth, (void *)ra);
        uint64_t caller_fp = ((uint64_t *)fp)[-2];
        if (caller_fp != 0 && caller_fp <= fp) {
            kprintf("    (caller's frame pointer %p is below this frame; stopping)\n",
                    (void *)caller_fp);
            return;
        }
        fp = caller_fp;
    }
    kprintf("    (more than %d frames; stopping)\n", BACKTRACE_MAX_FRAMES);
}

void panic(const char *fmt, ...)
{
    if (panicking++) {
        /* A panic inside a panic (a fault while printing, say): say so and stop at once. */
        console_puts("\npanic: nested panic while panicking; powering off\n");
        poweroff(PANIC_EXIT_STATUS);
    }

    va_list ap;
    va_start(ap, fmt);
    kprintf("\npanic: ");
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n  on hart %lu\n  backtrace:\n", (unsigned long)hart_id());
    backtrace_print((uint64_t)__builtin_frame_address(0));
    poweroff(PANIC_EXIT_STATUS);
}
