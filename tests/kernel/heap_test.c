/* heap_test.c: in-kernel tests of the heap on real pages: kmalloc works at boot, grows the heap
 * from the frame allocator past its first arena, and gives the pages back when it is empty.
 * The allocator itself is tested in depth on the host (tests/host/heap_test.c). */
#include "heap/bump.h"
#include "heap/frame.h"
#include "heap/heap.h"
#include "heap/kheap.h"
#include "kernel/ktest.h"
#include "kernel/string.h"

KTEST(heap_kmalloc_basics)
{
    char *a = kmalloc(100), *b = kzalloc(5000);
    KT_EXPECT(a && b && (uint64_t)a % 16 == 0 && (uint64_t)b % 16 == 0);
    for (int i = 0; i < 5000; i++)
        KT_EXPECT(b[i] == 0);
    memset(a, 0x5a, 100);
    a = krealloc(a, 3000);
    KT_EXPECT(a && a[0] == 0x5a && a[99] == 0x5a);
    void *al = kmalloc_aligned(64, 4096);
    KT_EXPECT(al && (uint64_t)al % 4096 == 0);
    kfree(al);
    kfree(a);
    kfree(b);
    kfree(NULL);
    KT_EXPECT(kheap_check() == 0);
}

/* 8 MiB in 256 KiB pieces is far more than the first arena: the heap must grow from frames,
 * and once everything is freed the added arenas go back (frame count back to its baseline). */
KTEST(heap_grows_and_gives_back)
{
    enum { PIECES = 32, PIECE = 256 * 1024 };
    struct frame_stats f0, f1, f2;
    struct kheap_stats h0, h1;
    frame_stats(&f0);
    kheap_stats(&h0);
    void *p[PIECES];
    for (int i = 0; i < PIECES; i++) {
        p[i] = kmalloc(PIECE);
        KT_EXPECTF(p[i] != NULL, "kmalloc #%d of 256 KiB failed", i);
        memset(p[i], i, PIECE);
    }
    KT_EXPECT(kheap_check() == 0);
    frame_stats(&f1);
    KT_EXPECTF(f1.used >= f0.used + PIECES * PIECE / PAGE_SIZE, "frames used %lu -> %lu",
               (unsigned long)f0.used, (unsigned long)f1.used);
    for (int i = 0; i < PIECES; i++)
        kfree(p[i]);
    KT_EXPECT(kheap_check() == 0);
    frame_stats(&f2);
    kheap_stats(&h1);
    /* At most as many: blocks another hart frees meanwhile (into the lists, or drained from its
     * cache) may empty, and so give back, an arena that was there before. */
    KT_EXPECTF(f2.used <= f0.used, "frames used %lu before, %lu after", (unsigned long)f0.used,
               (unsigned long)f2.used);
    KT_EXPECT(h1.arena_bytes <= h0.arena_bytes);
}

/* When memory runs out, kmalloc returns NULL (never a crash) and the heap is intact. */
KTEST(heap_exhaustion_returns_null)
{
    struct frame_stats f;
    frame_stats(&f);
    KT_EXPECT(kmalloc(f.free * PAGE_SIZE + PAGE_SIZE) == NULL);
    KT_EXPECT(kmalloc((size_t)-1) == NULL);
    KT_EXPECT(kheap_check() == 0);
}

KTEST_PANICS(heap_double_free_panics)
{
    void *p = kmalloc(64);
    kfree(p);
    kfree(p);
}

KTEST_PANICS(heap_foreign_pointer_panics)
{
    static char not_from_the_heap[64] __attribute__((aligned(16)));
    kfree(not_from_the_heap + 16);
}

/* The bump allocator (chapter 4's first step): handing out is trivial, but memory comes back
 * only when every allocation has been freed. */
KTEST(heap_bump_reuses_only_when_empty)
{
    char *pages = frame_alloc_run(4);
    KT_EXPECT(pages != NULL);
    bump_init(pages, 4 * PAGE_SIZE);
    char *a = bump_alloc(1000, 16), *b = bump_alloc(1000, 16);
    KT_EXPECT(a && b && b > a);
    bump_free(a);
    char *c = bump_alloc(1000, 16);
    KT_EXPECT(c > b);                       /* a's space is not reused: b is still live */
    bump_free(b);
    bump_free(c);
    KT_EXPECT(bump_live() == 0);
    KT_EXPECT(bump_alloc(1000, 16) == a);   /* all freed: back to the start */
    KT_EXPECT(bump_alloc(4 * PAGE_SIZE, 16) == NULL);     /* more than is left */
    frame_free(pages);
}
