// SPDX-License-Identifier: MIT
/*
 * splicebench list: the workload table.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "cmds.h"
#include "log.h"
#include "opt.h"
#include "workload.h"

struct list_opts {
	int json;
};

static const struct sb_opt list_opts[] = {
	{ .name = "json", .type = SB_OPT_SETVAL, .off = offsetof(struct list_opts, json),
	  .setval = 1, .help = "print the table as JSON" },
	{ .name = NULL },
};

static const struct sb_opt_cmd list_cmd = {
	.cmd = "list",
	.synopsis = "[--json]",
	.summary = "List the workloads: id, where they run, their copying twin, data path and "
		   "parameters.",
	.opts = list_opts,
};

static const char *targets_of(const struct sb_workload *w)
{
	if (w->flags & SB_WL_PIPE_ONLY)
		return "pipe";
	return w->flags & SB_WL_SOCKET ? "tcp,udp" : "tmpfs,ext4,xfs,--dir";
}

static json_t *params_of(const struct sb_workload *w)
{
	json_t *a = json_array();

	json_array_append_new(a, json_string("chunk"));
	if (w->flags & SB_WL_SOCKET) {
		json_array_append_new(a, json_string("proto"));
		if (w->flags & (SB_WL_SRC_FILE | SB_WL_AX_SINK_FILE))
			json_array_append_new(a, json_string("fs"));
		json_array_append_new(a, json_string("dgram_size"));
		json_array_append_new(a, json_string("sndbuf"));
		json_array_append_new(a, json_string("rcvbuf"));
	}
	if (w->flags & (SB_WL_SRC_FILE | SB_WL_DST_FILE)) {
		json_array_append_new(a, json_string("direct"));
		json_array_append_new(a, json_string("file_size"));
	}
	if ((w->flags & SB_WL_SRC_FILE) && !(w->flags & SB_WL_SOCKET))
		json_array_append_new(a, json_string("cache"));
	if (w->flags & SB_WL_AX_SINK)
		json_array_append_new(a, json_string("sink"));
	if (w->flags & SB_WL_AX_FILL)
		json_array_append_new(a, json_string("fill"));
	if (w->flags & SB_WL_AX_GIFT)
		json_array_append_new(a, json_string("gift"));
	if (w->flags & (SB_WL_PIPE | SB_WL_PIPE2))
		json_array_append_new(a, json_string("pipe_size"));
	if (w->flags & SB_WL_AX_FLAGS)
		json_array_append_new(a, json_string("splice_flags"));
	return a;
}

static json_t *workloads_json(void)
{
	json_t *a = json_array();
	const struct sb_workload *w;
	size_t i;

	sb_for_each_workload(i, w) {
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:b, s:o}", "id", w->id,
				     "family", w->family, "summary", w->summary, "path", w->path,
				     "twin", w->twin ? json_string(w->twin) : json_null(), "targets",
				     targets_of(w),
				     "zero_copy_capable", (w->flags & SB_WL_ZEROCOPY) != 0, "params",
				     params_of(w)));
	}
	return a;
}

int sb_cmd_list(int argc, char **argv)
{
	struct list_opts o = { 0 };
	const struct sb_workload *w;
	json_t *a, *p, *v;
	int pos, ret;
	size_t i, k;

	ret = sb_opts_parse(&list_cmd, &o, argc, argv, &pos, NULL);
	if (ret)
		return ret == SB_OPTS_HELP ? 0 : ret;
	if (pos < argc)
		return sb_usage_err("list", "unexpected argument '%s'", argv[pos]);
	if (o.json) {
		a = json_pack("{s:s, s:o}", "schema", "splicebench.workloads/1", "workloads",
			      workloads_json());
		json_dumpf(a, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
		json_decref(a);
		return 0;
	}
	printf("%-30s %-22s %s\n", "WORKLOAD", "TARGETS", "COPYING TWIN");
	sb_for_each_workload(i, w) {
		printf("%-30s %-22s %s\n", w->id,
		       targets_of(w),
		       w->twin ? w->twin : "-");
		printf("    %s\n    path: %s\n    params:", w->summary, w->path);
		p = params_of(w);
		json_array_foreach(p, k, v)
			printf("%s%s", k ? ", " : " ", json_string_value(v));
		json_decref(p);
		printf("\n\n");
	}
	printf("A family name (e.g. -w splice) selects all its variants.\n");
	return 0;
}
