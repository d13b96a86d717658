/* fdt_walk.h -- the generic device tree walker under fdt_parse() (see fdt_walk.c).
 * Only fdt.c and host tests include this; the rest of the kernel uses fdt.h. */
#ifndef HARTOS_FDT_WALK_H
#define HARTOS_FDT_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fdt.h"

/* The blob's blocks, known to lie inside it once fdt_read_header() succeeded. */
struct fdt_reader {
    const uint8_t *base;
    uint32_t totalsize, rsvmap;
    const uint8_t *structs, *strings;
    uint32_t struct_size, strings_size;
    char *err;
    size_t errlen;
};

/* A node handed to a visitor. All its properties were bounds-checked before the visit.
 * path is the visited node's full path in a buffer shared with its ancestors. */
struct fdt_node {
    const struct fdt_reader *r;
    const struct fdt_node *parent; /* NULL for the root */
    const char *name;              /* "" for the root, else e.g. "cpu@0" */
    const char *path;
    uint64_t props; /* struct-block offset of the node's first property */
    int depth;      /* root is 0 */
};

/* Visitors return 0 to continue, > 0 to stop the walk early, < 0 to fail with that code. */
typedef int (*fdt_visit_fn)(const struct fdt_node *node, void *ctx);

static inline uint32_t fdt_be32(const uint8_t *p) /* byte loads: a host blob may be unaligned */
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writes the message to r->err (if any) and returns code, so callers can `return fdt_fail(..)`. */
int fdt_fail(const struct fdt_reader *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Checks the header and that every block lies inside the blob; fills r. */
int fdt_read_header(struct fdt_reader *r, const uint8_t *blob, size_t max_size);

/* Validates the struct block while visiting every node; 0, a visitor's > 0 stop, or < 0. */
int fdt_walk(const struct fdt_reader *r, fdt_visit_fn visit, void *ctx);

/* A property of a node being visited (or of one of its ancestors): value and *len, or NULL. */
const uint8_t *fdt_node_prop(const struct fdt_node *node, const char *name, uint32_t *len);

/* The kernel has no libc: string equality, and the length of s up to its NUL or max bytes
 * (max itself when there is no NUL, i.e. the string is not terminated inside the bound). */
bool fdt_str_eq(const char *a, const char *b);
size_t fdt_len_within(const void *s, size_t max);

#endif
