/* smp.c: bringing up every hart, and the interrupts harts send each other.
 *
 * OpenSBI starts only the boot hart; the others wait in M-mode until an SBI HSM hart_start
 * names them. We give each one an index (harts[index]), a stack slot from boot/entry.S and an
 * entry point, _start_secondary, which gets the struct hart back in a1. The tree may list
 * harts without an MMU (sifive_u's monitor core): they cannot run this kernel and stay stopped.
 */
#include "kernel/smp.h"
#include "kernel/fdt.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/param.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/sbi.h"
#include "kernel/timer.h"
#include "kernel/vm.h"
#include "task/sched.h"

extern char boot_stacks[], _start_secondary[];

#define SMP_START_WAIT_S 10            /* seconds to wait for the other harts to come up */

static int nharts = 1;                  /* harts[0] is the boot hart */
static int online = 1;                  /* harts that reached kmain_secondary's end */
static volatile int stopping;           /* a panic asked every hart to stop */

int smp_harts(void)
{
    return nharts;
}

void smp_start(const struct fdt_info *m, uint64_t boot_hartid)
{
    int too_many = m->harts_skipped;
    for (int i = 0; i < m->nharts; i++) {
        const struct fdt_hart *fh = &m->harts[i];
        if (fh->id == boot_hartid)
            continue;
        if (!fh->has_mmu) {
            kprintf("smp: hart %u has no MMU (a monitor core); left stopped\n", fh->id);
            continue;
        }
        if (nharts == MAX_HARTS) {
            too_many++;
            continue;
        }
        struct hart *h = &harts[nharts];
        h->id = fh->id;
        h->index = nharts;
        h->stack_lo = (uint64_t)boot_stacks + (uint64_t)nharts * KSTACK_SIZE;
        h->stack_hi = h->stack_lo + KSTACK_SIZE;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* all of it visible before it starts */
        uint64_t entry = (uint64_t)_start_secondary;
#ifdef TEST_HSM_FAIL_SECOND
        static bool failed_one;         /* test hook: the second hart after the boot one is */
        if (nharts == 2 && !failed_one) /* sent inside OpenSBI, which refuses to go there */
            entry = 0x80000000, failed_one = true;
#endif
        struct sbiret r = sbi_hart_start(fh->id, entry, (uint64_t)h);
        if (r.error) {
            kprintf("smp: hart %u did not start: %s; carrying on without it\n", fh->id,
                    sbi_strerror(r.error));
            continue;
        }
        nharts++;
    }
    if (too_many)
        kprintf("smp: the device tree lists %d more harts than the %d hartos runs; they stay "
                "stopped\n", too_many, MAX_HARTS);

    /* Wait for them, sleeping between timer ticks (never spinning: under -icount a spinning
     * hart would starve the harts it waits for). Starting takes milliseconds, but QEMU with
     * more harts than host cores can leave one unscheduled for over a second (seen: 8 harts
     * on 2 cores), so the bound is generous. */
    uint64_t give_up = rdtime() + SMP_START_WAIT_S * timer_timebase();
    while (__atomic_load_n(&online, __ATOMIC_ACQUIRE) < nharts && rdtime() < give_up)
        wfi();
    kprintf("smp: %d hart%s online:", online, online == 1 ? "" : "s");
    for (int i = 0; i < nharts; i++)
        kprintf(" %lu", (unsigned long)harts[i].id);
    kprintf(" (boot hart %lu)\n", (unsigned long)boot_hartid);
    if (online < nharts)
        panic("smp: %d of %d harts did not come up within %d s", nharts - online, nharts,
              SMP_START_WAIT_S);
}

/* The rest of a secondary hart's boot (boot/entry.S's _start_secondary calls it). */
__attribute__((noreturn)) void kmain_secondary(uint64_t hartid)
{
    (void)hartid;                       /* already in this hart's struct */
    csr_write(sscratch, 0);             /* in the kernel, for trap.S */
    vm_init_hart();                     /* ch7: the kernel page table, as on the boot hart */
    sched_init_hart();
    trap_init_hart();
    timer_start_hart();
    __atomic_fetch_add(&online, 1, __ATOMIC_RELEASE);
    intr_on();
    sched_idle();
}

void smp_kick(int index)
{
    sbi_send_ipi(1UL << (harts[index].id % 64), harts[index].id / 64 * 64);
}

void smp_kick_many(uint64_t index_bits)
{
    /* SBI names harts by id, as a 64-bit mask over ids base..base + 63: one call per group
     * (on QEMU and most boards, one call in all). */
    while (index_bits) {
        int first = 0;
        while (((index_bits >> first) & 1) == 0)
            first++;
        uint64_t base = harts[first].id / 64 * 64, mask = 0;
        for (int i = first; i < nharts; i++)
            if (((index_bits >> i) & 1) && harts[i].id / 64 * 64 == base) {
                mask |= 1UL << (harts[i].id - base);
                index_bits &= ~(1UL << i);
            }
        sbi_send_ipi(mask, base);
    }
}

void smp_stop_others(void)
{
    stopping = 1;
    for (int i = 0; i < nharts; i++)
        if (&harts[i] != this_hart())
            smp_kick(i);
}

void smp_ipi_interrupt(void)
{
    csr_clear(sip, SIP_SSIP);           /* acknowledge: the bit stays set until cleared */
    vm_kernel_flush_ack();              /* ch9: a guard page mapped again (kernel/vm.c) */
    if (stopping)
        for (;;)
            wfi();                      /* a panic elsewhere: stop here, interrupts off */
    this_hart()->need_resched = true;   /* a wake-up: look at the run queue */
}
