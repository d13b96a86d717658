/* tests/host/heap_fuzz.c -- libFuzzer target: the input is a program of heap operations, three
 * bytes each (operation, slot, size), run on a fresh 256 KiB heap with kheap_check after every
 * one. Any panic, sanitizer report or wrong byte in a live block is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "heap/kheap.h"

static _Alignas(4096) unsigned char arena[256 << 10];
static struct {
    unsigned char *p;
    size_t size;
} slot[64];

/* Mostly small sizes, some up to ~220 KiB so that exhaustion is reachable too. */
static size_t size_from(uint8_t v)
{
    return v < 192 ? v : (size_t)(v - 192) * 3500;
}

static void check_fill(int s)
{
    for (size_t k = 0; k < slot[s].size; k++)
        if (slot[s].p[k] != (unsigned char)s)
            abort();
}

static void put(int s, void *p, size_t size)
{
    slot[s].p = p;
    slot[s].size = p ? size : 0;
    if (p)
        memset(p, s, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    kheap_init(arena, sizeof(arena));
    memset(slot, 0, sizeof(slot));
    for (size_t i = 0; i + 3 <= n; i += 3) {
        int s = data[i + 1] % 64;
        size_t size = size_from(data[i + 2]);
        switch (data[i] % 4) {
        case 0:
            if (!slot[s].p)
                put(s, kmalloc(size), size);
            break;
        case 1:
            if (slot[s].p) {
                check_fill(s);
                kfree(slot[s].p);
                slot[s].p = NULL;
            }
            break;
        case 2:
            if (slot[s].p) {
                check_fill(s);
                void *q = krealloc(slot[s].p, size);
                if (q || size == 0)
                    put(s, q, size);
            }
            break;
        case 3:
            if (!slot[s].p)
                put(s, kmalloc_aligned(size, (size_t)16 << (data[i] / 4 % 9)), size);
            break;
        }
        kheap_check();
    }
    for (int s = 0; s < 64; s++)
        if (slot[s].p) {
            check_fill(s);
            kfree(slot[s].p);
        }
    struct kheap_stats st;
    kheap_flush(); /* this hart's cached blocks back to the lists, where they merge */
    kheap_stats(&st);
    if (st.free_blocks != 1)
        abort();
    return kheap_check();
}
