/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * banned.h - functions ogup never calls (git's banned.h idea).
 *
 * Include LAST in every .c file, after all system headers: a call to a
 * banned function then fails to compile with a name that says why.
 *   strcpy/strcat/sprintf/vsprintf/gets: unbounded writes; use snprintf or dynbuf.
 *   strtok: hidden global state; use strtok_r or explicit parsing.
 *   system/popen: a shell sees the command; use command_run() with an argv.
 */
#pragma once

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef system
#define system(x) BANNED(system)
#undef popen
#define popen(x, y) BANNED(popen)
