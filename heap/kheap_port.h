/* heap/kheap_port.h -- everything the heap needs from its surroundings, so that list.c compiles
 * unchanged in the kernel (freestanding) and on the host (tests, fuzzer, heapbench).
 * Host builds define KHEAP_HOST; every hook can be overridden with -D (the tests do). */
#ifndef HEAP_KHEAP_PORT_H
#define HEAP_KHEAP_PORT_H
#include <stddef.h>
#include <stdint.h>

#ifdef KHEAP_HOST
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef KHEAP_PANIC
#define KHEAP_PANIC kheap_host_panic
static inline __attribute__((noreturn, format(printf, 1, 2))) void kheap_host_panic(const char *fmt,
                                                                                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("panic: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
#else
/* A test's replacement (e.g. one that longjmps back into the test); must not return. */
__attribute__((noreturn, format(printf, 1, 2))) void KHEAP_PANIC(const char *fmt, ...);
#endif
#ifndef KHEAP_RELEASE
#define KHEAP_RELEASE(base, size) ((void)(base), (void)(size))
#else
void KHEAP_RELEASE(void *base, size_t size); /* a test's counter (-DKHEAP_RELEASE=name) */
#endif

#else /* kernel: freestanding, the kernel links in these three functions */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
#ifndef KHEAP_PANIC
#define KHEAP_PANIC panic
__attribute__((noreturn)) void panic(const char *fmt, ...);
#endif
#ifndef KHEAP_RELEASE
/* Gives the pages of a wholly free added arena back to the frame allocator. Called with the
 * heap lock held, so it must not call kmalloc (lock order: heap, then frames). */
#define KHEAP_RELEASE(base, size) kheap_release_pages(base, size)
void kheap_release_pages(void *base, size_t size);
#endif
#endif

/* When kmalloc finds no room: add memory for a request of `need` bytes and return 0, or
 * return -1. Called without the heap lock. The host's arenas are all there is. */
#ifndef KHEAP_GROW
#ifdef KHEAP_HOST
#define KHEAP_GROW(need) ((void)(need), -1)
#else
#define KHEAP_GROW(need) kheap_grow(need)
int kheap_grow(size_t need);
#endif
#endif

/* One lock around every entry point: in the kernel a spinlock (heap/heap.c); on the host
 * nothing. Lock order: the heap's lock, then the frame allocator's (KHEAP_RELEASE runs under
 * the heap's lock and frees pages); KHEAP_GROW runs without the heap's lock. */
#if !defined(KHEAP_LOCK) && !defined(KHEAP_HOST)
#include "kernel/spinlock.h"
extern struct spinlock kheap_lock;
#define KHEAP_LOCK() spin_lock(&kheap_lock)
#define KHEAP_UNLOCK() spin_unlock(&kheap_lock)
#endif
#ifndef KHEAP_LOCK
#define KHEAP_LOCK()   ((void)0)
#define KHEAP_UNLOCK() ((void)0)
#endif

/* The per-hart caches (heap/cache.h): how many harts have one, this hart's, and interrupts
 * off around it (no lock: only its hart touches it). The kernel finds its hart's cache in one
 * load off tp, with interrupts off (chapter 9: a task may move between reading tp and using
 * what it found; the race build checks this through this_hart()), and toggles sstatus.SIE
 * with one csrrci and one csrs, the value saved being 0 or SIE. The host has one hart, 0,
 * unless a test names an int variable that says which one is running
 * (-DKHEAP_HART_VAR=name), to play several. */
#ifdef KHEAP_HOST
#ifndef KHEAP_HARTS
#define KHEAP_HARTS 4
#endif
#ifdef KHEAP_HART_VAR
extern int KHEAP_HART_VAR;
#define KHEAP_CACHE() (&kheap_caches[KHEAP_HART_VAR])
#else
#define KHEAP_CACHE() (&kheap_caches[0])
#endif
#define KHEAP_INTR_SAVE()      0ul
#define KHEAP_INTR_RESTORE(on) ((void)(on))
#define KHEAP_TRACE_CACHE(refill, n, size) ((void)(refill), (void)(n), (void)(size))
#else
#include "kernel/hart.h"
#define KHEAP_HARTS MAX_HARTS
#ifdef HARTOS_RACE
#define KHEAP_CACHE() (this_hart()->heap_cache)
#else
#define KHEAP_CACHE()                                                                          \
    ({                                                                                         \
        struct kheap_cache *c_;                                                                \
        __asm__ volatile("ld %0, %1(tp)" : "=r"(c_) : "i"(offsetof(struct hart, heap_cache))); \
        c_;                                                                                    \
    })
#endif
#define KHEAP_INTR_SAVE()      intr_save()
#define KHEAP_INTR_RESTORE(on) csr_set(sstatus, on)
/* ch11: a refill or drain of this hart's cache, for the trace (kernel/trace.h): 1 refill, 0
 * drain, with the blocks moved and their size. Two instructions when tracing is off. */
#include "kernel/trace.h"
#define KHEAP_TRACE_CACHE(refill, n, size) \
    TRACE((refill) ? TR_CACHE_REFILL : TR_CACHE_DRAIN, 0, (n), (size), 0)
#endif
#endif
