/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_clusterconfig: clusterconfig_parse_memory (XML, RelaxNG, the C rules);
 * what parses must format and parse back to the same text. */
#include "clusterconfig.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cluster_config c, c2;
    struct og_error err = {0};
    struct dynbuf a, b;

    if (clusterconfig_parse_memory((const char *)data, size, "fuzz.xml", &c, &err) < 0)
        return 0;
    dynbuf_init(&a, 4 * CLUSTERCONFIG_MAX_BYTES);
    dynbuf_init(&b, 4 * CLUSTERCONFIG_MAX_BYTES);
    FUZZ_ASSERT(clusterconfig_format(&c, &a) == 0);
    FUZZ_ASSERT(clusterconfig_parse_memory(dynbuf_str(&a), a.len, "formatted", &c2, &err) == 0);
    FUZZ_ASSERT(clusterconfig_format(&c2, &b) == 0);
    FUZZ_ASSERT(a.len == b.len && memcmp(dynbuf_str(&a), dynbuf_str(&b), a.len) == 0);
    dynbuf_done(&a);
    dynbuf_done(&b);
    return 0;
}
