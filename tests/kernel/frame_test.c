/* frame_test.c: in-kernel tests of heap/frame.c. */
#include "heap/frame.h"
#include "kernel/ktest.h"

extern char __kernel_start[], __kernel_end[];

/* Single pages and runs come back page-aligned and distinct, and every page returns. */
KTEST(frame_alloc_free_balance)
{
    struct frame_stats before, during, after;
    frame_stats(&before);
    char *a = frame_alloc(), *b = frame_alloc(), *run = frame_alloc_run(16);
    KT_EXPECT(a && b && run);
    KT_EXPECT((uint64_t)a % PAGE_SIZE == 0 && (uint64_t)run % PAGE_SIZE == 0);
    KT_EXPECT(a != b && (run + 16 * PAGE_SIZE <= a || run >= a + PAGE_SIZE));
    for (int i = 0; i < 16; i++)
        run[i * PAGE_SIZE] = (char)i;       /* every page of the run is writable RAM */
    frame_stats(&during);
    KT_EXPECTF(during.free == before.free - 18, "free %lu, expected %lu",
               (unsigned long)during.free, (unsigned long)(before.free - 18));
    frame_free(run);
    frame_free(b);
    frame_free(a);
    frame_stats(&after);
    KT_EXPECT(after.free == before.free && after.used == before.used);
}

/* Take every free page: none may overlap the kernel image, and then the allocator says no.
 * Giving them all back restores the count. (Linked through the pages themselves.) */
KTEST(frame_exhaustion_and_reservations)
{
    struct frame_stats before, after;
    frame_stats(&before);
    void **list = NULL;
    size_t n = 0;
    for (void **p; (p = frame_alloc()) != NULL; n++) {
        KT_EXPECTF((char *)p >= __kernel_end || (char *)p + PAGE_SIZE <= __kernel_start,
                   "page %p is inside the kernel image", (void *)p);
        *p = list;
        list = p;
    }
    KT_EXPECTF(n == before.free, "got %lu pages, %lu were free", (unsigned long)n,
               (unsigned long)before.free);
    KT_EXPECT(frame_alloc_run(2) == NULL);
    while (list) {
        void **next = *list;
        frame_free(list);
        list = next;
    }
    frame_stats(&after);
    KT_EXPECT(after.free == before.free);
    KT_EXPECT(frame_alloc_run(before.free + 1) == NULL);     /* more than exists */
}

KTEST_PANICS(frame_double_free_panics)
{
    void *p = frame_alloc();
    frame_free(p);
    frame_free(p);
}

KTEST_PANICS(frame_free_middle_of_run_panics)
{
    char *run = frame_alloc_run(4);
    frame_free(run + 2 * PAGE_SIZE);
}

KTEST_PANICS(frame_free_reserved_panics)
{
    frame_free(__kernel_start);
}
