/* vm.c: the kernel's Sv39 page table, built once by the boot hart (kmain, after the frame
 * allocator) and loaded into satp by every hart before it runs a task. It maps RAM and the
 * devices at their own physical addresses (an identity map), so every pointer the kernel
 * already holds stays valid once paging is on; what paging adds is permissions:
 *
 *   devices (UART, test device, PLIC)    rw-      from the device tree
 *   RAM below the kernel                 rw-      minus the tree's reserved ranges (OpenSBI's
 *                                                 512 KiB at 0x80000000 is left unmapped)
 *   kernel text                          r-x      __kernel_start .. __rodata_start
 *   kernel rodata (ksyms, ktests)        r--      __rodata_start .. __data_start
 *   kernel data, bss, the rest of RAM    rw-      so the heap, frames and stacks are plain RAM
 *   task stack guard pages               ---      unmapped while the task lives (task/task.c)
 *
 * Every leaf is a 4 KiB page: a guard page can then be unmapped anywhere in RAM without
 * splitting a megapage, at a cost of one 4 KiB table page per 2 MiB mapped (0.2% of RAM).
 */
#include "kernel/vm.h"
#include "heap/frame.h"
#include "kernel/fdt.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/race.h"
#include "kernel/riscv.h"
#include "kernel/sbi.h"
#include "kernel/smp.h"
#include "kernel/string.h"

extern char __kernel_start[], __rodata_start[], __data_start[], __kernel_end[];

/* Every kernel leaf: present, global (in every address space), accessed and dirty already,
 * so the MMU never has to write a kernel PTE (hardware without A/D updating faults instead). */
#define PTE_KERNEL (PTE_V | PTE_G | PTE_A | PTE_D)

static pte_t *kernel_root;
static size_t kernel_tables;            /* page-table pages of the kernel map, root included */

_Static_assert(USER_TOP - USER_BASE == 1UL << 30 && USER_BASE % (1UL << 30) == 0,
               "the user range is exactly one root entry");

pte_t *vm_kernel_root(void)
{
    return kernel_root;
}

size_t vm_kernel_table_pages(void)
{
    return kernel_tables;
}

uint64_t vm_satp(const pte_t *root)
{
    return SATP_SV39 | ((uint64_t)root >> PAGE_SHIFT);
}

/* A zeroed page for a page table, counted in *tables; NULL when out of frames. */
pte_t *vm_table_alloc(size_t *tables)
{
    pte_t *t = frame_alloc();
    if (t) {
        memset(t, 0, PAGE_SIZE);
        (*tables)++;
    }
    return t;
}

/* The level-0 PTE for va, walking down from root through levels 2 and 1. With alloc, missing
 * tables are made (counted in *tables); without, NULL where the walk ends early. */
pte_t *vm_walk_alloc(pte_t *root, uint64_t va, bool alloc, size_t *tables)
{
    pte_t *table = root;
    for (int level = 2; level > 0; level--) {
        pte_t *e = &table[VM_INDEX(va, level)];
        if (*e & PTE_V) {
            assert((*e & (PTE_R | PTE_W | PTE_X)) == 0);    /* we never map megapages */
            table = (pte_t *)PTE_ADDR(*e);
            continue;
        }
        if (!alloc)
            return NULL;
        pte_t *next = vm_table_alloc(tables);
        if (next == NULL)
            return NULL;
        /* A pointer to the next level: V alone (A, D and U are reserved in non-leaf PTEs). */
        *e = PTE_FROM_ADDR((uint64_t)next) | PTE_V;
        table = next;
    }
    return &table[VM_INDEX(va, 0)];
}

pte_t *vm_walk(pte_t *root, uint64_t va)
{
    return vm_walk_alloc(root ? root : kernel_root, va, false, NULL);
}

/* Flush [va, va + len) (len 0: everything) from the TLB of every hart whose bit (by index) is
 * set in hart_bits: sfence.vma here, SBI remote_sfence_vma for the others. OpenSBI returns only
 * when they have all done it, so afterwards no hart can still use the old entries. */
void vm_flush(uint64_t hart_bits, uint64_t va, size_t len)
{
    uint64_t sie = intr_save();     /* "here" and "the others" must stay the same harts */
    int me = this_hart()->index;
    if (len == 0 || len > 64 * PAGE_SIZE) {
        sfence_vma_all();
        va = len = 0;               /* (0, 0): the whole address space, remotely too */
    } else {
        for (uint64_t a = va & ~(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE)
            sfence_vma_page(a);
    }
    hart_bits &= ~(1UL << me);
    /* SBI names harts by id, as a 64-bit mask over ids base..base + 63: one call per group. */
    while (hart_bits) {
        uint64_t base = UINT64_MAX, mask = 0;
        for (int i = 0; i < smp_harts(); i++)
            if ((hart_bits >> i) & 1)
                base = harts[i].id / 64 * 64 < base ? harts[i].id / 64 * 64 : base;
        for (int i = 0; i < smp_harts(); i++)
            if (((hart_bits >> i) & 1) && harts[i].id / 64 * 64 == base) {
                mask |= 1UL << (harts[i].id - base);
                hart_bits &= ~(1UL << i);
            }
        struct sbiret r = sbi_remote_sfence_vma(mask, base, va, len);
        if (r.error)    /* a hart left with a stale entry would use freed memory: stop here */
            panic("vm: remote sfence.vma to harts %#lx+%lu failed: %s", (unsigned long)mask,
                  (unsigned long)base, sbi_strerror(r.error));
    }
    intr_restore(sie);
}

/* Map [lo, hi), widened to whole pages, at the same addresses with perm. */
/* ch12: the identity map can reach only what an Sv39 address can name in the lower half of the
 * address space: below 2^38 (256 GiB). A table index keeps 9 bits a level, so an address above
 * that would silently map (and overwrite) one below it. */
#define VM_IDENTITY_TOP (1UL << 38)

static void kernel_map(uint64_t lo, uint64_t hi, pte_t perm)
{
    if (hi > VM_IDENTITY_TOP)
        panic("vm: %#lx-%#lx (RAM or a device's registers) is beyond 256 GiB, which Sv39's "
              "identity map cannot reach", (unsigned long)lo, (unsigned long)hi);
    for (uint64_t a = lo & ~(PAGE_SIZE - 1); a < hi; a += PAGE_SIZE) {
        pte_t *e = vm_walk_alloc(kernel_root, a, true, &kernel_tables);
        if (e == NULL)
            panic("vm: out of frames building the kernel page table at %#lx", (unsigned long)a);
        *e = PTE_FROM_ADDR(a) | perm | PTE_KERNEL;
    }
}

/* Unmap the whole pages inside [lo, hi) (boot only: no hart has them cached yet). */
static void kernel_unmap(uint64_t lo, uint64_t hi)
{
    lo = (lo + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (uint64_t a = lo; a + PAGE_SIZE <= hi; a += PAGE_SIZE) {
        pte_t *e = vm_walk(kernel_root, a);
        if (e)
            *e = 0;
    }
}

void vm_init(const struct fdt_info *m, const void *dtb)
{
    kernel_root = vm_table_alloc(&kernel_tables);
    if (kernel_root == NULL)
        panic("vm: no frame for the kernel's root page table");

    /* All RAM read-write; then the image's text and rodata narrowed; then the firmware out. */
    for (int i = 0; i < m->nmemory; i++)
        kernel_map(m->memory[i].base, m->memory[i].base + m->memory[i].size, PTE_R | PTE_W);
    kernel_map((uint64_t)__kernel_start, (uint64_t)__rodata_start, PTE_R | PTE_X);
    kernel_map((uint64_t)__rodata_start, (uint64_t)__data_start, PTE_R);
    uint64_t dtb_lo = (uint64_t)dtb, dtb_hi = dtb_lo + m->totalsize;
    for (int i = 0; i < m->nreserved; i++) {
        uint64_t lo = m->reserved[i].base, hi = lo + m->reserved[i].size;
        /* A tree may reserve itself or the kernel (/memreserve/); those we still need. */
        if (ranges_overlap(lo, hi, dtb_lo, dtb_hi) ||
            ranges_overlap(lo, hi, (uint64_t)__kernel_start, (uint64_t)__kernel_end))
            continue;
        kernel_unmap(lo, hi);
        kprintf("vm: %#lx-%#lx unmapped (%s)\n", (unsigned long)lo, (unsigned long)hi,
                m->reserved[i].name);
    }

    /* Devices: one page for the UART and the test device; the PLIC's whole register block,
     * for chapter 8's console input. A new device's registers get one line here. */
    if (m->uart.present)
        kernel_map(m->uart.base, m->uart.base + PAGE_SIZE, PTE_R | PTE_W);
    if (m->test_dev.present)
        kernel_map(m->test_dev.base, m->test_dev.base + PAGE_SIZE, PTE_R | PTE_W);
    if (m->plic.present)
        kernel_map(m->plic.base, m->plic.base + m->plic.size, PTE_R | PTE_W);

    if (kernel_root[VM_INDEX(USER_BASE, 2)] & PTE_V)
        panic("vm: this machine has RAM or devices in %#lx-%#lx, the user range (kernel/vm.h)",
              (unsigned long)USER_BASE, (unsigned long)USER_TOP);

    vm_init_hart();
    kprintf("vm: Sv39 on, kernel text r-x, rodata r--, data rw-, %lu page-table pages (%lu KiB)\n",
            (unsigned long)kernel_tables, (unsigned long)(kernel_tables * PAGE_SIZE / 1024));
}

void vm_init_hart(void)
{
    /* The fence before orders the table's stores before the walks that read them; the one
     * after drops any translation cached from before (satp writes do not flush). */
    sfence_vma_all();
    csr_write(satp, vm_satp(kernel_root));
    sfence_vma_all();
    this_hart()->vm = NULL;
}

/* Guarding (valid to invalid) is flushed lazily, with no shootdown: another hart may keep a
 * stale entry for the page, but only the hart that runs the task can overflow its stack, and
 * a hart flushes its TLB at the first switch after it sees that a guard was made (task/sched.c
 * compares vm_guards_made with its own count). The task is queued after this returns, under
 * a run-queue lock, so the hart that takes it sees the new count. Chapter 9 flushed the next
 * task's guard page on every switch instead; chapter 10 keeps stacks, guards and all, for
 * reuse (task/task.c), so new guards are rare. */
uint64_t vm_guards_made;

void vm_kernel_guard(void *page)
{
    pte_t *e = vm_walk(kernel_root, (uint64_t)page);
    assert(e && (*e & PTE_V) && (uint64_t)page % PAGE_SIZE == 0);
    __atomic_store_n(e, 0, __ATOMIC_RELEASE);
    sfence_vma_page((uint64_t)page);
    __atomic_fetch_add(&vm_guards_made, 1, __ATOMIC_RELEASE);
}

/* Unguarding (invalid to valid) is flushed on every hart before it returns, because the frame
 * goes back to the allocator next and from then on anyone may use it: a trap frame, a page
 * table, an interrupt handler's data. A hart may have cached "not mapped" for it (the spec lets
 * a TLB keep invalid entries), and a fault there could not be retried: inside a trap handler it
 * is a nested trap, and in trap.S's own frame stores there is nowhere to go.
 *
 * Not with SBI remote_sfence_vma: OpenSBI waits for the other harts by spinning in M-mode, and
 * under -icount, where every hart shares one host thread, that spin all but stops the machine
 * (seen: a 2-hart ktest hung for minutes on its first task's stack). So we shoot down with our
 * own IPIs and wait in wfi, which lets the other harts run.
 *
 * Each hart counts the flushes asked of it (flush_asked) and the requests its last flush
 * covered (flush_done). A requester stores the PTE, then adds one to each other hart's
 * flush_asked, keeping the number it got, and waits until every flush_done has reached it. A
 * hart's IPI handler (vm_kernel_flush_ack) reads its flush_asked, flushes its whole TLB, and
 * only then publishes what it read as flush_done: every request it counted stored its PTE
 * before it counted, so that flush covers it, and a request it did not count is still owed
 * and comes with an IPI of its own. (Until ch12 a hart cleared a "flush wanted" bit and then
 * flushed: in between, unguard could return and the frame be reused. The race build's
 * windows below show it: vm_unguard_flushes_every_hart failed 4 boots in 10 on 4 harts.) */
static uint64_t flush_asked[MAX_HARTS];    /* flushes asked of harts[i]; atomic */
static uint64_t flush_done[MAX_HARTS];     /* of those, how many harts[i] has done; atomic */
static uint64_t kernel_flush_waiters;      /* bit i: harts[i] waits for flushes; atomic */

void vm_kernel_flush_ack(void)
{
    struct hart *h = this_hart();
    int i = h->index;
    uint64_t asked = __atomic_load_n(&flush_asked[i], __ATOMIC_SEQ_CST);
    if (asked == __atomic_load_n(&flush_done[i], __ATOMIC_RELAXED))
        return;                         /* nothing owed: an IPI for something else */
    RACE_WINDOW();                      /* a request counted now is covered by this flush */
    sfence_vma_all();
    h->kernel_flushes++;
    RACE_WINDOW();                      /* flushed, not yet said: the requesters still wait */
    __atomic_store_n(&flush_done[i], asked, __ATOMIC_SEQ_CST);
    uint64_t waiters = __atomic_load_n(&kernel_flush_waiters, __ATOMIC_SEQ_CST) & ~(1UL << i);
    if (waiters)
        smp_kick_many(waiters);         /* each looks whether its flushes are all done */
}

/* Have the harts in `others` all done the flushes `want` names? */
static bool flushes_done(uint64_t others, const uint64_t *want)
{
    for (int i = 0; i < MAX_HARTS; i++)
        if ((others & (1UL << i)) && __atomic_load_n(&flush_done[i], __ATOMIC_ACQUIRE) < want[i])
            return false;
    return true;
}

void vm_kernel_unguard(void *page)
{
    pte_t *e = vm_walk(kernel_root, (uint64_t)page);
    assert(e && *e == 0);
    struct spinlock *held = hart_held();
    if (held)                       /* a hart spinning for it could never take our IPI */
        panic("vm_kernel_unguard with lock '%s' held", held->name);
    uint64_t s = intr_save();       /* stay on this hart until every other one has flushed */
    uint64_t me = 1UL << this_hart()->index;
    uint64_t others = ((1UL << smp_harts()) - 1) & ~me;
    __atomic_store_n(e, PTE_FROM_ADDR((uint64_t)page) | PTE_R | PTE_W | PTE_KERNEL,
                     __ATOMIC_SEQ_CST);
    sfence_vma_page((uint64_t)page);
    if (others) {
        uint64_t want[MAX_HARTS];
        __atomic_fetch_or(&kernel_flush_waiters, me, __ATOMIC_SEQ_CST);
        for (int i = 0; i < MAX_HARTS; i++)
            if (others & (1UL << i))
                want[i] = __atomic_add_fetch(&flush_asked[i], 1, __ATOMIC_SEQ_CST);
        smp_kick_many(others);
        /* Interrupts are off: our own IPIs (a kick back, another hart's request) only wake
         * the wfi, so take them here, or two harts unguarding at once would wait forever.
         * Taking one clears SSIP: the kick that says our flushes are done may be the one just
         * taken, so look again before sleeping, or we would sleep until the next tick. */
        while (!flushes_done(others, want)) {
            if (csr_read(sip) & SIP_SSIP) {
                smp_ipi_interrupt();
                continue;
            }
            wfi();
        }
        __atomic_fetch_and(&kernel_flush_waiters, ~me, __ATOMIC_SEQ_CST);
    }
    intr_restore(s);
}
