// SPDX-License-Identifier: MIT
/*
 * bzImage headers, Debian packages and kernel module dependencies.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "kimage.h"
#include "log.h"
#include "sb.h"

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* What a file whose first @n bytes are @b looks like ("an ELF file"), or NULL. */
static const char *what_is(const uint8_t *b, size_t n)
{
	static const struct {
		size_t off, len;
		const char *magic, *what;
	} m[] = {
		{ 0, 4, "\x7f" "ELF", "an ELF file" },
		{ 0, 2, "\x1f\x8b", "gzip-compressed data" },
		{ 0, 6, "\xfd" "7zXZ", "xz-compressed data" },
		{ 0, 4, "\x28\xb5\x2f\xfd", "zstd-compressed data" },
		{ 0, 3, "BZh", "bzip2-compressed data" },
		{ 0, 8, "!<arch>\n", "an ar archive (a .deb?)" },
		{ 0, 6, "070701", "a cpio archive (an initramfs?)" },
		{ 0, 6, "070702", "a cpio archive (an initramfs?)" },
		{ 257, 5, "ustar", "a tar archive" },
		{ 0x38, 4, "ARM\x64", "an arm64 kernel Image" },
		{ 0, 2, "MZ", "a PE/EFI executable without an x86 boot header" },
	};
	size_t i;

	if (!n)
		return "empty";
	for (i = 0; i < SB_ARRAY_SIZE(m); i++)
		if (n >= m[i].off + m[i].len && !memcmp(b + m[i].off, m[i].magic, m[i].len))
			return m[i].what;
	for (i = 0; i < n && i < 512; i++)
		if ((b[i] < 0x20 || b[i] > 0x7e) && b[i] != '\n' && b[i] != '\t' && b[i] != '\r')
			return NULL;
	return "a text file";
}

static int read_at(int fd, void *buf, size_t len, uint64_t off, size_t *got)
{
	uint8_t *p = buf;

	*got = 0;
	while (*got < len) {
		ssize_t r = pread(fd, p + *got, len - *got, (off_t)(off + *got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		*got += (size_t)r;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* ---------------------------------------------------------------- bzImage */

#define BZ_MAX_SETUP ((255 + 1) * 512)
#define BZ_NEED "need a bzImage such as arch/x86/boot/bzImage"

static int bz_parse(const uint8_t *b, size_t have, uint64_t total, struct sb_bzimage *o,
		    char *why, size_t why_len)
{
	unsigned int ver, kv;
	const char *w;

	memset(o, 0, sizeof(*o));
	o->size = total;
	if (have < 0x208 || le16(b + 0x1fe) != 0xaa55 || memcmp(b + 0x202, "HdrS", 4)) {
		w = what_is(b, have);
		if (w && !strcmp(w, "an ELF file"))
			return sb_why_err(why, why_len, -ENOEXEC, "is an ELF file (vmlinux?), " BZ_NEED);
		if (w)
			return sb_why_err(why, why_len, -ENOEXEC, "is %s, " BZ_NEED, w);
		if (have < 0x208)
			return sb_why_err(why, why_len, -ENOEXEC,
				    "is too short (%zu bytes) for an x86 boot header, " BZ_NEED,
				    have);
		if (le16(b + 0x1fe) == 0xaa55)
			return sb_why_err(why, why_len, -ENOEXEC,
				    "has a boot sector (0xAA55 at 0x1FE) but no \"HdrS\" at 0x202: "
				    "a disk image or a pre-2.00 zImage, " BZ_NEED);
		return sb_why_err(why, why_len, -ENOEXEC,
			    "has no x86 boot header (no 0xAA55 at 0x1FE, no \"HdrS\" at 0x202), "
			    BZ_NEED);
	}
	ver = le16(b + 0x206);
	o->proto_major = ver >> 8;
	o->proto_minor = ver & 0xff;
	if (ver < SB_BZ_MIN_PROTO)
		return sb_why_err(why, why_len, -ENOEXEC,
			    "boot protocol %u.%02u is too old (need 2.06 or later, Linux 2.6.22+)",
			    o->proto_major, o->proto_minor);
	o->setup_sects = b[0x1f1] ? b[0x1f1] : 4;
	o->setup_bytes = (o->setup_sects + 1ULL) * 512;
	o->payload_bytes = (uint64_t)le32(b + 0x1f4) * 16;
	if (total < o->setup_bytes || have < o->setup_bytes)
		return sb_why_err(why, why_len, -EINVAL,
			    "is truncated: %llu bytes, shorter than its %llu-byte setup area",
			    (unsigned long long)total, (unsigned long long)o->setup_bytes);
	o->loadflags = b[0x211];
	if (!(o->loadflags & SB_BZ_LOADED_HIGH))
		return sb_why_err(why, why_len, -ENOEXEC,
			    "is a zImage (LOADED_HIGH clear in loadflags), " BZ_NEED);
	if (total < o->setup_bytes + o->payload_bytes)
		return sb_why_err(why, why_len, -EINVAL, "is truncated: %llu bytes, its header says %llu",
			    (unsigned long long)total,
			    (unsigned long long)(o->setup_bytes + o->payload_bytes));
	o->cmdline_size = le32(b + 0x238);
	if (ver >= 0x020a)
		o->init_size = le32(b + 0x260);
	if (ver >= 0x020c)
		o->xloadflags = le16(b + 0x236);
	o->loads_64bit = o->xloadflags & SB_BZ_XLF_KERNEL_64;

	kv = le16(b + 0x20e);
	if (kv) {
		uint64_t off = kv + 0x200ULL;
		const uint8_t *end;
		size_t n, i;

		if (off >= o->setup_bytes)
			return sb_why_err(why, why_len, -EINVAL,
				    "kernel_version pointer 0x%x is outside the %llu-byte setup "
				    "area",
				    kv, (unsigned long long)o->setup_bytes);
		end = memchr(b + off, 0, o->setup_bytes - off);
		if (!end)
			return sb_why_err(why, why_len, -EINVAL,
				    "kernel_version string at 0x%llx is not NUL-terminated",
				    (unsigned long long)off);
		n = (size_t)(end - (b + off));
		if (n >= sizeof(o->version))
			n = sizeof(o->version) - 1;
		for (i = 0; i < n; i++) {
			uint8_t c = b[off + i];

			o->version[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
		o->version[n] = '\0';
		for (i = 0; i < n && o->version[i] != ' ' && i < sizeof(o->release) - 1; i++)
			o->release[i] = o->version[i];
		o->release[i] = '\0';
	}
	return 0;
}

int sb_bzimage_inspect_buf(const void *buf, size_t len, struct sb_bzimage *out, char *why,
			   size_t why_len)
{
	return bz_parse(buf, len, len, out, why, why_len);
}

int sb_bzimage_inspect(const char *path, struct sb_bzimage *out, char *why, size_t why_len)
{
	char msg[384];
	uint8_t *buf;
	struct stat st;
	size_t got;
	int fd, err;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sb_why_err(why, why_len, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return sb_why_err(why, why_len, err, "%s: %s", path, strerror(-err));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return sb_why_err(why, why_len, S_ISDIR(st.st_mode) ? -EISDIR : -ENOEXEC,
			    "%s: is %s, " BZ_NEED, path,
			    S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
	}
	buf = malloc(BZ_MAX_SETUP);
	if (!buf) {
		close(fd);
		return sb_why_err(why, why_len, -ENOMEM, "%s: out of memory", path);
	}
	err = read_at(fd, buf, (size_t)sb_min_u64(BZ_MAX_SETUP, (uint64_t)st.st_size), 0, &got);
	close(fd);
	if (err) {
		free(buf);
		return sb_why_err(why, why_len, err, "%s: read: %s", path, strerror(-err));
	}
	err = bz_parse(buf, got, (uint64_t)st.st_size, out, msg, sizeof(msg));
	free(buf);
	if (err)
		return sb_why_err(why, why_len, err, "%s: %s", path, msg);
	return 0;
}

/* ---------------------------------------------------------------- decompression */

enum zkind { ZK_RAW, ZK_XZ, ZK_GZ };

#define ZIN_IBUF (128 * 1024)
#define ZIN_OBUF (256 * 1024)

/* A reader of the decompressed bytes [start, end) of a file, in bounded memory. */
struct zin {
	int fd;
	uint64_t start, off, end;
	enum zkind kind;
	const char *file;	/* for messages */
	const char *member;	/* "data.tar.xz", or NULL for a whole file */
	lzma_stream xz;
	z_stream gz;
	bool live, eof;
	uint8_t *ibuf, *obuf;
	size_t opos, olen;
	char *why;
	size_t why_len;
};

static int zfail(struct zin *z, int err, const char *fmt, ...) SB_PRINTF(3, 4);
static int zfail(struct zin *z, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (z->member)
		return sb_why_err(z->why, z->why_len, err, "%s: %s: %s", z->file, z->member, msg);
	return sb_why_err(z->why, z->why_len, err, "%s: %s", z->file, msg);
}

static void zin_close(struct zin *z)
{
	if (z->live && z->kind == ZK_XZ)
		lzma_end(&z->xz);
	if (z->live && z->kind == ZK_GZ)
		inflateEnd(&z->gz);
	z->live = false;
	free(z->ibuf);
	free(z->obuf);
	z->ibuf = z->obuf = NULL;
}

/*
 * Single-threaded on purpose: liblzma's threaded decoder halves the time of
 * a kernel package's data.tar.xz (8 MiB dictionary, 24 MiB blocks) but holds
 * whole decompressed blocks, 80-130 MiB with two threads, against ~10 MiB.
 */
static int zin_open(struct zin *z, int fd, uint64_t start, uint64_t end, enum zkind kind,
		    const char *file, const char *member, char *why, size_t why_len)
{
	memset(z, 0, sizeof(*z));
	z->fd = fd;
	z->start = z->off = start;
	z->end = end;
	z->kind = kind;
	z->file = file;
	z->member = member;
	z->why = why;
	z->why_len = why_len;
	z->obuf = malloc(ZIN_OBUF);
	if (kind != ZK_RAW)
		z->ibuf = malloc(ZIN_IBUF);
	if (!z->obuf || (kind != ZK_RAW && !z->ibuf)) {
		zin_close(z);
		return zfail(z, -ENOMEM, "out of memory");
	}
	if (kind == ZK_XZ) {
		z->xz = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_stream_decoder(&z->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
			zin_close(z);
			return zfail(z, -ENOMEM, "cannot start the xz decoder");
		}
	} else if (kind == ZK_GZ) {
		if (inflateInit2(&z->gz, 15 + 16) != Z_OK) {
			zin_close(z);
			return zfail(z, -ENOMEM, "cannot start the gzip decoder");
		}
	}
	z->live = true;
	return 0;
}

static int zin_input(struct zin *z, uint8_t *buf, size_t cap, size_t *got)
{
	size_t want = (size_t)sb_min_u64(cap, z->end - z->off);
	int err = read_at(z->fd, buf, want, z->off, got);

	if (err)
		return zfail(z, err, "read at byte %llu: %s", (unsigned long long)z->off,
			     strerror(-err));
	if (*got < want)
		return zfail(z, -EIO, "unexpected end of file at byte %llu (file shrank?)",
			     (unsigned long long)(z->off + *got));
	z->off += *got;
	return 0;
}

/* Position in the compressed member of the next input byte. */
static unsigned long long zin_pos(const struct zin *z, size_t avail_in)
{
	return (unsigned long long)(z->off - z->start - avail_in);
}

static int xz_refill(struct zin *z)
{
	lzma_stream *s = &z->xz;

	s->next_out = z->obuf;
	s->avail_out = ZIN_OBUF;
	while (s->avail_out) {
		lzma_ret r;

		if (!s->avail_in && z->off < z->end) {
			size_t got;
			int err = zin_input(z, z->ibuf, ZIN_IBUF, &got);

			if (err)
				return err;
			s->next_in = z->ibuf;
			s->avail_in = got;
		}
		r = lzma_code(s, z->off == z->end ? LZMA_FINISH : LZMA_RUN);
		if (r == LZMA_STREAM_END) {
			z->eof = true;
			break;
		}
		switch (r) {
		case LZMA_OK:
			break;
		case LZMA_MEM_ERROR:
		case LZMA_MEMLIMIT_ERROR:
			return zfail(z, -ENOMEM, "out of memory decoding xz");
		case LZMA_FORMAT_ERROR:
			return zfail(z, -EBADMSG, "not xz data (bad magic)");
		case LZMA_OPTIONS_ERROR:
			return zfail(z, -EBADMSG, "unsupported xz options at byte %llu",
				     zin_pos(z, s->avail_in));
		case LZMA_BUF_ERROR:
			return zfail(z, -EBADMSG, "xz data truncated at byte %llu",
				     zin_pos(z, s->avail_in));
		default:
			return zfail(z, -EBADMSG, "xz data corrupt at byte %llu",
				     zin_pos(z, s->avail_in));
		}
	}
	z->olen = ZIN_OBUF - s->avail_out;
	return 0;
}

static int gz_refill(struct zin *z)
{
	z_stream *s = &z->gz;

	s->next_out = z->obuf;
	s->avail_out = ZIN_OBUF;
	while (s->avail_out) {
		int r;

		if (!s->avail_in) {
			size_t got;
			int err;

			if (z->off == z->end)
				return zfail(z, -EBADMSG, "gzip data truncated at byte %llu",
					     zin_pos(z, 0));
			err = zin_input(z, z->ibuf, ZIN_IBUF, &got);
			if (err)
				return err;
			s->next_in = z->ibuf;
			s->avail_in = (uInt)got;
		}
		r = inflate(s, Z_NO_FLUSH);
		if (r == Z_STREAM_END) {
			if (!s->avail_in && z->off == z->end) {
				z->eof = true;
				break;
			}
			inflateReset(s); /* another gzip member follows */
			continue;
		}
		if (r == Z_MEM_ERROR)
			return zfail(z, -ENOMEM, "out of memory decoding gzip");
		if (r != Z_OK)
			return zfail(z, -EBADMSG, "gzip data corrupt at byte %llu%s%s",
				     zin_pos(z, s->avail_in), s->msg ? ": " : "",
				     s->msg ? s->msg : "");
	}
	z->olen = ZIN_OBUF - s->avail_out;
	return 0;
}

static int zin_refill(struct zin *z)
{
	size_t got;
	int err;

	z->opos = z->olen = 0;
	if (z->eof)
		return 0;
	switch (z->kind) {
	case ZK_XZ:
		return xz_refill(z);
	case ZK_GZ:
		return gz_refill(z);
	default:
		if (z->off == z->end) {
			z->eof = true;
			return 0;
		}
		err = zin_input(z, z->obuf, ZIN_OBUF, &got);
		z->olen = err ? 0 : got;
		return err;
	}
}

/* Up to @n bytes into @buf (NULL: discard them); *@got < @n only at the end. */
static int zin_read(struct zin *z, void *buf, size_t n, size_t *got)
{
	uint8_t *p = buf;

	*got = 0;
	while (*got < n) {
		size_t k;

		if (z->opos == z->olen) {
			int err = zin_refill(z);

			if (err)
				return err;
			if (!z->olen)
				break;
		}
		k = sb_min_u64(n - *got, z->olen - z->opos);
		if (p)
			memcpy(p + *got, z->obuf + z->opos, k);
		z->opos += k;
		*got += k;
	}
	return 0;
}

/* ---------------------------------------------------------------- ar / .deb */

struct ar_member {
	char name[17];
	uint64_t off, size;
};

struct deb {
	const char *path;
	int fd;
	uint64_t fsize;
	struct ar_member ctl, data;
	bool have_ctl, have_data;
};

/* The member at *@pos: 1, 0 at the end of the archive, or -errno. */
static int ar_next(struct deb *d, uint64_t *pos, struct ar_member *m, char *why, size_t why_len)
{
	uint8_t h[60];
	size_t got, i;
	uint64_t size = 0;
	int err;

	if (*pos >= d->fsize)
		return 0;
	err = read_at(d->fd, h, sizeof(h), *pos, &got);
	if (err)
		return sb_why_err(why, why_len, err, "%s: read: %s", d->path, strerror(-err));
	if (got < sizeof(h))
		return sb_why_err(why, why_len, -EINVAL, "%s: truncated ar member header at byte %llu",
			    d->path, (unsigned long long)*pos);
	if (h[58] != '`' || h[59] != '\n')
		return sb_why_err(why, why_len, -EINVAL, "%s: bad ar member header at byte %llu",
			    d->path, (unsigned long long)*pos);
	memcpy(m->name, h, 16);
	m->name[16] = '\0';
	for (i = 16; i > 0 && (m->name[i - 1] == ' ' || m->name[i - 1] == '/'); i--)
		m->name[i - 1] = '\0';
	for (i = 48; i < 58 && h[i] != ' '; i++) {
		if (h[i] < '0' || h[i] > '9')
			return sb_why_err(why, why_len, -EINVAL,
				    "%s: bad size in the ar header of member \"%s\"", d->path,
				    m->name);
		size = size * 10 + (h[i] - '0');
	}
	m->off = *pos + sizeof(h);
	m->size = size;
	if (m->off + size > d->fsize)
		return sb_why_err(why, why_len, -EINVAL,
			    "%s: truncated: member %s needs %llu bytes, the file has %llu left",
			    d->path, m->name, (unsigned long long)size,
			    (unsigned long long)(d->fsize - m->off));
	*pos = m->off + size + (size & 1);
	return 1;
}

static void deb_close(struct deb *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static int deb_open(const char *path, struct deb *d, char *why, size_t why_len)
{
	uint8_t head[512];
	struct ar_member m;
	struct stat st;
	uint64_t pos = 8;
	size_t got;
	int err, i;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0)
		return sb_why_err(why, why_len, -errno, "%s: %s", path, strerror(errno));
	if (fstat(d->fd, &st)) {
		err = -errno;
		deb_close(d);
		return sb_why_err(why, why_len, err, "%s: %s", path, strerror(-err));
	}
	if (!S_ISREG(st.st_mode)) {
		deb_close(d);
		return sb_why_err(why, why_len, -EINVAL, "%s: not a Debian package (not a regular file)",
			    path);
	}
	d->fsize = (uint64_t)st.st_size;
	err = read_at(d->fd, head, sizeof(head), 0, &got);
	if (!err && (got < 8 || memcmp(head, "!<arch>\n", 8))) {
		const char *w = what_is(head, got);

		deb_close(d);
		return sb_why_err(why, why_len, -EINVAL,
			    "%s: not a Debian package (no !<arch> magic%s%s)", path,
			    w ? ": is " : "", w ? w : "");
	}
	if (err) {
		deb_close(d);
		return sb_why_err(why, why_len, err, "%s: read: %s", path, strerror(-err));
	}
	for (i = 0; (err = ar_next(d, &pos, &m, why, why_len)) > 0; i++) {
		if (i == 0) {
			char v[17];

			if (strcmp(m.name, "debian-binary")) {
				err = sb_why_err(why, why_len, -EINVAL,
					   "%s: not a Debian package (first member is \"%s\", "
					   "not debian-binary)", path, m.name);
				break;
			}
			memset(v, 0, sizeof(v));
			err = read_at(d->fd, v, sb_min_u64(m.size, sizeof(v) - 1), m.off, &got);
			if (err) {
				sb_why_err(why, why_len, err, "%s: read: %s", path, strerror(-err));
				break;
			}
			if (strncmp(v, "2.", 2)) {
				v[strcspn(v, "\n")] = '\0';
				err = sb_why_err(why, why_len, -EINVAL,
					   "%s: package format \"%s\" (debian-binary), only 2.x "
					   "is supported", path, v);
				break;
			}
		} else if (!strncmp(m.name, "control.tar", 11) && !d->have_ctl) {
			d->ctl = m;
			d->have_ctl = true;
		} else if (!strncmp(m.name, "data.tar", 8) && !d->have_data) {
			d->data = m;
			d->have_data = true;
		}
	}
	if (err < 0) {
		deb_close(d);
		return err;
	}
	if (i == 0) {
		deb_close(d);
		return sb_why_err(why, why_len, -EINVAL, "%s: not a Debian package (empty ar archive)",
			    path);
	}
	return 0;
}

static int member_kind(const struct deb *d, const struct ar_member *m, size_t base_len,
		       enum zkind *k, char *why, size_t why_len)
{
	const char *sfx = m->name + base_len;
	const char *what = NULL;

	if (!*sfx)
		*k = ZK_RAW;
	else if (!strcmp(sfx, ".gz"))
		*k = ZK_GZ;
	else if (!strcmp(sfx, ".xz"))
		*k = ZK_XZ;
	else if (!strcmp(sfx, ".zst"))
		what = "zstd";
	else if (!strcmp(sfx, ".bz2"))
		what = "bzip2";
	else if (!strcmp(sfx, ".lzma"))
		what = "lzma";
	else
		return sb_why_err(why, why_len, -EOPNOTSUPP, "%s: %s: unknown compression", d->path,
			    m->name);
	if (what)
		return sb_why_err(why, why_len, -EOPNOTSUPP,
			    "%s: %s: %s-compressed packages are not supported (only xz, gzip or "
			    "none)", d->path, m->name, what);
	return 0;
}

/* ---------------------------------------------------------------- tar */

#define TAR_MAX_META (1024 * 1024) /* a GNU long name or a pax header */

struct tar_entry {
	const char *path;	/* normalized, "" for the top directory */
	const char *raw;	/* as stored */
	const char *link;	/* target of a symlink or hard link, as stored */
	char type;		/* '0' file, '1' hard link, '2' symlink, '5' dir, others */
	unsigned int mode;
	int64_t mtime;
	uint64_t size;		/* data bytes */
	uint64_t index;		/* from 1 */
};

struct tar {
	struct zin *z;
	uint64_t left;		/* data bytes of the current entry not yet read */
	uint64_t index;
};

/* 1 to stop the walk, 0 to go on, or -errno */
typedef int (*tar_fn)(struct tar *t, const struct tar_entry *e, void *arg);

/* Up to @n data bytes of the current entry; short only at its end. */
static int tar_data(struct tar *t, void *buf, size_t n, size_t *got)
{
	int err;

	n = (size_t)sb_min_u64(n, t->left);
	err = zin_read(t->z, buf, n, got);
	if (err)
		return err;
	t->left -= *got;
	if (*got < n)
		return zfail(t->z, -EINVAL, "tar stream truncated in entry %llu",
			     (unsigned long long)t->index);
	return 0;
}

/* A numeric header field: octal, or GNU base-256. */
static bool tar_num(const uint8_t *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return false; /* negative, or more than 64 bits */
		for (i = 1; i < n; i++) {
			if (v >> 56)
				return false;
			v = v << 8 | f[i];
		}
		*out = v;
		return true;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 61)
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	*out = v;
	return true;
}

static bool tar_sum_ok(const uint8_t *h)
{
	uint64_t want;
	unsigned long u = 0;
	long s = 0;

	if (!tar_num(h + 148, 8, &want))
		return false;
	for (int i = 0; i < 512; i++) {
		uint8_t c = i >= 148 && i < 156 ? ' ' : h[i];

		u += c;
		s += (signed char)c;
	}
	return want == u || (long)want == s;
}

/*
 * @in without "./", "." and empty components into @out; -EINVAL with the
 * reason in @what for an absolute path or a ".." component.
 */
static int norm_path(const char *in, char *out, size_t out_len, const char **what)
{
	size_t o = 0;
	const char *p = in;

	if (*in == '/') {
		*what = "absolute path";
		return -EINVAL;
	}
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*what = "\"..\" component";
			return -EINVAL;
		}
		if (n && !(n == 1 && p[0] == '.')) {
			if (o + !!o + n >= out_len) {
				*what = "path too long";
				return -ENAMETOOLONG;
			}
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	out[o] = '\0';
	return 0;
}

/* A pax extended header: path, linkpath and size, the others ignored. */
static int tar_pax(struct tar *t, const char *buf, size_t len, char **name, char **link,
		   uint64_t *size, bool *has_size)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *rec = p, *key, *eq, *vend;
		size_t reclen = 0;
		char **dst = NULL;

		while (p < end && *p >= '0' && *p <= '9' && reclen < len)
			reclen = reclen * 10 + (size_t)(*p++ - '0');
		if (p >= end || *p != ' ' || !reclen || reclen > (size_t)(end - rec) ||
		    rec[reclen - 1] != '\n')
			return zfail(t->z, -EINVAL, "bad pax header in entry %llu",
				     (unsigned long long)t->index);
		key = p + 1;
		vend = rec + reclen - 1;
		eq = memchr(key, '=', (size_t)(vend - key));
		if (!eq)
			return zfail(t->z, -EINVAL, "bad pax record in entry %llu",
				     (unsigned long long)t->index);
		if (eq - key == 4 && !memcmp(key, "path", 4))
			dst = name;
		else if (eq - key == 8 && !memcmp(key, "linkpath", 8))
			dst = link;
		else if (eq - key == 4 && !memcmp(key, "size", 4)) {
			uint64_t v = 0;

			for (const char *q = eq + 1; q < vend; q++) {
				if (*q < '0' || *q > '9' || v > UINT64_MAX / 10 - 1)
					return zfail(t->z, -EINVAL, "bad pax size in entry %llu",
						     (unsigned long long)t->index);
				v = v * 10 + (uint64_t)(*q - '0');
			}
			*size = v;
			*has_size = true;
		} else if (eq - key > 11 && !memcmp(key, "GNU.sparse.", 11)) {
			return zfail(t->z, -EOPNOTSUPP, "sparse file in entry %llu (unsupported)",
				     (unsigned long long)t->index);
		}
		if (dst) {
			free(*dst);
			*dst = strndup(eq + 1, (size_t)(vend - eq - 1));
			if (!*dst)
				return zfail(t->z, -ENOMEM, "out of memory");
		}
		p = rec + reclen;
	}
	return 0;
}

/* The data of a metadata entry ('L', 'K', 'x'), NUL-terminated, into *@out. */
static int tar_meta(struct tar *t, uint64_t size, char **out)
{
	size_t got;
	char *buf;
	int err;

	if (size > TAR_MAX_META)
		return zfail(t->z, -EINVAL, "oversized long name or pax header in entry %llu",
			     (unsigned long long)t->index);
	buf = malloc((size_t)size + 1);
	if (!buf)
		return zfail(t->z, -ENOMEM, "out of memory");
	err = tar_data(t, buf, (size_t)size, &got);
	if (err) {
		free(buf);
		return err;
	}
	buf[size] = '\0';
	*out = buf;
	return 0;
}

static int tar_walk(struct tar *t, tar_fn fn, void *arg)
{
	char *lname = NULL, *llink = NULL, *meta = NULL;
	char raw[512], link[101], path[PATH_MAX], lpath[PATH_MAX];
	uint64_t pax_size = 0;
	bool has_pax_size = false;
	uint8_t h[512];
	int err = 0;

	for (;;) {
		struct tar_entry e;
		const char *what;
		uint64_t size, v, pad;
		size_t got;
		char type;

		err = zin_read(t->z, h, sizeof(h), &got);
		if (err)
			break;
		if (!got)
			break; /* no end-of-archive blocks: accepted */
		t->index++;
		if (got < sizeof(h)) {
			err = zfail(t->z, -EINVAL, "tar stream truncated in header %llu",
				    (unsigned long long)t->index);
			break;
		}
		for (got = 0; got < sizeof(h) && !h[got]; got++)
			;
		if (got == sizeof(h))
			break; /* end of archive */
		if (!tar_sum_ok(h)) {
			err = zfail(t->z, -EINVAL, "bad tar header checksum in entry %llu",
				    (unsigned long long)t->index);
			break;
		}
		if (!tar_num(h + 124, 12, &size)) {
			err = zfail(t->z, -EINVAL, "bad size in tar entry %llu",
				    (unsigned long long)t->index);
			break;
		}
		type = (char)h[156];
		if (has_pax_size && type != 'x' && type != 'g')
			size = pax_size;
		t->left = size;
		pad = (512 - size % 512) % 512;
		if (type == 'L' || type == 'K' || type == 'x') {
			err = tar_meta(t, size, &meta);
			if (err)
				break;
			if (type == 'x') {
				err = tar_pax(t, meta, size, &lname, &llink, &pax_size,
					      &has_pax_size);
				free(meta);
			} else if (type == 'L') {
				free(lname);
				lname = meta;
			} else {
				free(llink);
				llink = meta;
			}
			meta = NULL;
			if (err)
				break;
			err = zin_read(t->z, NULL, pad, &got);
			if (err)
				break;
			continue;
		}

		memset(&e, 0, sizeof(e));
		if (lname) {
			e.raw = lname;
		} else {
			size_t pl = strnlen((const char *)h + 345, 155);

			/* POSIX ustar ("ustar\0"): prefix/name; GNU uses those bytes otherwise */
			if (!memcmp(h + 257, "ustar\0", 6) && pl)
				snprintf(raw, sizeof(raw), "%.*s/%.*s", (int)pl,
					 (const char *)h + 345, (int)strnlen((char *)h, 100),
					 (const char *)h);
			else
				snprintf(raw, sizeof(raw), "%.*s", (int)strnlen((char *)h, 100),
					 (const char *)h);
			e.raw = raw;
		}
		snprintf(link, sizeof(link), "%.*s", (int)strnlen((char *)h + 157, 100),
			 (const char *)h + 157);
		e.link = llink ? llink : link;
		e.type = type == '\0' || type == '7' ? '0' : type;
		e.index = t->index;
		e.mode = tar_num(h + 100, 8, &v) ? (unsigned int)(v & 07777) : 0644;
		e.mtime = tar_num(h + 136, 12, &v) && v <= INT64_MAX ? (int64_t)v : 0;
		if (e.type && strchr("123456", e.type)) {
			/* no data, whatever the size says (a hard link's pax size) */
			t->left = 0;
			pad = 0;
		}
		e.size = t->left;
		err = norm_path(e.raw, path, sizeof(path), &what);
		if (err) {
			err = zfail(t->z, err, "unsafe path \"%s\" in entry %llu (%s)", e.raw,
				    (unsigned long long)t->index, what);
			break;
		}
		if (e.type == '1' && (err = norm_path(e.link, lpath, sizeof(lpath), &what))) {
			err = zfail(t->z, err, "unsafe hard link target \"%s\" of %s (%s)", e.link,
				    path, what);
			break;
		}
		if (e.type == '1')
			e.link = lpath;
		e.path = path;
		err = fn(t, &e, arg);
		if (err)
			break;
		err = zin_read(t->z, NULL, t->left + pad, &got);
		if (!err && got < t->left + pad)
			err = zfail(t->z, -EINVAL, "tar stream truncated in entry %llu",
				    (unsigned long long)t->index);
		if (err)
			break;
		t->left = 0;
		free(lname);
		free(llink);
		lname = llink = NULL;
		has_pax_size = false;
	}
	free(lname);
	free(llink);
	return err < 0 ? err : 0;
}

/* ---------------------------------------------------------------- extraction */

#define X_BUF (256 * 1024)

struct xctx {
	const char *dest;
	int root;
	sb_deb_want_fn want;
	void *arg;
	uint8_t *buf;
	unsigned int seq;
	int count;
	char *why;
	size_t why_len;
};

/*
 * The directory holding @rel below x->root, opened component by component
 * without following symlinks (and made, 0755, when @create); *@base is the
 * last component of @rel (which is modified).
 */
static int open_parent(struct xctx *x, char *rel, bool create, int *out, char **base)
{
	char *p = rel, *slash;
	int fd = x->root;

	while ((slash = strchr(p, '/'))) {
		bool made = false;
		int nfd;

		*slash = '\0';
		nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, p, 0755) && errno != EEXIST) {
				int err = -errno;

				*slash = '/';
				if (fd != x->root)
					close(fd);
				return sb_why_err(x->why, x->why_len, err, "%s/%.*s: mkdir: %s", x->dest,
					    (int)(slash - rel), rel, strerror(-err));
			}
			made = true;
			nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (nfd < 0) {
			int err = -errno;
			struct stat st;

			if (!fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
				err = -ELOOP;
			*slash = '/';
			if (fd != x->root)
				close(fd);
			if (err == -ELOOP)
				return sb_why_err(x->why, x->why_len, err,
					    "%s/%s: %s/%.*s is a symlink, refusing to write "
					    "through it",
					    x->dest, rel, x->dest, (int)(slash - rel), rel);
			return sb_why_err(x->why, x->why_len, err, "%s/%.*s: %s", x->dest,
				    (int)(slash - rel), rel, strerror(-err));
		}
		if (made)
			fchmod(nfd, 0755);
		*slash = '/';
		if (fd != x->root)
			close(fd);
		fd = nfd;
		p = slash + 1;
	}
	*out = fd;
	*base = p;
	return 0;
}

static void close_parent(const struct xctx *x, int fd)
{
	if (fd != x->root)
		close(fd);
}

static int x_entry(struct tar *t, const struct tar_entry *e, void *arg)
{
	struct xctx *x = arg;
	struct timespec ts[2];
	char rel[PATH_MAX], tmp[64];
	char *base;
	int pfd, fd = -1, err;

	if ((e->type != '0' && e->type != '1' && e->type != '2') || !*e->path)
		return 0;
	if (x->want && !x->want(e->path, x->arg))
		return 0;
	snprintf(rel, sizeof(rel), "%s", e->path);
	err = open_parent(x, rel, true, &pfd, &base);
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), ".sbtmp.%ld.%u", (long)getpid(), ++x->seq);
	ts[0].tv_sec = ts[1].tv_sec = (time_t)e->mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;

	if (e->type == '2') {
		if (symlinkat(e->link, pfd, tmp)) {
			err = -errno;
			goto fs_error;
		}
		utimensat(pfd, tmp, ts, AT_SYMLINK_NOFOLLOW);
	} else if (e->type == '1') {
		char trel[PATH_MAX];
		char *tbase;
		int tfd;

		snprintf(trel, sizeof(trel), "%s", e->link);
		err = open_parent(x, trel, false, &tfd, &tbase);
		if (!err) {
			err = linkat(tfd, tbase, pfd, tmp, 0) ? -errno : 0;
			close_parent(x, tfd);
		}
		if (err) {
			close_parent(x, pfd);
			return sb_why_err(x->why, x->why_len, err == -ENOENT ? -ENOENT : err,
				    "%s/%s: hard link to %s, %s", x->dest, e->path, e->link,
				    err == -ENOENT ? "which was not extracted (want it too)" :
				    strerror(-err));
		}
	} else {
		size_t got;

		fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			err = -errno;
			goto fs_error;
		}
		while (t->left) {
			err = tar_data(t, x->buf, X_BUF, &got);
			if (err)
				goto out;
			err = write_all(fd, x->buf, got);
			if (err)
				goto fs_error;
		}
		if (fchmod(fd, (e->mode & 0755) | 0644) || futimens(fd, ts)) {
			err = -errno;
			goto fs_error;
		}
		err = close(fd) ? -errno : 0;
		fd = -1;
		if (err)
			goto fs_error;
	}
	if (renameat(pfd, tmp, pfd, base)) {
		err = -errno;
		goto fs_error;
	}
	if (e->type == '1')
		unlinkat(pfd, tmp, 0); /* rename() of two links to one file does nothing */
	close_parent(x, pfd);
	x->count++;
	return 0;

fs_error:
	sb_why_err(x->why, x->why_len, err, "%s/%s: %s", x->dest, e->path, strerror(-err));
out:
	if (fd >= 0)
		close(fd);
	unlinkat(pfd, tmp, 0);
	close_parent(x, pfd);
	return err;
}

int sb_deb_extract(const char *deb_path, const char *dest_dir, sb_deb_want_fn want, void *arg,
		   char *why, size_t why_len)
{
	struct xctx x = { .dest = dest_dir, .root = -1, .want = want, .arg = arg, .why = why,
			  .why_len = why_len };
	struct tar t = { 0 };
	struct zin z;
	struct deb d;
	enum zkind k;
	int err;

	err = deb_open(deb_path, &d, why, why_len);
	if (err)
		return err;
	if (!d.have_data) {
		deb_close(&d);
		return sb_why_err(why, why_len, -EINVAL, "%s: no data.tar member", deb_path);
	}
	err = member_kind(&d, &d.data, 8, &k, why, why_len);
	if (err) {
		deb_close(&d);
		return err;
	}
	if (mkdir(dest_dir, 0755) && errno != EEXIST) {
		err = -errno;
		deb_close(&d);
		return sb_why_err(why, why_len, err, "%s: mkdir: %s", dest_dir, strerror(-err));
	}
	x.root = open(dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	x.buf = malloc(X_BUF);
	if (x.root < 0 || !x.buf) {
		err = x.root < 0 ? -errno : -ENOMEM;
		sb_why_err(why, why_len, err, "%s: %s", dest_dir, strerror(-err));
		goto out;
	}
	err = zin_open(&z, d.fd, d.data.off, d.data.off + d.data.size, k, deb_path,
		       d.data.name, why, why_len);
	if (err)
		goto out;
	t.z = &z;
	err = tar_walk(&t, x_entry, &x);
	zin_close(&z);
out:
	free(x.buf);
	if (x.root >= 0)
		close(x.root);
	deb_close(&d);
	return err ? err : x.count;
}

/* ---------------------------------------------------------------- control */

#define CONTROL_MAX (1024 * 1024)

struct cctx {
	char *text;
};

static int c_entry(struct tar *t, const struct tar_entry *e, void *arg)
{
	struct cctx *c = arg;
	size_t got;
	int err;

	if (e->type != '0' || strcmp(e->path, "control"))
		return 0;
	if (e->size > CONTROL_MAX)
		return zfail(t->z, -EFBIG, "./control is over %d bytes", CONTROL_MAX);
	c->text = malloc((size_t)e->size + 1);
	if (!c->text)
		return zfail(t->z, -ENOMEM, "out of memory");
	err = tar_data(t, c->text, (size_t)e->size, &got);
	if (err)
		return err;
	c->text[got] = '\0';
	return 1;
}

/* The value of field @key in the control text, malloc'ed, or NULL. */
static char *control_field(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n > kl && !strncasecmp(p, key, kl) && p[kl] == ':') {
			const char *v = p + kl + 1, *end = p + n;

			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
				end--;
			return strndup(v, (size_t)(end - v));
		}
		p += n;
		if (*p)
			p++;
	}
	return NULL;
}

int sb_deb_control(const char *deb_path, char **package, char **version, char **arch, char *why,
		   size_t why_len)
{
	const char *keys[3] = { "Package", "Version", "Architecture" };
	char **outs[3] = { package, version, arch };
	struct cctx c = { NULL };
	struct tar t = { 0 };
	struct zin z;
	struct deb d;
	enum zkind k;
	int err, i;

	for (i = 0; i < 3; i++)
		if (outs[i])
			*outs[i] = NULL;
	err = deb_open(deb_path, &d, why, why_len);
	if (err)
		return err;
	if (!d.have_ctl) {
		deb_close(&d);
		return sb_why_err(why, why_len, -EINVAL, "%s: no control.tar member", deb_path);
	}
	err = member_kind(&d, &d.ctl, 11, &k, why, why_len);
	if (!err)
		err = zin_open(&z, d.fd, d.ctl.off, d.ctl.off + d.ctl.size, k, deb_path,
			       d.ctl.name, why, why_len);
	if (!err) {
		t.z = &z;
		err = tar_walk(&t, c_entry, &c);
		zin_close(&z);
	}
	deb_close(&d);
	if (!err && !c.text)
		err = sb_why_err(why, why_len, -EINVAL, "%s: %s has no ./control", deb_path, d.ctl.name);
	for (i = 0; !err && i < 3; i++) {
		if (!outs[i])
			continue;
		*outs[i] = control_field(c.text, keys[i]);
		if (!*outs[i])
			err = sb_why_err(why, why_len, -ENOENT, "%s: control has no %s field", deb_path,
				   keys[i]);
	}
	free(c.text);
	if (err)
		for (i = 0; i < 3; i++)
			if (outs[i]) {
				free(*outs[i]);
				*outs[i] = NULL;
			}
	return err;
}

/* ---------------------------------------------------------------- modules */

#define KO_MAX (1024 * SB_MIB)

void sb_kmod_free_list(char **list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

bool sb_kmod_name(const char *s, char *out, size_t out_len)
{
	static const char *const sfx[] = { ".ko", ".ko.xz", ".ko.gz", ".ko.zst" };
	const char *b = strrchr(s, '/');
	size_t n;

	b = b ? b + 1 : s;
	n = strlen(b);
	for (size_t i = 0; i < SB_ARRAY_SIZE(sfx); i++) {
		size_t l = strlen(sfx[i]);

		if (n >= l && !strcmp(b + n - l, sfx[i])) {
			n -= l;
			break;
		}
	}
	if (!n || n >= out_len)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = b[i] == '-' ? '_' : b[i];
	out[n] = '\0';
	return true;
}

/* An ELF integer of @size bytes at @p (little or big endian). */
static uint64_t elf_int(const uint8_t *p, size_t size, bool be)
{
	uint64_t v = 0;

	for (size_t i = 0; i < size; i++)
		v |= (uint64_t)p[be ? size - 1 - i : i] << (8 * i);
	return v;
}

enum sh_field { SH_NAME, SH_TYPE, SH_OFFSET, SH_SIZE, SH_LINK };

/* A field of the ELF section header at @sh. */
static uint64_t sh_get(const uint8_t *sh, bool is64, bool be, enum sh_field f)
{
	static const uint8_t off[2][5] = { { 0, 4, 16, 20, 24 }, { 0, 4, 24, 32, 40 } };
	static const uint8_t size[2][5] = { { 4, 4, 4, 4, 4 }, { 4, 4, 8, 8, 4 } };

	return elf_int(sh + off[is64][f], size[is64][f], be);
}

/* The .modinfo section of an ELF object (bounds checked). */
static int modinfo_section(const uint8_t *b, size_t len, const uint8_t **sec, size_t *slen,
			   char *why, size_t why_len)
{
	uint64_t shoff, shnum, shstrndx, shentsize, stroff, strsize;
	const uint8_t *sh0, *str;
	bool be, is64;

	if (len < 52 || memcmp(b, "\x7f" "ELF", 4)) {
		const char *w = what_is(b, len);

		return sb_why_err(why, why_len, -ENOEXEC, "not an ELF kernel module%s%s",
			    w ? ": is " : "", w ? w : "");
	}
	if ((b[4] != 1 && b[4] != 2) || (b[5] != 1 && b[5] != 2))
		return sb_why_err(why, why_len, -ENOEXEC, "bad ELF class or byte order");
	is64 = b[4] == 2;
	be = b[5] == 2;
	if (is64 && len < 64)
		return sb_why_err(why, why_len, -ENOEXEC, "truncated ELF header");
	shoff = is64 ? elf_int(b + 0x28, 8, be) : elf_int(b + 0x20, 4, be);
	shentsize = elf_int(b + (is64 ? 0x3a : 0x2e), 2, be);
	shnum = elf_int(b + (is64 ? 0x3c : 0x30), 2, be);
	shstrndx = elf_int(b + (is64 ? 0x3e : 0x32), 2, be);
	if (shentsize < (is64 ? 64U : 40U) || shoff == 0 || shoff > len ||
	    len - shoff < shentsize)
		return sb_why_err(why, why_len, -ENOEXEC, "no ELF section headers");
	sh0 = b + shoff;
	if (shnum == 0) /* extended numbering: the count is in section 0 */
		shnum = sh_get(sh0, is64, be, SH_SIZE);
	if (shstrndx == 0xffff)
		shstrndx = sh_get(sh0, is64, be, SH_LINK);
	if (shnum > (len - shoff) / shentsize || shstrndx >= shnum)
		return sb_why_err(why, why_len, -ENOEXEC, "ELF section headers out of bounds");
	stroff = sh_get(sh0 + shstrndx * shentsize, is64, be, SH_OFFSET);
	strsize = sh_get(sh0 + shstrndx * shentsize, is64, be, SH_SIZE);
	if (stroff > len || strsize > len - stroff)
		return sb_why_err(why, why_len, -ENOEXEC, "ELF section names out of bounds");
	str = b + stroff;
	for (uint64_t i = 1; i < shnum; i++) {
		const uint8_t *sh = sh0 + i * shentsize;
		uint64_t name = sh_get(sh, is64, be, SH_NAME);
		uint64_t off = sh_get(sh, is64, be, SH_OFFSET);
		uint64_t size = sh_get(sh, is64, be, SH_SIZE);

		if (name >= strsize || strsize - name < sizeof(".modinfo") ||
		    memcmp(str + name, ".modinfo", sizeof(".modinfo")))
			continue;
		if (sh_get(sh, is64, be, SH_TYPE) == 8 /* SHT_NOBITS */ || off > len ||
		    size > len - off)
			return sb_why_err(why, why_len, -ENOEXEC, ".modinfo section out of bounds");
		*sec = b + off;
		*slen = (size_t)size;
		return 0;
	}
	return sb_why_err(why, why_len, -ENOENT, "no .modinfo section (not a kernel module?)");
}

static int push(char ***list, size_t *n, size_t *cap, const char *s, size_t len)
{
	char *dup;

	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		char **nl = realloc(*list, nc * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		*list = nl;
		*cap = nc;
	}
	dup = strndup(s, len);
	if (!dup)
		return -ENOMEM;
	(*list)[(*n)++] = dup;
	return 0;
}

int sb_kmod_depends_buf(const void *elf, size_t len, char ***deps, size_t *n, char *why,
			size_t why_len)
{
	const uint8_t *sec = NULL;
	size_t slen = 0, cap = 0, i = 0;
	bool found = false;
	int err;

	*deps = NULL;
	*n = 0;
	err = modinfo_section(elf, len, &sec, &slen, why, why_len);
	if (err)
		return err;
	while (i < slen) {
		const char *s = (const char *)sec + i;
		size_t l = strnlen(s, slen - i);

		if (l > 8 && !memcmp(s, "depends=", 8)) {
			const char *p = s + 8, *end = s + l;

			found = true;
			while (p < end) {
				size_t k = strcspn(p, ",");

				if ((size_t)(end - p) < k)
					k = (size_t)(end - p);
				if (k && push(deps, n, &cap, p, k)) {
					sb_kmod_free_list(*deps, *n);
					*deps = NULL;
					*n = 0;
					return sb_why_err(why, why_len, -ENOMEM, "out of memory");
				}
				p += k + 1;
			}
		} else if (l == 8 && !memcmp(s, "depends=", 8)) {
			found = true;
		}
		i += l + 1;
	}
	if (!found)
		return sb_why_err(why, why_len, -ENOENT,
			    "no depends= in .modinfo (not built by modpost?)");
	return 0;
}

/* The whole (decompressed) module file into a malloc'ed buffer. */
static int read_module(const char *path, uint8_t **out, size_t *out_len, char *why,
		       size_t why_len)
{
	uint8_t magic[6], *buf = NULL;
	size_t got, len = 0, cap = 0;
	enum zkind k = ZK_RAW;
	struct stat st;
	struct zin z;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sb_why_err(why, why_len, -errno, "%s: %s", path, strerror(errno));
	err = fstat(fd, &st) ? -errno : !S_ISREG(st.st_mode) ? -EINVAL :
	      (uint64_t)st.st_size > KO_MAX ? -EFBIG : 0;
	if (!err)
		err = read_at(fd, magic, sizeof(magic), 0, &got);
	if (err) {
		close(fd);
		return sb_why_err(why, why_len, err, "%s: %s", path,
			    err == -EINVAL ? "not a regular file" :
			    err == -EFBIG ? "too large for a module" : strerror(-err));
	}
	if (got >= 6 && !memcmp(magic, "\xfd" "7zXZ", 6)) {
		k = ZK_XZ;
	} else if (got >= 2 && !memcmp(magic, "\x1f\x8b", 2)) {
		k = ZK_GZ;
	} else if (got >= 4 && !memcmp(magic, "\x28\xb5\x2f\xfd", 4)) {
		close(fd);
		return sb_why_err(why, why_len, -EOPNOTSUPP,
			    "%s: zstd-compressed modules are not supported", path);
	}
	err = zin_open(&z, fd, 0, (uint64_t)st.st_size, k, path, NULL, why, why_len);
	if (err) {
		close(fd);
		return err;
	}
	for (;;) {
		if (len == cap) {
			/* a plain .ko fits at once; a compressed one is ~4 times larger */
			size_t nc = cap ? cap * 2 :
				    k == ZK_RAW ? (size_t)st.st_size + 1 :
				    sb_max_u64((uint64_t)st.st_size * 4, 65536);
			uint8_t *nb;

			if (cap >= KO_MAX) {
				err = zfail(&z, -EFBIG, "over %llu bytes decompressed",
					    (unsigned long long)KO_MAX);
				break;
			}
			nb = realloc(buf, nc);
			if (!nb) {
				err = zfail(&z, -ENOMEM, "out of memory");
				break;
			}
			buf = nb;
			cap = nc;
		}
		err = zin_read(&z, buf + len, cap - len, &got);
		if (err)
			break;
		len += got;
		if (len < cap)
			break;
	}
	zin_close(&z);
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int sb_kmod_depends(const char *ko_path, char ***deps, size_t *n, char *why, size_t why_len)
{
	char msg[384];
	uint8_t *buf = NULL;
	size_t len = 0;
	int err;

	*deps = NULL;
	*n = 0;
	err = read_module(ko_path, &buf, &len, why, why_len);
	if (err)
		return err;
	err = sb_kmod_depends_buf(buf, len, deps, n, msg, sizeof(msg));
	free(buf);
	if (err)
		return sb_why_err(why, why_len, err, "%s: %s", ko_path, msg);
	return 0;
}

/* ---------------------------------------------------------------- module closure */

struct kmod_ent {
	char *name;
	char *rel;
	int prio;	/* updates/ 0, kernel/ 2, elsewhere 1: lower wins */
	int state;	/* closure: 0 new, 1 visiting, 2 done */
};

struct kmods {
	const char *moddir;
	struct kmod_ent *v;
	size_t n, cap;
	char **builtin;
	size_t nbuiltin, bcap;
	bool have_builtin;
	char **out;
	size_t nout, ocap;
	char *why;
	size_t why_len;
};

static int kmods_add(struct kmods *m, const char *name, const char *rel)
{
	struct kmod_ent *e;

	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 256;
		struct kmod_ent *nv = realloc(m->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		m->v = nv;
		m->cap = nc;
	}
	e = &m->v[m->n];
	e->name = strdup(name);
	e->rel = strdup(rel);
	e->state = 0;
	e->prio = !strncmp(rel, "updates/", 8) ? 0 : !strncmp(rel, "kernel/", 7) ? 2 : 1;
	if (!e->name || !e->rel) {
		free(e->name);
		free(e->rel);
		return -ENOMEM;
	}
	m->n++;
	return 0;
}

static bool is_module_file(const char *name)
{
	static const char *const sfx[] = { ".ko", ".ko.xz", ".ko.gz", ".ko.zst" };
	size_t n = strlen(name);

	for (size_t i = 0; i < SB_ARRAY_SIZE(sfx); i++) {
		size_t l = strlen(sfx[i]);

		if (n > l && !strcmp(name + n - l, sfx[i]))
			return true;
	}
	return false;
}

/* Module files below @dfd (closed here), whose path relative to moddir is @rel. */
static int kmods_walk(struct kmods *m, int dfd, char *rel, size_t rlen, int depth)
{
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = fdopendir(dfd);
	if (!d) {
		err = -errno;
		close(dfd);
		return sb_why_err(m->why, m->why_len, err, "%s/%s: %s", m->moddir, rel, strerror(-err));
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		unsigned char type = de->d_type;
		size_t nl = strlen(name), l;
		char mname[64];

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		}
		if (type != DT_DIR && (type != DT_REG || !is_module_file(name)))
			continue; /* symlinks ("build", "source") are never followed */
		if (rlen + 1 + nl >= PATH_MAX) {
			err = sb_why_err(m->why, m->why_len, -ENAMETOOLONG, "%s/%s/%s: path too long",
				   m->moddir, rel, name);
			break;
		}
		l = rlen;
		if (l)
			rel[l++] = '/';
		memcpy(rel + l, name, nl + 1);
		if (type == DT_DIR) {
			int fd;

			if (depth >= 16)
				goto next;
			fd = openat(dirfd(d), name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				err = -errno;
				sb_why_err(m->why, m->why_len, err, "%s/%s: %s", m->moddir, rel,
				     strerror(-err));
				break;
			}
			err = kmods_walk(m, fd, rel, l + nl, depth + 1);
			if (err)
				break;
		} else if (sb_kmod_name(name, mname, sizeof(mname))) {
			err = kmods_add(m, mname, rel);
			if (err) {
				sb_why_err(m->why, m->why_len, err, "out of memory");
				break;
			}
		}
next:
		rel[rlen] = '\0';
	}
	rel[rlen] = '\0';
	closedir(d);
	return err;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct kmod_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->prio != y->prio)
		return x->prio - y->prio;
	return strcmp(x->rel, y->rel);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int kmods_builtin(struct kmods *m)
{
	char path[PATH_MAX], *line = NULL;
	size_t lcap = 0;
	ssize_t l;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/modules.builtin", m->moddir);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : sb_why_err(m->why, m->why_len, -errno, "%s: %s", path,
						   strerror(errno));
	m->have_builtin = true;
	while ((l = getline(&line, &lcap, f)) > 0) {
		char name[64];

		line[strcspn(line, "\r\n")] = '\0';
		if (!sb_kmod_name(line, name, sizeof(name)))
			continue;
		if (push(&m->builtin, &m->nbuiltin, &m->bcap, name, strlen(name))) {
			err = sb_why_err(m->why, m->why_len, -ENOMEM, "out of memory");
			break;
		}
	}
	free(line);
	fclose(f);
	if (m->builtin)
		qsort(m->builtin, m->nbuiltin, sizeof(*m->builtin), str_cmp);
	return err;
}

static struct kmod_ent *kmods_find(struct kmods *m, const char *name)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, m->v[mid].name);

		if (!c) {
			/* the first of equal names sorts best */
			while (mid > 0 && !strcmp(name, m->v[mid - 1].name))
				mid--;
			return &m->v[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool kmods_is_builtin(const struct kmods *m, const char *name)
{
	return m->builtin &&
	       bsearch(&name, m->builtin, m->nbuiltin, sizeof(*m->builtin), str_cmp) != NULL;
}

static int kmods_visit(struct kmods *m, const char *want, const char *needed_by, int depth)
{
	char name[64], path[PATH_MAX], **deps = NULL;
	struct kmod_ent *e;
	size_t ndeps = 0;
	int err = 0;

	if (!sb_kmod_name(want, name, sizeof(name)))
		return sb_why_err(m->why, m->why_len, -EINVAL, "bad module name \"%s\"", want);
	e = kmods_find(m, name);
	if (!e) {
		if (kmods_is_builtin(m, name))
			return 0;
		if (needed_by)
			return sb_why_err(m->why, m->why_len, -ENOENT,
				    "module %s (needed by %s) is not in %s and not built in%s",
				    name, needed_by, m->moddir,
				    m->have_builtin ? "" : " (no modules.builtin)");
		return sb_why_err(m->why, m->why_len, -ENOENT,
			    "module %s is not in %s and not built in%s", name, m->moddir,
			    m->have_builtin ? "" : " (no modules.builtin)");
	}
	if (e->state == 2)
		return 0;
	if (e->state == 1 || depth > 64)
		return sb_why_err(m->why, m->why_len, -ELOOP, "module dependency cycle through %s%s%s",
			    name, needed_by ? " and " : "", needed_by ? needed_by : "");
	e->state = 1;
	snprintf(path, sizeof(path), "%s/%s", m->moddir, e->rel);
	err = sb_kmod_depends(path, &deps, &ndeps, m->why, m->why_len);
	for (size_t i = 0; !err && i < ndeps; i++)
		err = kmods_visit(m, deps[i], e->name, depth + 1);
	sb_kmod_free_list(deps, ndeps);
	if (err)
		return err;
	e->state = 2;
	if (push(&m->out, &m->nout, &m->ocap, path, strlen(path)))
		return sb_why_err(m->why, m->why_len, -ENOMEM, "out of memory");
	return 0;
}

int sb_kmod_closure(const char *moddir, const char *const *names, size_t nnames, char ***paths,
		    size_t *n, char *why, size_t why_len)
{
	struct kmods m = { .moddir = moddir, .why = why, .why_len = why_len };
	char rel[PATH_MAX] = "";
	int fd, err;

	*paths = NULL;
	*n = 0;
	fd = open(moddir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sb_why_err(why, why_len, -errno, "%s: %s", moddir, strerror(errno));
	err = kmods_walk(&m, fd, rel, 0, 0);
	if (!err)
		err = kmods_builtin(&m);
	if (!err && m.v)
		qsort(m.v, m.n, sizeof(*m.v), ent_cmp);
	for (size_t i = 0; !err && i < nnames; i++)
		err = kmods_visit(&m, names[i], NULL, 0);
	for (size_t i = 0; i < m.n; i++) {
		free(m.v[i].name);
		free(m.v[i].rel);
	}
	free(m.v);
	sb_kmod_free_list(m.builtin, m.nbuiltin);
	if (err) {
		sb_kmod_free_list(m.out, m.nout);
		return err;
	}
	*paths = m.out;
	*n = m.nout;
	return 0;
}
