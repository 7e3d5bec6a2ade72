// SPDX-License-Identifier: MIT
/*
 * The stressor table, the helpers cases use to report, and the runner that
 * puts one case in a child process under a watchdog (stress.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "pattern.h"
#include "resset.h"
#include "run.h"
#include "scratch.h"
#include "stexp.h"

const struct sb_stressor *const sb_stressors[] = {
#define SB_STRESSOR(family, name) &sb_st_##family##_##name,
#include "stressors.def"
#undef SB_STRESSOR
};

const size_t sb_nr_stressors = SB_ARRAY_SIZE(sb_stressors);

static const char *const kind_names[SB_ST_NR_KINDS] = {
	[SB_ST_CONFORM] = "conformance", [SB_ST_RACE] = "race",	       [SB_ST_SOAK] = "soak",
	[SB_ST_BUG] = "known-bug",	 [SB_ST_SELFTEST] = "selftest",
};

const char *sb_st_kind_name(enum sb_st_kind k)
{
	return k < SB_ST_NR_KINDS ? kind_names[k] : "?";
}

const char *sb_st_status_name(enum sb_st_status s)
{
	return s == SB_ST_PASS ? "passed" : s == SB_ST_FAIL ? "failed" : "skipped";
}

static int set_status(struct sb_st_ctx *c, int st, const char *fmt, va_list ap)
{
	c->status = st;
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	sb_one_line(c->detail);
	return st;
}

#define SB_ST_SETTER(fn, st)                                        \
	int fn(struct sb_st_ctx *c, const char *fmt, ...)           \
	{                                                           \
		va_list ap;                                         \
		int r;                                              \
                                                                    \
		va_start(ap, fmt);                                  \
		r = set_status(c, st, fmt, ap);                     \
		va_end(ap);                                         \
		return r;                                           \
	}

SB_ST_SETTER(sb_st_pass, SB_ST_PASS)
SB_ST_SETTER(sb_st_fail, SB_ST_FAIL)
SB_ST_SETTER(sb_st_skip, SB_ST_SKIP)

void sb_st_metric(struct sb_st_ctx *c, const char *name, double value)
{
	for (unsigned int i = 0; i < c->nmetrics; i++)
		if (!strcmp(c->metric[i].name, name)) {
			c->metric[i].value = value;
			return;
		}
	if (c->nmetrics == SB_ST_METRICS)
		return;
	snprintf(c->metric[c->nmetrics].name, sizeof(c->metric[0].name), "%s", name);
	c->metric[c->nmetrics++].value = value;
}

int sb_st_check(struct sb_st_ctx *c, long ret, int err)
{
	struct sb_stexp e;
	char why[128];
	int r = sb_stexp_pick(c->st->expect, c->kv, &e, why, sizeof(why));

	sb_stexp_got(ret, err, c->got, sizeof(c->got));
	if (r < 0)
		return sb_st_fail(c, "bad expectation '%s': %s", c->st->expect, why);
	if (r == 0)
		return sb_st_skip(c, "no expectation for kernel %u.%u.%u ('%s'); got %s",
				  c->kv >> 16, (c->kv >> 8) & 0xff, c->kv & 0xff, c->st->expect, c->got);
	sb_stexp_str(&e, c->expected, sizeof(c->expected));
	if (sb_stexp_match(&e, ret, err))
		return sb_st_pass(c, "%s, as expected", c->got);
	return sb_st_fail(c, "expected %s, got %s", c->expected, c->got);
}

uint64_t sb_st_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * SB_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

int sb_st_make_file(struct sb_st_ctx *c, const char *name, uint64_t len, int flags, mode_t mode)
{
	char path[4096];
	uint8_t *buf;
	uint64_t off = 0;
	int fd, ret = -1;

	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	buf = malloc(64 * SB_KIB);
	if (!buf)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	while (off < len) {
		size_t n = (size_t)sb_min_u64(len - off, 64 * SB_KIB);

		sb_pattern_fill(c->seed, off, buf, n);
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n) {
			close(fd);
			goto out;
		}
		off += n;
	}
	if (fchmod(fd, mode) < 0 || close(fd) < 0)
		goto out;
	ret = open(path, flags | O_CLOEXEC);
out:
	free(buf);
	return ret;
}

/* ---------------------------------------------------------------- the runner */

static void child_run(const struct sb_stressor *st, struct sb_st_ctx *c, int wfd, double timeout)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	const char *p = (const char *)c;
	size_t left = sizeof(*c);

	sigemptyset(&dfl.sa_mask);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	setpgid(0, 0);
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 }); /* a crashing case leaves no core file */
	alarm((unsigned int)timeout + 2); /* a second line of defence; the parent kills first */
	c->status = -1;
	st->fn(c);
	if (c->status < 0)
		sb_st_fail(c, "the case returned without a verdict");
	while (left) {
		ssize_t n = write(wfd, p, left);

		if (n <= 0)
			_exit(3);
		p += n;
		left -= (size_t)n;
	}
	/* _exit: the parent's atexit() cleanup must not run in the child */
	_exit(0);
}

static void describe_death(struct sb_st_ctx *c, int wst)
{
	if (WIFSIGNALED(wst))
		sb_st_fail(c, "the case's process was killed by signal %d (%s)", WTERMSIG(wst),
			   sigabbrev_np(WTERMSIG(wst)) ? sigabbrev_np(WTERMSIG(wst)) : "?");
	else
		sb_st_fail(c, "the case's process exited with status %d without a verdict",
			   WEXITSTATUS(wst));
}

int sb_st_run_case(const struct sb_stressor *st, struct sb_st_ctx *c, const char *base,
		   double timeout, struct sb_st_run *r)
{
	char dir[4096];
	int pfd[2], wst = 0;
	uint64_t t0, deadline;
	struct sb_st_ctx got;
	size_t have = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	snprintf(dir, sizeof(dir), "%s/%s-XXXXXX", base, st->id);
	if (!mkdtemp(dir))
		return sb_st_fail(c, "cannot make the case's directory under %s: %s", base,
				  strerror(errno));
	c->dir = dir;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		sb_remove_subtree(dir);
		return sb_st_fail(c, "pipe: %s", strerror(errno));
	}
	fflush(NULL);
	t0 = sb_now_ns();
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		sb_remove_subtree(dir);
		return sb_st_fail(c, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(pfd[0]);
		child_run(st, c, pfd[1], timeout);
	}
	setpgid(pid, pid); /* also done by the child: whichever runs first */
	close(pfd[1]);
	deadline = t0 + (uint64_t)(timeout * 1e9);
	while (have < sizeof(got)) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		uint64_t now = sb_now_ns();
		ssize_t n;
		int pr;

		if (now >= deadline || sb_stop_signal) {
			r->killed = !sb_stop_signal;
			break;
		}
		pr = poll(&p, 1, (int)sb_min_u64((deadline - now) / 1000000 + 1, 200));
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		n = read(pfd[0], (char *)&got + have, sizeof(got) - have);
		if (n <= 0)
			break; /* died without a verdict (or a short one) */
		have += (size_t)n;
	}
	close(pfd[0]);
	/* the whole group: the case's threads, forks and anything they left */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	r->secs = (double)(sb_now_ns() - t0) / 1e9;
	if (have == sizeof(got)) {
		got.st = st;
		got.dir = NULL;
		got.xfs_dir = c->xfs_dir;
		got.self_exe = c->self_exe;
		*c = got;
	} else if (r->killed) {
		sb_st_fail(c, "killed by the watchdog after %.1f s (a hang, or a case longer than "
			      "its bound)", timeout);
	} else if (sb_stop_signal) {
		sb_st_skip(c, "interrupted by signal %d", (int)sb_stop_signal);
		r->interrupted = true;
	} else {
		describe_death(c, wst);
	}
	c->dir = NULL;
	r->rm_err = sb_remove_subtree(dir);
	return c->status;
}
