/* heap/heapmap.c: the heap map (chapter 11, see heap/heapmap.h): a snapshot of every block of
 * every arena, printed as text that tools/heapmap turns into an SVG strip per arena. Then the
 * `heapmap=t1` boot: the map before, during and after a replay of trace T1.
 *
 * The block on the console (lines may end \r\n; nothing else is printed inside it):
 *
 *     hartos-heapmap 1 label=LABEL arenas=A harts=H classes=C
 *     arena I base=0xADDR size=BYTES end=OFF blocks=N     (I from 0, in address order)
 *     b OFF SIZE u|f|c [HART]      N lines: each block in address order; OFF hex bytes from
 *                                  base, SIZE decimal bytes (header included); u used, f free
 *                                  (on a free list), c cached (free, in hart HART's cache)
 *     ...                          (the next arena line, its blocks, ...)
 *     class I MIN FREE cached=K0,K1,...   every free list with a block on it or in a cache: its
 *                                  index, smallest block size, length, and the blocks of its
 *                                  size each hart's cache holds (H numbers)
 *     hartos-heapmap-end blocks=N used=BYTES free=BYTES cached=BYTES largest=BYTES
 *
 * `end` is where the arena's blocks stop: its sentinel and arena record (heap/block.h) follow.
 * free= counts the blocks on the lists, cached= those in the caches (free too, to the heap);
 * largest= is the largest block on the lists. A list's length is counted from the blocks: a
 * free block waits on the list of its size's class (kheap_check checks exactly that).
 *
 * Locking: the heap's lock (a spinlock) is held only while the blocks are copied into a buffer
 * (two walks: one to count them, one to copy), never while printing, which takes as long as
 * the console wants and would keep every other hart spinning. The copy is one pass over the
 * heap, bounded by its size, with no call out. Under the lock the header words (sizes, B_FREE)
 * cannot change; a cached block's mark can, since each hart pops and pushes its own cache
 * without the lock (heap/cache.h): so another hart's block may be drawn cached a moment after
 * it was handed out, or the other way round. Sizes, and so the walk, are exact.
 */
#include "heap/heapmap.h"
#include "heap/cache.h"
#include "heap/frame.h"
#include "heap/heap.h"
#include "kernel/panic.h"
#include "kernel/poweroff.h"
#include "kernel/printf.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "tests/bench/trace_t1.h"

#define HEAPMAP_VERSION 1

enum { MAP_ARENA, MAP_USED, MAP_FREE, MAP_CACHED };

struct map_rec {            /* an arena (base, size, end offset) or a block (offset, size) */
    uint64_t at, size, end;
    uint16_t kind;
    int16_t hart;           /* MAP_CACHED: the cache's hart */
};

/* One pass over the heap; with out == NULL it only counts. Stops at `most` records. The
 * arenas are on a list, newest first: each is recorded where its address puts it later. */
static size_t walk(struct map_rec *out, size_t most)
{
    size_t n = 0;
    for (struct kheap_arena *a = kheap_c->arenas; a; a = a->next) {
        if (out && n < most)
            out[n] = (struct map_rec){.at = (uintptr_t)a->base, .size = a->size,
                                      .end = (uintptr_t)a->end - (uintptr_t)a->base,
                                      .kind = MAP_ARENA};
        n++;
        for (struct block *b = a->first; b != a->end; b = block_at(b, B_SIZE(b->word))) {
            size_t size = B_SIZE(b->word);
            if (size < KHEAP_MIN_BLOCK || block_at(b, (ptrdiff_t)size) > a->end)
                KHEAP_PANIC("heapmap: bad block size %lu at 0x%lx", (unsigned long)size,
                            (unsigned long)b);
            if (out && n < most) {
                int hart = (b->word & B_FREE) ? -1 : kheap_cache_holder(b);
                out[n] = (struct map_rec){
                    .at = (uintptr_t)b - (uintptr_t)a->base, .size = size,
                    .kind = (b->word & B_FREE) ? MAP_FREE : hart >= 0 ? MAP_CACHED : MAP_USED,
                    .hart = (int16_t)hart};
            }
            n++;
        }
    }
    return n;
}

/* Copies the heap into pages of its own (not kmalloc: the map must not change the heap it
 * draws): counts, takes pages for a little more, copies; if the heap grew meanwhile, again. */
static struct map_rec *snapshot(size_t *count, size_t extra_bytes, size_t *pages_out)
{
    for (int tries = 0; tries < 4; tries++) {
        KHEAP_LOCK();
        size_t n = walk(NULL, 0);
        KHEAP_UNLOCK();
        size_t most = n + n / 8 + 64;
        size_t pages = (most * sizeof(struct map_rec) + extra_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
        struct map_rec *recs = frame_alloc_run(pages);
        if (recs == NULL)
            return NULL;
        KHEAP_LOCK();
        n = walk(recs, most);
        KHEAP_UNLOCK();
        if (n <= most) {
            *count = n;
            *pages_out = pages;
            return recs;
        }
        frame_free(recs);
    }
    return NULL;
}

/* Arena record i (recs[i].kind == MAP_ARENA): how many block records follow it. */
static size_t arena_blocks(const struct map_rec *recs, size_t n, size_t i)
{
    size_t k = i + 1;
    while (k < n && recs[k].kind != MAP_ARENA)
        k++;
    return k - i - 1;
}

int kheap_print_map(const char *label)
{
    size_t classes = kheap_class_count(), harts = (size_t)smp_harts(), n, pages;
    size_t count_bytes = classes * (1 + harts) * sizeof(uint32_t);
    struct map_rec *recs = snapshot(&n, count_bytes, &pages);
    if (recs == NULL) {
        kprintf("heapmap: no free pages to copy the heap into; no map\n");
        return -1;
    }
    /* Per class: blocks on its list, then per hart the blocks of its size in that cache. */
    uint32_t *counts = (uint32_t *)((char *)recs + pages * PAGE_SIZE - count_bytes);
    memset(counts, 0, count_bytes);
    size_t arenas = 0, blocks = 0, used = 0, free = 0, cached = 0, largest = 0;
    for (size_t i = 0; i < n; i++) {
        const struct map_rec *r = &recs[i];
        if (r->kind == MAP_ARENA) {
            arenas++;
            continue;
        }
        blocks++;
        size_t cls = kheap_class_of(r->size);
        if (r->kind == MAP_USED) {
            used += r->size;
        } else if (r->kind == MAP_FREE) {
            free += r->size;
            largest = r->size > largest ? r->size : largest;
            counts[cls * (1 + harts)]++;
        } else {
            cached += r->size;
            if ((size_t)r->hart < harts)
                counts[cls * (1 + harts) + 1 + (size_t)r->hart]++;
        }
    }

    kprintf("hartos-heapmap %d label=%s arenas=%lu harts=%lu classes=%lu\n", HEAPMAP_VERSION,
            label, (unsigned long)arenas, (unsigned long)harts, (unsigned long)classes);
    /* Arenas in address order: pick the lowest base not yet printed, each time (few arenas). */
    uint64_t after = 0;
    for (size_t k = 0; k < arenas; k++) {
        size_t pick = n;
        for (size_t i = 0; i < n; i++)
            if (recs[i].kind == MAP_ARENA && (k == 0 || recs[i].at > after) &&
                (pick == n || recs[i].at < recs[pick].at))
                pick = i;
        after = recs[pick].at;
        size_t nb = arena_blocks(recs, n, pick);
        kprintf("arena %lu base=%#lx size=%lu end=%lx blocks=%lu\n", (unsigned long)k,
                (unsigned long)recs[pick].at, (unsigned long)recs[pick].size,
                (unsigned long)recs[pick].end, (unsigned long)nb);
        for (size_t i = pick + 1; i <= pick + nb; i++) {
            static const char state[] = "?ufc";
            if (recs[i].kind == MAP_CACHED)
                kprintf("b %lx %lu c %d\n", (unsigned long)recs[i].at,
                        (unsigned long)recs[i].size, recs[i].hart);
            else
                kprintf("b %lx %lu %c\n", (unsigned long)recs[i].at,
                        (unsigned long)recs[i].size, state[recs[i].kind]);
        }
    }
    for (size_t c = 0; c < classes; c++) {
        uint32_t *row = &counts[c * (1 + harts)], any = 0;
        for (size_t h = 0; h <= harts; h++)
            any |= row[h];
        if (!any)
            continue;
        kprintf("class %lu %lu %u cached=", (unsigned long)c,
                (unsigned long)kheap_class_min(c), row[0]);
        for (size_t h = 0; h < harts; h++)
            kprintf("%s%u", h ? "," : "", row[1 + h]);
        kprintf("\n");
    }
    kprintf("hartos-heapmap-end blocks=%lu used=%lu free=%lu cached=%lu largest=%lu\n",
            (unsigned long)blocks, (unsigned long)used, (unsigned long)free,
            (unsigned long)cached, (unsigned long)largest);
    frame_free(recs);
    return 0;
}

/* ---- heapmap=t1: the heap before and after trace T1 ------------------------------------- */

/* Pages for something this big, or a clear stop. */
static void *pages_for(size_t bytes)
{
    void *p = frame_alloc_run((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
    if (p == NULL)
        panic("heapmap t1: no %lu KiB of free pages (boot with more MEM)",
              (unsigned long)(bytes >> 10));
    return p;
}

/* T1 replayed as `make bench` replays it (tests/bench/heap_bench.c): in a 16 MiB arena added
 * for it, held by a block too big for the boot arena, so that the arena is not handed back
 * whenever nothing of T1 is live. The maps: before (the arena added, nothing of T1 yet), after
 * (where T1 begins its final drain: a million operations' worth of holes and live blocks), and
 * drained (T1 all freed: what the caches kept). */
#define T1_ARENA_BYTES (16UL << 20)

static void replay_t1(void)
{
    struct t1_gen *gen = pages_for(sizeof(struct t1_gen));
    void **ptr = pages_for(T1_SLOTS * sizeof(void *));
    void *arena = pages_for(T1_ARENA_BYTES);
    if (kheap_add_arena(arena, T1_ARENA_BYTES) != 0)
        panic("heapmap t1: the heap refused a 16 MiB arena");
    void *pin = kmalloc(HEAP_FIRST_ARENA_PAGES * PAGE_SIZE);
    if (pin == NULL)
        panic("heapmap t1: no room for the block that holds the arena");

    kheap_print_map("before");
    struct t1_op op;
    int mapped = 0;
    uint64_t failures = 0;
    t1_start(gen, T1_SEED, T1_OPS, T1_LIVE_CAP);
    while (t1_next(gen, &op)) {
        if (gen->draining && !mapped) {
            kheap_print_map("after");
            mapped = 1;
        }
        if (op.kind == T1_ALLOC) {
            ptr[op.slot] = kmalloc(op.size);
            failures += ptr[op.slot] == NULL;
        } else {
            kfree(ptr[op.slot]);
        }
    }
    if (failures)
        panic("heapmap t1: %lu allocations of T1 failed", (unsigned long)failures);
    kheap_print_map("drained");
    if (kheap_check() != 0)
        panic("heapmap t1: heap check failed after T1");
    kfree(pin);
    frame_free(ptr);
    frame_free(gen);
}

void heapmap_run(const char *arg, size_t len)
{
    if (len == 2 && strncmp(arg, "t1", 2) == 0) {
        replay_t1();
        kprintf("heapmap: done, powering off\n");
        poweroff(0);
    }
    kprintf("heapmap: 'heapmap=%.*s' is not a scenario (heapmap=t1); no map\n", (int)len, arg);
}
