/* timer_test.c: in-kernel tests of kernel/timer.c: interrupts arrive at the configured rate,
 * deadlines do not drift, uptime follows the time CSR. */
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/riscv.h"
#include "kernel/timer.h"

/* Wait, sleeping between interrupts, until the time CSR reaches `until`. */
static void wait_until(uint64_t until)
{
    while (rdtime() < until)
        wfi();
}

/* Over one second of virtual time, hz interrupts arrive (within 1%, at least 1). */
KTEST_TIMED(timer_rate_is_hz)
{
    struct hart *h = this_hart();
    uint64_t hz = timer_hz(), tolerance = hz / 100 ? hz / 100 : 1;
    wait_until(h->timer_next);                 /* start just after a tick */
    uint64_t t0 = rdtime(), irq0 = h->timer_interrupts, ticks0 = h->ticks;
    wait_until(t0 + timer_timebase());
    uint64_t irqs = h->timer_interrupts - irq0, ticks = h->ticks - ticks0;
    KT_EXPECTF(irqs + tolerance >= hz && irqs <= hz + tolerance,
               "%lu interrupts in 1 s at hz=%lu", (unsigned long)irqs, (unsigned long)hz);
    KT_EXPECTF(ticks + tolerance >= hz && ticks <= hz + tolerance,
               "%lu ticks in 1 s at hz=%lu", (unsigned long)ticks, (unsigned long)hz);
}

/* hz consecutive deadlines span exactly one second of timebase, even when the period is not
 * a whole number of timebase ticks (try hz=3 or hz=300 with a 10 MHz timebase). */
KTEST(timer_deadlines_do_not_drift)
{
    struct hart fake = { .timer_next = 1000 };
    for (uint64_t i = 0; i < timer_hz(); i++)
        timer_step_deadline(&fake);
    KT_EXPECTF(fake.timer_next == 1000 + timer_timebase(),
               "after %lu periods the deadline moved %lu, not %lu", (unsigned long)timer_hz(),
               (unsigned long)(fake.timer_next - 1000), (unsigned long)timer_timebase());
}

/* Interrupts preempt a busy loop too (the hart never sleeps here). */
KTEST_TIMED(timer_interrupts_busy_code)
{
    uint64_t before = this_hart()->timer_interrupts;
    uint64_t until = rdtime() + timer_timebase() / 10;      /* 100 ms */
    while (rdtime() < until)
        ;
    uint64_t got = this_hart()->timer_interrupts - before, want = timer_hz() / 10;
    KT_EXPECTF(got + 1 >= want, "%lu interrupts in 100 ms of busy loop, want %lu",
               (unsigned long)got, (unsigned long)want);
}

KTEST_TIMED(timer_uptime_follows_time)
{
    uint64_t ms0 = uptime_ms(), until = rdtime() + timer_timebase() / 5;   /* 200 ms */
    while (rdtime() < until)
        ;                           /* not wfi: that would oversleep to the next tick */
    uint64_t ms = uptime_ms() - ms0;
    KT_EXPECTF(ms >= 199 && ms <= 201, "uptime advanced %lu ms over 200 ms", (unsigned long)ms);
}
