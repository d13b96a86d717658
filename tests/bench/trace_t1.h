/* tests/host/trace_t1.h -- our generator of heap trace T1 (specified in heapbench's README): a
 * million kmalloc/kfree operations from a fixed seed, bit-identical on the host and in the
 * kernel, where `make bench` replays it. Freestanding: <stdint.h> only, no allocation. */
#ifndef TESTS_TRACE_T1_H
#define TESTS_TRACE_T1_H
#include <stdint.h>

#define T1_SEED     0x5EEDC0DEull
#define T1_OPS      1000000u
#define T1_LIVE_CAP (4u << 20) /* live payload never exceeds 4 MiB */
#define T1_SLOTS    (1u << 18) /* 4 MiB / 16 B: more objects cannot be live */
#define T1_ALLOC    0u
#define T1_FREE     1u

struct t1_op {
    uint32_t kind; /* T1_ALLOC or T1_FREE */
    uint32_t slot; /* names the object; unique among live objects, reused after its free */
    uint32_t size; /* bytes requested (for a free: the size it was allocated with) */
};

/* ~3 MiB: give it static storage. */
struct t1_gen {
    uint64_t rng;
    uint64_t live_bytes, live_cap;
    uint32_t ops_left;      /* including the drain at the end */
    uint32_t n_live;        /* objects live now: live[0..n_live) */
    uint32_t n_spare;       /* freed slots ready for reuse: spare[0..n_spare) */
    uint32_t fresh;         /* slots never used start here */
    uint32_t deferred_size; /* an alloc that did not fit under the cap waits here (0: none) */
    int draining;
    uint32_t live[T1_SLOTS];
    uint32_t slot_size[T1_SLOTS];
    uint32_t spare[T1_SLOTS];
};

void t1_start(struct t1_gen *g, uint64_t seed, uint32_t n_ops, uint64_t live_cap);
/* Fills *op and returns 1, or returns 0 when the trace is over (everything freed). */
int t1_next(struct t1_gen *g, struct t1_op *op);

/* FNV-1a over the bytes of heapbench's dump format ("HBT1", seed, n_ops, then per op
 * {u8 kind, u32 slot, u32 size} little-endian), so the dump need not be written. */
#define T1_FNV_START 0xcbf29ce484222325ull
uint64_t t1_hash_bytes(uint64_t h, uint64_t value, unsigned n_bytes);
uint64_t t1_hash_op(uint64_t h, const struct t1_op *op);
#endif
