/* string.h: the few C library string and memory functions the kernel needs. GCC may also emit
 * calls to memset/memcpy/memmove/memcmp on its own (for struct copies and zeroing), even with
 * -ffreestanding, so these must exist under exactly these names.
 */
#ifndef HARTOS_STRING_H
#define HARTOS_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
