/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * kconf.h - the data directory's configuration files.
 *
 *   postgresql.conf     PostgreSQL GUCs (gs_guc set writes them here); it
 *                       ends with include_if_exists of the two files below
 *   og_guc.conf         openGauss-only GUCs, as placeholders "og.<name> = '<v>'"
 *                       so the running server knows them (SHOW og.upgrade_mode)
 *   og_replication.conf primary_conninfo, generated from replconninfoN at every
 *                       start (standbys follow whichever peer is read-write)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "ogerror.h"

#define KCONF_MAIN      "postgresql.conf"
#define KCONF_OG        "og_guc.conf"
#define KCONF_REPL      "og_replication.conf"
#define KCONF_HBA       "pg_hba.conf"
#define KCONF_GATE      "og_hba_gate.conf" /* the server's hba_file (see gaussdb.c) */
#define KCONF_GATE_OPEN "og_gate.open"     /* the pid of the server whose gate is open */
#define KCONF_STATE     "gaussdb.state"    /* the instance's state, written by the kernel */
/* The initial user's credential for the kernel's own TCP connections to its
 * peers (openGauss's HA channel), libpq passfile format "*:*:*:user:password",
 * 0600; written by gs_initdb, copied to standbys by gs_ctl build. */
#define KCONF_HA_PASS "og_ha.pgpass"

/* The open gate's text (the server's hba_file): openGauss's rule that the
 * initial user logs in over the local socket only -- over TCP it needs its
 * password, which only the kernel's HA channel holds -- then pg_hba.conf. */
int kconf_gate_text(const char *datadir, struct dynbuf *out, struct og_error *err);

/* " passfile='<datadir>/og_ha.pgpass'" appended to a conninfo when the file
 * exists (the kernel's connections to its peers). */
int kconf_append_ha_auth(const char *datadir, struct dynbuf *conninfo);

/* openGauss's data directory names over PostgreSQL's (observed layout):
 * pg_xlog -> pg_wal and pg_clog -> pg_xact (relative links), pg_csnlog and
 * undo (directories), gaussdb.state. Idempotent; used by gs_initdb and after
 * gs_ctl build. */
int kconf_og_layout(const char *datadir, struct og_error *err);

/* gaussdb.state: "mode=primary|standby\nstate=Starting|Normal\npid=N\n"
 * (openGauss keeps a binary struct there; the kernel writes text). */
int kconf_write_state(const char *datadir, const char *mode, const char *state, long pid,
                      struct og_error *err);

/* Set name = value in the conf file text at path: the last uncommented line
 * setting name is replaced, else a line is appended. Written crash-safely.
 * value is written as given (the caller quotes strings). */
int kconf_set(const char *path, const char *name, const char *value, struct og_error *err);

/* Value of the last uncommented setting of name (quotes removed) into buf.
 * 0 when found, -OG_E_NOT_EXIST when not set (or no file). */
int kconf_get(const char *path, const char *name, char *buf, size_t size);

/* Append line to the file unless an identical line is present. */
/* How many uncommented lines of path set name (the last one's number in
 * *ret_last_line when any); -OG_E_NOT_EXIST when path cannot be read. */
int kconf_count(const char *path, const char *name, int *ret_last_line);

int kconf_add_line(const char *path, const char *line, struct og_error *err);

/* Quote a value for a conf file: 'it''s'. */
void kconf_quote(const char *value, char *buf, size_t size);

/* replconninfoN = 'localhost=A localport=P remotehost=B remoteport=Q ...' */
struct replconn {
    char localhost[256];
    int localport;
    char remotehost[256];
    int remoteport;
};
int kconf_parse_replconninfo(const char *text, struct replconn *ret);

/* Read replconninfo1..8 from <datadir>/og_guc.conf; returns the count (0..8). */
int kconf_read_replconns(const char *datadir, struct replconn *out, int max);

/* A libpq conninfo reaching every remote peer, read-write first:
 * "host=a,b port=p,q target_session_attrs=read-write connect_timeout=3".
 * -OG_E_NOT_EXIST when no replconninfo is set. */
int kconf_peers_conninfo(const char *datadir, struct dynbuf *out);

/* Regenerate <datadir>/og_replication.conf (primary_conninfo). */
int kconf_write_replication(const char *datadir, const char *application_name,
                            struct og_error *err);
