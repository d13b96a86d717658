/* atk_writers.c: several programs each writing MiBs in one call at once, while others print
 * and spawn (the kernel's own lines need the console lock too), and the writers are killed
 * mid-write. Every kill must end its writer within a few ticks (sys_write looks for a kill
 * between chunks), nobody may wait so long for the console lock that the kernel calls it a
 * deadlock, and nothing may leak.
 *
 * atk_writers [writers] [KiB] [rounds] (defaults 4, 512, 3). */
#include "tests/user/atk.h"

static int writer(long kib)
{
    unsigned long b = (unsigned long)sys_brk(0), n = (unsigned long)kib * 1024;
    if ((unsigned long)sys_brk(b + n) != b + n)
        return 2;
    char *buf = (char *)b;
    for (unsigned long i = 0; i < n; i++)
        buf[i] = i % 64 == 63 ? '\n' : (char)('a' + sys_getpid() % 26);
    for (;;)
        sys_write(1, buf, n);
    return 0;
}

int main(int argc, char **argv)
{
    check_program = "atk_writers";
    if (argc > 2 && strcmp(argv[1], "write") == 0)
        return writer(atol(argv[2]));
    int nw = argc > 1 ? atoi(argv[1]) : 4;
    const char *kib = argc > 2 ? argv[2] : "512";
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    struct heap_info h0, h1;
    sys_sleep_ms(20);
    atk_heap(&h0);
    uint64_t worst = 0;
    for (int r = 0; r < rounds; r++) {
        long pid[16];
        for (int i = 0; i < nw && i < 16; i++)
            CHECK(1, (pid[i] = atk_self("atk_writers", "write", kib, NULL)) > 0, "spawn");
        for (int i = 0; i < 20; i++) {                  /* spawn and print meanwhile */
            char *a[] = {"test_child", "print", "beside the writers", NULL};
            long c = sys_spawn("test_child", a);
            if (c > 0)
                sys_wait(c, NULL);
        }
        for (int i = 0; i < nw && i < 16; i++) {
            uint64_t t0 = atk_time();
            CHECK_EQ(2, sys_kill(pid[i]), 0);
            int st = -1;
            CHECK_EQ(3, sys_wait(pid[i], &st), pid[i]);
            uint64_t dt = atk_time() - t0;
            CHECK_EQ(4, st, WSTATUS_KILLED);
            worst = dt > worst ? dt : worst;
        }
    }
    sys_sleep_ms(50);
    atk_heap(&h1);
    printf("\natk_writers: worst kill %lu us; frames free %lu -> %lu, heap used %lu -> %lu\n",
           (unsigned long)(worst / 10), (unsigned long)h0.frames_free,
           (unsigned long)h1.frames_free, (unsigned long)h0.used_bytes,
           (unsigned long)h1.used_bytes);
    CHECK_EQ(5, h1.frames_free, h0.frames_free);
    CHECK(6, worst < 1000000, "every writer ended within 100 ms of its kill (its turn included)");
    printf("atk_writers: all checks passed\n");
    return 0;
}
