/* atk_tree.c: orphans made while they make orphans. Each node of a tree spawns two children one
 * level down (which do the same), then does one of: exit at once, wait for one child, wait(-1)
 * for both, spin. The top kills its two subtrees' roots after a random short while, so parents
 * end (killed or not) while their children are spawning grandchildren, ending, or waiting on
 * theirs; every grandchild ends on its own (the depth runs out, leaves exit after a few ms).
 * Then, once everything has drained, the kernel must hold no more frames, heap or tasks than
 * before.
 *
 * atk_tree [rounds] [depth] [seed] (defaults 30, 4, 1). */
#include "tests/user/atk.h"

static uint64_t seed;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((seed >> 33) % n);
}

static int node(int depth)
{
    if (depth == 0) {
        sys_sleep_ms(1 + rnd(4));
        return 0;
    }
    char d[16], s[24];
    snprintf(d, sizeof d, "%d", depth - 1);
    long kids[2];
    for (int i = 0; i < 2; i++) {
        snprintf(s, sizeof s, "%lu", (unsigned long)rnd(1000000));
        char *a[] = {"atk_tree", "node", d, s, NULL};
        kids[i] = sys_spawn("atk_tree", a);
    }
    switch (rnd(4)) {
    case 0:
        return 1;
    case 1:
        return kids[0] > 0 && sys_wait(kids[0], NULL) == kids[0] ? 2 : 20;
    case 2:
        while (sys_wait(-1, NULL) > 0)
            ;
        return 3;
    default:
        for (uint64_t t0 = atk_time(); atk_time() - t0 < 200000;)     /* 20 ms */
            ;
        return 4;
    }
}

int main(int argc, char **argv)
{
    check_program = "atk_tree";
    if (argc > 3 && strcmp(argv[1], "node") == 0) {
        seed = (uint64_t)atol(argv[3]) ^ (uint64_t)sys_getpid() * 0x9e3779b97f4a7c15UL;
        return node(atoi(argv[2]));
    }
    int rounds = argc > 1 ? atoi(argv[1]) : 30;
    const char *depth = argc > 2 ? argv[2] : "4";
    seed = argc > 3 ? (uint64_t)atol(argv[3]) : 1;
    static struct task_info list[64];
    struct heap_info h0;
    sys_sleep_ms(20);
    atk_heap(&h0);
    long tasks0 = sys_tasks(list, 64);
    for (int r = 0; r < rounds; r++) {
        long kids[2];
        for (int i = 0; i < 2; i++) {
            char s[24];
            snprintf(s, sizeof s, "%lu", (unsigned long)rnd(1000000));
            char *a[] = {"atk_tree", "node", (char *)depth, s, NULL};
            kids[i] = sys_spawn("atk_tree", a);
            CHECK(1, kids[i] > 0, "spawn a tree");
        }
        unsigned ms = rnd(6);
        if (ms)
            sys_sleep_ms(ms);
        for (int i = 0; i < 2; i++)
            if (rnd(3))
                CHECK_EQ(2, sys_kill(kids[i]), 0);
        for (int i = 0; i < 2; i++) {
            int st = -1;
            CHECK_EQ(3, sys_wait(kids[i], &st), kids[i]);
            CHECK(4, (st >= 1 && st <= 4) || st == WSTATUS_KILLED, "a status a node ends with");
        }
        CHECK_EQ(5, sys_wait(-1, NULL), -ECHILD);
        printf("atk_tree: round %d done at %lu ms\n", r, (unsigned long)sys_uptime_ms());
    }
    atk_expect_settled(6, rounds, &h0, tasks0, 500);
    printf("atk_tree: all checks passed\n");
    return 0;
}
