/* heap/common.c -- the entry points every heap implementation shares, written once over the
 * few things each heap does its own way (declared in heap/block.h): trimming a block, freeing
 * one, and growing one into its free next neighbour. */
#include "heap/block.h"

/* The lists alone, under the heap's lock. */
static void *alloc_listed(size_t n)
{
    if (n > KHEAP_MAX_REQUEST)
        return NULL;
    KHEAP_LOCK();
    struct block *b = kheap_alloc_block(block_size_for(n));
    kheap_c->allocs += b != NULL;
    KHEAP_UNLOCK();
    return b ? b + 1 : NULL;
}

/* When the lists have no room: give this hart's cached blocks back (they may merge into room),
 * try again, then ask for more memory (KHEAP_GROW, outside the lock: the kernel takes a page
 * run from the frame allocator and adds it as an arena) and try again. Other harts may take
 * the new room first (or free into it and so hand the arena back) before the retry takes the
 * lock, so growing is tried a few times before kmalloc gives up. */
#define GROW_TRIES 4
void *kheap_alloc_uncached(size_t n)
{
    void *p = alloc_listed(n);
    if (p == NULL && n <= KHEAP_MAX_REQUEST) {
        kheap_flush();
        p = alloc_listed(n);
        for (int i = 0; p == NULL && i < GROW_TRIES && KHEAP_GROW(n) == 0; i++)
            p = alloc_listed(n);
    }
    return p;
}

void *kzalloc(size_t n)
{
    void *p = kmalloc(n);
    return p ? memset(p, 0, n) : NULL;
}

void *krealloc(void *p, size_t n)
{
    if (!p)
        return kmalloc(n);
    if (!n) {
        kfree(p);
        return NULL;
    }
    KHEAP_LOCK();
    struct block *b = block_of_user(kheap_c, p);
    size_t size = B_SIZE(b->word), need = n > KHEAP_MAX_REQUEST ? SIZE_MAX : block_size_for(n);
    struct block *next = block_at(b, size);
    if (need > size && (next->word & B_FREE) && size + B_SIZE(next->word) >= need)
        size = kheap_grow_into_next(b, size);   /* grow in place */
    if (need <= size) {
        kheap_trim(b, need);
        KHEAP_UNLOCK();
        return p;
    }
    KHEAP_UNLOCK();
    void *q = kmalloc(n);
    if (q) {
        memcpy(q, p, size - KHEAP_HDR);
        kfree(p);
    }
    return q;
}

void *kmalloc_aligned(size_t n, size_t align)
{
    if (align <= 16)
        return kmalloc(n);
    if ((align & (align - 1)) || align > KHEAP_MAX_REQUEST || n > KHEAP_MAX_REQUEST)
        return NULL;
    char *p = kmalloc(n + align + 2 * KHEAP_MIN_BLOCK); /* room for a free block in front */
    if (!p)
        return NULL;
    KHEAP_LOCK();
    struct block *b = block_at(p, -KHEAP_HDR);
    if ((uintptr_t)p & (align - 1)) {
        uintptr_t q = ((uintptr_t)p + KHEAP_MIN_BLOCK + align - 1) & ~(uintptr_t)(align - 1);
        size_t lead = q - (uintptr_t)p, size = B_SIZE(b->word);
        struct block *a = block_at(b, lead);
        block_set(a, size - lead, 0);
        block_set(b, lead, b->word & B_PREV_FREE);
        kheap_free_block(b);
        b = a;
    }
    kheap_trim(b, block_size_for(n));
    KHEAP_UNLOCK();
    return b + 1;
}
