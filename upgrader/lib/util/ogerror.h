/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogerror.h - the one table of stable error codes, the detail buffer passed
 * down the call chain, and the mapping to openGauss exit codes.
 *
 * Rules (never broken):
 *  - A code's number never changes and is never reused.
 *  - Where openGauss has a GAUSS-5xxxx code for the condition, the enum value
 *    IS that number and it prints as "[GAUSS-NNNNN]".
 *  - ogup's own codes live in 60000..69999 and print as "[OGUP-NNNNN]".
 *  - Functions return 0 or a negative code (-OG_E_...). The detail text is
 *    written into a struct og_error supplied by the caller (may be NULL).
 *  - Tests assert codes, never message text.
 */
#pragma once

#include <stddef.h>
#include <stdbool.h>

#include "cleanup.h"

enum og_code {
    OG_OK = 0,

    /* --- openGauss codes (script/gspylib/common/ErrorCode.py) --------- */
    OG_E_PARAM_UNKNOWN = 50000,        /* unrecognized parameter */
    OG_E_PARAM_REQUIRED = 50001,       /* parameter is required */
    OG_E_PARAM_NOT_REQUIRED = 50002,   /* parameter is not required */
    OG_E_PARAM_TYPE = 50003,           /* parameter type should be %s */
    OG_E_PARAM_INVALID = 50004,        /* parameter value is incorrect */
    OG_E_PARAM_CONFLICT = 50005,       /* parameters cannot be used together */
    OG_E_PARAM_TOO_MANY = 50006,       /* too many command-line arguments */
    OG_E_PARAM_EMPTY = 50014,          /* parameters of %s can not be empty */
    OG_E_NOT_READABLE = 50100,         /* %s is not readable for %s */
    OG_E_ONLY_ROOT = 50104,            /* only root can run this script */
    OG_E_RUN_AS_ROOT = 50105,          /* cannot run as root */
    OG_E_PARAM_VALUE = 50011,          /* parameter[%s] value[%s] is invalid */
    OG_E_EXISTS = 50200,               /* %s already exists */
    OG_E_NOT_EXIST = 50201,            /* %s does not exist */
    OG_E_MUST_BE_EMPTY = 50202,        /* %s must be empty */
    OG_E_FILE_EMPTY = 50203,           /* the %s cannot be empty (gs_collector -f) */
    OG_E_READ_FAILED = 50204,          /* failed to read %s */
    OG_E_WRITE_FAILED = 50205,         /* failed to write %s */
    OG_E_CREATE_FAILED = 50206,        /* failed to create %s */
    OG_E_CONTENT_INVALID = 50222,      /* the content of file %s is not correct */
    OG_E_MUST_BE_FILE = 50210,         /* %s must be a file */
    OG_E_MUST_BE_DIR = 50211,          /* %s must be a directory */
    OG_E_REMOTE_COPY = 50216,          /* failed to remote copy %s */
    OG_E_SAME_PATH = 50233,            /* %s cannot be the same as %s */
    OG_E_OBTAIN_FAILED = 50219,        /* failed to obtain %s (illegal characters) */
    OG_E_NOT_EXIST_OR_DENIED = 50236,  /* %s does not exist or its directory is not readable */
    OG_E_USER_NOT_EXIST = 50300,       /* user %s does not exist */
    OG_E_ROOT_USER_GROUP = 50301,      /* cluster user/group cannot be root */
    OG_E_ROOT_PERMISSION = 50302,      /* cluster user has the root permission */
    OG_E_USER_GROUP = 50305,           /* user is not matched with the group */
    OG_E_NOT_CLUSTER_USER = 50323,     /* user is not the installation user */
    OG_E_GROUP_NOT_EXIST = 50316,      /* group [%s] does not exist */
    OG_E_NON_ROOT_USER = 50324,        /* non-root: -U -G must be the current ones */
    OG_E_DISK_SPACE = 50400,           /* remaining space too small */
    OG_E_DISK_USAGE = 50401,           /* device usage greater than %s */
    OG_E_PREINSTALL_SPACE = 50411,     /* remaining space for preinstall */
    OG_E_SWITCH_LINK = 50803,          /* failed to switch symbolic link */
    OG_E_SSH_TRUST = 51100,            /* failed to verify SSH trust */
    OG_E_ROOT_GROUP_OR_LINK = 51251,   /* %s cannot be a root user group or a link */
    OG_E_STATIC_CONFIG = 51217,        /* static config does not match XML */
    OG_E_COLLECT_JSON = 51239,         /* gs_collector -C: not JSON / not its shape */
    OG_E_COLLECT_TYPENAME = 51240,     /* gs_collector -C: TypeName or Content missing */
    OG_E_COLLECT_NUMBER = 51241,       /* gs_collector -C: Interval/Count not digits */
    OG_E_COLLECT_KEY = 51242,          /* gs_collector -C: a key not allowed */
    OG_E_COLLECT_CONTENT = 51243,      /* gs_collector -C: content not of its TypeName */
    OG_E_COLLECT_UNSUPPORTED = 51244,  /* gs_collector -C: content not supported */
    OG_E_COLLECT_DUP_KEY = 51245,      /* gs_collector -C: duplicated key */
    OG_E_COLLECT_ONCE = 51246,         /* gs_collector: %s info collected once (notice) */
    OG_E_COUNT_MISMATCH = 51230,       /* the number of %s must %s */
    OG_E_SQL = 51300,                  /* failed to execute SQL */
    OG_E_EXEC_FAILED = 51400,          /* failed to execute the command */
    OG_E_CLUSTER_STATUS = 51601,       /* failed to check cluster status */
    OG_E_START_FAILED = 51607,         /* failed to start %s */
    OG_E_LOCK_CLUSTER = 51608,         /* failed to lock cluster */
    OG_E_UNLOCK_CLUSTER = 51609,       /* failed to unlock cluster */
    OG_E_STOP_FAILED = 51610,          /* failed to stop %s */
    OG_E_NODE_ID_UNKNOWN = 51612,      /* node id not in the cluster */
    OG_E_NODE_UNKNOWN = 51619,         /* node name not in the cluster */
    OG_E_INSTANCE_INFO = 51620,        /* failed to obtain instance info */
    OG_E_OBTAIN_VERSION = 51623,       /* failed to obtain version */
    OG_E_DN_CONNECTIONS = 51624,       /* failed to get DN connections */
    OG_E_ROLLBACK_FAILED = 51626,      /* failed to rollback */
    OG_E_VERSION_NUMBER = 51628,       /* version number should be float */
    OG_E_VERSION_LOWER = 51629,        /* new kernel number lower than old */
    OG_E_STEP_INVALID = 51633,         /* recorded step is invalid */
    OG_E_SHA256 = 51635,               /* failed to check SHA256 */
    OG_E_READ_ONLY = 51643,            /* cluster is in read-only mode */
    OG_E_OM_BUSY = 51646,              /* another OM operation in progress */
    OG_E_OM_STEP_MISMATCH = 51647,     /* OM step differs between nodes */
    OG_E_NODE_INFO = 51652,            /* failed to get cluster node info */
    OG_E_ENV_EMPTY = 51800,            /* environment variable %s is empty */
    OG_E_ENV_FILE_ERRMSG = 51808,      /* the env file contains errmsg */
    OG_E_CMD_NOT_FOUND = 52403,        /* command does not exist on nodes */
    OG_E_STRATEGY = 52900,             /* failed to upgrade strategy */
    OG_E_SAME_COMMIT = 52901,          /* new commit id same as old */
    OG_E_VERSION_OLDER = 52902,        /* can not support upgrade from %s to %s */
    OG_E_VERSION_NOT_BIGGER = 52903,   /* new version should be bigger */
    OG_E_STRATEGY_UNSUPPORTED = 52904, /* choose right upgrade strategy */
    OG_E_READONLY_CANCEL = 52907,      /* failed to cancel read-only mode */
    OG_E_READONLY_SET = 52908,         /* failed to set read-only mode */
    OG_E_NODES_STEP_DIFFER = 52909,    /* -h nodes at different steps */
    OG_E_NODES_UPGRADED = 52910,       /* -h nodes already upgraded */
    OG_E_NODES_MISMATCH = 52911,       /* -h nodes differ from unfinished set */
    OG_E_ALL_UPGRADED = 52913,         /* all nodes upgraded, no --continue */
    OG_E_COMMITID_RECORD = 52914,      /* recorded commitid differs */
    OG_E_NOT_SYMLINK = 52915,          /* $GAUSSHOME is not a symbolic link */
    OG_E_NOT_PRECOMMIT = 52916,        /* status is not pre commit */
    OG_E_DROP_SCHEMA = 52917,          /* failed to drop schema (warning) */
    OG_E_ALREADY_COMMITTED = 52919,    /* committed: can not rollback */
    OG_E_CONTINUE_NO_RECORD = 52920,   /* --continue without record */
    OG_E_DISK_USAGE_EXCEEDS = 52922,   /* disk usage exceeds %s */
    OG_E_ACTION_MISMATCH = 52925,      /* input upgrade type != recorded */
    OG_E_STEP_NOT_DIGIT = 52926,       /* step should be digit */
    OG_E_APP_VERSION = 52929,          /* failed to check application version */
    OG_E_OLD_VERSION_NODES = 52934,    /* nodes are old version, do nothing */
    OG_E_UNFINISHED_VERSION = 52935,   /* version differs from unfinished upgrade */
    OG_E_UPGRADE_UNFINISHED = 52936,   /* upgrade not finished, no other task */
    OG_E_NOT_ALL_UPGRADED = 52944,     /* not all nodes are upgraded */
    OG_E_STALE_RELEASE = 52945,        /* upgrade to a previous release */
    OG_E_CHECK_FAILED = 53011,         /* failed to check %s */
    OG_E_EMPTY = 53013,                /* %s can not be empty */
    OG_E_REMOTE_EXEC = 53507,          /* failed to execute %s command */
    OG_E_COLLECT_NOTHING = 53516,      /* gs_collector: nothing to collect */
    OG_E_DB_START = 53600,             /* can not start the database */
    OG_E_DB_STOP = 53606,              /* can not stop the database */

    /* --- ogup codes (OGUP-6xxxx) ----------------------------------------- */
    OG_E_NOMEM = 60001,               /* out of memory */
    OG_E_INVALID_ARG = 60002,         /* invalid argument (programming error) */
    OG_E_TOO_LARGE = 60003,           /* input exceeds its limit */
    OG_E_OUTPUT_LIMIT = 60010,        /* command output exceeds its bound */
    OG_E_TIMEOUT = 60011,             /* command timed out */
    OG_E_SPAWN = 60012,               /* command could not be started */
    OG_E_UNSAFE_ARG = 60013,          /* host/user/path unsafe (leading '-') */
    OG_E_CMD_FAILED = 60014,          /* command exited non-zero / by signal */
    OG_E_LOCKED = 60020,              /* lock held by another process */
    OG_E_IO = 60030,                  /* I/O error */
    OG_E_LOG_OPEN = 60040,            /* cannot open the log file */
    OG_E_LOG_UNSAFE = 60041,          /* root's log path: a link, or a directory others write */
    OG_E_CATALOG_MISMATCH = 60050,    /* catalog number differs from the kernel's */
    OG_E_FROZEN_GUC = 60051,          /* a GUC frozen for the upgrade changed */
    OG_E_STREAM_REPLICATION = 60052,  /* enable_stream_replication is off */
    OG_E_STANDBY_LAG = 60053,         /* a standby is not streaming or not caught up */
    OG_E_XML_INVALID = 60060,         /* malformed XML or schema violation */
    OG_E_MOT_IN_USE = 60070,          /* MOT tables block this upgrade target */
    OG_E_SSH_HOSTKEY_UNKNOWN = 60080, /* SSH host key not in known_hosts */
    OG_E_SSH_HOSTKEY_CHANGED = 60081, /* SSH host key differs from known_hosts */
    OG_E_SSH_AUTH = 60082,            /* SSH public key authentication failed */
    OG_E_SSH_CONNECT = 60083,         /* SSH connection could not be made */
    OG_E_SSH_FILE_UNSAFE = 60084,     /* SSH key/known_hosts: foreign owner or loose mode */
    OG_E_SSH_SESSION = 60085,         /* logged in, but no session opened in time */
    OG_E_JOURNAL_DISAGREE = 60090,    /* nodes' upgrade journals disagree */
    OG_E_FAILPOINT = 60091,           /* failpoint spec invalid */
    OG_E_NOT_MODELLED = 60092,        /* an openGauss action ogup does not provide */
    OG_E_BACKUP_MISSING = 60093,      /* a backup the journal records is missing */
    OG_E_SIM_LIBVIRT = 60100,         /* libvirt does not answer */
    OG_E_SIM_LXC = 60101,             /* LXC unusable on this host */
    OG_E_SIM_EXISTS = 60102,          /* cluster/domain/network name in use */
    OG_E_SIM_ADDRESS = 60103,         /* address or subnet in use */
    OG_E_SIM_NODE_DOWN = 60104,       /* a node did not come up */
    OG_E_SIM_NO_CLUSTER = 60105,      /* no such simulated cluster */
    OG_E_SIM_SNAPSHOT = 60106,        /* snapshot missing or unusable */
    OG_E_SIM_NO_INSTANCE = 60107,     /* a light cluster: no database instance */
    OG_E_FAULT_LEDGER = 60150,        /* fault ledger unreadable or malformed */
    OG_E_FAULT_NO_ENTRY = 60151,      /* no such fault in the ledger */
    OG_E_FAULT_STATE = 60152,         /* fault state change not allowed */
    OG_E_FAULT_INSTALL = 60153,       /* a fault could not be installed */
    OG_E_FAULT_HEAL = 60154,          /* a fault could not be healed */
    OG_E_FAULT_TARGET = 60155,        /* nothing to act on (no process, node not running) */
    OG_E_ARCHIVE_UNSAFE = 60170,      /* package member: device, set-id, link out of the tree */
    OG_E_PKG_SIGNATURE = 60171,       /* package signature missing or does not verify */
    OG_E_PKG_KEY = 60172,             /* package signing key missing or unusable */
};

#define OG_ERROR_DETAIL_MAX 2048

struct og_error {
    int code; /* positive enum og_code, 0 = none */
    char detail[OG_ERROR_DETAIL_MAX];
};

/* What a gs_upgradectl action was, for openGauss's exit-code convention. */
enum og_action {
    OG_ACTION_UPGRADE,        /* auto-upgrade: 0 ok, 1 failed */
    OG_ACTION_ROLLBACK,       /* auto-rollback: 2 ok, 3 failed */
    OG_ACTION_CHOSE_STRATEGY, /* chose-strategy: 4 ok, 1 failed */
    OG_ACTION_COMMIT,         /* commit-upgrade: 5 ok, 1 failed */
    OG_ACTION_OTHER,          /* OM tools: 0 ok, code-derived on failure */
};

/* Record code and detail in err (if non-NULL); returns -code.
 * A detail already present is kept as trailing context. */
int og_error_set(struct og_error *err, int code, const char *fmt, ...) _printf_(3, 4);

/* Same as og_error_set, appending ": strerror(errnum)". */
int og_error_set_errno(struct og_error *err, int code, int errnum, const char *fmt, ...)
    _printf_(4, 5);

/* Prepend context to an existing detail: "context: old detail". */
void og_error_prefix(struct og_error *err, const char *fmt, ...) _printf_(2, 3);

void og_error_clear(struct og_error *err);

/* "GAUSS-52901" / "OGUP-60011"; "OGUP-UNKNOWN" for a code not in the table. */
const char *og_code_name(int code);

/* The default message template for a code (never NULL). */
const char *og_code_text(int code);

/* True when code is in the table. */
bool og_code_known(int code);

/* "[GAUSS-NNNNN] : detail", openGauss's own layout (ErrorCode.py), with the
 * code's default text when detail is empty; returns buf.
 */
const char *og_error_format(const struct og_error *err, char *buf, size_t size);

/* openGauss exit code for an action's outcome, rc = 0 or a negative code.
 * gs_upgradectl actions use UpgradeImpl's fixed codes; OG_ACTION_OTHER uses
 * the OM tools' rule (ErrorCode.getErrorCodeAsInt): GAUSS-5ABxx exits
 * 5AB - 490 (GAUSS-500xx -> 10, GAUSS-529xx -> 39); any other failure 9. */
int og_exit_code(enum og_action action, int rc);

/* The command layer's one way to end with an error: print
 * "[GAUSS-NNNNN] : detail" on stderr when rc < 0, and return the exit code
 * of action for rc (og_exit_code). */
int og_error_report(const struct og_error *err, enum og_action action, int rc);

/* A command line the tool cannot take: print usage then
 * "[GAUSS-50004] : message" on stderr; returns the OM tools' exit code. */
int og_usage_error(const char *usage, const char *fmt, ...) _printf_(2, 3);

/* Find the last "[GAUSS-NNNNN] : detail" / "[OGUP-NNNNN] : detail" line in
 * text (a worker's stderr) and set err from it; returns -code, or 0 when no
 * such line holds a known code (err untouched). */
int og_error_parse(const char *text, struct og_error *err);

/* Number of entries in the code table, and the i-th code (for tests/docs). */
size_t og_code_count(void);
int og_code_at(size_t i);
