/* heap_frag.c: the `heap_frag` benchmark, on the host. Fragmentation is a property of the
 * allocator's algorithm, not of the machine, so the same heap/list*.c runs here: the smallest
 * arena (in 64 KiB steps, found by binary search) in which trace T1 runs with no failed
 * allocation, divided by T1's peak live payload (4 MiB). heapbench measures its anchors the
 * same way (`heapbench -M`).
 *   build/host/heap_frag_list    ->  bench heap_frag 1.328 ratio
 */
#include "heap/kheap.h"
#include "tests/bench/trace_t1.h"

#include <stdio.h>
#include <stdlib.h>

#define STEP (64u << 10)

static struct t1_gen gen;
static void *ptr[T1_SLOTS];

/* Does T1 run in an arena of `bytes` with no failure? */
static int fits(unsigned char *arena, size_t bytes)
{
    struct t1_op op;
    kheap_init(arena, bytes);
    t1_start(&gen, T1_SEED, T1_OPS, T1_LIVE_CAP);
    while (t1_next(&gen, &op)) {
        if (op.kind == T1_ALLOC) {
            if ((ptr[op.slot] = kmalloc(op.size)) == NULL)
                return 0;
        } else {
            kfree(ptr[op.slot]);
        }
    }
    return 1;
}

int main(void)
{
    size_t lo = T1_LIVE_CAP / STEP, hi = 4 * lo;     /* in steps: lo never fits, hi must */
    unsigned char *arena = aligned_alloc(4096, hi * STEP);
    if (arena == NULL || !fits(arena, hi * STEP)) {
        fprintf(stderr, "heap_frag: T1 does not fit even in %zu MiB\n", hi * STEP >> 20);
        return 1;
    }
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (fits(arena, mid * STEP))
            hi = mid;
        else
            lo = mid;
    }
    printf("bench heap_frag %.3f ratio\n", (double)(hi * STEP) / T1_LIVE_CAP);
    printf("bench heap_min_arena %zu KiB\n", hi * STEP >> 10);
    free(arena);
    return 0;
}
