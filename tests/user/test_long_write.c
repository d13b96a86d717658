/* test_long_write.c: one write of several MiB while a child prints on another hart (tests/user.sh
 * runs it on two harts, in real time). The size of a write is the program's choice, so the
 * kernel must not hold the console lock for all of it: a hart waiting that long for the lock is
 * taken for a deadlock (kernel/spinlock.c) and the kernel panics. Also: a write whose buffer
 * runs off the break is -EFAULT and prints nothing of it. Exits 0, or the first failed check.
 *   test_long_write [MS]    one write that lasts about MS ms (default 4000, twice the deadlock
 *                           detector's patience) at this console's speed, measured first; at
 *                           least MIN_BYTES, and again at twice the size (up to three times)
 *                           while a write ends before MS / 2, since a busy host makes the
 *                           measure noisy
 *   test_long_write print   (the child) print a short line every 20 ms until killed */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/user/check.h"

#define LINE_LEN   64           /* each line of the big buffer, with its newline */
#define PROBE_LINES 256         /* a first write of 16 KiB, to time the console */
#define MIN_BYTES  (1UL << 20)  /* about 6 s on QEMU's UART, through a pipe to a file */
#define MAX_BYTES  (32UL << 20) /* half of what brk may give */

static __attribute__((noreturn)) void printer(void)
{
    for (long i = 0;; i++) {
        printf("test_long_write: printer line %ld\n", i);
        sys_sleep_ms(20);       /* mostly asleep: its hart spins only while it prints */
    }
}

/* A buffer of `bytes` (a multiple of LINE_LEN) of lines "long-write NNNNNNNN ....". */
static char *big_buffer(size_t bytes)
{
    char *buf = malloc(bytes);
    CHECK(1, buf != NULL, "malloc the big buffer");
    for (size_t at = 0; at < bytes; at += LINE_LEN) {
        memset(buf + at, '.', LINE_LEN - 1);
        char head[24];
        int n = snprintf(head, sizeof(head), "long-write %08lu ", (unsigned long)(at / LINE_LEN));
        memcpy(buf + at, head, (size_t)n);
        buf[at + LINE_LEN - 1] = '\n';
    }
    return buf;
}

/* The last mapped bytes of the heap and the unmapped page past them: refused whole, before
 * any of it is printed (tests/user.sh checks that "never-printed" does not appear). sbrk makes
 * sure the heap's last page is ours, not malloc's. */
static void write_off_the_heap(void)
{
    CHECK(10, sbrk(USER_PAGE_SIZE) != (void *)-1, "sbrk a page");
    unsigned long brk = (unsigned long)sys_brk(0);
    char *end = (char *)((brk + USER_PAGE_SIZE - 1) & ~(USER_PAGE_SIZE - 1));
    char *tail = end - 32;
    memcpy(tail, "never-printed: a tail too far\n", 30);
    CHECK_EQ(11, sys_write(1, tail, 32 + USER_PAGE_SIZE), -EFAULT);
}

int main(int argc, char **argv)
{
    check_program = "test_long_write";
    if (argc > 1 && strcmp(argv[1], "print") == 0)
        printer();
    long want_ms = argc > 1 ? atol(argv[1]) : 4000;
    write_off_the_heap();
    size_t probe_bytes = PROBE_LINES * LINE_LEN;
    char *probe = big_buffer(probe_bytes);
    long t0 = sys_uptime_ms();
    CHECK_EQ(2, sys_write(1, probe, probe_bytes), probe_bytes);
    long probe_ms = sys_uptime_ms() - t0;
    free(probe);
    size_t bytes = probe_bytes * (size_t)want_ms / (size_t)(probe_ms > 0 ? probe_ms : 1);
    bytes = bytes < MIN_BYTES ? MIN_BYTES : bytes > MAX_BYTES ? MAX_BYTES : bytes;
    bytes = bytes / LINE_LEN * LINE_LEN;

    char *print[] = {"test_long_write", "print", NULL};
    long child = sys_spawn("test_long_write", print);
    CHECK(20, child > 0, "spawn the printer");
    sys_sleep_ms(20);           /* it prints on the other hart by now */
    /* The probe's speed is a guess on a busy host (a run on one got 1.6 s for 4): a write
     * that ends before half of MS proves nothing, so write again, twice the size. */
    long took = 0;
    for (int tries = 0; tries < 4 && took < want_ms / 2; tries++) {
        char *buf = big_buffer(bytes);
        t0 = sys_uptime_ms();
        CHECK_EQ(21, sys_write(1, buf, bytes), bytes);
        took = sys_uptime_ms() - t0;
        free(buf);
        printf("test_long_write: %lu lines in one write took %ld ms\n",
               (unsigned long)(bytes / LINE_LEN), took);
        bytes = bytes * 2 > MAX_BYTES ? MAX_BYTES : bytes * 2;
    }
    CHECK_EQ(22, sys_kill(child), 0);
    int status = -1;
    CHECK_EQ(23, sys_wait(child, &status), child);
    CHECK_EQ(24, status, WSTATUS_KILLED);
    printf("test_long_write: all checks passed\n");
    return 0;
}
