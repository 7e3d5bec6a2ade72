/* SPDX-License-Identifier: MIT */
/*
 * The runner of `splicebench stress`: one case in a child process under a
 * watchdog, and the kernel log watch.
 */
#ifndef SB_ST_HARNESS_H
#define SB_ST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "stress.h"

struct sb_st_run {
	double secs;	  /* wall time of the case, fork to reap */
	bool killed;	  /* the watchdog killed it */
	bool interrupted; /* a signal stopped the whole run */
	int rm_err;	  /* removing its directory failed (-errno) */
};

/*
 * Run @st with @c (inputs filled in) in a child process whose process group
 * is killed after @timeout seconds; the case works in a new directory under
 * @base, removed afterwards. Fills @c's outputs and @r; returns c->status.
 */
int sb_st_run_case(const struct sb_stressor *st, struct sb_st_ctx *c, const char *base,
		   double timeout, struct sb_st_run *r);

/*
 * The kernel log (/dev/kmsg): records that appear after sb_klog_open().
 * Reading needs CAP_SYSLOG or dmesg_restrict=0.
 */
struct sb_klog {
	int fd;	      /* -1 when the log cannot be read */
	char why[160]; /* why not */
};

int sb_klog_open(struct sb_klog *k);
/*
 * Read the records that arrived since the last call. Each one that reports a
 * kernel problem is passed to @fn with the pattern it matched; returns the
 * number of such records, or -errno.
 */
int sb_klog_scan(struct sb_klog *k, void (*fn)(void *arg, const char *what, const char *line),
		 void *arg);
void sb_klog_close(struct sb_klog *k);
/* The problem a kernel log message reports ("WARNING", "BUG", "Oops", ...), or NULL (pure). */
const char *sb_klog_classify(const char *msg);

#endif
