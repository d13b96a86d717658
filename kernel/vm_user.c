/* vm_user.c: user address spaces and the only way the kernel touches user memory. The loader
 * (ch7) builds a struct vm per program; syscalls copy arguments in and results out through
 * copy_from_user / copy_to_user, which check every page first and return -EFAULT, never fault.
 *
 * The copies never dereference a user address. They translate it in software (vm_translate)
 * and copy through the kernel's identity map of the frame it names. So sstatus.SUM (which
 * would let S-mode use U pages directly) stays off: a kernel bug that follows a user pointer
 * faults at once, instead of quietly reading whatever the program mapped there.
 */
#include "kernel/vm.h"
#include "heap/frame.h"
#include "heap/kheap.h"
#include "user/syscall.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/riscv.h"
#include "kernel/string.h"

/* Each user leaf: present, user, and accessed/dirty set up front (no A/D updates needed). */
#define PTE_USER_LEAF (PTE_V | PTE_U | PTE_A | PTE_D)

/* [va, va + len) inside the user range, without wrapping around. */
static bool in_user_range(uint64_t va, size_t len)
{
    return va >= USER_BASE && va <= USER_TOP && len <= USER_TOP - va;
}

struct vm *vm_create(void)
{
    struct vm *vm = kzalloc(sizeof(*vm));
    if (vm == NULL)
        return NULL;
    vm->root = vm_table_alloc(&vm->table_pages);
    if (vm->root == NULL) {
        kfree(vm);
        return NULL;
    }
    /* The kernel's root entries point at the kernel's own level-1 tables: the kernel map is
     * shared, not copied, and stays right because the kernel adds no root entry after boot.
     * So a trap from U-mode runs the kernel on the program's satp, with no switch. */
    memcpy(vm->root, vm_kernel_root(), PAGE_SIZE);
    spin_init(&vm->lock, "vm", LOCK_VM);
    return vm;
}

/* Unmap [va, va + len) with vm->lock held: clear V, flush every hart using vm, and only then
 * free the frames (a hart with a stale TLB entry could still write to them until the flush). */
static void unmap_locked(struct vm *vm, uint64_t va, size_t len)
{
    bool any = false;
    for (uint64_t a = va; a < va + len; a += PAGE_SIZE) {
        pte_t *e = vm_walk_alloc(vm->root, a, false, NULL);
        if (e && (*e & PTE_V)) {
            __atomic_store_n(e, *e & ~PTE_V, __ATOMIC_RELAXED);    /* keep the PPN for now */
            any = true;
        }
    }
    if (!any)
        return;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* PTE stores before reading who is active */
    uint64_t active = __atomic_load_n(&vm->active, __ATOMIC_ACQUIRE);
    if (active)
        vm_flush(active, va, len);
    for (uint64_t a = va; a < va + len; a += PAGE_SIZE) {
        pte_t *e = vm_walk_alloc(vm->root, a, false, NULL);
        if (e == NULL || *e == 0)
            continue;
        if (*e & PTE_OWNED) {
            frame_free((void *)PTE_ADDR(*e));
            vm->owned_pages--;
        }
        *e = 0;
    }
}

static int check_map(uint64_t va, size_t len, int perm)
{
    if (va % PAGE_SIZE || len % PAGE_SIZE || len == 0 || !in_user_range(va, len))
        return -EINVAL;
    if (perm & ~(VM_READ | VM_WRITE | VM_EXEC | VM_USER) || (perm & (PTE_R | PTE_X)) == 0)
        return -EINVAL;
    if ((perm & PTE_W) && ((perm & PTE_R) == 0 || (perm & PTE_X)))
        return -EINVAL;     /* W without R is reserved; W with X breaks W^X */
    return 0;
}

/* How many pages one hold of vm->lock covers at most. A caller sizes a mapping (brk, up to
 * USER_HEAP_MAX), and a spinlock keeps interrupts off on its hart: so the work under it is
 * done in batches this small, and a fresh frame is zeroed before the lock is taken
 * (chapter 9: never hold a spinlock for work whose size a user chooses). */
#define VM_BATCH_PAGES 16

/* Unmap [va, va + len) a batch at a time. */
static void unmap_batches(struct vm *vm, uint64_t va, size_t len)
{
    for (uint64_t off = 0; off < len; off += VM_BATCH_PAGES * PAGE_SIZE) {
        size_t n = len - off < VM_BATCH_PAGES * PAGE_SIZE ? len - off : VM_BATCH_PAGES * PAGE_SIZE;
        spin_lock(&vm->lock);
        unmap_locked(vm, va + off, n);
        spin_unlock(&vm->lock);
    }
}

/* Map one batch, [va, va + len) with len <= VM_BATCH_PAGES pages: 0, or an error with nothing
 * of the batch left mapped. */
static int map_batch(struct vm *vm, uint64_t va, uint64_t pa, size_t len, int perm, bool alloc)
{
    void *frames[VM_BATCH_PAGES] = {0};
    size_t pages = len / PAGE_SIZE;
    int err = 0;
    for (size_t i = 0; alloc && i < pages && err == 0; i++) {
        frames[i] = frame_alloc();
        if (frames[i])
            memset(frames[i], 0, PAGE_SIZE);
        else
            err = -ENOMEM;
    }
    spin_lock(&vm->lock);
    size_t mapped = 0;
    for (; mapped < pages && err == 0; mapped++) {
        uint64_t a = va + mapped * PAGE_SIZE;
        pte_t *e = vm_walk_alloc(vm->root, a, true, &vm->table_pages);
        err = e == NULL ? -ENOMEM : (*e & PTE_V) ? -EEXIST : 0;
        if (err)
            break;
        if (alloc) {
            *e = PTE_FROM_ADDR((uint64_t)frames[mapped]) | (pte_t)perm | PTE_OWNED |
                 PTE_USER_LEAF;
            frames[mapped] = NULL;      /* the table owns it now */
            vm->owned_pages++;
        } else {
            *e = PTE_FROM_ADDR(pa + mapped * PAGE_SIZE) | (pte_t)perm | PTE_USER_LEAF;
        }
    }
    if (err)
        unmap_locked(vm, va, mapped * PAGE_SIZE);       /* what this batch mapped */
    spin_unlock(&vm->lock);
    for (size_t i = 0; i < pages; i++)
        if (frames[i])
            frame_free(frames[i]);
    return err;
}

/* vm_map (alloc false: frames from pa on) and vm_alloc_map (alloc true: fresh zeroed frames,
 * owned). All or nothing: on failure, what this call mapped is unmapped again. */
static int map_pages(struct vm *vm, uint64_t va, uint64_t pa, size_t len, int perm, bool alloc)
{
    int err = check_map(va, len, perm);
    if (err || (!alloc && pa % PAGE_SIZE))
        return err ? err : -EINVAL;
    size_t off = 0;
    for (; off < len && err == 0; off += VM_BATCH_PAGES * PAGE_SIZE) {
        size_t n = len - off < VM_BATCH_PAGES * PAGE_SIZE ? len - off : VM_BATCH_PAGES * PAGE_SIZE;
        err = map_batch(vm, va + off, pa + off, n, perm, alloc);
    }
    if (err) {
        unmap_batches(vm, va, off - VM_BATCH_PAGES * PAGE_SIZE);   /* the batches before */
        return err;
    }
    /* New entries need a fence too where vm is live: a hart may have cached "not mapped". */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t active = __atomic_load_n(&vm->active, __ATOMIC_ACQUIRE);
    if (active)
        vm_flush(active, va, len);
    return 0;
}

int vm_map(struct vm *vm, uint64_t va, uint64_t pa, size_t len, int perm)
{
    return map_pages(vm, va, pa, len, perm, false);
}

int vm_alloc_map(struct vm *vm, uint64_t va, size_t len, int perm)
{
    return map_pages(vm, va, 0, len, perm, true);
}

int vm_unmap(struct vm *vm, uint64_t va, size_t len)
{
    if (va % PAGE_SIZE || len % PAGE_SIZE || !in_user_range(va, len))
        return -EINVAL;
    unmap_batches(vm, va, len);
    return 0;
}

/* Free the user part of the tree under root entry r: leaves' owned frames, then the tables. */
static void free_subtree(struct vm *vm, pte_t *level1)
{
    for (int i = 0; i < 512; i++) {
        if ((level1[i] & PTE_V) == 0)
            continue;
        pte_t *level0 = (pte_t *)PTE_ADDR(level1[i]);
        for (int j = 0; j < 512; j++)
            if ((level0[j] & PTE_V) && (level0[j] & PTE_OWNED)) {
                frame_free((void *)PTE_ADDR(level0[j]));
                vm->owned_pages--;
            }
        frame_free(level0);
        vm->table_pages--;
    }
    frame_free(level1);
    vm->table_pages--;
}

void vm_destroy(struct vm *vm)
{
    if (vm == NULL)
        return;
    uint64_t sie = intr_save();     /* "is it in this hart's satp?" holds while we stay */
    if (this_hart()->vm == vm)
        vm_switch(NULL);
    intr_restore(sie);
    if (vm->active)
        panic("vm_destroy: address space still active on harts %#lx",
              (unsigned long)vm->active);
    pte_t *kroot = vm_kernel_root();
    for (int r = 0; r < 512; r++)       /* only the entries that are not the kernel's */
        if ((vm->root[r] & PTE_V) && vm->root[r] != kroot[r])
            free_subtree(vm, (pte_t *)PTE_ADDR(vm->root[r]));
    frame_free(vm->root);
    vm->table_pages--;
    assert(vm->table_pages == 0 && vm->owned_pages == 0);
    kfree(vm);
}

void vm_switch(struct vm *vm)
{
    uint64_t s = intr_save();           /* stay on this hart from here to the end */
    struct hart *h = this_hart();
    uint64_t bit = 1UL << h->index;
    if (h->vm != vm) {
        if (h->vm)
            __atomic_fetch_and(&h->vm->active, ~bit, __ATOMIC_SEQ_CST);
        if (vm)     /* set before satp: an unmap from now on flushes this hart too */
            __atomic_fetch_or(&vm->active, bit, __ATOMIC_SEQ_CST);
        csr_write(satp, vm_satp(vm ? vm->root : vm_kernel_root()));
        sfence_vma_all();               /* every space uses ASID 0: drop the old user entries */
        h->vm = vm;
        /* Text written since this hart last ran it (vm_load)? One load and a branch if not;
         * if so, the acquire fence pairs with vm_load's SEQ_CST update, so its stores are
         * seen here before the fence.i. */
        if (vm && __builtin_expect(__atomic_load_n(&vm->icache_stale, __ATOMIC_RELAXED) & bit, 0)) {
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            __atomic_fetch_and(&vm->icache_stale, ~bit, __ATOMIC_RELAXED);
            fence_i();
        }
    }
    intr_restore(s);
}

uint64_t vm_translate(struct vm *vm, uint64_t va, int need_perm)
{
    if (va >> 38)                       /* we map only the lower half of Sv39's 2^39 */
        return 0;
    pte_t *e = vm_walk_alloc(vm ? vm->root : vm_kernel_root(), va, false, NULL);
    if (e == NULL || (*e & PTE_V) == 0 || (*e & (pte_t)need_perm) != (pte_t)need_perm)
        return 0;
    return PTE_ADDR(*e) | (va % PAGE_SIZE);
}

int vm_user_ok(struct vm *vm, uint64_t uva, size_t len, int perm)
{
    if (!in_user_range(uva, len))
        return -EFAULT;
    for (uint64_t u = uva & ~(uint64_t)(PAGE_SIZE - 1); u < uva + len; u += PAGE_SIZE)
        if (vm_translate(vm, u, VM_USER | perm) == 0)
            return -EFAULT;
    return 0;
}

/* Copy len bytes between kbuf and user address uva through the kernel's map of each frame, a
 * page at a time. The caller has checked the range (vm_user_ok), so every page translates. */
static void copy_pages(struct vm *vm, uint64_t uva, char *kbuf, size_t len, bool to_user)
{
    while (len > 0) {
        char *pa = (char *)vm_translate(vm, uva, VM_USER);
        size_t n = PAGE_SIZE - uva % PAGE_SIZE;
        n = n < len ? n : len;
        if (to_user)
            memcpy(pa, kbuf, n);
        else
            memcpy(kbuf, pa, n);
        kbuf += n, uva += n, len -= n;
    }
}

/* Each checks every page before a byte moves, so a bad range leaves both sides untouched. */
int copy_from_user(struct vm *vm, void *dst, uint64_t usrc, size_t len)
{
    if (vm_user_ok(vm, usrc, len, VM_READ) != 0)
        return -EFAULT;
    copy_pages(vm, usrc, dst, len, false);
    return 0;
}

int copy_to_user(struct vm *vm, uint64_t udst, const void *src, size_t len)
{
    if (vm_user_ok(vm, udst, len, VM_WRITE) != 0)
        return -EFAULT;
    copy_pages(vm, udst, (char *)src, len, true);
    return 0;
}

static bool any_executable(struct vm *vm, uint64_t uva, size_t len)
{
    for (uint64_t u = uva & ~(uint64_t)(PAGE_SIZE - 1); u < uva + len; u += PAGE_SIZE)
        if (vm_translate(vm, u, VM_USER | VM_EXEC) != 0)
            return true;
    return false;
}

/* Stores are not instruction fetches: a hart whose instruction cache is not coherent with its
 * data side may run what a recycled frame held before, unless it executes fence.i between our
 * stores and its first fetch. The program may run on any hart (tasks migrate), and a fence.i
 * here would serve only this one, so, as Linux's flush_icache_mm does, we mark every hart
 * stale and each one fences when it next switches to this address space (vm_switch). The
 * SEQ_CST read-modify-write is the data fence the spec asks of the writing hart ("FENCE.I
 * does not ensure that other harts' instruction fetches will observe the local hart's
 * stores"): the stores before it are visible to a hart that sees its bit. */
int vm_load(struct vm *vm, uint64_t udst, const void *src, size_t len)
{
    if (vm_user_ok(vm, udst, len, 0) != 0)
        return -EFAULT;
    copy_pages(vm, udst, (char *)src, len, true);
    if (any_executable(vm, udst, len)) {
        if (__atomic_load_n(&vm->active, __ATOMIC_ACQUIRE) != 0)
            panic("vm_load: text written into an address space in use on harts %#lx",
                  (unsigned long)vm->active);
        __atomic_fetch_or(&vm->icache_stale, ~0UL, __ATOMIC_SEQ_CST);
    }
    return 0;
}

long copy_string_from_user(struct vm *vm, char *dst, uint64_t usrc, size_t maxlen)
{
    size_t i = 0;
    while (i < maxlen) {
        uint64_t pa = in_user_range(usrc, 1) ? vm_translate(vm, usrc, VM_USER | VM_READ) : 0;
        if (pa == 0) {
            dst[i] = '\0';
            return -EFAULT;
        }
        const char *s = (const char *)pa;
        size_t n = PAGE_SIZE - usrc % PAGE_SIZE;
        n = n < maxlen - i ? n : maxlen - i;
        for (size_t k = 0; k < n; k++, i++)
            if ((dst[i] = s[k]) == '\0')
                return (long)i;
        usrc += n;
    }
    if (maxlen > 0)
        dst[maxlen - 1] = '\0';
    return -ENAMETOOLONG;
}
