/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"
#include "pkgsum.h"
#include "banned.h"

/* A .sha256 file is 65 bytes; anything much larger is not one. */
#define PKGSUM_FILE_MAX 4096
#define PKGSUM_CHUNK    (64 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)

/* A SHA-256 digest as PKGSUM_HEX_LEN lower-case hex characters. */
static void to_hex(const unsigned char *md, char hex[PKGSUM_HEX_LEN + 1])
{
    for (unsigned int i = 0; i < PKGSUM_HEX_LEN / 2; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[PKGSUM_HEX_LEN] = '\0';
}

struct hashing {
    EVP_MD_CTX *ctx;
    const char *path;
};

static int hash_chunk(void *arg, const void *data, size_t n, struct og_error *err)
{
    struct hashing *h = arg;

    return EVP_DigestUpdate(h->ctx, data, n) == 1
               ? 0
               : og_error_set(err, OG_E_READ_FAILED, "cannot hash \"%s\"", h->path);
}

int pkgsum_file(const char *path, char hex[PKGSUM_HEX_LEN + 1], struct og_error *err)
{
    _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    struct hashing h = {ctx, path};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int r;

    if (!ctx)
        return og_error_set(err, OG_E_NOMEM, "hashing \"%s\"", path);
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        return og_error_set(err, OG_E_NOMEM, "cannot set up SHA256 for \"%s\"", path);
    if ((r = fs_read_chunks(path, PKGSUM_CHUNK, hash_chunk, &h, err)) < 0)
        return r;
    if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen * 2 != PKGSUM_HEX_LEN)
        return og_error_set(err, OG_E_READ_FAILED, "cannot hash \"%s\"", path);
    to_hex(md, hex);
    return 0;
}

int pkgsum_buffer(const void *data, size_t len, char hex[PKGSUM_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen * 2 != PKGSUM_HEX_LEN)
        return -OG_E_NOMEM;
    to_hex(md, hex);
    return 0;
}

int pkgsum_write(const char *file, const char *sumfile, struct og_error *err)
{
    char line[PKGSUM_HEX_LEN + 2];
    int r;

    r = pkgsum_file(file, line, err);
    if (r < 0)
        return r;
    /* awk '{print $1}' ends the line: 64 hex characters and "\n". */
    line[PKGSUM_HEX_LEN] = '\n';
    line[PKGSUM_HEX_LEN + 1] = '\0';
    return fs_replace_file(sumfile, line, PKGSUM_HEX_LEN + 1, 0644, err);
}

int pkgsum_verify(const char *file, const char *sumfile, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char actual[PKGSUM_HEX_LEN + 1];
    size_t len = 0;
    int r;

    r = fs_read_file(sumfile, PKGSUM_FILE_MAX, &text, &len, err);
    if (r == -OG_E_TOO_LARGE)
        return og_error_set(err, OG_E_SHA256,
                            "Failed to check SHA256. The file \"%s\" holds no SHA256 value",
                            sumfile);
    if (r < 0)
        return r;
    r = pkgsum_file(file, actual, err);
    if (r < 0)
        return r;

    /* Like openGauss-OM: the first line, stripped. */
    char *line = text;
    while (*line && isspace((unsigned char)*line))
        line++;
    line[strcspn(line, "\n")] = '\0';
    len = strlen(line);
    while (len > 0 && isspace((unsigned char)line[len - 1]))
        line[--len] = '\0';

    if (strcmp(line, actual) != 0)
        return og_error_set(err, OG_E_SHA256,
                            "Failed to check SHA256. The SHA256 value is different. "
                            "Bin file \"%s\": %s, SHA256 file \"%s\": %.*s",
                            file, actual, sumfile, 80, line[0] ? line : "(empty)");
    return 0;
}
