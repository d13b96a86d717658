/* tests/host/heap_panic.h -- what the heap's cmocka tests share: KHEAP_PANIC is test_panic
 * here (the Makefile's -DKHEAP_PANIC=test_panic), which longjmps back so that a test can read
 * the panic message, and stats(). Included by one file of each test binary. */
#ifndef TESTS_HOST_HEAP_PANIC_H
#define TESTS_HOST_HEAP_PANIC_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heap/kheap.h"

static jmp_buf panic_jump;
static volatile int panic_armed;
static char panic_message[256];

__attribute__((noreturn)) void test_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(panic_message, sizeof(panic_message), fmt, ap);
    va_end(ap);
    if (panic_armed)
        longjmp(panic_jump, 1);
    fprintf(stderr, "unexpected panic: %s\n", panic_message);
    abort();
}

/* Runs stmt, which must panic with a message containing want. The heap is suspect after a
 * panic, so the caller starts over with kheap_init. */
#define EXPECT_PANIC(stmt, want)                                                                   \
    do {                                                                                           \
        panic_message[0] = 0;                                                                      \
        panic_armed = 1;                                                                           \
        if (setjmp(panic_jump) == 0) {                                                             \
            stmt;                                                                                  \
            panic_armed = 0;                                                                       \
            fail_msg("no panic from %s", #stmt);                                                   \
        }                                                                                          \
        panic_armed = 0;                                                                           \
        if (!strstr(panic_message, want))                                                          \
            fail_msg("panic \"%s\", wanted \"%s\"", panic_message, want);                          \
    } while (0)

static inline struct kheap_stats stats(void)
{
    struct kheap_stats s;
    kheap_stats(&s);
    return s;
}
#endif
