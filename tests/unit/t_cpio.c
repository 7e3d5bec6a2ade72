// SPDX-License-Identifier: MIT
/*
 * The initramfs cpio writer: the header of a known entry byte for byte,
 * alignment, parents, the trailer and the 512-byte padding, determinism,
 * rejected names and modes; then GNU cpio (an independent implementation)
 * lists and extracts an archive, and the files, modes and symlink it
 * produces are compared with what went in.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "cpio.h"
#include "sb.h"
#include "tap.h"

/* ------------------------------------------------------------ an archive reader */

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_SIZE, F_MAJ, F_MIN, F_RMAJ, F_RMIN,
       F_NAMESIZE, F_CHECK, NR_F };

struct ent {
	unsigned long f[NR_F];
	const char *name;
	const unsigned char *data;
	size_t off; /* of the header */
};

#define MAX_ENTS 64

struct archive {
	struct ent e[MAX_ENTS];
	size_t n;		/* entries, the trailer included */
	bool aligned;		/* every header at a multiple of 4 */
	bool zero_tail;		/* only NULs after the trailer */
	size_t end;		/* just past the trailer */
	char err[200];
};

static bool hex8(const unsigned char *p, unsigned long *v)
{
	*v = 0;
	for (int i = 0; i < 8; i++) {
		int c = p[i];

		if (c >= '0' && c <= '9')
			*v = *v * 16 + (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v * 16 + (unsigned long)(c - 'a' + 10);
		else
			return false;
	}
	return true;
}

/* Walks a newc archive to its trailer; false (with a->err) if malformed. */
static bool parse(const unsigned char *b, size_t len, struct archive *a)
{
	size_t off = 0;

	memset(a, 0, sizeof(*a));
	a->aligned = true;
	for (;;) {
		struct ent *e = &a->e[a->n];
		size_t name_end, data_end;

		if (a->n == MAX_ENTS || off + 110 > len || memcmp(b + off, "070701", 6)) {
			snprintf(a->err, sizeof(a->err), "no header at %zu", off);
			return false;
		}
		a->aligned &= off % 4 == 0;
		e->off = off;
		for (int i = 0; i < NR_F; i++) {
			if (hex8(b + off + 6 + 8 * i, &e->f[i]))
				continue;
			snprintf(a->err, sizeof(a->err), "field %d at %zu: not hex", i, off);
			return false;
		}
		name_end = off + 110 + e->f[F_NAMESIZE];
		if (!e->f[F_NAMESIZE] || name_end > len || b[name_end - 1]) {
			snprintf(a->err, sizeof(a->err), "bad name at %zu", off);
			return false;
		}
		e->name = (const char *)b + off + 110;
		if (strlen(e->name) + 1 != e->f[F_NAMESIZE]) {
			snprintf(a->err, sizeof(a->err), "NUL inside the name at %zu", off);
			return false;
		}
		for (size_t i = name_end; i % 4; i++)
			if (i >= len || b[i]) {
				snprintf(a->err, sizeof(a->err), "bad name padding at %zu", i);
				return false;
			}
		e->data = b + ((name_end + 3) & ~(size_t)3);
		data_end = (size_t)(e->data - b) + e->f[F_SIZE];
		if (data_end > len) {
			snprintf(a->err, sizeof(a->err), "data of '%s' past the end", e->name);
			return false;
		}
		for (size_t i = data_end; i % 4; i++)
			if (i >= len || b[i]) {
				snprintf(a->err, sizeof(a->err), "bad data padding at %zu", i);
				return false;
			}
		off = (data_end + 3) & ~(size_t)3;
		a->n++;
		if (!strcmp(e->name, "TRAILER!!!"))
			break;
	}
	a->end = off;
	a->zero_tail = true;
	for (size_t i = off; i < len; i++)
		a->zero_tail &= !b[i];
	return true;
}

/* A TAP line for parse(). */
static bool parses(const void *b, size_t len, struct archive *a)
{
	bool r = ok(parse(b, len, a), "a newc reader walks the archive to its trailer");

	if (!r)
		tap_diag("%s", a->err);
	return r;
}

static const struct ent *find(const struct archive *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->e[i].name, name))
			return &a->e[i];
	return NULL;
}

/* ------------------------------------------------------------ helpers */

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *b = NULL;
	FILE *f = fopen(path, "rbe");
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		b = malloc((size_t)n + 1);
		if (b && fread(b, 1, (size_t)n, f) == (size_t)n) {
			*len = (size_t)n;
		} else {
			free(b);
			b = NULL;
		}
	}
	fclose(f);
	return b;
}

static unsigned int perm_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0xffffffffU : (unsigned int)(st.st_mode & 07777);
}

static int run(const char *cmd)
{
	int st = system(cmd);

	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t sizeof_file(const char *path)
{
	struct stat st;

	return stat(path, &st) ? (size_t)-1 : (size_t)st.st_size;
}

/* ------------------------------------------------------------ tests */

static const char hello_hdr[] = "070701"
				"00000001" /* ino */
				"000081ed" /* mode: S_IFREG | 0755 */
				"00000000" /* uid */
				"00000000" /* gid */
				"00000001" /* nlink */
				"00000000" /* mtime */
				"00000006" /* filesize */
				"00000000" /* devmajor */
				"00000000" /* devminor */
				"00000000" /* rdevmajor */
				"00000000" /* rdevminor */
				"00000005" /* namesize: "init" + NUL */
				"00000000" /* check */
				"init\0"   /* 110 + 5 = 115: one NUL of padding */
				"\0"
				"hello\n" /* 6 bytes: two NULs of padding */
				"\0\0";

static const char trailer[] = "070701"
			      "00000000" /* ino */
			      "00000000" /* mode */
			      "00000000" /* uid */
			      "00000000" /* gid */
			      "00000001" /* nlink */
			      "00000000" /* mtime */
			      "00000000" /* filesize */
			      "00000000" /* devmajor */
			      "00000000" /* devminor */
			      "00000000" /* rdevmajor */
			      "00000000" /* rdevminor */
			      "0000000b" /* namesize */
			      "00000000" /* check */
			      "TRAILER!!!\0" /* 110 + 11 = 121: three NULs of padding */
			      "\0\0\0";

static void test_known_entry(void)
{
	struct sb_cpio *c = sb_cpio_new();
	const unsigned char *b;
	struct archive a;
	size_t len;

	is_int(sizeof(hello_hdr) - 1, 124, "the expected entry is 124 bytes");
	is_int(sizeof(trailer) - 1, 124, "the expected trailer is 124 bytes");
	is_int(sb_cpio_add_file(c, "init", 0755, "hello\n", 6), 0, "add init");
	b = sb_cpio_data(c, &len);
	is_int(len, 124, "one entry before the trailer: 124 bytes");
	ok(len == 124 && !memcmp(b, hello_hdr, 124),
	   "header, name, data and padding byte for byte");
	is_int(sb_cpio_finish(c), 0, "finish");
	b = sb_cpio_data(c, &len);
	parses(b, len, &a);
	is_int(a.n, 2, "init and the trailer");
	is_int(len % 512, 0, "padded to 512 bytes (%zu)", len);
	ok(a.zero_tail, "with NULs after the trailer");
	is_int(a.end, 124 + 124, "the trailer is 124 bytes (110 + 11 + 3 of padding)");
	ok(!memcmp(b + 124, trailer, 124),
	   "the trailer: ino 0, mode 0, nlink 1, namesize 0xb, byte for byte");
	is_int(sb_cpio_finish(c), 0, "a second finish does nothing");
	ok(sb_cpio_data(c, &len) && len == 512, "still one block");
	is_int(sb_cpio_add_dir(c, "etc", 0755), -EINVAL, "adding after finish: -EINVAL");
	ok(strstr(sb_cpio_error(c), "finished") != NULL, "reason: %s", sb_cpio_error(c));
	sb_cpio_free(c);
}

static void test_parents_and_types(void)
{
	struct sb_cpio *c = sb_cpio_new();
	static const unsigned char bin[5] = { 0, 1, 2, 0xff, 0 };
	const struct ent *e, *f;
	const unsigned char *b;
	struct archive a;
	size_t len, before;
	bool distinct = true;

	is_int(sb_cpio_add_file(c, "/lib/modules/a.ko", 0644, bin, sizeof(bin)), 0,
	       "add /lib/modules/a.ko (leading '/' dropped)");
	is_int(sb_cpio_count(c), 3, "lib and lib/modules added as parents");
	is_int(sb_cpio_add_file(c, "lib/modules/b.ko", 0600, "b", 1), 0, "a second module");
	is_int(sb_cpio_count(c), 4, "parents added once");
	is_int(sb_cpio_add_dir(c, "lib", 0755), 0, "lib again with the same mode: no-op");
	is_int(sb_cpio_count(c), 4, "and no new entry");
	sb_cpio_data(c, &before);
	is_int(sb_cpio_add_dir(c, "lib", 0700), -EEXIST, "lib with another mode: -EEXIST");
	sb_cpio_data(c, &len);
	is_int(len, before, "a failed add leaves the archive as it was");
	is_int(sb_cpio_add_file(c, "lib/modules/a.ko", 0644, "x", 1), -EEXIST,
	       "a file twice: -EEXIST");
	is_int(sb_cpio_add_dir(c, "lib/modules/a.ko/x", 0755), -ENOTDIR, "below a file: -ENOTDIR");
	ok(strstr(sb_cpio_error(c), "not a directory") != NULL, "reason: %s", sb_cpio_error(c));
	is_int(sb_cpio_add_symlink(c, "bin/sh", "busybox"), 0, "symlink bin/sh -> busybox");
	is_int(sb_cpio_add_chardev(c, "dev/console", 0600, 5, 1), 0, "chardev dev/console 5:1");
	is_int(sb_cpio_add_dir(c, "proc", S_IFDIR | 0555), 0, "a directory with S_IFDIR in mode");
	is_int(sb_cpio_add_file(c, "empty", 0644, NULL, 0), 0, "an empty file");
	is_int(sb_cpio_add_file(c, "a..b", 0644, "", 0), 0, "'a..b' is a fine name");
	is_int(sb_cpio_finish(c), 0, "finish");
	b = sb_cpio_data(c, &len);
	if (!parses(b, len, &a))
		return;
	ok(a.aligned, "every header starts at a multiple of 4");
	is_int(a.n, 12, "11 entries and the trailer");
	is_str(a.e[0].name, "lib", "parents first: lib");
	is_str(a.e[1].name, "lib/modules", "then lib/modules");
	is_str(a.e[2].name, "lib/modules/a.ko", "then the file");
	is_int(a.e[0].f[F_MODE], S_IFDIR | 0755, "parent directory mode 040755");
	is_int(a.e[0].f[F_NLINK], 2, "directories: nlink 2");
	is_int(a.e[2].f[F_NLINK], 1, "files: nlink 1");
	is_int(a.e[2].f[F_SIZE], 5, "filesize 5");
	ok(!memcmp(a.e[2].data, bin, sizeof(bin)), "binary data with NULs kept");
	for (size_t i = 0; i + 1 < a.n; i++)
		for (size_t j = i + 1; j + 1 < a.n; j++)
			distinct &= a.e[i].f[F_INO] != a.e[j].f[F_INO];
	ok(distinct, "distinct inode numbers");
	for (size_t i = 0; i < a.n; i++)
		distinct &= !a.e[i].f[F_UID] && !a.e[i].f[F_GID] && !a.e[i].f[F_MTIME] &&
			    !a.e[i].f[F_CHECK];
	ok(distinct, "uid, gid, mtime and check are 0 everywhere");
	e = find(&a, "bin/sh");
	ok(e && e->f[F_MODE] == (S_IFLNK | 0777) && e->f[F_SIZE] == 7 &&
		   !memcmp(e->data, "busybox", 7),
	   "symlink: mode 0120777, the target as data without a NUL");
	f = find(&a, "bin");
	ok(f && f < e && f->f[F_MODE] == (S_IFDIR | 0755), "bin added before bin/sh");
	e = find(&a, "dev/console");
	ok(e && e->f[F_MODE] == (S_IFCHR | 0600) && e->f[F_RMAJ] == 5 && e->f[F_RMIN] == 1 &&
		   !e->f[F_SIZE] && e->f[F_NLINK] == 1,
	   "chardev: mode 020600, rdev 5:1, no data");
	e = find(&a, "proc");
	ok(e && e->f[F_MODE] == (S_IFDIR | 0555), "proc 040555");
	e = find(&a, "empty");
	ok(e && !e->f[F_SIZE], "empty file: filesize 0");
	e = &a.e[a.n - 1];
	ok(!strcmp(e->name, "TRAILER!!!") && !e->f[F_INO] && !e->f[F_MODE] && e->f[F_NLINK] == 1 &&
		   !e->f[F_SIZE],
	   "last: the trailer");
	ok(a.zero_tail && len % 512 == 0, "NUL padding to 512 bytes (%zu)", len);
	sb_cpio_free(c);
}

static struct sb_cpio *build_sample(void)
{
	struct sb_cpio *c = sb_cpio_new();

	sb_cpio_add_file(c, "init", 0755, "#!/bin/sh\n", 10);
	sb_cpio_add_file(c, "lib/modules/x.ko", 0644, "\0\1\2", 3);
	sb_cpio_add_symlink(c, "bin/sh", "busybox");
	sb_cpio_add_chardev(c, "dev/null", 0666, 1, 3);
	sb_cpio_finish(c);
	return c;
}

static void test_determinism(void)
{
	struct sb_cpio *a = build_sample(), *b = build_sample();
	const void *da, *db;
	size_t la, lb;

	da = sb_cpio_data(a, &la);
	db = sb_cpio_data(b, &lb);
	ok(la == lb && la && !memcmp(da, db, la), "identical input: byte-identical archives (%zu)",
	   la);
	sb_cpio_free(a);
	sb_cpio_free(b);
}

static void test_rejects(void)
{
	struct sb_cpio *c = sb_cpio_new();
	static const char *const bad[] = { "", "/", "//", "a//b", "a/", "..", "../x", "a/../b",
					   "a/..", ".", "./a", "a/./b" };
	char *long_name = malloc(PATH_MAX + 1);
	size_t before, len;
	int err;

	sb_cpio_data(c, &before);
	for (size_t i = 0; i < SB_ARRAY_SIZE(bad); i++) {
		err = sb_cpio_add_file(c, bad[i], 0644, "x", 1);
		if (!is_int(err, -EINVAL, "'%s' rejected", bad[i]))
			tap_diag("%s", sb_cpio_error(c));
	}
	ok(*sb_cpio_error(c), "with a reason: %s", sb_cpio_error(c));
	sb_cpio_data(c, &len);
	ok(len == before && !sb_cpio_count(c), "and nothing added");
	is_int(sb_cpio_add_dir(c, NULL, 0755), -EINVAL, "NULL path rejected");

	memset(long_name, 'n', PATH_MAX);
	for (size_t i = 100; i < PATH_MAX; i += 100)
		long_name[i] = '/';
	long_name[PATH_MAX] = '\0';
	is_int(sb_cpio_add_file(c, long_name, 0644, "x", 1), -ENAMETOOLONG,
	       "a name of PATH_MAX bytes (namesize PATH_MAX + 1): -ENAMETOOLONG");
	ok(strstr(sb_cpio_error(c), "PATH_MAX") != NULL, "reason: %s", sb_cpio_error(c));
	long_name[PATH_MAX - 1] = '\0';
	is_int(sb_cpio_add_file(c, long_name, 0644, "x", 1), 0,
	       "a name of PATH_MAX - 1 bytes is accepted");
	free(long_name);
	sb_cpio_free(c);

	c = sb_cpio_new();
	is_int(sb_cpio_add_file(c, "f", S_IFDIR | 0755, "x", 1), -EINVAL,
	       "a file with S_IFDIR: -EINVAL");
	is_int(sb_cpio_add_file(c, "f", 0x10000000 | 0644, "x", 1), -EINVAL,
	       "mode bits beyond S_IFMT: -EINVAL");
	is_int(sb_cpio_add_file(c, "f", S_IFREG | 0644, "x", 1), 0, "S_IFREG | 0644 is fine");
	is_int(sb_cpio_add_symlink(c, "l", ""), -EINVAL, "empty symlink target: -EINVAL");
	is_int(sb_cpio_add_chardev(c, "d", 0600, 4096, 0), -EINVAL, "major 4096: -EINVAL");
	is_int(sb_cpio_add_chardev(c, "d", 0600, 1, 1U << 20), -EINVAL, "minor 2^20: -EINVAL");
	if (SIZE_MAX > SB_CPIO_MAX_FILE) {
		/* rejected before the data is read */
		is_int(sb_cpio_add_file(c, "big", 0644, "x", (size_t)SB_CPIO_MAX_FILE + 1), -E2BIG,
		       "4 GiB: -E2BIG");
		ok(strstr(sb_cpio_error(c), "4 GiB") != NULL, "reason: %s", sb_cpio_error(c));
	} else {
		tap_skip(2, "size_t has 32 bits");
	}
	is_int(sb_cpio_count(c), 1, "only the good entry was added");
	{
		char why[256] = "";

		is_int(sb_cpio_write_file(c, "/nonexistent/x", why, sizeof(why)), -EINVAL,
		       "write_file before finish: -EINVAL");
		ok(strstr(why, "not finished") != NULL, "reason: %s", why);
	}
	sb_cpio_free(c);
}

static void test_from_host(const char *dir)
{
	struct sb_cpio *c = sb_cpio_new();
	char src[PATH_MAX], why[512] = "";
	const struct ent *e;
	const unsigned char *b;
	struct archive a;
	size_t len;
	FILE *f;

	snprintf(src, sizeof(src), "%s/host.bin", dir);
	f = fopen(src, "we");
	if (!f)
		tap_bail("cannot create %s", src);
	fwrite("host\0data", 1, 9, f);
	fclose(f);
	chmod(src, 0640);
	is_int(sb_cpio_add_file_from(c, "h/host.bin", SB_CPIO_HOST_MODE, src, why, sizeof(why)),
	       0, "add a host file with its own mode");
	is_int(sb_cpio_add_file_from(c, "h/exec", 0755, src, why, sizeof(why)), 0,
	       "and with a given mode");
	is_int(sb_cpio_add_file_from(c, "h/none", 0644, "/nonexistent/file", why, sizeof(why)),
	       -ENOENT, "a missing host file: -ENOENT");
	ok(strstr(why, "/nonexistent/file") != NULL, "reason names it: %s", why);
	is_int(sb_cpio_add_file_from(c, "h/dir", 0644, dir, why, sizeof(why)), -EINVAL,
	       "a directory: -EINVAL");
	ok(strstr(why, "not a regular file") != NULL, "reason: %s", why);
	is_int(sb_cpio_add_file_from(c, "../h", 0644, src, why, sizeof(why)), -EINVAL,
	       "a bad archive name: -EINVAL before reading");
	ok(strstr(why, "..") != NULL, "reason: %s", why);
	sb_cpio_finish(c);
	b = sb_cpio_data(c, &len);
	if (!parses(b, len, &a))
		return;
	e = find(&a, "h/host.bin");
	ok(e && e->f[F_MODE] == (S_IFREG | 0640) && e->f[F_SIZE] == 9 &&
		   !memcmp(e->data, "host\0data", 9),
	   "host file: mode 0640 and its bytes");
	e = find(&a, "h/exec");
	ok(e && e->f[F_MODE] == (S_IFREG | 0755), "given mode 0755");
	sb_cpio_free(c);
}

/* ------------------------------------------------------------ GNU cpio */

static unsigned char all_bytes[777];

static void test_gnu_cpio(const char *dir)
{
	struct sb_cpio *c = sb_cpio_new();
	char arc[PATH_MAX], out[PATH_MAX], cmd[3 * PATH_MAX], why[256] = "", path[PATH_MAX];
	char line[512], link[64];
	static const char script[] = "#!/bin/sh\necho hello from init\n";
	bool root = geteuid() == 0, seen_console = false;
	unsigned char *got;
	size_t len, nlines = 0;
	ssize_t n;
	FILE *p;

	for (size_t i = 0; i < sizeof(all_bytes); i++)
		all_bytes[i] = (unsigned char)(i * 7 + 3);
	all_bytes[100] = 0;
	sb_cpio_add_file(c, "init", 0755, script, sizeof(script) - 1);
	sb_cpio_add_file(c, "lib/modules/6.1/x.ko", 0600, all_bytes, sizeof(all_bytes));
	sb_cpio_add_file(c, "empty", 0644, NULL, 0);
	sb_cpio_add_dir(c, "secret", 0700);
	sb_cpio_add_file(c, "secret/f", 0400, "abc", 3);
	sb_cpio_add_symlink(c, "bin/sh", "../lib/busybox");
	sb_cpio_add_chardev(c, "dev/console", 0600, 5, 1);
	is_int(sb_cpio_count(c), 12, "12 entries (parents included) for GNU cpio");
	is_int(sb_cpio_finish(c), 0, "finish");
	snprintf(arc, sizeof(arc), "%s/initramfs.cpio", dir);
	snprintf(out, sizeof(out), "%s/x", dir);
	if (!is_int(sb_cpio_write_file(c, arc, why, sizeof(why)), 0, "write_file"))
		tap_diag("%s", why);
	sb_cpio_data(c, &len);
	is_int(sizeof_file(arc), len, "the file holds the archive");

	if (run("command -v cpio >/dev/null 2>&1")) {
		tap_skip(13, "GNU cpio not found (apt-get install cpio)");
		sb_cpio_free(c);
		return;
	}
	/* list: -tv gives types, modes and device numbers */
	snprintf(cmd, sizeof(cmd), "cpio -t -v --numeric-uid-gid --quiet < '%s' 2>'%s/list.err'",
		 arc, dir);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		char perms[16];
		unsigned int nlink, uid, gid, maj, min;

		nlines++;
		if (strstr(line, " dev/console") && sscanf(line, "%15s %u %u %u %u, %u", perms,
							    &nlink, &uid, &gid, &maj, &min) == 6)
			seen_console = !strcmp(perms, "crw-------") && nlink == 1 && !uid && !gid &&
				       maj == 5 && min == 1;
	}
	is_int(p ? pclose(p) : -1, 0, "cpio -t exits 0");
	snprintf(path, sizeof(path), "%s/list.err", dir);
	is_int(sizeof_file(path), 0, "and complains about nothing");
	is_int(nlines, 12, "lists 12 entries");
	ok(seen_console, "dev/console: crw------- 1 0 0 5, 1");

	/* extract (device nodes need root) */
	mkdir(out, 0755);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cpio -i -d --quiet --no-absolute-filenames %s < '%s' 2>'%s/in.err'",
		 out, root ? "" : "--nonmatching 'dev/*'", arc, dir);
	is_int(run(cmd), 0, "cpio -i exits 0");
	snprintf(path, sizeof(path), "%s/in.err", dir);
	is_int(sizeof_file(path), 0, "and complains about nothing");

	snprintf(path, sizeof(path), "%s/init", out);
	got = slurp(path, &len);
	ok(got && len == sizeof(script) - 1 && !memcmp(got, script, len) &&
		   perm_of(path) == 0755,
	   "init: contents and mode 0755");
	free(got);
	snprintf(path, sizeof(path), "%s/lib/modules/6.1/x.ko", out);
	got = slurp(path, &len);
	ok(got && len == sizeof(all_bytes) && !memcmp(got, all_bytes, len) && perm_of(path) == 0600,
	   "x.ko: 777 binary bytes and mode 0600");
	free(got);
	snprintf(path, sizeof(path), "%s/empty", out);
	is_int(sizeof_file(path), 0, "empty file extracted empty");
	snprintf(path, sizeof(path), "%s/secret", out);
	is_int(perm_of(path), 0700, "directory mode 0700");
	snprintf(path, sizeof(path), "%s/secret/f", out);
	got = slurp(path, &len);
	ok(got && len == 3 && !memcmp(got, "abc", 3) && perm_of(path) == 0400,
	   "secret/f: contents and mode 0400");
	free(got);
	snprintf(path, sizeof(path), "%s/bin/sh", out);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	is_str(link, "../lib/busybox", "bin/sh is a symlink to ../lib/busybox");
	if (root) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/dev/console", out);
		ok(!lstat(path, &st) && S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 &&
			   minor(st.st_rdev) == 1 && (st.st_mode & 07777) == 0600,
		   "dev/console extracted as char device 5:1, mode 0600");
	} else {
		tap_skip(1, "creating device nodes needs root");
	}
	sb_cpio_free(c);
}

int main(void)
{
	char dir[] = "/tmp/sb-t_cpio-XXXXXX";

	if (!mkdtemp(dir))
		tap_bail("mkdtemp: cannot create a temporary directory");
	test_known_entry();
	test_parents_and_types();
	test_determinism();
	test_rejects();
	test_from_host(dir);
	test_gnu_cpio(dir);
	tap_rm_rf(dir);
	ok(access(dir, F_OK) != 0, "temporary directory removed");
	return tap_done();
}
