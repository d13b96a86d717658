/* elf.c -- elf_check(): the gate between an ELF file and the loader. Every field the loader
 * will use is checked here, with arithmetic that cannot wrap, and a refusal names the field
 * and its value. Field offsets are from the System V gABI ("ELF Header", "Program Header"). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/elf.h"
#include "kernel/format.h"
#include "user/syscall.h"

/* e_ident and the ELF64 header. */
#define EH_SIZE          64
#define EI_CLASS         4
#define EI_DATA          5
#define EI_VERSION       6
#define ELFCLASS64       2
#define ELFDATA2LSB      1
#define EV_CURRENT       1
#define EH_TYPE          16 /* u16 */
#define EH_MACHINE       18 /* u16 */
#define EH_VERSION       20 /* u32 */
#define EH_ENTRY         24 /* u64 */
#define EH_PHOFF         32 /* u64 */
#define EH_PHENTSIZE     54 /* u16 */
#define EH_PHNUM         56 /* u16 */
#define ET_REL           1
#define ET_EXEC          2
#define ET_DYN           3
#define EM_RISCV         243
/* The ELF64 program header. */
#define PH_SIZE          56
#define PH_TYPE          0  /* u32 */
#define PH_FLAGS         4  /* u32 */
#define PH_OFFSET        8  /* u64 */
#define PH_VADDR         16 /* u64 */
#define PH_FILESZ        32 /* u64 */
#define PH_MEMSZ         40 /* u64 */
#define PT_LOAD          1

struct check {
    const uint8_t *b;
    size_t len;
    struct elf_plan *plan;
    char *why;
    size_t whylen;
};

static int refuse(const struct check *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int refuse(const struct check *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(c->why, c->whylen, fmt, ap);
    va_end(ap);
    return -ENOEXEC;
}

/* Byte loads: the image need not be aligned, and the host running the tests need not be
 * little-endian. */
static uint64_t load_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    while (n-- > 0)
        v = v << 8 | p[n];
    return v;
}

static uint64_t page_down(uint64_t a)
{
    return a & ~(USER_PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t a) /* callers keep a below USER_TOP: no wrap */
{
    return page_down(a + USER_PAGE_SIZE - 1);
}

static const char *type_name(uint64_t type)
{
    return type == ET_REL ? " (relocatable, ET_REL)" : type == ET_DYN ? " (shared, ET_DYN)" : "";
}

static int check_header(const struct check *c)
{
    const uint8_t *b = c->b;
    if (c->len < EH_SIZE)
        return refuse(c, "elf: %zu bytes, fewer than the %d-byte ELF header", c->len, EH_SIZE);
    if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
        return refuse(c, "elf: bad magic %02x %02x %02x %02x, not \\x7fELF", b[0], b[1], b[2],
                      b[3]);
    if (b[EI_CLASS] != ELFCLASS64)
        return refuse(c, "elf: class %u, not ELFCLASS64 (2)", b[EI_CLASS]);
    if (b[EI_DATA] != ELFDATA2LSB)
        return refuse(c, "elf: data encoding %u, not little-endian (1)", b[EI_DATA]);
    if (b[EI_VERSION] != EV_CURRENT || load_le(b + EH_VERSION, 4) != EV_CURRENT)
        return refuse(c, "elf: version %u/%u, not 1", b[EI_VERSION],
                      (unsigned)load_le(b + EH_VERSION, 4));
    uint64_t machine = load_le(b + EH_MACHINE, 2), type = load_le(b + EH_TYPE, 2);
    if (machine != EM_RISCV)
        return refuse(c, "elf: machine %u, not RISC-V (%d)", (unsigned)machine, EM_RISCV);
    if (type != ET_EXEC)
        return refuse(c, "elf: type %u%s, not an executable (ET_EXEC)", (unsigned)type,
                      type_name(type));
    if (c->len > USER_IMAGE_MAX)
        return refuse(c, "elf: file of %zu bytes is larger than the limit of %lu", c->len,
                      USER_IMAGE_MAX);

    uint64_t phoff = load_le(b + EH_PHOFF, 8), phentsize = load_le(b + EH_PHENTSIZE, 2);
    uint64_t phnum = load_le(b + EH_PHNUM, 2);
    if (phentsize != PH_SIZE)
        return refuse(c, "elf: program header size %lu, not %d", phentsize, PH_SIZE);
    if (phnum == 0 || phnum > ELF_MAX_PHDRS)
        return refuse(c, "elf: %lu program headers, not 1 to %d", phnum, ELF_MAX_PHDRS);
    /* phnum * phentsize <= 32 * 56, so only phoff can make the end wrap: test it first. */
    if (phoff > c->len || phnum * phentsize > c->len - phoff)
        return refuse(c, "elf: program headers (offset 0x%lx, %lu x %lu bytes) are not inside "
                      "the %zu-byte file", phoff, phnum, phentsize, c->len);
    return 0;
}

/* Program header i (at ph), a PT_LOAD: its bytes lie in the file, its addresses in the image
 * range, and it shares no page with the segments before it. */
static int check_load(const struct check *c, int i, const uint8_t *ph)
{
    uint64_t flags = load_le(ph + PH_FLAGS, 4), offset = load_le(ph + PH_OFFSET, 8);
    uint64_t vaddr = load_le(ph + PH_VADDR, 8), filesz = load_le(ph + PH_FILESZ, 8);
    uint64_t memsz = load_le(ph + PH_MEMSZ, 8);

    if (offset > c->len || filesz > c->len - offset)
        return refuse(c, "elf: segment %d: file bytes 0x%lx + 0x%lx are not inside the "
                      "%zu-byte file", i, offset, filesz, c->len);
    if (filesz > memsz)
        return refuse(c, "elf: segment %d: filesz 0x%lx > memsz 0x%lx", i, filesz, memsz);
    if (memsz == 0)
        return 0; /* maps nothing, wherever it says: ld emits one at 0 for an empty section */
    if (vaddr % USER_PAGE_SIZE != offset % USER_PAGE_SIZE)
        return refuse(c, "elf: segment %d: vaddr 0x%lx and offset 0x%lx differ modulo the "
                      "page size 0x%lx", i, vaddr, offset, USER_PAGE_SIZE);
    if (vaddr < USER_BASE || vaddr > USER_IMAGE_TOP || memsz > USER_IMAGE_TOP - vaddr)
        return refuse(c, "elf: segment %d: 0x%lx + 0x%lx is outside the user range "
                      "[0x%lx, 0x%lx)", i, vaddr, memsz, USER_BASE, USER_IMAGE_TOP);
    if ((flags & ELF_PF_W) && (flags & ELF_PF_X))
        return refuse(c, "elf: segment %d at 0x%lx is both writable and executable", i, vaddr);
    /* Sv39 has no page for these (vm_alloc_map refuses them): W without R is a reserved
     * encoding, and a page with neither R nor X is no mapping at all. */
    if ((flags & ELF_PF_W) && !(flags & ELF_PF_R))
        return refuse(c, "elf: segment %d at 0x%lx is writable but not readable", i, vaddr);
    if (!(flags & (ELF_PF_R | ELF_PF_X)))
        return refuse(c, "elf: segment %d at 0x%lx is neither readable nor executable", i,
                      vaddr);

    struct elf_plan *plan = c->plan;
    uint64_t lo = page_down(vaddr), hi = page_up(vaddr + memsz);
    for (int j = 0; j < plan->nsegments; j++) {
        const struct elf_segment *s = &plan->segments[j];
        if (lo < page_up(s->vaddr + s->memsz) && page_down(s->vaddr) < hi)
            return refuse(c, "elf: segment %d (0x%lx-0x%lx) shares a page with the segment at "
                          "0x%lx-0x%lx", i, vaddr, vaddr + memsz, s->vaddr, s->vaddr + s->memsz);
    }
    if (plan->nsegments == ELF_MAX_SEGMENTS)
        return refuse(c, "elf: more than %d loadable segments", ELF_MAX_SEGMENTS);
    plan->segments[plan->nsegments++] = (struct elf_segment){
        .vaddr = vaddr, .memsz = memsz, .offset = offset, .filesz = filesz,
        .flags = (uint32_t)flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X)};
    return 0;
}

/* After every segment: the image fits the limit and the entry point is in executable code. */
static int check_whole(const struct check *c)
{
    const struct elf_plan *plan = c->plan;
    uint64_t total = 0;
    bool any_x = false, entry_ok = false;
    for (int j = 0; j < plan->nsegments; j++) {
        const struct elf_segment *s = &plan->segments[j];
        total += page_up(s->vaddr + s->memsz) - page_down(s->vaddr);
        if (s->flags & ELF_PF_X) {
            any_x = true;
            entry_ok |= plan->entry >= s->vaddr && plan->entry - s->vaddr < s->memsz;
        }
    }
    if (total > USER_IMAGE_MAX)
        return refuse(c, "elf: segments need 0x%lx bytes, more than the limit of 0x%lx", total,
                      USER_IMAGE_MAX);
    if (!any_x)
        return refuse(c, "elf: no executable segment");
    if (!entry_ok)
        return refuse(c, "elf: entry point 0x%lx is not inside an executable segment",
                      plan->entry);
    return 0;
}

int elf_check(const void *image, size_t len, struct elf_plan *plan, char *why, size_t whylen)
{
    struct check c = {image, image ? len : 0, plan, why, whylen};
    plan->nsegments = 0;
    plan->entry = 0;
    int rc = check_header(&c);
    if (rc == 0) {
        plan->entry = load_le(c.b + EH_ENTRY, 8);
        uint64_t phoff = load_le(c.b + EH_PHOFF, 8), phnum = load_le(c.b + EH_PHNUM, 2);
        for (uint64_t i = 0; i < phnum && rc == 0; i++) {
            const uint8_t *ph = c.b + phoff + i * PH_SIZE;
            if (load_le(ph + PH_TYPE, 4) == PT_LOAD)
                rc = check_load(&c, (int)i, ph);
        }
    }
    if (rc == 0)
        rc = check_whole(&c);
    if (rc != 0)
        plan->nsegments = 0; /* a refused file loads nothing */
    else if (whylen > 0)
        why[0] = '\0';
    return rc;
}
