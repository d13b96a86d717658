/* tests/host/heap_test.c -- the heap's behaviour, as executable documentation. Built twice
 * (Makefile): against heap/list.c and against heap/list_plain.c, with ASan and UBSan.
 * KHEAP_PANIC is test_panic here: it longjmps back so a test can read the panic message. */
#include "heap/bump.h"
#include "heap/kheap.h"
#include "tests/host/heap_panic.h"
#include "tests/bench/trace_t1.h"

#define ARENA_SIZE (1u << 20)
static _Alignas(4096) unsigned char arena[ARENA_SIZE];
static _Alignas(4096) unsigned char arena2[64 << 10];
static _Alignas(4096) unsigned char big_arena[16u << 20];

static int releases;
static void *released_base;
static size_t released_size;
void test_release(void *base, size_t size)
{
    releases++;
    released_base = base;
    released_size = size;
}

/* Freed blocks of the sizes heap/cache.h keeps wait in this hart's cache, not merged into
 * the lists: a test that looks at the lists' shape gives them back first. */
static struct kheap_stats lists_stats(void)
{
    kheap_flush();
    return stats();
}

static int setup(void **state)
{
    (void)state;
    kheap_init(arena, ARENA_SIZE);
    releases = 0;
    return 0;
}

static void assert_aligned(const void *p, size_t align)
{
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % align, 0);
}

/* kmalloc(0) is a unique minimal block; impossible sizes are NULL, never a wrapped small block. */
static void test_edge_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 15, 16, 17, 4096};
    void *p[6];
    for (int i = 0; i < 6; i++) {
        p[i] = kmalloc(sizes[i]);
        assert_aligned(p[i], 16);
        memset(p[i], 0xab, sizes[i]);
    }
    void *zero2 = kmalloc(0);
    assert_non_null(zero2);
    assert_ptr_not_equal(zero2, p[0]);
    assert_null(kmalloc(ARENA_SIZE));
    assert_null(kmalloc(SIZE_MAX));
    assert_null(kmalloc(SIZE_MAX - 15));
    assert_null(kmalloc(SIZE_MAX / 2 + 1));
    assert_null(kzalloc(SIZE_MAX));
    assert_null(kmalloc_aligned(SIZE_MAX - 64, 64));
    assert_int_equal(kheap_check(), 0);
    kfree(NULL);
    for (int i = 0; i < 6; i++)
        kfree(p[i]);
    kfree(zero2);
    assert_int_equal(lists_stats().free_blocks, 1);
    assert_int_equal(kheap_check(), 0);
}

static void test_alignment_of_every_pointer(void **state)
{
    (void)state;
    void *p[200];
    for (int i = 0; i < 200; i++)
        assert_aligned(p[i] = kmalloc((size_t)(i * 37) % 3000), 16);
    for (int i = 0; i < 200; i += 2)
        kfree(p[i]);
    for (int i = 0; i < 200; i += 2)
        assert_aligned(p[i] = kmalloc((size_t)(i * 53) % 1500 + 1), 16);
    for (int i = 0; i < 200; i++)
        kfree(p[i]);
    assert_int_equal(kheap_check(), 0);
}

static void test_kmalloc_aligned(void **state)
{
    (void)state;
    void *keep = kmalloc(24); /* so the heap does not start out aligned by luck */
    for (size_t align = 32; align <= 4096; align *= 2) {
        for (size_t n = 1; n < 9000; n = n * 3 + 7) {
            void *p = kmalloc_aligned(n, align);
            assert_aligned(p, align);
            memset(p, 0x5a, n);
            assert_int_equal(kheap_check(), 0);
            kfree(p);
        }
    }
    void *small = kmalloc_aligned(10, 8); /* below 16: plain kmalloc */
    assert_aligned(small, 16);
    kfree(small);
    assert_null(kmalloc_aligned(10, 48)); /* not a power of two */
    kfree(keep);
    assert_int_equal(lists_stats().free_blocks, 1);
    assert_int_equal(kheap_check(), 0);
}

static void test_kzalloc_zeroes(void **state)
{
    (void)state;
    void *dirty = kmalloc(5000);
    memset(dirty, 0xee, 5000);
    kfree(dirty);
    unsigned char *p = kzalloc(5000);
    assert_non_null(p);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(p[i], 0);
    kfree(p);
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

/* n blocks of `size` bytes, sorted by address; asserts they are adjacent, `block` bytes apart. */
static void alloc_row(uintptr_t *row, int n, size_t size, size_t block)
{
    for (int i = 0; i < n; i++)
        row[i] = (uintptr_t)kmalloc(size);
    qsort(row, (size_t)n, sizeof(*row), by_address);
    for (int i = 1; i < n; i++)
        assert_int_equal(row[i] - row[i - 1], block);
}

static void test_krealloc(void **state)
{
    (void)state;
    char *p = krealloc(NULL, 100); /* NULL: kmalloc */
    assert_non_null(p);
    memset(p, 7, 100);
    char *q = krealloc(p, 40); /* shrink: in place */
    assert_ptr_equal(q, p);
    q = krealloc(q, 3000); /* grow: contents kept */
    for (int i = 0; i < 40; i++)
        assert_int_equal(q[i], 7);
    assert_null(krealloc(q, SIZE_MAX)); /* fails: q untouched */
    assert_int_equal(q[39], 7);
    size_t frees = stats().frees;
    assert_null(krealloc(q, 0)); /* 0: frees */
    assert_int_equal(stats().frees, frees + 1);

    uintptr_t row[3]; /* grow in place into a free neighbour */
    alloc_row(row, 3, 100, 128);
    kfree((void *)row[1]);
    kheap_flush(); /* row[1] is in the cache; given back, it is a free neighbour */
    memset((void *)row[0], 9, 100);
    char *r = krealloc((void *)row[0], 200);
    assert_ptr_equal(r, (void *)row[0]);
    assert_int_equal(r[99], 9);
    assert_int_equal(kheap_check(), 0);
    kfree(r);
    kfree((void *)row[2]);
    assert_int_equal(lists_stats().free_blocks, 1);
    assert_int_equal(kheap_check(), 0);
}

static void test_exhaustion_returns_null(void **state)
{
    (void)state;
    static void *p[2000];
    int n = 0;
    while ((p[n] = kmalloc(1000)) != NULL)
        n++;
    assert_true(n > 900 && n < 1100);
    assert_null(kmalloc(1000));
    assert_int_equal(kheap_check(), 0);
    while (n--)
        kfree(p[n]);
    struct kheap_stats s = lists_stats();
    assert_int_equal(s.free_blocks, 1);
    assert_true(s.largest_free > ARENA_SIZE - 128);
    assert_non_null(kmalloc(s.largest_free - 16)); /* the documented promise of largest_free */
}

/* Five adjacent 128-byte blocks x0..x4 and no other free space; x0 and x4 are guards. */
static void coalesce_case(const char *frees, size_t want_blocks, size_t want_largest)
{
    uintptr_t x[5];
    kheap_init(arena, ARENA_SIZE);
    alloc_row(x, 5, 112, 128);
    struct kheap_stats s = lists_stats();
    assert_int_equal(s.free_blocks, 1);
    assert_non_null(kmalloc(s.largest_free - 16));
    assert_int_equal(stats().free_blocks, 0);
    for (const char *f = frees; *f; f++)
        kfree((void *)x[*f - '0']);
    s = lists_stats();
    assert_int_equal(s.free_blocks, want_blocks);
    assert_int_equal(s.largest_free, want_largest);
    assert_int_equal(kheap_check(), 0);
}

static void test_coalescing_every_neighbour_case(void **state)
{
    (void)state;
    coalesce_case("2", 1, 128);   /* used-FREED-used: nothing to merge */
    coalesce_case("13", 2, 128);  /* free-used-free stays apart */
    coalesce_case("12", 1, 256);  /* free-FREED: merge with the block before */
    coalesce_case("32", 1, 256);  /* FREED-free: merge with the block after */
    coalesce_case("132", 1, 384); /* free-FREED-free: all three */
    coalesce_case("312", 1, 384); /* the same, other order */
    coalesce_case("123", 1, 384); /* in address order */
}

static void test_misuse_is_caught(void **state)
{
    (void)state;
    char *p = kmalloc(64), *q = kmalloc(64);
    char msg[96];
    kfree(p);
    snprintf(msg, sizeof(msg), "double free of %#lx", (unsigned long)p);
    EXPECT_PANIC(kfree(p), msg);

    /* A double free after the block was merged into the free block in front of it: its own
     * header is gone, so kfree must not trust the stale one left in memory. */
    kheap_init(arena, ARENA_SIZE);
    uintptr_t three[3];
    alloc_row(three, 3, 100, 128);
    kfree((void *)three[0]);
    kfree((void *)three[1]); /* merges into three[0]'s free block */
    snprintf(msg, sizeof(msg), "double free of %#lx", (unsigned long)three[1]);
    EXPECT_PANIC(kfree((void *)three[1]), msg);

    kheap_init(arena, ARENA_SIZE);
    p = kmalloc(64);
    int on_stack;
    EXPECT_PANIC(kfree(&on_stack), "which is not a heap block");
    EXPECT_PANIC(kfree(p + 16), "which is not a heap block"); /* inside a block */
    EXPECT_PANIC(kfree(p + 1), "which is not a heap block");  /* misaligned */
    EXPECT_PANIC(krealloc(p + 32, 10), "which is not a heap block");

    kheap_init(arena, ARENA_SIZE);
    p = kmalloc(64);
    ((uint64_t *)p)[-1] ^= 0x100; /* smash the canary */
    snprintf(msg, sizeof(msg), "corrupt header at %#lx", (unsigned long)(p - 16));
    EXPECT_PANIC(kfree(p), msg);

    kheap_init(arena, ARENA_SIZE); /* an overflow into the next block's header */
    uintptr_t row[2];
    alloc_row(row, 2, 100, 128);
    memset((char *)row[0], 0x41, 128 + 8);
    snprintf(msg, sizeof(msg), "corrupt header at %#lx", (unsigned long)(row[1] - 16));
    EXPECT_PANIC(kfree((void *)row[1]), msg);
    EXPECT_PANIC(kheap_check(), "corrupt header");
    (void)q;
}

/* An added arena goes back through KHEAP_RELEASE once all of it is free; the first never does. */
static void test_arena_add_and_release(void **state)
{
    (void)state;
    assert_int_equal(kheap_add_arena(arena2, 100), -1); /* too small to hold a block */
    assert_int_equal(kheap_add_arena(arena2, sizeof(arena2)), 0);
    struct kheap_stats s = stats();
    assert_int_equal(s.arenas, 2);
    assert_int_equal(s.arena_bytes, ARENA_SIZE + sizeof(arena2));
    static void *p[2000];
    int n = 0, in_second = 0;
    while ((p[n] = kmalloc(1000)) != NULL)
        in_second += (unsigned char *)p[n++] >= arena2 &&
                     (unsigned char *)p[n - 1] < arena2 + sizeof(arena2);
    assert_true(in_second > 50);
    assert_int_equal(kheap_check(), 0);
    for (int i = 0; i < n; i++)
        kfree(p[i]);
    kheap_flush(); /* cached blocks hold the arena until they are given back */
    assert_int_equal(releases, 1);
    assert_ptr_equal(released_base, arena2);
    assert_int_equal(released_size, sizeof(arena2));
    s = stats();
    assert_int_equal(s.arenas, 1);
    assert_int_equal(s.releases, 1);
    assert_int_equal(s.free_blocks, 1);
    assert_int_equal(kheap_check(), 0);
}

/* splitmix64 again: the test's own randomness, independent of the trace. */
static uint64_t rng_state = 42;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#define SLOTS 1024
#ifndef CHECK_EVERY_OP_UNTIL /* -DCHECK_EVERY_OP_UNTIL=20000 for a quick run */
#define CHECK_EVERY_OP_UNTIL 1000000
#endif
static struct {
    unsigned char *p;
    size_t size;
    unsigned char fill;
} live[SLOTS];

static void fill(int i)
{
    live[i].fill = (unsigned char)(rnd() | 1);
    memset(live[i].p, live[i].fill, live[i].size);
}

static void verify(int i)
{
    for (size_t k = 0; k < live[i].size; k++)
        if (live[i].p[k] != live[i].fill)
            fail_msg("block %p byte %zu overwritten", (void *)live[i].p, k);
}

static size_t random_size(void)
{
    uint64_t r = rnd();
    switch (r % 16) {
    case 0: return (size_t)(r >> 8) % 40000;
    case 1:
    case 2:
    case 3: return (size_t)(r >> 8) % 4096;
    default: return (size_t)(r >> 8) % 300;
    }
}

/* 1,000,000 random kmalloc / kmalloc_aligned / kzalloc / krealloc / kfree against a shadow
 * model whose fill patterns are verified before every free, and kheap_check after every
 * operation (about 15 s under ASan; CHECK_EVERY_OP_UNTIL shortens that for quick runs). */
static void test_random_against_model(void **state)
{
    (void)state;
    memset(live, 0, sizeof(live));
    for (long op = 0; op < 1000000; op++) {
        int i = (int)(rnd() % SLOTS);
        unsigned what = (unsigned)(rnd() % 10);
        if (live[i].p && what < 6) {
            verify(i);
            kfree(live[i].p);
            live[i].p = NULL;
        } else if (live[i].p) {
            size_t n = random_size(), keep = n < live[i].size ? n : live[i].size;
            unsigned char *q = krealloc(live[i].p, n);
            if (q || n == 0) {
                live[i].p = q;
                live[i].size = n;
                for (size_t k = 0; k < keep; k++)
                    if (q[k] != live[i].fill)
                        fail_msg("krealloc lost byte %zu", k);
            }
            if (live[i].p)
                fill(i);
        } else {
            size_t n = random_size();
            if (what == 0)
                live[i].p = kmalloc_aligned(n, (size_t)16 << (rnd() % 9));
            else if (what == 1)
                live[i].p = kzalloc(n);
            else
                live[i].p = kmalloc(n);
            if (!live[i].p)
                continue; /* exhaustion is allowed: the arena is 1 MiB */
            assert_aligned(live[i].p, 16);
            live[i].size = n;
            if (what == 1)
                for (size_t k = 0; k < n; k++)
                    assert_int_equal(live[i].p[k], 0);
            fill(i);
        }
        if (op < CHECK_EVERY_OP_UNTIL || op % 1000 == 0)
            kheap_check();
    }
    for (int i = 0; i < SLOTS; i++)
        if (live[i].p) {
            verify(i);
            kfree(live[i].p);
        }
    assert_int_equal(lists_stats().free_blocks, 1);
    assert_int_equal(kheap_check(), 0);
}

/* Our generator reproduces heapbench's T1: FNV-1a of the dump bytes. The md5 of the dump
 * itself (de8a4c06a50abdeef4aa434ef2ff0eed) is checked by `make trace-md5`. */
#define T1_FNV 0xf7b81b57967f62f8ull
static struct t1_gen gen;
static void *t1_ptr[T1_SLOTS];

static void test_trace_t1_checksum(void **state)
{
    (void)state;
    uint64_t h = t1_hash_bytes(T1_FNV_START, 0x31544248u, 4); /* "HBT1" */
    h = t1_hash_bytes(h, T1_SEED, 8);
    h = t1_hash_bytes(h, T1_OPS, 4);
    struct t1_op op;
    unsigned long allocs = 0, frees = 0;
    t1_start(&gen, T1_SEED, T1_OPS, T1_LIVE_CAP);
    while (t1_next(&gen, &op)) {
        h = t1_hash_op(h, &op);
        allocs += op.kind == T1_ALLOC;
        frees += op.kind == T1_FREE;
    }
    assert_int_equal(allocs, 500000);
    assert_int_equal(frees, 500000);
    assert_int_equal(h, T1_FNV);
}

/* T1 in a 16 MiB arena: no failure, every object intact when freed. */
static void test_trace_t1_replay(void **state)
{
    (void)state;
    kheap_init(big_arena, sizeof(big_arena));
    struct t1_op op;
    long n = 0;
    t1_start(&gen, T1_SEED, T1_OPS, T1_LIVE_CAP);
    while (t1_next(&gen, &op)) {
        if (op.kind == T1_ALLOC) {
            uint32_t *p = kmalloc(op.size);
            assert_aligned(p, 16);
            p[0] = p[op.size / 4 - 1] = op.slot;
            t1_ptr[op.slot] = p;
        } else {
            uint32_t *p = t1_ptr[op.slot];
            assert_int_equal(p[0], op.slot);
            assert_int_equal(p[op.size / 4 - 1], op.slot);
            kfree(p);
        }
        if (++n % 10000 == 0)
            kheap_check();
    }
    assert_int_equal(lists_stats().free_blocks, 1);
    assert_int_equal(kheap_check(), 0);
}

/* The bump allocator reuses nothing while anything is live: one long-lived block pins it. */
static void test_bump_allocator_limit(void **state)
{
    (void)state;
    bump_init(arena, 4096);
    assert_aligned(bump_alloc(1, 0), 16);
    assert_aligned(bump_alloc(1, 256), 256);
    assert_null(bump_alloc(SIZE_MAX, 16));
    assert_null(bump_alloc(8, 24));
    bump_init(arena, 4096);
    void *pinned = bump_alloc(16, 16);
    int rounds = 0;
    for (void *p; (p = bump_alloc(64, 16)) != NULL; rounds++)
        bump_free(p); /* live count never reaches 0: the space is gone anyway */
    assert_int_equal(rounds, (4096 - 16) / 64);
    bump_free(pinned); /* now 0 live: everything comes back */
    assert_int_equal(bump_live(), 0);
    assert_ptr_equal(bump_alloc(64, 16), arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_edge_sizes, setup),
        cmocka_unit_test_setup(test_alignment_of_every_pointer, setup),
        cmocka_unit_test_setup(test_kmalloc_aligned, setup),
        cmocka_unit_test_setup(test_kzalloc_zeroes, setup),
        cmocka_unit_test_setup(test_krealloc, setup),
        cmocka_unit_test_setup(test_exhaustion_returns_null, setup),
        cmocka_unit_test_setup(test_coalescing_every_neighbour_case, setup),
        cmocka_unit_test_setup(test_misuse_is_caught, setup),
        cmocka_unit_test_setup(test_arena_add_and_release, setup),
        cmocka_unit_test_setup(test_random_against_model, setup),
        cmocka_unit_test(test_trace_t1_checksum),
        cmocka_unit_test(test_trace_t1_replay),
        cmocka_unit_test(test_bump_allocator_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
