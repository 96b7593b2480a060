/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <string.h>

#include "shquote.h"
#include "banned.h"

static int quote_one(struct dynbuf *b, const char *arg)
{
    int r = dynbuf_append(b, "'", 1);

    for (const char *p = arg; r == 0 && *p; p++) {
        if (*p == '\'')
            r = dynbuf_append(b, "'\\''", 4);
        else
            r = dynbuf_append(b, p, 1);
    }
    if (r == 0)
        r = dynbuf_append(b, "'", 1);
    return r;
}

int shquote_argv(struct dynbuf *b, const char *const *argv)
{
    size_t saved = b->len;
    int r = 0;

    if (!argv || !argv[0])
        return -OG_E_INVALID_ARG;
    for (size_t i = 0; r == 0 && argv[i]; i++) {
        if (i > 0)
            r = dynbuf_append(b, " ", 1);
        if (r == 0)
            r = quote_one(b, argv[i]);
    }
    if (r < 0) {
        /* All or nothing: never leave half a command line behind. */
        b->len = saved;
        if (b->buf)
            b->buf[saved] = '\0';
    }
    return r;
}

int shquote_check_name(const char *what, const char *value, struct og_error *err)
{
    if (!value || !value[0])
        return og_error_set(err, OG_E_UNSAFE_ARG, "the %s is empty", what);
    if (value[0] == '-')
        return og_error_set(err, OG_E_UNSAFE_ARG,
                            "the %s \"%s\" begins with '-' and would be read as an option", what,
                            value);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return og_error_set(err, OG_E_UNSAFE_ARG, "the %s holds a control character (0x%02x)",
                                what, *p);
    return 0;
}
