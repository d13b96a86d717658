/* atk_storm.c: kills racing everything a child can be doing: being spawned, exiting, faulting,
 * sleeping, spinning, yielding, writing, reading the console, moving its break, spawning
 * grandchildren it never waits for (orphans), waiting for its own children (by pid and with
 * wait(-1)). Each round spawns a handful of children in random modes, kills some of them after a random short while
 * (some twice, some right after the spawn), kills the rest that would not end by themselves,
 * and reaps them all with a mix of wait(pid), wait(-1) and WAIT_NOHANG. Checks: every wait
 * returns a child exactly once with a status that mode can end with, -ECHILD after the last,
 * and at the end, once the orphans are done, the kernel holds no more frames, heap or tasks
 * than before.
 *
 * atk_storm [rounds] [seed] (defaults 40, 1). */
#include "tests/user/atk.h"

enum { EXIT, SPIN, SLEEP, SPAWNER, WAITER, WAITANY, FAULT, WRITE, BRK, YIELD, READ, MODES };
static const char *const names[MODES] = {"exit", "spin", "sleep", "spawner", "waiter",
                                         "waitany", "fault", "write", "brk", "yield", "read"};

static uint64_t seed;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((seed >> 33) % n);
}

static int child(const char *mode)
{
    static char buf[4096];
    if (strcmp(mode, "exit") == 0)
        return 5;
    if (strcmp(mode, "spin") == 0)
        for (;;)
            __asm__ volatile("");
    if (strcmp(mode, "sleep") == 0)
        for (;;)
            sys_sleep_ms(1);
    if (strcmp(mode, "spawner") == 0)
        for (;;) {
            char *g[] = {"test_child", "sleep", "3", NULL};
            sys_spawn("test_child", g);
            sys_sleep_ms(1);
        }
    if (strcmp(mode, "waiter") == 0)
        for (;;) {
            char *g[] = {"test_child", "sleep", "5", NULL};
            long pid = sys_spawn("test_child", g);
            if (pid > 0)
                sys_wait(pid, NULL);
        }
    if (strcmp(mode, "waitany") == 0)
        for (;;) {
            char *g[] = {"test_child", "exit", "1", NULL};
            for (int i = 0; i < 3; i++)
                sys_spawn("test_child", g);
            int st;
            while (sys_wait(-1, &st) > 0)
                ;
        }
    if (strcmp(mode, "fault") == 0)
        return *(volatile int *)0;
    if (strcmp(mode, "write") == 0) {
        memset(buf, '.', sizeof buf);
        buf[sizeof buf - 1] = '\n';
        for (;;)
            sys_write(1, buf, sizeof buf);
    }
    if (strcmp(mode, "brk") == 0) {
        unsigned long b = (unsigned long)sys_brk(0);
        for (;;) {
            sys_brk(b + 0x300000);
            sys_brk(b);
        }
    }
    if (strcmp(mode, "read") == 0)          /* blocks: nobody types */
        for (;;)
            sys_read(0, buf, sizeof buf);
    if (strcmp(mode, "yield") == 0)
        for (;;)
            sys_sched_yield();
    return 99;
}

static bool ok_status(int mode, int st, bool killed)
{
    if (st == WSTATUS_KILLED)
        return killed;
    if (mode == EXIT)
        return st == 5;
    if (mode == FAULT)
        return st == WSTATUS_FAULT;
    return false;           /* the others never end by themselves */
}

int main(int argc, char **argv)
{
    check_program = "atk_storm";
    if (argc > 2 && strcmp(argv[1], "child") == 0)
        return child(argv[2]);
    int rounds = argc > 1 ? atoi(argv[1]) : 40;
    seed = argc > 2 ? (uint64_t)atol(argv[2]) : 1;
    static struct task_info list[64];
    struct heap_info h0;
    atk_heap(&h0);
    long tasks0 = sys_tasks(list, 64);
    enum { K = 8 };
    for (int r = 0; r < rounds; r++) {
        long pid[K];
        int mode[K];
        bool killed[K], reaped[K];
        for (int i = 0; i < K; i++) {
            mode[i] = (int)rnd(MODES);
            pid[i] = atk_self("atk_storm", "child", names[mode[i]], NULL);
            CHECK(1, pid[i] > 0, "spawn a child");
            killed[i] = reaped[i] = false;
            if (rnd(4) == 0) {                     /* at once: maybe before it ever ran */
                CHECK_EQ(2, sys_kill(pid[i]), 0);
                killed[i] = true;
            }
        }
        unsigned ms = rnd(4);
        if (ms)
            sys_sleep_ms(ms);
        else
            for (unsigned spin = rnd(20000); spin > 0; spin--)
                __asm__ volatile("");
        for (int i = 0; i < K; i++)
            if (!killed[i] && (mode[i] != EXIT && mode[i] != FAULT ? true : rnd(2))) {
                CHECK_EQ(3, sys_kill(pid[i]), 0);
                killed[i] = true;
                if (rnd(3) == 0)
                    CHECK_EQ(4, sys_kill(pid[i]), 0);   /* again: harmless */
            }
        for (int n = 0; n < K; n++) {
            int st = -1;
            long got;
            int how = (int)rnd(3);
            if (how == 0) {                         /* by pid, in order */
                int i = 0;
                while (reaped[i])
                    i++;
                got = sys_wait(pid[i], &st);
                CHECK_EQ(5, got, pid[i]);
            } else if (how == 1) {
                got = sys_wait(-1, &st);
            } else {
                while ((got = sys_wait_flags(-1, &st, WAIT_NOHANG)) == 0)
                    sys_sched_yield();
            }
            int i = 0;
            while (i < K && pid[i] != got)
                i++;
            if (i == K || reaped[i]) {
                printf("FAIL atk_storm: round %d: wait gave %ld, not an unreaped child\n", r,
                       got);
                exit(6);
            }
            reaped[i] = true;
            if (!ok_status(mode[i], st, killed[i])) {
                printf("FAIL atk_storm: round %d: child %ld (%s, %skilled) ended with %d\n", r,
                       got, names[mode[i]], killed[i] ? "" : "not ", st);
                exit(7);
            }
        }
        CHECK_EQ(8, sys_wait(-1, NULL), -ECHILD);
        CHECK_EQ(9, sys_wait_flags(-1, NULL, WAIT_NOHANG), -ECHILD);
    }
    /* Orphans (the spawners' grandchildren) end within a few ms; reclaiming is lazy. */
    atk_expect_settled(10, rounds, &h0, tasks0, 300);
    printf("atk_storm: all checks passed\n");
    return 0;
}
