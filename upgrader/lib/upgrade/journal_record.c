/* SPDX-License-Identifier: MulanPSL-2.0 */
/* upgradeRecord.txt: openGauss's history of upgrades ($GPHOME), one
 * centre-padded row per action (journal.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs.h"
#include "journal.h"
#include "journal_int.h"
#include "banned.h"

#define RECORD_FILE_MAX    (16 * 1024 * 1024) /* upgradeRecord.txt */
#define RECORD_DETAILS_MAX JOURNAL_DETAILS_CHARS

/* openGauss UPGRADE_INIT_INFO / UPGRADE_RECORD_FORMAT_WIDTH */
static const char *const record_header[8] = {"action",         "status",         "time",
                                             "oldVersionInfo", "newVersionInfo", "oldPkgSha256",
                                             "newPkgSha256",   "details"};
static const int record_width[8] = {19, 20, 22, 50, 50, 70, 70, 70};

/* ---- upgradeRecord.txt ------------------------------------------------------- */

static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* Python str.center(width): left = marg/2 + (marg & width & 1). */
static int append_centered(struct dynbuf *b, const char *s, int width)
{
    size_t len = utf8_chars(s);
    size_t marg = len < (size_t)width ? (size_t)width - len : 0;
    size_t left = marg / 2 + (marg & (size_t)width & 1);
    int r = dynbuf_appendf(b, "%*s", (int)left, "");

    if (r == 0)
        r = dynbuf_appends(b, s);
    if (r == 0)
        r = dynbuf_appendf(b, "%*s", (int)(marg - left), "");
    return r;
}

static int append_row(struct dynbuf *b, const char *const fields[8])
{
    int r = dynbuf_appends(b, "|");

    for (int i = 0; r == 0 && i < 8; i++) {
        r = append_centered(b, fields[i], record_width[i]);
        if (r == 0)
            r = dynbuf_appends(b, "|");
    }
    return r == 0 ? dynbuf_appends(b, "\n") : r;
}

int journal_record_append(const char *path, const struct journal_record *r, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    _cleanup_free_ char *old = NULL;
    char details[JOURNAL_DETAILS_SIZE], now[32];
    const char *fields[8];
    size_t chars = 0, o = 0;
    int rc;

    dynbuf_init(&b, RECORD_FILE_MAX);
    const char *checked[7] = {r->action,      r->status,     r->time,      r->old_version,
                              r->new_version, r->old_sha256, r->new_sha256};
    for (int i = 0; i < 7; i++)
        if ((i < 2 && !*checked[i]) || (*checked[i] && !journal_safe_token(checked[i], "|")))
            return og_error_set(err, OG_E_INVALID_ARG, "upgrade record: bad %s field",
                                record_header[i]);
    /* openGauss: newlines become spaces, > 512 characters are cut + "......";
     * ogup also blanks '|' and control characters, which would break the row. */
    for (const char *s = r->details; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c & 0xc0) != 0x80 &&
            (chars++ == RECORD_DETAILS_MAX || o + 4 + sizeof("......") > sizeof(details))) {
            memcpy(details + o, "......", 6);
            o += 6;
            break;
        }
        details[o++] = (c < 0x20 || c == 0x7f || c == '|') ? ' ' : (char)c;
    }
    details[o] = '\0';
    if (!*r->time) {
        time_t t = time(NULL);
        struct tm tm;

        localtime_r(&t, &tm);
        strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S", &tm);
    }
    fields[0] = r->action;
    fields[1] = r->status;
    fields[2] = *r->time ? r->time : now;
    fields[3] = r->old_version;
    fields[4] = r->new_version;
    fields[5] = r->old_sha256;
    fields[6] = r->new_sha256;
    fields[7] = details;

    rc = fs_read_file(path, RECORD_FILE_MAX, &old, NULL, err);
    if (rc == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        rc = append_row(&b, record_header);
    } else if (rc == 0) {
        rc = dynbuf_appends(&b, old);
        if (rc == 0 && b.len > 0 && b.buf[b.len - 1] != '\n')
            rc = dynbuf_appends(&b, "\n");
        if (rc < 0)
            rc = og_error_set(err, -rc, "upgrade record \"%s\"", path);
    } else {
        return rc;
    }
    if (rc == 0 && (rc = append_row(&b, fields)) < 0)
        rc = og_error_set(err, -rc, "upgrade record \"%s\"", path);
    if (rc < 0)
        return rc;
    return fs_replace_file(path, b.buf, b.len, 0600, err);
}

static int split_row(const char *line, size_t len, const char *f[8], size_t flen[8])
{
    const char *p = line, *end = line + len;
    int n = 0;

    if (len < 2 || line[0] != '|' || line[len - 1] != '|')
        return -1;
    p++;
    while (p < end) {
        const char *bar = memchr(p, '|', (size_t)(end - p));

        if (!bar || n == 8)
            return -1;
        f[n] = p;
        flen[n] = (size_t)(bar - p);
        journal_trim(&f[n], &flen[n]);
        n++;
        p = bar + 1;
    }
    return n == 8 ? 0 : -1;
}

int journal_record_parse(const char *text, const char *origin, struct journal_record **ret,
                         size_t *ret_n, struct og_error *err)
{
    _cleanup_free_ struct journal_record *rows = NULL;
    const char *p = text, *line, *f[8];
    size_t len, flen[8], n = 0, alloc = 0, lineno = 1;

    if (!journal_next_line(&p, &line, &len) || split_row(line, len, f, flen) < 0)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the content of file %s is not correct: no header row", origin);
    for (int i = 0; i < 8; i++)
        if (flen[i] != strlen(record_header[i]) || memcmp(f[i], record_header[i], flen[i]) != 0)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the content of file %s is not correct: header column %d is "
                                "not \"%s\"",
                                origin, i + 1, record_header[i]);
    while (journal_next_line(&p, &line, &len)) {
        struct journal_record *r;

        lineno++;
        if (len == 0)
            continue;
        if (split_row(line, len, f, flen) < 0)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the content of file %s is not correct: line %zu is not 8 "
                                "'|'-separated columns",
                                origin, lineno);
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 16;
            struct journal_record *nr = reallocarray(rows, na, sizeof(*rows));

            if (!nr)
                return og_error_set(err, OG_E_NOMEM, "parsing \"%s\"", origin);
            rows = nr;
            alloc = na;
        }
        r = &rows[n];
        memset(r, 0, sizeof(*r));
        char *dst[8] = {r->action,      r->status,     r->time,       r->old_version,
                        r->new_version, r->old_sha256, r->new_sha256, r->details};
        size_t dsz[8] = {sizeof(r->action),      sizeof(r->status),      sizeof(r->time),
                         sizeof(r->old_version), sizeof(r->new_version), sizeof(r->old_sha256),
                         sizeof(r->new_sha256),  sizeof(r->details)};
        for (int i = 0; i < 8; i++)
            if (!journal_copy_str(dst[i], dsz[i], f[i], flen[i]))
                return og_error_set(err, OG_E_CONTENT_INVALID,
                                    "the content of file %s is not correct: line %zu column "
                                    "%s is too long",
                                    origin, lineno, record_header[i]);
        n++;
    }
    *ret = steal_ptr(rows);
    *ret_n = n;
    return 0;
}

int journal_record_read(const char *path, struct journal_record **ret, size_t *ret_n,
                        struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = fs_read_file(path, RECORD_FILE_MAX, &text, NULL, err);

    return r < 0 ? r : journal_record_parse(text, path, ret, ret_n, err);
}
