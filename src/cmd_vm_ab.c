// SPDX-License-Identifier: MIT
/*
 * splicebench vm ab: two kernels, booted in turns (abba... or a seeded
 * random order) so that slow drift of the host falls on both alike. Each
 * boot is a `splicebench vm` run into <out>/<side>/boot-<n>/; then the
 * boots of each side are merged into <out>/a.json and <out>/b.json: result
 * files whose cells hold the samples of every boot (each tagged with its
 * boot) and summaries recomputed over all of them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmds.h"
#include "log.h"
#include "opt.h"
#include "result.h"
#include "run.h"
#include "stats.h"
#include "vmkernel.h"

enum { ORDER_ABBA = 1, ORDER_RANDOM };

struct ab_opts {
	const char *a, *b;
	uint64_t boots;
	int order;
	uint64_t seed;
	const char *out;
	/* passed on to every `vm` */
	const char *accel, *mem, *smp, *timeout, *boot_timeout, *cache, *qemu, *agent;
	const char *modules[2], *kconfig[2];
	int debug_boot;
	int quiet;
	int verbose;
};

static const struct sb_enum_val order_vals[] = {
	{ "abba", ORDER_ABBA }, { "random", ORDER_RANDOM }, { NULL, 0 },
};

#define OFF(f) offsetof(struct ab_opts, f)
static const struct sb_opt ab_opts[] = {
	{ .name = "a", .type = SB_OPT_STR, .off = OFF(a), .metavar = "SPEC",
	  .help = "kernel A (the base): as vm --kernel (required)" },
	{ .name = "b", .type = SB_OPT_STR, .off = OFF(b), .metavar = "SPEC",
	  .help = "kernel B (the candidate) (required)" },
	{ .name = "boots", .short_name = 'n', .type = SB_OPT_U64, .off = OFF(boots),
	  .metavar = "N", .min = 1, .max = 100, .help = "boots per kernel (default: 3)" },
	{ .name = "order", .type = SB_OPT_ENUM, .off = OFF(order), .metavar = "abba|random",
	  .vals = order_vals, .help = "boot order: a b b a a b ..., or shuffled (default: abba)" },
	{ .name = "seed", .type = SB_OPT_U64, .off = OFF(seed), .metavar = "N", .min = 0,
	  .max = INT64_MAX, .help = "seed of --order random (default: from the clock, recorded)" },
	{ .name = "out", .short_name = 'o', .type = SB_OPT_STR, .off = OFF(out), .metavar = "DIR",
	  .help = "where the boots and a.json, b.json go (default: results/<UTC time>-qemu-ab/)" },
	{ .name = "accel", .type = SB_OPT_STR, .off = OFF(accel), .metavar = "ACCEL",
	  .help = "as vm --accel" },
	{ .name = "mem", .type = SB_OPT_STR, .off = OFF(mem), .metavar = "MB", .help = "as vm" },
	{ .name = "smp", .type = SB_OPT_STR, .off = OFF(smp), .metavar = "N", .help = "as vm" },
	{ .name = "timeout", .type = SB_OPT_STR, .off = OFF(timeout), .metavar = "SECONDS",
	  .help = "as vm, per boot" },
	{ .name = "boot-timeout", .type = SB_OPT_STR, .off = OFF(boot_timeout),
	  .metavar = "SECONDS", .help = "as vm" },
	{ .name = "cache", .type = SB_OPT_STR, .off = OFF(cache), .metavar = "DIR", .help = "as vm" },
	{ .name = "qemu", .type = SB_OPT_STR, .off = OFF(qemu), .metavar = "PATH", .help = "as vm" },
	{ .name = "agent", .type = SB_OPT_STR, .off = OFF(agent), .metavar = "PATH", .help = "as vm" },
	{ .name = "modules-a", .type = SB_OPT_STR, .off = OFF(modules[0]), .metavar = "DIR",
	  .help = "module tree of a bzImage A (as vm --modules)" },
	{ .name = "modules-b", .type = SB_OPT_STR, .off = OFF(modules[1]), .metavar = "DIR",
	  .help = "module tree of a bzImage B" },
	{ .name = "kconfig-a", .type = SB_OPT_STR, .off = OFF(kconfig[0]), .metavar = "PATH",
	  .help = "config of a bzImage A (as vm --kconfig)" },
	{ .name = "kconfig-b", .type = SB_OPT_STR, .off = OFF(kconfig[1]), .metavar = "PATH",
	  .help = "config of a bzImage B" },
	{ .name = "debug-boot", .type = SB_OPT_SETVAL, .off = OFF(debug_boot), .setval = 1,
	  .help = "as vm" },
	{ .name = "quiet", .short_name = 'q', .type = SB_OPT_SETVAL, .off = OFF(quiet),
	  .setval = 1, .help = "only the result lines and errors" },
	{ .name = "verbose", .short_name = 'v', .type = SB_OPT_SETVAL, .off = OFF(verbose),
	  .setval = 1, .help = "as vm" },
	{ .name = NULL },
};

static const struct sb_opt_cmd ab_cmd = {
	.cmd = "vm ab",
	.synopsis = "--a SPEC --b SPEC [options] [-- RUN-OPTIONS]",
	.summary = "Boot two kernels in turns, run the same matrix in each boot, and merge the\n"
		   "boots of each kernel into a.json and b.json.",
	.details = "Exit status: 0 every boot succeeded, 1 a cell failed or a kernel warned in\n"
		   "some boot, 2 trouble in some boot (or usage), 3 environment (stops at once),\n"
		   "4 every cell skipped in every boot, 128+N interrupted by signal N.\n",
	.opts = ab_opts,
};

/* The boot order: 0 = a, 1 = b. */
static void make_order(const struct ab_opts *o, int *seq, size_t n)
{
	uint64_t x = o->seed * 2654435761u + 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < n; i++)
		seq[i] = (int)(((i + 1) / 2) % 2); /* a b b a a b b a ... */
	if (o->order != ORDER_RANDOM)
		return;
	for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates with xorshift64 */
		size_t j;
		int t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (size_t)(x % (i + 1));
		t = seq[i];
		seq[i] = seq[j];
		seq[j] = t;
	}
}

static int one_boot(const struct ab_opts *o, int side, const char *dir, int rargc,
		    char **rargv)
{
	const char *spec = side ? o->b : o->a;
	const char *pass[][2] = { { "--accel", o->accel },     { "--mem", o->mem },
				  { "--smp", o->smp },	       { "--timeout", o->timeout },
				  { "--boot-timeout", o->boot_timeout },
				  { "--cache", o->cache },     { "--qemu", o->qemu },
				  { "--agent", o->agent },     { "--modules", o->modules[side] },
				  { "--kconfig", o->kconfig[side] } };
	/* "vm --kernel S --out D" + 3 flags + the passed options + "--" + run args + NULL */
	const size_t max = 5 + 3 + 2 * SB_ARRAY_SIZE(pass) + 1 + (size_t)rargc + 1;
	char **argv = calloc(max, sizeof(char *));
	int n = 0, ret;

	if (!argv)
		return SB_EXIT_ENV;
	argv[n++] = (char *)"vm";
	argv[n++] = (char *)"--kernel";
	argv[n++] = (char *)spec;
	argv[n++] = (char *)"--out";
	argv[n++] = (char *)dir;
	if (o->quiet)
		argv[n++] = (char *)"--quiet";
	if (o->verbose)
		argv[n++] = (char *)"--verbose";
	if (o->debug_boot)
		argv[n++] = (char *)"--debug-boot";
	for (size_t i = 0; i < SB_ARRAY_SIZE(pass); i++)
		if (pass[i][1]) {
			argv[n++] = (char *)pass[i][0];
			argv[n++] = (char *)pass[i][1];
		}
	argv[n++] = (char *)"--";
	for (int i = 0; i < rargc; i++)
		argv[n++] = rargv[i];
	if ((size_t)n >= max) /* cannot happen: max counts every entry */
		abort();
	ret = sb_cmd_vm(n, argv);
	free(argv);
	return ret;
}

/* Summaries over the merged samples, for the metrics every sample has. */
static void resummarize(json_t *cell)
{
	static const char *const metrics[] = { "bytes_per_sec", "ops_per_sec", "cpu_sec_per_gib",
					       "syscalls_per_op" };
	json_t *samples = json_object_get(cell, "samples"), *sum = json_object_get(cell, "summary");
	size_t n = json_array_size(samples);
	double *v = calloc(n ? n : 1, sizeof(double));
	json_int_t bytes = 0, wall = 0;

	if (!v || !json_is_object(sum)) {
		free(v);
		return;
	}
	for (size_t m = 0; m < SB_ARRAY_SIZE(metrics); m++) {
		struct sb_summary s;
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			json_t *x = json_object_get(json_array_get(samples, i), metrics[m]);

			if (json_is_number(x))
				v[k++] = json_number_value(x);
		}
		json_object_set_new(sum, metrics[m],
				    k == n && k && !sb_summarize(v, k, &s) ? sb_summary_to_json(&s)
									 : json_null());
	}
	for (size_t i = 0; i < n; i++) {
		bytes += json_integer_value(json_object_get(json_array_get(samples, i), "bytes"));
		wall += json_integer_value(json_object_get(json_array_get(samples, i), "wall_ns"));
	}
	json_object_set_new(sum, "bytes_total", json_integer(bytes));
	json_object_set_new(sum, "wall_ns_total", json_integer(wall));
	/* per-boot quantities, not merged: see each boot's own result file */
	json_object_set_new(sum, "latency_ns", json_null());
	json_object_set_new(sum, "latency_histogram", json_null());
	json_object_set_new(sum, "perf", json_null());
	json_object_set_new(sum, "clock_overhead_estimate", json_null());
	json_object_set_new(sum, "verify_ns_total", json_null());
	json_object_set_new(sum, "merged_boots", json_true());
	free(v);
}

static void tag_samples(json_t *cell, int boot, size_t *index)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(cell, "samples"), i, s) {
		json_object_set_new(s, "boot", json_integer(boot));
		json_object_set_new(s, "index", json_integer((json_int_t)(*index)++));
	}
}

static json_t *find_cell(json_t *cells, const char *key)
{
	json_t *c;
	size_t i;

	json_array_foreach(cells, i, c)
		if (key && !strcmp(key, json_string_value(json_object_get(c, "key"))))
			return c;
	return NULL;
}

static int status_rank(const json_t *cell)
{
	const char *st = json_string_value(json_object_get(cell, "status"));

	return !st ? 3 : !strcmp(st, "ok") ? 0 : !strcmp(st, "skipped") ? 1 : 2;
}

/*
 * Add one boot's cell @c to the merged @cells: samples of ok cells pile up;
 * the merged status is the worst of the boots' (failed > skipped > ok), with
 * that boot's cell as the record, and every boot's status is listed.
 */
static void merge_cell(json_t *cells, const json_t *c, int boot)
{
	const char *key = json_string_value(json_object_get(c, "key"));
	json_t *into = find_cell(cells, key), *copy = json_deep_copy(c), *bs, *samples;
	size_t idx = 0;

	bs = into ? json_incref(json_object_get(into, "boot_status")) : json_array();
	json_array_append_new(bs, json_pack("{s:i, s:O}", "boot", boot, "status",
					    json_object_get(c, "status")));
	samples = into ? json_incref(json_object_get(into, "samples")) : json_array();
	idx = json_array_size(samples);
	if (status_rank(c) == 0) {
		tag_samples(copy, boot, &idx);
		json_array_extend(samples, json_object_get(copy, "samples"));
	}
	if (!into || status_rank(c) > status_rank(into)) {
		/* this boot's cell becomes the record */
		if (into) {
			json_object_clear(into);
			json_object_update(into, copy);
		} else {
			into = copy;
			json_array_append(cells, into);
		}
	}
	json_object_set(into, "samples", samples);
	json_object_set(into, "boot_status", bs);
	json_decref(samples);
	json_decref(bs);
	json_decref(copy);
}

/* Merge the result files of one side's boots; NULL when none produced one. */
static json_t *merge(json_t **docs, const int *boot_no, size_t n, json_t *info, size_t *nres)
{
	json_t *base = NULL, *c;
	size_t i, k;

	*nres = 0;
	for (k = 0; k < n; k++) {
		if (!docs[k] || !json_is_array(json_object_get(docs[k], "cells")))
			continue;
		(*nres)++;
		if (!base) {
			base = json_deep_copy(docs[k]);
			json_object_set_new(base, "cells", json_array());
		}
		json_array_foreach(json_object_get(docs[k], "cells"), i, c)
			merge_cell(json_object_get(base, "cells"), c, boot_no[k]);
	}
	if (!base)
		return NULL;
	json_array_foreach(json_object_get(base, "cells"), i, c)
		if (status_rank(c) == 0)
			resummarize(c);
	json_object_set(base, "vm_ab", info);
	return base;
}

/* Both kernels must resolve before the first boot: a bad --b found at boot 2 wastes boot 1. */
static int check_kernels(const struct ab_opts *o)
{
	char cache[PATH_MAX], why[1024];

	if (o->cache)
		snprintf(cache, sizeof(cache), "%s", o->cache);
	else if (sb_vm_default_cache(cache, sizeof(cache)))
		return sb_usage_err("vm ab", "no HOME to put the cache in: give --cache DIR");
	for (int s = 0; s < 2; s++) {
		struct sb_vm_kernel k;
		int err = sb_vm_kernel_resolve(s ? o->b : o->a, cache, o->modules[s], o->kconfig[s],
					       &k, why, sizeof(why));

		sb_vm_kernel_free(&k);
		if (err) {
			sb_err("vm ab: --%s: %s", s ? "b" : "a", why);
			return err == -EINVAL || err == -ENOEXEC || err == -ENOENT ? SB_EXIT_USAGE
										 : SB_EXIT_ENV;
		}
	}
	return 0;
}

int sb_cmd_vm_ab(int argc, char **argv)
{
	struct ab_opts o = { .boots = 3, .order = ORDER_ABBA };
	char out[PATH_MAX], dir[PATH_MAX + 32], path[PATH_MAX + 64];
	const char *side_name[2] = { "a", "b" };
	json_t *docs[2][100] = { { NULL } }, *boots[2];
	int boot_no[2][100], *seq = NULL, pos = 0, ret, worst = 0;
	size_t nb[2] = { 0, 0 }, total, nskip = 0;
	uint64_t set = 0;

	ret = sb_opts_parse(&ab_cmd, &o, argc, argv, &pos, &set);
	if (ret)
		return ret == SB_OPTS_HELP ? SB_EXIT_OK : ret;
	if (!o.a || !o.b)
		return sb_usage_err("vm ab", "--a and --b are required (two kernels)");
	if (!sb_opts_was_set(&ab_cmd, set, "seed"))
		o.seed = ((uint64_t)time(NULL) << 20 ^ (uint64_t)getpid()) & INT64_MAX;
	if (o.out) {
		snprintf(out, sizeof(out), "%s", o.out);
	} else {
		sb_result_dir_for(out, sizeof(out), "qemu-ab");
	}
	for (int s = 0; s < 2; s++) {
		/* boots of an earlier run there would be merged as if they were ours */
		snprintf(path, sizeof(path), "%s/%s.json", out, side_name[s]);
		if (!access(path, F_OK))
			return sb_usage_err("vm ab", "--out %s already holds a %s.json; choose "
					    "another directory", out, side_name[s]);
		snprintf(path, sizeof(path), "%s/%s", out, side_name[s]);
		if (!access(path, F_OK))
			return sb_usage_err("vm ab", "--out %s already holds the boots of another "
					    "run (%s/); choose another directory", out, path);
	}
	sb_install_stop_signals();
	ret = check_kernels(&o);
	if (sb_stop_signal)
		return 128 + (int)sb_stop_signal;
	if (ret)
		return ret;
	total = 2 * o.boots;
	seq = calloc(total, sizeof(*seq));
	if (!seq)
		return SB_EXIT_ENV;
	make_order(&o, seq, total);
	boots[0] = json_array();
	boots[1] = json_array();
	sb_install_stop_signals();
	for (size_t i = 0; i < total && !sb_stop_signal; i++) {
		int s = seq[i], n = (int)nb[s] + 1;
		json_t *doc;

		snprintf(dir, sizeof(dir), "%s/%s/boot-%d", out, side_name[s], n);
		if (!o.quiet)
			fprintf(stderr, "vm ab: boot %zu of %zu: %s (%s)\n", i + 1, total,
				side_name[s], s ? o.b : o.a);
		ret = one_boot(&o, s, dir, argc - pos, argv + pos);
		if ((ret == SB_EXIT_USAGE || ret == SB_EXIT_ENV) && access(dir, F_OK) < 0)
			goto out; /* bad options, kernel or environment: said once, no boot */
		snprintf(path, sizeof(path), "%s/%s", dir, SB_RESULT_FILE);
		doc = json_load_file(path, 0, NULL);
		docs[s][nb[s]] = doc;
		boot_no[s][nb[s]] = n;
		nb[s]++;
		json_array_append_new(boots[s],
				      json_pack("{s:i, s:i, s:s, s:i}", "boot", n, "slot", (int)i,
						"dir", dir, "exit", ret));
		/* trouble outranks a failure, which outranks success */
		if (ret == SB_EXIT_ENV) {
			worst = SB_EXIT_ENV; /* will not get better on the next boot */
			break;
		}
		if (ret != SB_EXIT_OK && ret != SB_EXIT_FAIL && ret != SB_EXIT_SKIP)
			worst = SB_EXIT_USAGE;
		else if (ret == SB_EXIT_FAIL && worst != SB_EXIT_USAGE)
			worst = SB_EXIT_FAIL;
		nskip += ret == SB_EXIT_SKIP;
	}
	for (int s = 0; s < 2; s++) {
		json_t *info = json_pack("{s:s, s:s, s:s, s:I, s:o}", "side", side_name[s], "kernel",
					 s ? o.b : o.a, "order",
					 o.order == ORDER_RANDOM ? "random" : "abba", "seed",
					 (json_int_t)o.seed, "boots", json_incref(boots[s]));
		size_t nres;
		json_t *m = merge(docs[s], boot_no[s], nb[s], info, &nres);
		char p[PATH_MAX + 64], name[8];
		int err;

		json_decref(info);
		if (!m) {
			sb_err("vm ab: no boot of %s (%s) produced a result", side_name[s],
			       s ? o.b : o.a);
			worst = SB_EXIT_USAGE;
			continue;
		}
		snprintf(name, sizeof(name), "%s.json", side_name[s]);
		err = sb_result_write_as(m, out, name, p, sizeof(p));
		if (err) {
			sb_err("vm ab: writing %s/%s.json: %s", out, side_name[s], strerror(-err));
			worst = SB_EXIT_ENV;
		} else {
			printf("%s: %s (%zu of %zu boots gave a result)\n", side_name[s], p, nres,
			       nb[s]);
		}
		json_decref(m);
	}
	if (!worst && nskip == total)
		worst = SB_EXIT_SKIP;
	ret = sb_stop_signal ? 128 + (int)sb_stop_signal : worst;
out:
	for (int s = 0; s < 2; s++) {
		for (size_t k = 0; k < nb[s]; k++)
			json_decref(docs[s][k]);
	}
	json_decref(boots[0]);
	json_decref(boots[1]);
	free(seq);
	return ret;
}
