// SPDX-License-Identifier: MIT
/*
 * splicebench run: options -> matrix -> cells -> result file + table.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "acct.h"
#include "cmds.h"
#include "engine.h"
#include "log.h"
#include "plot.h"
#include "result.h"
#include "run.h"
#include "scratch.h"

/* A disagreement between the tiers and the oracle must not hide in the JSON. */
static void warn_accounting(const json_t *cell)
{
	const json_t *w = json_object_get(json_object_get(cell, "accounting"), "warnings"), *v;
	size_t i;

	json_array_foreach(w, i, v)
		sb_warn("%s: accounting: %s", json_string_value(json_object_get(cell, "key")),
			json_string_value(v));
}

static bool needs_files(const struct sb_cell *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sb_cell_uses_files(&cells[i]))
			return true;
	return false;
}

static void progress(const struct sb_run_opts *o, size_t i, size_t n, const struct sb_cell *c,
		     uint64_t t_start)
{
	static int tty = -1;
	char key[256], eta[32];
	double per, left;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty || o->quiet)
		return;
	if (!c) { /* done: clear the line */
		fputs("\r\033[K", stderr);
		return;
	}
	if (i)
		per = (double)(sb_now_ns() - t_start) / 1e9 / (double)i;
	else
		per = (double)(o->warmup + o->samples) * o->duration + 0.5;
	left = per * (double)(n - i);
	if (left > 359999)
		left = 359999;
	snprintf(eta, sizeof(eta), "%d:%02d", (int)left / 60, (int)left % 60);
	sb_cell_key(c, key, sizeof(key));
	fprintf(stderr, "\r\033[K[%zu/%zu] %s  ETA %s", i + 1, n, key, eta);
	fflush(stderr);
}

static json_t *settings_json(const struct sb_run_opts *o)
{
	return json_pack("{s:s, s:I, s:I, s:f, s:I, s:s, s:I, s:I, s:o, s:I}", "preset",
			 o->preset == SB_PRESET_FULL ? "full" : "quick", "samples",
			 (json_int_t)o->samples, "warmup", (json_int_t)o->warmup, "duration_s",
			 o->duration, "bytes_budget", (json_int_t)o->bytes, "verify",
			 o->verify == SB_VERIFY_ALL ? "all" : o->verify == SB_VERIFY_OFF ? "off" : "pass",
			 "file_size", (json_int_t)o->file_size, "fs_size", (json_int_t)o->fs_size,
			 "cpu", o->cpu_set ? json_integer((json_int_t)o->cpu) : json_null(),
			 "pipe_size", (json_int_t)o->pipe_size);
}

/* Warn about options that no selected cell uses (one line each). */
static void warn_unused(const struct sb_run_opts *o, const struct sb_cell *cells, size_t n)
{
	static const struct {
		const char *opt;
		unsigned int axis;
	} axes[] = {
		{ "sink", SB_WL_AX_SINK },	   { "fill", SB_WL_AX_FILL },
		{ "gift", SB_WL_AX_GIFT },	   { "splice-flags", SB_WL_AX_FLAGS },
		{ "cache", SB_WL_SRC_FILE },	   { "direct", SB_WL_SRC_FILE | SB_WL_DST_FILE },
	};
	bool used[SB_ARRAY_SIZE(axes)] = { false }, direct = false, cold = false;

	for (size_t i = 0; i < n; i++) {
		for (size_t a = 0; a < SB_ARRAY_SIZE(axes); a++)
			used[a] |= (cells[i].wl->flags & axes[a].axis) != 0;
		direct |= cells[i].direct != SB_DIRECT_OFF;
		cold |= cells[i].cold;
	}
	for (size_t a = 0; a < SB_ARRAY_SIZE(axes); a++)
		if (!used[a] && sb_opts_was_set(&sb_run_cmd, o->set, axes[a].opt))
			sb_warn("run: --%s has no effect: no selected workload takes it",
				axes[a].opt);
	if (!direct && o->direct != SB_DSEL_OFF && sb_opts_was_set(&sb_run_cmd, o->set, "direct"))
		sb_warn("run: --direct: no O_DIRECT cells (they run on ext4, xfs and --dir only)");
	if (!cold && sb_opts_was_set(&sb_run_cmd, o->set, "cache"))
		for (size_t k = 0; k < o->caches.n; k++)
			if (!strcmp(o->caches.v[k], "cold"))
				sb_warn("run: --cache cold: no cold cells (the page cache can be "
					"dropped on ext4, xfs and --dir only)");
}

/* --dir must have room for the source and destination files. */
static int check_dir_space(const struct sb_run_opts *o)
{
	uint64_t need = 2 * o->file_size + 16 * SB_MIB, have;
	struct statvfs sv;

	if (statvfs(o->dir, &sv))
		return 0; /* reported when the directory is used */
	have = (uint64_t)sv.f_bavail * sv.f_frsize;
	if (have >= need)
		return 0;
	sb_err("run: --dir %s: %llu MiB free, the run needs %llu MiB (2 x --file-size + 16m)",
	       o->dir, (unsigned long long)(have / SB_MIB), (unsigned long long)(need / SB_MIB));
	return SB_EXIT_ENV;
}

static void dry_run(const struct sb_cell *cells, size_t n)
{
	char key[256];

	for (size_t i = 0; i < n; i++) {
		sb_cell_key(&cells[i], key, sizeof(key));
		printf("%s\n", key);
	}
	printf("%zu cells\n", n);
}

/* The pictures of the result just written; failures are warnings. */
static void plot_result(const char *path, const char *outdir, bool to_stderr)
{
	char dir[PATH_MAX + 8], err[1024];
	int ret;

	snprintf(dir, sizeof(dir), "%s/plots", outdir);
	ret = sb_plot_result_file(path, dir, err, sizeof(err));
	if (!ret)
		fprintf(to_stderr ? stderr : stdout, "plots: %s\n", dir);
	else if (ret == -ENOENT)
		sb_err("warning: run: --plot: %s; the .dat files and plot.gp are in %s (the "
		       "result is written)", err, dir);
	else
		sb_err("warning: run: --plot: %s (the result is written)", err);
}

int sb_cmd_run(int argc, char **argv)
{
	struct sb_run_opts o;
	struct sb_engine e;
	struct sb_cell *cells = NULL;
	struct sb_scratch *scratch = NULL;
	json_t *doc = NULL, *jcells, *run, *fsinfo;
	char outdir[PATH_MAX], path[PATH_MAX + 32], why[512] = "";
	const char *dir_fstype = NULL;
	size_t n = 0, nok = 0, nskip = 0, nfail = 0;
	uint64_t seed, t_start;
	int ret, err, stopped = 0, scratch_err = -EPERM;
	struct sb_acct *acct = NULL;

	ret = sb_run_parse(argc, argv, &o);
	if (ret == SB_OPTS_HELP) {
		ret = SB_EXIT_OK;
		goto out_opts;
	}
	if (ret)
		goto out_opts;
	seed = o.seed_set ? o.seed : ((uint64_t)time(NULL) << 20 ^ (uint64_t)getpid());
	seed &= INT64_MAX;

	if (o.out)
		snprintf(outdir, sizeof(outdir), "%s", o.out);
	else
		sb_result_default_dir(outdir, sizeof(outdir));
	err = sb_result_probe_dir(outdir);
	if (err) {
		ret = sb_usage_err("run", "--out %s: cannot write there: %s", outdir,
				   strerror(-err));
		goto out_opts;
	}
	if (o.dir) {
		struct stat st;

		if (stat(o.dir, &st)) {
			ret = sb_usage_err("run", "--dir %s: %s", o.dir, strerror(errno));
			goto out_opts;
		}
		if (!S_ISDIR(st.st_mode)) {
			ret = sb_usage_err("run", "--dir %s: not a directory", o.dir);
			goto out_opts;
		}
	}
	if (o.dry_run) {
		char *fst = o.dir ? sb_fstype_of(o.dir) : NULL;

		ret = sb_matrix_build(&o, fst, &cells, &n);
		free(fst);
		if (!ret)
			dry_run(cells, n);
		goto out_cells;
	}


	snprintf(path, sizeof(path), "%s/%s", outdir, SB_RESULT_FILE);
	if (!access(path, F_OK)) {
		ret = sb_usage_err("run", "--out %s already holds a %s; choose another directory",
				   outdir, SB_RESULT_FILE);
		goto out_opts;
	}
	if (o.scratch_root) {
		struct stat st;

		if (stat(o.scratch_root, &st)) {
			ret = sb_usage_err("run", "--scratch-root %s: %s", o.scratch_root,
					   strerror(errno));
			goto out_opts;
		}
		if (!S_ISDIR(st.st_mode)) {
			ret = sb_usage_err("run", "--scratch-root %s: not a directory",
					   o.scratch_root);
			goto out_opts;
		}
	}
	sb_install_stop_signals();
	if (o.cpu_set) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET((int)o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			ret = sb_usage_err("run", "--cpu %llu: %s", (unsigned long long)o.cpu,
					   strerror(errno));
			goto out_opts;
		}
	}

	/* scratch first in --dir mode: the target is named after the detected file system */
	memset(&e, 0, sizeof(e));
	if (o.dir) {
		err = sb_scratch_use_dir(o.dir, &scratch, why, sizeof(why));
		if (err) {
			sb_err("run: --dir %s: %s", o.dir, why);
			ret = SB_EXIT_ENV;
			goto out_opts;
		}
		dir_fstype = sb_scratch_dir_fstype(scratch);
		/* after use_dir, which removed stale directories of killed runs there */
		ret = check_dir_space(&o);
		if (ret)
			goto out_scratch;
	}
	ret = sb_matrix_build(&o, dir_fstype, &cells, &n);
	if (ret)
		goto out_scratch;
	warn_unused(&o, cells, n);
	if (!scratch && needs_files(cells, n)) {
		struct sb_scratch_opts so = { .root = o.scratch_root, .fs_bytes = o.fs_size };

		for (int fs = 0; fs < SB_FS_NR; fs++)
			so.fs_device[fs] = o.fs_device[fs];

		err = sb_scratch_create(&so, &scratch, why, sizeof(why));
		if (err)
			sb_warn("run: no scratch directory, file workloads cannot run: %s", why);
		scratch_err = err;
	}
	/* after the scratch directory: tracefs, when needed, goes into its mount namespace */
	err = sb_acct_open((enum sb_probe_mode)o.probes, &acct, why, sizeof(why));
	if (err) {
		sb_err("run: %s", why);
		ret = SB_EXIT_ENV;
		goto out_scratch;
	}
	err = sb_engine_init(&e, &o, seed);
	if (err) {
		sb_err("run: %s", strerror(-err));
		ret = SB_EXIT_ENV;
		goto out_scratch;
	}
	sb_run_acct_init(&e.ra, acct, sb_acct_kv(acct));
	e.scratch = scratch;
	e.scratch_err = scratch_err;
	if (!scratch)
		snprintf(e.scratch_why, sizeof(e.scratch_why), "no scratch directory: %s", why);

	doc = sb_result_new(sb_main_argc, sb_main_argv, seed);
	run = json_object_get(doc, "run");
	json_object_set_new(run, "settings", settings_json(&o));
	json_object_set_new(run, "accounting",
			    json_pack("{s:s, s:s, s:s, s:o}", "probes_mode",
				      o.probes == SB_PROBES_OFF       ? "off"
				      : o.probes == SB_PROBES_REQUIRE ? "require"
								      : "auto",
				      "kernel_era",
				      sb_acct_kv(acct) ? sb_kernel_era(sb_acct_kv(acct)) : "unknown",
				      "summary", sb_acct_why(acct), "probes", sb_acct_probes_json(acct)));
	json_object_set_new(run, "scratch",
			    scratch ? json_pack("{s:s, s:s}", "mode", o.dir ? "dir" : "private",
						"path", sb_scratch_path(scratch))
				    : json_null());
	jcells = json_object_get(doc, "cells");

	t_start = sb_now_ns();
	for (size_t i = 0; i < n && !sb_stop_signal; i++) {
		enum sb_cell_status st;
		json_t *cj;

		progress(&o, i, n, &cells[i], t_start);
		cj = sb_engine_run_cell(&e, &cells[i], &st);
		if (st == SB_CELL_INTERRUPTED) {
			json_decref(cj);
			break;
		}
		json_array_append_new(jcells, cj);
		nok += st == SB_CELL_OK;
		nskip += st == SB_CELL_SKIPPED;
		nfail += st == SB_CELL_FAILED;
		warn_accounting(cj);
		if (st == SB_CELL_FAILED)
			sb_err("%s/%s failed: %s",
				json_string_value(json_object_get(cj, "workload")),
				json_string_value(json_object_get(cj, "target")),
				json_string_value(json_object_get(cj, "reason")));
	}
	progress(&o, n, n, NULL, t_start);
	/* one reading: a signal during teardown must not disagree with the file */
	stopped = sb_stop_signal;

	{
		char now[32];

		sb_utc_iso(0, now, sizeof(now));
		json_object_set_new(run, "end_utc", json_string(now));
		json_object_set_new(run, "interrupted", json_boolean(stopped != 0));
		json_object_set_new(run, "interrupt_signal",
				    stopped ? json_integer(stopped) : json_null());
		json_object_set_new(run, "cells_planned", json_integer((json_int_t)n));
	}
	fsinfo = json_array();
	for (int fs = 0; scratch && fs < SB_FS_NR; fs++) {
		json_t *fi = sb_scratch_fs_info(scratch, (enum sb_fs)fs);

		if (fi)
			json_array_append_new(fsinfo, fi);
	}
	if (scratch)
		json_object_set_new(json_object_get(run, "scratch"), "filesystems", fsinfo);
	else
		json_decref(fsinfo);

	/* tear the scratch down before reporting, so nothing outlives the run */
	sb_scratch_destroy(scratch);
	scratch = NULL;
	sb_run_acct_fini(&e.ra);
	sb_engine_fini(&e);
	sb_acct_close(acct);
	acct = NULL;

	err = sb_result_write(doc, outdir, path, sizeof(path));
	if (err) {
		sb_err("run: writing %s/%s: %s", outdir, SB_RESULT_FILE, strerror(-err));
		ret = SB_EXIT_ENV;
		goto out_doc;
	}
	if (o.json) {
		json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
		fputc('\n', stdout);
		fprintf(stderr, "results: %s\n", path);
	} else {
		if (!o.quiet)
			sb_result_table(doc, stdout);
		printf("results: %s\n", path);
	}
	if (o.plot && !stopped) {
		fflush(stdout);
		plot_result(path, outdir, o.json);
	}

	if (stopped)
		ret = 128 + stopped;
	else if (nfail)
		ret = SB_EXIT_FAIL;
	else if (!nok && nskip)
		ret = SB_EXIT_SKIP;
	else
		ret = SB_EXIT_OK;
out_doc:
	json_decref(doc);
out_scratch:
	sb_acct_close(acct);
	sb_scratch_destroy(scratch);
out_cells:
	free(cells);
out_opts:
	sb_run_opts_free(&o);
	return ret;
}
