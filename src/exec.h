/* SPDX-License-Identifier: MIT */
/*
 * Running a helper program (mkfs, apt-get, sha256sum) without a shell.
 */
#ifndef SB_EXEC_H
#define SB_EXEC_H

#include <stddef.h>

/* Each stream keeps at most this much (the rest is read and dropped). */
#define SB_CMD_OUT_MAX (64 * 1024)

struct sb_cmd_result {
	int status;	/* waitpid() status */
	int exec_err;	/* errno of a failed exec, else 0 */
	char *out;	/* captured stdout, NUL-terminated, or NULL */
	char *err;	/* captured stderr */
};

/*
 * Run @argv (no shell) with stdin from /dev/null and stdout/stderr captured.
 * A bare program name not found in $PATH is also tried in /usr/sbin and /sbin
 * (root's tools are there, and a non-login PATH often lacks them).
 * Returns 0 when the program ran (see @res->status) or could not be executed
 * (@res->exec_err), -errno when the plumbing itself failed.
 */
int sb_exec(const char *const *argv, struct sb_cmd_result *res);
/* The same in directory @cwd (a failed chdir is reported as @res->exec_err). */
int sb_exec_in(const char *cwd, const char *const *argv, struct sb_cmd_result *res);
void sb_cmd_result_free(struct sb_cmd_result *res);

/*
 * A finished command as 0, or -errno with the reason in @why: not installed
 * (install Debian package @pkg), killed, or its exit status and the first
 * line it printed.
 */
int sb_cmd_status(const char *tool, const char *pkg, const struct sb_cmd_result *res, char *why,
		  size_t why_len);
/* The first non-blank line of @s, at most 200 bytes (a static buffer). */
const char *sb_first_line(const char *s);

#endif
