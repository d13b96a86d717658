/* poweroff.c: stop the machine with an exit status.
 *
 * SBI SRST shutdown always makes QEMU exit with 0 (seen with OpenSBI 1.1, whatever the reset
 * reason), so a failing test would look like a passing one. QEMU's `sifive,test` device (the
 * "finisher", hw/misc/sifive_test.c) carries a status: writing FINISHER_PASS exits QEMU with 0,
 * writing (code << 16) | FINISHER_FAIL exits with `code`. The device tree tells us where it is;
 * without it (no such device, or a panic before the tree was read) SRST is the fallback and we
 * say that the status is lost.
 *
 * ch12: some machines can do neither. QEMU's sifive_u has no finisher, and its OpenSBI answers
 * an SRST shutdown with "not supported" (a HiFive Unleashed has nothing that cuts its power).
 * There the kernel halts: it stops the other harts, prints the status in a fixed form, and
 * sleeps with interrupts off. tools/qemu watches for that line, ends QEMU and exits with the
 * printed status, so tests and `make qemu` end the same on every machine. (SRST reboot does work
 * there, but a board told to power off should not boot again.) Any program can print that line,
 * so before it the kernel writes the status into poweroff_halted, behind a magic word, where
 * tools/halt-watch reads it back through QEMU's monitor: only the kernel can write there.
 */
#include "kernel/poweroff.h"
#include "kernel/console.h"
#include "kernel/hart.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/sbi.h"
#include "kernel/smp.h"
#include "kernel/trace.h"

#define FINISHER_FAIL 0x3333
#define FINISHER_PASS 0x5555

static volatile uint32_t *finisher;
static int finisher_hart = -1;  /* the hart that last wrote to it (ch12: see poweroff) */

/* ch12: {HALT_MAGIC, status} once the kernel has halted; tools/halt-watch finds it by name. */
#define HALT_MAGIC 0x544c4148u  /* "HALT" in memory */
volatile uint32_t poweroff_halted[2];

void poweroff_use_finisher(uint64_t base)
{
    finisher = (volatile uint32_t *)base;
}

void poweroff(int status)
{
    trace_dump();               /* ch11: with trace=N, the rings first (kernel/trace.c) */
    /* ch12: a tree can put the test device where nothing answers. The store then faults, the
     * fault panics, and the panic calls poweroff again on this hart: that call must not store
     * again (it would fault for ever). So a hart that finds itself the last to have stored
     * skips the device. */
    bool faulted = false;
    if (finisher) {
        int me = this_hart()->index;
        faulted = __atomic_exchange_n(&finisher_hart, me, __ATOMIC_ACQ_REL) == me;
        if (!faulted && status == 0)
            *finisher = FINISHER_PASS;
        else if (!faulted)
            *finisher = ((uint32_t)(status & 0xff) << 16) | FINISHER_FAIL;
    }

    /* Still here: the finisher did not end the machine. Shut down through the firmware; the
     * status is lost, so say it. */
    if (status != 0)
        kprintf("poweroff: %s; an SBI shutdown cannot carry exit status %d\n",
                !finisher ? "no test device known"
                : faulted ? "the test device faulted"
                          : "the test device did not end the machine",
                status);
    struct sbiret r = sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN,
                                       status ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
    kprintf("poweroff: SBI system reset failed: %s\n", sbi_strerror(r.error));

    /* ch12: nothing can end this machine. Halt, and say so in the form tools/qemu looks for.
     * One hart halts the machine: a second one here (a panic during a poweroff, say) stops. */
    static int halting;
    intr_off();
    if (__atomic_exchange_n(&halting, 1, __ATOMIC_ACQ_REL) != 0)
        hart_halt();
    smp_stop_others();
    poweroff_halted[1] = (uint32_t)(status & 0xff);
    __atomic_store_n(&poweroff_halted[0], HALT_MAGIC, __ATOMIC_RELEASE);
    kprintf("poweroff: halted with status %d; nothing on this machine can power it off\n",
            status & 0xff);
    hart_halt();
}
