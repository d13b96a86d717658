/* atk_zombies.c: a program that ends with many children it never waited for. task_finish
 * (task/task.c) turns interrupts off, then proc_release (kernel/proc.c) drops every child's
 * handle; for a child that has ended, that is the last reference, so task_put frees its stack,
 * and stack_free -> vm_kernel_unguard makes every other hart flush its TLB and waits for all
 * of them, once per child: N IPI round trips, and N frees, all with interrupts off on that hart.
 *
 * atk_zombies [N] (default 1000): the middle program spawns N children that exit at once, lets
 * them end and exits; meanwhile the top one sleeps 1 ms at a time and measures the longest gap
 * between its wake-ups. With the end done with interrupts off (chapter 9 found it so) that gap
 * is the whole end; over 40 ms (a time slice and two ticks) fails. Run it on one hart. */
#include "tests/user/atk.h"

static int middle(int n)
{
    char *quick[] = {"test_child", "exit", "0", NULL};
    int made = 0;
    for (int i = 0; i < n; i++) {
        long pid = sys_spawn("test_child", quick);
        if (pid < 0) {
            printf("atk_zombies: spawn %d: %s\n", i, error_name(pid));
            break;
        }
        made++;
    }
    sys_sleep_ms(500);                      /* every child has ended */
    uint64_t t = atk_time();
    printf("atk_zombies: %d zombies, exit at %lu\n", made, (unsigned long)t);
    return (int)((t / 100000) % 256);      /* when it began to end, in 10 ms units mod 256 */
}

int main(int argc, char **argv)
{
    check_program = "atk_zombies";
    if (argc > 2 && strcmp(argv[1], "middle") == 0)
        return middle(atoi(argv[2]));
    const char *n = argc > 1 ? argv[1] : "1000";
    struct heap_info h0, h1;
    atk_heap(&h0);
    long pid = atk_self("atk_zombies", "middle", n, NULL);
    CHECK(1, pid > 0, "spawn the middle one");
    /* While it ends (on one hart: alongside us), sleep 1 ms at a time and note the longest
     * gap between two wake-ups. A hart deaf to ticks for the whole end shows as one long gap;
     * an end done with interrupts on lets us in at least every time slice. */
    int status = -1;
    long got;
    /* Only the last gaps count: the middle spawning thousands of children before that keeps
     * the run queue long, which is fair sharing, not a deaf hart. */
    uint64_t last = atk_time(), gaps[3] = {0, 0, 0};
    for (int i = 0; (got = sys_wait_flags(pid, &status, WAIT_NOHANG)) == 0; i++) {
        sys_sleep_ms(1);
        uint64_t now = atk_time();
        gaps[i % 3] = now - last;
        last = now;
    }
    uint64_t worst = gaps[0] > gaps[1] ? gaps[0] : gaps[1];
    worst = worst > gaps[2] ? worst : gaps[2];
    CHECK_EQ(2, got, pid);
    printf("atk_zombies: longest of the last gaps between wake-ups, as it ended: %lu us\n",
           (unsigned long)(worst / 10));
    sys_sleep_ms(100);
    atk_heap(&h1);
    printf("atk_zombies: frames free %lu -> %lu, heap used %lu -> %lu\n",
           (unsigned long)h0.frames_free, (unsigned long)h1.frames_free,
           (unsigned long)h0.used_bytes, (unsigned long)h1.used_bytes);
    CHECK_EQ(4, h1.frames_free, h0.frames_free);
    CHECK(5, worst <= 400000, "a program's end let other tasks run at least every 40 ms");
    printf("atk_zombies: all checks passed\n");
    return 0;
}
