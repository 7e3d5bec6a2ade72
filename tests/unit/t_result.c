// SPDX-License-Identifier: MIT
/* Result document: JSON round trip, atomic write, table. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "result.h"
#include "tap.h"

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

int main(void)
{
	char tmpl[] = "/tmp/sb-t_result-XXXXXX", dir[512], path[600];
	char a0[] = "splicebench", a1[] = "run", *argv[] = { a0, a1, NULL };
	json_t *doc, *back, *cell;
	json_error_t jerr;
	char buf[32], *table = NULL;
	size_t tlen = 0;
	FILE *mem;

	if (!mkdtemp(tmpl))
		tap_bail("mkdtemp: cannot create a temporary directory");
	doc = sb_result_new(2, argv, 1234);
	is_str(json_string_value(json_object_get(doc, "schema")), SB_RESULT_SCHEMA, "schema");
	ok(json_is_object(json_object_get(doc, "host")), "host object");
	ok(json_is_string(json_object_get(json_object_get(doc, "tool"), "version")),
	   "tool.version");
	ok(json_is_false(json_object_get(json_object_get(doc, "run"), "interrupted")),
	   "run.interrupted false");
	cell = json_pack("{s:s, s:s, s:s, s:s, s:{s:i}, s:s, s:n, s:{s:{s:f, s:f}, "
			 "s:{s:f}, s:{s:i}}}",
			 "key", "splice.file-to-pipe/tmpfs/64k", "workload", "splice.file-to-pipe",
			 "target", "tmpfs", "variant", "-", "params", "chunk", 65536, "status",
			 "ok", "reason", "summary", "bytes_per_sec", "median", 2.5 * 1073741824.0,
			 "rcv", 0.012, "cpu_sec_per_gib", "median", 0.25, "latency_ns", "p99",
			 12300);
	json_array_append_new(json_object_get(doc, "cells"), cell);
	json_array_append_new(json_object_get(doc, "cells"),
			      json_pack("{s:s, s:s, s:s, s:s, s:{s:i}, s:s, s:s}", "key", "x",
					"workload", "rw.file-read", "target", "ext4", "variant",
					"direct", "params", "chunk", 4096, "status", "skipped",
					"reason", "creating file systems needs root"));

	snprintf(dir, sizeof(dir), "%s/a/b", tmpl);
	is_int(sb_result_write(doc, dir, path, sizeof(path)), 0, "write into new nested dirs");
	back = json_load_file(path, 0, &jerr);
	ok(back != NULL, "the file parses (%s)", back ? "ok" : jerr.text);
	ok(json_equal(doc, back), "JSON round trip is lossless");
	is_u64(count_entries(dir), 1, "only result.json in the directory (no temp file)");
	json_decref(back);
	is_int(sb_result_write(doc, dir, path, sizeof(path)), 0, "rewrite replaces atomically");
	is_u64(count_entries(dir), 1, "still only result.json");
	unlink(path);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/a", tmpl);
	rmdir(dir);

	/* failure leaves nothing behind */
	snprintf(dir, sizeof(dir), "%s/f", tmpl);
	if (geteuid() == 0) {
		tap_skip(2, "root can write into a read-only directory");
	} else {
		chmod(tmpl, 0500);
		snprintf(dir, sizeof(dir), "%s/new/deeper", tmpl);
		ok(sb_result_write(doc, dir, path, sizeof(path)) < 0, "unwritable parent fails");
		chmod(tmpl, 0700);
		is_u64(count_entries(tmpl), 0, "nothing created on failure");
	}
	snprintf(dir, sizeof(dir), "/proc/sb-no-such/dir");
	ok(sb_result_write(doc, dir, path, sizeof(path)) < 0, "impossible path fails");

	mem = open_memstream(&table, &tlen);
	sb_result_table(doc, mem);
	fclose(mem);
	ok(strstr(table, "splice.file-to-pipe") && strstr(table, "2.500"),
	   "table row shows GiB/s median");
	ok(strstr(table, "1.2%") != NULL, "table shows the robust spread");
	ok(strstr(table, "12.3us") != NULL, "table shows p99 latency");
	ok(strstr(table, "skipped: creating file systems needs root") != NULL,
	   "skipped cells show their reason");
	ok(strstr(table, "2 cells: 1 ok, 1 skipped, 0 failed") != NULL, "footer counts cells");
	free(table);

	sb_format_ns(850, buf, sizeof(buf));
	is_str(buf, "850ns", "ns");
	sb_format_ns(1234567, buf, sizeof(buf));
	is_str(buf, "1.23ms", "ms");
	json_decref(doc);
	rmdir(tmpl);
	return tap_done();
}
