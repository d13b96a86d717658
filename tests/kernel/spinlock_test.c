/* spinlock_test.c: in-kernel tests of kernel/spinlock.c on one hart: interrupts follow the
 * nesting, and every misuse is named. (Contention between harts: tests/kernel/smp_test.c.) */
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "task/task.h"

static struct spinlock lock_a = SPINLOCK_INIT("test-a", LOCK_WAIT);
static struct spinlock lock_b = SPINLOCK_INIT("test-b", LOCK_TASKS);

KTEST(spin_interrupts_follow_nesting)
{
    KT_EXPECT(csr_read(sstatus) & SSTATUS_SIE);
    spin_lock(&lock_a);
    KT_EXPECT(spin_holding(&lock_a) && !(csr_read(sstatus) & SSTATUS_SIE));
    spin_lock(&lock_b);
    spin_unlock(&lock_b);
    KT_EXPECT(!(csr_read(sstatus) & SSTATUS_SIE));      /* a is still held */
    KT_EXPECT(this_hart()->held == &lock_a && lock_a.held_next == NULL);
    spin_unlock(&lock_a);
    KT_EXPECT(csr_read(sstatus) & SSTATUS_SIE);
    KT_EXPECT(hart_held() == NULL && !spin_holding(&lock_a));
}

KTEST_PANICS(spin_reacquire_panics)
{
    spin_lock(&lock_a);
    spin_lock(&lock_a);
}

KTEST_PANICS(spin_release_unheld_panics)
{
    spin_unlock(&lock_b);
}

/* Never hold a lock across a switch point (Tokio: never hold a MutexGuard across .await). */
KTEST_PANICS(spin_switch_while_holding_panics)
{
    spin_lock(&lock_a);
    task_yield();
}

/* Locks taken against their ranks (kernel/spinlock.h): named at once, on any timing. */
KTEST_PANICS(spin_lock_order_panics)
{
    spin_lock(&lock_b);
    spin_lock(&lock_a);
}
