/* heap/block.h -- what both kmalloc versions (list_plain.c, list.c) share: the 16-byte block
 * header with its canary, the tail that closes every arena, and the pointer check kfree runs.
 *
 *   arena:  | block | block | ... | block | sentinel header | struct kheap_arena |
 *   block:  | size|flags (8) | canary (8) | payload (16-aligned) ...            |
 *
 * The sentinel is a used block of size 0: the last real block always has a used neighbour,
 * so coalescing never needs a bounds check, and blocks of two arenas never merge. */
#ifndef HEAP_BLOCK_H
#define HEAP_BLOCK_H
#include "heap/kheap.h"
#include "heap/kheap_port.h"

#define KHEAP_HDR         16
#define KHEAP_MIN_BLOCK   48 /* header + two list links + footer, rounded up to 16 */
#define KHEAP_MAX_REQUEST ((size_t)1 << 38)
#define KHEAP_MAX_ARENA   ((size_t)1 << 39)     /* list.c has size classes up to here */
#define KHEAP_MAGIC       0x6b686561705f5f21ull /* "kheap__!" */

#define B_FREE       1ul
#define B_PREV_FREE  2ul /* list.c: the block before is free, so its footer is valid */
#define B_SIZE(word) ((word) & ~(size_t)15)

struct block {
    size_t word;      /* size (a multiple of 16) | B_FREE | B_PREV_FREE */
    uintptr_t canary; /* KHEAP_MAGIC ^ address ^ size: kfree's proof that this is a header */
};

struct kheap_arena {           /* lives in the last bytes of its arena, just after the sentinel */
    struct block *first, *end; /* end: the sentinel */
    void *base;                /* as handed in, for KHEAP_RELEASE */
    size_t size;
    struct kheap_arena *next;
    size_t releasable; /* 0 for the first arena: it is never given back */
};
#define KHEAP_TAIL (KHEAP_HDR + sizeof(struct kheap_arena))

/* Bookkeeping common to both versions; each keeps its free lists beside it. */
struct kheap_common {
    uintptr_t lo, hi; /* covers every arena: the cheap first test in kfree */
    struct kheap_arena *arenas;
    size_t allocs, frees, releases; /* the walk in kheap_stats finds the rest */
};

static inline uintptr_t block_canary(const struct block *b, size_t size)
{
    return KHEAP_MAGIC ^ (uintptr_t)b ^ size;
}

static inline void block_set(struct block *b, size_t size, size_t flags)
{
    b->word = size | flags;
    b->canary = block_canary(b, size);
}

/* The block `offset` bytes from b (negative: before it). Signed, because a pointer moved by a
 * wrapped-around unsigned offset is undefined behaviour even when the result is right. */
static inline struct block *block_at(void *b, ptrdiff_t offset)
{
    return (struct block *)((char *)b + offset);
}

/* Request size -> block size. The caller has rejected n > KHEAP_MAX_REQUEST, so no overflow. */
static inline size_t block_size_for(size_t n)
{
    size_t size = (n + KHEAP_HDR + 15) & ~(size_t)15;
    return size < KHEAP_MIN_BLOCK ? KHEAP_MIN_BLOCK : size;
}

__attribute__((noreturn)) void kheap_bad_pointer(const struct kheap_common *c, void *p);
__attribute__((noreturn)) void kheap_panic_corrupt(const struct block *b);

/* Neighbours are checked before a merge trusts their size. */
static inline void block_check(const struct block *b)
{
    if (b->canary != block_canary(b, B_SIZE(b->word)))
        kheap_panic_corrupt(b);
}

/* kfree's check, on in every build, in two steps: the pointer lies in an arena and is
 * aligned (so its header may be read), and the header is intact (canary; so not in a cache
 * either, heap/cache.h) and not already free. list.c's kfree makes it without the heap's
 * lock: lo and hi only ever widen, so a stale read can only make a good pointer look bad,
 * and the locked path looks again. */
static inline int block_in_heap(const struct kheap_common *c, const struct block *b)
{
    uintptr_t a = (uintptr_t)b;
    return a - c->lo < c->hi - c->lo && !(a & 15);
}

static inline int block_used(const struct block *b, size_t word, uintptr_t canary)
{
    return canary == block_canary(b, B_SIZE(word)) && !(word & B_FREE);
}

static inline struct block *block_of_user(const struct kheap_common *c, void *p)
{
    struct block *b = block_at(p, -KHEAP_HDR);
    if (!block_in_heap(c, b) || b->canary != block_canary(b, B_SIZE(b->word)))
        kheap_bad_pointer(c, p);
    if (b->word & B_FREE)
        KHEAP_PANIC("kheap: double free of 0x%lx", (unsigned long)p);
    return b;
}

/* Each heap implementation's own parts, used by heap/common.c: its state, trimming a used
 * block to `need` bytes, freeing a block, and growing a block into its free next neighbour
 * (returning the new size). Called with the heap's lock held. */
extern struct kheap_common *const kheap_c;
void kheap_trim(struct block *b, size_t need);
void kheap_free_block(struct block *b);
/* A used block of at least need bytes from the free blocks (header set, no count kept), or
 * NULL: the per-hart caches' refill (heap/cache.c). */
struct block *kheap_alloc_block(size_t need);
/* heap/common.c: kmalloc without the caches (large requests, and every request once memory is
 * short): the lists, then this hart's cached blocks given back, then KHEAP_GROW. */
void *kheap_alloc_uncached(size_t n);
size_t kheap_grow_into_next(struct block *b, size_t size);

/* Carves an arena: its tail and one free block spanning the rest (returned, not yet listed). */
struct block *kheap_arena_setup(struct kheap_common *c, void *base, size_t size, int releasable);
void kheap_arena_unlink(struct kheap_common *c, struct kheap_arena *a);
/* Walks every block: canaries, sizes, no two free neighbours; with boundary_tags
 * also footers and B_PREV_FREE. Returns the number of free blocks; counts the blocks each
 * hart's cache holds (by their mark, heap/cache.h) in cached[hart]. */
size_t kheap_check_blocks(const struct kheap_common *c, int boundary_tags, long *cached);
void kheap_walk_stats(const struct kheap_common *c, struct kheap_stats *s);

/* The free lists' size classes, for the heap map (heap/heapmap.c): how many lists there are,
 * the list a free block of `size` bytes waits on, and the smallest block size of list i. */
size_t kheap_class_count(void);
size_t kheap_class_of(size_t size);
size_t kheap_class_min(size_t i);
#endif
