/* fdt.h -- read the flattened device tree (DTSpec v0.4, chapter 5 "Flattened Devicetree
 * Format", blob versions 16-17) that OpenSBI passes in a1. Early boot calls fdt_parse() once
 * to learn RAM, harts, the UART, the PLIC and the test device; nothing is hard-coded. */
#ifndef HARTOS_FDT_H
#define HARTOS_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_MEMORY   8  /* reg entries of all device_type = "memory" nodes */
#define FDT_MAX_RESERVED 16 /* /memreserve/ entries plus /reserved-memory children */
#define FDT_MAX_HARTS    16 /* more harts are counted in harts_skipped, not stored */
#define FDT_MAX_DEPTH    16 /* deeper nesting is rejected; QEMU's trees are 4 deep */

/* Return codes of fdt_parse(); err always says exactly what and where. */
enum fdt_error {
    FDT_OK = 0,
    FDT_ERR_MAGIC = -1,     /* not a device tree at all */
    FDT_ERR_HEADER = -2,    /* version, sizes or block offsets unusable */
    FDT_ERR_STRUCTURE = -3, /* token stream, names or nesting broken */
    FDT_ERR_VALUE = -4,     /* a property we need has the wrong length or form */
    FDT_ERR_MISSING = -5,   /* no /cpus, no hart with an MMU, no memory, no timebase */
};

/* The UART kinds hartos drives (kernel/uart.c). */
enum fdt_uart_kind {
    FDT_UART_16550 = 1, /* ns16550a, ns16550 and snps,dw-apb-uart: byte registers */
    FDT_UART_SIFIVE = 2, /* sifive,uart0: 32-bit registers, its own layout */
};

/* Do [lo1, hi1) and [lo2, hi2) share a byte? (The parser's checks of RAM and devices, and
 * vm.c's of reservations, ask.) */
static inline bool ranges_overlap(uint64_t lo1, uint64_t hi1, uint64_t lo2, uint64_t hi2)
{
    return lo1 < hi2 && lo2 < hi1;
}

struct fdt_range {
    uint64_t base, size;
    const char *name; /* node name ("memory@80000000"), or "memreserve" */
};

struct fdt_hart {
    uint32_t id;      /* the cpu node's reg: the hart id SBI calls use */
    const char *isa;  /* riscv,isa, e.g. "rv64imafdc_zicsr"; NULL if absent */
    bool has_mmu;     /* mmu-type present and not "riscv,none": a hart that can run S-mode
                         with paging (sifive_u's hart 0 is an M-mode-only E51 without one) */
    int plic_context; /* PLIC context for this hart's S-mode external irq, -1 if none */
};

struct fdt_info {
    struct fdt_range memory[FDT_MAX_MEMORY];
    int nmemory;
    struct fdt_range reserved[FDT_MAX_RESERVED];
    int nreserved;
    struct fdt_hart harts[FDT_MAX_HARTS]; /* enabled /cpus/cpu@* nodes, tree order */
    int nharts;
    int harts_skipped;
    uint64_t timebase_hz; /* /cpus timebase-frequency: rdtime ticks per second */
    struct {
        bool present;
        enum fdt_uart_kind kind;
        uint64_t base;
        uint32_t clock_hz;      /* clock-frequency, 0 if absent (sifive_u uses clocks) */
        uint32_t reg_shift;     /* reg-shift, 0 if absent: registers 1 << reg_shift apart */
        uint32_t reg_io_width;  /* reg-io-width: 1 (bytes, the default) or 4 (32-bit words) */
        uint32_t irq;           /* interrupts: its source number at the PLIC, 0 if absent */
        const char *compatible; /* the entry that matched: "ns16550a", "ns16550",
                                   "snps,dw-apb-uart", "sifive,uart0" */
    } uart;
    /* The first enabled serial port (a node named serial@... or uart@...) that no driver
     * knows: named at boot, so the console's choice is explained. NULL if there is none. */
    const char *unknown_uart_name;       /* its node name, "serial@10000000" */
    const char *unknown_uart_compatible; /* its first compatible string, "" if none */
    struct {
        bool present;
        uint64_t base, size;
        uint32_t ndev; /* riscv,ndev: number of interrupt sources */
    } plic;
    struct {
        bool present;
        uint64_t base; /* write 0x5555 = pass, (code << 16) | 0x3333 = fail with code */
    } test_dev;
    const char *bootargs;    /* /chosen bootargs, NULL if absent */
    const char *stdout_path; /* /chosen stdout-path, NULL if absent */
    uint32_t totalsize;      /* bytes the blob occupies (reserve them before freeing RAM) */
};

/* Validates the blob (at most max_size readable bytes) completely and fills *out. Returns 0,
 * or a negative enum fdt_error with a message such as "fdt: bad magic 0x12345678" in err.
 * Pointers in *out point into the blob, which must stay mapped. */
int fdt_parse(const void *blob, size_t max_size, struct fdt_info *out, char *err, size_t errlen);

/* Generic lookup for tests and gdb: the value of property `prop` of the node at absolute
 * `path` ("/chosen", "/soc/serial@10000000"), its length in *len; NULL if not found or
 * malformed. Trusts the header's totalsize, so use it on a blob fdt_parse accepted. */
const void *fdt_find_prop(const void *blob, const char *path, const char *prop, uint32_t *len);

#endif
