/* libc.c: what picolibc needs from an operating system, in hartos's terms: stdin, stdout and
 * stderr (tinystdio streams over read/write on fds 0-2), _exit, and sbrk over brk so that
 * malloc works. crt0.S and the program are linked with this and picolibc's libc.a. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "user/lib/sys.h"

/* Output is kept until a newline (or a full buffer), so a line costs one write and lines of
 * programs running at the same time do not interleave character by character. */
struct out_stream {
    FILE file; /* first: picolibc hands our put/flush a FILE *, which is this */
    int fd;
    size_t used;
    char buf[128];
};

static int out_flush(FILE *f)
{
    struct out_stream *s = (struct out_stream *)f;
    size_t done = 0;
    while (done < s->used) {
        long n = sys_write(s->fd, s->buf + done, s->used - done);
        if (n <= 0) {
            s->used = 0;
            return EOF;
        }
        done += (size_t)n;
    }
    s->used = 0;
    return 0;
}

static int out_put(char c, FILE *f)
{
    struct out_stream *s = (struct out_stream *)f;
    s->buf[s->used++] = c;
    if ((c == '\n' || s->used == sizeof s->buf) && out_flush(f) != 0)
        return EOF;
    return (unsigned char)c;
}

static int in_get(FILE *f)
{
    unsigned char c;
    (void)f;
    return sys_read(0, &c, 1) == 1 ? c : EOF;
}

static struct out_stream out = {FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE),
                                1, 0, {0}};
static struct out_stream err = {FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE),
                                2, 0, {0}};
static FILE in = FDEV_SETUP_STREAM(NULL, in_get, NULL, _FDEV_SETUP_READ);

FILE *const stdin = &in;
FILE *const stdout = &out.file;
FILE *const stderr = &err.file;

/* picolibc's exit() ends here. tinystdio does not flush at exit, so a last line without a
 * newline would be lost: flush it here. */
void _exit(int status)
{
    out_flush(stdout);
    out_flush(stderr);
    sys_exit(status);
}

/* malloc grows its pool with sbrk; the kernel keeps the break (SYS_brk), which starts on the
 * page after the program's last segment. brk returns the new break, or the old one if it
 * could not move. */
void *sbrk(ptrdiff_t increment)
{
    static uintptr_t brk_now;
    if (brk_now == 0)
        brk_now = (uintptr_t)sys_brk(0);
    uintptr_t old = brk_now, want = old + (uintptr_t)increment;
    if (increment != 0) {
        if ((increment > 0 && want < old) || (increment < 0 && want > old) ||
            (uintptr_t)sys_brk(want) != want)
            return (void *)-1;
        brk_now = want;
    }
    return (void *)old;
}
