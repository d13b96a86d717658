/* heap.h: bringing up the kernel heap (heap/kheap.h is its API: kmalloc, kfree, ...). The heap
 * lives in arenas of pages from the frame allocator: one at boot, more when it runs out, and an
 * arena that becomes wholly free again is given back.
 */
#ifndef HARTOS_HEAP_H
#define HARTOS_HEAP_H

#include <stddef.h>

#define HEAP_FIRST_ARENA_PAGES 64   /* 256 KiB at boot */
#define HEAP_GROW_MIN_PAGES    64   /* grow by at least 256 KiB at a time */

void heap_init(void);

#endif
