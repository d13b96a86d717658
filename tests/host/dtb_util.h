/* dtb_util.h -- helpers for the device tree host tests: load a generated .dtb into an
 * exact-size allocation (so ASan sees any overrun), and build small blobs by hand. */
#ifndef HARTOS_DTB_UTIL_H
#define HARTOS_DTB_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct blob {
    uint8_t *data;
    size_t size;
};

/* DIR/NAME.dtb; fails the current cmocka test if it cannot be read. */
struct blob dtb_load(const char *dir, const char *name);

/* Big-endian 32-bit access at a byte offset, as the format stores it. */
uint32_t dtb_get32(const struct blob *b, size_t off);
void dtb_set32(struct blob *b, size_t off, uint32_t v);

/* Offset in the blob of the FDT_PROP token of property `prop` of the first node named
 * `node` (a valid blob is assumed); fails the test if absent. */
size_t dtb_prop_offset(const struct blob *b, const char *node, const char *prop);

/* A minimal writer: dtb_build_begin(), then nodes and properties in order, then finish. */
void dtb_build_begin(void);
void dtb_begin_node(const char *name);
void dtb_end_node(void);
void dtb_prop(const char *name, const void *value, uint32_t len);
void dtb_prop_u32(const char *name, uint32_t v);
void dtb_prop_str(const char *name, const char *s); /* includes the NUL */
struct blob dtb_build_finish(void);                 /* exact-size malloc; caller frees */

/* Header field offsets, DTSpec v0.4 5.2. */
enum {
    DTB_MAGIC = 0,
    DTB_TOTALSIZE = 4,
    DTB_OFF_STRUCT = 8,
    DTB_OFF_STRINGS = 12,
    DTB_OFF_RSVMAP = 16,
    DTB_VERSION = 20,
    DTB_LAST_COMP = 24,
    DTB_SIZE_STRINGS = 32,
    DTB_SIZE_STRUCT = 36,
};

#endif
