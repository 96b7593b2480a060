/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_versioncfg: version_cfg_parse; what parses formats and parses back. */
#include "fuzz.h"
#include "versioncfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strdup(data, size);
    struct version_cfg v, v2;
    struct og_error err = {0};
    struct dynbuf a, b;

    if (version_cfg_parse(text, "version.cfg", &v, &err) == 0) {
        dynbuf_init(&a, 4096);
        dynbuf_init(&b, 4096);
        FUZZ_ASSERT(version_cfg_format(&v, &a) == 0);
        FUZZ_ASSERT(version_cfg_parse(dynbuf_str(&a), "formatted", &v2, &err) == 0);
        FUZZ_ASSERT(version_cfg_format(&v2, &b) == 0);
        FUZZ_ASSERT(strcmp(dynbuf_str(&a), dynbuf_str(&b)) == 0);
        FUZZ_ASSERT(v.number == v2.number && v.major == v2.major && v.rc == v2.rc);
        dynbuf_done(&a);
        dynbuf_done(&b);
    }
    free(text);
    return 0;
}
