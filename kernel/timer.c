/* timer.c: the periodic timer interrupt. RISC-V has one free-running counter, `time`
 * (timebase-frequency ticks per second, from the device tree), and per hart a compare value:
 * when time >= compare the hart's supervisor timer interrupt is pending until the compare
 * value moves into the future. With the Sstc extension S-mode writes its own compare CSR,
 * stimecmp; without it, it asks OpenSBI (SBI TIME extension, set_timer).
 *
 * Drift-free: each deadline is the previous deadline plus one period, never "now plus one
 * period", so time spent handling interrupts does not make the clock slow. When timebase/hz
 * is not whole, the remainder is carried (as in Bresenham's line drawing) so that hz
 * deadlines always span exactly one second of timebase.
 */
#include "kernel/timer.h"
#include "kernel/bootargs.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/riscv.h"
#include "kernel/sbi.h"
#include "task/sched.h"

static uint64_t timebase;       /* time CSR ticks per second */
static uint64_t rate_hz;        /* timer interrupts per second */
static uint64_t period;         /* whole timebase ticks per interrupt: timebase / rate_hz */
static uint64_t period_rem;     /* timebase % rate_hz, carried from deadline to deadline */
static bool use_sstc;
static bool end_turn;           /* QEMU -icount (boot argument icount): see timer_interrupt */
static uint64_t boot_time;      /* time CSR at timer_init */

void timer_init(uint64_t timebase_hz, uint64_t hz, bool sstc)
{
    if (timebase_hz == 0)
        panic("timer: the device tree gives no timebase-frequency");
    if (hz == 0 || hz > TIMER_MAX_HZ || hz > timebase_hz)
        panic("timer: hz=%lu is out of range (1..%d, and at most the timebase %lu)",
              (unsigned long)hz, TIMER_MAX_HZ, (unsigned long)timebase_hz);
    timebase = timebase_hz;
    rate_hz = hz;
    period = timebase_hz / hz;
    period_rem = timebase_hz % hz;
    use_sstc = sstc;
    end_turn = bootarg_present("icount");
    boot_time = rdtime();
}

static void set_deadline(uint64_t when)
{
    if (use_sstc)
        __asm__ volatile("csrw %0, %1" : : "i"(CSR_STIMECMP), "r"(when));
    else
        sbi_set_timer(when);
}

/* The deadline after h->timer_next. */
static inline void step_deadline(struct hart *h)
{
    h->timer_next += period;
    h->timer_rem += period_rem;
    if (h->timer_rem >= rate_hz) {
        h->timer_rem -= rate_hz;
        h->timer_next++;
    }
}

void timer_step_deadline(struct hart *h)
{
    step_deadline(h);
}

/* Every hart's deadlines lie on one grid, boot_time plus whole periods, so all harts tick
 * together. Under QEMU -icount that matters (chapter 9): the harts take turns on one host
 * thread, each turn lasting until the next timer deadline of any hart, so a hart whose ticks
 * fell just before another's got turns only as long as the gap between them, and starved. */
void timer_start_hart(void)
{
    struct hart *h = this_hart();
    uint64_t now = rdtime();
    h->timer_next = boot_time;
    h->timer_rem = 0;
    while (h->timer_next <= now)
        step_deadline(h);
    set_deadline(h->timer_next);
    csr_set(sie, SIE_STIE);
}

FRAMELESS void timer_interrupt(struct trap_frame *tf)
{
    (void)tf;
    struct hart *h = this_hart();
    h->timer_interrupts++;
    h->ticks++;
    step_deadline(h);
    /* Late by a whole period or more (the hart was stopped in gdb, or the host was busy):
     * skip the missed deadlines instead of firing them back to back. They still count. */
    uint64_t now = rdtime();
    while (h->timer_next <= now) {
        h->ticks++;
        step_deadline(h);
    }
    /* Under QEMU 7.2's -icount the harts take turns on one host thread, and a turn lasts
     * until the next timer deadline of any hart (QEMU 8.1 shares it out: commit 83ecdb18eb65).
     * A hart that never idles (a program spinning in U-mode) took this interrupt, re-armed
     * and ran on to the next deadline, turn after turn; a hart behind it in QEMU's order got
     * only the nanoseconds by which the grid's deadlines differ in QEMU (each is rounded at
     * the moment its hart wrote stimecmp), fewer instructions than this handler takes, and
     * never left it: stress_kill's parent, woken from a sleep, never reached its kill. A wfi
     * ends the turn; with this tick still pending it does not wait (on real harts, or
     * without -icount, it is a no-op), and the hart goes on at its next turn.
     *
     * The wfi was not the whole cure (ch12). Writing a deadline that becomes the earliest
     * one also ends the writer's turn, and the hart whose turn ends last gets the long turn
     * that follows; which one that is followed the rounding, and the same order could come
     * back every period: a hart got its handler and nothing more, for ever (stress_kill on 8
     * harts stopped at round 68 at 50, 100, 250 and 1000 Hz). So under -icount each hart's
     * deadline is 0 to MAX_HARTS - 1 timebase ticks after the grid's, never the same as
     * another hart's, and the offsets turn by one every period: the order changes with them
     * (on 8 harts every period, on fewer now and then). A few ticks of the timebase are
     * nothing beside a period, and timer_next stays on the grid. It is no promise of fairness:
     * one hart still gets most of each period, and when every hart is busy (2 to 8 harts) a task
     * sharing a hart with a busy one can be left out until the busy work ends (see
     * docs/ch9-races.md). QEMU 8.1 does not need any of this. */
    _Static_assert((MAX_HARTS & (MAX_HARTS - 1)) == 0, "the offsets below mask with it");
    uint64_t when = h->timer_next;
    if (end_turn) {
        wfi();
        when += ((when - boot_time) / period + (uint64_t)h->index) & (MAX_HARTS - 1);
    }
    set_deadline(when);
    sched_tick();               /* time slices and sleepers */
}

uint64_t timer_ticks(void)
{
    return harts[0].ticks;
}

uint64_t timer_hz(void)
{
    return rate_hz;
}

uint64_t timer_timebase(void)
{
    return timebase;
}

bool timer_icount(void)
{
    return end_turn;
}

bool timer_uses_sstc(void)
{
    return use_sstc;
}

uint64_t uptime_ms(void)
{
    return (rdtime() - boot_time) * 1000 / timebase;
}
