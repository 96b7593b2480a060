/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_archive: tarball_extract of the input (any format and filter
 * libarchive reads) into a fresh directory, removed after each input.
 * Everything extracted must stay inside that directory: the target extracts
 * into <scratch>/in/ and checks nothing appeared beside it in <scratch>/. */
#include <dirent.h>
#include <sys/stat.h>

#include "tarball.h"
#include "fuzz.h"

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    if (!d)
        abort();
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *tarball;
    struct og_error err = {0};
    char *box = fuzz_mkdtemp(), *dest = NULL;

    if (!tarball && asprintf(&tarball, "%s/input", fuzz_scratch_dir()) < 0)
        abort();
    fuzz_write_file(tarball, data, size);
    if (asprintf(&dest, "%s/in", box) < 0 || mkdir(dest, 0700) < 0)
        abort();
    (void)tarball_extract(tarball, dest, &err);
    FUZZ_ASSERT(count_entries(box) == 1); /* only in/ */
    fuzz_rm_rf(box);
    free(dest);
    free(box);
    return 0;
}
