/* bench_syscall.c: the `syscall` benchmark (make bench): instructions per getpid round trip
 * from U-mode, counted by this program itself with rdinstret (OpenSBI lets U-mode read it;
 * exact under -icount). The loop's own cost, measured with no ecall in it, is taken out.
 * Prints a `bench` line as the kernel's benchmarks do. */
#include <stdint.h>
#include <stdio.h>

#include "user/lib/sys.h"

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

int main(void)
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
        return 1;
    }
    printf("bench syscall %lu.%03lu instr\n", (unsigned long)(best / 1000),
           (unsigned long)(best % 1000));
    return 0;
}
