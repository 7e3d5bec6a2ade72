// SPDX-License-Identifier: MIT
/*
 * The harness's own checks (shown and run only with the hidden --selftest):
 * cases that must be reported as failed. tests/cli/t_stress.sh runs them
 * and asserts the verdicts, so a harness that stopped catching a wrong
 * errno, a hang or a crash would be noticed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

/* splice(-1, ...) gives EBADF; this case claims EINVAL, so it must fail */
static int wrong_errno(struct sb_st_ctx *c)
{
	long r = splice(-1, NULL, -1, NULL, 4096, 0);

	return sb_st_check(c, r, errno);
}

const struct sb_stressor sb_st_selftest_wrong_errno = {
	.id = "selftest.wrong-errno",
	.kind = SB_ST_SELFTEST,
	.checks = "a case wired to expect the wrong errno is reported as failed",
	.source = "the harness",
	.expect = "EINVAL",
	.fn = wrong_errno,
};

/* blocks forever: the watchdog must kill it after .timeout */
static int hang(struct sb_st_ctx *c)
{
	for (;;)
		pause();
	return sb_st_pass(c, "not reached");
}

const struct sb_stressor sb_st_selftest_hang = {
	.id = "selftest.hang",
	.kind = SB_ST_SELFTEST,
	.checks = "a case that hangs is killed by its watchdog and reported as failed",
	.source = "the harness",
	.timeout = 1,
	.fn = hang,
};

/* dies by a signal (SIGILL: sanitizers leave it alone): reported as failed with its name */
static int crash(struct sb_st_ctx *c)
{
	(void)c;
	__builtin_trap();
}

const struct sb_stressor sb_st_selftest_crash = {
	.id = "selftest.crash",
	.kind = SB_ST_SELFTEST,
	.checks = "a case whose process dies is reported as failed, with the signal",
	.source = "the harness",
	.fn = crash,
};

/*
 * Writes a line with "WARNING:" into the kernel log (root only, marked as
 * injected): the harness's log watch must fail this case although it passes.
 */
static int kernel_log(struct sb_st_ctx *c)
{
	static const char line[] = "splicebench-selftest: WARNING: injected by splicebench stress "
				   "--selftest (not a kernel problem)\n";
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return sb_st_skip(c, "cannot write /dev/kmsg: %s", strerror(errno));
	if (write(fd, line, sizeof(line) - 1) < 0) {
		close(fd);
		return sb_st_skip(c, "cannot write /dev/kmsg: %s", strerror(errno));
	}
	close(fd);
	return sb_st_pass(c, "wrote a WARNING line into the kernel log");
}

const struct sb_stressor sb_st_selftest_kernel_log = {
	.id = "selftest.kernel-log",
	.kind = SB_ST_SELFTEST,
	.checks = "a WARNING in the kernel log during a case fails it, with the line",
	.source = "the harness",
	.flags = SB_STF_ROOT,
	.fn = kernel_log,
};
