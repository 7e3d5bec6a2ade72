// SPDX-License-Identifier: MIT
/*
 * splicebench stress: conformance cases, races, the soak and known-bug
 * checks (stress/), each in a child process under a watchdog, with the
 * kernel log watched after every case. Exit 0 when every case that ran
 * passed, 1 when one failed, 2 for usage, 3 when no scratch directory can be
 * made, 4 when everything was skipped.
 */
#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "build-info.h"
#include "cmds.h"
#include "harness.h"
#include "log.h"
#include "netns.h"
#include "opt.h"
#include "probes.h"
#include "run.h"
#include "scratch.h"
#include "stexp.h"

#define RACE_QUICK_S 1.0
#define RACE_DEFAULT_S 5.0
#define SOAK_QUICK_S 6.0
#define SOAK_DEFAULT_S 60.0

struct stress_opts {
	int quick;
	double soak;
	struct sb_str_list only;
	uint64_t seed;
	uint64_t workers;
	int json;
	int tap;
	int dangerous;
	int selftest;
	const char *kernel;
	const char *scratch_root;
	const char *fs_device;
	int verbose;
};

#define OFF(f) offsetof(struct stress_opts, f)
static const struct sb_opt stress_opts[] = {
	{ .name = "quick", .type = SB_OPT_SETVAL, .off = OFF(quick), .setval = 1,
	  .help = "races 1 s each, soak 6 s: a few minutes on 2 cores (make check runs this)" },
	{ .name = "soak", .type = SB_OPT_SECONDS, .off = OFF(soak), .metavar = "DURATION",
	  .fmin = 1, .fmax = 7 * 86400,
	  .help = "run the soak this long (\"90s\", \"10m\", \"2h\"; default 60 s, 6 s with --quick)" },
	{ .name = "only", .type = SB_OPT_LIST, .off = OFF(only), .metavar = "PATTERN[,PATTERN...]",
	  .help = "run the cases whose id matches a glob (\"conform.splice.*\", \"race.*\")" },
	{ .name = "seed", .type = SB_OPT_U64, .off = OFF(seed), .metavar = "N", .min = 1,
	  .max = UINT64_MAX, .help = "seed of sizes, orders and data (default: from the clock, printed)" },
	{ .name = "workers", .type = SB_OPT_U64, .off = OFF(workers), .metavar = "N", .min = 1,
	  .max = 64, .help = "threads of a race, processes of the soak (default: CPUs, at least 2)" },
	{ .name = "json", .type = SB_OPT_SETVAL, .off = OFF(json), .setval = 1,
	  .help = "print a JSON report (splicebench.stress/1) on stdout instead of lines" },
	{ .name = "tap", .type = SB_OPT_SETVAL, .off = OFF(tap), .setval = 1,
	  .help = "print TAP (version 13) on stdout" },
	{ .name = "dangerous", .type = SB_OPT_SETVAL, .off = OFF(dangerous), .setval = 1,
	  .help = "also run the VM-only cases, which can hang or corrupt the kernel; only in a "
		  "throw-away VM" },
	{ .name = "scratch-root", .type = SB_OPT_STR, .off = OFF(scratch_root), .metavar = "PATH",
	  .help = "where the private scratch directory is made (default: /var/tmp)" },
	{ .name = "verbose", .short_name = 'v', .type = SB_OPT_COUNT, .off = OFF(verbose),
	  .help = "also print each case's checks and source" },
	{ .name = "kernel", .type = SB_OPT_STR, .off = OFF(kernel), .metavar = "X.Y.Z",
	  .flags = SB_OPTF_HIDDEN, .help = "judge version-keyed expectations as for this kernel" },
	{ .name = "fs-device", .type = SB_OPT_STR, .off = OFF(fs_device), .metavar = "FS=DEV,...",
	  .flags = SB_OPTF_HIDDEN,
	  .help = "a block device holding that file system (splicebench vm's disks)" },
	{ .name = "selftest", .type = SB_OPT_SETVAL, .off = OFF(selftest), .setval = 1,
	  .flags = SB_OPTF_HIDDEN, .help = "include the harness's own failing cases" },
	{ .name = NULL },
};

static const struct sb_opt_cmd stress_cmd = {
	.cmd = "stress",
	.synopsis = "[--quick|--soak DURATION] [--only PATTERN] [--seed N] [--workers N] "
		    "[--json|--tap] | list [--json]",
	.summary = "Conformance cases (errno per bad input, per kernel version), races under a "
		   "watchdog, a verified soak of the workloads and known-bug checks.",
	.details = "Every case runs in its own process group under a watchdog, in a private\n"
		   "directory; socket cases in a private network namespace. The kernel log is\n"
		   "read after every case: a new WARNING, BUG, Oops, KASAN or lockup fails it.\n"
		   "Exit: 0 all passed, 1 a case failed, 2 usage, 3 no scratch, 4 all skipped.\n"
		   "'splicebench stress list' prints the cases; docs/stress.md explains them.",
	.opts = stress_opts,
};

static bool selected(const struct stress_opts *o, const struct sb_stressor *st)
{
	if (st->kind == SB_ST_SELFTEST && !o->selftest)
		return false;
	if (!o->only.n)
		return true;
	for (size_t i = 0; i < o->only.n; i++)
		if (!fnmatch(o->only.v[i], st->id, 0))
			return true;
	return false;
}

/* Every --only pattern must match a case (a typo would silently run nothing). */
static int check_only(const struct stress_opts *o)
{
	for (size_t i = 0; i < o->only.n; i++) {
		bool any = false;

		for (size_t k = 0; k < sb_nr_stressors && !any; k++)
			any = !fnmatch(o->only.v[i], sb_stressors[k]->id, 0) &&
			      (sb_stressors[k]->kind != SB_ST_SELFTEST || o->selftest);
		if (!any)
			return sb_usage_err("stress", "--only: no case matches '%s' (see "
						      "'splicebench stress list')",
					    o->only.v[i]);
	}
	return 0;
}

static json_t *flags_json(unsigned int f)
{
	json_t *a = json_array();

	if (f & SB_STF_ROOT)
		json_array_append_new(a, json_string("root"));
	if (f & SB_STF_NET)
		json_array_append_new(a, json_string("netns"));
	if (f & SB_STF_XFS)
		json_array_append_new(a, json_string("xfs"));
	if (f & SB_STF_DANGEROUS)
		json_array_append_new(a, json_string("vm-only"));
	return a;
}

static void expect_for(const struct sb_stressor *st, unsigned int kv, char *buf, size_t len)
{
	struct sb_stexp e;
	char why[128];
	int r;

	buf[0] = '\0';
	if (!st->expect)
		return;
	r = sb_stexp_pick(st->expect, kv, &e, why, sizeof(why));
	if (r > 0)
		sb_stexp_str(&e, buf, len);
	else
		snprintf(buf, len, "%s", r == 0 ? "none for this kernel" : why);
}

static unsigned int running_kv(void)
{
	struct utsname u;

	return uname(&u) ? 0 : sb_kv_of_uname(u.release, u.version);
}

static int cmd_list(const struct stress_opts *o, unsigned int kv)
{
	json_t *a = o->json ? json_array() : NULL;
	char exp[160];

	for (size_t i = 0; i < sb_nr_stressors; i++) {
		const struct sb_stressor *st = sb_stressors[i];

		if (!selected(o, st))
			continue;
		expect_for(st, kv, exp, sizeof(exp));
		if (a) {
			json_array_append_new(
				a, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s?, s:s?}", "id", st->id,
					     "kind", sb_st_kind_name(st->kind), "checks", st->checks,
					     "source", st->source, "flags", flags_json(st->flags),
					     "expect", st->expect, "expected_here",
					     st->expect ? exp : NULL));
			continue;
		}
		printf("%-44s %s%s%s\n    %s\n    source: %s\n", st->id, sb_st_kind_name(st->kind),
		       st->flags & SB_STF_DANGEROUS ? ", vm-only" : "",
		       st->flags & SB_STF_NET ? ", netns" : "", st->checks, st->source);
		if (st->expect)
			printf("    expects: %s\n", exp);
	}
	if (a) {
		json_t *doc = json_pack("{s:s, s:o}", "schema", "splicebench.stressors/1", "stressors", a);

		json_dumpf(doc, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
		json_decref(doc);
	}
	return SB_EXIT_OK;
}

/* ---------------------------------------------------------------- running */

struct run_state {
	const struct stress_opts *o;
	struct sb_scratch *scratch;
	const char *base;
	const char *xfs_dir;
	char xfs_why[256];
	bool xfs_tried;
	bool root;
	bool netns;
	char netns_why[256];
	unsigned int kv;
	double race_s, soak_s;
	unsigned int workers;
	struct sb_klog klog;
	json_t *cases;
	json_t *klog_problems;
	json_t *cur_klog; /* problems seen after the current case */
	unsigned int n[SB_ST_NR_KINDS][3];
	unsigned int total[3];
	unsigned int tap_n;
};

static void on_klog(void *arg, const char *what, const char *line)
{
	struct run_state *s = arg;

	json_array_append_new(s->cur_klog, json_pack("{s:s, s:s}", "what", what, "line", line));
}

/* Why @st cannot run here, or NULL. */
static const char *cannot_run(struct run_state *s, const struct sb_stressor *st, char *buf,
			      size_t len)
{
	if ((st->flags & SB_STF_DANGEROUS) && !s->o->dangerous)
		return "VM-only (can hang or corrupt the kernel): runs with --dangerous, in a "
		       "throw-away VM";
	if ((st->flags & (SB_STF_ROOT | SB_STF_XFS)) && !s->root)
		return "needs root";
	if ((st->flags & SB_STF_NET) && !s->netns) {
		snprintf(buf, len, "needs a private network namespace: %s", s->netns_why);
		return buf;
	}
	if (st->flags & SB_STF_XFS) {
		if (!s->xfs_tried) {
			s->xfs_tried = true;
			if (sb_scratch_fs(s->scratch, SB_FS_XFS, &s->xfs_dir, s->xfs_why,
					  sizeof(s->xfs_why)) < 0)
				s->xfs_dir = NULL;
		}
		if (!s->xfs_dir) {
			snprintf(buf, len, "needs a suite-made xfs: %s", s->xfs_why);
			return buf;
		}
	}
	return NULL;
}

static double timeout_of(const struct run_state *s, const struct sb_stressor *st)
{
	if (st->timeout)
		return st->timeout;
	if (st->kind == SB_ST_SOAK)
		return s->soak_s * 1.5 + 60;
	if (st->kind == SB_ST_RACE || st->kind == SB_ST_BUG)
		return s->race_s + 20;
	return 10;
}

static void print_case(struct run_state *s, const struct sb_stressor *st, const struct sb_st_ctx *c,
		       double secs)
{
	static const char *const tag[] = { "PASS", "FAIL", "SKIP" };

	if (s->o->json)
		return;
	if (s->o->tap) {
		s->tap_n++;
		printf("%sok %u - %s%s%s\n", c->status == SB_ST_FAIL ? "not " : "", s->tap_n, st->id,
		       c->status == SB_ST_SKIP ? " # SKIP " : "",
		       c->status == SB_ST_SKIP ? c->detail : "");
		if (c->status == SB_ST_FAIL)
			printf("  ---\n  message: \"%s\"\n  ...\n", c->detail);
		fflush(stdout);
		return;
	}
	printf("%s  %-44s %6.2fs  %s\n", tag[c->status], st->id, secs, c->detail);
	if (s->o->verbose)
		printf("      checks: %s\n      source: %s\n", st->checks, st->source);
	fflush(stdout);
}

static void run_one(struct run_state *s, const struct sb_stressor *st, size_t idx)
{
	struct sb_st_ctx c = { 0 };
	struct sb_st_run r = { 0 };
	const char *why;
	char buf[512];
	json_t *m, *j;
	double timeout = timeout_of(s, st);

	c.st = st;
	c.kv = s->kv;
	c.seed = s->o->seed ^ ((idx + 1) * 0x9e3779b97f4a7c15ULL);
	c.duration = st->kind == SB_ST_SOAK ? s->soak_s : s->race_s;
	c.workers = s->workers;
	c.root = s->root;
	c.netns = s->netns;
	c.self_exe = "/proc/self/exe";
	why = cannot_run(s, st, buf, sizeof(buf));
	if (why) {
		sb_st_skip(&c, "%s", why);
	} else {
		c.xfs_dir = st->flags & SB_STF_XFS ? s->xfs_dir : NULL;
		sb_st_run_case(st, &c, s->base, timeout, &r);
	}
	s->cur_klog = json_array();
	if (s->klog.fd >= 0 && !why)
		sb_klog_scan(&s->klog, on_klog, s);
	if (json_array_size(s->cur_klog)) {
		json_t *first = json_array_get(s->cur_klog, 0);
		char said[sizeof(c.detail)];
		size_t i;
		json_t *v;

		memcpy(said, c.detail, sizeof(said)); /* the case's own words, kept after ours */
		sb_st_fail(&c, "kernel log during this case: %s (%s)%s%.300s",
			   json_string_value(json_object_get(first, "what")),
			   json_string_value(json_object_get(first, "line")),
			   said[0] ? "; the case said: " : "", said);
		json_array_foreach(s->cur_klog, i, v)
			json_array_append_new(s->klog_problems,
					      json_pack("{s:s, s:O, s:O}", "case", st->id, "what",
							json_object_get(v, "what"), "line",
							json_object_get(v, "line")));
	}
	if (r.rm_err < 0)
		sb_warn("stress: %s: could not remove its directory: %s", st->id, strerror(-r.rm_err));
	s->n[st->kind][c.status]++;
	s->total[c.status]++;
	print_case(s, st, &c, r.secs);

	m = json_object();
	for (unsigned int i = 0; i < c.nmetrics; i++)
		json_object_set_new(m, c.metric[i].name, json_real(c.metric[i].value));
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:f, s:f, s:b, s:o, s:o}", "id", st->id,
		      "kind", sb_st_kind_name(st->kind), "status", sb_st_status_name(c.status),
		      "detail", c.detail, "checks", st->checks, "source", st->source, "flags",
		      flags_json(st->flags), "seconds", r.secs, "watchdog_s", why ? 0.0 : timeout,
		      "killed_by_watchdog", r.killed, "metrics", m, "kernel_log", s->cur_klog);
	s->cur_klog = NULL;
	if (st->expect) {
		json_object_set_new(j, "expect", json_string(st->expect));
		if (c.expected[0])
			json_object_set_new(j, "expected", json_string(c.expected));
		if (c.got[0])
			json_object_set_new(j, "got", json_string(c.got));
	}
	json_array_append_new(s->cases, j);
}

static json_t *summary_json(const struct run_state *s)
{
	json_t *by = json_object();

	for (int k = 0; k < SB_ST_NR_KINDS; k++) {
		const unsigned int *n = s->n[k];

		if (n[0] + n[1] + n[2])
			json_object_set_new(by, sb_st_kind_name(k),
					    json_pack("{s:i, s:i, s:i}", "passed", n[SB_ST_PASS],
						      "failed", n[SB_ST_FAIL], "skipped",
						      n[SB_ST_SKIP]));
	}
	return json_pack("{s:i, s:i, s:i, s:i, s:o}", "total",
			 s->total[0] + s->total[1] + s->total[2], "passed", s->total[SB_ST_PASS],
			 "failed", s->total[SB_ST_FAIL], "skipped", s->total[SB_ST_SKIP], "by_kind",
			 by);
}

static int exit_code(const struct run_state *s)
{
	if (s->total[SB_ST_FAIL])
		return SB_EXIT_FAIL;
	if (!s->total[SB_ST_PASS])
		return SB_EXIT_SKIP;
	return SB_EXIT_OK;
}

static void print_summary(const struct run_state *s, int code)
{
	bool first = true;

	if (s->o->json)
		return;
	if (s->o->tap) {
		printf("1..%u\n", s->tap_n);
		return;
	}
	printf("\nstress: %u cases: %u passed, %u failed, %u skipped (", s->total[0] + s->total[1] +
	       s->total[2], s->total[SB_ST_PASS], s->total[SB_ST_FAIL], s->total[SB_ST_SKIP]);
	for (int k = 0; k < SB_ST_NR_KINDS; k++) {
		const unsigned int *n = s->n[k];

		if (!(n[0] + n[1] + n[2]))
			continue;
		printf("%s%s %u/%u passed", first ? "" : ", ", sb_st_kind_name(k), n[SB_ST_PASS],
		       n[0] + n[1] + n[2]);
		first = false;
	}
	printf(")\nkernel log: %s; seed %llu; exit %d\n",
	       s->klog.fd < 0 ? s->klog.why
	       : json_array_size(s->klog_problems) ? "NEW PROBLEMS (above)"
						    : "no new warnings",
	       (unsigned long long)s->o->seed, code);
}

static int setup(struct run_state *s)
{
	struct sb_scratch_opts so = { .root = s->o->scratch_root };
	char *dev[SB_FS_NR] = { NULL };
	char why[512];
	int r;

	s->root = geteuid() == 0;
	if (s->o->fs_device && sb_parse_fs_devices("stress", s->o->fs_device, dev))
		return SB_EXIT_USAGE;
	for (int i = 0; i < SB_FS_NR; i++)
		so.fs_device[i] = dev[i];
	r = sb_scratch_create(&so, &s->scratch, why, sizeof(why));
	for (int i = 0; i < SB_FS_NR; i++)
		free(dev[i]);
	if (r < 0) {
		sb_err("stress: cannot make a scratch directory: %s", why);
		return SB_EXIT_ENV;
	}
	s->base = sb_scratch_path(s->scratch);
	if (s->root && sb_scratch_fs(s->scratch, SB_FS_TMPFS, &s->base, why, sizeof(why)) < 0) {
		sb_warn("stress: no tmpfs (%s); cases work in %s", why, sb_scratch_path(s->scratch));
		s->base = sb_scratch_path(s->scratch);
	}
	if (!s->root)
		snprintf(s->netns_why, sizeof(s->netns_why), "needs root");
	else if (sb_netns_enter(s->netns_why, sizeof(s->netns_why)) == 0)
		s->netns = true;
	if (sb_klog_open(&s->klog) < 0 && !s->o->json)
		sb_warn("stress: kernel log not watched: %s", s->klog.why);
	return 0;
}

static json_t *report_json(const struct run_state *s, int code)
{
	struct utsname u;

	uname(&u);
	return json_pack(
		"{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:I, s:i, s:f, s:f, s:b, "
		"s:{s:b, s:b, s:s}, s:o, s:o, s:{s:b, s:s?, s:O}, s:i}",
		"schema", "splicebench.stress/1", "tool", "name", "splicebench", "version",
		SB_VERSION, "commit", SB_GIT_COMMIT, "kernel", "release", u.release, "version",
		u.version, "machine", u.machine, "mode",
		s->o->quick ? "quick" : s->o->soak > 0 ? "soak" : "default", "seed",
		(json_int_t)s->o->seed, "workers", (int)s->workers, "race_seconds", s->race_s,
		"soak_seconds", s->soak_s, "dangerous", s->o->dangerous != 0, "privileges", "root",
		s->root, "netns", s->netns, "netns_why", s->netns ? "" : s->netns_why, "cases",
		json_incref(s->cases), "summary", summary_json(s), "kernel_log", "watched",
		s->klog.fd >= 0, "why", s->klog.fd >= 0 ? NULL : s->klog.why, "problems",
		s->klog_problems, "exit_code", code);
}

static int run_all(struct stress_opts *o, unsigned int kv)
{
	struct run_state s = { .o = o, .kv = kv };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int code;

	s.klog.fd = -1;
	s.race_s = o->quick ? RACE_QUICK_S : RACE_DEFAULT_S;
	s.soak_s = o->soak > 0 ? o->soak : o->quick ? SOAK_QUICK_S : SOAK_DEFAULT_S;
	s.workers = o->workers ? (unsigned int)o->workers : ncpu > 2 ? (unsigned int)ncpu : 2;
	code = setup(&s);
	if (code) {
		sb_scratch_destroy(s.scratch);
		return code;
	}
	sb_install_stop_signals();
	s.cases = json_array();
	s.klog_problems = json_array();
	if (!o->json && !o->tap)
		printf("stress: kernel %u.%u.%u, seed %llu, races %.0f s, soak %.0f s, %u workers, "
		       "%s\n",
		       kv >> 16, (kv >> 8) & 0xff, kv & 0xff, (unsigned long long)o->seed, s.race_s,
		       s.soak_s, s.workers,
		       s.netns ? "private network namespace" : s.netns_why);
	if (o->tap)
		printf("TAP version 13\n");
	for (size_t i = 0; i < sb_nr_stressors && !sb_stop_signal; i++)
		if (selected(o, sb_stressors[i]))
			run_one(&s, sb_stressors[i], i);
	code = exit_code(&s);
	if (sb_stop_signal) {
		sb_err("stress: interrupted by signal %d; %u cases ran", (int)sb_stop_signal,
		       s.total[0] + s.total[1] + s.total[2]);
		code = 128 + sb_stop_signal;
	}
	print_summary(&s, code);
	if (o->json) {
		json_t *doc = report_json(&s, code);

		json_dumpf(doc, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
		json_decref(doc);
	}
	json_decref(s.cases);
	json_decref(s.klog_problems);
	sb_klog_close(&s.klog);
	sb_scratch_destroy(s.scratch);
	return code;
}

int sb_cmd_stress(int argc, char **argv)
{
	struct stress_opts o = { 0 };
	unsigned int kv;
	bool list = false;
	int pos, ret;

	ret = sb_opts_parse(&stress_cmd, &o, argc, argv, &pos, NULL);
	if (ret) {
		sb_opts_free(&stress_cmd, &o);
		return ret == SB_OPTS_HELP ? 0 : ret;
	}
	if (pos < argc && !strcmp(argv[pos], "list")) {
		list = true;
		pos++;
		/* options may follow the word: stress list --json */
		if (pos < argc) {
			int p2;

			ret = sb_opts_parse(&stress_cmd, &o, argc - pos + 1, argv + pos - 1, &p2,
					    NULL);
			if (ret) {
				sb_opts_free(&stress_cmd, &o);
				return ret == SB_OPTS_HELP ? 0 : ret;
			}
			pos += p2 - 1;
		}
	}
	ret = SB_EXIT_USAGE;
	if (pos < argc) {
		sb_usage_err("stress", "unexpected argument '%s' (the only word is 'list')",
			     argv[pos]);
		goto out;
	}
	if (o.json && o.tap) {
		sb_usage_err("stress", "--json and --tap exclude each other");
		goto out;
	}
	if (o.quick && o.soak > 0) {
		sb_usage_err("stress", "--quick and --soak exclude each other");
		goto out;
	}
	kv = running_kv();
	if (o.kernel) {
		kv = sb_kv_parse(o.kernel);
		if (!kv) {
			sb_usage_err("stress", "--kernel: '%s' is not a version X.Y.Z", o.kernel);
			goto out;
		}
	}
	if (check_only(&o))
		goto out;
	if (!o.seed)
		o.seed = (sb_now_ns() ^ ((uint64_t)getpid() << 32)) % 1000000000ULL + 1;
	ret = list ? cmd_list(&o, kv) : run_all(&o, kv);
out:
	sb_opts_free(&stress_cmd, &o);
	return ret;
}

int sb_stress_vm_args(int argc, char **argv, double *est_s, bool *need_xfs)
{
	static const char *const owned[] = { "json", "tap", "scratch-root", "fs-device", "kernel" };
	struct stress_opts o = { 0 };
	uint64_t set = 0;
	double race_s, soak_s;
	int pos, ret;

	ret = sb_opts_parse(&stress_cmd, &o, argc, argv, &pos, &set);
	if (ret == SB_OPTS_HELP)
		ret = sb_usage_err("vm", "--help after '--' shows stress's options, not a run");
	if (ret)
		goto out;
	ret = SB_EXIT_USAGE;
	if (pos < argc) {
		sb_usage_err("vm", "unexpected stress argument '%s'", argv[pos]);
		goto out;
	}
	for (size_t i = 0; i < SB_ARRAY_SIZE(owned); i++)
		if (sb_opts_was_set(&stress_cmd, set, owned[i])) {
			sb_usage_err("vm", "stress option --%s is set by splicebench vm itself",
				     owned[i]);
			goto out;
		}
	if (o.quick && o.soak > 0) {
		sb_usage_err("vm", "--quick and --soak exclude each other");
		goto out;
	}
	if (check_only(&o))
		goto out;
	race_s = o.quick ? RACE_QUICK_S : RACE_DEFAULT_S;
	soak_s = o.soak > 0 ? o.soak : o.quick ? SOAK_QUICK_S : SOAK_DEFAULT_S;
	*est_s = 0;
	*need_xfs = false;
	for (size_t i = 0; i < sb_nr_stressors; i++) {
		const struct sb_stressor *st = sb_stressors[i];

		if (!selected(&o, st))
			continue;
		*est_s += st->kind == SB_ST_SOAK ? soak_s * 1.5 + 10
			  : st->kind == SB_ST_CONFORM ? 0.05
						      : race_s + 1;
		*need_xfs |= (st->flags & SB_STF_XFS) != 0;
	}
	ret = 0;
out:
	sb_opts_free(&stress_cmd, &o);
	return ret;
}
