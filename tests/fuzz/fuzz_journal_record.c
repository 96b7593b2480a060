/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_journal_record: $GPHOME/upgradeRecord.txt (journal_record_parse). */
#include "fuzz.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strdup(data, size);
    struct journal_record *r = NULL;
    struct og_error err = {0};
    size_t n = 0;

    if (journal_record_parse(text, "upgradeRecord.txt", &r, &n, &err) == 0)
        for (size_t i = 0; i < n; i++)
            FUZZ_ASSERT(strlen(r[i].details) < sizeof(r[i].details));
    free(r);
    free(text);
    return 0;
}
