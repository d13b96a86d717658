/* heap/list.c -- the kernel heap: kmalloc/kfree in O(1) on segregated free lists.
 * Free blocks wait on one list per size class, found through a two-level bitmap; boundary tags
 * (a footer on free blocks, B_PREV_FREE in the next header) let kfree merge with both
 * neighbours without a search. Replaces list_plain.c, whose single list made kfree O(n). */
#include "heap/block.h"
#include "heap/cache.h"

/* Size classes of block sizes (header included):
 *   class i < 64:           exactly 16*i bytes (48 .. 1008; classes 0..2 unused)
 *   class 64 + 32*k + s:    [2^(10+k) + s*2^(5+k), next class), s = 0..31: 3% wide
 * A small list holds one size, so its head always fits: kmalloc pops it in ~30 instructions.
 * Otherwise find_block looks at the head of the request's class, then at the next few
 * non-empty classes (whose blocks all fit), and the block is split. */
#define SMALL_CLASSES 64
#define SMALL_LIMIT   (16 * SMALL_CLASSES)
#define SUB_BITS      5
#define BANDS         29 /* 2^10 .. 2^39 = KHEAP_MAX_ARENA */
#define CLASSES       (SMALL_CLASSES + (BANDS << SUB_BITS))
#define WORDS         ((CLASSES + 63) / 64)

struct fnode {
    struct fnode *next, *prev;
};

/* A free block. The footer (its size) is the last word; 48 bytes is the smallest that fits. */
struct fblock {
    struct block h;
    struct fnode node; /* on the circular list of class cls */
    size_t cls;
};

static struct {
    struct kheap_common c;
    uint64_t top;                /* bit w: words[w] != 0 */
    uint64_t words[WORDS];       /* bit i%64 of word i/64: list i is not empty */
    struct fnode heads[CLASSES]; /* list heads; an empty list points at itself */
} H;

#define R2(n)  n, n
#define R4(n)  R2(n), R2(n)
#define R8(n)  R4(n), R4(n)
#define R16(n) R8(n), R8(n)
#define R32(n) R16(n), R16(n)
#define R64(n) R32(n), R32(n)
static const uint8_t msb_of_byte[256] = {0,      0,      R2(1),  R4(2),  R8(3),
                                         R16(4), R32(5), R64(6), R64(7), R64(7)};

/* rv64imac has no clz/ctz instructions (no Zbb), and libgcc's take ~30; these take ~10. */
static inline size_t msb(size_t x)
{
    size_t r = 0;
    if (x >> 32) {
        x >>= 32;
        r = 32;
    }
    if (x >> 16) {
        x >>= 16;
        r += 16;
    }
    if (x >> 8) {
        x >>= 8;
        r += 8;
    }
    return r + msb_of_byte[x];
}

/* x & -x isolates the lowest set bit; the de Bruijn product puts a unique 6-bit code on top. */
static inline size_t ctz(uint64_t x)
{
    static const uint8_t code_to_bit[64] = {
        0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,  62, 55, 59, 36, 53, 51,
        43, 22, 45, 39, 33, 30, 24, 18, 12, 5,  63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
        44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};
    return code_to_bit[((x & -x) * 0x03f79d71b4cb0a89ull) >> 58];
}

static inline size_t class_of(size_t size)
{
    if (size < SMALL_LIMIT)
        return size >> 4;
    size_t fl = msb(size);
    return SMALL_CLASSES + ((fl - 10) << SUB_BITS) + ((size >> (fl - SUB_BITS)) & 31);
}

static inline size_t class_min(size_t i)
{
    if (i < SMALL_CLASSES)
        return (size_t)i << 4;
    i -= SMALL_CLASSES;
    return (32 + (i & 31)) << ((i >> SUB_BITS) + 10 - SUB_BITS);
}

static inline struct fblock *fblock_of(struct fnode *n)
{
    return (struct fblock *)((char *)n - offsetof(struct fblock, node));
}

static inline void class_push(struct fblock *b, size_t i)
{
    struct fnode *head = &H.heads[i], *first = head->next;
    b->cls = i;
    b->node.next = first;
    b->node.prev = head;
    first->prev = &b->node;
    head->next = &b->node;
    if (first == head) {
        H.words[i >> 6] |= 1ull << (i & 63);
        H.top |= 1ull << (i >> 6);
    }
}

static inline void class_remove(struct fblock *b)
{
    struct fnode *next = b->node.next, *prev = b->node.prev;
    prev->next = next;
    next->prev = prev;
    if (next == prev) { /* only the head is left */
        size_t i = b->cls;
        if (!(H.words[i >> 6] &= ~(1ull << (i & 63))))
            H.top &= ~(1ull << (i >> 6));
    }
}

/* A merge that keeps the class moves the list entry instead of re-filing it. */
static inline void class_replace(struct fblock *old, struct fblock *b)
{
    b->node = old->node;
    b->cls = old->cls;
    b->node.next->prev = &b->node;
    b->node.prev->next = &b->node;
}

static inline void set_free(struct fblock *b, size_t size)
{
    block_set(&b->h, size, B_FREE);
    *(size_t *)((char *)b + size - sizeof(size_t)) = size;
}

/* Good fit with a lean to low addresses: the head of the request's own class if it fits,
 * else the lowest-addressed head among the next CANDIDATES non-empty classes, all of which
 * fit. Leaning low packs blocks the way first fit does: T1 needs 1.33x its peak live bytes
 * this way, 1.41x with the smallest class alone (NOTES.md). The bitmaps yield the classes in
 * order, one ctz each, without looking at an empty list. */
#ifndef CANDIDATES /* -DCANDIDATES=1: pure good fit, for the trade-off in NOTES.md */
#define CANDIDATES 3
#endif
static inline struct fblock *find_block(size_t need)
{
    size_t i = class_of(need);
    struct fnode *first = H.heads[i].next;
    if (first != &H.heads[i] && B_SIZE(fblock_of(first)->h.word) >= need)
        return fblock_of(first);
    struct fblock *best = NULL;
    size_t w = (i + 1) >> 6;
    uint64_t bits = H.words[w] & (~0ull << ((i + 1) & 63));
    for (int n = 0; n < CANDIDATES; n++) {
        if (!bits) {
            uint64_t words = H.top & (~1ull << w);
            if (!words)
                break;
            w = ctz(words);
            bits = H.words[w];
        }
        struct fblock *b = fblock_of(H.heads[(w << 6) | ctz(bits)].next);
        bits &= bits - 1;
        if (!best || b < best)
            best = b;
    }
    return best;
}

/* Hands out the tail of b: the free front keeps its address, and usually its class and list. */
static inline void *carve(struct fblock *b, size_t need)
{
    size_t size = B_SIZE(b->h.word), rem = size - need;
    struct block *u = &b->h;
    if (rem < KHEAP_MIN_BLOCK) {
        class_remove(b);
        need = size;
        u->word = size; /* same address and size: the canary still holds */
    } else {
        if (rem < class_min(b->cls)) {
            class_remove(b);
            set_free(b, rem);
            class_push(b, class_of(rem));
        } else {
            set_free(b, rem);
        }
        u = block_at(b, rem);
        block_set(u, need, B_PREV_FREE);
    }
    block_at(u, need)->word &= ~B_PREV_FREE;
    return u + 1;
}

static void maybe_release(struct fblock *b, struct block *sentinel)
{
    struct kheap_arena *a = (struct kheap_arena *)(sentinel + 1);
    if (!a->releasable || &b->h != a->first)
        return;
    class_remove(b);
    kheap_arena_unlink(&H.c, a);
    H.c.releases++;
    KHEAP_RELEASE(a->base, a->size);
}

/* b is a valid used block: make it free and merge it with free neighbours. Inlined into
 * kfree, the hot caller; the call costs more than the no-merge path itself. */
static inline __attribute__((always_inline)) void free_block_inline(struct block *b)
{
    size_t w = b->word, size = B_SIZE(w);
    struct block *n = block_at(b, size);
    size_t nw = n->word;
    struct fblock *f = (struct fblock *)b;
    if (nw & B_FREE) {
        block_check(n);
        size += B_SIZE(nw);
    }
    if (w & B_PREV_FREE) {
        f = (struct fblock *)block_at(b, -((size_t *)b)[-1]);
        block_check(&f->h);
        b->canary = 0;      /* b's header is gone: a second kfree(b) must not find it valid */
        if (nw & B_FREE)
            class_remove((struct fblock *)n);
        size += B_SIZE(f->h.word);
        if (size >= class_min(f->cls + 1)) {
            class_remove(f);
            class_push(f, class_of(size));
        }
    } else if (nw & B_FREE) {
        struct fblock *next = (struct fblock *)n;
        if (size < class_min(next->cls + 1)) {
            class_replace(next, f);
        } else {
            class_remove(next);
            class_push(f, class_of(size));
        }
    } else {
        class_push(f, class_of(size));
    }
    set_free(f, size);
    n = block_at(f, size);
    nw = n->word;
    n->word = nw | B_PREV_FREE;
    if (B_SIZE(nw) == 0)
        maybe_release(f, n);
}

void kheap_free_block(struct block *b)
{
    free_block_inline(b);
}

/* Gives back the part of used block b beyond need bytes, if it can stand as a block. */
void kheap_trim(struct block *b, size_t need)
{
    size_t size = B_SIZE(b->word);
    if (size - need < KHEAP_MIN_BLOCK)
        return;
    block_set(b, need, b->word & B_PREV_FREE);
    struct block *tail = block_at(b, need);
    block_set(tail, size - need, 0);
    kheap_free_block(tail);
}

static int add_arena(void *base, size_t size, int releasable)
{
    struct block *b = kheap_arena_setup(&H.c, base, size, releasable);
    if (!b)
        return -1;
    struct block *end = H.c.arenas->end;
    size_t bytes = (size_t)((char *)end - (char *)b);
    set_free((struct fblock *)b, bytes);
    class_push((struct fblock *)b, class_of(bytes));
    end->word |= B_PREV_FREE;
    return 0;
}

void kheap_init(void *base, size_t size)
{
    H.c = (struct kheap_common){.lo = UINTPTR_MAX};
    kheap_cache_reset();
    H.top = 0;
    for (unsigned w = 0; w < WORDS; w++)
        H.words[w] = 0;
    for (unsigned i = 0; i < CLASSES; i++)
        H.heads[i].next = H.heads[i].prev = &H.heads[i];
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

static inline struct block *alloc_block(size_t need)
{
    struct fnode *head = &H.heads[(need < SMALL_LIMIT ? need : 0) >> 4];
    if (need < SMALL_LIMIT && head->next != head) {
        /* the fast path: a block of exactly this size, nothing to split */
        struct fblock *b = fblock_of(head->next);
        class_remove(b);
        b->h.word = need; /* used now; same address and size, so the canary holds */
        block_at(b, need)->word &= ~B_PREV_FREE;
        return &b->h;
    }
    struct fblock *b = find_block(need);
    return b ? (struct block *)carve(b, need) - 1 : NULL;
}

struct block *kheap_alloc_block(size_t need)
{
    return alloc_block(need);
}

/* kmalloc of a size the caches do not keep: the lists, under the heap's lock; when they have
 * no room, heap/common.c gives back this hart's cached blocks and grows the heap. */
static __attribute__((noinline)) void *alloc_listed(size_t n)
{
    if (n > KHEAP_MAX_REQUEST)
        return NULL;
    KHEAP_LOCK();
    struct block *b = alloc_block(block_size_for(n));
    H.c.allocs += b != NULL;
    KHEAP_UNLOCK();
    return b ? b + 1 : kheap_alloc_uncached(n);
}

/* kmalloc: this hart's cache for the sizes it keeps, the lists for the others. The first
 * test picks out the common case, 17..992 bytes: a block of n + 16 bytes rounded up to 16,
 * of at least 48, below 1 KiB (so not rounded further). */
KHEAP_FAST void *kmalloc(size_t n)
{
    if (n - 17 <= 992 - 17 && 992 + KHEAP_HDR <= CACHE_MAX_BLOCK)
        return cache_alloc((n + KHEAP_HDR + 15) & ~(size_t)15);
    if (n <= CACHE_MAX_REQUEST)
        return cache_alloc(cache_block_size(block_size_for(n)));
    return alloc_listed(n);
}

/* kfree's locked path, for a block whose size the caches do not keep, or that has a free
 * neighbour to merge with, or a pointer that failed the check (block_of_user names how). */
static __attribute__((noinline)) void free_listed(void *p)
{
    KHEAP_LOCK();
    struct block *b = block_of_user(&H.c, p); /* again: another hart may have freed it */
    H.c.frees++; /* before the merge, whose rare release call can then be a tail call */
    free_block_inline(b);
    KHEAP_UNLOCK();
}

/* kfree: a block that passes the check without the lock goes to this hart's cache if its
 * size is cached and it has no free neighbour; anything else to the locked path. */
KHEAP_FAST void kfree(void *p)
{
    if (!p)
        return;
    struct block *b = block_at(p, -KHEAP_HDR);
    if (block_in_heap(&H.c, b)) {
        size_t word = b->word;
        uintptr_t canary = b->canary;
        if (block_used(b, word, canary) && cache_free(b, word, canary))
            return;
    }
    free_listed(p);
}

/* What heap/common.c (kzalloc, krealloc, kmalloc_aligned) needs from this heap. */
struct kheap_common *const kheap_c = &H.c;

size_t kheap_grow_into_next(struct block *b, size_t size)
{
    struct block *next = block_at(b, size);
    block_check(next);
    class_remove((struct fblock *)next);
    size += B_SIZE(next->word);
    block_set(b, size, b->word & B_PREV_FREE);
    block_at(b, size)->word &= ~B_PREV_FREE;
    return size;
}

int kheap_check(void)
{
    KHEAP_LOCK();
    long cached[KHEAP_HARTS], on_lists[KHEAP_HARTS];
    size_t free_blocks = kheap_check_blocks(&H.c, 1, cached), listed = 0;
    kheap_cache_check(on_lists);
    for (int h = 0; h < KHEAP_HARTS; h++)
        if (on_lists[h] >= 0 && on_lists[h] != cached[h])
            KHEAP_PANIC("kheap_check: hart %d's cache lists hold %ld blocks, %ld are marked", h,
                        on_lists[h], cached[h]);
    for (unsigned i = 0; i < WORDS * 64; i++) {
        int bit = H.words[i >> 6] >> (i & 63) & 1;
        if ((i & 63) == 0 && !(H.top >> (i >> 6) & 1) != !H.words[i >> 6])
            KHEAP_PANIC("kheap_check: top bit %u disagrees with its word", i >> 6);
        if (i >= CLASSES) {
            if (bit)
                KHEAP_PANIC("kheap_check: bit for nonexistent class %u", i);
            continue;
        }
        struct fnode *head = &H.heads[i];
        if (bit != (head->next != head))
            KHEAP_PANIC("kheap_check: bitmap bit %u disagrees with its list", i);
        for (struct fnode *x = head->next; x != head; x = x->next) {
            struct fblock *b = fblock_of(x);
            size_t size = B_SIZE(b->h.word);
            if ((uintptr_t)b < H.c.lo || (uintptr_t)b >= H.c.hi || x->next->prev != x ||
                ++listed > free_blocks)
                KHEAP_PANIC("kheap_check: list %u broken at 0x%lx", i, (unsigned long)b);
            block_check(&b->h);
            if (!(b->h.word & B_FREE) || b->cls != i || class_of(size) != i)
                KHEAP_PANIC("kheap_check: block 0x%lx (size %lu) on list %u", (unsigned long)b,
                            (unsigned long)size, i);
        }
    }
    if (listed != free_blocks)
        KHEAP_PANIC("kheap_check: %lu free blocks, %lu on lists", (unsigned long)free_blocks,
                    (unsigned long)listed);
    KHEAP_UNLOCK();
    return 0;
}

size_t kheap_class_count(void)
{
    return CLASSES;
}

size_t kheap_class_of(size_t size)
{
    return class_of(size);
}

size_t kheap_class_min(size_t i)
{
    return class_min(i);
}

void kheap_stats(struct kheap_stats *out)
{
    size_t allocs, frees;
    KHEAP_LOCK();
    kheap_walk_stats(&H.c, out);
    kheap_cache_counts(out->cached_blocks, &allocs, &frees);
    KHEAP_UNLOCK();
    out->allocs += allocs;
    out->frees += frees;
}
