/* heap/list_plain.c -- the chapter's first kmalloc: one free list kept in address order, first
 * fit, split on allocation, merge with both neighbours on free. Frugal with memory and easy to
 * follow, but kmalloc and kfree both walk the list: O(free blocks). list.c replaces it. */
#include "heap/block.h"

/* A free block: header, then the next free block (higher address). */
struct pblock {
    struct block h;
    struct pblock *next;
};

static struct {
    struct kheap_common c;
    struct pblock *free; /* lowest free block */
} H;

static struct pblock *pblock_at(void *b, size_t offset)
{
    return (struct pblock *)block_at(b, offset);
}

/* First fit: hand out the front of b and leave the rest in b's place on the list. */
static void *take(struct pblock **link, struct pblock *b, size_t need)
{
    size_t size = B_SIZE(b->h.word);
    if (size - need < KHEAP_MIN_BLOCK) {
        *link = b->next;
        need = size;
        b->h.word = size;
    } else {
        struct pblock *rest = pblock_at(b, need);
        block_set(&rest->h, size - need, B_FREE);
        rest->next = b->next;
        *link = rest;
        block_set(&b->h, need, 0);
    }
    return &b->h + 1;
}

static void maybe_release(struct pblock **link, struct pblock *b, struct block *sentinel)
{
    struct kheap_arena *a = (struct kheap_arena *)(sentinel + 1);
    if (!a->releasable || &b->h != a->first)
        return;
    *link = b->next;
    kheap_arena_unlink(&H.c, a);
    H.c.releases++;
    KHEAP_RELEASE(a->base, a->size);
}

/* Walks to b's place in address order, links it in, and merges with the blocks either side.
 * A new arena is filed the same way, but must not be handed straight back (may_release 0). */
static void insert_free(struct block *blk, int may_release)
{
    struct pblock *b = (struct pblock *)blk, **link = &H.free, **prev_link = NULL;
    size_t size = B_SIZE(b->h.word);
    while (*link && *link < b) {
        prev_link = link;
        link = &(*link)->next;
    }
    b->next = *link;
    *link = b;
    if (b->next == pblock_at(b, size)) {
        block_check(&b->next->h);
        size += B_SIZE(b->next->h.word);
        b->next = b->next->next;
    }
    block_set(&b->h, size, B_FREE);
    struct pblock *prev = prev_link ? *prev_link : NULL;
    if (prev && pblock_at(prev, B_SIZE(prev->h.word)) == b) {
        block_check(&prev->h);
        size += B_SIZE(prev->h.word);
        prev->next = b->next;
        block_set(&prev->h, size, B_FREE);
        b = prev;
        link = prev_link;
    }
    struct block *after = block_at(b, size);
    if (B_SIZE(after->word) == 0 && may_release)
        maybe_release(link, b, after);
}

void kheap_free_block(struct block *b)
{
    insert_free(b, 1);
}

void kheap_trim(struct block *b, size_t need)
{
    size_t size = B_SIZE(b->word);
    if (size - need < KHEAP_MIN_BLOCK)
        return;
    block_set(b, need, 0);
    struct block *tail = block_at(b, need);
    block_set(tail, size - need, 0);
    kheap_free_block(tail);
}

static int add_arena(void *base, size_t size, int releasable)
{
    struct block *b = kheap_arena_setup(&H.c, base, size, releasable);
    if (!b)
        return -1;
    block_set(b, (size_t)((char *)H.c.arenas->end - (char *)b), 0);
    insert_free(b, 0);
    return 0;
}

void kheap_init(void *base, size_t size)
{
    H.c = (struct kheap_common){.lo = UINTPTR_MAX};
    H.free = NULL;
    if (add_arena(base, size, 0))
        KHEAP_PANIC("kheap: first arena 0x%lx size %lu unusable", (unsigned long)base,
                    (unsigned long)size);
}

int kheap_add_arena(void *base, size_t size)
{
    KHEAP_LOCK();
    int r = add_arena(base, size, 1);
    KHEAP_UNLOCK();
    return r;
}

struct block *kheap_alloc_block(size_t need)
{
    for (struct pblock **link = &H.free; *link; link = &(*link)->next)
        if (B_SIZE((*link)->h.word) >= need)
            return (struct block *)take(link, *link, need) - 1;
    return NULL;
}

/* kmalloc: the first block that fits (heap/common.c does the rest). */
void *kmalloc(size_t n)
{
    return kheap_alloc_uncached(n);
}

void kfree(void *p)
{
    if (!p)
        return;
    KHEAP_LOCK();
    kheap_free_block(block_of_user(&H.c, p));
    H.c.frees++;
    KHEAP_UNLOCK();
}

/* What heap/common.c (kzalloc, krealloc, kmalloc_aligned) needs from this heap. */
struct kheap_common *const kheap_c = &H.c;

/* The free neighbour must leave the list: a walk, as everything in this heap. */
size_t kheap_grow_into_next(struct block *b, size_t size)
{
    struct pblock *next = pblock_at(b, size);
    struct pblock **link = &H.free;
    while (*link != next)
        link = &(*link)->next;
    *link = next->next;
    size += B_SIZE(next->h.word);
    block_set(b, size, 0);
    return size;
}

int kheap_check(void)
{
    KHEAP_LOCK();
    long cached[KHEAP_HARTS]; /* this heap has no caches: kmalloc and kfree never fill them */
    size_t free_blocks = kheap_check_blocks(&H.c, 0, cached), listed = 0;
    for (struct pblock *b = H.free; b; b = b->next) {
        if ((uintptr_t)b < H.c.lo || (uintptr_t)b >= H.c.hi || ++listed > free_blocks ||
            (b->next && b->next <= b))
            KHEAP_PANIC("kheap_check: free list broken at 0x%lx", (unsigned long)b);
        block_check(&b->h);
        if (!(b->h.word & B_FREE))
            KHEAP_PANIC("kheap_check: used block 0x%lx on the free list", (unsigned long)b);
    }
    if (listed != free_blocks)
        KHEAP_PANIC("kheap_check: %lu free blocks, %lu on the list", (unsigned long)free_blocks,
                    (unsigned long)listed);
    KHEAP_UNLOCK();
    return 0;
}

/* One list holds every free block: one class. */
size_t kheap_class_count(void)
{
    return 1;
}

size_t kheap_class_of(size_t size)
{
    (void)size;
    return 0;
}

size_t kheap_class_min(size_t i)
{
    (void)i;
    return KHEAP_MIN_BLOCK;
}

void kheap_stats(struct kheap_stats *out)
{
    KHEAP_LOCK();
    kheap_walk_stats(&H.c, out);
    KHEAP_UNLOCK();
}
