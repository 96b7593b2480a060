/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * strtable.h - the one way to map an enum to its name and back: a string
 * table indexed by the enum (systemd's string-table idea, written here).
 *
 * The table uses designated initialisers, so each name sits beside the value
 * it names; a value left out is a NULL gap. Two macros define the lookups
 * with the names the callers already use:
 *
 *   static const char *const fault_state_table[] = {
 *       [FAULT_INSTALLING] = "installing",
 *       [FAULT_ACTIVE] = "active",
 *   };
 *   STRTABLE_TO_STRING(fault_state_name, enum fault_state, fault_state_table, "?");
 *   STRTABLE_FROM_STRING(fault_state_from_name, int, fault_state_table, -1);
 *
 * define
 *   const char *fault_state_name(enum fault_state v): the table's entry, or
 *       "?" when v is outside the table or a gap;
 *   int fault_state_from_name(const char *s): the index whose entry is s
 *       (strcmp), or -1 when s is NULL or no entry.
 *
 * The fallbacks are the caller's: NULL, "?", -1, -EINVAL or an enum value.
 * Each macro defines one function and is used like a declaration, ending
 * with `;`. Put `static` in front for a file-local one; a public one is
 * declared in the module's header.
 */
#pragma once

#include <stddef.h>
#include <string.h>

#include "cleanup.h"

/* table[i], or NULL outside the table or in a gap. */
static inline const char *strtable_get(const char *const *table, size_t n, size_t i)
{
    return i < n ? table[i] : NULL;
}

/* The index whose entry equals s, or -1 (s NULL, or no entry). */
static inline int strtable_find(const char *const *table, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (table[i] && strcmp(table[i], s) == 0)
            return (int)i;
    return -1;
}

/* The table must be an array (ELEMENTSOF of a pointer would be wrong). The
 * check ends each definition below, so a use ends with `;` like a declaration. */
#define STRTABLE_IS_ARRAY_(table)                                                                  \
    _Static_assert(!__builtin_types_compatible_p(__typeof__(table), __typeof__(&(table)[0])),      \
                   #table " is not an array")

/* const char *func(type v): table[v]; fallback outside the table or in a gap.
 * A negative v is outside (it converts to a huge size_t). */
#define STRTABLE_TO_STRING(func, type, table, fallback)                                            \
    const char *func(type v_)                                                                      \
    {                                                                                              \
        const char *name_ = strtable_get(table, ELEMENTSOF(table), (size_t)v_);                    \
        return name_ ? name_ : (fallback);                                                         \
    }                                                                                              \
    STRTABLE_IS_ARRAY_(table)

/* type func(const char *s): the index of s in table as a type; notfound when
 * s is NULL or names no entry. */
#define STRTABLE_FROM_STRING(func, type, table, notfound)                                          \
    type func(const char *s_)                                                                      \
    {                                                                                              \
        int i_ = strtable_find(table, ELEMENTSOF(table), s_);                                      \
        return i_ >= 0 ? (type)i_ : (notfound);                                                    \
    }                                                                                              \
    STRTABLE_IS_ARRAY_(table)
