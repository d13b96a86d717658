/* atk_zombies.c: a program that ends with many children it never waited for. task_finish
 * (task/task.c) turns interrupts off, then proc_release (kernel/proc.c) drops every child's
 * handle; for a child that has ended, that is the last reference, so task_put frees its stack,
 * and stack_free -> vm_kernel_unguard makes every other hart flush its TLB and waits for all
 * of them, once per child: N IPI round trips, and N frees, all with interrupts off on that hart.
 *
 * atk_zombies [N] (default 1000): the middle program spawns N children that exit at once, lets
 * them end, notes the time and exits; the top one waits for it and says how long its end took
 * (its whole proc_release, interrupts off from start to end). More than 20 ms (2 ticks) fails. */
#include "tests/user/atk.h"

static int middle(int n)
{
    char *quick[] = {"test_child", "exit", "0", NULL};
    int made = 0;
    for (int i = 0; i < n; i++) {
        long pid = sys_spawn("test_child", quick);
        if (pid < 0) {
            printf("atk_zombies: spawn %d: %ld\n", i, pid);
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
    int status = -1;
    CHECK_EQ(2, sys_wait(pid, &status), pid);
    uint64_t t = atk_time();
    long units = ((long)(t / 100000) - status + 256) % 256;
    printf("atk_zombies: waited at %lu: its end took about %ld ms\n", (unsigned long)t,
           units * 10);
    sys_sleep_ms(100);
    atk_heap(&h1);
    printf("atk_zombies: frames free %lu -> %lu, heap used %lu -> %lu\n",
           (unsigned long)h0.frames_free, (unsigned long)h1.frames_free,
           (unsigned long)h0.used_bytes, (unsigned long)h1.used_bytes);
    CHECK_EQ(4, h1.frames_free, h0.frames_free);
    CHECK(5, units <= 2, "the end of a program took at most 20 ms (interrupts off all along)");
    printf("atk_zombies: all checks passed\n");
    return 0;
}
