/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_staticconfig: staticconfig_read on a file holding the input. An input
 * without a "sha256=" line gets the right checksum line appended, so the
 * fuzzer reaches the body's parser instead of stopping at the checksum. */
#include <openssl/sha.h>

#include "fuzz.h"
#include "staticconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *path;
    static struct cluster_config c;
    struct og_error err = {0};
    uint8_t *buf;
    size_t n = size;

    if (!path && asprintf(&path, "%s/cluster_static_config", fuzz_scratch_dir()) < 0)
        abort();
    buf = malloc(size + 8 + 2 * SHA256_DIGEST_LENGTH + 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    if (!memmem(data, size, "sha256=", 7)) {
        unsigned char md[SHA256_DIGEST_LENGTH];

        SHA256(data, size, md);
        memcpy(buf + n, "sha256=", 7);
        n += 7;
        for (int i = 0; i < SHA256_DIGEST_LENGTH; i++, n += 2)
            snprintf((char *)buf + n, 3, "%02x", md[i]);
        buf[n++] = '\n';
    }
    fuzz_write_file(path, buf, n);
    free(buf);
    (void)staticconfig_read(path, &c, &err);
    return 0;
}
