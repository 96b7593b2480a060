/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <stdio.h>

#include "archive_util.h"
#include "cleanup.h"
#include "banned.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free)

int archive_extract(const char *tarball, const char *dest, struct og_error *err)
{
    _cleanup_(archive_read_freep) struct archive *in = archive_read_new();
    _cleanup_(archive_write_freep) struct archive *out = archive_write_disk_new();
    struct archive_entry *e;
    int r;

    if (!in || !out)
        return og_error_set(err, OG_E_NOMEM, "extracting %s", tarball);
    archive_read_support_filter_all(in);
    archive_read_support_format_all(in);
    /* No "..", no writing through symlinks in the tree; absolute member
     * names are refused below (members are re-rooted under dest). */
    archive_write_disk_set_options(out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                            ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                            ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    if (archive_read_open_filename(in, tarball, 65536) != ARCHIVE_OK)
        return og_error_set(err, OG_E_READ_FAILED, "cannot open \"%s\": %s", tarball,
                            archive_error_string(in));
    while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
        char full[PATH_MAX];
        const void *buf;
        size_t len;
        la_int64_t off;

        const char *member = archive_entry_pathname(e);

        if (!member || member[0] == '/')
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the archive \"%s\" holds an absolute path \"%s\"", tarball,
                                member ? member : "(null)");
        snprintf(full, sizeof(full), "%s/%s", dest, member);
        archive_entry_set_pathname(e, full);
        if (archive_write_header(out, e) != ARCHIVE_OK)
            return og_error_set(err, OG_E_WRITE_FAILED, "cannot extract \"%s\": %s", full,
                                archive_error_string(out));
        while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
            if (archive_write_data_block(out, buf, len, off) != ARCHIVE_OK)
                return og_error_set(err, OG_E_WRITE_FAILED, "cannot write \"%s\": %s", full,
                                    archive_error_string(out));
        if (r != ARCHIVE_EOF)
            return og_error_set(err, OG_E_READ_FAILED, "corrupt member in \"%s\": %s", tarball,
                                archive_error_string(in));
        if (archive_write_finish_entry(out) != ARCHIVE_OK)
            return og_error_set(err, OG_E_WRITE_FAILED, "cannot finish \"%s\"", full);
    }
    if (r != ARCHIVE_EOF)
        return og_error_set(err, OG_E_READ_FAILED, "corrupt archive \"%s\": %s", tarball,
                            archive_error_string(in));
    return 0;
}

