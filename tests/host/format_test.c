/* format_test.c -- host tests for kernel/format.c, the printf engine.
 * Every case runs through both ksnprintf and the host's snprintf with the same arguments
 * and must agree byte for byte; a randomized sweep then covers combinations by the thousand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/format.h"

/* The table deliberately uses flag combinations gcc's printf checker warns about ("%-05d",
 * "%+u"), so both sides are called through these unchecked va_list wrappers. */
static int kernel_fmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = kvsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

static int host_fmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

/* Compare kernel and host output (and return value) for one format and argument list. */
#define SAME(fmt, ...)                                                                             \
    do {                                                                                           \
        char mine_[256], host_[256];                                                               \
        int rm_ = kernel_fmt(mine_, sizeof mine_, fmt, __VA_ARGS__);                               \
        int rh_ = host_fmt(host_, sizeof host_, fmt, __VA_ARGS__);                                 \
        if (rm_ != rh_ || strcmp(mine_, host_) != 0)                                               \
            fail_msg("format \"%s\": kernel \"%s\" (%d), host \"%s\" (%d)", fmt, mine_, rm_,       \
                     host_, rh_);                                                                  \
    } while (0)

static void test_plain_and_percent(void **state)
{
    (void)state;
    SAME("hello%s", "");
    SAME("100%% sure%s", "");
    SAME("%s", "");
    SAME("tab\there %c", 'x');
}

static void test_signed(void **state)
{
    (void)state;
    SAME("%d %i %d %d", 0, -1, 2147483647, (int)-2147483647 - 1);
    SAME("%ld %ld", (long)INT64_MAX, (long)INT64_MIN);
    SAME("%lld %lld", (long long)INT64_MIN, (long long)-12345);
    SAME("%hhd %hhd %hd %hd", 127, 128, 32767, 32768); /* hh/h truncate the promoted int */
    SAME("%zd %zd", (ptrdiff_t)-5, (ptrdiff_t)PTRDIFF_MAX);
    SAME("[%5d] [%-5d] [%05d] [%-05d]", 42, 42, -42, -42);
    SAME("[%+d] [%+d] [% d] [% d] [%+ d]", 5, -5, 5, -5, 5);
    SAME("[%.3d] [%.0d] [%.0d] [%8.3d] [%08.3d] [%-8.3d]", 7, 0, 1, -7, 7, 7);
    SAME("[%020lld] [%-24lld]", (long long)INT64_MIN, (long long)INT64_MIN);
}

static void test_unsigned_and_hex(void **state)
{
    (void)state;
    SAME("%u %u %x %X", 0u, 4294967295u, 0xdeadbeefu, 0xdeadbeefu);
    SAME("%lu %lx %llX", (unsigned long)UINT64_MAX, (unsigned long)UINT64_MAX,
         (unsigned long long)UINT64_MAX);
    SAME("%hhu %hhx %hu %hx", 255, 0x1ff, 65535, 0x1ffff);
    SAME("%zu %zx", (size_t)SIZE_MAX, (size_t)0x1000);
    SAME("[%#x] [%#X] [%#x] [%#010x] [%#.4x] [%#.0x]", 0x1f, 0x1f, 0, 0xab, 0xab, 0);
    SAME("[%08x] [%-8x] [%8.6x] [%.0x]", 0xbeef, 0xbeef, 0xbeef, 0);
    SAME("[%+u] [% x]", 5u, 7u); /* + and space only affect signed conversions */
}

static void test_pointer(void **state)
{
    (void)state;
    SAME("%p %p", (void *)0x1234, (void *)0x80200000);
    SAME("[%20p] [%-20p] [%020p]", (void *)0xabc, (void *)0xabc, (void *)0xabc);
    SAME("[%p] [%10p] [%-10p]", (void *)0, (void *)0, (void *)0); /* NULL is "(nil)" */
    SAME("%p", (void *)UINTPTR_MAX);
}

static void test_strings_and_chars(void **state)
{
    (void)state;
    SAME("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%-10.2s]", "abc", "abc", "abc", "abc", "abc", "abc");
    SAME("[%.*s] [%.*s] [%.*s]", 3, "abcdef", 0, "abc", -1, "abc");
    SAME("[%05s]", "ab"); /* '0' pads numbers only */
    SAME("[%s] [%.6s] [%.3s] [%8s]", (char *)NULL, (char *)NULL, (char *)NULL, (char *)NULL);
    SAME("[%c] [%3c] [%-3c] [%c]", 'a', 'b', 'c', 255);
}

static void test_star_width(void **state)
{
    (void)state;
    SAME("[%*d] [%*d] [%-*d]", 6, 42, -6, 42, 6, 42);
    SAME("[%*.*d] [%.*d] [%0*x]", 8, 4, 99, -1, 7, 8, 0xff);
    SAME("[%*s] [%*c]", 5, "x", -3, 'y');
}

static void test_unknown_conversion_is_literal(void **state)
{
    char buf[64];
    (void)state;
    assert_int_equal(kernel_fmt(buf, sizeof buf, "%q", 1), 2);
    assert_string_equal(buf, "%q");
    assert_int_equal(kernel_fmt(buf, sizeof buf, "a%-08lqb"), 8);
    assert_string_equal(buf, "a%-08lqb");
    /* "%*q" must not consume the width argument: %d still sees 7. */
    kernel_fmt(buf, sizeof buf, "%*q %d", 7);
    assert_string_equal(buf, "%*q 7");
    kernel_fmt(buf, sizeof buf, "trailing %");
    assert_string_equal(buf, "trailing %");
    kernel_fmt(buf, sizeof buf, "cut %-5");
    assert_string_equal(buf, "cut %-5");
}

static void test_snprintf_truncation(void **state)
{
    char buf[8];
    (void)state;
    memset(buf, 'X', sizeof buf);
    assert_int_equal(ksnprintf(buf, 4, "%d", 123456), 6); /* returns the would-be length */
    assert_string_equal(buf, "123");
    assert_int_equal(buf[4], 'X'); /* nothing written past n */
    assert_int_equal(ksnprintf(buf, 1, "abc"), 3);
    assert_string_equal(buf, "");
    buf[0] = 'X';
    assert_int_equal(ksnprintf(buf, 0, "abc"), 3); /* n == 0: buf untouched */
    assert_int_equal(buf[0], 'X');
    assert_int_equal(ksnprintf(NULL, 0, "%s-%d", "ab", 5), 4);
    assert_int_equal(ksnprintf(buf, sizeof buf, "1234567"), 7);
    assert_string_equal(buf, "1234567");
}

/* format() with a counting callback: the engine itself, no buffer involved. */
static void count_char(char c, void *ctx)
{
    (void)c;
    (*(int *)ctx)++;
}

static int count_format(const char *fmt, ...)
{
    int n = 0;
    va_list ap;
    va_start(ap, fmt);
    int r = format(count_char, &n, fmt, ap);
    va_end(ap);
    assert_int_equal(r, n);
    return r;
}

static void test_format_callback(void **state)
{
    (void)state;
    assert_int_equal(count_format("%s=%d", "x", -10), 5);
    assert_int_equal(count_format(""), 0);
}

/* Randomized sweep: build "[%<flags><width>.<prec><len><conv>]" specs the C standard defines
 * identically for every libc (no '#' on %d, no precision on %c/%p, ...) and compare. */
#define RANDOM_CASES 5000

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void) /* xorshift64: deterministic, so a failure can be replayed */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t random_value(void)
{
    static const uint64_t edges[] = {0,          1,          UINT64_MAX, 0x7fffffff,
                                     0x80000000, 0xffffffff, INT64_MAX,  (uint64_t)INT64_MIN,
                                     0x7f,       0x80,       0xff,       0x8000};
    if (rng() % 3 == 0)
        return edges[rng() % (sizeof edges / sizeof edges[0])];
    return rng() >> (rng() % 64); /* spread over all magnitudes */
}

static void append_random_spec(char *fmt, char conv, const char *flags, bool precision,
                               bool lengths)
{
    static const char *const lens[] = {"", "hh", "h", "l", "ll", "z"};
    char *p = fmt + strlen(fmt);
    *p++ = '%';
    for (const char *f = flags; *f; f++)
        if (rng() % 3 == 0)
            *p++ = *f;
    if (rng() % 2)
        p += sprintf(p, "%d", (int)(rng() % 25));
    if (precision && rng() % 2)
        p += sprintf(p, ".%d", (int)(rng() % 22));
    if (lengths)
        p += sprintf(p, "%s", lens[rng() % 6]);
    sprintf(p, "%c]", conv);
}

static void test_random_against_host(void **state)
{
    static const char *const strs[] = {"", "a", "hartos", "a longer string, 30 chars long", NULL};
    (void)state;
    for (int i = 0; i < RANDOM_CASES; i++) {
        char fmt[64] = "[", mine[512], host[512];
        int rm, rh;
        uint64_t v = random_value();
        const char *len;
        char conv = "diuxXscp"[rng() % 8];
        switch (conv) {
        case 'd':
        case 'i': append_random_spec(fmt, conv, "-0+ ", true, true); len = strpbrk(fmt, "hlz");
#define BOTH(...)                                                                                  \
    (rm = kernel_fmt(mine, sizeof mine, fmt, __VA_ARGS__),                                         \
     rh = host_fmt(host, sizeof host, fmt, __VA_ARGS__))
            if (!len || len[0] == 'h')
                BOTH((int)v);
            else if (len[0] == 'z')
                BOTH((ptrdiff_t)v);
            else if (len[1] == 'l')
                BOTH((long long)v);
            else
                BOTH((long)v);
            break;
        case 'u':
        case 'x':
        case 'X':
            append_random_spec(fmt, conv, conv == 'u' ? "-0+ " : "-0#", true, true);
            len = strpbrk(fmt, "hlz");
            if (!len || len[0] == 'h')
                BOTH((unsigned)v);
            else if (len[0] == 'z')
                BOTH((size_t)v);
            else if (len[1] == 'l')
                BOTH((unsigned long long)v);
            else
                BOTH((unsigned long)v);
            break;
        case 's':
            append_random_spec(fmt, conv, "-", true, false);
            BOTH(strs[v % 5]);
            break;
        case 'c':
            append_random_spec(fmt, conv, "-", false, false);
            BOTH((int)(v % 255) + 1);
            break;
        default: /* 'p' */
            append_random_spec(fmt, conv, "-0", false, false);
            BOTH((void *)(uintptr_t)(v % 4 == 0 ? 0 : v));
        }
#undef BOTH
        if (rm != rh || strcmp(mine, host) != 0)
            fail_msg("case %d format \"%s\": kernel \"%s\" (%d), host \"%s\" (%d)", i, fmt, mine,
                     rm, host, rh);
    }
    print_message("%d random formats agree with the host snprintf\n", RANDOM_CASES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_percent),
        cmocka_unit_test(test_signed),
        cmocka_unit_test(test_unsigned_and_hex),
        cmocka_unit_test(test_pointer),
        cmocka_unit_test(test_strings_and_chars),
        cmocka_unit_test(test_star_width),
        cmocka_unit_test(test_unknown_conversion_is_literal),
        cmocka_unit_test(test_snprintf_truncation),
        cmocka_unit_test(test_format_callback),
        cmocka_unit_test(test_random_against_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
