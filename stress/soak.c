// SPDX-License-Identifier: MIT
/*
 * The soak: the workloads (bench/) run concurrently for c->duration seconds,
 * c->workers of them at a time, each as a `splicebench run` of one cell
 * with every sample verified (--verify): each run checks every byte its
 * sink received against the pattern. A run that reports a corrupted or
 * missing byte, fails, or dies fails the soak; the report gives the bytes
 * checked. Runs start one after another in each worker slot until the time
 * is up, rotating through the list below (zero-copy paths and their copying
 * twins, files, pipes and sockets). Each run makes its scratch directory
 * inside the case's, so a run killed with its case leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress.h"

static const struct {
	const char *workload;
	const char *target;
} soak_cells[] = {
	{ "splice.file-to-pipe", "tmpfs" },	{ "vmsplice.user-to-pipe", "pipe" },
	{ "sendfile.file-to-socket", "tcp" },	{ "tee.pipe-to-pipe", "pipe" },
	{ "splice.pipe-to-file", "tmpfs" },	{ "splice.socket-to-pipe", "tcp" },
	{ "vmsplice.pipe-to-user", "pipe" },	{ "splice.file-to-socket", "udp" },
	{ "sendfile.file-to-file", "tmpfs" },	{ "rw.file-to-socket", "tcp" },
};

#define MAX_WORKERS 64

struct soak {
	struct sb_st_ctx *c;
	unsigned int runs, cells_ok, cells_skipped;
	uint64_t verified, timed;
	char fail[400];
};

static pid_t start_run(struct soak *s, unsigned int n, char *outdir, size_t len)
{
	unsigned int k = n % SB_ARRAY_SIZE(soak_cells);
	char seed[32], log[4200];
	pid_t pid;

	snprintf(outdir, len, "%s/run-%u", s->c->dir, n);
	snprintf(log, sizeof(log), "%s.log", outdir);
	/* run takes seeds up to INT64_MAX (JSON integers); never 0 (= from the clock) */
	snprintf(seed, sizeof(seed), "%llu",
		 (unsigned long long)(((s->c->seed + n) & INT64_MAX) | 1));
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(s->c->self_exe, "splicebench", "run", "-w", soak_cells[k].workload, "-t",
		      soak_cells[k].target, "--verify", "-n", "2", "-d", "0.5", "--warmup", "0",
		      "--probes", "off", "--file-size", "16m", "--net-fs", "tmpfs", "-q", "-o",
		      outdir, "--seed", seed, "--scratch-root", s->c->dir, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The last "splicebench: ..." line of a run's log (its error), or a note that there is none. */
static void last_error(const char *outdir, char *buf, size_t len)
{
	char path[4200], line[512];
	FILE *f;

	snprintf(buf, len, "its log says nothing");
	snprintf(path, sizeof(path), "%s.log", outdir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "splicebench: ", 13)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line + 13);
		}
	fclose(f);
}

/* Read one run's result into the totals; a failure is recorded in s->fail. */
static void collect(struct soak *s, const char *outdir, int wst)
{
	char path[4200];
	json_error_t jerr;
	json_t *doc, *cell;
	size_t i;

	s->runs++;
	snprintf(path, sizeof(path), "%s/result.json", outdir);
	doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		char err[240];

		last_error(outdir, err, sizeof(err));
		if (!s->fail[0])
			snprintf(s->fail, sizeof(s->fail), "a run left no result (exit status %d): %s",
				 WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst), err);
		return;
	}
	json_array_foreach(json_object_get(doc, "cells"), i, cell) {
		const char *st = json_string_value(json_object_get(cell, "status"));
		const char *ver = json_string_value(json_object_get(cell, "verify"));
		json_t *v = json_object_get(cell, "verification"), *smp;
		size_t k;

		if (st && !strcmp(st, "skipped")) {
			s->cells_skipped++;
			continue;
		}
		if (!st || strcmp(st, "ok") || !ver || strcmp(ver, "passed")) {
			if (!s->fail[0])
				snprintf(s->fail, sizeof(s->fail), "%s on %s: status %s, verify %s: %s",
					 json_string_value(json_object_get(cell, "workload")),
					 json_string_value(json_object_get(cell, "target")),
					 st ? st : "?", ver ? ver : "?",
					 json_string_value(json_object_get(cell, "reason"))
						 ? json_string_value(json_object_get(cell, "reason"))
						 : "(no reason given)");
			continue;
		}
		s->cells_ok++;
		s->verified += (uint64_t)json_integer_value(json_object_get(v, "bytes"));
		json_array_foreach(json_object_get(cell, "samples"), k, smp)
			s->timed += (uint64_t)json_integer_value(json_object_get(smp, "bytes"));
	}
	json_decref(doc);
	if (WIFEXITED(wst) && WEXITSTATUS(wst) == 1 && !s->fail[0])
		snprintf(s->fail, sizeof(s->fail), "a run (%s) exited 1 (a failed cell)", outdir);
}

static int soak(struct sb_st_ctx *c)
{
	struct soak s = { .c = c };
	pid_t pids[MAX_WORKERS] = { 0 };
	char dirs[MAX_WORKERS][4096];
	unsigned int w = c->workers < MAX_WORKERS ? c->workers : MAX_WORKERS, next = 0, busy = 0;
	uint64_t t0 = sb_now_ns(), end = t0 + (uint64_t)(c->duration * 1e9);

	for (unsigned int i = 0; i < w; i++) {
		pids[i] = start_run(&s, next++, dirs[i], sizeof(dirs[i]));
		if (pids[i] > 0)
			busy++;
	}
	while (busy) {
		int wst;
		pid_t p = wait(&wst);

		if (p < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (unsigned int i = 0; i < w; i++) {
			if (pids[i] != p)
				continue;
			busy--;
			collect(&s, dirs[i], wst);
			pids[i] = 0;
			if (sb_now_ns() < end && !s.fail[0]) {
				pids[i] = start_run(&s, next++, dirs[i], sizeof(dirs[i]));
				if (pids[i] > 0)
					busy++;
			}
		}
	}
	sb_st_metric(c, "runs", s.runs);
	sb_st_metric(c, "cells_verified", s.cells_ok);
	sb_st_metric(c, "bytes_verified", (double)s.verified);
	sb_st_metric(c, "bytes_timed", (double)s.timed);
	sb_st_metric(c, "seconds", (double)(sb_now_ns() - t0) / 1e9);
	if (s.fail[0])
		return sb_st_fail(c, "%s", s.fail);
	if (!s.cells_ok)
		return sb_st_skip(c, "no cell could run (%u skipped, e.g. without root)",
				  s.cells_skipped);
	if (!s.verified)
		return sb_st_fail(c, "%u cells ran but no byte was verified", s.cells_ok);
	return sb_st_pass(c, "%u runs, %u cells by %u workers in %.1f s: %.2f GiB checked byte for "
			     "byte, no corrupted or missing byte%s",
			  s.runs, s.cells_ok, w, (double)(sb_now_ns() - t0) / 1e9,
			  (double)s.verified / (double)SB_GIB,
			  s.cells_skipped ? " (some cells skipped)" : "");
}

const struct sb_stressor sb_st_soak_workloads = {
	.id = "soak.workloads",
	.kind = SB_ST_SOAK,
	.checks = "the workloads' zero-copy paths and copying twins, run concurrently with every "
		  "sample verified, deliver every byte intact",
	.source = "docs/methodology.md (verification); reference section 6 (consume and verify)",
	.fn = soak,
};
