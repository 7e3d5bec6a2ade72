/* SPDX-License-Identifier: MIT */
/*
 * One-line diagnostics on stderr: "splicebench: <what>: <why>".
 */
#ifndef SB_LOG_H
#define SB_LOG_H

#include "sb.h"

extern int sb_verbose; /* -v count */
extern bool sb_quiet;  /* --quiet: warnings and info suppressed */

void sb_err(const char *fmt, ...) SB_PRINTF(1, 2);
void sb_warn(const char *fmt, ...) SB_PRINTF(1, 2);
void sb_info(const char *fmt, ...) SB_PRINTF(1, 2);
void sb_dbg(const char *fmt, ...) SB_PRINTF(1, 2);

/*
 * Usage error for command @cmd: prints one line
 *   splicebench: <cmd>: <message>; see 'splicebench <cmd> --help'
 * and returns SB_EXIT_USAGE.
 */
int sb_usage_err(const char *cmd, const char *fmt, ...) SB_PRINTF(2, 3);

/* The one-line reason of a failure into @why (may be NULL or 0-sized). */
void sb_why(char *why, size_t len, const char *fmt, ...) SB_PRINTF(3, 4);
/* The same, returning @err (a -errno), for "return sb_why_err(...)". */
int sb_why_err(char *why, size_t len, int err, const char *fmt, ...) SB_PRINTF(4, 5);
/* asprintf that returns the string, or NULL when out of memory. */
char *sb_asprintf(const char *fmt, ...) SB_PRINTF(1, 2);

#endif
