/* dtb_util.c -- see dtb_util.h. Host code: libc is fine here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dtb_util.h"

#define DTB_MAX (1 << 20)

struct blob dtb_load(const char *dir, const char *name)
{
    char path[512];
    static uint8_t buf[DTB_MAX];
    snprintf(path, sizeof path, "%s/%s.dtb", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s (run gen-dtbs.sh first)", path);
    struct blob b = {malloc(DTB_MAX), fread(buf, 1, DTB_MAX, f)};
    fclose(f);
    b.data = realloc(b.data, b.size);
    memcpy(b.data, buf, b.size);
    return b;
}

uint32_t dtb_get32(const struct blob *b, size_t off)
{
    const uint8_t *p = b->data + off;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void dtb_set32(struct blob *b, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->data[off + i] = (uint8_t)(v >> (24 - 8 * i));
}

size_t dtb_prop_offset(const struct blob *b, const char *node, const char *prop)
{
    size_t off = dtb_get32(b, DTB_OFF_STRUCT), end = off + dtb_get32(b, DTB_SIZE_STRUCT);
    const char *strings = (const char *)b->data + dtb_get32(b, DTB_OFF_STRINGS);
    const char *current = "";
    while (off < end) {
        uint32_t tok = dtb_get32(b, off);
        if (tok == 1) { /* BEGIN_NODE: name, padded to 4 bytes */
            current = (const char *)b->data + off + 4;
            off += 4 + ((strlen(current) + 4) & ~(size_t)3);
        } else if (tok == 3) { /* PROP: len, nameoff, value */
            if (strcmp(current, node) == 0 && strcmp(strings + dtb_get32(b, off + 8), prop) == 0)
                return off;
            off += 12 + ((dtb_get32(b, off + 4) + 3) & ~(size_t)3);
        } else {
            off += 4;
        }
    }
    fail_msg("no property %s in node %s", prop, node);
    return 0;
}

/* The builder lays out: header (40) | empty reservation map (16) | struct | strings. */
static uint8_t structs[8192], strings[1024];
static size_t struct_len, strings_len;

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void emit32(uint32_t v)
{
    assert_true(struct_len + 4 <= sizeof structs);
    put32(structs + struct_len, v);
    struct_len += 4;
}

static void emit_bytes(const void *p, size_t n) /* zero-padded to 4 bytes */
{
    assert_true(struct_len + n + 4 <= sizeof structs);
    memcpy(structs + struct_len, p, n);
    memset(structs + struct_len + n, 0, 4);
    struct_len += (n + 3) & ~(size_t)3;
}

void dtb_build_begin(void)
{
    struct_len = strings_len = 0;
}
void dtb_begin_node(const char *name)
{
    emit32(1);
    emit_bytes(name, strlen(name) + 1);
}
void dtb_end_node(void)
{
    emit32(2);
}

void dtb_prop(const char *name, const void *value, uint32_t len)
{
    emit32(3);
    emit32(len);
    emit32((uint32_t)strings_len);
    assert_true(strings_len + strlen(name) + 1 <= sizeof strings);
    memcpy(strings + strings_len, name, strlen(name) + 1);
    strings_len += strlen(name) + 1;
    emit_bytes(value, len);
}

void dtb_prop_u32(const char *name, uint32_t v)
{
    uint8_t be[4];
    put32(be, v);
    dtb_prop(name, be, 4);
}

void dtb_prop_str(const char *name, const char *s)
{
    dtb_prop(name, s, (uint32_t)strlen(s) + 1);
}

struct blob dtb_build_finish(void)
{
    emit32(9); /* FDT_END */
    size_t off_struct = 40 + 16, off_strings = off_struct + struct_len;
    struct blob b = {calloc(1, off_strings + strings_len), off_strings + strings_len};
    put32(b.data + DTB_MAGIC, 0xd00dfeed);
    put32(b.data + DTB_TOTALSIZE, (uint32_t)b.size);
    put32(b.data + DTB_OFF_STRUCT, (uint32_t)off_struct);
    put32(b.data + DTB_OFF_STRINGS, (uint32_t)off_strings);
    put32(b.data + DTB_OFF_RSVMAP, 40);
    put32(b.data + DTB_VERSION, 17);
    put32(b.data + DTB_LAST_COMP, 16);
    put32(b.data + DTB_SIZE_STRINGS, (uint32_t)strings_len);
    put32(b.data + DTB_SIZE_STRUCT, (uint32_t)struct_len);
    memcpy(b.data + off_struct, structs, struct_len);
    memcpy(b.data + off_strings, strings, strings_len);
    return b;
}
