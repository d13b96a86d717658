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
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/trap.h"

#include <stdarg.h>
#include <stdbool.h>

extern char __kernel_start[], __text_end[];

#define BACKTRACE_MAX_FRAMES 32

static int panicking;

static bool in_text(uint64_t addr)
{
    return addr >= (uint64_t)__kernel_start && addr < (uint64_t)__text_end;
}

static void print_frame(int depth, uint64_t pc, uint64_t lookup)
{
    uint64_t offset;
    const char *name = ksym_lookup(lookup, &offset);
    if (name)
        kprintf("    #%d %p %s+%#lx\n", depth, (void *)pc, name, offset + (pc - lookup));
    else
        kprintf("    #%d %p ?\n", depth, (void *)pc);
}

/* Walk the chain from fp. depth is the number of the first frame printed. leaf_ra, if not 0,
 * is the ra register of code interrupted by a trap: if that code is a leaf function, its
 * prologue saved only s0 (at fp - 8) and the return address is still in ra. */
static void backtrace_walk(uint64_t fp, int depth, uint64_t leaf_ra)
{
    uint64_t lo, hi;
    hart_stack_bounds(&lo, &hi);
    for (; depth < BACKTRACE_MAX_FRAMES; depth++) {
        /* A frame must lie inside this stack, above the last one (stacks grow down). */
        if (fp == 0)
            return;
        if (fp % 8 != 0 || fp < lo + 16 || fp > hi) {
            kprintf("    (frame pointer %p is outside the stack %p-%p; stopping)\n",
                    (void *)fp, (void *)lo, (void *)hi);
            return;
        }
        uint64_t ra = ((uint64_t *)fp)[-1];
        uint64_t caller_fp = ((uint64_t *)fp)[-2];
        if (leaf_ra && !in_text(ra)) {
            caller_fp = ra;         /* the leaf's only saved register: its caller's s0 */
            ra = leaf_ra;
        }
        leaf_ra = 0;
        if (ra == 0)
            return;                 /* a task's first frame (task/switch.S) */
        /* ra is the instruction after the call; ra - 1 is inside the call, which keeps a
         * call at the very end of a function from being named after the next function. */
        print_frame(depth, ra, ra - 1);
        if (caller_fp != 0 && caller_fp <= fp) {
            kprintf("    (caller's frame pointer %p is below this frame; stopping)\n",
                    (void *)caller_fp);
            return;
        }
        fp = caller_fp;
    }
    kprintf("    (more than %d frames; stopping)\n", BACKTRACE_MAX_FRAMES);
}

void backtrace_print(uint64_t fp)
{
    backtrace_walk(fp, 0, 0);
}

/* The first half of every panic: stop a second one, print the message. */
static void panic_begin(const char *fmt, va_list ap)
{
    static int panic_hart = -1;
    intr_off();                 /* a panic stays on the hart it began on */
    int me = this_hart()->index;
    if (__atomic_fetch_add(&panicking, 1, __ATOMIC_ACQ_REL) != 0) {
        if (__atomic_load_n(&panic_hart, __ATOMIC_ACQUIRE) != me)
            hart_halt();        /* another hart is panicking (both saw the same deadlock,
                                   say): let it speak, and stop here */
        /* A panic inside a panic (a fault while printing, say): say so and stop at once. */
        console_puts("\npanic: nested panic while panicking; powering off\n");
        poweroff(PANIC_EXIT_STATUS);
    }
    __atomic_store_n(&panic_hart, me, __ATOMIC_RELEASE);
    smp_stop_others();                  /* the others stop where they are */
    console_break_lock();
    kprintf("\npanic: ");
    kvprintf(fmt, ap);
    kprintf("\n  on hart %lu\n  backtrace:\n", (unsigned long)hart_id());
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    panic_begin(fmt, ap);
    va_end(ap);
    backtrace_print((uint64_t)__builtin_frame_address(0));
    poweroff(PANIC_EXIT_STATUS);
}

void panic_at(const struct trap_frame *tf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    panic_begin(fmt, ap);
    va_end(ap);
    print_frame(0, tf->sepc, tf->sepc);     /* the trapping instruction itself */
    backtrace_walk(tf->s0, 1, tf->ra);
    poweroff(PANIC_EXIT_STATUS);
}
