/* race.h: the race-widening build (chapter 9). A race is a window a few instructions wide:
 * between a hart's two steps, another hart does something. On QEMU such windows are rarely hit;
 * built with -DHARTOS_RACE (`make test` builds this variant under build/variants/race), each
 * RACE_WINDOW() mark spins for a pseudo-random short while, so that another hart has time to
 * walk into the window. The marks sit where chapter 9's races were: after a lock is released,
 * between releasing a task and looking at it, before blocking, in stealing. Normally a mark
 * compiles to nothing.
 */
#ifndef HARTOS_RACE_H
#define HARTOS_RACE_H

#include <stdint.h>

#ifdef HARTOS_RACE
/* A Weyl sequence shared by every hart (one relaxed fetch_add: no lock, no per-hart state, so
 * a mark is safe anywhere, with interrupts on or off), mixed, gives the length of each spin:
 * mostly short, now and then up to a few thousand iterations. */
static inline void race_window(void)
{
    static uint64_t race_seed;
    uint64_t x = __atomic_fetch_add(&race_seed, 0x9e3779b97f4a7c15UL, __ATOMIC_RELAXED);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9UL;
    x ^= x >> 29;
    uint64_t spins = (x & 7) == 0 ? (x >> 8) % 4096 : (x >> 8) % 64;
    for (volatile uint64_t i = 0; i < spins; i++)
        ;
}
#define RACE_WINDOW() race_window()
#else
#define RACE_WINDOW() ((void)0)
#endif

#endif
