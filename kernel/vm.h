/* vm.h: Sv39 virtual memory. kmain builds one kernel page table (an identity map of RAM and the
 * devices, W^X) and every hart runs on it; user address spaces (struct vm) share its top-level
 * entries and add user pages in the user range, so a trap needs no satp switch.
 * Source: RISC-V Privileged spec, "Sv39: Page-Based 39-bit Virtual-Memory System".
 */
#ifndef HARTOS_VM_H
#define HARTOS_VM_H

#include "heap/frame.h"
#include "kernel/spinlock.h"
#include "user/syscall.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Page-table entry bits (Privileged spec, "Sv39 page table entry"). */
#define PTE_V (1UL << 0)        /* valid */
#define PTE_R (1UL << 1)        /* readable; R = W = X = 0 means "points to the next level" */
#define PTE_W (1UL << 2)        /* writable (W without R is reserved) */
#define PTE_X (1UL << 3)        /* executable */
#define PTE_U (1UL << 4)        /* user: U-mode may use it, S-mode may not run it */
#define PTE_G (1UL << 5)        /* global: in every address space */
#define PTE_A (1UL << 6)        /* accessed: we set it, so the hardware never has to */
#define PTE_D (1UL << 7)        /* dirty: likewise */
#define PTE_OWNED (1UL << 8)    /* RSW bit 8 (ours): vm_unmap/vm_destroy free this frame */
#define PTE_PPN_SHIFT 10        /* the physical page number sits in bits 53:10 */

/* Permissions for vm_map and vm_translate: the PTE bits themselves. */
#define VM_READ  PTE_R
#define VM_WRITE PTE_W
#define VM_EXEC  PTE_X
#define VM_USER  PTE_U

/* satp (Privileged spec, "Supervisor Address Translation and Protection Register"):
 * MODE in bits 63:60 (8 = Sv39), ASID in 59:44 (we use 0), root table's PPN in 43:0. */
#define SATP_SV39 (8UL << 60)

/* The user range, USER_BASE..USER_TOP, is in user/syscall.h: root entry 1 of the table. */

typedef uint64_t pte_t;

/* A user address space. */
struct vm {
    pte_t *root;                /* one page: copies of the kernel's entries + user entries */
    struct spinlock lock;       /* guards the tables against concurrent map/unmap */
    uint64_t active;            /* bit i: harts[i] has this table in satp (for TLB shootdown);
                                 * atomic, each hart changes only its own bit (vm_switch) */
    uint64_t icache_stale;      /* bit i: harts[i] must fence.i before it runs this space's
                                 * code (vm_load wrote text); atomic, set for every hart by
                                 * vm_load, each bit cleared by its own hart in vm_switch */
    size_t table_pages;         /* page-table pages, root included */
    size_t owned_pages;         /* user frames it will free */
};

struct fdt_info;

/* Boot hart, after frame_init: build the kernel table and turn paging on. */
void vm_init(const struct fdt_info *machine, const void *dtb);
/* Every other hart, first thing: load the kernel table into satp. */
void vm_init_hart(void);

/* Kernel stack guard pages (task/task.c): unmap / map back one page of the kernel's RAM map.
 * Unmapping flushes only this hart's TLB; mapping back flushes every hart's (see vm.c). */
void vm_kernel_guard(void *page);
/* How many guard pages have been made since boot: a hart that has not yet seen the latest
 * count flushes its TLB at its next switch (task/sched.c). */
extern uint64_t vm_guards_made;
static inline uint64_t vm_kernel_guards(void)
{
    return __atomic_load_n(&vm_guards_made, __ATOMIC_RELAXED);
}
void vm_kernel_unguard(void *page);
/* The IPI handler's part (kernel/smp.c): flush this hart's TLB if an unguard asked it to. */
void vm_kernel_flush_ack(void);

/* The leaf PTE for va in table root (NULL: the kernel's), or NULL if none. For tests and gdb. */
pte_t *vm_walk(pte_t *root, uint64_t va);
pte_t *vm_kernel_root(void);
size_t vm_kernel_table_pages(void);

struct vm *vm_create(void);
/* Map [va, va + len) to [pa, pa + len) with perm (VM_READ | VM_WRITE | VM_EXEC; VM_USER is
 * added). All page-aligned, inside the user range, not yet mapped, not W+X. The frames stay
 * the caller's. 0, or -EINVAL, -EEXIST, -ENOMEM (nothing mapped then). */
int vm_map(struct vm *vm, uint64_t va, uint64_t pa, size_t len, int perm);
/* The same with fresh zeroed frames, which the address space owns from then on. */
int vm_alloc_map(struct vm *vm, uint64_t va, size_t len, int perm);
/* Unmap whatever is mapped in [va, va + len), flush every hart using vm, free owned frames. */
int vm_unmap(struct vm *vm, uint64_t va, size_t len);
/* Free every owned frame and table page. vm must not be active on another hart. */
void vm_destroy(struct vm *vm);
/* Load vm (NULL: the kernel's table) into this hart's satp. */
void vm_switch(struct vm *vm);

/* The physical address va maps to in vm (NULL: the kernel's), if its PTE has every bit in
 * need_perm; 0 otherwise. */
uint64_t vm_translate(struct vm *vm, uint64_t va, int need_perm);

/* Copies between kernel memory and the user range of vm, checked page by page (range, mapping,
 * U bit, permission): 0, or -EFAULT with nothing copied. Never faults. */
int copy_from_user(struct vm *vm, void *dst, uint64_t usrc, size_t len);
/* The same checks without copying: 0 if all of [uva, uva + len) allows perm, else -EFAULT. */
int vm_user_ok(struct vm *vm, uint64_t uva, size_t len, int perm);
/* The loader's copy_to_user: into mapped user pages whatever their permissions (text is
 * written once, before the program runs). Writing into an executable page marks the
 * instruction cache stale on every hart (icache_stale), so vm must not be active yet. */
int vm_load(struct vm *vm, uint64_t udst, const void *src, size_t len);
int copy_to_user(struct vm *vm, uint64_t udst, const void *src, size_t len);
/* A NUL-terminated string into dst[maxlen]: its length, -EFAULT, or -ENAMETOOLONG if no NUL
 * within maxlen - 1 bytes. dst is always terminated when maxlen > 0. */
long copy_string_from_user(struct vm *vm, char *dst, uint64_t usrc, size_t maxlen);

/* Shared by kernel/vm.c and kernel/vm_user.c. */
#define VM_INDEX(va, level) (((va) >> (PAGE_SHIFT + 9 * (level))) & 511)  /* 9 bits a level */
#define PTE_ADDR(pte) (((pte) >> PTE_PPN_SHIFT) << PAGE_SHIFT)   /* the frame a PTE names */
#define PTE_FROM_ADDR(pa) (((pa) >> PAGE_SHIFT) << PTE_PPN_SHIFT)
uint64_t vm_satp(const pte_t *root);
pte_t *vm_table_alloc(size_t *tables);
pte_t *vm_walk_alloc(pte_t *root, uint64_t va, bool alloc, size_t *tables);
void vm_flush(uint64_t hart_bits, uint64_t va, size_t len);

/* Local TLB flushes (sfence.vma: orders earlier page-table stores before later translations). */
static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void sfence_vma_page(uint64_t va)
{
    __asm__ volatile("sfence.vma %0, zero" : : "r"(va) : "memory");
}
/* Make this hart's instruction fetches see every store it has seen (Zifencei; the Privileged
 * and Unprivileged specs: instruction caches need not be coherent with stores). */
static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

#endif
