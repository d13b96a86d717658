/* trap_test.c: in-kernel tests of the trap path (kernel/trap.S, kernel/trap.c). The tests
 * that end in a panic are run one at a time by tests/traps.sh, which checks the message. */
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/riscv.h"

/* Both encodings of ebreak trap, are reported, and resume at the next instruction. */
KTEST(trap_breakpoint_resumes)
{
    uint64_t before = this_hart()->breakpoints;
    volatile int after = 0;
    __asm__ volatile(".option push\n .option norvc\n ebreak\n .option pop");   /* 4 bytes */
    after++;
    __asm__ volatile("c.ebreak");                                               /* 2 bytes */
    after++;
    KT_EXPECT(after == 2);
    KT_EXPECT(this_hart()->breakpoints == before + 2);
    KT_EXPECT(this_hart()->nest.trap_depth == 0);
}

/* The frame trap.S builds holds the interrupted registers: a breakpoint taken with known
 * values in callee-saved registers leaves them intact on return. */
KTEST(trap_preserves_registers)
{
    uint64_t s2 = 0x1111, s11 = 0x2222, a7 = 0x3333;
    __asm__ volatile("mv s2, %3\n mv s11, %4\n mv a7, %5\n ebreak\n"
                     "mv %0, s2\n mv %1, s11\n mv %2, a7"
                     : "=r"(s2), "=r"(s11), "=r"(a7)
                     : "r"(s2), "r"(s11), "r"(a7)
                     : "s2", "s11", "a7");
    KT_EXPECT(s2 == 0x1111 && s11 == 0x2222 && a7 == 0x3333);
}

KTEST_PANICS(trap_illegal_instruction_panics)
{
    __asm__ volatile(".4byte 0xffffffff");      /* not an instruction in any extension */
}

KTEST_PANICS(trap_load_fault_panics)
{
    uint64_t v;
    __asm__ volatile("ld %0, 8(zero)" : "=r"(v));   /* nothing lives at address 8 on virt */
    (void)v;
}

/* A fault while a trap is being handled is reported as nested, naming both causes. We pretend
 * a breakpoint is being handled, then fault. */
KTEST_PANICS(trap_nested_panics)
{
    intr_off();
    this_hart()->nest.trap_depth = 1;
    this_hart()->trap_cause = EXC_BREAKPOINT;
    __asm__ volatile(".4byte 0xffffffff");
}
