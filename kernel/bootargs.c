/* bootargs.c: finding words in the kernel command line. The line lives in the device tree,
 * which stays where OpenSBI put it, so we keep a pointer rather than a copy.
 */
#include "kernel/bootargs.h"
#include "kernel/printf.h"
#include "kernel/string.h"

/* Every argument some chapter understands (DESIGN.md, "Boot arguments"). */
static const char *const known_args[] = {
    "panic",        /* ch2: panic on purpose, to see a backtrace */
    "hz",           /* ch3: timer interrupts per second */
    "ktest",        /* ch3: run the in-kernel tests (all, or ktest=GLOB) */
    "kbench",       /* ch4: run the benchmarks (all, or kbench=GLOB) */
    "demo",         /* ch8: the chapter 5 task demo instead of the shell */
    "icount",       /* ch9: QEMU runs under -icount, so time is deterministic: the timed
                       in-kernel tests run (kernel/ktest.h) */
    "balance",      /* ch11: balance=off: no periodic balancing between busy harts */
    "trace",        /* ch11: trace=N: record N events per hart, print them at power-off */
    "heapmap",      /* ch11: heapmap=t1: heap maps before and after trace T1, then power off */
    "init",         /* ch7: init=NAME [arg ...]: run a user program; the rest of the line is
                       its arguments, not the kernel's */
};

static const char *cmdline = "";
static const char *init_word;           /* where "init=" starts: the kernel's words end there */

/* The next word at or after p, and its length in *len (0 at the end of the line). */
static const char *next_word(const char *p, size_t *len)
{
    while (*p == ' ')
        p++;
    const char *start = p;
    while (*p && *p != ' ')
        p++;
    *len = (size_t)(p - start);
    return start;
}

static size_t name_length(const char *word, size_t len)
{
    size_t n = 0;
    while (n < len && word[n] != '=')
        n++;
    return n;
}

void bootargs_init(const char *line)
{
    cmdline = line ? line : "";
    size_t len;
    for (const char *w = next_word(cmdline, &len); len; w = next_word(w + len, &len)) {
        size_t n = name_length(w, len);
        if (n == 4 && strncmp(w, "init", 4) == 0) {
            init_word = w;
            break;
        }
        size_t i;
        for (i = 0; i < sizeof(known_args) / sizeof(known_args[0]); i++)
            if (strlen(known_args[i]) == n && strncmp(known_args[i], w, n) == 0)
                break;
        if (i == sizeof(known_args) / sizeof(known_args[0]))
            kprintf("bootargs: unknown argument '%.*s' ignored\n", (int)len, w);
    }
}

const char *bootarg(const char *name, size_t *len)
{
    size_t want = strlen(name), wlen;
    for (const char *w = next_word(cmdline, &wlen); wlen; w = next_word(w + wlen, &wlen)) {
        if (init_word && w > init_word)
            break;                      /* the program's arguments, not ours */
        size_t n = name_length(w, wlen);
        if (n == want && strncmp(w, name, n) == 0) {
            *len = n < wlen ? wlen - n - 1 : 0;
            return n < wlen ? w + n + 1 : w + n;
        }
    }
    return NULL;
}

bool bootarg_u64(const char *name, uint64_t *value)
{
    size_t len;
    const char *v = bootarg(name, &len);
    if (v == NULL)
        return false;
    if (len == 0) {
        kprintf("bootargs: %s needs a value (%s=N); ignored\n", name, name);
        return false;
    }
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9' || n > (UINT64_MAX - 9) / 10) {
            kprintf("bootargs: %s=%.*s is not a number; ignored\n", name, (int)len, v);
            return false;
        }
        n = n * 10 + (uint64_t)(v[i] - '0');
    }
    *value = n;
    return true;
}

const char *bootargs_init_line(void)
{
    return init_word ? init_word + 5 : NULL;
}
