/* heap/block.c -- the parts of the heap that are the same for both kmalloc versions: carving an
 * arena, telling a corrupt header from a foreign pointer, and the O(n) walks behind
 * kheap_check and kheap_stats. Nothing here is on the kmalloc/kfree fast path. */
#include "heap/block.h"
#include "heap/cache.h"

struct block *kheap_arena_setup(struct kheap_common *c, void *base, size_t size, int releasable)
{
    uintptr_t start = ((uintptr_t)base + 15) & ~(uintptr_t)15;
    if (size < 128 || size >= KHEAP_MAX_ARENA || (uintptr_t)base + size < (uintptr_t)base)
        return NULL;
    uintptr_t end = ((uintptr_t)base + size) & ~(uintptr_t)15;
    struct kheap_arena *a = (struct kheap_arena *)(end - sizeof(*a));
    struct block *first = (struct block *)start;
    a->first = first;
    a->end = (struct block *)(end - KHEAP_TAIL);
    a->base = base;
    a->size = size;
    a->releasable = (size_t)releasable;
    a->next = c->arenas;
    c->arenas = a;
    block_set(a->end, 0, 0); /* the sentinel: a used block of size 0 */
    if (start < c->lo)
        c->lo = start;
    if (end > c->hi)
        c->hi = end;
    return first;
}

void kheap_arena_unlink(struct kheap_common *c, struct kheap_arena *a)
{
    struct kheap_arena **pp = &c->arenas;
    while (*pp != a)
        pp = &(*pp)->next;
    *pp = a->next;
}

static struct kheap_arena *arena_holding(const struct kheap_common *c, uintptr_t addr)
{
    for (struct kheap_arena *a = c->arenas; a; a = a->next)
        if (addr >= (uintptr_t)a->first && addr < (uintptr_t)a->end)
            return a;
    return NULL;
}

void kheap_panic_corrupt(const struct block *b)
{
    KHEAP_PANIC("kheap: corrupt header at 0x%lx (canary 0x%lx)", (unsigned long)b,
                (unsigned long)b->canary);
}

/* kfree's check failed, so this is the slow path: walk the arena to say which case it is. */
void kheap_bad_pointer(const struct kheap_common *c, void *p)
{
    uintptr_t want = (uintptr_t)p - KHEAP_HDR;
    struct kheap_arena *a = arena_holding(c, want);
    int hart = a && !(want & 15) ? kheap_cache_holder((const struct block *)want) : -1;
    if (hart >= 0) /* freed already, and waiting in a hart's cache */
        KHEAP_PANIC("kheap: double free of 0x%lx (already freed, in hart %d's cache)",
                    (unsigned long)p, hart);
    for (struct block *b = a ? a->first : NULL; b && (uintptr_t)b <= want;) {
        size_t size = B_SIZE(b->word);
        if ((b->canary != block_canary(b, size) && kheap_cache_holder(b) < 0) || size == 0)
            kheap_panic_corrupt(b); /* this block's, or one before it, whose size we trusted */
        /* Inside a free block: p was freed already and merged into the block in front of it,
         * whose header now covers it (the merge scrubbed p's own header). */
        if ((b->word & B_FREE) && want < (uintptr_t)b + size)
            KHEAP_PANIC("kheap: double free of 0x%lx (already freed, now inside the free "
                        "block at 0x%lx)", (unsigned long)p, (unsigned long)b);
        b = block_at(b, size);
    }
    KHEAP_PANIC("kheap: kfree of 0x%lx which is not a heap block", (unsigned long)p);
}

size_t kheap_check_blocks(const struct kheap_common *c, int boundary_tags, long *cached)
{
    size_t free_blocks = 0;
    for (int h = 0; h < KHEAP_HARTS; h++)
        cached[h] = 0;
    for (struct kheap_arena *a = c->arenas; a; a = a->next) {
        size_t prev_free = 0;
        struct block *b = a->first;
        for (;;) {
            size_t size = B_SIZE(b->word), is_free = b->word & B_FREE;
            if (b->canary != block_canary(b, size)) {
                int hart = kheap_cache_holder(b);
                if (hart < 0 || is_free)
                    kheap_panic_corrupt(b);
                cached[hart]++;
            }
            if (boundary_tags && !(b->word & B_PREV_FREE) != !prev_free)
                KHEAP_PANIC("kheap_check: prev-free flag wrong at 0x%lx", (unsigned long)b);
            if (b == a->end)
                break;
            if (size < KHEAP_MIN_BLOCK || block_at(b, size) > a->end)
                KHEAP_PANIC("kheap_check: bad size %lu at 0x%lx", (unsigned long)size,
                            (unsigned long)b);
            if (is_free && prev_free)
                KHEAP_PANIC("kheap_check: free neighbours at 0x%lx", (unsigned long)b);
            if (is_free && boundary_tags && *(size_t *)((char *)b + size - sizeof(size_t)) != size)
                KHEAP_PANIC("kheap_check: footer wrong at 0x%lx", (unsigned long)b);
            free_blocks += is_free != 0;
            prev_free = is_free;
            b = block_at(b, size);
        }
        if (b->word & ~B_PREV_FREE)
            KHEAP_PANIC("kheap_check: sentinel 0x%lx overwritten", (unsigned long)b);
    }
    return free_blocks;
}

void kheap_walk_stats(const struct kheap_common *c, struct kheap_stats *s)
{
    *s = (struct kheap_stats){.allocs = c->allocs, .frees = c->frees, .releases = c->releases};
    for (struct kheap_arena *a = c->arenas; a; a = a->next) {
        s->arenas++;
        s->arena_bytes += a->size;
        for (struct block *b = a->first; b != a->end; b = block_at(b, B_SIZE(b->word))) {
            size_t size = B_SIZE(b->word);
            if (!(b->word & B_FREE) && b->canary == block_canary(b, size)) {
                s->used_bytes += size;
                continue;
            }
            if (!(b->word & B_FREE)) { /* in a hart's cache: free, though not in the lists */
                s->cached_blocks++;
                s->cached_bytes += size;
            } else if (size > s->largest_free) {
                s->largest_free = size;
            }
            s->free_blocks++;
            s->free_bytes += size;
        }
    }
}
