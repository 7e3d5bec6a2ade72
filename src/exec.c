// SPDX-License-Identifier: MIT
/*
 * Running a helper program (mkfs, apt-get, sha256sum): no shell, output
 * captured.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "log.h"
#include "sb.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void sb_cmd_result_free(struct sb_cmd_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

struct capture {
	int fd;
	char *buf;
	size_t len;
};

/* Read what is available on @c->fd; returns false at EOF or error. */
static bool capture_read(struct capture *c)
{
	char tmp[4096];
	ssize_t r = read(c->fd, tmp, sizeof(tmp));

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (r <= 0)
		return false;
	if (c->len < SB_CMD_OUT_MAX) {
		size_t take = sb_min_u64((uint64_t)r, SB_CMD_OUT_MAX - c->len);
		char *nb = realloc(c->buf, c->len + take + 1);

		if (nb) {
			memcpy(nb + c->len, tmp, take);
			c->len += take;
			nb[c->len] = '\0';
			c->buf = nb;
		}
	}
	return true;
}

/* see exec.h */
int sb_exec_in(const char *cwd, const char *const *argv, struct sb_cmd_result *res)
{
	char alt[2][PATH_MAX];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, ep[2] = { -1, -1 };
	struct capture cap[2] = { { -1, NULL, 0 }, { -1, NULL, 0 } };
	int err = 0, child_errno = 0;
	bool use_alt = !strchr(argv[0], '/');
	pid_t pid;
	ssize_t r;

	memset(res, 0, sizeof(*res));
	snprintf(alt[0], sizeof(alt[0]), "/usr/sbin/%s", argv[0]);
	snprintf(alt[1], sizeof(alt[1]), "/sbin/%s", argv[0]);
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		err = -errno;
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0) {
		sigset_t none;
		int nul, e;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		nul = open("/dev/null", O_RDONLY);
		if (nul >= 0 && nul != STDIN_FILENO)
			dup2(nul, STDIN_FILENO);
		dup2(outp[1], STDOUT_FILENO);
		dup2(errp[1], STDERR_FILENO);
		/* do not leak the caller's descriptors into the tool */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		if (cwd && chdir(cwd) < 0) {
			e = errno;
			while (write(ep[1], &e, sizeof(e)) < 0 && errno == EINTR)
				;
			_exit(127);
		}
		execvp(argv[0], (char *const *)argv);
		e = errno;
		if (e == ENOENT && use_alt) {
			execv(alt[0], (char *const *)argv);
			execv(alt[1], (char *const *)argv);
		}
		while (write(ep[1], &e, sizeof(e)) < 0 && errno == EINTR)
			;
		_exit(127);
	}
	close(outp[1]);
	close(errp[1]);
	close(ep[1]);
	outp[1] = errp[1] = ep[1] = -1;

	/* the exec pipe closes on a successful exec, or carries the errno */
	do
		r = read(ep[0], &child_errno, sizeof(child_errno));
	while (r < 0 && errno == EINTR);
	if (r == (ssize_t)sizeof(child_errno))
		res->exec_err = child_errno ? child_errno : ENOEXEC;

	cap[0].fd = outp[0];
	cap[1].fd = errp[0];
	while (cap[0].fd >= 0 || cap[1].fd >= 0) {
		struct pollfd pfd[2] = {
			{ .fd = cap[0].fd, .events = POLLIN },
			{ .fd = cap[1].fd, .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (!capture_read(&cap[i]))
				cap[i].fd = -1;
		}
	}
	while (waitpid(pid, &res->status, 0) < 0) {
		if (errno != EINTR) {
			err = -errno;
			break;
		}
	}
	res->out = cap[0].buf;
	res->err = cap[1].buf;
	cap[0].buf = cap[1].buf = NULL;
out:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	free(cap[0].buf);
	free(cap[1].buf);
	return err;
}

int sb_exec(const char *const *argv, struct sb_cmd_result *res)
{
	return sb_exec_in(NULL, argv, res);
}

const char *sb_first_line(const char *s)
{
	static char line[201];
	size_t n;

	if (!s)
		return "";
	while (*s == '\n' || *s == ' ' || *s == '\t' || *s == '\r')
		s++;
	n = strcspn(s, "\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, s, n);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
		n--;
	line[n] = '\0';
	return line;
}

int sb_cmd_status(const char *tool, const char *pkg, const struct sb_cmd_result *res,
		       char *why, size_t why_len)
{
	const char *msg;

	if (res->exec_err == ENOENT) {
		sb_why(why, why_len, "%s not found: install the Debian package %s", tool, pkg);
		return -ENOENT;
	}
	if (res->exec_err) {
		sb_why(why, why_len, "cannot run %s: %s", tool, strerror(res->exec_err));
		return -res->exec_err;
	}
	if (WIFSIGNALED(res->status)) {
		sb_why(why, why_len, "%s failed: killed by signal %d (%s)", tool,
			WTERMSIG(res->status), strsignal(WTERMSIG(res->status)));
		return -EINTR;
	}
	if (!WIFEXITED(res->status) || WEXITSTATUS(res->status) != 0) {
		msg = sb_first_line(res->err);
		if (!*msg)
			msg = sb_first_line(res->out);
		sb_why(why, why_len, "%s failed: exit status %d%s%s", tool,
			WIFEXITED(res->status) ? WEXITSTATUS(res->status) : -1, *msg ? ": " : "",
			msg);
		return -EIO;
	}
	return 0;
}
