// SPDX-License-Identifier: MIT
/*
 * splicebench probe: the copy-accounting probe table for this kernel: per
 * probe its tier, the attach point chosen, whether it attached, and why not.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "acct.h"
#include "cmds.h"
#include "log.h"
#include "opt.h"
#include "probes.h"
#include "sysinfo.h"

struct probe_opts {
	int json;
};

static const struct sb_opt probe_opts[] = {
	{ .name = "json", .type = SB_OPT_SETVAL, .off = offsetof(struct probe_opts, json),
	  .setval = 1, .help = "print the table as JSON" },
	{ .name = NULL },
};

static const struct sb_opt_cmd probe_cmd = {
	.cmd = "probe",
	.synopsis = "[--json]",
	.summary = "Show the copy-accounting probes on this kernel: for each, its tier (1: function\n"
		   "probe, 2: tracepoint), the attach point chosen, whether it attached, and why not.",
	.opts = probe_opts,
};

int sb_cmd_probe(int argc, char **argv)
{
	struct probe_opts o = { 0 };
	struct sb_acct *a = NULL;
	json_t *probes, *p, *doc;
	char why[512], mode[32], lwhy[256];
	unsigned int kv;
	int pos, ret;
	size_t i;

	ret = sb_opts_parse(&probe_cmd, &o, argc, argv, &pos, NULL);
	if (ret)
		return ret == SB_OPTS_HELP ? 0 : ret;
	if (pos < argc)
		return sb_usage_err("probe", "unexpected argument '%s'", argv[pos]);
	if (sb_acct_open(SB_PROBES_AUTO, &a, why, sizeof(why))) {
		sb_err("probe: %s", why);
		return SB_EXIT_ENV;
	}
	probes = sb_acct_probes_json(a);
	kv = sb_acct_kv(a);
	if (sb_sysinfo_lockdown(mode, sizeof(mode), lwhy, sizeof(lwhy)))
		snprintf(mode, sizeof(mode), "unknown");
	if (o.json) {
		doc = json_pack("{s:s, s:s, s:s, s:s, s:o}", "schema", "splicebench.probes/1",
				"era", kv ? sb_kernel_era(kv) : "unknown", "lockdown", mode,
				"summary", sb_acct_why(a), "probes", probes);
		json_dumpf(doc, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		printf("kernel era %s, lockdown %s: %s\n\n", kv ? sb_kernel_era(kv) : "unknown", mode,
		       sb_acct_why(a));
		printf("%-30s %-4s %-10s %-24s %-4s %s\n", "PROBE", "TIER", "MODE", "ATTACH POINT",
		       "OK", "WHY NOT");
		json_array_foreach(probes, i, p) {
			const char *f = json_string_value(json_object_get(p, "function"));
			const char *r = json_string_value(json_object_get(p, "reason"));

			printf("%-30s %-4s %-10s %-24s %-4s %s\n",
			       json_string_value(json_object_get(p, "name")),
			       json_string_value(json_object_get(p, "tier")),
			       json_string_value(json_object_get(p, "mode")), f ? f : "-",
			       json_is_true(json_object_get(p, "attached")) ? "yes" : "no",
			       r ? r : "");
		}
		json_decref(probes);
	}
	sb_acct_close(a);
	return 0;
}
