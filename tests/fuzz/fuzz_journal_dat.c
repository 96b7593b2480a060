/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_journal_dat: the journal's one-record files read through the journal
 * (their parsers are internal): the input is written as upgrade_step.dat and
 * as inplace_upgrade_flag in a scratch journal, and both are read back. */
#include "fuzz.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct journal *j;
    static char *dat, *flag;
    struct og_error err = {0};
    struct journal_dat d;
    struct journal_cluster_numbers n;

    if (!j) {
        if (journal_open(fuzz_scratch_dir(), &j, &err) < 0 ||
            asprintf(&dat, "%s/" JOURNAL_DAT_FILE, fuzz_scratch_dir()) < 0 ||
            asprintf(&flag, "%s/" JOURNAL_INPLACE_FILE, fuzz_scratch_dir()) < 0)
            abort();
    }
    fuzz_write_file(dat, data, size);
    fuzz_write_file(flag, data, size);
    if (journal_read_dat(j, &d, &err) == 0)
        FUZZ_ASSERT(d.step >= JOURNAL_STEP_MIN && d.step <= JOURNAL_STEP_MAX);
    (void)journal_read_cluster_numbers(j, &n, &err);
    return 0;
}
