/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * test_pkgsig.c - detached package signatures (issue 15): keys generated and
 * packages signed here with OpenSSL EVP (as `openssl dgst -sha256 -sign`),
 * checked by pkgsig_check: good, tampered package, wrong key, missing key,
 * missing signature, a key file that is no key; pkgsig_sign against the
 * test's own verification; the precheck worker's refusal of a signed package
 * on a node with no key.
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "pkgsig.h"
#include "pkgsum.h"
#include "precheck.h"

#include "../helpers/tmpdir.h"

static char dir[64], pkg[128], sig[128], pub[128], priv[128], other[128];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("pkgsig", dir, sizeof(dir)), 0);
    snprintf(pkg, sizeof(pkg), "%s/openGauss-3.0.0-Debian-64bit.tar.bz2", dir);
    snprintf(sig, sizeof(sig), "%s.sig", pkg);
    snprintf(pub, sizeof(pub), "%s/key.pub.pem", dir);
    snprintf(priv, sizeof(priv), "%s/key.pem", dir);
    snprintf(other, sizeof(other), "%s/other.pub.pem", dir);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(pkgsig, .init = setup, .fini = teardown);

static void put(const char *path, const void *data, size_t len)
{
    struct og_error err = {0};
    cr_assert_eq(fs_replace_file(path, data, len, 0644, &err), 0, "%s", err.detail);
}

/* A new key; its public half written to pubpath, the private one to privpath
 * (when not NULL). */
static EVP_PKEY *new_key(bool rsa, const char *pubpath, const char *privpath)
{
    EVP_PKEY *k = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    FILE *f;

    cr_assert_not_null(k);
    f = fopen(pubpath, "w");
    cr_assert_not_null(f);
    cr_assert_eq(PEM_write_PUBKEY(f, k), 1);
    fclose(f);
    if (privpath) {
        f = fopen(privpath, "w");
        cr_assert_not_null(f);
        cr_assert_eq(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
        fclose(f);
    }
    return k;
}

/* pkg.sig = the SHA-256 signature of the bytes of pkg (what `openssl dgst
 * -sha256 -sign` writes). */
static void sign(EVP_PKEY *k, const char *data)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char s[1024];
    size_t len = sizeof(s);

    cr_assert_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k), 1);
    cr_assert_eq(EVP_DigestSign(ctx, s, &len, (const unsigned char *)data, strlen(data)), 1);
    EVP_MD_CTX_free(ctx);
    put(sig, s, len);
}

static int check(const char *key, bool *authentic)
{
    struct og_error err = {0};
    int r = pkgsig_check(pkg, key, authentic, &err);
    cr_log_info("pkgsig_check: %d %s", r, err.detail);
    return r;
}

Test(pkgsig, good_signature_verifies_ec_and_rsa)
{
    for (int rsa = 0; rsa < 2; rsa++) {
        EVP_PKEY *k = new_key(rsa, pub, NULL);
        bool authentic = false;

        put(pkg, "the package\n", 12);
        sign(k, "the package\n");
        cr_assert_eq(check(pub, &authentic), 0);
        cr_assert(authentic);
        EVP_PKEY_free(k);
    }
}

Test(pkgsig, tampered_package_refused)
{
    EVP_PKEY *k = new_key(false, pub, NULL);
    bool authentic = false;

    put(pkg, "the package\n", 12);
    sign(k, "the package\n");
    put(pkg, "the packagE\n", 12);
    cr_assert_eq(check(pub, &authentic), -OG_E_PKG_SIGNATURE);
    cr_assert_not(authentic);
    EVP_PKEY_free(k);
}

Test(pkgsig, tampered_signature_refused)
{
    EVP_PKEY *k = new_key(true, pub, NULL);
    bool authentic = false;
    _cleanup_free_ char *s = NULL;
    size_t len = 0;

    put(pkg, "the package\n", 12);
    sign(k, "the package\n");
    cr_assert_eq(fs_read_file(sig, 4096, &s, &len, NULL), 0);
    s[len / 2] ^= 1;
    put(sig, s, len);
    cr_assert_eq(check(pub, &authentic), -OG_E_PKG_SIGNATURE);
    EVP_PKEY_free(k);
}

Test(pkgsig, wrong_key_refused)
{
    EVP_PKEY *k = new_key(false, pub, NULL);
    EVP_PKEY *o = new_key(false, other, NULL);
    bool authentic = false;

    put(pkg, "the package\n", 12);
    sign(k, "the package\n");
    cr_assert_eq(check(other, &authentic), -OG_E_PKG_SIGNATURE);
    cr_assert_not(authentic);
    EVP_PKEY_free(k);
    EVP_PKEY_free(o);
}

Test(pkgsig, signature_without_a_configured_key_refused)
{
    EVP_PKEY *k = new_key(false, pub, NULL);
    bool authentic = false;

    put(pkg, "the package\n", 12);
    sign(k, "the package\n");
    cr_assert_eq(check(other, &authentic), -OG_E_PKG_KEY, "no file at the key's path");
    cr_assert_eq(check(NULL, &authentic), -OG_E_PKG_KEY, "no key path at all");
    EVP_PKEY_free(k);
}

Test(pkgsig, configured_key_requires_a_signature)
{
    EVP_PKEY *k = new_key(false, pub, NULL);
    bool authentic = false;

    put(pkg, "the package\n", 12);
    cr_assert_eq(check(pub, &authentic), -OG_E_PKG_SIGNATURE);
    EVP_PKEY_free(k);
}

Test(pkgsig, neither_key_nor_signature_is_integrity_only)
{
    bool authentic = true;

    put(pkg, "the package\n", 12);
    cr_assert_eq(check(pub, &authentic), 0);
    cr_assert_not(authentic);
    authentic = true;
    cr_assert_eq(check(NULL, &authentic), 0);
    cr_assert_not(authentic);
}

Test(pkgsig, a_key_file_that_is_no_public_key_refused)
{
    EVP_PKEY *k = new_key(false, pub, priv);
    bool authentic = false;

    put(pkg, "the package\n", 12);
    sign(k, "the package\n");
    put(other, "not a key\n", 10);
    cr_assert_eq(check(other, &authentic), -OG_E_PKG_KEY);
    cr_assert_eq(check(priv, &authentic), -OG_E_PKG_KEY, "a private key is not the public one");
    EVP_PKEY_free(k);
}

Test(pkgsig, oversized_signature_refused)
{
    static char big[8192];
    EVP_PKEY *k = new_key(false, pub, NULL);
    bool authentic = false;

    put(pkg, "the package\n", 12);
    put(sig, big, sizeof(big));
    cr_assert_eq(check(pub, &authentic), -OG_E_PKG_SIGNATURE);
    EVP_PKEY_free(k);
}

/* pkgsig_sign writes what OpenSSL verifies as a SHA-256 signature. */
Test(pkgsig, sign_writes_an_openssl_signature)
{
    EVP_PKEY *k = new_key(false, pub, priv);
    struct og_error err = {0};
    _cleanup_free_ char *s = NULL;
    size_t len = 0;
    bool authentic = false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    put(pkg, "the package\n", 12);
    cr_assert_eq(pkgsig_sign(pkg, priv, &err), 0, "%s", err.detail);
    cr_assert_eq(fs_read_file(sig, 4096, &s, &len, NULL), 0);
    cr_assert_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k), 1);
    cr_assert_eq(
        EVP_DigestVerify(ctx, (unsigned char *)s, len, (const unsigned char *)"the package\n", 12),
        1);
    cr_assert_eq(check(pub, &authentic), 0);
    cr_assert(authentic);
    cr_assert_eq(pkgsig_sign(pkg, pub, &err), -OG_E_PKG_KEY, "a public key cannot sign");
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
}

/* The worker's package check (precheck "package-sha256" on every node): a
 * signed package on a node where no key is configured is refused, not
 * taken on its checksum alone; an unsigned one passes (integrity only). */
Test(pkgsig, precheck_refuses_a_signed_package_without_a_key)
{
    EVP_PKEY *k = new_key(false, pub, NULL);
    struct og_error err = {0};
    char sum[128];

    if (access(PKGSIG_KEY_PATH, F_OK) == 0)
        cr_skip_test("%s is configured on this host", PKGSIG_KEY_PATH);
    snprintf(sum, sizeof(sum), "%s/openGauss-3.0.0-Debian-64bit.sha256", dir);
    unlink(pub);
    put(pkg, "the package\n", 12);
    cr_assert_eq(pkgsum_write(pkg, sum, &err), 0, "%s", err.detail);
    cr_assert_eq(precheck_local_sha256(dir, &err), 0, "%s", err.detail);
    sign(k, "the package\n");
    cr_assert_eq(precheck_local_sha256(dir, &err), -OG_E_PKG_KEY, "%s", err.detail);
    EVP_PKEY_free(k);
}
