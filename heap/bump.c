/* heap/bump.c -- bump allocation: kmalloc before the heap has free lists. Allocation is an add
 * and a compare; the price is that no block is reused until every block is freed, so one
 * long-lived block pins everything allocated after it (tests/host/heap_test.c shows this). */
#include "heap/bump.h"
#include <stdint.h>

static struct {
    uintptr_t start, next, end;
    size_t live;
} B;

void bump_init(void *base, size_t size)
{
    B.start = B.next = (uintptr_t)base;
    B.end = (uintptr_t)base + size;
    B.live = 0;
}

void *bump_alloc(size_t size, size_t align)
{
    if (align == 0)
        align = 16;
    if (align & (align - 1))
        return NULL;
    uintptr_t p = (B.next + align - 1) & ~(uintptr_t)(align - 1);
    /* compare against the room left, so a huge size cannot wrap the sum */
    if (p < B.next || p > B.end || size > B.end - p)
        return NULL;
    B.next = p + size;
    B.live++;
    return (void *)p;
}

void bump_free(void *p)
{
    if (!p || B.live == 0)
        return;
    if (--B.live == 0)
        B.next = B.start;
}

size_t bump_live(void)
{
    return B.live;
}
