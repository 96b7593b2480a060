/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * pkgsig.h - the detached signature of a package: "<package>.sig" beside it,
 * what
 *     openssl dgst -sha256 -sign private.pem -out "$pkg.sig" "$pkg"
 * writes (RSA PKCS#1 v1.5 or ECDSA over the SHA-256 of the package's bytes),
 * checked with the operator's public key (PEM) at PKGSIG_KEY_PATH on each
 * node (OpenSSL EVP_DigestVerify*). The key never comes with the package: a
 * .sha256 shipped beside a package proves it arrived whole (integrity), not
 * who made it (authenticity); the .sig checked with a key the operator put
 * there does.
 */
#pragma once

#include <stdbool.h>

#include "ogerror.h"

#define PKGSIG_KEY_PATH "/etc/ogup/package-key.pem"
#define PKGSIG_SUFFIX   ".sig"

/* file against file.sig with the public key at key (NULL: none configured):
 *  - no key file and no .sig: 0, *ret_authentic = false (integrity only);
 *  - both: 0 and *ret_authentic = true when the signature verifies,
 *    OGUP-60171 when it does not;
 *  - a .sig but no key: OGUP-60172 (nothing to check it with);
 *  - a key but no .sig: OGUP-60171 (a configured key makes signatures
 *    required);
 *  - a key file that is not one public key (RSA or EC, PEM), unreadable:
 *    OGUP-60172. The package's own errors keep their codes (GAUSS-50201,
 *    GAUSS-50204). *ret_authentic is written only on success. */
int pkgsig_check(const char *file, const char *key, bool *ret_authentic, struct og_error *err);

/* Sign file with the private key (PEM) at key into file.sig (0644, replaced
 * crash-safely), as the openssl command above: for the simulator's packages
 * and the tests. */
int pkgsig_sign(const char *file, const char *key, struct og_error *err);
