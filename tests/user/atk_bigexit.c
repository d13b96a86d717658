/* atk_bigexit.c: a program whose heap is big ends, and its hart does the whole of freeing it
 * with interrupts off. task_finish (task/task.c) starts with intr_off() and then calls
 * proc_release -> vm_destroy (kernel/vm_user.c), which frees every frame of the address space
 * (up to USER_HEAP_MAX = 64 MiB, 16,384 frames, plus the stack and image) in one go: no tick,
 * no IPI, no Ctrl-C on that hart meanwhile. Compare brk's own growth and shrinking, which are
 * done in batches with interrupts on (chapter 9, tests/kernel/bounded_test.c).
 *
 * Run on one hart: atk_bigexit [MiB] (default 60). The child grows its heap, sleeps (the
 * parent runs alone, reading the time in a tight loop), wakes and exits at once. The parent's
 * longest gap between two reads is then (about) the child's exit, all of it with interrupts
 * off. A gap of more than 2 ticks (20 ms at hz=100) fails. "atk_bigexit M shrink" shrinks the
 * heap with brk first, to show the same frames are freed fast enough when freed in batches. */
#include "tests/user/atk.h"

static int child(long mib, int shrink)
{
    unsigned long base = (unsigned long)sys_brk(0);
    unsigned long want = base + (unsigned long)mib * 0x100000UL;
    if ((unsigned long)sys_brk(want) != want)
        return 2;
    sys_sleep_ms(300);
    uint64_t t0 = atk_time();
    if (shrink)
        sys_brk(base);
    uint64_t t1 = atk_time();
    if (shrink)
        printf("atk_bigexit: child shrank %ld MiB in %lu us\n", mib,
               (unsigned long)((t1 - t0) / 10));
    return 0;
}

int main(int argc, char **argv)
{
    check_program = "atk_bigexit";
    long mib = argc > 1 ? atol(argv[1]) : 60;
    int shrink = argc > 2 && strcmp(argv[2], "shrink") == 0;
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child(atol(argv[2]), argc > 3);
    char m[16];
    snprintf(m, sizeof m, "%ld", mib);
    struct heap_info h0, h1;
    atk_heap(&h0);
    long pid = atk_self("atk_bigexit", "child", m, shrink ? "shrink" : NULL);
    CHECK(1, pid > 0, "spawn the child");
    uint64_t start = atk_time(), last = start, worst = 0, worst_at = 0;
    static uint64_t gaps[64][2];
    int ngaps = 0, status = -1;
    long r = 0;
    while (r == 0) {
        uint64_t now = atk_time();
        if (now - last > 10000 && ngaps < 64)       /* > 1 ms: the child ran */
            gaps[ngaps][0] = last - start, gaps[ngaps++][1] = now - last;
        last = now;
        if (now - start > 5000000UL * 2) {          /* 1 s */
            r = sys_wait_flags(pid, &status, WAIT_NOHANG);
            last = atk_time();
        }
    }
    CHECK_EQ(2, r, pid);
    /* The last gap is the one in which the child woke and ended: its exit. */
    CHECK(5, ngaps > 0, "the child ran");
    worst = gaps[ngaps - 1][1], worst_at = gaps[ngaps - 1][0];
    for (int i = 0; i < ngaps; i++)
        printf("atk_bigexit: gap at %lu ms: %lu us\n", (unsigned long)(gaps[i][0] / 10000),
               (unsigned long)(gaps[i][1] / 10));
    CHECK_EQ(3, status, 0);
    atk_heap(&h1);
    printf("atk_bigexit: %ld MiB heap: exit (the last gap) took %lu us, at %lu ms; frames free %lu -> %lu\n",
           mib, (unsigned long)(worst / 10), (unsigned long)(worst_at / 10000),
           (unsigned long)h0.frames_free, (unsigned long)h1.frames_free);
    CHECK(4, worst < 200000, "the exit took at most 20 ms (2 ticks)");
    printf("atk_bigexit: all checks passed\n");
    return 0;
}
