/* frame.c: physical pages, tracked with one state byte per page over [ram_lo, ram_hi):
 *
 *   FREE       ours, not handed out
 *   RESERVED   not ours: firmware, kernel image, device tree, this table, holes between RAM
 *   RUN_START  the first page of a run frame_alloc_run handed out
 *   RUN_REST   a later page of that run
 *
 * So frame_free needs no length (the run is its start and the RUN_REST pages after it), and it
 * can tell a double free, a page in the middle of a run and a reserved page apart. The table
 * lives in the first free pages after the kernel (one page per 16 MiB of RAM).
 *
 * Allocation is first fit from a rotating hint (where the last allocation ended), skipping
 * eight busy pages at a time where it can. That is O(pages) in the worst case; the heap
 * (heap/list.c) is the O(1) allocator and comes here only to grow.
 */
#include "heap/frame.h"
#include "kernel/fdt.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

#include <stdbool.h>

enum page_state { FREE = 0, RESERVED, RUN_START, RUN_REST };

static uint64_t ram_lo, ram_hi; /* page-aligned bounds of all RAM */
static uint8_t *state;          /* state[(addr - ram_lo) / PAGE_SIZE] */
static size_t npages, nfree, ntotal;
static size_t hint; /* where the next search starts */
static struct spinlock frame_lock = SPINLOCK_INIT("frames", LOCK_FRAMES); /* guards all of the above */

static inline uint64_t page_addr(size_t i)
{
    return ram_lo + (uint64_t)i * PAGE_SIZE;
}
static inline uint64_t page_up(uint64_t a)
{
    return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}
static inline uint64_t page_down(uint64_t a)
{
    return a & ~(PAGE_SIZE - 1);
}

/* Mark the pages overlapping [lo, hi) reserved. */
static void reserve(uint64_t lo, uint64_t hi)
{
    lo = page_down(lo) < ram_lo ? ram_lo : page_down(lo);
    hi = page_up(hi) > ram_hi ? ram_hi : page_up(hi);
    for (uint64_t a = lo; a < hi; a += PAGE_SIZE) {
        size_t i = (a - ram_lo) / PAGE_SIZE;
        if (state[i] == FREE)
            nfree--;
        state[i] = RESERVED;
    }
}

/* busy[i] or the tree's reserved[i - nbusy], as [lo, hi). */
static void busy_range(const struct fdt_info *m, const uint64_t (*busy)[2], int nbusy, int i,
                       uint64_t *lo, uint64_t *hi)
{
    *lo = i < nbusy ? busy[i][0] : m->reserved[i - nbusy].base;
    *hi = i < nbusy ? busy[i][1] : *lo + m->reserved[i - nbusy].size;
}

/* The first page-aligned place for `bytes` inside one RAM region and clear of every busy
 * range; 0 if there is none. Used once, to put the state table somewhere. */
static uint64_t place(const struct fdt_info *m, const uint64_t (*busy)[2], int nbusy,
                      uint64_t bytes)
{
    for (int r = 0; r < m->nmemory; r++) {
        uint64_t at = page_up(m->memory[r].base), end = m->memory[r].base + m->memory[r].size;
        for (bool moved = true; moved && at + bytes <= end;) {
            moved = false;
            for (int i = 0; i < nbusy + m->nreserved; i++) {
                uint64_t lo, hi;
                busy_range(m, busy, nbusy, i, &lo, &hi);
                if (at < hi && lo < at + bytes) {
                    at = page_up(hi);
                    moved = true;
                }
            }
        }
        if (at + bytes <= end)
            return at;
    }
    return 0;
}

void frame_init(const struct fdt_info *m, const uint64_t (*busy)[2], int nbusy)
{
    ram_lo = UINT64_MAX;
    ram_hi = 0;
    for (int r = 0; r < m->nmemory; r++) {
        uint64_t lo = page_up(m->memory[r].base);
        uint64_t hi = page_down(m->memory[r].base + m->memory[r].size);
        if (lo < hi) {
            ram_lo = lo < ram_lo ? lo : ram_lo;
            ram_hi = hi > ram_hi ? hi : ram_hi;
        }
    }
    if (ram_lo >= ram_hi)
        panic("frame: the device tree lists no whole page of RAM");
    npages = (ram_hi - ram_lo) / PAGE_SIZE;

    uint64_t table_bytes = page_up(npages);
    uint64_t table = place(m, busy, nbusy, table_bytes);
    if (table == 0)
        panic("frame: no room for the %lu-byte page table of states", (unsigned long)table_bytes);
    state = (uint8_t *)table;

    /* Everything reserved; then each RAM region free; then what is busy reserved again. */
    memset(state, RESERVED, npages);
    nfree = 0;
    for (int r = 0; r < m->nmemory; r++) {
        uint64_t lo = page_up(m->memory[r].base);
        uint64_t hi = page_down(m->memory[r].base + m->memory[r].size);
        for (uint64_t a = lo; a < hi; a += PAGE_SIZE, nfree++)
            state[(a - ram_lo) / PAGE_SIZE] = FREE;
    }
    for (int i = 0; i < nbusy + m->nreserved; i++) {
        uint64_t lo, hi;
        busy_range(m, busy, nbusy, i, &lo, &hi);
        reserve(lo, hi);
    }
    reserve(table, table + table_bytes);
    ntotal = nfree;
    hint = 0;
}

/* First fit for n free pages in [from, to); npages if none. */
static size_t find_run(size_t from, size_t to, size_t n)
{
    size_t i = from;
    while (i + n <= to) {
        /* Eight busy pages at once: a zero byte anywhere in the word means a free page. */
        if (i % 8 == 0 && i + 8 <= to) {
            uint64_t w = *(const uint64_t *)&state[i];
            if (((w - 0x0101010101010101UL) & ~w & 0x8080808080808080UL) == 0) {
                i += 8;
                continue;
            }
        }
        size_t j = i;
        while (j < i + n && state[j] == FREE)
            j++;
        if (j == i + n)
            return i;
        i = j + 1; /* the run cannot start at or before the busy page j */
    }
    return npages;
}

void *frame_alloc_run(size_t n)
{
    spin_lock(&frame_lock);
    size_t i = npages;
    if (n != 0 && n <= nfree) {
        i = find_run(hint, npages, n);
        if (i == npages)
            i = find_run(0, hint + n - 1 < npages ? hint + n - 1 : npages, n);
    }
    if (i == npages) {
        spin_unlock(&frame_lock);
        return NULL;
    }
    state[i] = RUN_START;
    memset(&state[i + 1], RUN_REST, n - 1);
    nfree -= n;
    hint = i + n < npages ? i + n : 0;
    spin_unlock(&frame_lock);
    return (void *)page_addr(i);
}

void *frame_alloc(void)
{
    return frame_alloc_run(1);
}

void frame_free(void *p)
{
    uint64_t a = (uint64_t)p;
    if (a % PAGE_SIZE != 0 || a < ram_lo || a >= ram_hi)
        panic("frame_free(%p): not a page the frame allocator manages", p);
    size_t i = (a - ram_lo) / PAGE_SIZE;
    spin_lock(&frame_lock);
    switch (state[i]) {
    case FREE: panic("frame_free(%p): double free (the page is already free)", p);
    case RESERVED: panic("frame_free(%p): a reserved page, never handed out", p);
    case RUN_REST: panic("frame_free(%p): the middle of a run; free the run's first page", p);
    }
    do {
        state[i++] = FREE;
        nfree++;
    } while (i < npages && state[i] == RUN_REST);
    spin_unlock(&frame_lock);
}

void frame_stats(struct frame_stats *out)
{
    spin_lock(&frame_lock);
    out->total = ntotal;
    out->free = nfree;
    out->used = ntotal - nfree;
    spin_unlock(&frame_lock);
}
