/* fdt.c -- fdt_parse(): what hartos learns from the device tree at boot (RAM, reserved
 * ranges, harts, timebase, UART, PLIC contexts, test device, /chosen). fdt_walk.c has
 * already bounds-checked every node and property handed to the visitor below. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fdt.h"
#include "kernel/fdt_walk.h"

/* DTSpec 2.3.5: the cell counts a node's children use when it lacks #address-cells/#size-cells. */
#define FDT_DEFAULT_ADDRESS_CELLS 2
#define FDT_DEFAULT_SIZE_CELLS    1
#define FDT_RSV_ENTRY_SIZE        16 /* DTSpec 5.3: (address, size), two 64-bit words */
/* RISC-V privileged spec, interrupt cause 9: supervisor external interrupt. Each PLIC
 * interrupts-extended pair names a hart's cpu-intc phandle and the cause it raises there. */
#define IRQ_S_EXTERNAL 9
#define FDT_DEVICE_PAGE 0x1000  /* what vm.c maps of the UART and of the test device */
#define PLIC_MAX_SIZE  0x4000000 /* the PLIC spec's whole map: 15872 contexts' registers */
#define ABSENT         1 /* helpers: "not there" (0 is found, < 0 an enum fdt_error) */

/* The UARTs kernel/uart.c drives. snps,dw-apb-uart (the VisionFive 2's) is a 16550 with
 * 32-bit registers (reg-io-width 4); sifive,uart0 (the HiFive Unleashed's) has its own layout. */
static const char *const uart_16550_compatibles[] = {"ns16550a", "ns16550", "snps,dw-apb-uart",
                                                     NULL};
static const char *const uart_sifive_compatibles[] = {"sifive,uart0", NULL};
static const char *const plic_compatibles[] = {"riscv,plic0", "sifive,plic-1.0.0", NULL};
static const char *const test_compatibles[] = {"sifive,test0", "sifive,test1", NULL};

struct parse {
    const struct fdt_reader *r;
    struct fdt_info *out;
    bool saw_cpus;
    int cpus_disabled;                    /* cpu nodes whose status is not okay */
    uint32_t intc_phandle[FDT_MAX_HARTS]; /* harts[i]'s interrupt-controller; 0 = none */
    const uint8_t *plic_pairs;            /* the PLIC's interrupts-extended */
    uint32_t plic_pairs_len;
};

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    return cells == 2 ? (uint64_t)fdt_be32(p) << 32 | fdt_be32(p + 4) : fdt_be32(p);
}

/* A string property equal to s; safe on values that are not NUL-terminated. */
static bool prop_is(const struct fdt_node *node, const char *name, const char *s)
{
    uint32_t len;
    const uint8_t *v = fdt_node_prop(node, name, &len);
    return v != NULL && fdt_len_within(s, len) + 1 == len && fdt_len_within(v, len) + 1 == len &&
           fdt_str_eq((const char *)v, s);
}

/* A string property we keep a pointer to: it must end in NUL inside the property. */
static int prop_string(const struct fdt_node *node, const char *name, const char **out)
{
    uint32_t len;
    const uint8_t *v = fdt_node_prop(node, name, &len);
    if (v == NULL)
        return 0;
    if (len == 0 || v[len - 1] != '\0')
        return fdt_fail(node->r, FDT_ERR_VALUE, "fdt: property '%s' of %s is not NUL-terminated",
                        name, node->path);
    *out = (const char *)v;
    return 0;
}

/* A number of 1 cell (max_cells 1) or 1-2 cells (max_cells 2); *out untouched if absent. */
static int prop_number(const struct fdt_node *node, const char *name, uint32_t max_cells,
                       uint64_t *out)
{
    uint32_t len;
    const uint8_t *v = fdt_node_prop(node, name, &len);
    if (v == NULL)
        return ABSENT;
    if (len != 4 && !(len == 8 && max_cells == 2))
        return fdt_fail(node->r, FDT_ERR_VALUE, "fdt: property '%s' of %s is %u bytes, not %s",
                        name, node->path, len, max_cells == 2 ? "1 or 2 cells" : "1 cell");
    *out = read_cells(v, len / 4);
    return 0;
}

static int prop_u32(const struct fdt_node *node, const char *name, uint32_t *out)
{
    uint64_t v = *out;
    int rc = prop_number(node, name, 1, &v);
    *out = (uint32_t)v;
    return rc < 0 ? rc : 0;
}

/* The first cell of a property that may hold more (interrupts: <source> on the PLIC, or
 * <source flags> with #interrupt-cells = 2); *out untouched if absent. */
static int first_cell(const struct fdt_node *node, const char *name, uint32_t *out)
{
    uint32_t len;
    const uint8_t *v = fdt_node_prop(node, name, &len);
    if (v == NULL)
        return 0;
    if (len < 4 || len % 4 != 0)
        return fdt_fail(node->r, FDT_ERR_VALUE, "fdt: property '%s' of %s is %u bytes, not cells",
                        name, node->path, len);
    *out = fdt_be32(v);
    return 0;
}

/* The matching entry of a compatible string list ("a\0b\0"), or NULL. */
static const char *compatible_match(const struct fdt_node *node, const char *const *wanted)
{
    uint32_t len;
    const uint8_t *v = fdt_node_prop(node, "compatible", &len);
    for (uint32_t i = 0; v != NULL && i < len;) {
        size_t n = fdt_len_within(v + i, len - i);
        for (const char *const *w = wanted; n < len - i && *w != NULL; w++)
            if (fdt_str_eq((const char *)v + i, *w))
                return (const char *)v + i;
        i += (uint32_t)n + 1;
    }
    return NULL;
}

/* Entry i of node's reg, decoded with its parent's cell counts. 0, ABSENT past the
 * last entry (or no reg at all), or an error. */
static int reg_entry(const struct fdt_node *node, uint32_t i, uint64_t *base, uint64_t *size)
{
    uint64_t ac = FDT_DEFAULT_ADDRESS_CELLS, sc = FDT_DEFAULT_SIZE_CELLS;
    uint32_t len;
    const uint8_t *reg = fdt_node_prop(node, "reg", &len);
    if (reg == NULL || node->parent == NULL)
        return ABSENT;
    if (prop_number(node->parent, "#address-cells", 1, &ac) < 0 ||
        prop_number(node->parent, "#size-cells", 1, &sc) < 0 || ac < 1 || ac > 2 || sc > 2)
        return fdt_fail(node->r, FDT_ERR_VALUE,
                        "fdt: reg of %s: parent #address-cells must be 1-2, #size-cells 0-2",
                        node->path);
    uint32_t entry = 4 * (uint32_t)(ac + sc);
    if (len % entry != 0)
        return fdt_fail(node->r, FDT_ERR_VALUE,
                        "fdt: reg of %s is %u bytes, not a multiple of its %u-byte entries",
                        node->path, len, entry);
    if ((uint64_t)i * entry >= len)
        return ABSENT;
    *base = read_cells(reg + i * entry, (uint32_t)ac);
    *size = sc ? read_cells(reg + i * entry + 4 * ac, (uint32_t)sc) : 0;
    if (*base + *size < *base)
        return fdt_fail(node->r, FDT_ERR_VALUE,
                        "fdt: reg of %s (%#lx, size %#lx) wraps around the address space",
                        node->path, (unsigned long)*base, (unsigned long)*size);
    return 0;
}

static int add_range(const struct fdt_reader *r, struct fdt_range *ranges, int *n, int max,
                     struct fdt_range range)
{
    bool memory = max == FDT_MAX_MEMORY;
    if (*n == max) /* dropping RAM would be quietly wrong, dropping a reservation dangerous */
        return fdt_fail(r, FDT_ERR_VALUE, "fdt: more than %d %s ranges; raise the limit in fdt.h",
                        max, memory ? "memory" : "reserved");
    /* ch12: RAM listed twice would be handed out twice (reservations may overlap freely). */
    for (int i = 0; memory && range.size > 0 && i < *n; i++)
        if (ranges_overlap(range.base, range.base + range.size, ranges[i].base,
                           ranges[i].base + ranges[i].size))
            return fdt_fail(r, FDT_ERR_VALUE,
                            "fdt: memory %#lx-%#lx (%s) overlaps %#lx-%#lx (%s)",
                            (unsigned long)range.base, (unsigned long)(range.base + range.size),
                            range.name, (unsigned long)ranges[i].base,
                            (unsigned long)(ranges[i].base + ranges[i].size), ranges[i].name);
    ranges[(*n)++] = range;
    return 0;
}

/* Every reg entry of node; a node without reg is an error only if reg_required. */
static int add_reg_ranges(const struct fdt_node *node, struct fdt_range *ranges, int *n, int max,
                          bool reg_required)
{
    struct fdt_range range = {0, 0, node->name};
    int rc = reg_entry(node, 0, &range.base, &range.size);
    if (rc == ABSENT && reg_required)
        return fdt_fail(node->r, FDT_ERR_VALUE, "fdt: %s has no reg", node->path);
    for (uint32_t i = 1; rc == 0; i++) {
        rc = add_range(node->r, ranges, n, max, range);
        if (rc == 0)
            rc = reg_entry(node, i, &range.base, &range.size);
    }
    return rc < 0 ? rc : 0;
}

static int read_memreserve(const struct fdt_reader *r, struct fdt_info *out)
{
    for (uint64_t off = r->rsvmap;; off += FDT_RSV_ENTRY_SIZE) {
        if (off + FDT_RSV_ENTRY_SIZE > r->totalsize)
            return fdt_fail(r, FDT_ERR_HEADER,
                            "fdt: memreserve map at 0x%x has no (0, 0) end entry in the blob",
                            r->rsvmap);
        const uint8_t *p = r->base + off;
        struct fdt_range range = {read_cells(p, 2), read_cells(p + 8, 2), "memreserve"};
        if (range.base == 0 && range.size == 0) /* DTSpec 5.3: the list ends with (0, 0) */
            return 0;
        int rc = add_range(r, out->reserved, &out->nreserved, FDT_MAX_RESERVED, range);
        if (rc)
            return rc;
    }
}

/* A device node is there to use unless its status says otherwise (DTSpec 2.3.4: "okay" or
 * absent; boards list their unused UARTs as "disabled"). */
static bool enabled(const struct fdt_node *node)
{
    uint32_t len;
    return fdt_node_prop(node, "status", &len) == NULL || prop_is(node, "status", "okay") ||
           prop_is(node, "status", "ok");
}

static int parse_cpu(struct parse *ps, const struct fdt_node *node)
{
    struct fdt_info *out = ps->out;
    uint32_t len;
    uint64_t id, size;
    if (!prop_is(node, "device_type", "cpu")) /* e.g. cpu-map */
        return 0;
    if (!enabled(node)) {       /* "disabled", "fail": not a hart we may start */
        ps->cpus_disabled++;
        return 0;
    }
    int rc = reg_entry(node, 0, &id, &size);
    if (rc != 0 || id > UINT32_MAX)
        return rc < 0 ? rc
                      : fdt_fail(node->r, FDT_ERR_VALUE, "fdt: %s has no usable reg (its hart id)",
                                 node->path);
    if (out->nharts == FDT_MAX_HARTS) {
        out->harts_skipped++;
        return 0;
    }
    struct fdt_hart *hart = &out->harts[out->nharts];
    *hart = (struct fdt_hart){(uint32_t)id, NULL, false, -1};
    /* Which harts can run hartos: those with an MMU. (The ISA string does not tell: neither
     * QEMU's nor Linux's trees put S or U in it, "rv64imafdc_zicsr" is typical.) */
    hart->has_mmu = fdt_node_prop(node, "mmu-type", &len) != NULL &&
                    !prop_is(node, "mmu-type", "riscv,none");
    ps->intc_phandle[out->nharts++] = 0;
    return prop_string(node, "riscv,isa", &hart->isa);
}

/* A cpu's interrupt-controller child: remember its phandle, which the PLIC refers to. */
static int parse_cpu_intc(struct parse *ps, const struct fdt_node *node)
{
    uint32_t len;
    uint64_t id, size;
    const uint8_t *phandle = fdt_node_prop(node, "phandle", &len);
    if (!prop_is(node->parent, "device_type", "cpu") || phandle == NULL || len != 4 ||
        !fdt_node_prop(node, "interrupt-controller", &len))
        return 0;
    int rc = reg_entry(node->parent, 0, &id, &size); /* checked already by parse_cpu */
    for (int i = 0; rc == 0 && i < ps->out->nharts; i++)
        if (ps->out->harts[i].id == id)
            ps->intc_phandle[i] = fdt_be32(phandle);
    return rc < 0 ? rc : 0;
}

/* A node named like a serial port: DTSpec 2.2.2's generic name "serial" (or "uart"), with or
 * without a unit address. */
static bool named(const char *name, const char *generic)
{
    while (*generic != '\0' && *name == *generic)
        name++, generic++;
    return *generic == '\0' && (*name == '@' || *name == '\0');
}

static bool looks_serial(const struct fdt_node *node)
{
    return named(node->name, "serial") || named(node->name, "uart");
}

static int parse_uart(const struct fdt_node *node, enum fdt_uart_kind kind, const char *match,
                      struct fdt_info *out)
{
    uint64_t size, width = 1;
    out->uart.kind = kind;
    out->uart.compatible = match;
    int rc = reg_entry(node, 0, &out->uart.base, &size);
    if (rc == 0)
        rc = prop_u32(node, "clock-frequency", &out->uart.clock_hz);
    if (rc == 0)
        rc = prop_u32(node, "reg-shift", &out->uart.reg_shift);
    if (rc == 0 && prop_number(node, "reg-io-width", 1, &width) < 0)
        rc = FDT_ERR_VALUE;
    if (rc == 0 && width != 1 && width != 4)
        rc = fdt_fail(node->r, FDT_ERR_VALUE,
                      "fdt: reg-io-width of %s is %lu; hartos drives 1 or 4", node->path,
                      (unsigned long)width);
    if (rc == 0 && kind != FDT_UART_SIFIVE && width == 4 && out->uart.reg_shift < 2)
        rc = fdt_fail(node->r, FDT_ERR_VALUE,
                      "fdt: %s has 32-bit registers (reg-io-width 4) only 1 << %u bytes apart; "
                      "they need reg-shift 2 or more", node->path, out->uart.reg_shift);
    if (rc == 0 && out->uart.reg_shift > 4)
        rc = fdt_fail(node->r, FDT_ERR_VALUE, "fdt: reg-shift of %s is %u; at most 4 makes sense",
                      node->path, out->uart.reg_shift);
    out->uart.reg_io_width = (uint32_t)width;
    if (rc == 0)
        rc = first_cell(node, "interrupts", &out->uart.irq);
    out->uart.present = rc == 0;
    return rc;
}

static int parse_devices(struct parse *ps, const struct fdt_node *node)
{
    struct fdt_info *out = ps->out;
    uint64_t size;
    const char *match;
    int rc = 0;
    if (!enabled(node))
        return 0;
    if (!out->uart.present && (match = compatible_match(node, uart_16550_compatibles)) != NULL) {
        rc = parse_uart(node, FDT_UART_16550, match, out);
    } else if (!out->uart.present &&
               (match = compatible_match(node, uart_sifive_compatibles)) != NULL) {
        rc = parse_uart(node, FDT_UART_SIFIVE, match, out);
    } else if (compatible_match(node, plic_compatibles) && !out->plic.present) {
        rc = reg_entry(node, 0, &out->plic.base, &out->plic.size);
        if (rc == 0 && out->plic.size > PLIC_MAX_SIZE)
            rc = fdt_fail(node->r, FDT_ERR_VALUE,
                          "fdt: reg of %s is %#lx bytes; a PLIC's registers take at most %#x",
                          node->path, (unsigned long)out->plic.size, PLIC_MAX_SIZE);
        if (rc == 0)
            rc = prop_u32(node, "riscv,ndev", &out->plic.ndev);
        ps->plic_pairs = fdt_node_prop(node, "interrupts-extended", &ps->plic_pairs_len);
        if (rc == 0 && ps->plic_pairs_len % 8 != 0)
            rc = fdt_fail(node->r, FDT_ERR_VALUE,
                          "fdt: interrupts-extended of %s is not (phandle, irq) pairs", node->path);
        out->plic.present = rc == 0;
    } else if (compatible_match(node, test_compatibles) && !out->test_dev.present) {
        rc = reg_entry(node, 0, &out->test_dev.base, &size);
        out->test_dev.present = rc == 0;
    } else if (looks_serial(node) && out->unknown_uart_name == NULL) {
        uint32_t len;
        const char *c = (const char *)fdt_node_prop(node, "compatible", &len);
        out->unknown_uart_name = node->name;
        out->unknown_uart_compatible =
            c != NULL && len > 0 && fdt_len_within(c, len) < len ? c : "";
    }
    if (rc == ABSENT)
        rc = fdt_fail(node->r, FDT_ERR_VALUE, "fdt: device %s has no reg", node->path);
    return rc;
}

static int parse_visit(const struct fdt_node *node, void *ctx)
{
    struct parse *ps = ctx;
    const struct fdt_node *parent = node->parent;
    int rc = 0;

    if (node->depth == 1 && fdt_str_eq(node->name, "cpus")) {
        ps->saw_cpus = true;
        rc = prop_number(node, "timebase-frequency", 2, &ps->out->timebase_hz);
    } else if (node->depth == 1 && fdt_str_eq(node->name, "chosen")) {
        rc = prop_string(node, "bootargs", &ps->out->bootargs);
        if (rc == 0)
            rc = prop_string(node, "stdout-path", &ps->out->stdout_path);
    } else if (node->depth == 2 && fdt_str_eq(parent->name, "cpus")) {
        rc = parse_cpu(ps, node);
    } else if (node->depth == 3 && fdt_str_eq(parent->parent->name, "cpus")) {
        rc = parse_cpu_intc(ps, node);
    } else if (node->depth == 2 && fdt_str_eq(parent->name, "reserved-memory")) {
        rc = add_reg_ranges(node, ps->out->reserved, &ps->out->nreserved, FDT_MAX_RESERVED,
                            false); /* children without reg are allocated dynamically */
    }
    if (rc == 0 && prop_is(node, "device_type", "memory") && enabled(node))
        rc = add_reg_ranges(node, ps->out->memory, &ps->out->nmemory, FDT_MAX_MEMORY, true);
    if (rc == 0)
        rc = parse_devices(ps, node);
    return rc < 0 ? rc : 0;
}

/* PLIC context i is pair i of interrupts-extended; the S-mode one (cause 9) is ours. */
static void resolve_plic_contexts(struct parse *ps)
{
    for (uint32_t i = 0; i < ps->plic_pairs_len / 8; i++) {
        uint32_t phandle = fdt_be32(ps->plic_pairs + 8 * i);
        uint32_t irq = fdt_be32(ps->plic_pairs + 8 * i + 4);
        for (int h = 0; irq == IRQ_S_EXTERNAL && phandle != 0 && h < ps->out->nharts; h++)
            if (ps->intc_phandle[h] == phandle && ps->out->harts[h].plic_context < 0)
                ps->out->harts[h].plic_context = (int)i;
    }
}

/* ch12: registers in RAM are a tree that cannot be right: writing them would write memory the
 * kernel hands out (vm.c maps a page for the UART and for the test device). */
static int check_outside_ram(const struct fdt_reader *r, const struct fdt_info *out,
                             const char *what, uint64_t base, uint64_t size)
{
    for (int i = 0; i < out->nmemory; i++) {
        const struct fdt_range *m = &out->memory[i];
        if (ranges_overlap(base, base + size, m->base, m->base + m->size))
            return fdt_fail(r, FDT_ERR_VALUE, "fdt: the %s's registers at %#lx are in RAM (%s)",
                            what, (unsigned long)base, m->name);
    }
    return 0;
}

int fdt_parse(const void *blob, size_t max_size, struct fdt_info *out, char *err, size_t errlen)
{
    /* Members assigned one by one: gcc -Os turns zero-filling initializers into memset
     * calls, and the kernel has no memset. (intc_phandle[i] is set as harts[i] is.) */
    struct fdt_reader r;
    struct parse ps;
    r.err = err;
    r.errlen = errlen;
    ps.r = &r;
    ps.out = out;
    ps.saw_cpus = false;
    ps.cpus_disabled = 0;
    ps.plic_pairs = NULL;
    ps.plic_pairs_len = 0;
    if (errlen > 0)
        err[0] = '\0';
    out->nmemory = out->nreserved = out->nharts = out->harts_skipped = 0;
    out->timebase_hz = 0;
    out->uart.present = out->plic.present = out->test_dev.present = false;
    out->uart.base = out->plic.base = out->plic.size = out->test_dev.base = 0;
    out->uart.clock_hz = out->uart.reg_shift = out->uart.irq = out->plic.ndev = 0;
    out->uart.reg_io_width = 1;
    out->uart.kind = FDT_UART_16550;
    out->uart.compatible = out->bootargs = out->stdout_path = NULL;
    out->unknown_uart_name = out->unknown_uart_compatible = NULL;
    out->totalsize = 0;

    int rc = fdt_read_header(&r, blob, max_size);
    if (rc == 0)
        rc = read_memreserve(&r, out);
    if (rc == 0)
        rc = fdt_walk(&r, parse_visit, &ps);
    if (rc != 0)
        return rc;
    resolve_plic_contexts(&ps);
    out->totalsize = r.totalsize;
    if (!ps.saw_cpus)
        return fdt_fail(&r, FDT_ERR_MISSING, "fdt: no /cpus node");
    /* ch12: OpenSBI marks every hart without an mmu-type "disabled" before it hands the tree
     * over, so a tree with no S-mode-capable hart usually arrives looking like this. */
    if (out->nharts == 0)
        return fdt_fail(&r, FDT_ERR_MISSING,
                        "fdt: no hart can run hartos: /cpus has no enabled cpu node (%d disabled; "
                        "firmware disables harts without an MMU)", ps.cpus_disabled);
    bool any_mmu = false;
    for (int i = 0; i < out->nharts; i++)
        any_mmu |= out->harts[i].has_mmu;
    if (!any_mmu)
        return fdt_fail(&r, FDT_ERR_MISSING,
                        "fdt: no hart can run hartos: no cpu node in /cpus has an MMU (mmu-type)");
    if (out->timebase_hz == 0)
        return fdt_fail(&r, FDT_ERR_MISSING, "fdt: /cpus has no timebase-frequency");
    if (out->nmemory == 0)
        return fdt_fail(&r, FDT_ERR_MISSING, "fdt: no memory node (device_type = \"memory\")");
    rc = 0;
    if (out->uart.present)
        rc = check_outside_ram(&r, out, "UART", out->uart.base, FDT_DEVICE_PAGE);
    if (rc == 0 && out->test_dev.present)
        rc = check_outside_ram(&r, out, "test device", out->test_dev.base, FDT_DEVICE_PAGE);
    if (rc == 0 && out->plic.present)
        rc = check_outside_ram(&r, out, "PLIC", out->plic.base, out->plic.size);
    return rc;
}
