/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_journal_appdirs: record_app_directory read through the journal (its
 * parser is internal) from a scratch journal holding the input. */
#include "fuzz.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct journal *j;
    static char *path;
    static struct journal_app_dirs d;
    struct og_error err = {0};

    if (!j) {
        if (journal_open(fuzz_scratch_dir(), &j, &err) < 0 ||
            asprintf(&path, "%s/" JOURNAL_APPDIR_FILE, fuzz_scratch_dir()) < 0)
            abort();
    }
    fuzz_write_file(path, data, size);
    if (journal_read_app_dirs(j, &d, &err) == 0)
        FUZZ_ASSERT(strlen(d.old_app) < sizeof(d.old_app) && strlen(d.new_app) < sizeof(d.new_app));
    return 0;
}
