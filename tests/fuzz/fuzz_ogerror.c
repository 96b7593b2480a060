/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_ogerror: og_error_parse, the "[GAUSS-NNNNN] : detail" line a worker
 * prints on stderr. A parsed code is a known one and matches the result. */
#include "fuzz.h"
#include "ogerror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strdup(data, size);
    struct og_error err = {0};
    int r = og_error_parse(text, &err);

    FUZZ_ASSERT(r <= 0);
    if (r < 0) {
        FUZZ_ASSERT(err.code == -r);
        FUZZ_ASSERT(strlen(err.detail) < sizeof(err.detail));
    } else {
        FUZZ_ASSERT(err.code == 0);
    }
    free(text);
    return 0;
}
