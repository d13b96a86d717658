/* bounded_test.c: work whose size a caller chooses is done in bounded pieces (chapter 9): a hart
 * doing it still takes its timer interrupts, so it can be preempted, and a kill reaches it. */
#include "heap/frame.h"
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/riscv.h"
#include "kernel/timer.h"
#include "kernel/vm.h"
#include "user/syscall.h"

/* Map and unmap 64 MiB of zeroed pages (what one brk may ask for) and count the timer
 * interrupts this hart took meanwhile: about one per tick that passed. Holding a spinlock for
 * the whole of it, as vm_alloc_map once did, takes none until the end. (main is pinned to its
 * hart, so this_hart() stays right with interrupts on.) Timed: on real parallel harts a busy
 * host may stall the hart for ticks at a time, and QEMU then delivers one interrupt for them. */
KTEST_TIMED(vm_big_mapping_takes_interrupts)
{
    struct vm *vm = vm_create();
    KT_EXPECT(vm != NULL);
    size_t len = 64UL << 20;
    struct frame_stats f;
    frame_stats(&f);
    if (f.free * PAGE_SIZE < len + (8UL << 20))
        len = 8UL << 20;            /* a small machine: a smaller mapping still shows it */
    struct hart *h = this_hart();
    uint64_t irq0 = h->timer_interrupts, t0 = rdtime();
    KT_EXPECT(vm_alloc_map(vm, USER_BASE, len, VM_READ | VM_WRITE) == 0);
    KT_EXPECT(vm_unmap(vm, USER_BASE, len) == 0);
    uint64_t ticks = (rdtime() - t0) * timer_hz() / timer_timebase();
    uint64_t irqs = h->timer_interrupts - irq0;
    vm_destroy(vm);
    KT_EXPECTF(ticks < 3 || irqs + 2 >= ticks, "%lu timer interrupts while %lu ticks passed",
               (unsigned long)irqs, (unsigned long)ticks);
}
