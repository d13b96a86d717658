/* panic.h: stopping the kernel when it finds itself in a state it cannot trust. panic prints
 * `panic: MESSAGE`, the hart, a symbolised backtrace, and powers off with status 3.
 */
#ifndef HARTOS_PANIC_H
#define HARTOS_PANIC_H

#include <stdint.h>

#define PANIC_EXIT_STATUS 3     /* QEMU's exit code after a panic (DESIGN.md) */

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* The kernel's assert is always on: a silent wrong answer is worse than a stop. */
#define assert(expr)                                                                    \
    ((expr) ? (void)0                                                                   \
            : panic("assertion failed: %s (%s:%d, in %s)", #expr, __FILE__, __LINE__, __func__))

/* panic, for a trap the kernel cannot handle: the backtrace starts where the trap happened
 * (sepc) instead of inside the trap handler. */
struct trap_frame;
__attribute__((noreturn, format(printf, 2, 3))) void panic_at(const struct trap_frame *tf,
                                                              const char *fmt, ...);

/* Print the frames reachable from frame pointer fp, one per line, symbolised. */
void backtrace_print(uint64_t fp);

#endif
