/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_journal_steps: upgrade_step.csv (journal_steps_parse); what parses
 * formats and parses back to the same text. */
#include "fuzz.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct journal_steps s, s2;
    char *text = fuzz_strdup(data, size);
    struct og_error err = {0};
    struct dynbuf a, b;

    (void)journal_steps_parse(text, "fuzz.csv", "large-binary-upgrade", &s, &err);
    if (journal_steps_parse(text, "fuzz.csv", NULL, &s, &err) == 0) {
        dynbuf_init(&a, 1 << 20);
        dynbuf_init(&b, 1 << 20);
        FUZZ_ASSERT(journal_steps_format(&s, &a, &err) == 0);
        FUZZ_ASSERT(journal_steps_parse(dynbuf_str(&a), "formatted", NULL, &s2, &err) == 0);
        FUZZ_ASSERT(journal_steps_format(&s2, &b, &err) == 0);
        FUZZ_ASSERT(strcmp(dynbuf_str(&a), dynbuf_str(&b)) == 0);
        dynbuf_done(&a);
        dynbuf_done(&b);
    }
    free(text);
    return 0;
}
