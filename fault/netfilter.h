/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * netfilter.h - the host-side network faults: an iptables chain of our own
 * per cluster (OGFAULT-<cluster>), hooked first into FORWARD (bridged
 * node-to-node frames: br_netfilter is on), INPUT (node -> host) and OUTPUT
 * (host -> node), and host-side interfaces set down/up. Every command is an
 * argv (command.h), never a shell. Rules carry the comment
 * "ogfault:<cluster>:<id>" so a sweep can tell whose they are.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ogerror.h"

#define NETFILTER_CHAIN_PREFIX "OGFAULT-"

/* "OGFAULT-<cluster>" (cluster names are at most 20 characters: fits the
 * 28 iptables allows). */
void netfilter_chain_name(const char *cluster, char *buf, size_t size);

/* Create chain when missing and hook it into FORWARD, INPUT and OUTPUT ahead
 * of libvirt's own chains (which ACCEPT bridged traffic). */
int netfilter_chain_ensure(const char *chain, struct og_error *err);
/* Unhook, flush and delete chain; an absent chain is not an error. */
int netfilter_chain_remove(const char *chain, struct og_error *err);
bool netfilter_chain_exists(const char *chain);

/* Append rule spec (tokens separated by one space) unless already there. */
int netfilter_rule_add(const char *chain, const char *spec, struct og_error *err);
/* Delete rule spec; a rule (or chain) already gone is not an error. */
int netfilter_rule_del(const char *chain, const char *spec, struct og_error *err);

/* The rules of chain as `iptables -S` prints them ("-A CHAIN ..."), one per
 * line, in order; empty when the chain is absent. */
int netfilter_rule_list(const char *chain, char **ret, struct og_error *err);
/* Delete rule number num (1-based) of chain. */
int netfilter_rule_del_num(const char *chain, int num, struct og_error *err);

/* Every chain whose name starts with NETFILTER_CHAIN_PREFIX, one per line. */
int netfilter_chains(char **ret, struct og_error *err);

/* ip link set dev DEV up|down; -OG_E_NOT_EXIST when there is no such device. */
int netfilter_link_set(const char *dev, bool up, struct og_error *err);
/* Whether DEV is administratively up; -OG_E_NOT_EXIST when absent. */
int netfilter_link_is_up(const char *dev, bool *ret, struct og_error *err);
