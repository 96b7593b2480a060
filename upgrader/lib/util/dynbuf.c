/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"
#include "ogerror.h"
#include "banned.h"

void dynbuf_init(struct dynbuf *b, size_t max)
{
    b->buf = NULL;
    b->len = 0;
    b->alloc = 0;
    b->max = max;
    b->error = 0;
}

void dynbuf_done(struct dynbuf *b)
{
    if (!b)
        return;
    free(b->buf);
    dynbuf_init(b, b->max);
}

void dynbuf_reset(struct dynbuf *b)
{
    b->len = 0;
    b->error = 0;
    if (b->buf)
        b->buf[0] = '\0';
}

static int fail(struct dynbuf *b, int code)
{
    b->error = code;
    return code;
}

int dynbuf_append(struct dynbuf *b, const void *data, size_t len)
{
    size_t need;

    if (b->error)
        return b->error;
    if (len > b->max || b->len > b->max - len)
        return fail(b, -OG_E_TOO_LARGE);
    need = b->len + len + 1;
    if (need > b->alloc) {
        size_t n = b->alloc ? b->alloc : 64;
        char *p;

        while (n < need)
            n *= 2;
        p = realloc(b->buf, n);
        if (!p)
            return fail(b, -OG_E_NOMEM);
        b->buf = p;
        b->alloc = n;
    }
    if (len)
        memcpy(b->buf + b->len, data, len);
    b->len += len;
    b->buf[b->len] = '\0';
    return 0;
}

int dynbuf_appends(struct dynbuf *b, const char *s)
{
    return dynbuf_append(b, s, strlen(s));
}

static int vappendf(struct dynbuf *b, const char *fmt, va_list ap)
{
    _cleanup_free_ char *s = NULL;
    int n;

    if (b->error)
        return b->error;
    n = vasprintf(&s, fmt, ap);
    if (n < 0)
        return fail(b, -OG_E_NOMEM);
    return dynbuf_append(b, s, (size_t)n);
}

int dynbuf_appendf(struct dynbuf *b, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vappendf(b, fmt, ap);
    va_end(ap);
    return r;
}

void dynbuf_add(struct dynbuf *b, const void *data, size_t len)
{
    (void)!dynbuf_append(b, data, len); /* kept in b->error */
}

void dynbuf_adds(struct dynbuf *b, const char *s)
{
    (void)!dynbuf_append(b, s, strlen(s)); /* kept in b->error */
}

void dynbuf_addf(struct dynbuf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)!vappendf(b, fmt, ap); /* kept in b->error */
    va_end(ap);
}

void dynbuf_fail(struct dynbuf *b, int code)
{
    if (!b->error)
        b->error = code < 0 ? code : -OG_E_NOMEM;
}

void dynbuf_add_buf(struct dynbuf *b, const struct dynbuf *from)
{
    if (from->error)
        dynbuf_fail(b, from->error);
    else
        dynbuf_add(b, dynbuf_str(from), from->len);
}

int dynbuf_error(const struct dynbuf *b)
{
    return b->error;
}

const char *dynbuf_str(const struct dynbuf *b)
{
    return b->buf ? b->buf : "";
}

char *dynbuf_steal(struct dynbuf *b)
{
    char *p = b->buf;

    if (b->error) {
        free(p);
        dynbuf_init(b, b->max);
        return NULL;
    }
    if (!p)
        p = strdup("");
    dynbuf_init(b, b->max);
    return p;
}
