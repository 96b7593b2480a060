/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_ledger: the fault ledger's JSON (ledger_parse); what parses formats
 * and parses back to the same text. */
#include "fuzz.h"
#include "ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strdup(data, size);
    struct ledger *l = NULL, *l2 = NULL;
    struct og_error err = {0};
    struct dynbuf a, b;

    if (ledger_parse(text, &l, &err) == 0) {
        dynbuf_init(&a, 1 << 24);
        dynbuf_init(&b, 1 << 24);
        FUZZ_ASSERT(ledger_format(l, &a) == 0);
        FUZZ_ASSERT(ledger_parse(dynbuf_str(&a), &l2, &err) == 0);
        FUZZ_ASSERT(ledger_format(l2, &b) == 0);
        FUZZ_ASSERT(strcmp(dynbuf_str(&a), dynbuf_str(&b)) == 0);
        dynbuf_done(&a);
        dynbuf_done(&b);
    }
    ledger_free(l);
    ledger_free(l2);
    free(text);
    return 0;
}
