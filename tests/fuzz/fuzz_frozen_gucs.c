/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_frozen_gucs: the journal's ogup_frozen_gucs (frozen_gucs_parse);
 * what parses formats and parses back to the same text. */
#include "fuzz.h"
#include "precheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct frozen_gucs g, g2;
    char *text = fuzz_strdup(data, size);
    struct og_error err = {0};
    struct dynbuf a, b;

    if (frozen_gucs_parse(text, &g, &err) == 0) {
        dynbuf_init(&a, 1 << 20);
        dynbuf_init(&b, 1 << 20);
        FUZZ_ASSERT(frozen_gucs_format(&g, &a) == 0);
        FUZZ_ASSERT(frozen_gucs_parse(dynbuf_str(&a), &g2, &err) == 0);
        FUZZ_ASSERT(frozen_gucs_format(&g2, &b) == 0);
        FUZZ_ASSERT(strcmp(dynbuf_str(&a), dynbuf_str(&b)) == 0);
        dynbuf_done(&a);
        dynbuf_done(&b);
    }
    free(text);
    return 0;
}
