/* test_brk.c: the break. Absurd requests leave it where it was (brk returns the old break, as
 * Linux does), it grows and shrinks a page at a time with usable, zeroed memory, and malloc
 * (picolibc's, over sbrk in user/lib/libc.c) returns NULL for what cannot fit and goes on
 * working afterwards. Exits 0, or the number of the first check that failed. */
#include <stdint.h>
#include <string.h>

#include "tests/user/check.h"

/* Every byte of [lo, hi) reads as zero. */
static int all_zero(const char *lo, const char *hi)
{
    for (const char *p = lo; p < hi; p++)
        if (*p != 0)
            return 0;
    return 1;
}

/* sys_brk straight, before malloc has used the break (libc's sbrk keeps its own copy). */
static void raw_brk(void)
{
    unsigned long base = (unsigned long)sys_brk(0);
    CHECK(1, base >= USER_BASE && base < USER_IMAGE_TOP && base % USER_PAGE_SIZE == 0,
          "brk(0): the break starts on a page in the user range");
    CHECK_EQ(2, sys_brk(0xffffffffffff0000UL), base);
    CHECK_EQ(3, sys_brk(USER_TOP), base);
    CHECK_EQ(4, sys_brk(USER_IMAGE_TOP + USER_PAGE_SIZE), base);
    CHECK_EQ(5, sys_brk(base - USER_PAGE_SIZE), base);                /* below the start */
    CHECK_EQ(6, sys_brk(base + USER_HEAP_MAX + 1), base);             /* past the limit */
    CHECK_EQ(7, sys_brk(0), base);

    /* Grow by three pages and a bit: all of it is writable and starts zeroed. */
    unsigned long end = base + 3 * USER_PAGE_SIZE + 100;
    CHECK_EQ(10, sys_brk(end), end);
    char *heap = (char *)base;
    CHECK(11, all_zero(heap, (char *)end), "new brk memory reads as zeros");
    memset(heap, 0xa5, end - base);
    CHECK(12, heap[0] == (char)0xa5 && heap[end - base - 1] == (char)0xa5,
          "new brk memory keeps what was written");
    /* Shrink to one page, then grow again: the pages given back come back zeroed. */
    CHECK_EQ(13, sys_brk(base + USER_PAGE_SIZE), base + USER_PAGE_SIZE);
    CHECK_EQ(14, sys_brk(end), end);
    CHECK(15, heap[0] == (char)0xa5, "the page kept across the shrink keeps its bytes");
    CHECK(16, all_zero(heap + USER_PAGE_SIZE, (char *)end),
          "pages given back and taken again read as zeros");
    /* All the way to the limit, touching the last byte, and back. */
    CHECK_EQ(17, sys_brk(base + USER_HEAP_MAX), base + USER_HEAP_MAX);
    heap[USER_HEAP_MAX - 1] = 7;
    CHECK_EQ(18, heap[USER_HEAP_MAX - 1], 7);
    CHECK_EQ(19, sys_brk(base), base);
    CHECK_EQ(20, sys_brk(0), base);
}

static void with_malloc(void)
{
    CHECK_EQ(30, malloc(1UL << 30), NULL);                      /* 1 GiB: more than the heap */
    CHECK_EQ(31, malloc(USER_HEAP_MAX + USER_PAGE_SIZE), NULL);
    volatile size_t near_max = SIZE_MAX - 4096;                 /* (hidden from -Werror) */
    CHECK_EQ(32, malloc(near_max), NULL);                       /* sbrk's sum would wrap */
    char *small[64];
    for (int i = 0; i < 64; i++) {
        small[i] = malloc(100);
        CHECK(33, small[i] != NULL, "malloc(100) after the failed ones");
        memset(small[i], i, 100);
    }
    for (int i = 0; i < 64; i++)
        CHECK(34, small[i][0] == i && small[i][99] == i, "malloc'd blocks keep their bytes");
    for (int i = 0; i < 64; i++)
        free(small[i]);
    char *big = malloc(8UL << 20);                              /* 8 MiB fits in 64 */
    CHECK(35, big != NULL, "malloc(8 MiB)");
    memset(big, 1, 8UL << 20);
    CHECK(36, big[0] == 1 && big[(8UL << 20) - 1] == 1, "the 8 MiB block is usable");
    free(big);
}

int main(void)
{
    check_program = "test_brk";
    raw_brk();
    with_malloc();
    printf("test_brk: all checks passed\n");
    return 0;
}
