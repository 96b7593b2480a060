/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "dynbuf.h"
#include "ledger.h"
#include "netfilter.h"
#include "banned.h"

#define NF_TIMEOUT_MS 30000
#define NF_OUTPUT_MAX (1u << 20)
#define NF_ARGV_MAX   64
/* iptables exits 4 when the kernel (nf_tables) is busy with someone else's
 * transaction: retry a few times. */
#define NF_RETRIES 20

static const char *const hooks[] = {"FORWARD", "INPUT", "OUTPUT"};

void netfilter_chain_name(const char *cluster, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", NETFILTER_CHAIN_PREFIX, cluster);
}

/* Run iptables -w 10 with argv (NULL-terminated); the exit status in *status. */
static int ipt(const char *const *args, int *status, char **out, struct og_error *err)
{
    for (int attempt = 0;; attempt++) {
        _cleanup_command_ struct command *cmd = command_newl("iptables", "-w", "10", NULL);
        _cleanup_command_result_ struct command_result res = {0};
        int r;

        if (!cmd)
            return og_error_set(err, OG_E_NOMEM, "iptables");
        for (size_t i = 0; args[i]; i++)
            if (command_add_arg(cmd, args[i]) < 0)
                return og_error_set(err, OG_E_NOMEM, "iptables");
        command_set_timeout_ms(cmd, NF_TIMEOUT_MS);
        command_set_output_max(cmd, NF_OUTPUT_MAX);
        r = command_run(cmd, &res, err);
        if (r < 0)
            return r;
        if (res.exit_status == 4 && attempt < NF_RETRIES) {
            usleep(100 * 1000);
            continue;
        }
        *status = res.exit_status;
        if (status && *status != 0 && err && !out) {
            size_t el = res.err_len;
            og_error_set(err, OG_E_CMD_FAILED, "\"%s\" exited with %d: %s", command_describe(cmd),
                         res.exit_status, el > 400 ? res.err + el - 400 : res.err);
        }
        if (out) {
            *out = res.out;
            res.out = NULL;
        }
        return 0;
    }
}

/* iptables ... that must succeed. */
static int ipt_ok(const char *const *args, struct og_error *err)
{
    int st = 0, r = ipt(args, &st, NULL, err);

    if (r < 0)
        return r;
    return st == 0 ? 0 : -OG_E_CMD_FAILED;
}

/* iptables ... where a non-zero exit is an answer ("no"), not an error. */
static int ipt_test(const char *const *args, bool *yes, struct og_error *err)
{
    int st = 0, r = ipt(args, &st, NULL, NULL);

    if (r < 0)
        return og_error_set(err, -r, "iptables could not be run");
    *yes = st == 0;
    return 0;
}

bool netfilter_chain_exists(const char *chain)
{
    const char *a[] = {"-S", chain, NULL};
    bool yes = false;

    return ipt_test(a, &yes, NULL) == 0 && yes;
}

/* The position (1-based) of the first rule of hook jumping to chain and of
 * the first jump to one of libvirt's chains; 0 when none. */
static int hook_positions(const char *hook, const char *chain, int *ours, int *libvirt,
                          struct og_error *err)
{
    const char *a[] = {"-S", hook, NULL};
    _cleanup_free_ char *out = NULL;
    char jump[64];
    int st = 0, r = ipt(a, &st, &out, err), n = 0;
    char *save = NULL, *line;

    *ours = *libvirt = 0;
    if (r < 0)
        return r;
    if (st != 0)
        return og_error_set(err, OG_E_CMD_FAILED, "iptables -S %s exited with %d", hook, st);
    snprintf(jump, sizeof(jump), "-j %s", chain);
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        const char *j;
        if (strncmp(line, "-A ", 3) != 0)
            continue;
        n++;
        j = strstr(line, " -j ");
        if (!*ours && j && strcmp(j + 1, jump) == 0)
            *ours = n;
        if (!*libvirt && j && strncmp(j + 4, "LIBVIRT_", 8) == 0)
            *libvirt = n;
    }
    return 0;
}

int netfilter_chain_ensure(const char *chain, struct og_error *err)
{
    int r;

    if (!netfilter_chain_exists(chain)) {
        const char *a[] = {"-N", chain, NULL};
        r = ipt_ok(a, err);
        /* someone (a concurrent ogfault of this cluster cannot: the ledger
         * lock) made it meanwhile: fine */
        if (r < 0 && !netfilter_chain_exists(chain))
            return r;
        og_error_clear(err);
    }
    for (size_t h = 0; h < ELEMENTSOF(hooks); h++) {
        int ours = 0, libvirt = 0;
        r = hook_positions(hooks[h], chain, &ours, &libvirt, err);
        if (r < 0)
            return r;
        if (ours && (!libvirt || ours < libvirt))
            continue;
        if (ours) { /* behind libvirt's ACCEPTs: useless there */
            const char *d[] = {"-D", hooks[h], "-j", chain, NULL};
            r = ipt_ok(d, err);
            if (r < 0)
                return r;
        }
        {
            const char *ins[] = {"-I", hooks[h], "1", "-j", chain, NULL};
            r = ipt_ok(ins, err);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int netfilter_chain_remove(const char *chain, struct og_error *err)
{
    int r;

    for (size_t h = 0; h < ELEMENTSOF(hooks); h++) {
        /* every jump (a crashed run may have left two) */
        for (int k = 0; k < 16; k++) {
            const char *d[] = {"-D", hooks[h], "-j", chain, NULL};
            bool yes = false;
            r = ipt_test(d, &yes, err);
            if (r < 0)
                return r;
            if (!yes)
                break;
        }
    }
    if (!netfilter_chain_exists(chain))
        return 0;
    {
        const char *f[] = {"-F", chain, NULL};
        const char *x[] = {"-X", chain, NULL};
        r = ipt_ok(f, err);
        if (r == 0)
            r = ipt_ok(x, err);
    }
    if (r < 0 && !netfilter_chain_exists(chain)) {
        og_error_clear(err);
        return 0;
    }
    return r;
}

/* argv = { op, chain, tokens of spec..., NULL } */
static int rule_argv(const char *op, const char *chain, const char *spec, char *buf, size_t bufsize,
                     const char **argv, struct og_error *err)
{
    int n;

    argv[0] = op;
    argv[1] = chain;
    n = ledger_rule_split(spec, buf, bufsize, argv + 2, NF_ARGV_MAX - 2);
    if (n <= 0)
        return og_error_set(err, OG_E_INVALID_ARG, "the rule spec \"%s\" is empty or too long",
                            spec);
    return 0;
}

int netfilter_rule_add(const char *chain, const char *spec, struct og_error *err)
{
    char buf[LEDGER_RULE_MAX];
    const char *argv[NF_ARGV_MAX];
    bool present = false;
    int r = rule_argv("-C", chain, spec, buf, sizeof(buf), argv, err);

    if (r == 0)
        r = ipt_test(argv, &present, err);
    if (r < 0 || present)
        return r;
    argv[0] = "-A";
    return ipt_ok(argv, err);
}

int netfilter_rule_del(const char *chain, const char *spec, struct og_error *err)
{
    char buf[LEDGER_RULE_MAX];
    const char *argv[NF_ARGV_MAX];
    int r = rule_argv("-C", chain, spec, buf, sizeof(buf), argv, err);

    /* every copy, and none is fine: an undo of what is gone */
    for (int k = 0; r == 0 && k < 16; k++) {
        bool present = false;
        argv[0] = "-C";
        r = ipt_test(argv, &present, err);
        if (r < 0 || !present)
            break;
        argv[0] = "-D";
        r = ipt_ok(argv, err);
    }
    return r;
}

int netfilter_rule_list(const char *chain, char **ret, struct og_error *err)
{
    const char *a[] = {"-S", chain, NULL};
    _cleanup_free_ char *out = NULL;
    int st = 0, r = ipt(a, &st, &out, err);
    char *p, *w;

    if (r < 0)
        return r;
    if (st != 0) { /* no such chain: no rules */
        out[0] = '\0';
        *ret = steal_ptr(out);
        return 0;
    }
    /* keep the "-A" lines only (drop "-N chain") */
    for (p = w = out; *p;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (strncmp(p, "-A ", 3) == 0) {
            memmove(w, p, len);
            w += len;
        }
        p += len;
    }
    *w = '\0';
    *ret = steal_ptr(out);
    return 0;
}

int netfilter_rule_del_num(const char *chain, int num, struct og_error *err)
{
    char n[16];
    const char *a[] = {"-D", chain, n, NULL};

    snprintf(n, sizeof(n), "%d", num);
    return ipt_ok(a, err);
}

int netfilter_chains(char **ret, struct og_error *err)
{
    const char *a[] = {"-S", NULL};
    _cleanup_free_ char *out = NULL;
    struct dynbuf b;
    int st = 0, r = ipt(a, &st, &out, err);
    char *save = NULL, *line;

    if (r < 0)
        return r;
    dynbuf_init(&b, NF_OUTPUT_MAX);
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "-N " NETFILTER_CHAIN_PREFIX, 3 + strlen(NETFILTER_CHAIN_PREFIX)) == 0 &&
            dynbuf_appendf(&b, "%s\n", line + 3) < 0) {
            dynbuf_done(&b);
            return og_error_set(err, OG_E_NOMEM, "chains");
        }
    *ret = dynbuf_steal(&b);
    return *ret ? 0 : og_error_set(err, OG_E_NOMEM, "chains");
}

static bool valid_dev(const char *dev)
{
    size_t n = strlen(dev);

    if (n == 0 || n >= 16 || dev[0] == '-')
        return false;
    for (; *dev; dev++)
        if (*dev == '/' || *dev == ' ' || (unsigned char)*dev < 0x21)
            return false;
    return true;
}

int netfilter_link_is_up(const char *dev, bool *ret, struct og_error *err)
{
    _cleanup_command_ struct command *cmd = NULL;
    _cleanup_command_result_ struct command_result res = {0};
    const char *flags, *end;
    int r;

    if (!valid_dev(dev))
        return og_error_set(err, OG_E_UNSAFE_ARG, "the interface name \"%s\" is unsafe", dev);
    cmd = command_newl("ip", "-o", "link", "show", "dev", dev, NULL);
    if (!cmd)
        return og_error_set(err, OG_E_NOMEM, "ip");
    command_set_timeout_ms(cmd, NF_TIMEOUT_MS);
    r = command_run(cmd, &res, err);
    if (r < 0)
        return r;
    if (res.exit_status != 0)
        return og_error_set(err, OG_E_NOT_EXIST, "there is no interface %s", dev);
    /* "7: vnet0@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ..." */
    flags = strchr(res.out, '<');
    end = flags ? strchr(flags, '>') : NULL;
    if (!flags || !end)
        return og_error_set(err, OG_E_CONTENT_INVALID, "ip link show %s printed: %s", dev, res.out);
    *ret = false;
    for (const char *p = flags + 1; p < end;) {
        size_t len = strcspn(p, ",>");
        if (len == 2 && strncmp(p, "UP", 2) == 0)
            *ret = true;
        p += len + 1;
    }
    return 0;
}

int netfilter_link_set(const char *dev, bool up, struct og_error *err)
{
    _cleanup_command_ struct command *cmd = NULL;
    bool cur = false;
    int r;

    r = netfilter_link_is_up(dev, &cur, err);
    if (r < 0)
        return r;
    cmd = command_newl("ip", "link", "set", "dev", dev, up ? "up" : "down", NULL);
    if (!cmd)
        return og_error_set(err, OG_E_NOMEM, "ip");
    command_set_timeout_ms(cmd, NF_TIMEOUT_MS);
    r = command_run_ok(cmd, NULL, err);
    if (r < 0 && netfilter_link_is_up(dev, &cur, NULL) == -OG_E_NOT_EXIST)
        return og_error_set(err, OG_E_NOT_EXIST, "there is no interface %s", dev);
    return r;
}
