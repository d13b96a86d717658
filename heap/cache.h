/* heap/cache.h -- per-hart caches in front of the segregated lists (heap/list.c): the third
 * design of the classic allocator series, fixed-size blocks on a singly linked list per size.
 * Each hart has its own set of lists, touched only by that hart, with interrupts off and no
 * lock, so a kmalloc of a cached size is a pop (20 instructions) and a kfree a check and a
 * push (49, most of them kfree's pointer check, which every kfree makes). A list
 * is refilled from the heap and drained back into it in batches, under the heap's lock
 * (heap/cache.c); each list is bounded, so a hart cannot hoard memory.
 *
 *   cached block:  | size|flags (8) | canary ^ mark (8) | next (8) | bytes (8) | ...
 *
 * To the heap a cached block is a used one: the cache never writes its header word (size and
 * B_PREV_FREE, which the heap's lock guards). Its canary is XORed with the address of the
 * cache that holds it, the "cached" mark: kfree's check fails on a marked block, so a second
 * kfree of a cached block is caught and names the hart whose cache holds it, and kheap_check
 * and kheap_stats count it as free. A block allocated on one hart and freed on another goes
 * to the cache of the hart that frees it (a task may migrate between the two): blocks are
 * interchangeable, and every cache is bounded, so nothing needs to go back to its first hart.
 */
#ifndef HEAP_CACHE_H
#define HEAP_CACHE_H
#include "heap/block.h"

/* Blocks up to CACHE_MAX_BLOCK bytes are cached: requests up to 992 bytes, two thirds of the
 * allocations on trace T1. Below 1 KiB every block size has its own list, as the heap's
 * classes do. The design allows more (CACHE_MAX_BLOCK up to 4032: sizes above 1 KiB rounded
 * up to 32 or 64 bytes, so that a list serves a range of requests for at most 3% more memory,
 * the width of the heap's own classes there). Measured on T1 (make bench) with 4 KiB lists,
 * that caches nine allocations in ten and takes the mean pair from 237 to 205 instructions,
 * but the smallest arena from 1.375 to 1.39 times the peak (1.40 to 1.44 over eight seeds):
 * cached blocks do not merge, so more caching is more fragmentation. */
#ifndef CACHE_MAX_BLOCK
#define CACHE_MAX_BLOCK 1008
#endif
#define CACHE_MAX_REQUEST (CACHE_MAX_BLOCK - KHEAP_HDR)
#define CACHE_LISTS       (CACHE_MAX_BLOCK < 1024 ? 64 : 256) /* a power of two: 512 B, 2 KiB */
_Static_assert(CACHE_MAX_BLOCK >= 1008 && CACHE_MAX_BLOCK < CACHE_LISTS * 16,
               "kmalloc's and kfree's fast paths take every size below 1 KiB to the caches");

/* Bounds: a list holds at most CACHE_LIST_BYTES (or one block); a refill brings about half
 * that, a drain takes a list back to half, and either moves at most CACHE_BATCH blocks, so
 * the heap's lock is held for a bounded time. A hart holds at most 61 lists x 2 KiB. */
#ifndef CACHE_LIST_BYTES
#define CACHE_LIST_BYTES 2048
#endif
#define CACHE_BATCH 16

struct cached_block {
    struct block h;            /* the header of a used block; canary ^ (uintptr_t)cache */
    struct cached_block *next; /* the next block down this list */
    size_t bytes;              /* this block and every block below it on the list */
};

/* One per hart. Owner hart only, with interrupts off; kheap_stats reads the counters (and on
 * the host, kheap_check the lists) under the heap's lock. kmalloc's pop is not counted:
 * every block a cache takes in (from the heap by a refill, or from a kfree) goes out (to a
 * kmalloc, or back to the heap) or is still on a list, so kheap_stats works the kmalloc
 * calls out from the other three. */
struct kheap_cache {
    union {
        struct cached_block *lists[CACHE_LISTS]; /* lists[i]: blocks of 16*i bytes, or NULL */
        struct {              /* lists[0..2]: no block is smaller than 48 bytes */
            size_t frees;     /* kfree calls this cache took */
            size_t from_heap; /* blocks refills took from the heap (handed out or listed) */
            size_t to_heap;   /* blocks drains and flushes gave back to the heap */
        };
    };
} __attribute__((aligned(64))); /* no two harts' caches share a cache line */

/* kmalloc's and kfree's fast paths call nothing (every slow path is a tail call), so they
 * need no stack frame: the kernel keeps frame pointers for its backtraces, but a function
 * that makes no call appears in none. */
#if defined(__GNUC__) && !defined(__clang__) && !defined(KHEAP_HOST)
#define KHEAP_FAST __attribute__((optimize("omit-frame-pointer")))
#else
#define KHEAP_FAST
#endif

extern struct kheap_cache kheap_caches[KHEAP_HARTS];

static inline size_t cache_block_size(size_t size)
{
    if (size < 1024)
        return size;
    size_t step = size < 2048 ? 32 : 64;
    return (size + step - 1) & ~(step - 1);
}

/* The slow halves (heap/cache.c). Both are called with interrupts off, as the fast path left
 * them (`on` says whether to turn them back on), and take the heap's lock. */
void *kheap_cache_refill(struct kheap_cache *c, size_t size, unsigned long on);
void kheap_cache_drain(struct kheap_cache *c, struct cached_block *b, unsigned long on);

/* This hart's list for blocks of `size` bytes: lists[size / 16], i.e. size / 2 bytes in. */
static inline struct cached_block **cache_list(struct kheap_cache *c, size_t size)
{
    return (struct cached_block **)((char *)c + (size >> 1));
}

/* kmalloc of a block of `size` bytes (a size the caches keep): pop this hart's list, or
 * refill it. */
static inline void *cache_alloc(size_t size)
{
    unsigned long on = KHEAP_INTR_SAVE(); /* from here until restored, we cannot move */
    struct kheap_cache *c = KHEAP_CACHE();
    struct cached_block **list = cache_list(c, size), *b = *list;
    if (b == NULL)
        return kheap_cache_refill(c, size, on);
    *list = b->next;
    b->h.canary ^= (uintptr_t)c; /* unmarked: a used block again */
    KHEAP_INTR_RESTORE(on);
    return &b->h + 1;
}

/* kfree's fast path, for b, which passed kfree's check (word and canary: its header, read
 * once): if b has a size the caches keep and no free neighbour (a block that could merge goes
 * to the lists, which merge it: caching it would leave two holes where the lists make one),
 * push it on this hart's list, or drain the list if it is full, and return 1. Otherwise
 * return 0 and touch nothing. */
static inline int cache_free(struct block *b, size_t word, uintptr_t canary)
{
    size_t size = B_SIZE(word);
    if (size >= 1024 && (size > CACHE_MAX_BLOCK || cache_block_size(size) != size))
        return 0;
    if ((word & B_PREV_FREE) || (block_at(b, (ptrdiff_t)size)->word & B_FREE))
        return 0;
    struct cached_block *f = (struct cached_block *)b;
    unsigned long on = KHEAP_INTR_SAVE();
    struct kheap_cache *c = KHEAP_CACHE();
    struct cached_block **list = cache_list(c, size), *top = *list;
    size_t bytes = size;
    if (top != NULL) {
        bytes += top->bytes;
        if (bytes > CACHE_LIST_BYTES) {
            kheap_cache_drain(c, f, on);
            return 1;
        }
    }
    b->canary = canary ^ (uintptr_t)c; /* marked: kfree's check now fails on it */
    f->next = top;
    f->bytes = bytes;
    *list = f;
    c->frees++;
    KHEAP_INTR_RESTORE(on);
    return 1;
}

/* Which hart's cache holds b (by its mark), or -1. For the slow paths and the checks. */
int kheap_cache_holder(const struct block *b);
/* Empties every hart's caches (the heap is being reset). */
void kheap_cache_reset(void);
/* Walks this hart's lists (on the host, every hart's: they are all one thread), checking
 * every block, and returns how many it found; *per_hart[h] gets hart h's count, or -1 where
 * it was not walked. The heap's lock is held. */
void kheap_cache_check(long per_hart[KHEAP_HARTS]);
/* kmalloc and kfree calls the caches served, every hart's added (a snapshot), given how many
 * blocks are on the caches' lists now. */
void kheap_cache_counts(size_t cached_blocks, size_t *allocs, size_t *frees);
#endif
