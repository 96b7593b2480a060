/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "command.h"
#include "dynbuf.h"
#include "fault.h"
#include "fault_int.h"
#include "ledger.h"
#include "netfilter.h"
#include "ogerror.h"
#include "parse.h"
#include "simcluster.h"
#include "simdriver.h"
#include "banned.h"

/* The fault id at s in a name the ledger made (a rule's tag, a ballast
 * file's name): the decimal digits there, up to the first other character;
 * 0, which no fault has, when there is none. */
static int id_at(const char *s)
{
    char digits[16];
    size_t len = strspn(s, "0123456789");
    int id;

    if (len == 0 || len >= sizeof(digits))
        return 0;
    memcpy(digits, s, len);
    digits[len] = '\0';
    return safe_atoi(digits, &id) == 0 ? id : 0;
}

/* ---- sweep ------------------------------------------------------------------------------- */

/* An entry not healed owns its rules, ballast, veth and domain. */
static const struct ledger_entry *live_entry(const struct fault *f, int id)
{
    for (size_t i = 0; i < f->l->n; i++)
        if (f->l->entries[i].id == id && f->l->entries[i].state != FAULT_HEALED)
            return &f->l->entries[i];
    return NULL;
}

static bool live_owner(const struct fault *f, enum fault_kind kind, const char *node)
{
    for (size_t i = 0; i < f->l->n; i++) {
        const struct ledger_entry *e = &f->l->entries[i];
        if (e->kind == kind && e->state != FAULT_HEALED && strcmp(e->nodes[0], node) == 0)
            return true;
    }
    return false;
}

/* Rules of the cluster's chain that no live entry owns (by the tag in their
 * comment), then the chain itself when it is empty. */
static int sweep_rules(struct fault *f, struct dynbuf *report, struct og_error *err)
{
    _cleanup_free_ char *rules = NULL;
    char chain[32], tag[64];
    int nums[1024], n = 0, num = 0, r;
    size_t tl;

    netfilter_chain_name(f->c.name, chain, sizeof(chain));
    if (!netfilter_chain_exists(chain))
        return 0;
    r = netfilter_rule_list(chain, &rules, err);
    if (r < 0)
        return r;
    tl = (size_t)snprintf(tag, sizeof(tag), "ogfault:%s:", f->c.name);
    for (char *p = rules; *p && n < (int)ELEMENTSOF(nums);) {
        char *nl = strchr(p, '\n');
        const char *t;
        if (nl)
            *nl = '\0';
        num++;
        t = strstr(p, tag);
        if (!t || !live_entry(f, id_at(t + tl)))
            nums[n++] = num;
        p = nl ? nl + 1 : p + strlen(p);
    }
    for (int k = n - 1; r == 0 && k >= 0; k--) /* from the end: numbers stay valid */
        r = netfilter_rule_del_num(chain, nums[k], err);
    if (r == 0 && n)
        dynbuf_addf(report, "removed %d rule%s of %s owned by no live fault\n", n,
                    n == 1 ? "" : "s", chain);
    if (r == 0) {
        _cleanup_free_ char *left = NULL;
        r = netfilter_rule_list(chain, &left, err);
        if (r == 0 && !left[0]) {
            r = netfilter_chain_remove(chain, err);
            if (r == 0)
                dynbuf_addf(report, "removed the chain %s\n", chain);
        }
    }
    return r;
}

static int sweep_node(struct fault *f, const struct sim_node *n, struct dynbuf *report,
                      struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    enum node_state st = NODE_OTHER;
    bool up = true;
    int r = fault_node_state(f, n, &st, err);

    if (r < 0)
        return r;
    if (st == NODE_PAUSED && !live_owner(f, FAULT_FREEZE, n->name)) {
        struct simdriver *d;
        r = fault_driver(f, &d, err);
        if (r == 0)
            r = simdriver_ops(d)->node_suspend(d, n->domain, false, err);
        if (r < 0)
            return r;
        dynbuf_addf(report, "resumed %s (paused, no live freeze)\n", n->name);
        st = NODE_RUNNING;
    }
    if (st == NODE_RUNNING && netfilter_link_is_up(n->veth, &up, NULL) == 0 && !up &&
        !live_owner(f, FAULT_NET_CUT, n->name)) {
        r = netfilter_link_set(n->veth, true, err);
        if (r < 0)
            return r;
        dynbuf_addf(report, "set %s (%s) up: down, no live net-cut\n", n->veth, n->name);
    }
    if (st == NODE_RUNNING) {
        const char *find[] = {"find",  f->c.data_mount,    "-xdev", "-maxdepth", "1",
                              "-name", BALLAST_PREFIX "*", NULL};
        char *save = NULL, *line;
        r = fault_in_node_ok(f, n, "root", find, EXEC_TIMEOUT_MS, &res, err);
        if (r < 0)
            return r;
        for (line = strtok_r(res.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            const char *base = strrchr(line, '/');
            const struct ledger_entry *e;
            base = base ? base + 1 : line;
            e = live_entry(f, id_at(base + strlen(BALLAST_PREFIX)));
            if (e && e->kind == FAULT_DISK_FULL && strcmp(e->undo.path, line) == 0)
                continue;
            {
                _cleanup_command_result_ struct command_result rr = {0};
                const char *rm[] = {"rm", "-f", "--", line, NULL};
                r = fault_in_node_ok(f, n, "root", rm, EXEC_TIMEOUT_MS, &rr, err);
                if (r < 0)
                    return r;
                dynbuf_addf(report, "removed %s:%s (no live disk-full)\n", n->name, line);
            }
        }
    }
    return 0;
}

int fault_sweep(struct fault *f, struct dynbuf *report, struct og_error *err)
{
    size_t healed = 0;
    int first = fault_heal_all(f, &healed, err), r;

    if (healed)
        dynbuf_addf(report, "healed %zu fault%s\n", healed, healed == 1 ? "" : "s");
    r = sweep_rules(f, report, first ? NULL : err);
    if (r < 0 && !first)
        first = r;
    for (size_t i = 0; i < f->c.n_nodes; i++) {
        r = sweep_node(f, &f->c.nodes[i], report, first ? NULL : err);
        if (r < 0 && !first)
            first = r;
    }
    return first;
}

int fault_sweep_orphan_chains(struct dynbuf *report, struct og_error *err)
{
    _cleanup_free_ char *chains = NULL;
    char *save = NULL, *line;
    size_t pl = strlen(NETFILTER_CHAIN_PREFIX);
    int r = netfilter_chains(&chains, err);

    for (line = r == 0 ? strtok_r(chains, "\n", &save) : NULL; r == 0 && line;
         line = strtok_r(NULL, "\n", &save)) {
        char state[PATH_MAX];
        snprintf(state, sizeof(state), "%s/%s/state.json", sim_state_root(), line + pl);
        if (access(state, F_OK) == 0)
            continue;
        r = netfilter_chain_remove(line, err);
        if (r == 0)
            dynbuf_addf(report, "removed the chain %s (no cluster %s)\n", line, line + pl);
    }
    return r;
}
