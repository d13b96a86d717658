/* tests/host/trace_dump.c -- writes trace T1 in heapbench's dump format and prints its FNV-1a
 * hash, so `md5sum` can confirm our generator against the published checksum once. */
#include <stdio.h>
#include "tests/bench/trace_t1.h"

static struct t1_gen gen;

static void put(FILE *f, uint64_t value, unsigned n_bytes)
{
    for (unsigned i = 0; i < n_bytes; i++)
        fputc((int)(value >> (8 * i)) & 0xff, f);
}

int main(int argc, char **argv)
{
    FILE *f = fopen(argc > 1 ? argv[1] : "t1.bin", "wb");
    if (!f)
        return 1;
    uint64_t h = t1_hash_bytes(T1_FNV_START, 0x31544248u, 4); /* "HBT1" */
    h = t1_hash_bytes(h, T1_SEED, 8);
    h = t1_hash_bytes(h, T1_OPS, 4);
    fputs("HBT1", f);
    put(f, T1_SEED, 8);
    put(f, T1_OPS, 4);
    struct t1_op op;
    t1_start(&gen, T1_SEED, T1_OPS, T1_LIVE_CAP);
    while (t1_next(&gen, &op)) {
        put(f, op.kind, 1);
        put(f, op.slot, 4);
        put(f, op.size, 4);
        h = t1_hash_op(h, &op);
    }
    fclose(f);
    printf("fnv1a64 0x%016llx\n", (unsigned long long)h);
    return 0;
}
