/* hart.c: the per-hart areas (kernel/hart.h). The boot hart takes harts[0] in kmain. */
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/riscv.h"
#include "heap/frame.h"
#include "task/task.h"

#include <stddef.h>

struct hart harts[MAX_HARTS];

/* trap.S reads these fields by offset. */
_Static_assert(offsetof(struct hart, kernel_sp) == HART_KERNEL_SP, "trap.S offset");
_Static_assert(offsetof(struct hart, user_sp) == HART_USER_SP, "trap.S offset");
_Static_assert(offsetof(struct hart, stack_hi) == HART_STACK_HI, "entry.S offset");
_Static_assert(offsetof(struct hart, stack_floor) == HART_STACK_FLOOR, "trap.S offset");
_Static_assert(offsetof(struct hart, overflow_sp) == HART_OVERFLOW_SP, "trap.S offset");
_Static_assert(offsetof(struct hart, current) == HART_CURRENT, "task_current's offset");
_Static_assert(offsetof(struct hart, held) == HART_HELD, "hart_held's offset");
_Static_assert(offsetof(struct hart, index) == HART_INDEX, "spinlock.h's offset");
_Static_assert(offsetof(struct hart, need_resched) == HART_NEED_RESCHED, "trap.S's offset");
_Static_assert(offsetof(struct hart, trace) == HART_TRACE, "trap.S's and trace.h's offset");
_Static_assert(offsetof(struct hart, nest) == HART_NEST && sizeof(struct nest) == 8,
               "switch.S carries the nesting as one word at HART_NEST");

void hart_init(int index, uint64_t hartid, uint64_t stack_lo, uint64_t stack_hi)
{
    struct hart *h = &harts[index];
    h->id = hartid;
    h->index = index;
    h->stack_lo = stack_lo;
    h->stack_hi = stack_hi;
    h->stack_floor = stack_lo;
    __asm__ volatile("mv tp, %0" : : "r"(h));
    csr_write(sscratch, 0);         /* "in the kernel", for trap.S */
}

void hart_stack_bounds(uint64_t *lo, uint64_t *hi)
{
    struct task *t = this_hart()->current;
    if (t && t->stack) {        /* a task: its own stack */
        *lo = (uint64_t)t->stack;
        *hi = *lo + TASK_STACK_PAGES * PAGE_SIZE;   /* (the guard page below is not stack) */
    } else {                    /* boot, or the idle task: the boot stack */
        *lo = this_hart()->stack_lo;
        *hi = this_hart()->stack_hi;
    }
}

/* this_hart() with interrupts on, in the race-widening build (kernel/hart.h): fine for a task
 * pinned to this hart, a bug for any other. */
void hart_local_check(void)
{
    struct task *t = task_current();
    if (t->pinned || t == harts[hart_index()].idle)
        return;
    intr_off();
    panic("this_hart() with interrupts on in task '%s', called from %p: the task may move to "
          "another hart between reading tp and using it", t->name, __builtin_return_address(0));
}
