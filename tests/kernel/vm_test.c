/* vm_test.c: in-kernel tests of kernel/vm.c and kernel/vm_user.c: the kernel map's permissions,
 * user address spaces, the checked copies, TLB shootdown. The tests that end in a panic (a
 * stack overflow, a hart that lost a page) run alone from tests/vm.sh, which reads the panic. */
#include "heap/frame.h"
#include "user/syscall.h"
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"
#include "kernel/riscv.h"
#include "kernel/sbi.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "task/task.h"

extern char __kernel_start[], __rodata_start[], __data_start[];
extern void kmain(uint64_t, void *);

static uint64_t some_data = 1;          /* .data */
static uint64_t some_bss;               /* .bss */
static const char some_rodata[] = "read only";

KTEST(vm_kernel_text_not_writable)
{
    uint64_t text = (uint64_t)kmain;
    KT_EXPECT(vm_translate(NULL, text, VM_READ | VM_EXEC) == text);
    KT_EXPECT(vm_translate(NULL, text, VM_WRITE) == 0);
    KT_EXPECT(vm_translate(NULL, (uint64_t)__kernel_start, VM_WRITE) == 0);
    KT_EXPECT(vm_translate(NULL, (uint64_t)some_rodata, VM_READ) == (uint64_t)some_rodata);
    KT_EXPECT(vm_translate(NULL, (uint64_t)some_rodata, VM_WRITE) == 0);
    KT_EXPECT(vm_translate(NULL, (uint64_t)some_rodata, VM_EXEC) == 0);
}

KTEST(vm_kernel_data_not_executable)
{
    void *frame = frame_alloc();        /* the heap, the frames, the stacks: plain RAM */
    uint64_t addrs[] = {(uint64_t)&some_data, (uint64_t)&some_bss, (uint64_t)frame,
                        (uint64_t)&addrs};
    for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
        KT_EXPECTF(vm_translate(NULL, addrs[i], VM_READ | VM_WRITE) == addrs[i], "%#lx rw",
                   (unsigned long)addrs[i]);
        KT_EXPECTF(vm_translate(NULL, addrs[i], VM_EXEC) == 0, "%#lx is executable",
                   (unsigned long)addrs[i]);
    }
    frame_free(frame);
    /* OpenSBI's region, 2 MiB below the image on virt, is not mapped at all. */
    KT_EXPECT(vm_translate(NULL, (uint64_t)__kernel_start - 0x200000, 0) == 0);
}

/* Every leaf of the kernel table: never W and X, never W without R, never U, A and D set;
 * 4 KiB leaves only. Also counts the table pages against what vm_init reported. */
KTEST(vm_kernel_w_xor_x_everywhere)
{
    pte_t *root = vm_kernel_root();
    size_t tables = 1, leaves = 0, text = 0;
    for (int i = 0; i < 512; i++) {
        if ((root[i] & PTE_V) == 0)
            continue;
        KT_EXPECTF((root[i] & (PTE_R | PTE_W | PTE_X)) == 0, "gigapage at root[%d]", i);
        pte_t *l1 = (pte_t *)PTE_ADDR(root[i]);
        tables++;
        for (int j = 0; j < 512; j++) {
            if ((l1[j] & PTE_V) == 0)
                continue;
            KT_EXPECTF((l1[j] & (PTE_R | PTE_W | PTE_X)) == 0, "megapage at [%d][%d]", i, j);
            pte_t *l0 = (pte_t *)PTE_ADDR(l1[j]);
            tables++;
            for (int k = 0; k < 512; k++) {
                pte_t e = l0[k];
                if ((e & PTE_V) == 0)
                    continue;
                leaves++;
                text += (e & PTE_X) != 0;
                KT_EXPECTF(!((e & PTE_W) && (e & PTE_X)), "W+X at [%d][%d][%d]", i, j, k);
                KT_EXPECTF(!(e & PTE_W) || (e & PTE_R), "W without R at [%d][%d][%d]", i, j, k);
                KT_EXPECTF((e & PTE_U) == 0, "user page in the kernel map at [%d][%d][%d]", i,
                           j, k);
                KT_EXPECT((e & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
            }
        }
    }
    KT_EXPECT(tables == vm_kernel_table_pages());
    KT_EXPECT(text == ((uint64_t)__rodata_start - (uint64_t)__kernel_start) / PAGE_SIZE);
    KT_EXPECT(leaves > 1000);
}

#define UDATA (USER_BASE + 0x10000)     /* two read-write pages */
#define URO   (USER_BASE + 0x20000)     /* one read-only page */

/* An address space with UDATA (rw, 2 pages) and URO (r, 1 page, "hello" in it). */
static struct vm *test_vm(void)
{
    struct vm *vm = vm_create();
    if (vm == NULL || vm_alloc_map(vm, UDATA, 2 * PAGE_SIZE, VM_READ | VM_WRITE) != 0 ||
        vm_alloc_map(vm, URO, PAGE_SIZE, VM_READ) != 0)
        return NULL;
    memcpy((void *)vm_translate(vm, URO, VM_USER | VM_READ), "hello", 6);
    return vm;
}

KTEST(vm_user_map_translate_copy)
{
    struct vm *vm = test_vm();
    KT_EXPECT(vm != NULL);
    KT_EXPECT(vm_translate(vm, UDATA + 5, VM_USER | VM_READ | VM_WRITE) % PAGE_SIZE == 5);
    KT_EXPECT(vm_translate(vm, URO, VM_USER | VM_READ) != 0);
    KT_EXPECT(vm_translate(vm, URO, VM_WRITE) == 0);
    KT_EXPECT(vm_translate(vm, UDATA, VM_EXEC) == 0);
    /* The kernel's mappings are there (shared), but not for U-mode. */
    KT_EXPECT(vm_translate(vm, (uint64_t)kmain, VM_EXEC) == (uint64_t)kmain);
    KT_EXPECT(vm_translate(vm, (uint64_t)kmain, VM_USER) == 0);
    KT_EXPECT(vm_translate(NULL, UDATA, 0) == 0);       /* and the kernel has no user pages */

    char out[64], in[64];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (char)(i * 7 + 1);
    uint64_t across = UDATA + PAGE_SIZE - 20;           /* straddles the two pages */
    KT_EXPECT(copy_to_user(vm, across, out, sizeof(out)) == 0);
    KT_EXPECT(copy_from_user(vm, in, across, sizeof(in)) == 0);
    KT_EXPECT(memcmp(in, out, sizeof(in)) == 0);
    char s[16];
    KT_EXPECT(copy_string_from_user(vm, s, URO, sizeof(s)) == 5 && strcmp(s, "hello") == 0);
    KT_EXPECT(copy_string_from_user(vm, s, URO, 4) == -ENAMETOOLONG && strcmp(s, "hel") == 0);
    vm_destroy(vm);
}

KTEST(vm_user_bad_pointers_fault)
{
    struct vm *vm = test_vm();
    KT_EXPECT(vm != NULL);
    char buf[32] = "x";
    KT_EXPECT(copy_from_user(vm, buf, 0, 1) == -EFAULT);                    /* NULL */
    KT_EXPECT(copy_to_user(vm, 0, buf, 1) == -EFAULT);
    KT_EXPECT(copy_from_user(vm, buf, (uint64_t)&some_data, 8) == -EFAULT); /* kernel */
    KT_EXPECT(copy_to_user(vm, (uint64_t)&some_data, buf, 8) == -EFAULT);
    KT_EXPECT(copy_from_user(vm, buf, UDATA + 2 * PAGE_SIZE, 1) == -EFAULT); /* unmapped */
    KT_EXPECT(copy_from_user(vm, buf, UDATA + PAGE_SIZE, PAGE_SIZE + 1) == -EFAULT);
    KT_EXPECT(strcmp(buf, "x") == 0);                   /* checked first: nothing copied */
    KT_EXPECT(copy_from_user(vm, buf, UDATA, UINT64_MAX) == -EFAULT);       /* wraps */
    KT_EXPECT(copy_from_user(vm, buf, UINT64_MAX - 3, 8) == -EFAULT);
    KT_EXPECT(copy_from_user(vm, buf, USER_TOP - 4, 8) == -EFAULT);         /* past the top */
    KT_EXPECT(copy_to_user(vm, URO, buf, 1) == -EFAULT);                    /* read-only */
    KT_EXPECT(copy_from_user(vm, buf, URO, 6) == 0 && strcmp(buf, "hello") == 0);
    KT_EXPECT(copy_string_from_user(vm, buf, 0, sizeof(buf)) == -EFAULT);
    KT_EXPECT(copy_string_from_user(vm, buf, (uint64_t)some_rodata, 8) == -EFAULT);
    /* A string that runs into an unmapped page with no NUL. */
    uint64_t end = UDATA + 2 * PAGE_SIZE - 3;
    KT_EXPECT(copy_to_user(vm, end, "abc", 3) == 0);
    KT_EXPECT(copy_string_from_user(vm, buf, end, sizeof(buf)) == -EFAULT);
    vm_destroy(vm);
}

KTEST(vm_map_rejects_bad_requests)
{
    struct vm *vm = test_vm();
    KT_EXPECT(vm != NULL);
    uint64_t va = USER_BASE + 0x100000;
    KT_EXPECT(vm_alloc_map(vm, va, PAGE_SIZE, VM_WRITE | VM_EXEC | VM_READ) == -EINVAL);
    KT_EXPECT(vm_alloc_map(vm, va, PAGE_SIZE, VM_WRITE) == -EINVAL);         /* W without R */
    KT_EXPECT(vm_alloc_map(vm, va + 1, PAGE_SIZE, VM_READ) == -EINVAL);
    KT_EXPECT(vm_alloc_map(vm, USER_TOP, PAGE_SIZE, VM_READ) == -EINVAL);
    KT_EXPECT(vm_alloc_map(vm, (uint64_t)__kernel_start, PAGE_SIZE, VM_READ) == -EINVAL);
    KT_EXPECT(vm_map(vm, va, (uint64_t)__kernel_start + 1, PAGE_SIZE, VM_READ) == -EINVAL);
    /* Overlapping UDATA's second page: nothing of it stays mapped. */
    KT_EXPECT(vm_alloc_map(vm, UDATA - PAGE_SIZE, 3 * PAGE_SIZE, VM_READ) == -EEXIST);
    KT_EXPECT(vm_translate(vm, UDATA - PAGE_SIZE, 0) == 0);
    KT_EXPECT(vm_translate(vm, UDATA, VM_WRITE) != 0);
    vm_destroy(vm);
}

/* Every frame an address space took (tables, owned pages) comes back; frames it was only
 * lent (vm_map) stay the lender's. */
KTEST(vm_destroy_returns_every_frame)
{
    struct frame_stats before, during, after;
    frame_stats(&before);
    struct vm *vm = vm_create();
    KT_EXPECT(vm != NULL);
    /* 600 pages: across two level-0 tables; and one far away, in another. */
    KT_EXPECT(vm_alloc_map(vm, USER_BASE, 600 * PAGE_SIZE, VM_READ | VM_WRITE) == 0);
    KT_EXPECT(vm_alloc_map(vm, USER_TOP - PAGE_SIZE, PAGE_SIZE, VM_READ | VM_WRITE) == 0);
    void *lent = frame_alloc();
    KT_EXPECT(vm_map(vm, USER_BASE + 0x10000000, (uint64_t)lent, PAGE_SIZE, VM_READ) == 0);
    frame_stats(&during);
    KT_EXPECTF(during.used == before.used + vm->table_pages + 601 + 1, "used %lu, tables %lu",
               (unsigned long)(during.used - before.used), (unsigned long)vm->table_pages);
    KT_EXPECT(vm_unmap(vm, USER_BASE, 100 * PAGE_SIZE) == 0);
    KT_EXPECT(vm_translate(vm, USER_BASE, 0) == 0 && vm->owned_pages == 501);
    vm_destroy(vm);
    frame_free(lent);
    frame_stats(&after);
    KT_EXPECT(after.used == before.used);
}

/* vm_switch loads the table: the kernel still runs on it (its entries are shared). */
KTEST(vm_switch_keeps_the_kernel)
{
    struct vm *vm = test_vm();
    KT_EXPECT(vm != NULL);
    vm_switch(vm);
    KT_EXPECT(vm->active == 1UL << hart_index());
    some_data++;                        /* kernel data, through the user table */
    vm_switch(NULL);
    KT_EXPECT(vm->active == 0 && some_data == 2);
    vm_destroy(vm);
}

/* Writing text (vm_load into an executable page) marks the instruction cache stale for that
 * address space on every hart; each hart clears its own bit (and runs fence.i) as it first
 * switches to it. QEMU's caches are coherent, so only this bookkeeping can be seen. */
static struct vm *icache_vm;

static void *switch_there_and_back(void *arg)
{
    (void)arg;
    uint64_t s = intr_save();
    vm_switch(icache_vm);
    vm_switch(NULL);
    intr_restore(s);
    return NULL;
}

KTEST(vm_icache_stale_until_each_hart_switches)
{
    struct vm *vm = vm_create();
    KT_EXPECT(vm != NULL);
    KT_EXPECT(vm_alloc_map(vm, USER_BASE, PAGE_SIZE, VM_READ | VM_EXEC) == 0);
    KT_EXPECT(vm_alloc_map(vm, UDATA, PAGE_SIZE, VM_READ | VM_WRITE) == 0);
    KT_EXPECT(vm_load(vm, UDATA, "data", 4) == 0 && vm->icache_stale == 0);  /* data: no */
    uint32_t nop = 0x00000013;          /* addi zero, zero, 0 */
    KT_EXPECT(vm_load(vm, USER_BASE, &nop, sizeof(nop)) == 0);
    uint64_t all = (1UL << smp_harts()) - 1;
    KT_EXPECTF((vm->icache_stale & all) == all, "stale %#lx", (unsigned long)vm->icache_stale);
    icache_vm = vm;
    for (int i = 0; i < smp_harts(); i++) {
        struct task *t = task_spawn_on(i, "icache", switch_there_and_back, NULL);
        KT_EXPECT(t != NULL && task_join(t, NULL) == 0);
        task_drop(t);
        uint64_t want = all & ~((2UL << i) - 1);        /* harts 0..i have fenced */
        KT_EXPECTF((vm->icache_stale & all) == want, "after hart %d: stale %#lx, want %#lx", i,
                   (unsigned long)(vm->icache_stale & all), (unsigned long)want);
    }
    vm_destroy(vm);
}

/* The SBI RFENCE call works, and a guarded page is gone from the kernel map until unguarded.
 * The fence goes to this hart only: under -icount, where these tests run, OpenSBI's wait for
 * other harts spins on the host thread they share (vm-shootdown, without -icount, does those). */
KTEST(vm_remote_sfence_and_guard)
{
    struct sbiret r = sbi_remote_sfence_vma(1, hart_id(), 0, 0);
    KT_EXPECTF(r.error == 0, "%s", sbi_strerror(r.error));
    char *page = frame_alloc();
    vm_kernel_guard(page);
    KT_EXPECT(vm_translate(NULL, (uint64_t)page, 0) == 0);
    vm_kernel_unguard(page);
    page[0] = 1;
    KT_EXPECT(vm_translate(NULL, (uint64_t)page, VM_WRITE) == (uint64_t)page);
    frame_free(page);
}

/* A guard page mapped again is flushed from every other hart's TLB before vm_kernel_unguard
 * returns, so before its frame can be reused: a hart that kept "not mapped" (the spec lets a
 * TLB cache invalid entries; QEMU's does not, so only the flushes can be seen here) would fault
 * on it, perhaps inside a trap handler. */
KTEST(vm_unguard_flushes_every_hart)
{
    uint64_t before[MAX_HARTS];
    char *page = frame_alloc();
    int missed = -1, round = 0;
    for (; round < 100 && missed < 0; round++) {    /* a window a few instructions wide */
        vm_kernel_guard(page);
        uint64_t s = intr_save();       /* this hart's own count is not the point */
        int me = this_hart()->index;
        for (int i = 0; i < smp_harts(); i++)
            before[i] = __atomic_load_n(&harts[i].kernel_flushes, __ATOMIC_RELAXED);
        vm_kernel_unguard(page);
        for (int i = 0; i < smp_harts(); i++)
            if (i != me && __atomic_load_n(&harts[i].kernel_flushes, __ATOMIC_RELAXED) == before[i])
                missed = i;
        intr_restore(s);
    }
    frame_free(page);
    KT_EXPECTF(missed < 0, "hart %d had not flushed when vm_kernel_unguard returned (round %d)",
               missed, round);
}

/* Runs off the bottom of its stack: the guard page catches it (tests/vm.sh reads the panic). */
static __attribute__((noinline)) uint64_t recurse(volatile uint64_t *depth)
{
    volatile uint64_t pad[16];
    pad[0] = ++*depth;
    if (*depth == 0)                    /* never: keeps -Winfinite-recursion quiet */
        return 0;
    return recurse(depth) + pad[0];
}

static void *deep(void *arg)
{
    volatile uint64_t depth = 0;
    (void)arg;
    return (void *)recurse(&depth);
}

KTEST_PANICS(vm_stack_overflow_panics)
{
    task_join(task_spawn("deep", deep, NULL), NULL);
}

/* TLB shootdown, -smp 2 or more: a task on another hart reads a page over and over (so its TLB
 * holds it); we unmap the page; its next read must fault. Without the remote sfence.vma that
 * hart would go on reading through its stale entry, and the test would time out instead. */
static volatile uint64_t *shot_page;
static volatile int shot_hart = -1;
static volatile uint64_t shot_reads;

static void *shot_reader(void *arg)
{
    (void)arg;
    shot_hart = hart_index();
    while (shot_reads != UINT64_MAX) {     /* until the fault */
        (void)*shot_page;
        shot_reads++;
    }
    return NULL;
}

KTEST_PANICS(vm_shootdown_panics)
{
    shot_page = frame_alloc();
    /* On another hart by name: placement may keep a task on a busy spawner's hart whose idle
     * bit is stale (task/sched.c), and then there would be no remote TLB to shoot down. */
    task_spawn_on((hart_index() + 1) % smp_harts(), "reader", shot_reader, NULL);
    while (shot_reads < 1000)
        task_sleep_ms(1);
    if (shot_hart == hart_index())
        panic("vm_shootdown: the reader shares this hart; the test needs -smp 2 or more");
    vm_kernel_guard((void *)shot_page);         /* unmapped, flushed here only */
    vm_flush((1UL << smp_harts()) - 1, (uint64_t)shot_page, PAGE_SIZE);    /* and everywhere */
    task_sleep_ms(2000);
    panic("vm_shootdown: hart %d still reads %p after it was unmapped", shot_hart,
          (void *)shot_page);
}
