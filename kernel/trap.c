/* trap.c: what the kernel does with a trap once trap.S has saved the registers. Interrupts go
 * to their driver (the timer, IPIs, the PLIC for devices); a breakpoint is reported and
 * skipped; any other exception in the kernel is a kernel bug and panics, naming the cause and
 * where it happened; a fault in a task's stack guard page is named as the stack overflow it is.
 */
#include "kernel/trap.h"
#include "kernel/console.h"
#include "kernel/format.h"
#include "kernel/hart.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "kernel/proc.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/param.h"
#include "kernel/plic.h"
#include "kernel/smp.h"
#include "kernel/trace.h"
#include "kernel/uart.h"
#include "kernel/vm.h"
#include "heap/frame.h"
#include "task/sched.h"
#include "task/task.h"

#include <stddef.h>

extern char trap_vector[];

/* trap.S uses these offsets; the struct must agree. */
_Static_assert(offsetof(struct trap_frame, sp) == TF_SP, "trap frame layout");
_Static_assert(offsetof(struct trap_frame, t0) == TF_T0, "trap frame layout");
_Static_assert(offsetof(struct trap_frame, s0) == TF_S0, "trap frame layout");
_Static_assert(offsetof(struct trap_frame, a0) == TF_A0, "trap frame layout");
_Static_assert(offsetof(struct trap_frame, sepc) == TF_SEPC, "trap frame layout");
_Static_assert(offsetof(struct trap_frame, stval) == TF_STVAL, "trap frame layout");
_Static_assert(sizeof(struct trap_frame) <= TF_SIZE && TF_SIZE % 16 == 0, "trap frame size");
_Static_assert(IRQ_S_TIMER == 5, "trap.S dispatches the timer interrupt by its code, 5");

/* Names from the Privileged spec's scause table. */
static const char *const exception_names[] = {
    [EXC_INSTRUCTION_MISALIGNED] = "instruction address misaligned",
    [EXC_INSTRUCTION_ACCESS] = "instruction access fault",
    [EXC_ILLEGAL_INSTRUCTION] = "illegal instruction",
    [EXC_BREAKPOINT] = "breakpoint",
    [EXC_LOAD_MISALIGNED] = "load address misaligned",
    [EXC_LOAD_ACCESS] = "load access fault",
    [EXC_STORE_MISALIGNED] = "store/AMO address misaligned",
    [EXC_STORE_ACCESS] = "store/AMO access fault",
    [EXC_ECALL_U] = "environment call from U-mode",
    [EXC_ECALL_S] = "environment call from S-mode",
    [EXC_INSTRUCTION_PAGE_FAULT] = "instruction page fault",
    [EXC_LOAD_PAGE_FAULT] = "load page fault",
    [EXC_STORE_PAGE_FAULT] = "store/AMO page fault",
};

static const char *const interrupt_names[] = {
    [IRQ_S_SOFTWARE] = "supervisor software interrupt",
    [IRQ_S_TIMER] = "supervisor timer interrupt",
    [IRQ_S_EXTERNAL] = "supervisor external interrupt",
};

const char *trap_cause_name(uint64_t scause)
{
    uint64_t code = scause & ~SCAUSE_INTERRUPT;
    const char *name = NULL;
    if (scause & SCAUSE_INTERRUPT) {
        if (code < sizeof(interrupt_names) / sizeof(interrupt_names[0]))
            name = interrupt_names[code];
    } else if (code < sizeof(exception_names) / sizeof(exception_names[0])) {
        name = exception_names[code];
    }
    return name ? name : "unknown cause";
}

/* Where trap.S builds the frame of a trap that found no room on its stack (an overflow): one
 * per hart, enough for the panic that reports it. */
#define TRAP_OVERFLOW_STACK 8192
static uint8_t overflow_stacks[MAX_HARTS][TRAP_OVERFLOW_STACK] __attribute__((aligned(16)));

void trap_init_hart(void)
{
    struct hart *h = this_hart();
    h->overflow_sp = (uint64_t)overflow_stacks[h->index] + TRAP_OVERFLOW_STACK;
    csr_write(stvec, (uint64_t)trap_vector);
    csr_set(sie, SIE_SSIE);             /* IPIs from other harts (kernel/smp.c) */
}

/* "kmain+0x24": where a trap happened, for messages. */
static void describe_pc(char *buf, size_t n, uint64_t pc)
{
    uint64_t off;
    const char *name = ksym_lookup(pc, &off);
    if (name)
        ksnprintf(buf, n, "%s+%#lx", name, (unsigned long)off);
    else
        ksnprintf(buf, n, "%#lx", (unsigned long)pc);
}

/* Where traps go before trap_init_hart, once the hart has a stack: boot/entry.S points stvec
 * here (ch12), so a fault in early boot, at a UART the device tree describes wrongly say, is a
 * panic that names it and not a silent hang. boot/entry.S passes the faulting code's ra and s0,
 * so the backtrace starts where a trap frame's would. If the fault was at the UART's own
 * registers, the console goes back to SBI first, or the report would fault again. */
void early_trap(uint64_t ra, uint64_t s0)
{
    struct trap_frame tf = {
        .ra = ra, .s0 = s0, .sepc = csr_read(sepc), .scause = csr_read(scause),
        .stval = csr_read(stval),
    };
    char where[64];
    describe_pc(where, sizeof(where), tf.sepc);
    bool data_fault = tf.scause >= EXC_LOAD_MISALIGNED && tf.scause <= EXC_STORE_ACCESS;
    if ((data_fault || tf.scause == EXC_LOAD_PAGE_FAULT || tf.scause == EXC_STORE_PAGE_FAULT) &&
        uart_owns(tf.stval))
        console_use_sbi();
    panic_at(&tf, "%s at %s (stval %#lx) before the trap vector was set up",
             trap_cause_name(tf.scause), where, (unsigned long)tf.stval);
}

static bool is_page_fault(uint64_t scause)
{
    return scause == EXC_INSTRUCTION_PAGE_FAULT || scause == EXC_LOAD_PAGE_FAULT ||
           scause == EXC_STORE_PAGE_FAULT;
}

/* The rare paths stay out of line (noinline, cold), so that trap_handle itself needs almost no
 * stack frame: it runs on every interrupt. */

/* A task ran off the bottom of its kernel stack: into the guard page below it (task/task.c),
 * or so close to it that a trap found no room for its frame (trap.S). */
static __attribute__((noreturn, noinline, cold)) void kernel_stack_overflow(struct trap_frame *tf)
{
    struct task *t = this_hart()->current;
    uint64_t lo = t && t->stack ? (uint64_t)t->stack : this_hart()->stack_lo;
    const char *name = t ? t->name : "?";
    if (is_page_fault(tf->scause) && tf->stval < lo && tf->stval >= lo - PAGE_SIZE)
        panic_at(tf, "task '%s' overflowed its kernel stack (fault at %#lx in guard page)", name,
                 (unsigned long)tf->stval);
    panic_at(tf, "task '%s' overflowed its kernel stack (a trap at sp %#lx found no room "
             "for its frame)", name, (unsigned long)tf->sp);
}

static __attribute__((noreturn, noinline, cold)) void trap_panic(struct trap_frame *tf)
{
    struct task *t = this_hart()->current;
    if (t && t->stack && is_page_fault(tf->scause) && tf->stval < (uint64_t)t->stack &&
        tf->stval >= (uint64_t)t->stack - PAGE_SIZE)
        kernel_stack_overflow(tf);      /* the guard page, even with sp still in the stack */
    char where[96];
    describe_pc(where, sizeof(where), tf->sepc);
    panic_at(tf, "%s in the kernel at %s (sepc %#lx, stval %#lx, scause %#lx)",
          trap_cause_name(tf->scause), where, (unsigned long)tf->sepc,
          (unsigned long)tf->stval, (unsigned long)tf->scause);
}

/* An ebreak in kernel code: report it and carry on after it. The instruction is 2 bytes if
 * compressed (c.ebreak, low bits not 11), else 4. */
static __attribute__((noinline, cold)) void kernel_breakpoint(struct trap_frame *tf)
{
    char where[96];
    describe_pc(where, sizeof(where), tf->sepc);
    this_hart()->breakpoints++;
    kprintf("trap: breakpoint at %s, resuming\n", where);
    tf->sepc += ((*(uint16_t *)tf->sepc & 3) == 3) ? 4 : 2;
}

static __attribute__((noreturn, noinline, cold)) void nested_trap(struct trap_frame *tf,
                                                                   uint64_t first_cause)
{
    char where[96];
    describe_pc(where, sizeof(where), tf->sepc);
    panic_at(tf, "nested trap: %s at %s (stval %#lx) while handling %s",
             trap_cause_name(tf->scause), where, (unsigned long)tf->stval,
             trap_cause_name(first_cause));
}

void trap_handle(struct trap_frame *tf)
{
    struct hart *h = this_hart();
    uint64_t code = tf->scause & ~SCAUSE_INTERRUPT;

    /* On the spare stack: the task's own overflowed (trap.S). First, since the overflow may
     * well have happened inside a trap handler. */
    if (h->overflow_sp - (uint64_t)tf <= TRAP_OVERFLOW_STACK)
        kernel_stack_overflow(tf);

    /* Traps are handled with interrupts off, so a second trap here is an exception inside
     * the handler itself: report both, rather than loop. */
    if (h->nest.trap_depth++ > 0)
        nested_trap(tf, h->trap_cause);
    h->trap_cause = tf->scause;
    bool interrupt = (tf->scause & SCAUSE_INTERRUPT) != 0;
    struct trace_ring *r = h->trace;            /* ch11: NULL unless the boot asked */
    if (!TRACE_OFF(r))
        trace_emit(r, TR_TRAP_ENTER, interrupt, code, tf->sepc, h->current->id);

    /* The timer interrupt does not come here: trap.S hands it to timer_interrupt itself
     * (ch10). And on the way back to U-mode, trap.S ends a killed program. */
    if (tf->scause & SCAUSE_INTERRUPT) {
        if (code == IRQ_S_SOFTWARE)
            smp_ipi_interrupt();
        else if (code == IRQ_S_EXTERNAL)
            plic_interrupt();               /* ch8: a device (the UART's received bytes) */
        else
            panic("unexpected interrupt %lu (%s)", (unsigned long)code, trap_cause_name(tf->scause));
        if (!TRACE_OFF(r))      /* before any switch: a trap's slice never spans one */
            trace_emit(r, TR_TRAP_EXIT, 1, code, 0, h->current->id);
        if (this_hart()->need_resched)
            sched_preempt();                /* switch tasks; we return here when resumed */
        h = this_hart();
    } else if ((tf->sstatus & SSTATUS_SPP) == 0) {
        if (!TRACE_OFF(r)) {    /* the trap ends here for the picture: the program ends */
            trace_emit(r, TR_TRAP_EXIT, 0, code, 0, h->current->id);
            trace_emit(r, TR_FAULT_KILL, 0, h->current->id, tf->stval, tf->scause);
        }
        proc_fault(tf);                     /* ch7: ends the program (ecalls go to syscall.c) */
    } else if (code == EXC_BREAKPOINT) {
        kernel_breakpoint(tf);
    } else {
        trap_panic(tf);
    }
    if (!TRACE_OFF(r) && !interrupt)
        trace_emit(r, TR_TRAP_EXIT, 0, code, 0, h->current->id);
    h->nest.trap_depth--;
}
