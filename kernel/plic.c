/* plic.c: the PLIC driver (RISC-V PLIC Specification v1.0.0, chapter 3 "Memory Map"). Each
 * source has a priority; each context (a hart in one privilege mode) has enable bits and a
 * threshold. A hart takes a source whose priority is above its threshold and that it enables:
 * trap.c sees scause 9, plic_interrupt claims the source (which masks it), runs the driver,
 * and completes it (which unmasks it).
 */
#include "kernel/plic.h"
#include "kernel/format.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/riscv.h"

/* Register offsets from the PLIC's base (spec chapter 3). */
#define PLIC_PRIORITY(src)     (4 * (uint64_t)(src))                    /* 0: never */
#define PLIC_ENABLE(ctx)       (0x2000 + 0x80 * (uint64_t)(ctx))        /* one bit a source */
#define PLIC_THRESHOLD(ctx)    (0x200000 + 0x1000 * (uint64_t)(ctx))
#define PLIC_CLAIM(ctx)        (0x200004 + 0x1000 * (uint64_t)(ctx))    /* read: claim,
                                                                           write: complete */
#define PLIC_MAX_SOURCES 1024  /* source 0 means "none" */
#define PLIC_MAX_ROUTES  4     /* hartos drives one device (the UART); room for a few */
#define PRIORITY_ON      1     /* any non-zero priority beats threshold 0 */

struct route {
    uint32_t source;
    int context;
    uint64_t hart;             /* the hart id whose context it is */
    void (*handler)(void);
};

static volatile uint8_t *plic_base;
static uint32_t plic_ndev;
static struct route routes[PLIC_MAX_ROUTES];
static int nroutes;

static volatile uint32_t *reg(uint64_t offset)
{
    return (volatile uint32_t *)(plic_base + offset);
}

/* ch12: can source be routed to context on a PLIC whose device tree node gives size and ndev
 * (a reg that wraps around is refused by the parser)? If not, say why in why[n] and return
 * false: main.c then leaves the console without input instead of writing registers that are
 * not there. */
bool plic_can_route(uint64_t size, uint32_t ndev, uint32_t source, int context, char *why,
                    size_t n)
{
    if (source > ndev)
        ksnprintf(why, n, "the UART's interrupt source %u is beyond the PLIC's %u (riscv,ndev)",
                  source, ndev);
    else if (source >= PLIC_MAX_SOURCES)
        ksnprintf(why, n, "the UART's interrupt source %u is beyond the %u a PLIC can have",
                  source, PLIC_MAX_SOURCES - 1);
    else if (PLIC_CLAIM(context) + 4 > size)
        ksnprintf(why, n, "the PLIC's reg (size %#lx) ends before context %d's registers",
                  (unsigned long)size, context);
    else
        return true;
    return false;
}

void plic_init(uint64_t base, uint32_t ndev)
{
    plic_base = (volatile uint8_t *)base;
    plic_ndev = ndev < PLIC_MAX_SOURCES ? ndev : PLIC_MAX_SOURCES - 1;
}

int plic_route(uint32_t source, int context, void (*handler)(void))
{
    if (plic_base == NULL || source == 0 || source > plic_ndev || context < 0 ||
        nroutes == PLIC_MAX_ROUTES)
        return -1;
    routes[nroutes++] = (struct route){source, context, hart_id(), handler};
    *reg(PLIC_PRIORITY(source)) = PRIORITY_ON;
    *reg(PLIC_ENABLE(context) + 4 * (source / 32)) |= 1u << (source % 32);
    *reg(PLIC_THRESHOLD(context)) = 0;
    csr_set(sie, SIE_SEIE);     /* this hart now takes supervisor external interrupts */
    return 0;
}

/* The context this hart claims from: the one a route was made for on it. */
static int my_context(void)
{
    uint64_t id = hart_id();
    for (int i = 0; i < nroutes; i++)
        if (routes[i].hart == id)
            return routes[i].context;
    panic("plic: external interrupt on hart %lu, which no source is routed to",
          (unsigned long)id);
}

void plic_interrupt(void)
{
    int context = my_context();
    uint32_t source;
    /* Claiming returns the highest-priority pending source and clears its pending bit; 0 means
     * nothing is left (another context may have claimed it first). */
    while ((source = *reg(PLIC_CLAIM(context))) != 0) {
        int i = 0;
        while (i < nroutes && routes[i].source != source)
            i++;
        if (i == nroutes)
            panic("plic: source %u is enabled but has no handler", source);
        routes[i].handler();
        *reg(PLIC_CLAIM(context)) = source;     /* complete: the source may interrupt again */
    }
}
