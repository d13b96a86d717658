/* heap/kheap.h -- the kernel heap API: kmalloc/kfree over arenas of memory handed in at boot
 * (kheap_init) and grown later from the frame allocator (kheap_add_arena). Both versions of the
 * chapter, list_plain.c (first fit) and list.c (segregated lists), implement exactly this API. */
#ifndef HEAP_KHEAP_H
#define HEAP_KHEAP_H
#include <stddef.h>

/* The first arena; resets the whole heap (the tests and the benchmark call it again). */
void kheap_init(void *base, size_t size);
/* More memory. Returns 0, or -1 if the region is too small (< 128 B) or too large (>= 2^39 B).
 * When every block of an added arena is free again, the heap hands it back through
 * KHEAP_RELEASE(base, size) (see kheap_port.h) with the base/size given here. */
int kheap_add_arena(void *base, size_t size);

/* Every pointer returned is 16-byte aligned. kmalloc(0) returns a unique minimal block (like
 * glibc): callers that compute a zero length need not special-case it. Requests above 2^38 B
 * and exhaustion return NULL. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* kfree(NULL) does nothing; any other pointer the heap did not hand out panics. */
void kfree(void *p);
/* krealloc(NULL, n) == kmalloc(n); krealloc(p, 0) frees p and returns NULL; on failure the
 * old block is left untouched and NULL is returned. Shrinking and growing into a free
 * neighbour happen in place. */
void *krealloc(void *p, size_t size);
/* align: a power of two >= 16 (smaller values mean 16). Free with kfree. */
void *kmalloc_aligned(size_t size, size_t align);

/* Walks every block and free list and checks every invariant; returns 0 or panics naming the
 * broken one. O(heap): for tests and debug builds, never on the fast path. */
int kheap_check(void);

struct kheap_stats {
    size_t arena_bytes; /* all arenas, as handed in (minus releases) */
    size_t used_bytes;  /* blocks handed out, headers included */
    size_t free_bytes;  /* free blocks, headers included; cached blocks included */
    size_t free_blocks; /* cached blocks included */
    size_t largest_free; /* largest free block outside the caches; kmalloc(largest_free - 16)
                            succeeds */
    size_t allocs, frees;
    size_t arenas, releases;
    size_t cached_bytes, cached_blocks; /* waiting in the harts' caches (heap/cache.h) */
};
/* Walks the heap (O(n)), like kheap_check. */
void kheap_stats(struct kheap_stats *out);

/* Gives this hart's cached blocks back to the heap's lists (heap/cache.h): kmalloc does it
 * before it reports exhaustion; tests do it to see the lists alone. */
void kheap_flush(void);
#endif
