/* heap/heapmap.h: the heap map (chapter 11): every block of every arena printed on the console
 * as one framed block of text, which tools/heapmap draws as a picture (and gdb's `kheap --svg`
 * draws the same picture from a stopped kernel). The format is described in heap/heapmap.c.
 */
#ifndef HEAP_HEAPMAP_H
#define HEAP_HEAPMAP_H

#include <stddef.h>

/* Prints the map, named `label` (one word: tools/heapmap names its picture after it). Takes
 * the heap's lock only to copy the blocks' sizes and states, never while printing. Returns 0,
 * or -1 if there were no free pages to copy into (it says so on the console). */
int kheap_print_map(const char *label);

/* Boot argument heapmap=SCENARIO (kernel/main.c): `heapmap=t1` prints the map, replays heap
 * trace T1, prints the map where T1 starts its final drain (label `after`: what a million
 * operations left) and once it has freed everything (`drained`), and powers off with status 0. Returns (the boot goes on) only for an unknown scenario, after saying so. */
void heapmap_run(const char *arg, size_t len);

#endif
