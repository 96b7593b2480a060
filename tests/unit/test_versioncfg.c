/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "versioncfg.h"

Test(versioncfg, parses_three_lines)
{
    struct version_cfg v;
    struct og_error err = {0};

    cr_assert_eq(version_cfg_parse("openGauss-3.0.0\n92.605\n02c14696\n", NULL, &v, &err), 0, "%s",
                 err.detail);
    cr_assert_str_eq(v.version, "3.0.0");
    cr_assert_str_eq(v.product, "openGauss-3.0.0");
    cr_assert_eq(v.number, 92605);
    cr_assert_str_eq(v.number_str, "92.605");
    cr_assert_str_eq(v.commit, "02c14696");
    cr_assert_eq(v.rc, 0);
    /* CRLF and no final newline are fine */
    cr_assert_eq(version_cfg_parse("openGauss-7.0.0-RC3\r\n93.039\r\nabcdef12", NULL, &v, &err), 0);
    cr_assert_str_eq(v.version, "7.0.0-RC3");
    cr_assert_eq(v.rc, 3);
    cr_assert_eq(v.number, 93039);
}

Test(versioncfg, errors_are_coded)
{
    struct version_cfg v;
    struct og_error err = {0};

    cr_assert_eq(version_cfg_parse("openGauss-3.0.0\n92.605\n", "f", &v, &err),
                 -OG_E_CONTENT_INVALID, "two lines: GAUSS-50222");
    cr_assert_eq(err.code, 50222);
    cr_assert_eq(version_cfg_parse("", "f", &v, &err), -OG_E_CONTENT_INVALID);
    cr_assert_eq(version_cfg_parse("openGauss\n92.605\n02c14696\n", "f", &v, &err),
                 -OG_E_CONTENT_INVALID, "no version number");
    cr_assert_eq(version_cfg_parse("openGauss-3.0.0\nninety\n02c14696\n", "f", &v, &err),
                 -OG_E_VERSION_NUMBER, "GAUSS-51628");
    cr_assert_eq(err.code, 51628);
    cr_assert_eq(version_cfg_parse("openGauss-3.0.0\n92.605x\n02c14696\n", "f", &v, &err),
                 -OG_E_VERSION_NUMBER);
    cr_assert_eq(version_cfg_parse("openGauss-3.0.0\n92.605\n02c1469\n", "f", &v, &err),
                 -OG_E_CONTENT_INVALID, "7-char commit");
    cr_assert_eq(version_cfg_parse("openGauss-3.0.0\n92.605\n02c1469!\n", "f", &v, &err),
                 -OG_E_CONTENT_INVALID, "non-alnum commit");
    cr_assert_eq(version_cfg_parse("openGauss-3.0.0-RCx\n92.605\n02c14696\n", "f", &v, &err),
                 -OG_E_CONTENT_INVALID);
    cr_assert_eq(version_cfg_parse("openGauss-3.0.0-RC0\n92.605\n02c14696\n", "f", &v, &err),
                 -OG_E_CONTENT_INVALID, "RCs count from 1");
    cr_assert_eq(
        version_cfg_parse("openGauss-3.0.0-RC99999999999\n92.605\n02c14696\n", "f", &v, &err),
        -OG_E_CONTENT_INVALID, "an RC number beyond int");
    cr_assert_eq(version_cfg_read("/no/such/version.cfg", &v, &err), -OG_E_NOT_EXIST);
}

Test(versioncfg, format_roundtrip)
{
    struct version_cfg v, w;
    _cleanup_dynbuf_ struct dynbuf b = {0};
    struct og_error err = {0};
    char path[] = "/tmp/ogup-vcfg-XXXXXX";
    int fd = mkstemp(path);

    cr_assert_geq(fd, 0);
    close(fd);
    dynbuf_init(&b, 1024);
    cr_assert_eq(version_cfg_parse("openGauss-2.0.1\n92.298\nd97c0e8a\n", NULL, &v, &err), 0);
    cr_assert_eq(version_cfg_format(&v, &b), 0);
    cr_assert_str_eq(dynbuf_str(&b), "openGauss-2.0.1\n92.298\nd97c0e8a\n");
    cr_assert_eq(fs_replace_file(path, b.buf, b.len, 0600, &err), 0);
    cr_assert_eq(version_cfg_read(path, &w, &err), 0);
    cr_assert_eq(memcmp(&v, &w, sizeof(v)), 0);
    unlink(path);
}

static int cmp(const char *a, const char *b)
{
    struct version_cfg x = {0}, y = {0};

    cr_assert_eq(version_parse_release(a, &x.major, &x.minor, &x.patch, &x.rc), 0, "%s", a);
    cr_assert_eq(version_parse_release(b, &y.major, &y.minor, &y.patch, &y.rc), 0, "%s", b);
    return version_compare(&x, &y);
}

Test(versioncfg, product_order)
{
    cr_assert_lt(cmp("2.0.0", "2.0.1"), 0);
    cr_assert_lt(cmp("2.1.0", "10.0.0"), 0, "numeric, not string");
    cr_assert_gt(cmp("3.0.0", "2.9.9"), 0);
    cr_assert_eq(cmp("5.0.0", "openGauss-5.0.0"), 0);
    cr_assert_lt(cmp("7.0.0-RC1", "7.0.0"), 0, "an RC is older than its release");
    cr_assert_eq(cmp("7.0.0-RC1", "7.0.0-RC3"), 0, "RCs compare equal");
    cr_assert_gt(cmp("7.0.0-RC1", "6.0.0"), 0);
}

Test(versioncfg, numbers)
{
    int n;
    char buf[16];

    cr_assert_eq(version_number_parse("92.298", &n), 0);
    cr_assert_eq(n, 92298);
    cr_assert_eq(version_number_parse("92.3", &n), 0);
    cr_assert_eq(n, 92300, "float semantics");
    cr_assert_eq(version_number_parse(" 93.039 ", &n), 0);
    cr_assert_eq(n, 93039);
    cr_assert_eq(version_number_parse("", &n), -OG_E_VERSION_NUMBER);
    cr_assert_eq(version_number_parse("-1", &n), -OG_E_VERSION_NUMBER);
    cr_assert_eq(version_number_parse("inf", &n), -OG_E_VERSION_NUMBER);
    version_number_format(92072, buf, sizeof(buf));
    cr_assert_str_eq(buf, "92.072");
}
