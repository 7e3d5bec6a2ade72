/* SPDX-License-Identifier: MIT */
/*
 * Pure text parsers behind sysinfo.c, exposed only so the unit test can feed
 * them fixed input. They never touch the file system. Each returns 0 or a
 * negative errno: -EINVAL for malformed input, -ENOENT for a missing key,
 * -ERANGE when the output buffer is too small (out is then left empty).
 */
#ifndef SB_SYSINFO_PARSE_H
#define SB_SYSINFO_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The active value of a sysfs choice file: "always [madvise] never" ->
 * "madvise", "none [integrity] confidentiality" -> "integrity". The first
 * non-empty bracketed word wins.
 */
int sb_parse_bracketed(const char *s, char *out, size_t out_len);

/*
 * Number of CPUs in a kernel CPU list ("0-1" -> 2, "0-3,5,7-8" -> 7, "0" -> 1).
 * Surrounding whitespace (the trailing newline of sysfs) is allowed.
 */
int sb_parse_cpu_list_count(const char *s, unsigned int *count);

/*
 * The value of the first "key<spaces/tabs>: value" line of /proc/cpuinfo-like
 * text whose key matches exactly, trimmed.
 */
int sb_cpuinfo_value(const char *text, const char *key, char *out, size_t out_len);

/*
 * Whether the first "flags" line holds the word @flag: 1 yes, 0 no,
 * -ENOENT when there is no "flags" line (not x86).
 */
int sb_cpuinfo_has_flag(const char *text, const char *flag);

/* "<key>:   <n> kB" from /proc/meminfo-like text, in kB. */
int sb_parse_meminfo_kb(const char *text, const char *key, uint64_t *kb);

/*
 * One value standing for many (e.g. the governor of every CPU): the value
 * itself when all are equal, else "mixed: " and the distinct values sorted
 * and joined by commas ("mixed: performance,powersave").
 */
int sb_summarize_values(const char *const *vals, size_t n, char *out, size_t out_len);

#endif
