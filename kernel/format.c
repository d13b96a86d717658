/* format.c -- the printf engine behind kprintf, panic and ksnprintf (interface in format.h).
 * It parses one conversion at a time and pushes characters through a callback, so it needs
 * no buffer and no allocation; it only reads an argument once it knows the conversion. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/format.h"

/* Widths and precisions are clamped here: "%2147483647d" would otherwise spin for minutes. */
#define FORMAT_MAX_WIDTH 4096

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

/* One parsed conversion: "%-08.3lx" is left, zero, width 8, precision 3, LEN_LONG, 'x'. */
struct spec {
    bool left, zero, plus, space, alt;
    bool width_star, precision_star;
    int width;     /* 0 when absent */
    int precision; /* -1 when absent */
    enum length length;
    char conv; /* '\0' if the format string ended inside the spec */
};

struct sink {
    format_out_fn out;
    void *ctx;
    int count;
};

static void emit(struct sink *s, char c)
{
    s->out(c, s->ctx);
    s->count++;
}

static void emit_repeat(struct sink *s, char c, int n)
{
    while (n-- > 0)
        emit(s, c);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int clamp_width(int64_t n)
{
    return n > FORMAT_MAX_WIDTH ? FORMAT_MAX_WIDTH : (int)n;
}

static int parse_number(const char **p)
{
    int64_t n = 0;
    for (; is_digit(**p); (*p)++)
        n = clamp_width(n * 10 + (**p - '0'));
    return (int)n;
}

/* Parses the text after '%' into sp and returns the character after the conversion. */
static const char *parse_spec(const char *p, struct spec *sp)
{
    *sp = (struct spec){.precision = -1};
    for (;; p++) {
        if (*p == '-')
            sp->left = true;
        else if (*p == '0')
            sp->zero = true;
        else if (*p == '+')
            sp->plus = true;
        else if (*p == ' ')
            sp->space = true;
        else if (*p == '#')
            sp->alt = true;
        else
            break;
    }
    if (*p == '*') {
        sp->width_star = true;
        p++;
    } else
        sp->width = parse_number(&p);
    if (*p == '.') {
        p++;
        if (*p == '*') {
            sp->precision_star = true;
            p++;
        } else
            sp->precision = parse_number(&p); /* "%.d": a lone '.' means precision 0 */
    }
    if (*p == 'h') {
        p++;
        sp->length = (*p == 'h') ? (p++, LEN_CHAR) : LEN_SHORT;
    } else if (*p == 'l') {
        p++;
        sp->length = (*p == 'l') ? (p++, LEN_LLONG) : LEN_LONG;
    } else if (*p == 'z') {
        p++;
        sp->length = LEN_SIZE;
    }
    sp->conv = *p;
    return *p ? p + 1 : p;
}

static bool is_known_conversion(char c)
{
    for (const char *k = "diuxXpsc%"; *k; k++)
        if (*k == c)
            return true;
    return false;
}

/* Star arguments are read only here, after the conversion is known to be valid. */
static void fetch_stars(struct spec *sp, va_list *ap)
{
    if (sp->width_star) {
        int w = va_arg(*ap, int);
        sp->left |= w < 0; /* C11 7.21.6.1p5: a negative width is '-' plus a width */
        sp->width = clamp_width(w < 0 ? -(int64_t)w : w);
    }
    if (sp->precision_star) {
        int pr = va_arg(*ap, int);
        sp->precision = pr < 0 ? -1 : clamp_width(pr); /* negative: as if omitted */
    }
}

static uint64_t fetch_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_LONG: return va_arg(*ap, unsigned long);
    case LEN_LLONG: return va_arg(*ap, unsigned long long);
    case LEN_SIZE: return va_arg(*ap, size_t);
    default: return va_arg(*ap, unsigned int);
    }
}

static int64_t fetch_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR: return (signed char)va_arg(*ap, int);
    case LEN_SHORT: return (short)va_arg(*ap, int);
    case LEN_LONG: return va_arg(*ap, long);
    case LEN_LLONG: return va_arg(*ap, long long);
    case LEN_SIZE: return va_arg(*ap, ptrdiff_t); /* the signed type of size_t's width */
    default: return va_arg(*ap, int);
    }
}

/* Layout: [spaces][sign][0x][zeros][digits][spaces if left-justified]. */
static void emit_number(struct sink *s, const struct spec *sp, uint64_t mag, char sign)
{
    char digits[20]; /* UINT64_MAX has 20 decimal digits */
    bool hex = sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p';
    const char *set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    bool prefix = sp->conv == 'p' || (sp->alt && hex && mag != 0);
    int n = 0;

    for (; mag != 0; mag /= hex ? 16 : 10)
        digits[n++] = set[mag % (hex ? 16 : 10)];
    int min_digits = sp->precision < 0 ? 1 : sp->precision; /* "%.0d" of 0 prints nothing */
    int zeros = min_digits > n ? min_digits - n : 0;
    int used = (sign ? 1 : 0) + (prefix ? 2 : 0) + n;
    if (sp->zero && !sp->left && sp->precision < 0 && sp->width - used > zeros)
        zeros = sp->width - used;
    int pad = sp->width - used - zeros;

    if (!sp->left)
        emit_repeat(s, ' ', pad);
    if (sign)
        emit(s, sign);
    if (prefix) {
        emit(s, '0');
        emit(s, sp->conv == 'X' ? 'X' : 'x');
    }
    emit_repeat(s, '0', zeros);
    while (n > 0)
        emit(s, digits[--n]);
    if (sp->left)
        emit_repeat(s, ' ', pad);
}

static void emit_padded(struct sink *s, const struct spec *sp, const char *str, int len)
{
    if (!sp->left)
        emit_repeat(s, ' ', sp->width - len);
    for (int i = 0; i < len; i++)
        emit(s, str[i]);
    if (sp->left)
        emit_repeat(s, ' ', sp->width - len);
}

static void convert(struct sink *s, struct spec *sp, va_list *ap)
{
    fetch_stars(sp, ap);
    switch (sp->conv) {
    case 'd':
    case 'i': {
        int64_t v = fetch_signed(ap, sp->length);
        /* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
        uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
        char sign = v < 0 ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
        emit_number(s, sp, mag, sign);
        break;
    }
    case 'u':
    case 'x':
    case 'X': emit_number(s, sp, fetch_unsigned(ap, sp->length), 0); break;
    case 'p': {
        void *ptr = va_arg(*ap, void *);
        if (ptr == NULL)
            emit_padded(s, sp, "(nil)", 5);
        else
            emit_number(s, sp, (uintptr_t)ptr, 0);
        break;
    }
    case 'c': {
        char c = (char)va_arg(*ap, int);
        emit_padded(s, sp, &c, 1);
        break;
    }
    case 's': {
        const char *str = va_arg(*ap, const char *);
        if (str == NULL) /* glibc prints "(null)" only when the precision leaves room for it */
            str = (sp->precision < 0 || sp->precision >= 6) ? "(null)" : "";
        int len = 0;
        while (str[len] != '\0' && (sp->precision < 0 || len < sp->precision))
            len++;
        emit_padded(s, sp, str, len);
        break;
    }
    default: /* '%' */ emit(s, '%');
    }
}

int format(format_out_fn out, void *ctx, const char *fmt, va_list ap)
{
    struct sink s = {out, ctx, 0};
    va_list args;

    va_copy(args, ap); /* a local copy, so helpers can take its address portably */
    while (*fmt) {
        if (*fmt != '%') {
            emit(&s, *fmt++);
            continue;
        }
        const char *start = fmt;
        struct spec sp;
        fmt = parse_spec(fmt + 1, &sp);
        if (is_known_conversion(sp.conv)) {
            convert(&s, &sp, &args);
        } else { /* unknown or cut-off conversion: show it as written, read no argument */
            while (start < fmt)
                emit(&s, *start++);
        }
    }
    va_end(args);
    return s.count;
}

/* ksnprintf's output function: store while there is room, always keep counting. */
struct buffer {
    char *buf;
    size_t size;
    size_t pos;
};

static void buffer_put(char c, void *ctx)
{
    struct buffer *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct buffer b = {buf, n, 0};
    int len = format(buffer_put, &b, fmt, ap);
    if (n > 0)
        buf[b.pos < n ? b.pos : n - 1] = '\0';
    return len;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = kvsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return len;
}
