/* atk_oom.c: every way a spawn can run out of memory. A filler child takes every free frame
 * (brk, a MiB and then a page at a time, until brk says no), gives K pages back and sleeps;
 * then this program spawns, asks for the task list and the heap numbers, and moves its own
 * break, with K = 0, 1, 2, ... frames free, so that each allocation on the spawn path (the
 * kernel heap growing, the page-table root, the segments, their page tables, the user stack,
 * the task's kernel stack run) is the one that fails, in turn. Every failure must be an error
 * (-ENOMEM), never a panic; a spawn that works must run normally; nothing may leak.
 *
 * atk_oom [maxK] [step] (defaults 80, 1). */
#include "tests/user/atk.h"

static __attribute__((noreturn)) int filler(long give_back)
{
    unsigned long b = (unsigned long)sys_brk(0), top = b;
    for (unsigned long step = 0x100000; step >= 0x1000; step /= 2)
        while ((unsigned long)sys_brk(top + step) == top + step)
            top += step;
    sys_brk(top - (unsigned long)give_back * 0x1000);
    for (;;)
        sys_sleep_ms(100000);
}

static int state_of(long pid)
{
    static struct task_info list[64];
    long n = sys_tasks(list, 64);
    for (long i = 0; i < n; i++)
        if (list[i].pid == pid)
            return list[i].state;
    return -1;
}

int main(int argc, char **argv)
{
    check_program = "atk_oom";
    if (argc > 2 && strcmp(argv[1], "fill") == 0)
        return filler(atol(argv[2]));
    long maxk = argc > 1 ? atol(argv[1]) : 80, step = argc > 2 ? atol(argv[2]) : 1;
    struct heap_info h0, h;
    sys_sleep_ms(20);
    atk_heap(&h0);
    int ok = 0, nomem = 0, other = 0;
    /* brk stops at USER_HEAP_MAX (64 MiB): hogs take what one filler could not. */
    long hogs[8];
    int nhogs = 0;
    while (nhogs < 8) {
        atk_heap(&h);
        if (h.frames_free < 16000)
            break;
        hogs[nhogs] = atk_self("atk_oom", "fill", "0", NULL);
        CHECK(10, hogs[nhogs] > 0, "spawn a hog");
        while (state_of(hogs[nhogs]) != TASK_INFO_BLOCKED)
            sys_sleep_ms(2);
        nhogs++;
    }
    for (long k = 0; k <= maxk; k += step) {
        char ks[16];
        snprintf(ks, sizeof ks, "%ld", k);
        long filler_pid = atk_self("atk_oom", "fill", ks, NULL);
        CHECK(1, filler_pid > 0, "spawn the filler");
        while (state_of(filler_pid) != TASK_INFO_BLOCKED)
            sys_sleep_ms(2);
        atk_heap(&h);
        long free_then = (long)h.frames_free;
        for (int j = 0; j < 4; j++) {
            char *a[] = {"test_child", "exit", "3", NULL};
            long pid = sys_spawn("test_child", a);
            if (pid > 0) {
                int st = -1;
                CHECK_EQ(2, sys_wait(pid, &st), pid);
                CHECK_EQ(3, st, 3);
                ok++;
            } else if (pid == -ENOMEM) {
                nomem++;
            } else {
                printf("atk_oom: k %ld: spawn failed: %s\n", k, error_name(pid));
                other++;
            }
        }
        unsigned long b = (unsigned long)sys_brk(0);
        long nb = sys_brk(b + 0x10000);
        if ((unsigned long)nb == b + 0x10000)
            sys_brk(b);
        static struct task_info list[64];
        CHECK(4, sys_tasks(list, 64) > 0, "the task list, short of memory");
        CHECK_EQ(5, sys_kill(filler_pid), 0);
        int st = -1;
        CHECK_EQ(6, sys_wait(filler_pid, &st), filler_pid);
        CHECK_EQ(7, st, WSTATUS_KILLED);
        if (k % 10 == 0)
            printf("atk_oom: k %ld: %ld frames free with the filler; so far %d ran, %d -ENOMEM\n",
                   k, free_then, ok, nomem);
    }
    for (int i = 0; i < nhogs; i++) {
        int st;
        CHECK_EQ(11, sys_kill(hogs[i]), 0);
        CHECK_EQ(12, sys_wait(hogs[i], &st), hogs[i]);
    }
    int tries = 0;
    do
        sys_sleep_ms(10), atk_heap(&h);
    while (h.frames_free != h0.frames_free && tries++ < 100);
    printf("atk_oom: %d spawns ran, %d -ENOMEM, %d other; frames free %lu -> %lu, heap used "
           "%lu -> %lu\n", ok, nomem, other, (unsigned long)h0.frames_free,
           (unsigned long)h.frames_free, (unsigned long)h0.used_bytes,
           (unsigned long)h.used_bytes);
    CHECK_EQ(8, other, 0);
    CHECK_EQ(9, h.frames_free, h0.frames_free);
    printf("atk_oom: all checks passed\n");
    return 0;
}
