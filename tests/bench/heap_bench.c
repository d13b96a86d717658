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
#include "kernel/param.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "task/task.h"
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

/* kmalloc_par: every hart runs the same kmalloc/kfree workload at once, each in a task pinned
 * to it, on slots of its own: sizes in T1's mix (60% 16..128 bytes, 30% to 4 KiB, 10% to
 * 64 KiB), each call bracketed by rdinstret as above, with interrupts off while measuring. A
 * hart that waits for the heap's lock spins, and under -icount every spin is an instruction:
 * so the mean per pair, next to the one-hart figure, says whether the harts convoy on the lock
 * (the per-hart caches' point is that they do not). */
#define PAR_SLOTS  64
#define PAR_WARMUP 4000    /* pairs before measuring: the heap grown, the caches full */
#define PAR_PAIRS  40000

struct par_hart {
    uint64_t rng;
    uint64_t pairs, instructions; /* measured pairs, and their kmalloc + kfree instructions */
    void *slot[PAR_SLOTS];
    uint32_t alloc_cost[PAR_SLOTS];
};
static struct par_hart par[MAX_HARTS];
static int par_ready, par_go;

static uint64_t par_random(struct par_hart *h)
{
    uint64_t z = (h->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t par_size(struct par_hart *h)
{
    uint64_t r = par_random(h), percent = r % 100, x = r >> 8;
    if (percent < 60)
        return 16 + x % 113;
    return percent < 90 ? 129 + x % 3968 : 4097 + x % 61440;
}

/* Until `pairs` kfree calls have been made: pick a slot; fill it if empty, else empty it. */
static void par_run(struct par_hart *h, uint64_t pairs, uint64_t overhead, int measure)
{
    while (h->pairs < pairs) {
        int s = (int)(par_random(h) % PAR_SLOTS);
        if (h->slot[s] == NULL) {
            size_t n = par_size(h);
            uint64_t t0 = rdinstret();
            h->slot[s] = kmalloc(n);
            h->alloc_cost[s] = (uint32_t)(rdinstret() - t0 - overhead);
            if (h->slot[s] == NULL)
                panic("kbench kmalloc_par: kmalloc(%lu) failed", (unsigned long)n);
        } else {
            uint64_t t0 = rdinstret();
            kfree(h->slot[s]);
            uint64_t t = rdinstret() - t0 - overhead;
            h->slot[s] = NULL;
            h->instructions += measure ? t + h->alloc_cost[s] : 0;
            h->pairs++;
        }
    }
}

static void *par_worker(void *arg)
{
    struct par_hart *h = arg;
    uint64_t overhead = kbench_call_overhead();
    __atomic_fetch_add(&par_ready, 1, __ATOMIC_RELAXED);
    while (!__atomic_load_n(&par_go, __ATOMIC_ACQUIRE))
        task_sleep_ms(1); /* sleep, not spin: under -icount a spinning hart starves the rest */
    intr_off();
    par_run(h, PAR_WARMUP, overhead, 0);
    h->pairs = 0;
    par_run(h, PAR_PAIRS, overhead, 1);
    intr_on();
    for (int s = 0; s < PAR_SLOTS; s++)
        kfree(h->slot[s]);
    return NULL;
}

KBENCH(kmalloc_par)
{
    int n = smp_harts();
    struct task *t[MAX_HARTS];
    par_ready = par_go = 0;
    for (int i = 0; i < n; i++) {
        par[i] = (struct par_hart){.rng = 0x5eedc0deull + (uint64_t)i};
        if ((t[i] = task_spawn_on(i, "kmalloc_par", par_worker, &par[i])) == NULL)
            panic("kbench kmalloc_par: no task for hart %d", i);
    }
    while (__atomic_load_n(&par_ready, __ATOMIC_RELAXED) < n)
        task_sleep_ms(1);
    __atomic_store_n(&par_go, 1, __ATOMIC_RELEASE);
    uint64_t per_pair_milli = 0;
    for (int i = 0; i < n; i++) {
        if (task_join(t[i], NULL) != 0)
            panic("kbench kmalloc_par: the task on hart %d failed", i);
        task_drop(t[i]);
        per_pair_milli += par[i].instructions * 1000 / par[i].pairs;
    }
    if (kheap_check() != 0)
        panic("kbench kmalloc_par: heap check failed");
    kbench_report("kmalloc_par_mean", per_pair_milli / (uint64_t)n, "instr");
    kbench_report("kmalloc_par_harts", (uint64_t)n * 1000, "harts");
}
