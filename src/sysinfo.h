/* SPDX-License-Identifier: MIT */
/*
 * Facts about the host for result files and `doctor`. Each reader fills what
 * it can; a fact that cannot be read is JSON null plus a sibling
 * "<key>_reason" string that says why (never a made-up default).
 */
#ifndef SB_SYSINFO_H
#define SB_SYSINFO_H

#include <jansson.h>

#include "sb.h"

/*
 * The "host" object of a result file (new reference):
 *   hostname, kernel {release, version, machine}, cmdline,
 *   cpu {model, online, possible, hypervisor (bool)}, memory_bytes,
 *   mitigations {<vulnerability>: <text>, ...}, cpufreq_governor,
 *   thp {enabled, defrag}, pipe_max_size, perf_event_paranoid,
 *   lockdown (e.g. "none"/"integrity"/"confidentiality"), boot_id,
 *   clocksource.
 */
json_t *sb_sysinfo_host(void);

/*
 * Kernel lockdown mode, read from securityfs. When securityfs is not mounted
 * and we are root, it is mounted in a private mount namespace of a short-lived
 * child, so nothing on the host changes. Returns 0 and the active mode in
 * @mode ("none", "integrity", "confidentiality"), or -errno and a reason.
 */
int sb_sysinfo_lockdown(char *mode, size_t mode_len, char *why, size_t why_len);

/* Kernel version as numbers from uname -r ("6.1.72-..." -> 6,1,72). Returns 0 or -EINVAL. */
int sb_kernel_version(unsigned int *major, unsigned int *minor, unsigned int *patch);

/* Parse a release string as above (pure; unit-tested). */
int sb_parse_kernel_release(const char *rel, unsigned int *major, unsigned int *minor,
			    unsigned int *patch);

#endif
