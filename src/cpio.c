// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cpio.h"
#include "sb.h"

#define HDR_LEN 110
#define TRAILER "TRAILER!!!"
#define BLOCK 512
#define DIR_MODE 0755

/* A path in the archive: its name is the NUL-terminated string at buf + off. */
struct ent {
	size_t off;
	size_t len; /* 0: a free slot */
	unsigned int mode;
};

struct sb_cpio {
	unsigned char *buf;
	size_t len, cap;
	struct ent *tab; /* open addressing, a power of two, at most half full */
	size_t tab_cap, count;
	unsigned int next_ino;
	bool finished;
	char err[256];
};

static int fail(struct sb_cpio *c, int err, const char *fmt, ...) SB_PRINTF(3, 4);
static int fail(struct sb_cpio *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return err;
}

struct sb_cpio *sb_cpio_new(void)
{
	struct sb_cpio *c = calloc(1, sizeof(*c));

	if (c)
		c->next_ino = 1;
	return c;
}

void sb_cpio_free(struct sb_cpio *c)
{
	if (!c)
		return;
	free(c->buf);
	free(c->tab);
	free(c);
}

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static size_t entry_size(size_t name_len, size_t data_len)
{
	size_t h = HDR_LEN + name_len + 1;

	return h + pad4(h) + data_len + pad4(data_len);
}

/* ------------------------------------------------------------ the path set */

static size_t hash(const char *p, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static struct ent *slot(struct ent *tab, size_t cap, const unsigned char *buf, const char *p,
			size_t len)
{
	size_t i = hash(p, len) & (cap - 1);

	while (tab[i].len && (tab[i].len != len || memcmp(buf + tab[i].off, p, len)))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static const struct ent *lookup(const struct sb_cpio *c, const char *p, size_t len)
{
	const struct ent *e;

	if (!c->tab_cap)
		return NULL;
	e = slot(c->tab, c->tab_cap, c->buf, p, len);
	return e->len ? e : NULL;
}

/* Room for @n more paths. */
static int tab_reserve(struct sb_cpio *c, size_t n)
{
	size_t cap = c->tab_cap ? c->tab_cap : 64;
	struct ent *tab;

	while ((c->count + n) * 2 > cap) {
		if (cap > SIZE_MAX / 2 / sizeof(*tab))
			return -ENOMEM;
		cap *= 2;
	}
	if (cap == c->tab_cap)
		return 0;
	tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < c->tab_cap; i++)
		if (c->tab[i].len)
			*slot(tab, cap, c->buf, (const char *)c->buf + c->tab[i].off,
			      c->tab[i].len) = c->tab[i];
	free(c->tab);
	c->tab = tab;
	c->tab_cap = cap;
	return 0;
}

/* ------------------------------------------------------------ the buffer */

static int buf_reserve(struct sb_cpio *c, size_t n)
{
	size_t cap = c->cap ? c->cap : 4096;
	unsigned char *b;

	if (n > SIZE_MAX / 2 - c->len)
		return -ENOMEM;
	while (cap < c->len + n)
		cap *= 2;
	if (cap == c->cap)
		return 0;
	b = realloc(c->buf, cap);
	if (!b)
		return -ENOMEM;
	c->buf = b;
	c->cap = cap;
	return 0;
}

static void put_zeros(struct sb_cpio *c, size_t n)
{
	memset(c->buf + c->len, 0, n);
	c->len += n;
}

/* One entry into reserved space; returns the offset of its name. */
static size_t put_entry(struct sb_cpio *c, const char *name, size_t name_len, unsigned int mode,
			const void *data, size_t data_len, unsigned int rmaj, unsigned int rmin)
{
	char hdr[HDR_LEN + 1];
	unsigned int nlink = S_ISDIR(mode) ? 2 : 1;
	unsigned int ino = mode ? c->next_ino++ : 0; /* the trailer: 0 */
	size_t off;

	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, dev maj/min, rdev maj/min,
	 * namesize, check */
	snprintf(hdr, sizeof(hdr),
		 "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", ino, mode, 0U, 0U,
		 nlink, 0U, (unsigned int)data_len, 0U, 0U, rmaj, rmin,
		 (unsigned int)(name_len + 1), 0U);
	memcpy(c->buf + c->len, hdr, HDR_LEN);
	c->len += HDR_LEN;
	off = c->len;
	memcpy(c->buf + c->len, name, name_len);
	c->len += name_len;
	put_zeros(c, 1 + pad4(HDR_LEN + name_len + 1));
	if (data_len)
		memcpy(c->buf + c->len, data, data_len);
	c->len += data_len;
	put_zeros(c, pad4(data_len));
	return off;
}

static void remember(struct sb_cpio *c, size_t off, size_t len, unsigned int mode)
{
	*slot(c->tab, c->tab_cap, c->buf, (const char *)c->buf + off, len) =
		(struct ent){ off, len, mode };
	c->count++;
}

/* ------------------------------------------------------------ entries */

/* Checks @path; *@p, *@len: the path without its leading '/'s. */
static int check_path(struct sb_cpio *c, const char *path, const char **p, size_t *len)
{
	const char *s;

	if (!path)
		return fail(c, -EINVAL, "no path");
	while (*path == '/')
		path++;
	*p = path;
	*len = strlen(path);
	if (!*len)
		return fail(c, -EINVAL, "empty path");
	if (*len + 1 > PATH_MAX)
		return fail(c, -ENAMETOOLONG, "path '%.40s...' is %zu bytes, over PATH_MAX", path,
			    *len);
	for (s = path;; s++) {
		const char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);

		if (!n)
			return fail(c, -EINVAL, "path '%.200s' has an empty component", path);
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return fail(c, -EINVAL, "path '%.200s' has a '%.*s' component", path,
				    (int)n, s);
		if (!*e)
			break;
		s = e;
	}
	return 0;
}

static int check_mode(struct sb_cpio *c, const char *p, unsigned int mode, unsigned int type)
{
	if ((mode & ~(unsigned int)(S_IFMT | 07777)) ||
	    ((mode & S_IFMT) && (mode & S_IFMT) != type))
		return fail(c, -EINVAL, "'%.200s': bad mode 0%o for a %s", p, mode,
			    S_ISDIR(type)   ? "directory"
			    : S_ISREG(type) ? "regular file"
			    : S_ISLNK(type) ? "symlink"
					    : "device node");
	return 0;
}

/*
 * Adds @path with its missing parents, or nothing: everything that can fail
 * is checked and reserved before the first byte is written.
 */
static int add(struct sb_cpio *c, const char *path, unsigned int type, unsigned int mode,
	       const void *data, size_t data_len, unsigned int rmaj, unsigned int rmin)
{
	size_t len, need, missing = 0;
	const struct ent *e;
	const char *p;
	int err;

	if (!c)
		return -EINVAL;
	c->err[0] = '\0';
	if (c->finished)
		return fail(c, -EINVAL, "the archive is finished");
	err = check_path(c, path, &p, &len);
	if (err)
		return err;
	err = check_mode(c, p, mode, type);
	if (err)
		return err;
	mode = type | (mode & 07777);
	if ((uint64_t)data_len > SB_CPIO_MAX_FILE)
		return fail(c, -E2BIG, "'%.200s': %zu bytes, over the 4 GiB - 1 of a cpio entry",
			    p, data_len);

	need = entry_size(len, data_len);
	for (size_t i = 0; i < len; i++) {
		if (p[i] != '/')
			continue;
		e = lookup(c, p, i);
		if (!e) {
			missing++;
			need += entry_size(i, 0);
		} else if (!S_ISDIR(e->mode)) {
			return fail(c, -ENOTDIR, "'%.200s': '%.*s' is not a directory", p, (int)i,
				    p);
		}
	}
	e = lookup(c, p, len);
	if (e) {
		if (S_ISDIR(e->mode) && e->mode == mode)
			return 0;
		return fail(c, -EEXIST, "'%.200s' is already in the archive", p);
	}
	if (buf_reserve(c, need) || tab_reserve(c, missing + 1))
		return fail(c, -ENOMEM, "out of memory");

	for (size_t i = 0; i < len; i++)
		if (p[i] == '/' && !lookup(c, p, i))
			remember(c, put_entry(c, p, i, S_IFDIR | DIR_MODE, NULL, 0, 0, 0), i,
				 S_IFDIR | DIR_MODE);
	remember(c, put_entry(c, p, len, mode, data, data_len, rmaj, rmin), len, mode);
	return 0;
}

int sb_cpio_add_dir(struct sb_cpio *c, const char *path, unsigned int mode)
{
	return add(c, path, S_IFDIR, mode, NULL, 0, 0, 0);
}

int sb_cpio_add_file(struct sb_cpio *c, const char *path, unsigned int mode, const void *data,
		     size_t len)
{
	if (len && !data)
		return c ? fail(c, -EINVAL, "no data") : -EINVAL;
	return add(c, path, S_IFREG, mode, data, len, 0, 0);
}

int sb_cpio_add_symlink(struct sb_cpio *c, const char *path, const char *target)
{
	size_t len;

	if (!c)
		return -EINVAL;
	if (!target || !*target)
		return fail(c, -EINVAL, "'%.200s': empty symlink target", path ? path : "");
	len = strlen(target);
	if (len > PATH_MAX)
		return fail(c, -ENAMETOOLONG, "'%.200s': symlink target over PATH_MAX",
			    path ? path : "");
	return add(c, path, S_IFLNK, 0777, target, len, 0, 0);
}

int sb_cpio_add_chardev(struct sb_cpio *c, const char *path, unsigned int mode,
			unsigned int major, unsigned int minor)
{
	if (!c)
		return -EINVAL;
	if (major >= (1U << 12) || minor >= (1U << 20))
		return fail(c, -EINVAL, "'%.200s': device %u:%u out of range", path ? path : "",
			    major, minor);
	return add(c, path, S_IFCHR, mode, NULL, 0, major, minor);
}

static int read_all(int fd, unsigned char *buf, size_t len, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t r = read(fd, buf + *got, len - *got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!r)
			break;
		*got += (size_t)r;
	}
	return 0;
}

int sb_cpio_add_file_from(struct sb_cpio *c, const char *path, unsigned int mode,
			  const char *host_path, char *why, size_t why_len)
{
	unsigned char *data = NULL;
	struct stat st;
	const char *p;
	size_t len, got;
	int fd, err;

	if (!c)
		return -EINVAL;
	c->err[0] = '\0';
	/* a bad name fails before the file is read */
	err = check_path(c, path, &p, &len);
	if (err)
		goto out;
	if (!host_path) {
		err = fail(c, -EINVAL, "'%.200s': no host file", p);
		goto out;
	}
	fd = open(host_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = fail(c, -errno, "%.200s: %s", host_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = fail(c, -EINVAL, "%.200s: not a regular file", host_path);
	} else if ((uint64_t)st.st_size > SB_CPIO_MAX_FILE) {
		err = fail(c, -E2BIG, "%.200s: %lld bytes, over the 4 GiB - 1 of a cpio entry",
			   host_path, (long long)st.st_size);
	} else if (!(data = malloc(st.st_size ? (size_t)st.st_size : 1))) {
		err = fail(c, -ENOMEM, "out of memory");
	} else {
		err = read_all(fd, data, (size_t)st.st_size, &got);
		if (err)
			fail(c, err, "%.200s: %s", host_path, strerror(-err));
		else if (got != (size_t)st.st_size)
			err = fail(c, -EIO, "%.200s: read %zu of %lld bytes (file changed?)",
				   host_path, got, (long long)st.st_size);
	}
	close(fd);
	if (!err)
		err = sb_cpio_add_file(c, path,
				       mode == SB_CPIO_HOST_MODE ? (st.st_mode & 07777) : mode,
				       data, (size_t)st.st_size);
	free(data);
out:
	if (err && why && why_len)
		snprintf(why, why_len, "%s", c->err);
	return err;
}

int sb_cpio_finish(struct sb_cpio *c)
{
	size_t need;

	if (!c)
		return -EINVAL;
	c->err[0] = '\0';
	if (c->finished)
		return 0;
	need = entry_size(strlen(TRAILER), 0);
	if (buf_reserve(c, need + BLOCK))
		return fail(c, -ENOMEM, "out of memory");
	/* the trailer: ino 0, mode 0, nlink 1 */
	put_entry(c, TRAILER, strlen(TRAILER), 0, NULL, 0, 0, 0);
	put_zeros(c, (BLOCK - c->len % BLOCK) % BLOCK);
	c->finished = true;
	return 0;
}

const void *sb_cpio_data(const struct sb_cpio *c, size_t *len)
{
	*len = c->len;
	return c->buf ? (const void *)c->buf : (const void *)"";
}

size_t sb_cpio_count(const struct sb_cpio *c)
{
	return c->count;
}

const char *sb_cpio_error(const struct sb_cpio *c)
{
	return c->err;
}

int sb_cpio_write_file(const struct sb_cpio *c, const char *path, char *why, size_t why_len)
{
	const unsigned char *b = c->buf;
	size_t left = c->len;
	int fd, err = 0;

	if (!c->finished) {
		if (why && why_len)
			snprintf(why, why_len, "the archive is not finished");
		return -EINVAL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		if (why && why_len)
			snprintf(why, why_len, "%s: %s", path, strerror(-err));
		return err;
	}
	while (left && !err) {
		ssize_t r = write(fd, b, left);

		if (r < 0 && errno != EINTR)
			err = -errno;
		else if (!r)
			err = -EIO;
		if (r > 0) {
			b += r;
			left -= (size_t)r;
		}
	}
	if (close(fd) < 0 && !err)
		err = -errno;
	if (err) {
		if (why && why_len)
			snprintf(why, why_len, "%s: %s", path, strerror(-err));
		unlink(path);
	}
	return err;
}
