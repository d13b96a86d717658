/* atk_brkkill.c: kill a program while it moves its break up and down by tens of MiB, and time
 * how long the kill takes to end it. The rule: a kill of a running program is effective within
 * about one tick. sys_brk grows in 1 MiB steps and looks for a kill between them, but shrinks
 * with one vm_unmap of the whole range (kernel/syscall.c, sys_brk), which does not look: a
 * kill that lands at the start of a 60 MiB shrink waits for all of it.
 *
 * atk_brkkill [rounds] [MiB]: each round spawns a child that grows and shrinks its heap by MiB
 * (default 60) for ever, kills it after a few ms and times kill -> wait. Also checks that no
 * frame or heap block is left behind. Fails if a kill took more than 30 ms. */
#include "tests/user/atk.h"

static __attribute__((noreturn)) int child(long mib)
{
    unsigned long base = (unsigned long)sys_brk(0);
    unsigned long top = base + (unsigned long)mib * 0x100000UL;
    for (;;) {
        sys_brk(top);
        sys_brk(base);
    }
}

int main(int argc, char **argv)
{
    check_program = "atk_brkkill";
    if (argc > 2 && strcmp(argv[1], "child") == 0)
        return child(atol(argv[2]));
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    const char *mib = argc > 2 ? argv[2] : "60";
    struct heap_info h0, h1;
    atk_heap(&h0);
    uint64_t worst = 0, total = 0;
    for (int i = 0; i < rounds; i++) {
        long pid = atk_self("atk_brkkill", "child", mib, NULL);
        CHECK(1, pid > 0, "spawn the child");
        sys_sleep_ms(20 + (unsigned long)(i * 37) % 200);
        uint64_t t0 = atk_time();
        CHECK_EQ(2, sys_kill(pid), 0);
        int status = -1;
        CHECK_EQ(3, sys_wait(pid, &status), pid);
        uint64_t dt = atk_time() - t0;
        CHECK_EQ(4, status, WSTATUS_KILLED);
        total += dt;
        if (dt > worst)
            worst = dt;
    }
    sys_sleep_ms(50);
    atk_heap(&h1);
    printf("atk_brkkill: %d kills of a %s MiB brk loop: worst %lu us, mean %lu us; frames free "
           "%lu -> %lu, heap used %lu -> %lu\n", rounds, mib, (unsigned long)(worst / 10),
           (unsigned long)(total / 10 / (uint64_t)rounds), (unsigned long)h0.frames_free,
           (unsigned long)h1.frames_free, (unsigned long)h0.used_bytes,
           (unsigned long)h1.used_bytes);
    CHECK_EQ(5, h1.frames_free, h0.frames_free);
    CHECK(6, worst < 300000, "every kill ended the program within 30 ms (3 ticks)");
    printf("atk_brkkill: all checks passed\n");
    return 0;
}
