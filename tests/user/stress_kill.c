/* stress_kill.c: kill under stress (ch9, run by tests/races.sh). For ROUNDS rounds it spawns a
 * child of a varying kind, kills it at a varying moment and waits for it. Every wait must
 * return (a hang is caught by the boot's timeout) with a status the child could have ended
 * with: its own if it ended first, 137 if the kill did. At the end the kernel's heap and page
 * frames must be back where they started. It prints the kill latency, from kill to wait's
 * return in uptime ms; with MAX_MS it also checks that no kill took longer (only meaningful
 * under -icount, where a busy host cannot stall a hart). Each round prints a line first, so
 * after a hang the console's last line names the child that never ended.
 *   stress_kill [ROUNDS [MAX_MS]]      the test (1000 rounds by default); exits 0 if all held
 *   stress_kill child KIND [N]         one child, spawned by the test: KIND is below */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/user/check.h"

/* The kinds of child, what each does, and the status it ends with if the kill comes late. */
struct kind {
    const char *name;
    int own_status;             /* -1: it never ends by itself, so only 137 is valid */
};
static const struct kind kinds[] = {
    {"exit", 42},               /* exits at once */
    {"fault", WSTATUS_FAULT},   /* loads from address 0 */
    {"sleep", 3},               /* sleeps N ms, exits 3 */
    {"waitchild", 4},           /* spawns a child that sleeps N ms, waits for it, exits 4 */
    {"read", -1},               /* reads the console: blocks for ever (nothing is typed) */
    {"spin", -1},               /* loops in U-mode, never making a system call */
    {"yield", -1},              /* sched_yield in a loop */
};
#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

static int run_child(const char *kind, int n)
{
    if (strcmp(kind, "exit") == 0)
        return 42;
    if (strcmp(kind, "fault") == 0)
        return *(volatile int *)0;
    if (strcmp(kind, "sleep") == 0)
        return sys_sleep_ms((unsigned long)n) == 0 ? 3 : 90;
    if (strcmp(kind, "waitchild") == 0) {
        char ms[8];
        snprintf(ms, sizeof(ms), "%d", n);
        char *argv[] = {"stress_kill", "child", "sleep", ms, NULL};
        long pid = sys_spawn("stress_kill", argv);
        int status = -1;
        return pid > 0 && sys_wait(pid, &status) == pid && status == 3 ? 4 : 91;
    }
    if (strcmp(kind, "read") == 0) {
        char c;
        sys_read(0, &c, 1);
        return 92;              /* nothing is typed: never */
    }
    if (strcmp(kind, "spin") == 0)
        for (;;)
            __asm__ volatile("");
    if (strcmp(kind, "yield") == 0)
        for (;;)
            sys_sched_yield();
    return 93;
}

/* The kernel's heap bytes in use and free page frames. */
static void usage(long *heap_used, long *frames_free)
{
    struct heap_info h;
    CHECK_EQ(1, sys_heap_stats(&h), 0);
    *heap_used = (long)h.used_bytes;
    *frames_free = (long)h.frames_free;
}

/* One round: spawn a child of kind k, kill it at moment m, wait. Returns the kill latency. */
static long round_trip(int round, int k, int m)
{
    char n[8];
    snprintf(n, sizeof(n), "%d", 1 + round % 4);
    char *argv[] = {"stress_kill", "child", (char *)kinds[k].name, n, NULL};
    long pid = sys_spawn("stress_kill", argv);
    CHECK(2, pid > 0, "spawn a child");
    static const char *const moments[] = {"at once", "after yields", "after a sleep"};
    printf("round %d: pid %ld, %s, killed %s\n", round, pid, kinds[k].name, moments[m]);
    if (m == 1)                                 /* after a few yields */
        for (int i = 0; i < 1 + round % 5; i++)
            sys_sched_yield();
    else if (m == 2)                            /* after a short sleep */
        sys_sleep_ms(1 + round % 3);
    long t0 = sys_uptime_ms();
    CHECK_EQ(3, sys_kill(pid), 0);              /* ours until waited for, ended or not */
    int status = -1;
    CHECK_EQ(4, sys_wait(pid, &status), pid);
    long latency = sys_uptime_ms() - t0;
    if (status != WSTATUS_KILLED && status != kinds[k].own_status) {
        printf("FAIL stress_kill round %d: child '%s' killed %s ended with status %d\n", round,
               kinds[k].name, moments[m], status);
        exit(5);
    }
    return latency;
}

/* Tasks are reclaimed by the next switch on the hart they ended on, and a killed waitchild's
 * grandchild runs on for a few ms: give the counts a moment to settle. */
static void expect_usage_back(long heap0, long frames0)
{
    long heap, frames;
    for (int i = 0; i < 100; i++) {
        usage(&heap, &frames);
        if (heap == heap0 && frames == frames0)
            return;
        sys_sleep_ms(10);
    }
    printf("FAIL stress_kill: kernel heap used %ld -> %ld bytes, free frames %ld -> %ld\n",
           heap0, heap, frames0, frames);
    exit(6);
}

int main(int argc, char **argv)
{
    check_program = "stress_kill";
    if (argc >= 3 && strcmp(argv[1], "child") == 0)
        return run_child(argv[2], argc >= 4 ? atoi(argv[3]) : 1);
    int rounds = argc >= 2 ? atoi(argv[1]) : 1000;
    long max_ms = argc >= 3 ? atol(argv[2]) : -1;

    for (int k = 0; k < NKINDS; k++)            /* warm-up: the heap grows to its working size */
        round_trip(k, k, 0);
    long heap0, frames0;
    sys_sleep_ms(20);
    usage(&heap0, &frames0);

    long worst = 0, total = 0;
    int worst_round = 0;
    for (int r = NKINDS; r < NKINDS + rounds; r++) {    /* numbered on from the warm-up's */
        long latency = round_trip(r, r % NKINDS, (r / NKINDS + r) % 3);
        total += latency;
        if (latency > worst)
            worst = latency, worst_round = r;
    }
    printf("stress_kill: %d rounds, kill to wait's return: max %ld ms (round %d, '%s'), "
           "mean %ld.%02ld ms\n", rounds, worst, worst_round, kinds[worst_round % NKINDS].name,
           total / rounds, total * 100 / rounds % 100);
    if (max_ms >= 0 && worst > max_ms) {
        printf("FAIL stress_kill: a kill took %ld ms, more than %ld\n", worst, max_ms);
        exit(7);
    }
    expect_usage_back(heap0, frames0);
    printf("stress_kill: all %d rounds ended as expected\n", rounds);
    return 0;
}
