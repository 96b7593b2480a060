/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * dynbuf.h - a growable byte buffer with a hard maximum (curl's dynbuf idea).
 *
 * Everything that comes from outside (remote output, files, XML) is read into
 * a dynbuf whose max is the limit for that input: going over returns
 * -OG_E_TOO_LARGE and leaves the buffer as it was, never a silent truncation.
 * The content is always NUL-terminated (the NUL is not counted in len).
 *
 * The first failed append is sticky (libvirt's virBuffer): the buffer keeps
 * what it had then, every later append is refused with the same code, and
 * dynbuf_error() tells it once at the end. The int appends cannot be ignored
 * (warn_unused_result, as curl's dynbuf); a builder that writes many pieces
 * uses the void dynbuf_add*() and checks dynbuf_error() once, before the
 * content is used -- so a report cannot lose a chunk from its middle.
 */
#pragma once

#include <stddef.h>

#include "cleanup.h"

struct dynbuf {
    char *buf;
    size_t len;
    size_t alloc;
    size_t max; /* largest len allowed */
    int error;  /* 0, or the first failed append's code (sticky) */
};

void dynbuf_init(struct dynbuf *b, size_t max);
void dynbuf_done(struct dynbuf *b);
void dynbuf_reset(struct dynbuf *b);

/* 0, -OG_E_TOO_LARGE (content unchanged) or -OG_E_NOMEM. */
int dynbuf_append(struct dynbuf *b, const void *data, size_t len) _warn_unused_result_;
int dynbuf_appends(struct dynbuf *b, const char *s) _warn_unused_result_;
int dynbuf_appendf(struct dynbuf *b, const char *fmt, ...) _printf_(2, 3) _warn_unused_result_;

/* The same, for builders: the outcome is kept for dynbuf_error(). */
void dynbuf_add(struct dynbuf *b, const void *data, size_t len);
void dynbuf_adds(struct dynbuf *b, const char *s);
void dynbuf_addf(struct dynbuf *b, const char *fmt, ...) _printf_(2, 3);

/* b fails with code unless it failed already (a piece built apart in
 * another dynbuf that failed: b is not whole either). */
void dynbuf_fail(struct dynbuf *b, int code);
/* from's content appended, or from's failure taken over. */
void dynbuf_add_buf(struct dynbuf *b, const struct dynbuf *from);

/* 0, or the code of the first append that failed since init or reset. */
int dynbuf_error(const struct dynbuf *b) _warn_unused_result_;

/* The content as a string ("" when empty; never NULL). */
const char *dynbuf_str(const struct dynbuf *b);

/* Hand the heap buffer to the caller (never NULL on success; NULL when an
 * append failed: the content is not whole); b is reset. */
char *dynbuf_steal(struct dynbuf *b);

static inline void dynbuf_donep(struct dynbuf *b)
{
    dynbuf_done(b);
}
#define _cleanup_dynbuf_ _cleanup_(dynbuf_donep)
