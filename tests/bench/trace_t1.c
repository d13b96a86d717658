/* tests/host/trace_t1.c -- trace T1, written from heapbench's specification. The order in which
 * random numbers are drawn is part of the specification: change it and the checksum breaks. */
#include "tests/bench/trace_t1.h"

/* splitmix64: one add and two multiply-xorshift rounds per number. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A number in [0, n): the top 32 random bits scaled by n, no division. */
static uint32_t random_below(uint64_t *state, uint32_t n)
{
    return (uint32_t)(((next_random(state) >> 32) * n) >> 32);
}

static uint32_t random_in(uint64_t *state, uint32_t lo, uint32_t hi)
{
    return lo + random_below(state, hi - lo + 1);
}

/* 60% small (16..128), 30% medium (129..4096), 10% large (4097..65536). */
static uint32_t random_size(uint64_t *state)
{
    uint32_t percent = random_below(state, 100);
    if (percent < 60)
        return random_in(state, 16, 128);
    if (percent < 90)
        return random_in(state, 129, 4096);
    return random_in(state, 4097, 65536);
}

void t1_start(struct t1_gen *g, uint64_t seed, uint32_t n_ops, uint64_t live_cap)
{
    g->rng = seed;
    g->live_bytes = 0;
    g->live_cap = live_cap;
    g->ops_left = n_ops;
    g->n_live = g->n_spare = g->fresh = 0;
    g->deferred_size = 0;
    g->draining = 0;
}

/* Frees a live object chosen uniformly; the last one moves into its place in live[]. */
static void free_one(struct t1_gen *g, struct t1_op *op)
{
    uint32_t pick = random_below(&g->rng, g->n_live);
    uint32_t slot = g->live[pick];
    g->live[pick] = g->live[--g->n_live];
    g->spare[g->n_spare++] = slot;
    g->live_bytes -= g->slot_size[slot];
    *op = (struct t1_op){T1_FREE, slot, g->slot_size[slot]};
}

static void alloc_one(struct t1_gen *g, struct t1_op *op, uint32_t size)
{
    uint32_t slot = g->n_spare ? g->spare[--g->n_spare] : g->fresh++;
    g->slot_size[slot] = size;
    g->live[g->n_live++] = slot;
    g->live_bytes += size;
    *op = (struct t1_op){T1_ALLOC, slot, size};
}

int t1_next(struct t1_gen *g, struct t1_op *op)
{
    /* Drain once the operations left are just enough to free what is live. */
    if (g->ops_left <= g->n_live)
        g->draining = 1;
    if (g->draining && g->n_live == 0)
        return 0;
    g->ops_left--;
    if (g->draining) {
        free_one(g, op);
        return 1;
    }
    /* With nothing live this is an alloc step without drawing the 55% coin. */
    if (g->n_live > 0 && random_below(&g->rng, 100) >= 55) {
        free_one(g, op);
        return 1;
    }
    uint32_t size = g->deferred_size ? g->deferred_size : random_size(&g->rng);
    if (g->live_bytes + size > g->live_cap) {
        g->deferred_size = size; /* try again at the next alloc step */
        free_one(g, op);
        return 1;
    }
    g->deferred_size = 0;
    alloc_one(g, op, size);
    return 1;
}

uint64_t t1_hash_bytes(uint64_t h, uint64_t value, unsigned n_bytes)
{
    for (unsigned i = 0; i < n_bytes; i++) {
        h ^= (value >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t t1_hash_op(uint64_t h, const struct t1_op *op)
{
    h = t1_hash_bytes(h, op->kind, 1);
    h = t1_hash_bytes(h, op->slot, 4);
    return t1_hash_bytes(h, op->size, 4);
}
