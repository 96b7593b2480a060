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
    if (b->buf)
        b->buf[0] = '\0';
}

int dynbuf_append(struct dynbuf *b, const void *data, size_t len)
{
    size_t need;

    if (len > b->max || b->len > b->max - len)
        return -OG_E_TOO_LARGE;
    need = b->len + len + 1;
    if (need > b->alloc) {
        size_t n = b->alloc ? b->alloc : 64;
        char *p;

        while (n < need)
            n *= 2;
        p = realloc(b->buf, n);
        if (!p)
            return -OG_E_NOMEM;
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

int dynbuf_appendf(struct dynbuf *b, const char *fmt, ...)
{
    _cleanup_free_ char *s = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -OG_E_NOMEM;
    return dynbuf_append(b, s, (size_t)n);
}

const char *dynbuf_str(const struct dynbuf *b)
{
    return b->buf ? b->buf : "";
}

char *dynbuf_steal(struct dynbuf *b)
{
    char *p = b->buf;

    if (!p)
        p = strdup("");
    dynbuf_init(b, b->max);
    return p;
}
