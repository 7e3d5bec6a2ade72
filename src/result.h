/* SPDX-License-Identifier: MIT */
/*
 * The result file ("schema": "splicebench.result/1", docs/results-schema.md):
 * assembly, atomic write, and the table printed from it.
 */
#ifndef SB_RESULT_H
#define SB_RESULT_H

#include <jansson.h>
#include <stdio.h>

#include "sb.h"

#define SB_RESULT_SCHEMA "splicebench.result/1"
#define SB_RESULT_FILE "result.json"

/* {name, version, git_commit, cc, cflags, sanitize} */
json_t *sb_tool_json(void);

/* A new document with schema, tool, host and run {argv, start_utc, seed}. */
json_t *sb_result_new(int argc, char **argv, uint64_t seed);

/* "2026-11-22T03:15:00Z" for @t (or now when 0). */
void sb_utc_iso(time_t t, char *buf, size_t len);

/* results/<UTC YYYYmmddTHHMMSSZ>-<hostname>-<kernel release> */
void sb_result_default_dir(char *buf, size_t len);
/* results/<UTC YYYYmmddTHHMMSSZ>-<label> ('/' and ' ' in it become '_'; NULL: no label) */
void sb_result_dir_for(char *buf, size_t len, const char *label);

/*
 * Write @doc to <dir>/result.json atomically (temporary file, fsync, rename),
 * creating @dir (and parents) when missing. On failure nothing is left behind
 * (a directory created here is removed again). Returns 0 or -errno.
 */
int sb_result_write(const json_t *doc, const char *dir, char *path, size_t path_len);
/* The same under another file name in @dir (vm.json, a.json). */
int sb_result_write_as(const json_t *doc, const char *dir, const char *name, char *path,
		       size_t path_len);

/*
 * Check early that a result can be written to @dir: create it (and parents)
 * and a temporary file there, then remove what was created. 0 or -errno.
 */
int sb_result_probe_dir(const char *dir);

/* The table: one row per cell, then a legend. */
void sb_result_table(const json_t *doc, FILE *out);

/* "850ns", "12.3us", "1.20ms", "2.50s" */
void sb_format_ns(double ns, char *buf, size_t len);

#endif
