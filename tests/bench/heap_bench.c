/* heap_bench.c: `kmalloc`, the kernel heap on trace T1 (../shared/heapbench's specification;
 * our generator is tests/bench/trace_t1.c). Every kmalloc and kfree of the million operations
 * is bracketed by rdinstret; a pair is one object's kmalloc plus its kfree. The trace runs in
 * a fresh 16 MiB arena added to the heap (as heapbench runs it in 16 MiB), with interrupts
 * off so no timer interrupt lands inside a measurement.
 *
 * An arena that becomes wholly free goes back to the frame allocator, and T1 has moments with
 * nothing live, so a block bigger than the boot arena is held in the added arena for the whole
 * run: the benchmark measures the allocator, not the heap giving its memory back and growing.
 */
#include "heap/frame.h"
#include "heap/heap.h"
#include "heap/kheap.h"
#include "kernel/kbench.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/string.h"
#include "tests/bench/trace_t1.h"

#define ARENA_BYTES (16UL << 20)
#define HIST_SIZE   8192        /* exact counts for pairs below this many instructions */

static uint32_t hist[HIST_SIZE];

/* Pages for something this big, or a clear stop: a benchmark must not quietly measure less. */
static void *pages_for(size_t bytes)
{
    void *p = frame_alloc_run((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
    if (p == NULL)
        panic("kbench kmalloc: no %lu KiB of free pages (boot with more MEM)",
              (unsigned long)(bytes >> 10));
    return p;
}

/* The smallest value v with at least `rank` samples <= v. */
static uint64_t percentile(uint64_t rank, uint64_t overflow_max)
{
    uint64_t seen = 0;
    for (uint64_t v = 0; v < HIST_SIZE; v++)
        if ((seen += hist[v]) >= rank)
            return v;
    return overflow_max;
}

KBENCH(kmalloc)
{
    struct t1_gen *gen = pages_for(sizeof(struct t1_gen));
    void **ptr = pages_for(T1_SLOTS * sizeof(void *));
    uint32_t *alloc_cost = pages_for(T1_SLOTS * sizeof(uint32_t));
    void *arena = pages_for(ARENA_BYTES);
    if (kheap_add_arena(arena, ARENA_BYTES) != 0)
        panic("kbench kmalloc: the heap refused a 16 MiB arena");
    memset(hist, 0, sizeof(hist));

    uint64_t overhead = kbench_call_overhead(), pairs = 0, sum = 0, max = 0, failures = 0;
    void *pin = kmalloc(HEAP_FIRST_ARENA_PAGES * PAGE_SIZE);     /* cannot fit in the first */
    struct t1_op op;
    intr_off();
    t1_start(gen, T1_SEED, T1_OPS, T1_LIVE_CAP);
    while (t1_next(gen, &op)) {
        if (op.kind == T1_ALLOC) {
            uint64_t t0 = rdinstret();
            void *p = kmalloc(op.size);
            uint64_t t = rdinstret() - t0 - overhead;
            ptr[op.slot] = p;
            alloc_cost[op.slot] = (uint32_t)t;
            failures += p == NULL;
        } else if (ptr[op.slot] != NULL) {
            uint64_t t0 = rdinstret();
            kfree(ptr[op.slot]);
            uint64_t pair = rdinstret() - t0 - overhead + alloc_cost[op.slot];
            hist[pair < HIST_SIZE ? pair : HIST_SIZE - 1] += pair < HIST_SIZE;
            max = pair > max ? pair : max;
            sum += pair;
            pairs++;
        }
    }
    intr_on();
    if (failures)
        panic("kbench kmalloc: %lu allocations of T1 failed in 16 MiB", (unsigned long)failures);
    if (kheap_check() != 0)
        panic("kbench kmalloc: heap check failed after T1");

    kbench_report("kmalloc_pair_median", percentile((pairs + 1) / 2, max) * 1000, "instr");
    kbench_report("kmalloc_pair_mean", sum * 1000 / pairs, "instr");
    kbench_report("kmalloc_pair_p99", percentile((pairs * 99 + 99) / 100, max) * 1000, "instr");
    kbench_report("kmalloc_pair_max", max * 1000, "instr");
    kbench_report("kmalloc_pairs", pairs * 1000, "pairs");


    /* Freeing the pin leaves the arena wholly free: the heap hands it back to the frames. */
    kfree(pin);
    frame_free(alloc_cost);
    frame_free(ptr);
    frame_free(gen);
}
