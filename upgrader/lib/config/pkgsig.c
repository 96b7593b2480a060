/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * pkgsig.c - detached package signatures with OpenSSL EVP (EVP_DigestSign*,
 * EVP_DigestVerify*: openssl's own apps/dgst.c does the same for
 * "openssl dgst -sha256 -sign/-verify"). No crypto of our own.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"
#include "pkgsig.h"
#include "banned.h"

#define PKGSIG_KEY_MAX (64 * 1024) /* a PEM key file */
#define PKGSIG_SIG_MAX 4096        /* RSA-16384 signs in 2048 bytes */
#define PKGSIG_CHUNK   (64 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY *, EVP_PKEY_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(BIO *, BIO_free)

/* An encrypted private key is refused, never prompted for. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

static const char *ssl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;

    ERR_clear_error();
    return r ? r : "unknown reason";
}

/* The PEM key at path: public, or private when private_key. RSA or EC only
 * (they sign a streamed SHA-256). */
static int read_key(const char *path, bool private_key, EVP_PKEY **ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    _cleanup_(BIO_freep) BIO *bio = NULL;
    _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
    size_t len = 0;
    int r = fs_read_file(path, PKGSIG_KEY_MAX, &text, &len, err);

    if (r < 0)
        return og_error_set(err, OG_E_PKG_KEY, "cannot read the package signing key \"%s\"", path);
    bio = BIO_new_mem_buf(text, (int)len);
    if (!bio)
        return og_error_set(err, OG_E_NOMEM, "reading \"%s\"", path);
    k = private_key ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
                    : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    if (!k)
        return og_error_set(err, OG_E_PKG_KEY, "\"%s\" holds no PEM %s key: %s", path,
                            private_key ? "private" : "public", ssl_reason());
    if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(k) != EVP_PKEY_EC)
        return og_error_set(err, OG_E_PKG_KEY, "the key in \"%s\" is not an RSA or EC key", path);
    *ret = steal_ptr(k);
    return 0;
}

/* Feed file's bytes to a DigestSign (sign) or DigestVerify context. */
static int feed(const char *file, EVP_MD_CTX *ctx, bool sign, struct og_error *err)
{
    _cleanup_free_ unsigned char *chunk = malloc(PKGSIG_CHUNK);
    _cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return og_error_set_errno(err, errno == ENOENT ? OG_E_NOT_EXIST : OG_E_READ_FAILED, errno,
                                  "cannot open \"%s\"", file);
    if (!chunk)
        return og_error_set(err, OG_E_NOMEM, "reading \"%s\"", file);
    for (;;) {
        ssize_t n = read(fd, chunk, PKGSIG_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot read \"%s\"", file);
        if (n == 0)
            return 0;
        if ((sign ? EVP_DigestSignUpdate(ctx, chunk, (size_t)n)
                  : EVP_DigestVerifyUpdate(ctx, chunk, (size_t)n)) != 1)
            return og_error_set(err, OG_E_READ_FAILED, "cannot hash \"%s\": %s", file,
                                ssl_reason());
    }
}

static int verify(const char *file, const char *sig, const char *key, struct og_error *err)
{
    _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    _cleanup_(EVP_PKEY_freep) EVP_PKEY *pub = NULL;
    _cleanup_free_ char *s = NULL;
    size_t len = 0;
    int r = read_key(key, false, &pub, err);

    if (r < 0)
        return r;
    r = fs_read_file(sig, PKGSIG_SIG_MAX, &s, &len, err);
    if (r == -OG_E_TOO_LARGE)
        return og_error_set(err, OG_E_PKG_SIGNATURE, "\"%s\" is larger than a signature", sig);
    if (r < 0)
        return r;
    if (!ctx)
        return og_error_set(err, OG_E_NOMEM, "verifying \"%s\"", file);
    if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub) != 1)
        return og_error_set(err, OG_E_PKG_KEY, "cannot verify with \"%s\": %s", key, ssl_reason());
    r = feed(file, ctx, false, err);
    if (r < 0)
        return r;
    if (EVP_DigestVerifyFinal(ctx, (const unsigned char *)s, len) != 1) {
        ERR_clear_error();
        return og_error_set(err, OG_E_PKG_SIGNATURE,
                            "the signature \"%s\" of \"%s\" does not verify with the key \"%s\"",
                            sig, file, key);
    }
    return 0;
}

int pkgsig_check(const char *file, const char *key, bool *ret_authentic, struct og_error *err)
{
    char sig[PATH_MAX];
    struct stat st;
    bool have_sig, have_key;
    int r;

    if (snprintf(sig, sizeof(sig), "%s%s", file, PKGSIG_SUFFIX) >= (int)sizeof(sig))
        return og_error_set(err, OG_E_TOO_LARGE, "the path \"%s\" is too long", file);
    have_sig = lstat(sig, &st) == 0 || errno != ENOENT;
    have_key = key && (lstat(key, &st) == 0 || errno != ENOENT);
    if (!have_sig && !have_key) {
        *ret_authentic = false;
        return 0;
    }
    if (!have_key)
        return og_error_set(err, OG_E_PKG_KEY,
                            "\"%s\" is signed but no package signing key is configured (%s)", file,
                            key ? key : "none");
    if (!have_sig)
        return og_error_set(err, OG_E_PKG_SIGNATURE,
                            "\"%s\" has no signature \"%s\" and the signing key \"%s\" is "
                            "configured",
                            file, sig, key);
    r = verify(file, sig, key, err);
    if (r < 0)
        return r;
    *ret_authentic = true;
    return 0;
}

int pkgsig_sign(const char *file, const char *key, struct og_error *err)
{
    _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    _cleanup_(EVP_PKEY_freep) EVP_PKEY *priv = NULL;
    _cleanup_free_ unsigned char *s = NULL;
    char sig[PATH_MAX];
    size_t len = 0;
    int r = read_key(key, true, &priv, err);

    if (r < 0)
        return r;
    if (snprintf(sig, sizeof(sig), "%s%s", file, PKGSIG_SUFFIX) >= (int)sizeof(sig))
        return og_error_set(err, OG_E_TOO_LARGE, "the path \"%s\" is too long", file);
    if (!ctx)
        return og_error_set(err, OG_E_NOMEM, "signing \"%s\"", file);
    if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, priv) != 1)
        return og_error_set(err, OG_E_PKG_KEY, "cannot sign with \"%s\": %s", key, ssl_reason());
    r = feed(file, ctx, true, err);
    if (r < 0)
        return r;
    if (EVP_DigestSignFinal(ctx, NULL, &len) != 1 || !(s = malloc(len)) ||
        EVP_DigestSignFinal(ctx, s, &len) != 1)
        return og_error_set(err, OG_E_PKG_KEY, "cannot sign \"%s\" with \"%s\": %s", file, key,
                            ssl_reason());
    return fs_replace_file(sig, s, len, 0644, err);
}
