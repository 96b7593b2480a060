/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * dynbuf.h - a growable byte buffer with a hard maximum (curl's dynbuf idea).
 *
 * Everything that comes from outside (remote output, files, XML) is read into
 * a dynbuf whose max is the limit for that input: going over returns
 * -OG_E_TOO_LARGE and leaves the buffer as it was, never a silent truncation.
 * The content is always NUL-terminated (the NUL is not counted in len).
 */
#pragma once

#include <stddef.h>

#include "cleanup.h"

struct dynbuf {
    char *buf;
    size_t len;
    size_t alloc;
    size_t max; /* largest len allowed */
};

void dynbuf_init(struct dynbuf *b, size_t max);
void dynbuf_done(struct dynbuf *b);
void dynbuf_reset(struct dynbuf *b);

/* 0, -OG_E_TOO_LARGE (content unchanged) or -OG_E_NOMEM. */
int dynbuf_append(struct dynbuf *b, const void *data, size_t len);
int dynbuf_appends(struct dynbuf *b, const char *s);
int dynbuf_appendf(struct dynbuf *b, const char *fmt, ...) _printf_(2, 3);

/* The content as a string ("" when empty; never NULL). */
const char *dynbuf_str(const struct dynbuf *b);

/* Hand the heap buffer to the caller (never NULL on success); b is reset. */
char *dynbuf_steal(struct dynbuf *b);

static inline void dynbuf_donep(struct dynbuf *b)
{
    dynbuf_done(b);
}
#define _cleanup_dynbuf_ _cleanup_(dynbuf_donep)
