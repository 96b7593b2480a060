/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_scenario: a scenario file (scenario_parse_memory: XML, the schema,
 * the steps and expectations). */
#include "fuzz.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario *s = NULL;
    struct og_error err = {0};

    if (scenario_parse_memory((const char *)data, size, "paths/fuzz.xml", &s, &err) == 0)
        FUZZ_ASSERT(s != NULL);
    scenario_free(s);
    return 0;
}
