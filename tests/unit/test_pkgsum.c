/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "pkgsum.h"

#include "../helpers/tmpdir.h"

#define ABC_SHA256   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char dir[64];
static char pkg[128];
static char sum[128];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("pkgsum", dir, sizeof(dir)), 0);
    snprintf(pkg, sizeof(pkg), "%s/openGauss-3.0.0-Debian-64bit.tar.bz2", dir);
    snprintf(sum, sizeof(sum), "%s/openGauss-3.0.0-Debian-64bit.sha256", dir);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(pkgsum, .init = setup, .fini = teardown);

static void put(const char *path, const char *content)
{
    struct og_error err = {0};

    cr_assert_eq(fs_replace_file(path, content, strlen(content), 0644, &err), 0, "%s", err.detail);
}

Test(pkgsum, known_digests)
{
    char hex[PKGSUM_HEX_LEN + 1];
    struct og_error err = {0};

    put(pkg, "abc");
    cr_assert_eq(pkgsum_file(pkg, hex, &err), 0, "%s", err.detail);
    cr_assert_str_eq(hex, ABC_SHA256);
    put(pkg, "");
    cr_assert_eq(pkgsum_file(pkg, hex, &err), 0, "%s", err.detail);
    cr_assert_str_eq(hex, EMPTY_SHA256);
}

Test(pkgsum, large_file_streams)
{
    /* 1 MiB + 3 bytes of a pattern crosses several read chunks; the
     * streamed digest equals the one-shot digest of the whole buffer. */
    size_t n = (1u << 20) + 3;
    char hex[PKGSUM_HEX_LEN + 1], again[PKGSUM_HEX_LEN + 1], whole[PKGSUM_HEX_LEN + 1];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    struct og_error err = {0};
    _cleanup_free_ char *data = malloc(n);

    cr_assert_not_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i * 31 + 7);
    cr_assert_eq(fs_replace_file(pkg, data, n, 0644, &err), 0, "%s", err.detail);
    cr_assert_eq(pkgsum_file(pkg, hex, &err), 0, "%s", err.detail);
    cr_assert_eq(EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL), 1);
    cr_assert_eq(mdlen, 32);
    for (unsigned int i = 0; i < mdlen; i++)
        snprintf(whole + 2 * i, 3, "%02x", md[i]);
    cr_assert_str_eq(hex, whole);
    /* One byte changed anywhere changes the digest. */
    data[n - 1] ^= 1;
    cr_assert_eq(fs_replace_file(pkg, data, n, 0644, &err), 0, "%s", err.detail);
    cr_assert_eq(pkgsum_file(pkg, again, &err), 0, "%s", err.detail);
    cr_assert_str_neq(hex, again);
}

Test(pkgsum, write_is_openGauss_format)
{
    _cleanup_free_ char *text = NULL;
    struct og_error err = {0};
    struct stat st;
    size_t len = 0;

    put(pkg, "abc");
    cr_assert_eq(pkgsum_write(pkg, sum, &err), 0, "%s", err.detail);
    cr_assert_eq(fs_read_file(sum, 4096, &text, &len, &err), 0, "%s", err.detail);
    /* sha256sum | awk '{print $1}': 64 hex characters and a newline, no name. */
    cr_assert_eq(len, 65);
    cr_assert_str_eq(text, ABC_SHA256 "\n");
    cr_assert_eq(stat(sum, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0644);
}

Test(pkgsum, verify_ok)
{
    struct og_error err = {0};

    put(pkg, "abc");
    cr_assert_eq(pkgsum_write(pkg, sum, &err), 0, "%s", err.detail);
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), 0, "%s", err.detail);
}

Test(pkgsum, verify_tolerates_whitespace)
{
    struct og_error err = {0};

    put(pkg, "abc");
    put(sum, ABC_SHA256);
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), 0, "%s", err.detail);
    put(sum, ABC_SHA256 "\r\n");
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), 0, "%s", err.detail);
    put(sum, ABC_SHA256 "  \n\n");
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), 0, "%s", err.detail);
}

Test(pkgsum, tampered_file_fails)
{
    struct og_error err = {0};

    put(pkg, "abc");
    cr_assert_eq(pkgsum_write(pkg, sum, &err), 0, "%s", err.detail);
    put(pkg, "abd");
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), -OG_E_SHA256);
    cr_assert_eq(err.code, OG_E_SHA256);
    cr_assert_not_null(strstr(err.detail, pkg), "detail names the file: %s", err.detail);
    cr_assert_not_null(strstr(err.detail, ABC_SHA256), "detail has the recorded value");
}

Test(pkgsum, bad_sum_files_fail)
{
    struct og_error err = {0};
    char big[8192];

    put(pkg, "abc");
    put(sum, "");
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), -OG_E_SHA256);
    /* sha256sum's own "<hex>  <name>" layout is not what openGauss ships. */
    put(sum, ABC_SHA256 "  openGauss-3.0.0-Debian-64bit.tar.bz2\n");
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), -OG_E_SHA256);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    put(sum, big);
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), -OG_E_SHA256);
}

Test(pkgsum, missing_files_coded)
{
    char hex[PKGSUM_HEX_LEN + 1];
    struct og_error err = {0};

    cr_assert_eq(pkgsum_file(pkg, hex, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(pkgsum_write(pkg, sum, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(access(sum, F_OK), -1, "no sum file for a missing package");
    /* sum file missing */
    put(pkg, "abc");
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), -OG_E_NOT_EXIST);
    /* package missing */
    cr_assert_eq(pkgsum_write(pkg, sum, &err), 0, "%s", err.detail);
    cr_assert_eq(unlink(pkg), 0);
    og_error_clear(&err);
    cr_assert_eq(pkgsum_verify(pkg, sum, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(err.code, OG_E_NOT_EXIST);
}
