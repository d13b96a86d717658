/* heap_cache_test.c: the per-hart heap caches (heap/cache.h) with every hart allocating and
 * freeing at once. Each hart frees the blocks its neighbour allocated (a task that migrates
 * does the same), so blocks move from cache to cache; contents, kheap_check on every hart and
 * the used bytes must all come out right. tests/races.sh runs it on real parallel harts, under
 * -singlestep and in the race build. */
#include "heap/kheap.h"
#include "kernel/hart.h"
#include "kernel/ktest.h"
#include "kernel/smp.h"
#include "task/task.h"

#define ROUNDS 300
#define OBJS   24

static unsigned char *box[MAX_HARTS][OBJS]; /* box[i]: what hart i allocated this round */
static int published[MAX_HARTS];            /* the round whose box[i] is ready (atomic) */
static int consumed[MAX_HARTS];             /* the round whose box[i] was freed (atomic) */
static int mismatches;                      /* wrong bytes seen (atomic) */
static int n_harts;

/* Mostly cached sizes, some above the caches' 1 KiB. */
static size_t object_size(int hart, int round, int k)
{
    return 1 + (size_t)(hart * 131 + round * 17 + k * 29) % 1200;
}

static unsigned char fill_of(int hart, int round, int k)
{
    return (unsigned char)(hart * 61 + round * 7 + k + 1);
}

/* Sleep, never spin, while waiting for another hart: under -icount every hart shares one host
 * thread, and a spinning hart starves the one it waits for. */
static void wait_for(int *flag, int value)
{
    while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < value)
        task_sleep_ms(1);
}

static void *exchange(void *arg)
{
    int me = (int)(uintptr_t)arg, next = (me + 1) % n_harts;
    for (int r = 1; r <= ROUNDS; r++) {
        wait_for(&consumed[me], r - 1); /* my last box was emptied */
        for (int k = 0; k < OBJS; k++) {
            size_t n = object_size(me, r, k);
            unsigned char *p = kmalloc(n), *scratch = kmalloc(n / 2);
            if (p == NULL || scratch == NULL) {
                __atomic_fetch_add(&mismatches, 1, __ATOMIC_RELAXED);
                return NULL;
            }
            for (size_t i = 0; i < n; i++)
                p[i] = fill_of(me, r, k);
            kfree(scratch); /* a pair on this hart too */
            box[me][k] = p;
        }
        __atomic_store_n(&published[me], r, __ATOMIC_RELEASE);

        wait_for(&published[next], r); /* free what the next hart allocated */
        for (int k = 0; k < OBJS; k++) {
            size_t n = object_size(next, r, k);
            for (size_t i = 0; i < n; i++)
                if (box[next][k][i] != fill_of(next, r, k)) {
                    __atomic_fetch_add(&mismatches, 1, __ATOMIC_RELAXED);
                    break;
                }
            kfree(box[next][k]);
        }
        __atomic_store_n(&consumed[next], r, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* kheap_check on the hart it runs on walks that hart's cache lists; then the cache is given
 * back, so that the arenas this test grew go back to the frames before the next test. */
static void *check_here(void *arg)
{
    (void)arg;
    int r = kheap_check();
    kheap_flush();
    return (void *)(uintptr_t)r;
}

/* One task pinned to each hart, ROUNDS rounds of: allocate OBJS blocks, publish them, free the
 * next hart's. Then every hart's cache is checked, and the heap holds what it held before. */
KTEST(heap_caches_cross_harts)
{
    struct task *t[MAX_HARTS];
    struct kheap_stats h0, h1;
    n_harts = smp_harts();
    mismatches = 0;
    for (int i = 0; i < MAX_HARTS; i++)
        published[i] = consumed[i] = 0;
    kheap_stats(&h0);
    for (int i = 0; i < n_harts; i++)
        KT_EXPECT((t[i] = task_spawn_on(i, "exchange", exchange, (void *)(uintptr_t)i)));
    for (int i = 0; i < n_harts; i++) {
        KT_EXPECT(task_join(t[i], NULL) == 0);
        task_drop(t[i]);
    }
    KT_EXPECTF(mismatches == 0, "%d objects were wrong or missing", mismatches);
    for (int i = 0; i < n_harts; i++) {
        void *r;
        KT_EXPECT((t[i] = task_spawn_on(i, "check", check_here, NULL)));
        KT_EXPECT(task_join(t[i], &r) == 0 && r == NULL);
        task_drop(t[i]);
    }
    /* The tasks are reaped on their harts, a moment after their joins: a leak never settles. */
    for (int i = 0; i < 1000 && (kheap_stats(&h1), h1.used_bytes != h0.used_bytes); i++)
        task_sleep_ms(1);
    KT_EXPECTF(h1.used_bytes == h0.used_bytes, "heap used %lu -> %lu",
               (unsigned long)h0.used_bytes, (unsigned long)h1.used_bytes);
}

/* A block freed into a cache and freed again: the panic names the cache that holds it. The
 * block is in the middle of a row of used ones, so it has no free neighbour and is cached. */
KTEST_PANICS(heap_cache_double_free_panics)
{
    void *row[32];
    for (int i = 0; i < 32; i++)
        row[i] = kmalloc(64);
    kfree(row[16]);
    kfree(row[16]);
}
