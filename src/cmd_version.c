// SPDX-License-Identifier: MIT
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "build-info.h"
#include "cmds.h"
#include "log.h"
#include "opt.h"
#include "result.h"

struct version_opts {
	int json;
};

static const struct sb_opt version_opts[] = {
	{ .name = "json", .type = SB_OPT_SETVAL, .off = offsetof(struct version_opts, json),
	  .setval = 1, .help = "print the version and build as JSON" },
	{ .name = NULL },
};

static const struct sb_opt_cmd version_cmd = {
	.cmd = "version",
	.synopsis = "[--json]",
	.summary = "Print the version, git commit and build flags.",
	.opts = version_opts,
};

int sb_cmd_version(int argc, char **argv)
{
	struct version_opts o = { 0 };
	int pos, ret;

	ret = sb_opts_parse(&version_cmd, &o, argc, argv, &pos, NULL);
	if (ret)
		return ret == SB_OPTS_HELP ? 0 : ret;
	if (pos < argc)
		return sb_usage_err("version", "unexpected argument '%s'", argv[pos]);
	if (o.json) {
		json_t *t = sb_tool_json();

		json_dumpf(t, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
		json_decref(t);
		return 0;
	}
	printf("splicebench %s (git %s)\nbuilt with %s, CFLAGS %s\n", SB_VERSION, SB_GIT_COMMIT,
	       SB_CC_VERSION, SB_BUILD_CFLAGS);
	return 0;
}
