/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "parse.h"
#include "versioncfg.h"
#include "banned.h"

#define VERSION_CFG_MAX 4096

int version_parse_release(const char *s, int *major, int *minor, int *patch, int *rc)
{
    const char *p = strstr(s, "openGauss-");
    int a, b, c, r = 0, n = 0;

    p = p ? p + strlen("openGauss-") : s;
    if (sscanf(p, "%d.%d.%d%n", &a, &b, &c, &n) != 3 || a < 0 || b < 0 || c < 0)
        return -OG_E_CONTENT_INVALID;
    p += n;
    if (strncmp(p, "-RC", 3) == 0) {
        size_t nd = strspn(p + 3, "0123456789");
        char digits[16];

        if (nd == 0 || nd >= sizeof(digits))
            return -OG_E_CONTENT_INVALID;
        snprintf(digits, sizeof(digits), "%.*s", (int)nd, p + 3);
        if (safe_atoi(digits, &r) < 0 || r <= 0)
            return -OG_E_CONTENT_INVALID;
        p += 3 + nd;
    }
    if (*p && !isspace((unsigned char)*p))
        return -OG_E_CONTENT_INVALID;
    *major = a;
    *minor = b;
    *patch = c;
    *rc = r;
    return 0;
}

int version_number_parse(const char *s, int *ret)
{
    char *end = NULL;
    double d;

    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return -OG_E_VERSION_NUMBER;
    d = strtod(s, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    if (!end || *end || !isfinite(d) || d <= 0 || d > 1e6)
        return -OG_E_VERSION_NUMBER;
    *ret = (int)lround(d * 1000.0);
    return 0;
}

void version_number_format(int number, char *buf, size_t size)
{
    snprintf(buf, size, "%d.%03d", number / 1000, number % 1000);
}

static void chomp(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

int version_cfg_parse(const char *text, const char *origin, struct version_cfg *ret,
                      struct og_error *err)
{
    struct version_cfg v = {0};
    char lines[3][128];
    const char *p = text;
    int n = 0, r;

    origin = origin ? origin : "version.cfg";
    while (n < 3 && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        if (len >= sizeof(lines[0]))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of file %s is not correct: line %d is too long",
                                origin, n + 1);
        memcpy(lines[n], p, len);
        lines[n][len] = '\0';
        chomp(lines[n]);
        n++;
        p = nl ? nl + 1 : p + len;
    }
    if (n < 3)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "The content of file %s is not correct: %d line(s), 3 expected", origin,
                            n);
    /* never cut into the fields (a cut product line loses its version) */
    if (strlen(lines[0]) >= sizeof(v.product) || strlen(lines[1]) >= sizeof(v.number_str))
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "The content of file %s is not correct: line %d is too long", origin,
                            strlen(lines[0]) >= sizeof(v.product) ? 1 : 2);

    if (version_parse_release(lines[0], &v.major, &v.minor, &v.patch, &v.rc) < 0)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "The content of file %s is not correct: no version in \"%s\"", origin,
                            lines[0]);
    snprintf(v.product, sizeof(v.product), "%s", lines[0]);
    if (v.rc)
        snprintf(v.version, sizeof(v.version), "%d.%d.%d-RC%d", v.major, v.minor, v.patch, v.rc);
    else
        snprintf(v.version, sizeof(v.version), "%d.%d.%d", v.major, v.minor, v.patch);

    r = version_number_parse(lines[1], &v.number);
    if (r < 0)
        return og_error_set(err, OG_E_VERSION_NUMBER,
                            "The version number of new cluster is [%s]. It should be float. (%s)",
                            lines[1], origin);
    snprintf(v.number_str, sizeof(v.number_str), "%s", lines[1]);

    if (strlen(lines[2]) != 8)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "The content of file %s is not correct: Commit id is wrong.", origin);
    for (int i = 0; i < 8; i++)
        if (!isalnum((unsigned char)lines[2][i]))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of file %s is not correct: Commit id is wrong.",
                                origin);
    memcpy(v.commit, lines[2], 9);
    *ret = v;
    return 0;
}

int version_cfg_read(const char *path, struct version_cfg *ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = fs_read_file(path, VERSION_CFG_MAX, &text, NULL, err);

    if (r < 0)
        return r;
    return version_cfg_parse(text, path, ret, err);
}

int version_cfg_format(const struct version_cfg *v, struct dynbuf *out)
{
    return dynbuf_appendf(out, "%s\n%s\n%s\n", v->product, v->number_str, v->commit);
}

int version_compare(const struct version_cfg *a, const struct version_cfg *b)
{
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    if (a->patch != b->patch)
        return a->patch < b->patch ? -1 : 1;
    /* A release candidate is older than the release; RCs compare equal. */
    if ((a->rc == 0) != (b->rc == 0))
        return a->rc ? -1 : 1;
    return 0;
}
