/* heap.c: the kernel's side of the heap. heap/list.c is plain C that also runs on the host; it
 * reaches the kernel only through the hooks in heap/kheap_port.h, which land here: growing
 * (more pages from the frame allocator) and releasing (pages back to it).
 */
#include "heap/heap.h"
#include "heap/cache.h"
#include "heap/frame.h"
#include "heap/kheap.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"

/* Arena bookkeeping the heap keeps at the end of every arena (heap/block.h: a sentinel block
 * and the arena record), so a request of n bytes needs a little more than n. */
#define ARENA_OVERHEAD 256

struct spinlock kheap_lock = SPINLOCK_INIT("heap", LOCK_HEAP);

void heap_init(void)
{
    void *first = frame_alloc_run(HEAP_FIRST_ARENA_PAGES);
    if (first == NULL)
        panic("heap: no %d free pages for the first arena", HEAP_FIRST_ARENA_PAGES);
    kheap_init(first, HEAP_FIRST_ARENA_PAGES * PAGE_SIZE);
    for (int i = 0; i < MAX_HARTS; i++)     /* before the other harts start (ch6) */
        harts[i].heap_cache = &kheap_caches[i];
}

int kheap_grow(size_t need)
{
    size_t pages = (need + ARENA_OVERHEAD + PAGE_SIZE - 1) / PAGE_SIZE;
    if (pages < HEAP_GROW_MIN_PAGES)
        pages = HEAP_GROW_MIN_PAGES;
    void *run = frame_alloc_run(pages);
    if (run == NULL && pages > HEAP_GROW_MIN_PAGES)
        return -1;
    if (run == NULL) {          /* memory is short: settle for exactly what this needs */
        pages = (need + ARENA_OVERHEAD + PAGE_SIZE - 1) / PAGE_SIZE;
        if ((run = frame_alloc_run(pages)) == NULL)
            return -1;
    }
    if (kheap_add_arena(run, pages * PAGE_SIZE) != 0) {
        frame_free(run);
        return -1;
    }
    return 0;
}

/* A wholly free added arena: the heap calls this with its lock held, and frame_free takes no
 * heap memory, so there is no lock-order problem. */
void kheap_release_pages(void *base, size_t size)
{
    (void)size;
    frame_free(base);
}
