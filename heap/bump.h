/* heap/bump.h -- the bump allocator, the chapter's first honest heap: a pointer that only moves
 * up. Frees are only counted; the space comes back when the last live block is freed. */
#ifndef HEAP_BUMP_H
#define HEAP_BUMP_H
#include <stddef.h>

void bump_init(void *base, size_t size);
/* align: a power of two (0 means 16). Returns NULL when the region is exhausted. */
void *bump_alloc(size_t size, size_t align);
/* Counts the free; when the live count reaches 0 the whole region is reusable again. */
void bump_free(void *p);
size_t bump_live(void);
#endif
