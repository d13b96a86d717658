/* atk_fuzz.c: random system calls with hostile arguments: every number from 0 to 520 and some
 * far beyond, with arguments drawn from NULL, -1, huge sizes, kernel addresses, the edges of the
 * user range, of the stack, of the heap and of the text, unaligned pointers, a pointer into
 * read-only data. Each batch runs in a child (a call may end or block it: exit, sleep, read,
 * wait); the parent kills it after a while and starts the next. poweroff is never called. The
 * kernel must survive, and at the end hold no more frames, heap or tasks than before.
 *
 * atk_fuzz [batches] [calls] [seed] (defaults 60, 2000, 1). */
#include "tests/user/atk.h"

static uint64_t seed;
static uint64_t rnd64(void)
{
    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
    return seed ^ (seed >> 29);
}

static const char rodata[] = "test_child";
static char data[64] = "test_child";

static long arg(void)
{
    unsigned long brk = (unsigned long)sys_brk(0);
    unsigned long sp;
    __asm__ volatile("mv %0, sp" : "=r"(sp));
    const unsigned long pool[] = {
        0, 1, (unsigned long)-1, (unsigned long)-2, 0x7fffffffffffffffUL, 0x8000000000000000UL,
        USER_BASE, USER_BASE - 1, USER_TOP, USER_TOP - 1, USER_TOP - 8, USER_TOP - 4096,
        USER_IMAGE_TOP, USER_TOP - USER_STACK_SIZE, USER_TOP - USER_STACK_SIZE - 1,
        0x80200000UL, 0x80000000UL, 0x10000000UL, 0x3fffffffffUL, 0x4000000000UL,
        brk, brk - 1, brk - 8, brk + 4096, sp, sp + 1, sp - 4096, (unsigned long)rodata,
        (unsigned long)data, (unsigned long)data + 3, (unsigned long)&arg, 4096, 1UL << 20,
        1UL << 32, 64, 128, 129, 1024, 1025, 33, 32, 500, 501, 137, (unsigned long)sys_getpid(),
        (unsigned long)sys_getpid() + 1, (unsigned long)sys_getpid() - 1,
    };
    uint64_t r = rnd64();
    if (r % 8 == 0)
        return (long)rnd64();
    return (long)pool[(r >> 8) % (sizeof pool / sizeof pool[0])];
}

static int batch(long calls)
{
    unsigned long b = (unsigned long)sys_brk(0);
    sys_brk(b + 0x3000);
    for (long i = 0; i < calls; i++) {
        uint64_t r = rnd64();
        long n = (long)(r % 530);
        if (r % 64 == 1)
            n = (long)rnd64();
        if (n == SYS_poweroff || (n == SYS_exit && r % 16))
            continue;
        if ((n == SYS_sleep_ms || n == SYS_read) && r % 8)
            continue;                       /* they block: seldom */
        long a0 = arg(), a1 = arg(), a2 = arg();
        if (n == SYS_sleep_ms)
            a0 &= 15;
        atk_ecall(n, a0, a1, a2);
    }
    return 0;
}

int main(int argc, char **argv)
{
    check_program = "atk_fuzz";
    if (argc > 3 && strcmp(argv[1], "batch") == 0) {
        seed = (uint64_t)atol(argv[3]);
        return batch(atol(argv[2]));
    }
    int batches = argc > 1 ? atoi(argv[1]) : 60;
    const char *calls = argc > 2 ? argv[2] : "2000";
    uint64_t s0 = argc > 3 ? (uint64_t)atol(argv[3]) : 1;
    static struct task_info list[64];
    struct heap_info h0, h1;
    sys_sleep_ms(20);
    atk_heap(&h0);
    long tasks0 = sys_tasks(list, 64);
    for (int i = 0; i < batches; i++) {
        char s[24];
        snprintf(s, sizeof s, "%lu", (unsigned long)(s0 * 1000 + (uint64_t)i));
        long pid = atk_self("atk_fuzz", "batch", calls, s);
        CHECK(1, pid > 0, "spawn a batch");
        int st = -1;
        long r = 0;
        for (int w = 0; w < 200 && (r = sys_wait_flags(pid, &st, WAIT_NOHANG)) == 0; w++)
            sys_sleep_ms(5);
        if (r == 0) {
            CHECK_EQ(2, sys_kill(pid), 0);
            CHECK_EQ(3, sys_wait(pid, &st), pid);
        }
    }
    /* The batches' own children (a random spawn may start one) end by themselves or not: kill
     * nothing we do not know; wait for what is ours. */
    int st;
    while (sys_wait_flags(-1, &st, WAIT_NOHANG) > 0)
        ;
    int tries = 0;
    do
        sys_sleep_ms(10), atk_heap(&h1);
    while ((h1.frames_free != h0.frames_free || sys_tasks(list, 64) != tasks0) && tries++ < 200);
    printf("atk_fuzz: %d batches; frames free %lu -> %lu, heap used %lu -> %lu, tasks %ld -> "
           "%ld\n", batches, (unsigned long)h0.frames_free, (unsigned long)h1.frames_free,
           (unsigned long)h0.used_bytes, (unsigned long)h1.used_bytes, tasks0,
           sys_tasks(list, 64));
    printf("atk_fuzz: all checks passed\n");
    return 0;
}
