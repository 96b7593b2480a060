/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * versioncfg.h - openGauss version.cfg: three lines
 *     openGauss-3.0.0          product string; version = (\d+\.\d+\.\d+)(-RC\d+)?
 *     92.605                   kernel ("cluster") number, must parse as a float
 *     02c14696                 8-character alphanumeric commit id
 * The same format is read from <app>/bin/upgrade_version and
 * $PGHOST/binary_upgrade/old_upgrade_version.
 *
 * Errors: fewer than three lines or a bad product/commit line -> GAUSS-50222;
 * a number that is not a float -> GAUSS-51628.
 */
#pragma once

#include "dynbuf.h"
#include "ogerror.h"

struct version_cfg {
    char product[64]; /* line 1 as written, e.g. "openGauss-3.0.0" */
    char version[32]; /* "3.0.0" or "7.0.0-RC3" */
    int major, minor, patch;
    int rc;              /* 0 for a release, n for -RCn */
    char number_str[16]; /* line 2 as written, e.g. "92.605" */
    int number;          /* number * 1000, e.g. 92605 */
    char commit[9];      /* line 3 */
};

int version_cfg_parse(const char *text, const char *origin, struct version_cfg *ret,
                      struct og_error *err);
int version_cfg_read(const char *path, struct version_cfg *ret, struct og_error *err);

/* The three lines, newline-terminated. */
int version_cfg_format(const struct version_cfg *v, struct dynbuf *out);

/* Parse "X.Y.Z" or "X.Y.Z-RCn" (with or without "openGauss-"); 0 or -OG_E_CONTENT_INVALID. */
int version_parse_release(const char *s, int *major, int *minor, int *patch, int *rc);

/* Product version order (openGauss cmp_cluster_version): numeric
 * major.minor.patch; an -RCn sorts before the release, two RCs of the same
 * release compare equal. <0, 0, >0. */
int version_compare(const struct version_cfg *a, const struct version_cfg *b);

/* "92.605" -> 92605 (float semantics: "92.6" -> 92600); -OG_E_VERSION_NUMBER. */
int version_number_parse(const char *s, int *ret);
/* 92605 -> "92.605" */
void version_number_format(int number, char *buf, size_t size);
