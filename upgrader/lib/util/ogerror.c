/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ogerror.h"
#include "banned.h"

struct code_entry {
    int code;
    const char *text;
};

/* Default message templates: openGauss texts verbatim from ErrorCode.py
 * (openGauss-OM HEAD 792253f), except 50803 (openGauss reuses a cron text
 * for the link switch), 52934 (empty upstream), 52919 (the sentence gs_upgradectl
 * prints) and 50204 (not in ErrorCode.py). */
static const struct code_entry code_table[] = {
    {OG_E_PARAM_UNKNOWN, "Unrecognized parameter: %s."},
    {OG_E_PARAM_REQUIRED, "Incorrect parameter. Parameter '-%s' is required"},
    {OG_E_PARAM_NOT_REQUIRED, "Incorrect parameter. Parameter '-%s' is not required"},
    {OG_E_PARAM_TYPE, "The parameter '-%s' type should be %s."},
    {OG_E_PARAM_INVALID, "The parameter '-%s' value is incorrect."},
    {OG_E_PARAM_CONFLICT, "The parameter '-%s' and '-%s' can not be used together."},
    {OG_E_PARAM_TOO_MANY, "Too many command-line arguments (first is \"%s\")."},
    {OG_E_PARAM_EMPTY, "Parameters of '%s' can not be empty."},
    {OG_E_NOT_READABLE, "The %s is not readable for %s."},
    {OG_E_ONLY_ROOT, "Only a user with the root permission can run this script."},
    {OG_E_RUN_AS_ROOT, "Cannot run this script as a user with the root permission."},
    {OG_E_PARAM_VALUE, "The parameter[%s] value[%s] is invalid."},
    {OG_E_EXISTS, "The %s already exists."},
    {OG_E_NOT_EXIST, "The %s does not exist."},
    {OG_E_MUST_BE_EMPTY, "The %s must be empty."},
    {OG_E_FILE_EMPTY, "The %s cannot be empty."},
    {OG_E_READ_FAILED, "Failed to read %s."},
    {OG_E_WRITE_FAILED, "Failed to write %s."},
    {OG_E_CREATE_FAILED, "Failed to create %s."},
    {OG_E_CONTENT_INVALID, "The content of file %s is not correct."},
    {OG_E_MUST_BE_FILE, "The %s must be a file."},
    {OG_E_MUST_BE_DIR, "The %s must be a directory."},
    {OG_E_REMOTE_COPY, "Failed to remote copy %s."},
    {OG_E_OBTAIN_FAILED, "Failed to obtain %s."},
    {OG_E_NOT_EXIST_OR_DENIED,
     "The %s does not exist or the permission on the upper-layer directory is insufficient."},
    {OG_E_SAME_PATH, "The directory name %s and %s cannot be same."},
    {OG_E_USER_NOT_EXIST, "User %s does not exist."},
    {OG_E_ROOT_USER_GROUP, "The cluster user/group cannot be a root user/group."},
    {OG_E_ROOT_PERMISSION, "The cluster user cannot be a user with the root permission."},
    {OG_E_USER_GROUP, "The user is not matched with the user group."},
    {OG_E_NOT_CLUSTER_USER, "The user %s is not the cluster installation user "},
    {OG_E_GROUP_NOT_EXIST, "Group [%s] does not exist."},
    {OG_E_NON_ROOT_USER, "Non root user, -U -G parameter must be the current user and group."},
    {OG_E_DISK_SPACE, "The remaining space of device [%s] cannot be less than %s."},
    {OG_E_DISK_USAGE, "The usage of the device [%s] space cannot be greater than %s."},
    {OG_E_PREINSTALL_SPACE, "The remaining space cannot be less than %s."},
    {OG_E_SWITCH_LINK, "Failed to switch the symbolic link %s."},
    {OG_E_SSH_TRUST, "Failed to verify SSH trust on these nodes: %s."},
    {OG_E_STATIC_CONFIG,
     "The cluster's static configuration does not match the new configuration file."},
    {OG_E_COUNT_MISMATCH, "The number of %s must %s."},
    {OG_E_COLLECT_JSON, "Failed to parse json. gs_collect configuration file (%s) is invalid , "
                        "check key in json file"},
    {OG_E_COLLECT_TYPENAME,
     "gs_collect configuration file is invalid, TypeName or content must in config file."},
    {OG_E_COLLECT_NUMBER, "The parameter %s(%s) formate is wrong, or value is less than 0."},
    {OG_E_COLLECT_KEY, "gs_collect configuration file is invalid: %s, the key: (%s) is invalid."},
    {OG_E_COLLECT_CONTENT,
     "content(%s) does not match the typename(%s) in gs_collect configuration file(%s)."},
    {OG_E_COLLECT_UNSUPPORTED, "(%s) doesn't yet support."},
    {OG_E_COLLECT_DUP_KEY, "There are duplicate key(%s)."},
    {OG_E_COLLECT_ONCE, "%s info only support one time collect."},
    {OG_E_SQL, "Failed to execute SQL: %s."},
    {OG_E_EXEC_FAILED, "Failed to execute the command: %s."},
    {OG_E_CLUSTER_STATUS, "Failed to check %s status."},
    {OG_E_START_FAILED, "Failed to start %s."},
    {OG_E_LOCK_CLUSTER, "Failed to lock cluster"},
    {OG_E_UNLOCK_CLUSTER, "Failed to unlock cluster"},
    {OG_E_STOP_FAILED, "Failed to stop %s."},
    {OG_E_NODE_ID_UNKNOWN, "The node id [%u] are not found in the cluster."},
    {OG_E_NODE_UNKNOWN, "The host name [%s] is not in the cluster."},
    {OG_E_INSTANCE_INFO, "Failed to obtain %s instance information."},
    {OG_E_OBTAIN_VERSION, "Failed to obtain version."},
    {OG_E_DN_CONNECTIONS, "Failed to get DN connections."},
    {OG_E_ROLLBACK_FAILED, "Failed to rollback."},
    {OG_E_VERSION_NUMBER, "The version number of new cluster is [%s]. It should be float."},
    {OG_E_VERSION_LOWER, "The version number of new cluster is [%s]. It should be greater than or "
                         "equal to the old version."},
    {OG_E_STEP_INVALID, "The step of upgrade number %s is incorrect."},
    {OG_E_SHA256, "Failed to check SHA256."},
    {OG_E_READ_ONLY, "Cluster is in read-only mode."},
    {OG_E_OM_BUSY,
     "The other OM operation is currently being performed in the cluster node: '%s'."},
    {OG_E_OM_STEP_MISMATCH, "The operation step of OM components in current cluster nodes do not "
                            "match with each other: %s."},
    {OG_E_NODE_INFO, "Failed to get cluster node info.exception is: %s."},
    {OG_E_ENV_EMPTY,
     "The environmental variable %s is empty. or variable has exceeded maximum length"},
    {OG_E_CMD_NOT_FOUND,
     "Command \"%s\" does not exist or the user has no execute permission on %s."},
    {OG_E_STRATEGY, "Failed to upgrade strategy: %s."},
    {OG_E_SAME_COMMIT, "New cluster commitid cannot be same with old cluster commitid."},
    {OG_E_VERSION_OLDER, "Can not support upgrade from %s to %s"},
    {OG_E_VERSION_NOT_BIGGER,
     "The new cluster version number[%s] should be bigger than the old cluster[%s]."},
    {OG_E_STRATEGY_UNSUPPORTED, "Please choose right upgrade strategy."},
    {OG_E_READONLY_CANCEL, "Failed to cancel the cluster read-only mode"},
    {OG_E_READONLY_SET, "Failed to set cluster read-only mode."},
    {OG_E_NODES_STEP_DIFFER, "Specified upgrade nodes with same step can do upgrade task."},
    {OG_E_NODES_UPGRADED,
     "These nodes %s have been successfully upgraded to new version, no need to upgrade again."},
    {OG_E_NODES_MISMATCH,
     "Last unsuccessfully upgrade nodes %s are not same with current upgrade nodes."},
    {OG_E_ALL_UPGRADED, "All nodes have been upgraded. No need to use --continue."},
    {OG_E_COMMITID_RECORD, "The record commitid is not same with current commitid."},
    {OG_E_NOT_SYMLINK, "$GAUSSHOME is not a symbolic link."},
    {OG_E_NOT_PRECOMMIT, "Current upgrade status is not pre commit."},
    {OG_E_DROP_SCHEMA, "Failed to drop old pmk schema."},
    {OG_E_ALREADY_COMMITTED, "Upgrade has already been committed but not finished commit. Please "
                             "commit again! Can not rollback any more."},
    {OG_E_CONTINUE_NO_RECORD,
     "Can not use grey upgrade option --continue before upgrade grey nodes."},
    {OG_E_DISK_USAGE_EXCEEDS, "Disk usage exceeds %s, please clean up before upgrading."},
    {OG_E_ACTION_MISMATCH, "Input upgrade type [%s] is not same with record upgrade type [%s]."},
    {OG_E_STEP_NOT_DIGIT, "The step of upgrade should be digit."},
    {OG_E_APP_VERSION, "Failed to check application version. Output: \\n%s."},
    {OG_E_OLD_VERSION_NODES, "Nodes are the old version. Do nothing this time."},
    {OG_E_UNFINISHED_VERSION,
     "Current upgrade version is not same with unfinished upgrade version record."},
    {OG_E_UPGRADE_UNFINISHED, "Upgrade is not finished, cannot do another task."},
    {OG_E_NOT_ALL_UPGRADED, "Not all nodes are upgraded."},
    {OG_E_STALE_RELEASE, "It is generally not allowed to upgrade to a previous release, from %s to "
                         "%s. If required, consider using the --bypass-stale-check option."},
    {OG_E_CHECK_FAILED, "Failed to check %s."},
    {OG_E_EMPTY, "%s can not be empty."},
    {OG_E_REMOTE_EXEC, "Failed to execute %s command."},
    {OG_E_COLLECT_NOTHING, "There is no info should be collected ,gs_collector is finished. "},
    {OG_E_DB_START, "Can not start the database, the cmd is %s,  Error:\n%s."},
    {OG_E_DB_STOP, "Can not stop the database, the cmd is %s,  Error:\n%s."},
    {OG_E_NOMEM, "Out of memory."},
    {OG_E_INVALID_ARG, "Invalid argument: %s."},
    {OG_E_TOO_LARGE, "The %s exceeds its limit of %s."},
    {OG_E_OUTPUT_LIMIT, "The output of command %s exceeds its limit of %s bytes."},
    {OG_E_TIMEOUT, "The command %s timed out after %s ms."},
    {OG_E_SPAWN, "Failed to start the command %s."},
    {OG_E_UNSAFE_ARG, "The %s value %s is not safe on a command line."},
    {OG_E_CMD_FAILED, "The command %s failed."},
    {OG_E_LOCKED, "The lock %s is held by another process."},
    {OG_E_IO, "I/O error on %s."},
    {OG_E_LOG_OPEN, "Failed to open the log file %s."},
    {OG_E_LOG_UNSAFE, "The log file %s is not safe to open as root."},
    {OG_E_CATALOG_MISMATCH, "The catalog version of the data directory does not match the kernel."},
    {OG_E_FROZEN_GUC, "The GUC parameter %s changed during the upgrade."},
    {OG_E_STREAM_REPLICATION, "Invalid value for GUC parameter: enable_stream_replication."},
    {OG_E_STANDBY_LAG, "The standby %s has not caught up with the primary."},
    {OG_E_XML_INVALID, "The XML file %s is invalid."},
    {OG_E_MOT_IN_USE, "MOT tables are in use: upgrading to %s is not supported."},
    {OG_E_SSH_HOSTKEY_UNKNOWN, "The SSH host key of %s is not known."},
    {OG_E_SSH_HOSTKEY_CHANGED, "The SSH host key of %s has changed."},
    {OG_E_SSH_AUTH, "SSH public key authentication to %s failed."},
    {OG_E_SSH_CONNECT, "Failed to connect to %s over SSH."},
    {OG_E_SSH_FILE_UNSAFE, "The SSH file %s is not safe: owner or mode."},
    {OG_E_SSH_SESSION, "The node %s accepted the SSH login but opened no session."},
    {OG_E_JOURNAL_DISAGREE, "The upgrade journals of the nodes disagree: %s."},
    {OG_E_FAILPOINT, "The failpoint setting %s is invalid."},
    {OG_E_NOT_MODELLED, "%s is not provided by ogup."},
    {OG_E_BACKUP_MISSING, "The backup %s is missing."},
    {OG_E_ROOT_GROUP_OR_LINK, "The %s cannot be a root user group or a link."},
    {OG_E_ENV_FILE_ERRMSG, "The env file contains errmsg: %s."},
    {OG_E_SIM_LIBVIRT, "libvirt does not answer at %s."},
    {OG_E_SIM_LXC, "LXC is unusable on this host: %s."},
    {OG_E_SIM_EXISTS, "The name %s is already in use."},
    {OG_E_SIM_ADDRESS, "The address %s is already in use."},
    {OG_E_SIM_NODE_DOWN, "The node %s did not come up."},
    {OG_E_SIM_NO_CLUSTER, "There is no simulated cluster %s."},
    {OG_E_SIM_SNAPSHOT, "The snapshot %s cannot be used."},
    {OG_E_SIM_NO_INSTANCE, "The simulated cluster %s has no database instance."},
    {OG_E_FAULT_LEDGER, "The fault ledger %s is unreadable or malformed."},
    {OG_E_FAULT_NO_ENTRY, "There is no fault %s in the ledger."},
    {OG_E_FAULT_STATE, "The fault %s cannot change state that way."},
    {OG_E_FAULT_INSTALL, "The fault %s could not be installed."},
    {OG_E_FAULT_HEAL, "The fault %s could not be healed."},
    {OG_E_FAULT_TARGET, "The fault %s has nothing to act on."},
    {OG_E_ARCHIVE_UNSAFE, "The package member %s cannot be extracted safely."},
    {OG_E_PKG_SIGNATURE, "The signature of the package %s does not verify."},
    {OG_E_PKG_KEY, "The package signing key %s is missing or unusable."},
};

static const struct code_entry *find_entry(int code)
{
    if (code < 0)
        code = -code;
    for (size_t i = 0; i < ELEMENTSOF(code_table); i++)
        if (code_table[i].code == code)
            return &code_table[i];
    return NULL;
}

bool og_code_known(int code)
{
    return find_entry(code) != NULL;
}

size_t og_code_count(void)
{
    return ELEMENTSOF(code_table);
}

int og_usage_error(const char *usage, const char *fmt, ...)
{
    struct og_error err = {0};
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    og_error_set(&err, OG_E_PARAM_INVALID, "%s", msg);
    fprintf(stderr, "%s", usage);
    return og_error_report(&err, OG_ACTION_OTHER, -OG_E_PARAM_INVALID);
}

int og_error_parse(const char *text, struct og_error *err)
{
    const char *found = NULL;
    int code = 0;

    for (const char *p = text ? strchr(text, '[') : NULL; p; p = strchr(p + 1, '[')) {
        unsigned c;
        int n = 0;
        if ((p == text || p[-1] == '\n') &&
            (sscanf(p, "[GAUSS-%5u] :%n", &c, &n) == 1 ||
             sscanf(p, "[OGUP-%5u] :%n", &c, &n) == 1) &&
            n > 0 && og_code_known((int)c)) {
            found = p + n;
            code = (int)c;
        }
    }
    if (!found)
        return 0;
    while (*found == ' ')
        found++;
    return og_error_set(err, code, "%.*s", (int)strcspn(found, "\n"), found);
}

int og_code_at(size_t i)
{
    return i < ELEMENTSOF(code_table) ? code_table[i].code : 0;
}

const char *og_code_name(int code)
{
    /* One static buffer per thread: names are short and immutable per code. */
    static _Thread_local char buf[32];

    if (code < 0)
        code = -code;
    if (!find_entry(code))
        return "OGUP-UNKNOWN";
    snprintf(buf, sizeof(buf), "%s-%05d", code >= 60000 ? "OGUP" : "GAUSS", code);
    return buf;
}

const char *og_code_text(int code)
{
    const struct code_entry *e = find_entry(code);
    return e ? e->text : "Unknown error.";
}

static void set_detail(struct og_error *err, int code, const char *fmt, va_list ap, int errnum)
{
    char old[OG_ERROR_DETAIL_MAX];
    size_t n;

    if (!err)
        return;
    /* A detail set deeper down is kept as context after ours. */
    snprintf(old, sizeof(old), "%s", err->detail);
    err->code = code < 0 ? -code : code;
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    n = strlen(err->detail);
    if (errnum && n < sizeof(err->detail))
        n += (size_t)snprintf(err->detail + n, sizeof(err->detail) - n, ": %s", strerror(errnum));
    if (old[0] && n < sizeof(err->detail))
        snprintf(err->detail + n, sizeof(err->detail) - n, " (%s)", old);
}

int og_error_set(struct og_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_detail(err, code, fmt, ap, 0);
    va_end(ap);
    return code < 0 ? code : -code;
}

int og_error_set_errno(struct og_error *err, int code, int errnum, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_detail(err, code, fmt, ap, errnum);
    va_end(ap);
    return code < 0 ? code : -code;
}

void og_error_prefix(struct og_error *err, const char *fmt, ...)
{
    char ctx[OG_ERROR_DETAIL_MAX];
    char old[OG_ERROR_DETAIL_MAX];
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof(ctx), fmt, ap);
    va_end(ap);
    snprintf(old, sizeof(old), "%s", err->detail);
    snprintf(err->detail, sizeof(err->detail), "%s: %s", ctx, old);
}

void og_error_clear(struct og_error *err)
{
    if (!err)
        return;
    err->code = 0;
    err->detail[0] = '\0';
}

const char *og_error_format(const struct og_error *err, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    if (!err || err->code == 0) {
        snprintf(buf, size, "success");
        return buf;
    }
    snprintf(buf, size, "[%s] : %s", og_code_name(err->code),
             err->detail[0] ? err->detail : og_code_text(err->code));
    return buf;
}

int og_exit_code(enum og_action action, int rc)
{
    bool ok = rc == 0;
    int code = rc < 0 ? -rc : rc;

    switch (action) {
    case OG_ACTION_UPGRADE:
        return ok ? 0 : 1;
    case OG_ACTION_ROLLBACK:
        return ok ? 2 : 3;
    case OG_ACTION_CHOSE_STRATEGY:
        return ok ? 4 : 1;
    case OG_ACTION_COMMIT:
        return ok ? 5 : 1;
    case OG_ACTION_OTHER:
        break;
    }
    if (ok)
        return 0;
    if (code >= 50000 && code < 60000)
        return code / 100 - 490;
    return 9;
}

int og_error_report(const struct og_error *err, enum og_action action, int rc)
{
    char msg[OG_ERROR_DETAIL_MAX + 64];

    if (rc < 0)
        fprintf(stderr, "%s\n", og_error_format(err, msg, sizeof(msg)));
    return og_exit_code(action, rc);
}
