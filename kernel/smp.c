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
#include "kernel/trace.h"
#include "kernel/vm.h"
#include "task/sched.h"

extern char boot_stacks[], _start_secondary[];

#ifndef SMP_START_WAIT_S
#define SMP_START_WAIT_S 10            /* seconds to wait for the other harts to come up */
#endif
#define JOIN_CLOSED (1 << 16)           /* in `joined`: the boot hart stopped waiting */

/* A hart we start gets a struct hart to start on (a1, for boot/entry.S: its stack; tp, until it
 * has an index). Its own harts[] entry it claims on arrival, in arrival order, so a hart that
 * comes too late leaves no hole in harts[0 .. smp_harts() - 1]. A late one keeps its ticket,
 * whose index (MAX_HARTS + slot) is no hart's, so that even its spinlocks never mistake it. */
static struct hart starting[MAX_HARTS]; /* [0] unused: the boot hart is harts[0] */
static int started = 1;                 /* tickets handed out (boot hart only) */
static int joined = 1;                  /* harts with an index, | JOIN_CLOSED; atomic */
static int online = 1;                  /* harts that reached kmain_secondary's end; atomic */
static bool came[MAX_HARTS];            /* ticket k's hart joined; set before online grows */
static int parked_late;                 /* harts that came after JOIN_CLOSED; atomic */
static volatile int stopping;           /* a panic (or a halt, ch12) asked every hart to stop */

int smp_harts(void)
{
    return __atomic_load_n(&joined, __ATOMIC_ACQUIRE) & ~JOIN_CLOSED;
}

/* The next index in harts[], or -1 once the boot hart has stopped waiting. */
static int join(void)
{
    int n = __atomic_load_n(&joined, __ATOMIC_RELAXED);
    do {
        if (n & JOIN_CLOSED)
            return -1;
    } while (!__atomic_compare_exchange_n(&joined, &n, n + 1, false, __ATOMIC_ACQ_REL,
                                          __ATOMIC_RELAXED));
    return n;
}

/* Sleep between timer ticks until *counter reaches want or the deadline passes (never spin:
 * under -icount a spinning hart would starve the harts it waits for). */
static void wait_for(int *counter, int mask, int want, uint64_t deadline)
{
    while ((__atomic_load_n(counter, __ATOMIC_ACQUIRE) & mask) < want && rdtime() < deadline)
        wfi();
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
        if (started == MAX_HARTS) {
            too_many++;
            continue;
        }
        struct hart *t = &starting[started];
        t->id = fh->id;
        t->index = MAX_HARTS + started;
        t->stack_lo = (uint64_t)boot_stacks + (uint64_t)started * KSTACK_SIZE;
        t->stack_hi = t->stack_lo + KSTACK_SIZE;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* all of it visible before it starts */
        uint64_t entry = (uint64_t)_start_secondary;
#ifdef TEST_HSM_FAIL_SECOND
        static bool failed_one;         /* test hook: the second hart after the boot one is */
        if (started == 2 && !failed_one) /* sent inside OpenSBI, which refuses to go there */
            entry = 0x80000000, failed_one = true;
#endif
        struct sbiret r = sbi_hart_start(fh->id, entry, (uint64_t)t);
        if (r.error) {
            kprintf("smp: hart %u did not start: %s; carrying on without it\n", fh->id,
                    sbi_strerror(r.error));
            continue;
        }
        started++;
    }
    if (too_many)
        kprintf("smp: the device tree lists %d more harts than the %d hartos runs; they stay "
                "stopped\n", too_many, MAX_HARTS);

    /* Starting takes milliseconds, but QEMU with more harts than host cores can leave one
     * unscheduled for over a second (seen: 8 harts on 2 cores), so the bound is generous. A
     * hart later than that is left out: closing the door decides, atomically with its join,
     * whether it is in (an index) or out (it parks). One that is in is running our code, so
     * it gets the same time again to finish starting. */
    uint64_t wait = SMP_START_WAIT_S * timer_timebase();
    wait_for(&joined, ~JOIN_CLOSED, started, rdtime() + wait);
    int in = __atomic_fetch_or(&joined, JOIN_CLOSED, __ATOMIC_ACQ_REL) & ~JOIN_CLOSED;
    wait_for(&online, ~0, in, rdtime() + wait);
    if (__atomic_load_n(&online, __ATOMIC_ACQUIRE) < in)
        panic("smp: %d hart(s) took an index but did not finish starting within %d s",
              in - online, SMP_START_WAIT_S);
    for (int k = 1; k < started; k++)
        if (!came[k])
            kprintf("smp: hart %lu did not come up within %d s; carrying on without it "
                    "(if it comes later, it parks)\n", (unsigned long)starting[k].id,
                    SMP_START_WAIT_S);
    kprintf("smp: %d hart%s online:", online, online == 1 ? "" : "s");
    for (int i = 0; i < online; i++)
        kprintf(" %lu", (unsigned long)harts[i].id);
    kprintf(" (boot hart %lu)\n", (unsigned long)boot_hartid);
#ifdef TEST_HART_LATE_MS
    /* test hook: see the latecomer park before anything else runs */
    wait_for(&parked_late, ~0, 1, rdtime() + (TEST_HART_LATE_MS / 1000 + 10) * timer_timebase());
#endif
}

/* Too late: the boot went on without us, and harts[] has no entry for us. Touch nothing but
 * the console (its lock works on our ticket) and sleep for good: interrupts stay off (sie was
 * cleared in entry.S), satp stays bare, and only M-mode (OpenSBI) may still wake us. */
static __attribute__((noreturn)) void park_late(const struct hart *ticket)
{
    kprintf("smp: hart %lu came up after the boot had gone on without it; parked\n",
            (unsigned long)ticket->id);
    __atomic_fetch_add(&parked_late, 1, __ATOMIC_RELEASE);
    hart_halt();
}

/* The rest of a secondary hart's boot (boot/entry.S's _start_secondary calls it, on the stack
 * and with tp at the ticket smp_start gave it). */
__attribute__((noreturn)) void kmain_secondary(uint64_t hartid)
{
    struct hart *ticket = this_hart();
#ifdef TEST_HART_LATE_MS
    if (ticket == &starting[2]) {       /* test hook: the second hart started comes late */
        uint64_t until = rdtime() + TEST_HART_LATE_MS * timer_timebase() / 1000;
        while (rdtime() < until)
            ;
    }
#endif
    int index = join();
    if (index < 0)
        park_late(ticket);
    hart_init(index, hartid, ticket->stack_lo, ticket->stack_hi);   /* tp: harts[index] */
    vm_init_hart();                     /* ch7: the kernel page table, as on the boot hart */
    sched_init_hart();
    trap_init_hart();
    timer_start_hart();
    came[ticket - starting] = true;
    __atomic_fetch_add(&online, 1, __ATOMIC_RELEASE);
    intr_on();
    sched_idle();
}

void smp_kick(int index)
{
    TRACE(TR_IPI_SEND, index, 0, 0, 0);
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
        for (int i = first; i < smp_harts(); i++)
            if (((index_bits >> i) & 1) && harts[i].id / 64 * 64 == base) {
                mask |= 1UL << (harts[i].id - base);
                index_bits &= ~(1UL << i);
                TRACE(TR_IPI_SEND, i, 0, 0, 0);
            }
        sbi_send_ipi(mask, base);
    }
}

void smp_stop_others(void)
{
    stopping = 1;
    for (int i = 0; i < smp_harts(); i++)
        if (&harts[i] != this_hart())
            smp_kick(i);
}

void smp_ipi_interrupt(void)
{
    csr_clear(sip, SIP_SSIP);           /* acknowledge: the bit stays set until cleared */
    TRACE(TR_IPI_RECV, 0, 0, 0, 0);
    vm_kernel_flush_ack();              /* ch9: a guard page mapped again (kernel/vm.c) */
    if (stopping)
        hart_halt();                    /* a panic or a halt elsewhere: stop here */
    this_hart()->need_resched = true;   /* a wake-up: look at the run queue */
}
