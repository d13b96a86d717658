/* heapstat.c: the kernel heap's statistics (SYS_heap_stats): run it before and after other
 * programs to see that what they cost the kernel comes back when they end. */
#include <stdio.h>

#include "user/lib/sys.h"

int main(void)
{
    struct heap_info h;
    long r = sys_heap_stats(&h);
    if (r < 0) {
        printf("heapstat: %s\n", error_name(r));
        return 1;
    }
    printf("heap: %lu bytes in arenas, %lu used, %lu free in %lu blocks (largest %lu)\n",
           (unsigned long)h.arena_bytes, (unsigned long)h.used_bytes,
           (unsigned long)h.free_bytes, (unsigned long)h.free_blocks,
           (unsigned long)h.largest_free);
    printf("heap: %lu kmalloc, %lu kfree since boot\n", (unsigned long)h.allocs,
           (unsigned long)h.frees);
    printf("frames: %lu free of %lu (4 KiB pages), %lu of them kept for reuse\n",
           (unsigned long)h.frames_free, (unsigned long)h.frames_total,
           (unsigned long)h.frames_cached);
    return 0;
}
