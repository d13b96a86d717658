/* tests/host/heap_cache_test.c -- the per-hart caches (heap/cache.h) in front of heap/list.c,
 * as executable documentation. The host has one thread, so the test plays several harts:
 * KHEAP_HART_VAR names `hart`, the variable the heap reads to know which hart runs. */
#include "heap/cache.h"
#include "heap/kheap.h"
#include "tests/host/heap_panic.h"

int hart; /* the hart "running" now */

static _Alignas(4096) unsigned char arena[1u << 20];

void test_release(void *base, size_t size)
{
    (void)base;
    (void)size;
}

static int setup(void **state)
{
    (void)state;
    hart = 0;
    kheap_init(arena, sizeof(arena));
    return 0;
}

/* A freed block waits in its hart's cache and comes back to the next kmalloc of its size on
 * that hart, without the lists seeing either call. */
static void test_free_then_alloc_reuses(void **state)
{
    (void)state;
    void *p = kmalloc(100);
    kfree(p);
    struct kheap_stats s = stats();
    assert_int_equal(s.cached_blocks, CACHE_LIST_BYTES / 2 / 128); /* p and its refill's run */
    assert_ptr_equal(kmalloc(100), p);
    assert_int_equal(stats().cached_bytes + 128, s.cached_bytes);
    kfree(p);
    assert_int_equal(kheap_check(), 0);
}

/* The counters add up: every kmalloc and kfree is counted, cached or not. */
static void test_stats_count_every_call(void **state)
{
    (void)state;
    void *p[40];
    for (int i = 0; i < 40; i++)
        p[i] = kmalloc((size_t)(i * 97) % 3000);
    for (int i = 0; i < 40; i += 2)
        kfree(p[i]);
    for (int i = 0; i < 40; i += 2)
        p[i] = kmalloc(64);
    for (int i = 0; i < 40; i++)
        kfree(p[i]);
    struct kheap_stats s = stats();
    assert_int_equal(s.allocs, 60);
    assert_int_equal(s.frees, 60);
    assert_int_equal(s.used_bytes, 0);
    kheap_flush();
    s = stats();
    assert_int_equal(s.cached_blocks, 0);
    assert_int_equal(s.free_blocks, 1);
    assert_int_equal(s.allocs, 60);
}

/* A block allocated on one hart and freed on another goes to the cache of the hart that frees
 * it; each cache is checked by kheap_check, and a flush empties only its own hart's. */
static void test_cross_hart_free(void **state)
{
    (void)state;
    enum { N = 64 };
    void *p[N];
    hart = 0;
    for (int i = 0; i < N; i++) {
        p[i] = kmalloc(200);
        memset(p[i], i, 200);
    }
    hart = 1;
    for (int i = 0; i < N; i += 2)
        kfree(p[i]);
    assert_int_equal(kheap_check(), 0);
    hart = 2;
    void *q = kmalloc(200); /* hart 2's cache is empty: a refill, never hart 1's blocks */
    for (int i = 1; i < N; i += 2)
        assert_ptr_not_equal(q, p[i - 1]);
    hart = 1;
    void *r = kmalloc(200); /* hart 1 gets back a block hart 0 allocated */
    int found = 0;
    for (int i = 0; i < N; i += 2)
        found += r == p[i];
    assert_int_equal(found, 1);
    for (int i = 1; i < N; i += 2)
        for (int k = 0; k < 200; k++)
            assert_int_equal(((unsigned char *)p[i])[k], i);
    kfree(r);
    hart = 2;
    kfree(q);
    hart = 3;
    for (int i = 1; i < N; i += 2)
        kfree(p[i]);
    assert_int_equal(kheap_check(), 0);
    for (hart = 0; hart < KHEAP_HARTS; hart++)
        kheap_flush();
    assert_int_equal(stats().free_blocks, 1);
    assert_int_equal(kheap_check(), 0);
}

/* A list never holds more than CACHE_LIST_BYTES: the rest goes back to the lists. */
static void test_lists_are_bounded(void **state)
{
    (void)state;
    enum { N = 200 };
    void *p[N];
    for (int i = 0; i < N; i++)
        p[i] = kmalloc(48 - 16 + 1); /* blocks of 64 bytes */
    for (int i = 0; i < N; i++)
        kfree(p[i]);
    assert_true(stats().cached_bytes <= CACHE_LIST_BYTES);
    assert_int_equal(kheap_check(), 0);
}

/* Misuse the cache must not hide: a second kfree of a cached block names the hart whose cache
 * holds it, whichever hart frees it again; krealloc of a cached block too. */
static void test_double_free_into_cache(void **state)
{
    (void)state;
    char msg[128];
    void *p = kmalloc(64), *guard = kmalloc(64);
    (void)guard;
    kfree(p);
    snprintf(msg, sizeof(msg), "double free of %#lx (already freed, in hart 0's cache)",
             (unsigned long)p);
    EXPECT_PANIC(kfree(p), msg);
    hart = 3;
    EXPECT_PANIC(kfree(p), msg);
    EXPECT_PANIC(krealloc(p, 10), msg);
    EXPECT_PANIC(kfree((char *)p + 16), "which is not a heap block"); /* inside it */
}

/* kheap_check walks the caches too: a broken list is named. */
static void test_check_sees_a_broken_list(void **state)
{
    (void)state;
    void *a = kmalloc(64), *b = kmalloc(64), *guard = kmalloc(64);
    (void)guard;
    kfree(a);
    kfree(b);
    ((struct cached_block *)((char *)b - KHEAP_HDR))->next = (void *)((char *)a + 8);
    EXPECT_PANIC(kheap_check(), "cache list 80 broken");
}

/* When the lists have no room, kmalloc gives this hart's cached blocks back and tries again:
 * a cache never makes kmalloc fail. */
static void test_exhaustion_flushes_the_cache(void **state)
{
    (void)state;
    static void *p[4000];
    int n = 0;
    while ((p[n] = kmalloc(500)) != NULL)
        n++;
    for (int i = 0; i < n; i++)
        kfree(p[i]);
    assert_true(stats().cached_blocks > 0);
    void *big = kmalloc(sizeof(arena) - 4096);
    assert_non_null(big);
    kfree(big);
    assert_int_equal(kheap_check(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_free_then_alloc_reuses, setup),
        cmocka_unit_test_setup(test_stats_count_every_call, setup),
        cmocka_unit_test_setup(test_cross_hart_free, setup),
        cmocka_unit_test_setup(test_lists_are_bounded, setup),
        cmocka_unit_test_setup(test_double_free_into_cache, setup),
        cmocka_unit_test_setup(test_check_sees_a_broken_list, setup),
        cmocka_unit_test_setup(test_exhaustion_flushes_the_cache, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
