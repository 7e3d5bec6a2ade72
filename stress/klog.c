// SPDX-License-Identifier: MIT
/*
 * Watching the kernel log during `splicebench stress`: /dev/kmsg is opened
 * and positioned at its end before the first case, then read after every
 * case, so a WARNING, BUG, Oops, KASAN report or lockup is attributed to the
 * case during which it appeared. Record format (Documentation/ABI/testing/
 * dev-kmsg): "prio,seq,usec,flags[,...];message\n" followed by continuation
 * lines starting with a space (dictionary), which are ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"

/* What the kernel prints when something is wrong (lib/bug.c, mm/kasan, kernel/watchdog*.c, ...) */
static const struct {
	const char *needle;
	const char *what;
} problems[] = {
	{ "WARNING:", "WARNING" },
	{ "BUG:", "BUG" },
	{ "kernel BUG at", "BUG" },
	{ "Oops", "Oops" },
	{ "general protection fault", "Oops" },
	{ "KASAN", "KASAN" },
	{ "UBSAN:", "UBSAN" },
	{ "soft lockup", "soft lockup" },
	{ "hard LOCKUP", "hard lockup" },
	{ "rcu_sched detected stall", "RCU stall" },
	{ "rcu_preempt detected stall", "RCU stall" },
	{ "blocked for more than", "hung task" },
	{ "list_add corruption", "list corruption" },
	{ "list_del corruption", "list corruption" },
};

const char *sb_klog_classify(const char *msg)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(problems); i++)
		if (strstr(msg, problems[i].needle))
			return problems[i].what;
	return NULL;
}

int sb_klog_open(struct sb_klog *k)
{
	k->why[0] = '\0';
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return sb_why_err(k->why, sizeof(k->why), -errno, "cannot read /dev/kmsg: %s",
				  strerror(errno));
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		int err = -errno;

		sb_why(k->why, sizeof(k->why), "cannot seek /dev/kmsg: %s", strerror(errno));
		close(k->fd);
		k->fd = -1;
		return err;
	}
	return 0;
}

int sb_klog_scan(struct sb_klog *k, void (*fn)(void *arg, const char *what, const char *line),
		 void *arg)
{
	char rec[8192 + 1];
	int found = 0;

	if (k->fd < 0)
		return -EBADF;
	for (int i = 0; i < 100000; i++) {
		ssize_t n = read(k->fd, rec, sizeof(rec) - 1);
		char *msg, *nl;
		const char *what;

		if (n < 0 && errno == EPIPE)
			continue; /* records were overwritten before we read them; go on */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EAGAIN: nothing more */
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		what = sb_klog_classify(msg);
		if (what) {
			found++;
			fn(arg, what, msg);
		}
	}
	return found;
}

void sb_klog_close(struct sb_klog *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
