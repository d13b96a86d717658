/* heap/cache.c -- the slow halves of the per-hart caches (heap/cache.h): refilling an empty
 * list from the heap, draining a full one back, emptying them, and checking them. Everything
 * here that touches the heap's blocks does it under the heap's lock; a hart's lists are
 * touched by that hart only, with interrupts off. */
#include "heap/cache.h"

struct kheap_cache kheap_caches[KHEAP_HARTS];

/* Blocks of `size` bytes in one refill: about half a list's bound, at least one. */
static size_t refill_count(size_t size)
{
    size_t n = CACHE_LIST_BYTES / 2 / size;
    return n < 1 ? 1 : n > CACHE_BATCH ? CACHE_BATCH : n;
}

/* The list for `size` is empty: take one run of blocks from the heap (one search, not one
 * per block) and cut it into blocks of `size` bytes. The last, highest block (with any slack
 * the heap left on the run) is handed out; the rest go on the list so that the next pops walk
 * down towards the free block the run came from, and blocks drained back merge into it. The
 * cutting happens under the heap's lock, like every change to a header word. */
void *kheap_cache_refill(struct kheap_cache *c, size_t size, unsigned long on)
{
    size_t n = refill_count(size);
    KHEAP_LOCK();
    struct block *run = kheap_alloc_block(n * size);
    if (run == NULL && n > 1) { /* no room for a run: one block will do */
        n = 1;
        run = kheap_alloc_block(size);
    }
    if (run == NULL) { /* the lists are out of room: the way every kmalloc ends then */
        KHEAP_UNLOCK();
        KHEAP_INTR_RESTORE(on);
        return kheap_alloc_uncached(size - KHEAP_HDR);
    }
    size_t total = B_SIZE(run->word), flags = run->word & B_PREV_FREE;
    struct cached_block *top = NULL;
    for (size_t i = 0; i + 1 < n; i++) {
        struct cached_block *b = (struct cached_block *)block_at(run, (ptrdiff_t)(i * size));
        block_set(&b->h, size, i == 0 ? flags : 0);
        b->h.canary ^= (uintptr_t)c;
        b->next = top;
        b->bytes = (i + 1) * size;
        top = b;
    }
    struct block *out = block_at(run, (ptrdiff_t)((n - 1) * size));
    block_set(out, total - (n - 1) * size, n == 1 ? flags : 0);
    KHEAP_UNLOCK();
    *cache_list(c, size) = top;
    c->from_heap += n;
    KHEAP_TRACE_CACHE(1, n, size);
    KHEAP_INTR_RESTORE(on);
    return out + 1;
}

/* b (used, unmarked) is freed onto a full list: free it, and blocks from the top of the list
 * until it is half full, to the heap's lists. */
void kheap_cache_drain(struct kheap_cache *c, struct cached_block *b, unsigned long on)
{
    struct cached_block **list = cache_list(c, B_SIZE(b->h.word)), *top = *list;
    size_t n = 1;
    KHEAP_LOCK();
    kheap_free_block(&b->h);
    for (; top && top->bytes > CACHE_LIST_BYTES / 2 && n < CACHE_BATCH; n++) {
        struct cached_block *next = top->next;
        top->h.canary ^= (uintptr_t)c; /* unmarked: to the heap, a used block being freed */
        kheap_free_block(&top->h);
        top = next;
    }
    KHEAP_UNLOCK();
    *list = top;
    c->frees++;
    c->to_heap += n;
    KHEAP_TRACE_CACHE(0, n, B_SIZE(b->h.word));
    KHEAP_INTR_RESTORE(on);
}

/* Every list of this hart back to the heap: one list per lock hold (a list is bounded). */
void kheap_flush(void)
{
    unsigned long on = KHEAP_INTR_SAVE();
    struct kheap_cache *c = KHEAP_CACHE();
    for (size_t size = KHEAP_MIN_BLOCK; size <= CACHE_MAX_BLOCK; size += 16) {
        struct cached_block **list = cache_list(c, size);
        if (*list == NULL)
            continue;
        KHEAP_LOCK();
        for (struct cached_block *b = *list, *next; b; b = next) {
            next = b->next;
            b->h.canary ^= (uintptr_t)c;
            kheap_free_block(&b->h);
            c->to_heap++;
        }
        KHEAP_UNLOCK();
        *list = NULL;
    }
    KHEAP_INTR_RESTORE(on);
}

int kheap_cache_holder(const struct block *b)
{
    uintptr_t mark = b->canary ^ block_canary(b, B_SIZE(b->word));
    for (int h = 0; h < KHEAP_HARTS; h++)
        if (mark == (uintptr_t)&kheap_caches[h])
            return h;
    return -1;
}

void kheap_cache_reset(void)
{
    for (int h = 0; h < KHEAP_HARTS; h++)
        kheap_caches[h] = (struct kheap_cache){0};
}

/* Hart h's lists: every block marked for h, of its list's size, not free; each list no
 * longer than its bound allows (which also stops a walk round a cycle); bytes counting up. */
static long check_lists(int h)
{
    struct kheap_cache *c = &kheap_caches[h];
    long blocks = 0;
    for (size_t i = KHEAP_MIN_BLOCK / 16; i < CACHE_LISTS; i++) {
        size_t size = i << 4, n = 0, most = CACHE_LIST_BYTES / size + 1;
        for (struct cached_block *b = c->lists[i]; b; b = b->next) {
            uintptr_t a = (uintptr_t)b;
            if (a - kheap_c->lo >= kheap_c->hi - kheap_c->lo || (a & 15) || ++n > most ||
                kheap_cache_holder(&b->h) != h)
                KHEAP_PANIC("kheap_check: hart %d cache list %lu broken at 0x%lx", h,
                            (unsigned long)size, (unsigned long)b);
            if (B_SIZE(b->h.word) != size || (b->h.word & B_FREE))
                KHEAP_PANIC("kheap_check: block 0x%lx (size %lu) on hart %d's cache list %lu",
                            (unsigned long)b, (unsigned long)B_SIZE(b->h.word), h,
                            (unsigned long)size);
        }
        size_t want = n * size; /* the top holds the whole list's bytes, the bottom its own */
        for (struct cached_block *b = c->lists[i]; b; b = b->next, want -= size)
            if (b->bytes != want || (b->next && want > CACHE_LIST_BYTES))
                KHEAP_PANIC("kheap_check: hart %d cache list %lu: 0x%lx says %lu bytes, not %lu",
                            h, (unsigned long)size, (unsigned long)b, (unsigned long)b->bytes,
                            (unsigned long)want);
        blocks += (long)n;
    }
    return blocks;
}

void kheap_cache_check(long per_hart[KHEAP_HARTS])
{
#ifdef KHEAP_HOST
    for (int h = 0; h < KHEAP_HARTS; h++)
        per_hart[h] = check_lists(h);
#else
    unsigned long on = KHEAP_INTR_SAVE();
    struct kheap_cache *me = KHEAP_CACHE();
    for (int h = 0; h < KHEAP_HARTS; h++)
        per_hart[h] = &kheap_caches[h] == me ? check_lists(h) : -1;
    KHEAP_INTR_RESTORE(on);
#endif
}

void kheap_cache_counts(size_t cached_blocks, size_t *allocs, size_t *frees)
{
    size_t in = 0, out = 0;
    *frees = 0;
    for (int h = 0; h < KHEAP_HARTS; h++) {
        *frees += kheap_caches[h].frees;
        in += kheap_caches[h].from_heap + kheap_caches[h].frees;
        out += kheap_caches[h].to_heap;
    }
    *allocs = in - out - cached_blocks;
}
