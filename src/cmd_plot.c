// SPDX-License-Identifier: MIT
/*
 * splicebench plot RESULT | BASE NEW: gnuplot pictures of a result or of a
 * comparison, with their .dat files and plot.gp kept beside them.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "log.h"
#include "opt.h"
#include "plot.h"
#include "resset.h"

struct plot_opts {
	const char *out;
	int format;
};

static const struct sb_enum_val format_vals[] = {
	{ "png", SB_PLOT_PNG },
	{ "svg", SB_PLOT_SVG },
	{ NULL, 0 },
};

static const struct sb_opt plot_opts[] = {
	{ .name = "out", .short_name = 'o', .type = SB_OPT_STR,
	  .off = offsetof(struct plot_opts, out), .metavar = "DIR",
	  .help = "write the pictures here, created if missing (default: <RESULT dir>/plots; "
		  "for a comparison <NEW dir>/plots-compare)" },
	{ .name = "format", .short_name = 'f', .type = SB_OPT_ENUM,
	  .off = offsetof(struct plot_opts, format), .metavar = "FMT", .vals = format_vals,
	  .help = "image format: png (pngcairo, default) or svg" },
	{ .name = NULL },
};

static const struct sb_opt_cmd plot_cmd = {
	.cmd = "plot",
	.synopsis = "RESULT | BASE NEW [--out DIR] [--format png|svg]",
	.summary = "Draw gnuplot pictures of a result, or of a comparison of two.",
	.details =
		"RESULT, BASE and NEW are result files, directories of them, or LABEL=PATH; the\n"
		"labels name the sides in titles and legends. One result: throughput.FMT (median\n"
		"GiB/s per cell, box p25..p75, whiskers min..max), split.FMT (bytes copied /\n"
		"handed over by reference / placed in fresh pages per byte moved, with the\n"
		"accounting tier) and latency.FMT (p50..p99.9, log scale). A comparison:\n"
		"cmp-<metric>.FMT, candlesticks of base vs new with the samples (bytes_per_sec,\n"
		"cpu_sec_per_gib, latency_p50_ns, latency_p99_ns), and split.FMT of both sides.\n"
		"Cells that are not ok are left out, with a note in the .dat file. Each picture's\n"
		"numbers are in <picture>.dat, and 'cd DIR && gnuplot plot.gp' redraws them all.\n"
		"Only plot.gp and the .dat and image files of these names are written in DIR.\n"
		"Prints the path of each image.\n"
		"Exit status: 0 ok, 2 usage or bad input (unreadable result, nothing to\n"
		"plot, DIR not writable), 3 gnuplot not installed (the .dat files and plot.gp\n"
		"are written) or failing. See docs/plot.md.\n",
	.opts = plot_opts,
};

/*
 * Options before, between and after RESULT or BASE NEW (the option parser
 * stops at the first argument that is not an option: parse again after
 * each one). Returns 0, SB_OPTS_HELP or SB_EXIT_USAGE.
 */
static int parse_args(struct plot_opts *o, int argc, char **argv, const char **pos_args,
		      int *npos)
{
	char **v = calloc((size_t)argc + 1, sizeof(*v)), **rest;
	int n = argc, pos, ret = 0;
	bool dashdash;

	*npos = 0;
	if (!v)
		return sb_usage_err("plot", "out of memory");
	memcpy(v, argv, (size_t)argc * sizeof(*v));
	rest = v;
	for (;;) {
		ret = sb_opts_parse(&plot_cmd, o, n, rest, &pos, NULL);
		if (ret || pos >= n)
			break;
		dashdash = !strcmp(rest[pos - 1], "--");
		for (; pos < n; pos++) {
			if (*npos == 2) {
				ret = sb_usage_err("plot", "unexpected argument '%s' (RESULT, or "
						   "BASE NEW)", rest[pos]);
				goto out;
			}
			pos_args[(*npos)++] = rest[pos];
			if (!dashdash)
				break;
		}
		if (pos >= n)
			break;
		/* parse what follows this argument, as a command line of its own */
		rest[pos] = v[0];
		rest += pos;
		n -= pos;
	}
out:
	free(v);
	return ret;
}

int sb_cmd_plot(int argc, char **argv)
{
	struct plot_opts o = { .format = SB_PLOT_PNG };
	struct sb_resset sets[2] = { { 0 } };
	struct sb_plot_req r = { 0 };
	struct sb_plot_out out;
	char err[1024], dir[PATH_MAX];
	const char *args[2];
	int ret, nsets, i;

	ret = parse_args(&o, argc, argv, args, &nsets);
	if (ret)
		return ret == SB_OPTS_HELP ? 0 : ret;
	if (nsets < 1)
		return sb_usage_err("plot", "no result given (RESULT, or BASE NEW)");
	if (o.out && !*o.out)
		return sb_usage_err("plot", "--out: empty directory name");

	for (i = 0; i < nsets; i++) {
		ret = sb_resset_load(&sets[i], args[i], err, sizeof(err));
		if (ret) {
			sb_err("plot: %s", err);
			ret = SB_EXIT_USAGE;
			goto out;
		}
	}
	r.set = &sets[nsets - 1];
	r.base = nsets == 2 ? &sets[0] : NULL;
	r.format = (enum sb_plot_format)o.format;
	if (o.out)
		snprintf(dir, sizeof(dir), "%s", o.out);
	else
		sb_plot_default_dir(r.set, r.base ? "plots-compare" : "plots", dir, sizeof(dir));
	r.dir = dir;

	ret = sb_plot_write(&r, &out, err, sizeof(err));
	if (ret) {
		sb_err("plot: %s", err);
		ret = SB_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < (int)out.nskipped; i++)
		sb_info("plot: left out %s", out.skipped[i]);
	ret = sb_plot_render(dir, &out, err, sizeof(err));
	if (ret == -ENOENT) {
		sb_err("plot: %s; the .dat files and %s are in %s", err, SB_PLOT_SCRIPT, dir);
		ret = SB_EXIT_ENV;
		goto out;
	}
	if (ret) {
		sb_err("plot: %s (in %s)", err, dir);
		ret = SB_EXIT_ENV;
		goto out;
	}
	for (i = 0; i < (int)out.nimages; i++)
		printf("%s/%s\n", dir, out.images[i]);
	ret = SB_EXIT_OK;
out:
	sb_resset_free(&sets[0]);
	sb_resset_free(&sets[1]);
	return ret;
}
