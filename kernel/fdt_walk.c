/* fdt_walk.c -- the device tree reader's lower half: check a flattened device tree blob byte
 * by byte (DTSpec v0.4 chapter 5) and visit its nodes in tree order. fdt.c builds on it to
 * pull out what hartos needs; tests and gdb use fdt_find_prop() directly. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fdt_walk.h"
#include "kernel/format.h"

/* DTSpec v0.4 5.2: header magic and sizes; v16 headers lack the final size_dt_struct field. */
#define FDT_MAGIC           0xd00dfeedu
#define FDT_HEADER_SIZE     40
#define FDT_V16_HEADER_SIZE 36
#define FDT_OLDEST_VERSION  16 /* oldest layout we read: names are unit names, not paths */
#define FDT_NEWEST_VERSION  17 /* a blob whose last_comp_version is newer is unreadable */
/* DTSpec 5.3 and 5.4: block alignment; each memory reservation is two 64-bit words. */
#define FDT_RSVMAP_ALIGN   8
#define FDT_STRUCT_ALIGN   4
#define FDT_RSV_ENTRY_SIZE 16
/* DTSpec 5.4.1: structure block tokens (big-endian 32-bit words, 4-byte aligned). */
#define FDT_BEGIN_NODE  1u
#define FDT_END_NODE    2u
#define FDT_PROP        3u
#define FDT_NOP         4u
#define FDT_END         9u
#define FDT_PROP_HEADER 12  /* token, len, nameoff */
#define FDT_PATH_MAX    256 /* longer paths are cut and end in "..." */

static uint64_t align4(uint64_t off)
{
    return (off + 3) & ~(uint64_t)3;
}

size_t fdt_len_within(const void *s, size_t max)
{
    const char *c = s;
    size_t n = 0;
    while (n < max && c[n] != '\0')
        n++;
    return n;
}

int fdt_fail(const struct fdt_reader *r, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return code;
}

static int check_block(const struct fdt_reader *r, const char *what, uint32_t off, uint32_t size,
                       uint32_t align, uint32_t header_size)
{
    if (off < header_size || (uint64_t)off + size > r->totalsize)
        return fdt_fail(r, FDT_ERR_HEADER,
                        "fdt: %s (offset 0x%x, size 0x%x) is not inside the blob (totalsize %u)",
                        what, off, size, r->totalsize);
    if (off % align != 0)
        return fdt_fail(r, FDT_ERR_HEADER, "fdt: %s offset 0x%x is not %u-byte aligned", what, off,
                        align);
    return 0;
}

int fdt_read_header(struct fdt_reader *r, const uint8_t *b, size_t max_size)
{
    if (b == NULL || max_size < FDT_HEADER_SIZE)
        return fdt_fail(r, FDT_ERR_HEADER,
                        "fdt: %zu bytes available, fewer than the %d-byte header", b ? max_size : 0,
                        FDT_HEADER_SIZE);
    uint32_t magic = fdt_be32(b), version = fdt_be32(b + 20), last_comp = fdt_be32(b + 24);
    r->base = b;
    r->totalsize = fdt_be32(b + 4);
    if (magic != FDT_MAGIC)
        return fdt_fail(r, FDT_ERR_MAGIC, "fdt: bad magic 0x%08x", magic);
    if (version < FDT_OLDEST_VERSION)
        return fdt_fail(r, FDT_ERR_HEADER, "fdt: version %u is older than %d", version,
                        FDT_OLDEST_VERSION);
    if (last_comp > FDT_NEWEST_VERSION)
        return fdt_fail(r, FDT_ERR_HEADER, "fdt: last_comp_version %u is newer than %d", last_comp,
                        FDT_NEWEST_VERSION);
    if (r->totalsize > max_size)
        return fdt_fail(r, FDT_ERR_HEADER, "fdt: totalsize %u exceeds the %zu bytes available",
                        r->totalsize, max_size);
    uint32_t header_size = version >= 17 ? FDT_HEADER_SIZE : FDT_V16_HEADER_SIZE;
    if (r->totalsize < header_size)
        return fdt_fail(r, FDT_ERR_HEADER, "fdt: totalsize %u is smaller than the %u-byte header",
                        r->totalsize, header_size);
    uint32_t off_struct = fdt_be32(b + 8), off_strings = fdt_be32(b + 12);
    r->rsvmap = fdt_be32(b + 16);
    r->strings_size = fdt_be32(b + 32);
    /* Before v17 the struct block's size is not recorded: it may run to the blob's end. */
    if (version >= 17)
        r->struct_size = fdt_be32(b + 36);
    else
        r->struct_size = off_struct <= r->totalsize ? r->totalsize - off_struct : 0;
    int rc = check_block(r, "memory reservation map", r->rsvmap, FDT_RSV_ENTRY_SIZE,
                         FDT_RSVMAP_ALIGN, header_size);
    if (rc == 0)
        rc = check_block(r, "struct block", off_struct, r->struct_size, FDT_STRUCT_ALIGN,
                         header_size);
    if (rc == 0)
        rc = check_block(r, "strings block", off_strings, r->strings_size, 1, header_size);
    r->structs = b + off_struct; /* only now known to point inside the blob */
    r->strings = b + off_strings;
    return rc;
}

/* Checks the property tokens (NOPs may be mixed in) from *off on; leaves *off at the first
 * other token, which the walker reads next. */
static int check_props(const struct fdt_reader *r, uint64_t *off, const char *path)
{
    while (*off + 4 <= r->struct_size) {
        uint32_t tok = fdt_be32(r->structs + *off);
        if (tok == FDT_NOP) {
            *off += 4;
            continue;
        }
        if (tok != FDT_PROP)
            return 0;
        if (*off + FDT_PROP_HEADER > r->struct_size)
            return fdt_fail(r, FDT_ERR_STRUCTURE,
                            "fdt: a property header of %s runs past the struct block", path);
        uint32_t len = fdt_be32(r->structs + *off + 4);
        uint32_t nameoff = fdt_be32(r->structs + *off + 8);
        if (nameoff >= r->strings_size)
            return fdt_fail(r, FDT_ERR_STRUCTURE,
                            "fdt: property name offset %u of %s is outside the strings block",
                            nameoff, path);
        const char *name = (const char *)r->strings + nameoff;
        if (fdt_len_within(name, r->strings_size - nameoff) == r->strings_size - nameoff)
            return fdt_fail(r, FDT_ERR_STRUCTURE,
                            "fdt: property name at %u of %s has no NUL in the strings block",
                            nameoff, path);
        if (*off + FDT_PROP_HEADER + len > r->struct_size)
            return fdt_fail(r, FDT_ERR_STRUCTURE,
                            "fdt: property '%s' of %s runs past the struct block", name, path);
        *off = align4(*off + FDT_PROP_HEADER + len);
    }
    return 0;
}

/* Appends a node name to the path: "" -> "/" (the root) -> "/cpus" -> "/cpus/cpu@0". */
static void path_push(char *path, size_t len, const char *name)
{
    if (len > 1 && len < FDT_PATH_MAX - 1)
        path[len++] = '/';
    for (; *name != '\0' && len < FDT_PATH_MAX - 1; name++)
        path[len++] = *name;
    if (len == 0)
        path[len++] = '/';
    path[len] = '\0';
    if (*name != '\0') /* cut short: make that visible, and unequal to any real path */
        for (int i = 1; i <= 3; i++)
            path[len - i] = '.';
}

static const char *where(const char *path)
{
    return path[0] ? path : "(before the root)";
}

/* Walks the struct block in tree order, validating as it goes (DTSpec 5.4.2: a node is
 * BEGIN_NODE, name, properties, child nodes, END_NODE), and visits each node. */
int fdt_walk(const struct fdt_reader *r, fdt_visit_fn visit, void *ctx)
{
    struct fdt_node stack[FDT_MAX_DEPTH];
    size_t path_len[FDT_MAX_DEPTH]; /* the parent's path length, to pop back to */
    char path[FDT_PATH_MAX];
    int depth = 0;
    bool root_done = false;
    uint64_t off = 0;

    path[0] = '\0';
    for (;;) {
        if (off + 4 > r->struct_size)
            return fdt_fail(r, FDT_ERR_STRUCTURE, "fdt: struct block ends without FDT_END (in %s)",
                            where(path));
        uint32_t tok = fdt_be32(r->structs + off);
        if (tok == FDT_NOP) {
            off += 4;
        } else if (tok == FDT_BEGIN_NODE) {
            if (root_done)
                return fdt_fail(r, FDT_ERR_STRUCTURE, "fdt: a second root node follows the first");
            if (depth == FDT_MAX_DEPTH)
                return fdt_fail(r, FDT_ERR_STRUCTURE,
                                "fdt: nodes nested deeper than %d levels under %s", FDT_MAX_DEPTH,
                                path);
            const char *name = (const char *)r->structs + off + 4;
            size_t room = r->struct_size - (off + 4);
            size_t n = fdt_len_within(name, room);
            if (n == room)
                return fdt_fail(r, FDT_ERR_STRUCTURE,
                                "fdt: a node name in %s has no NUL inside the struct block",
                                where(path));
            struct fdt_node *node = &stack[depth];
            *node = (struct fdt_node){r,    depth ? &stack[depth - 1] : NULL, name,
                                      path, align4(off + 4 + n + 1),          depth};
            path_len[depth] = fdt_len_within(path, FDT_PATH_MAX);
            path_push(path, path_len[depth], name);
            off = node->props;
            int rc = check_props(r, &off, path);
            if (rc == 0)
                rc = visit(node, ctx);
            if (rc != 0)
                return rc;
            depth++;
        } else if (tok == FDT_END_NODE) {
            if (depth == 0)
                return fdt_fail(r, FDT_ERR_STRUCTURE,
                                "fdt: FDT_END_NODE at struct offset 0x%llx closes no node",
                                (unsigned long long)off);
            depth--;
            path[path_len[depth]] = '\0';
            root_done = depth == 0;
            off += 4;
        } else if (tok == FDT_END) {
            if (depth > 0)
                return fdt_fail(r, FDT_ERR_STRUCTURE,
                                "fdt: FDT_END inside %s, which was never closed", path);
            if (!root_done)
                return fdt_fail(r, FDT_ERR_STRUCTURE, "fdt: struct block has no root node");
            return 0;
        } else if (tok == FDT_PROP) {
            return fdt_fail(r, FDT_ERR_STRUCTURE,
                            "fdt: property at 0x%llx in %s follows a child node",
                            (unsigned long long)off, where(path));
        } else {
            return fdt_fail(r, FDT_ERR_STRUCTURE,
                            "fdt: unknown token 0x%x at struct offset 0x%llx in %s", tok,
                            (unsigned long long)off, where(path));
        }
    }
}

/* Looks a property up among a visited node's (already validated) properties. */
const uint8_t *fdt_node_prop(const struct fdt_node *node, const char *name, uint32_t *len)
{
    const struct fdt_reader *r = node->r;
    for (uint64_t off = node->props; off + 4 <= r->struct_size;) {
        uint32_t tok = fdt_be32(r->structs + off);
        if (tok == FDT_NOP) {
            off += 4;
            continue;
        }
        if (tok != FDT_PROP)
            break;
        uint32_t plen = fdt_be32(r->structs + off + 4);
        if (fdt_str_eq((const char *)r->strings + fdt_be32(r->structs + off + 8), name)) {
            *len = plen;
            return r->structs + off + FDT_PROP_HEADER;
        }
        off = align4(off + FDT_PROP_HEADER + plen);
    }
    return NULL;
}

struct find {
    const char *path, *prop;
    const void *value;
    uint32_t len;
};

static int find_visit(const struct fdt_node *node, void *ctx)
{
    struct find *f = ctx;
    if (!fdt_str_eq(node->path, f->path))
        return 0;
    f->value = fdt_node_prop(node, f->prop, &f->len);
    return 1;
}

const void *fdt_find_prop(const void *blob, const char *path, const char *prop, uint32_t *len)
{
    struct fdt_reader r; /* filled by fdt_read_header; no initializer, see fdt_parse */
    struct find f = {path, prop, NULL, 0};
    r.err = NULL;
    r.errlen = 0;
    if (blob == NULL || fdt_read_header(&r, blob, fdt_be32((const uint8_t *)blob + 4)) != 0 ||
        fdt_walk(&r, find_visit, &f) < 0 || f.value == NULL)
        return NULL;
    *len = f.len;
    return f.value;
}

bool fdt_str_eq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b)
        a++, b++;
    return *a == *b;
}
