/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * journal_parse.c - the text of ogup's step record (ogup_step), for every
 * reader of it: the in-place plan and the scenario runner, which watches it
 * to time its faults. The format is journal.h's.
 */
#include <stdio.h>
#include <string.h>

#include "journal.h"
#include "banned.h"

_Static_assert(JOURNAL_NAME_MAX == 64, "the sscanf widths below are JOURNAL_NAME_MAX - 1");

bool journal_step_record_parse(const char *text, struct journal_step_record *ret)
{
    struct journal_step_record r = {0};
    char state[16], dir[16];

    if (!text || sscanf(text, "%63s %d %63s %15s %15s seq=%llu writer=%63s", r.plan, &r.index,
                        r.step, state, dir, &r.seq, r.writer) != 7)
        return false;
    if ((strcmp(state, "begin") != 0 && strcmp(state, "done") != 0) ||
        (strcmp(dir, "do") != 0 && strcmp(dir, "undo") != 0))
        return false;
    r.done = strcmp(state, "done") == 0;
    r.undo = strcmp(dir, "undo") == 0;
    *ret = r;
    return true;
}
