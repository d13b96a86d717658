/* frame.h: the page-frame allocator, the kernel's source of physical memory. Every usable page
 * of RAM the device tree lists, minus what is already in use (firmware, the kernel image, the
 * device tree), is handed out here one page or one contiguous run at a time. The heap grows
 * from it; chapter 5's task stacks and chapter 7's page tables come from it.
 */
#ifndef HARTOS_FRAME_H
#define HARTOS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE  4096UL
#define PAGE_SHIFT 12

struct fdt_info;

/* Takes RAM from the tree, and reserves the tree's reserved ranges plus [busy_lo, busy_hi)
 * pairs (the kernel image, the DTB) before handing anything out. */
void frame_init(const struct fdt_info *machine, const uint64_t (*busy)[2], int nbusy);

/* npages contiguous pages, page-aligned, not zeroed; NULL if no run that long is free. */
void *frame_alloc_run(size_t npages);
void *frame_alloc(void); /* one page */

/* Gives back the whole run that starts at p (one page or a run: the allocator remembers).
 * Panics naming the address if p was not handed out, is not the start of a run, or is
 * already free. */
void frame_free(void *p);

struct frame_stats {
    size_t total; /* pages of RAM the allocator manages (usable, after reservations) */
    size_t free;
    size_t used; /* total - free: pages handed out */
};
void frame_stats(struct frame_stats *out);

#endif
