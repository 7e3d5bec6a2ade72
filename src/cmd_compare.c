// SPDX-License-Identifier: MIT
/*
 * splicebench compare BASE NEW and splicebench gate BASE NEW: the same
 * comparison, with gate's defaults tuned for a CI job (alpha 0.01, an
 * INSUFFICIENT gated metric is trouble). Exit 0 no gated regression,
 * 1 a gated regression, 2 trouble.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "log.h"
#include "opt.h"
#include "resset.h"

struct cmp_opts {
	int format;
	const char *alpha;
	const char *threshold;
	const char *confidence;
	struct sb_str_list metrics;
	int env;
	int unit;
	int strict;
	int allow_missing;
	int no_fail;
	int verbose;
};

static const struct sb_enum_val format_vals[] = {
	{ "text", SB_CMP_TEXT },
	{ "markdown", SB_CMP_MARKDOWN },
	{ "json", SB_CMP_JSON },
	{ "junit", SB_CMP_JUNIT },
	{ NULL, 0 },
};

static const struct sb_enum_val unit_vals[] = {
	{ "auto", SB_UNIT_AUTO },
	{ "runs", SB_UNIT_RUNS },
	{ "samples", SB_UNIT_SAMPLES },
	{ NULL, 0 },
};

static const struct sb_enum_val env_vals[] = {
	{ "error", SB_ENV_ERROR },
	{ "warn", SB_ENV_WARN },
	{ "ignore", SB_ENV_IGNORE },
	{ NULL, 0 },
};

#define COMMON_OPTS                                                                               \
	{ .name = "format", .short_name = 'f', .type = SB_OPT_ENUM,                               \
	  .off = offsetof(struct cmp_opts, format), .metavar = "FMT", .vals = format_vals,        \
	  .help = "text (default), markdown (a pull-request comment), json "                     \
		  "(splicebench.compare/1) or junit (XML for CI test reports)" },                  \
	{ .name = "alpha", .type = SB_OPT_STR, .off = offsetof(struct cmp_opts, alpha),           \
	  .metavar = "P", .help = "significance level of the U test, Holm-adjusted over the "     \
				  "gated metrics, 0 < P <= 0.5" },                                 \
	{ .name = "threshold", .type = SB_OPT_STR, .off = offsetof(struct cmp_opts, threshold),   \
	  .metavar = "PCT", .help = "smallest change that counts: the whole confidence interval " \
				    "must be beyond it (default: 5%)" },                             \
	{ .name = "confidence", .type = SB_OPT_STR,                                               \
	  .off = offsetof(struct cmp_opts, confidence), .metavar = "PCT",                         \
	  .help = "confidence of the intervals (default: 95%)" },                                 \
	{ .name = "metrics", .type = SB_OPT_LIST, .off = offsetof(struct cmp_opts, metrics),      \
	  .metavar = "M[,M...]", .help = "the gated metrics, or 'all' (default: bytes_per_sec, "  \
					 "syscalls_per_op, copy_ratio); the others are shown as " \
					 "information" },                                          \
	{ .name = "env-mismatch", .type = SB_OPT_ENUM, .off = offsetof(struct cmp_opts, env),     \
	  .metavar = "POLICY", .vals = env_vals,                                                  \
	  .help = "when CPU, accelerator, qemu or tool version differ: error (exit 2, default), " \
		  "warn, or ignore (warn-class differences not listed)" },                        \
	{ .name = "unit", .type = SB_OPT_ENUM, .off = offsetof(struct cmp_opts, unit),            \
	  .metavar = "U", .vals = unit_vals,                                                      \
	  .help = "what a noisy metric's test counts: runs (each run's median), samples, or "    \
		  "auto: runs with 2 or more per side, else shown but not gated (default)" },      \
	{ .name = "strict", .type = SB_OPT_SETVAL, .off = offsetof(struct cmp_opts, strict),      \
	  .setval = 1, .help = "NOISY and INSUFFICIENT gated metrics are trouble (exit 2)" },     \
	{ .name = "allow-missing", .type = SB_OPT_SETVAL,                                         \
	  .off = offsetof(struct cmp_opts, allow_missing), .setval = 1,                           \
	  .help = "compare the cells both sides have; list the others (default: trouble)" },      \
	{ .name = "verbose", .short_name = 'v', .type = SB_OPT_SETVAL,                            \
	  .off = offsetof(struct cmp_opts, verbose), .setval = 1,                                 \
	  .help = "show every row, also the informational ones without a change" }

static const struct sb_opt compare_opts[] = {
	COMMON_OPTS,
	{ .name = "no-fail", .type = SB_OPT_SETVAL, .off = offsetof(struct cmp_opts, no_fail),
	  .setval = 1, .help = "exit 0 on a regression (trouble still exits 2)" },
	{ .name = NULL },
};

static const struct sb_opt gate_opts[] = {
	COMMON_OPTS,
	{ .name = NULL },
};

#define CMP_DETAILS                                                                               \
	"BASE and NEW are result files, directories of them (searched for\n"                     \
	"splicebench.result files), or LABEL=PATH. Cells are matched by workload, target\n"      \
	"and parameters. Per cell and metric: medians, the Hodges-Lehmann shift with its\n"      \
	"confidence interval, the Mann-Whitney U p-value, and a verdict: REGRESSION and\n"       \
	"IMPROVEMENT (significant, whole interval beyond the threshold), SMALL (significant,\n"  \
	"within it), ~ (no significant change), INSUFFICIENT (too few samples), = (exact\n"     \
	"metric unchanged). Exact metrics (syscalls_per_op, copy_ratio) count any change in\n"  \
	"the worse direction. See docs/compare.md.\n"

static const struct sb_opt_cmd compare_cmd = {
	.cmd = "compare",
	.synopsis = "[options] BASE NEW",
	.summary = "Compare two sets of results: environment differences, then per cell and "
		   "metric the change, its confidence interval, p-value and verdict.",
	.details = CMP_DETAILS "Defaults: alpha 0.05. Exit status: 0 no gated regression, "
			       "1 a gated regression\n(0 with --no-fail), 2 trouble (bad input, "
			       "environment mismatch, missing cells).\n",
	.opts = compare_opts,
};

static const struct sb_opt_cmd gate_cmd = {
	.cmd = "gate",
	.synopsis = "[options] BASE NEW",
	.summary = "The regression gate for CI: compare BASE and NEW and exit 1 when a gated "
		   "metric regressed.",
	.details = CMP_DETAILS
	"Defaults: alpha 0.01. Exit status: 0 no gated metric regressed, 1 one did, 2 trouble\n"
	"(unreadable or invalid input, schema major mismatch, environment mismatch under\n"
	"--env-mismatch error, missing or failed cells, an INSUFFICIENT gated metric).\n",
	.opts = gate_opts,
};

/* "5", "5%", "0.5%" -> 0.05, 0.05, 0.005 (percent, with or without the sign). */
static int parse_pct(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || (*end && strcmp(end, "%")) || !isfinite(v))
		return -EINVAL;
	v /= 100;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

static int settings_from(const struct sb_opt_cmd *c, const struct cmp_opts *o,
			 struct sb_cmp_settings *s)
{
	char *end;
	size_t i;

	if (o->alpha) {
		errno = 0;
		s->alpha = strtod(o->alpha, &end);
		if (end == o->alpha || *end || errno || !(s->alpha > 0 && s->alpha <= 0.5))
			return sb_usage_err(c->cmd, "--alpha '%s': need a number in (0, 0.5]",
					    o->alpha);
	}
	if (o->threshold && parse_pct(o->threshold, 0, 10, &s->threshold))
		return sb_usage_err(c->cmd, "--threshold '%s': need a percentage 0..1000%%",
				    o->threshold);
	if (o->confidence && parse_pct(o->confidence, 0.5, 0.999, &s->confidence))
		return sb_usage_err(c->cmd, "--confidence '%s': need a percentage 50..99.9%%",
				    o->confidence);
	for (i = 0; i < o->metrics.n; i++)
		if (strcmp(o->metrics.v[i], "all") && !sb_metric_find(o->metrics.v[i]))
			return sb_usage_err(c->cmd, "--metrics: unknown metric '%s' (known: "
					    "bytes_per_sec, cpu_sec_per_gib, latency_p50_ns, "
					    "latency_p99_ns, syscalls_per_op, copy_ratio, "
					    "zero_copy_ratio, loss_ratio, all)",
					    o->metrics.v[i]);
	s->env = (enum sb_env_policy)o->env;
	s->unit = (enum sb_unit)o->unit;
	s->strict = o->strict;
	s->allow_missing = o->allow_missing;
	s->no_fail = o->no_fail;
	return 0;
}

/*
 * An input that cannot be read: one line on stderr; the machine-read formats
 * still get a document (a JUnit error case, a JSON verdict) so that a CI job
 * shows why.
 */
static int load_trouble(const struct sb_opt_cmd *c, enum sb_cmp_format fmt, const char *why)
{
	json_t *doc;

	sb_err("%s: %s", c->cmd, why);
	if (fmt == SB_CMP_TEXT)
		return SB_EXIT_USAGE;
	doc = json_pack("{s:s, s:s, s:[s], s:[], s:s, s:s+, s:i}", "schema", SB_COMPARE_SCHEMA,
			"command", c->cmd, "trouble", why, "rows", "verdict", "TROUBLE", "headline",
			"trouble: ", why, "exit_code", SB_EXIT_USAGE);
	if (doc)
		sb_compare_render(doc, fmt, false, stdout);
	json_decref(doc);
	return SB_EXIT_USAGE;
}

static int run_compare(const struct sb_opt_cmd *c, bool gate, int argc, char **argv)
{
	struct cmp_opts o = { .format = SB_CMP_TEXT, .env = SB_ENV_ERROR };
	struct sb_cmp_settings s = {
		.alpha = gate ? 0.01 : 0.05,
		.confidence = 0.95,
		.threshold = 0.05,
		.noisy_rcv = 0.10,
		.outlier_z = 3.5,
		.insufficient_is_trouble = gate,
		.command = c->cmd,
	};
	const char *gated[SB_LIST_MAX + 1];
	struct sb_resset base, new;
	char err[512];
	json_t *doc;
	int pos, ret;
	size_t i;

	ret = sb_opts_parse(c, &o, argc, argv, &pos, NULL);
	if (ret) {
		sb_opts_free(c, &o);
		return ret == SB_OPTS_HELP ? 0 : ret;
	}
	ret = settings_from(c, &o, &s);
	if (!ret && argc - pos != 2)
		ret = sb_usage_err(c->cmd, "need BASE and NEW (got %d argument%s)", argc - pos,
				   argc - pos == 1 ? "" : "s");
	if (ret)
		goto out;
	if (o.metrics.n) {
		for (i = 0; i < o.metrics.n; i++)
			gated[i] = o.metrics.v[i];
		gated[i] = NULL;
		s.gated = gated;
	}
	if (sb_resset_load(&base, argv[pos], err, sizeof(err))) {
		ret = load_trouble(c, (enum sb_cmp_format)o.format, err);
		goto out;
	}
	if (sb_resset_load(&new, argv[pos + 1], err, sizeof(err))) {
		ret = load_trouble(c, (enum sb_cmp_format)o.format, err);
		sb_resset_free(&base);
		goto out;
	}
	doc = sb_compare(&base, &new, &s);
	if (!doc) {
		sb_err("%s: out of memory", c->cmd);
		ret = SB_EXIT_USAGE;
	} else {
		sb_compare_render(doc, (enum sb_cmp_format)o.format, o.verbose, stdout);
		ret = (int)json_integer_value(json_object_get(doc, "exit_code"));
		/* trouble also gets one line on stderr, whatever the format */
		if (ret == SB_EXIT_USAGE)
			sb_err("%s: %s", c->cmd,
			       json_string_value(json_array_get(json_object_get(doc, "trouble"), 0)));
		json_decref(doc);
	}
	sb_resset_free(&base);
	sb_resset_free(&new);
out:
	sb_opts_free(c, &o);
	return ret;
}

int sb_cmd_compare(int argc, char **argv)
{
	return run_compare(&compare_cmd, false, argc, argv);
}

int sb_cmd_gate(int argc, char **argv)
{
	return run_compare(&gate_cmd, true, argc, argv);
}
