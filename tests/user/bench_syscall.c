/* bench_syscall.c: the `syscall` benchmarks (make bench): instructions per getpid round trip
 * from U-mode, counted by this program itself with rdinstret (OpenSBI lets U-mode read it;
 * exact under -icount). The loop's own cost, measured with no ecall in it, is taken out.
 *   syscall      with this program alone
 *   syscall_64   with 64 programs alive: this one and 63 copies of it asleep (`bench_syscall
 *                park`), so a round trip that grew with the number of programs would show
 * Prints `bench` lines as the kernel's benchmarks do. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "user/lib/sys.h"

enum { PARKED = 63 };   /* children asleep during syscall_64 */

static inline uint64_t rdinstret(void)
{
    uint64_t n;
    __asm__ volatile("rdinstret %0" : "=r"(n));
    return n;
}

/* One getpid: the stub is inlined here so that only the round trip is measured. */
static inline long getpid_ecall(void)
{
    register long a0 __asm__("a0");
    register long a7 __asm__("a7") = SYS_getpid;
    __asm__ volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
    return a0;
}

/* Instructions per round trip, times 1000; exits 1 if getpid answered wrongly. */
static uint64_t measure(void)
{
    enum { ROUNDS = 100000 };
    long pid = sys_getpid(), sum = 0;
    uint64_t best = UINT64_MAX;
    for (int run = 0; run < 5; run++) {     /* the least of five: a tick may land in one */
        uint64_t t0 = rdinstret();
        for (int i = 0; i < ROUNDS; i++)
            sum += getpid_ecall();
        uint64_t t1 = rdinstret();
        for (int i = 0; i < ROUNDS; i++)
            __asm__ volatile("" : "+r"(sum) : "r"(pid));
        uint64_t t2 = rdinstret();
        uint64_t per = ((t1 - t0) - (t2 - t1)) * 1000 / ROUNDS;
        best = per < best ? per : best;
    }
    if (sum != pid * 5 * ROUNDS) {
        printf("bench_syscall: getpid returned something else than %ld\n", pid);
        sys_exit(1);
    }
    return best;
}

static void report(const char *name, uint64_t milli)
{
    printf("bench %s %lu.%03lu instr\n", name, (unsigned long)(milli / 1000),
           (unsigned long)(milli % 1000));
}

/* Are all the children asleep? Only then may the count start: a child that still runs (its
 * first steps, into its sleep) would be counted too, since instret counts the whole hart. */
static int all_asleep(const long *pids, int n)
{
    static struct task_info tasks[PARKED + 16];     /* and the kernel's tasks */
    long got = sys_tasks(tasks, sizeof tasks / sizeof tasks[0]);
    int asleep = 0;
    for (long i = 0; i < got; i++)
        for (int c = 0; c < n; c++)
            if (tasks[i].pid == pids[c] && tasks[i].state == TASK_INFO_BLOCKED)
                asleep++;
    return asleep == n;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "park") == 0) {
        sys_sleep_ms(24 * 3600 * 1000);     /* a day: the parent kills us long before */
        return 1;
    }
    report("syscall", measure());

    static long pids[PARKED];
    char *park[] = {"bench_syscall", "park", NULL};
    for (int c = 0; c < PARKED; c++)
        if ((pids[c] = sys_spawn("bench_syscall", park)) < 0) {
            printf("bench_syscall: spawn failed (%ld)\n", pids[c]);
            return 1;
        }
    for (int tries = 0; !all_asleep(pids, PARKED); tries++) {
        if (tries == 1000) {                /* a second of the guest's time */
            printf("bench_syscall: the children did not all fall asleep\n");
            return 1;
        }
        sys_sleep_ms(1);
    }
    report("syscall_64", measure());

    for (int c = 0; c < PARKED; c++) {
        int status = -1;
        if (sys_kill(pids[c]) != 0 || sys_wait(pids[c], &status) != pids[c] ||
            status != WSTATUS_KILLED) {
            printf("bench_syscall: child %ld did not end as killed (status %d)\n", pids[c],
                   status);
            return 1;
        }
    }
    return 0;
}
