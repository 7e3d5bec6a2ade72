// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "build-info.h"
#include "opt.h"
#include "result.h"
#include "sysinfo.h"

json_t *sb_tool_json(void)
{
#if defined(__SANITIZE_ADDRESS__)
	bool san = true;
#else
	bool san = false;
#endif
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "name", "splicebench", "version",
			 SB_VERSION, "git_commit", SB_GIT_COMMIT, "cc", SB_CC_VERSION, "cflags",
			 SB_BUILD_CFLAGS, "sanitize", san);
}

void sb_utc_iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t)
		t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *sb_result_new(int argc, char **argv, uint64_t seed)
{
	json_t *doc = json_object(), *run = json_object(), *av = json_array();
	char now[32];

	sb_utc_iso(0, now, sizeof(now));
	for (int i = 0; i < argc; i++)
		json_array_append_new(av, json_string(argv[i]));
	json_object_set_new(doc, "schema", json_string(SB_RESULT_SCHEMA));
	json_object_set_new(doc, "tool", sb_tool_json());
	json_object_set_new(doc, "host", sb_sysinfo_host());
	json_object_set_new(run, "argv", av);
	json_object_set_new(run, "start_utc", json_string(now));
	json_object_set_new(run, "end_utc", json_null());
	json_object_set_new(run, "seed", json_integer((json_int_t)(seed & INT64_MAX)));
	json_object_set_new(run, "interrupted", json_false());
	json_object_set_new(doc, "run", run);
	json_object_set_new(doc, "cells", json_array());
	return doc;
}

void sb_result_dir_for(char *buf, size_t len, const char *label)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/%s%s%s", stamp, label ? "-" : "", label ? label : "");
	/* keep the directory name to one path component per part */
	for (char *p = buf + strlen("results/"); *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
}

void sb_result_default_dir(char *buf, size_t len)
{
	struct utsname u;
	char label[2 * sizeof(u.nodename) + 2];

	if (uname(&u)) {
		sb_result_dir_for(buf, len, NULL);
		return;
	}
	snprintf(label, sizeof(label), "%s-%s", u.nodename, u.release);
	sb_result_dir_for(buf, len, label);
}

/* mkdir -p; records in @created the shallowest directory it made (for undo). */
static int mkdir_p(const char *dir, char *created, size_t len)
{
	char tmp[PATH_MAX];
	size_t n = strlen(dir);

	created[0] = '\0';
	if (n == 0 || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, n + 1);
	for (char *p = tmp + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(tmp, 0755) == 0) {
			if (!created[0])
				snprintf(created, len, "%s", tmp);
		} else if (errno != EEXIST) {
			return -errno;
		}
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

/* Remove the directories from @dir up to and including @top (made by mkdir_p). */
static void undo_mkdir(const char *dir, const char *top)
{
	char tmp[PATH_MAX];
	char *slash;

	if (!top[0])
		return;
	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (;;) {
		if (rmdir(tmp))
			return;
		if (!strcmp(tmp, top))
			return;
		slash = strrchr(tmp, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}

int sb_result_probe_dir(const char *dir)
{
	char created[PATH_MAX], tmp[PATH_MAX + 32];
	int fd, err;

	err = mkdir_p(dir, created, sizeof(created));
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, SB_RESULT_FILE);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
	} else {
		close(fd);
		unlink(tmp);
	}
	undo_mkdir(dir, created);
	return err;
}

int sb_result_write(const json_t *doc, const char *dir, char *path, size_t path_len)
{
	return sb_result_write_as(doc, dir, SB_RESULT_FILE, path, path_len);
}

int sb_result_write_as(const json_t *doc, const char *dir, const char *name, char *path,
		       size_t path_len)
{
	char created[PATH_MAX], tmp[PATH_MAX + 32];
	int fd, err;
	FILE *f;

	err = mkdir_p(dir, created, sizeof(created));
	if (err)
		return err;
	snprintf(path, path_len, "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto undo;
	}
	fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto unlink;
	}
	if (json_dumpf(doc, f, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) ||
	    fputc('\n', f) == EOF || fflush(f) || fsync(fileno(f))) {
		err = errno ? -errno : -EIO;
		fclose(f);
		goto unlink;
	}
	if (fclose(f)) {
		err = -errno;
		goto unlink;
	}
	if (rename(tmp, path)) {
		err = -errno;
		goto unlink;
	}
	return 0;
unlink:
	unlink(tmp);
undo:
	undo_mkdir(dir, created);
	return err;
}

void sb_format_ns(double ns, char *buf, size_t len)
{
	if (!isfinite(ns))
		snprintf(buf, len, "-");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
}

static double num(const json_t *o, const char *path1, const char *path2)
{
	const json_t *v = json_object_get(o, path1);

	if (path2)
		v = json_object_get(v, path2);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* "100%  0%   0% T": by reference, copied, fresh as % of bytes moved, and the tier */
static void accounting_cols(const json_t *a, char *buf, size_t len)
{
	double moved = num(a, "bytes_moved", "value");
	const char *tier = json_string_value(json_object_get(a, "tier"));
	const char *keys[3] = { "bytes_by_reference", "bytes_cpu_copied", "bytes_fresh_pages" };
	size_t used = 0;

	for (int i = 0; i < 3; i++) {
		double v = num(a, keys[i], "value");

		if (isfinite(v) && moved > 0)
			used += (size_t)snprintf(buf + used, len - used, "%4.0f%% ", v / moved * 100);
		else
			used += (size_t)snprintf(buf + used, len - used, "%5s ", "-");
		if (used >= len)
			return;
	}
	snprintf(buf + used, len - used, "%c",
		 !tier			   ? '-'
		 : !strcmp(tier, "function")   ? 'F'
		 : !strcmp(tier, "tracepoint") ? 'T'
		 : !strcmp(tier, "oracle")     ? 'O'
					       : '-');
}

/* UDP cells: " lost 1.2% reord 0" over the whole cell. */
static void dgram_col(const json_t *cell, FILE *out)
{
	const json_t *d = json_object_get(json_object_get(cell, "socket"), "datagrams");
	const json_t *ro = json_object_get(d, "reordered");
	double ratio = num(d, "loss_ratio", NULL);

	if (!d)
		return;
	fprintf(out, "  lost %.2f%%", isfinite(ratio) ? ratio * 100 : 0.0);
	if (json_is_integer(ro))
		fprintf(out, " reord %lld", (long long)json_integer_value(ro));
	else
		fputs(" reord ?", out);
}

void sb_result_table(const json_t *doc, FILE *out)
{
	bool udp = false;
	const json_t *cells = json_object_get(doc, "cells"), *c;
	size_t i, nok = 0, nskip = 0, nfail = 0;
	int vw = 7; /* VARIANT column: as wide as the longest label */

	json_array_foreach(cells, i, c) {
		const char *v = json_string_value(json_object_get(c, "variant"));

		if (v && (int)strlen(v) > vw)
			vw = (int)strlen(v);
		udp |= json_object_get(json_object_get(c, "socket"), "datagrams") != NULL;
	}
	fprintf(out, "%-28s %-6s %-5s %-*s %8s %6s %9s %8s %5s %5s %5s %s  %s\n", "WORKLOAD",
		"TARGET", "CHUNK", vw, "VARIANT", "GiB/s", "±rCV", "CPU s/GiB", "p99", "REF",
		"COPY", "FRESH", "T", "VERIFY");
	json_array_foreach(cells, i, c) {
		const char *st = json_string_value(json_object_get(c, "status"));
		const json_t *sum = json_object_get(c, "summary");
		const char *vf = json_string_value(json_object_get(c, "verify"));
		char chunk[16], var[64], lat[16];

		snprintf(var, sizeof(var), "%s",
			 json_string_value(json_object_get(c, "variant")) ?: "-");
		sb_format_size((uint64_t)json_integer_value(
				       json_object_get(json_object_get(c, "params"), "chunk")),
			       chunk, sizeof(chunk));
		fprintf(out, "%-28s %-6s %-5s %-*s ", json_string_value(json_object_get(c, "workload")),
			json_string_value(json_object_get(c, "target")), chunk, vw, var);
		if (st && !strcmp(st, "ok") && json_is_object(sum)) {
			double bps = num(sum, "bytes_per_sec", "median");
			double rcv = num(sum, "bytes_per_sec", "rcv");
			double cpu = num(sum, "cpu_sec_per_gib", "median");

			sb_format_ns(num(sum, "latency_ns", "p99"), lat, sizeof(lat));
			char acct[32];

			accounting_cols(json_object_get(c, "accounting"), acct, sizeof(acct));
			fprintf(out, "%8.3f %5.1f%% %9.3f %8s %s  %s", bps / SB_GIB, rcv * 100.0,
				cpu, lat, acct, vf ? vf : "-");
			dgram_col(c, out);
			fputc('\n', out);
			nok++;
		} else {
			fprintf(out, "%s: %s\n", st ? st : "?",
				json_string_value(json_object_get(c, "reason")) ?: "");
			if (st && !strcmp(st, "skipped"))
				nskip++;
			else
				nfail++;
		}
	}
	fprintf(out,
		"\n%zu cells: %zu ok, %zu skipped, %zu failed. GiB/s: median of the samples; "
		"±rCV: robust spread\n(1.4826 x MAD / median); CPU s/GiB: CPU seconds of the "
		"benchmark thread per GiB moved;\np99: single-op latency. REF, COPY, FRESH: bytes "
		"handed over by reference, copied by the CPU,\nplaced in fresh pages by DMA, as %% of "
		"the bytes moved (summed over the path's legs: 200%% = twice\nper byte). T: tier of "
		"that split: F function probes (exact), T tracepoints (exact totals,\nsplit by "
		"era), O counted by the benchmark, split by era, checked by the aliasing oracle.\n",
		json_array_size(cells), nok, nskip, nfail);
	if (udp)
		fprintf(out, "udp: GiB/s counts only bytes that arrived intact; lost: datagrams sent "
			     "and never received\n(whole cell), reord: received after a later one "
			     "(?: not observed, sink devnull).\n");
}
