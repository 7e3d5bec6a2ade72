// SPDX-License-Identifier: MIT
/*
 * kimage: bzImage headers (synthetic, and /boot/vmlinuz-$(uname -r) when
 * readable), Debian packages (fixtures made by dpkg-deb and tar + ar in
 * tests/data/kimage/, and packages written here byte by byte, malicious
 * ones included), .modinfo dependencies and the module closure.
 */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "kimage.h"
#include "tap.h"

static char tmp[64];
static char why[512];

/* ------------------------------------------------------------ helpers */

/* A path in one of 16 rotating static buffers. */
static char *path_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *path_of(const char *fmt, ...)
{
	static char bufs[16][4096];
	static int next;
	char *p = bufs[next++ % 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return p;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *b = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*len = 0;
	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && (b = malloc((size_t)st.st_size + 1))) {
		ssize_t r = read(fd, b, (size_t)st.st_size);

		*len = r > 0 ? (size_t)r : 0;
		b[*len] = '\0';
	}
	close(fd);
	return b;
}

static bool file_is(const char *path, const char *want)
{
	size_t len;
	unsigned char *b = slurp(path, &len);
	bool same = b && len == strlen(want) && !memcmp(b, want, len);

	free(b);
	return same;
}

static void spew(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		tap_bail("cannot write %s", path);
	close(fd);
}

static bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* ------------------------------------------------------------ bzImage */

static unsigned char *make_bz(size_t *len, unsigned int proto, unsigned char setup_sects,
			      unsigned int payload, const char *version, unsigned int xlf,
			      unsigned char loadflags)
{
	size_t setup = ((setup_sects ? setup_sects : 4) + 1) * 512;
	unsigned char *b;

	*len = setup + payload;
	b = calloc(1, *len);
	if (!b)
		tap_bail("out of memory");
	memcpy(b, "MZ", 2);
	b[0x1f1] = setup_sects;
	b[0x1f4] = (unsigned char)(payload / 16);
	b[0x1f5] = (unsigned char)(payload / 16 >> 8);
	b[0x1fe] = 0x55;
	b[0x1ff] = 0xaa;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = proto & 0xff;
	b[0x207] = proto >> 8;
	b[0x211] = loadflags;
	b[0x236] = xlf & 0xff;
	b[0x238] = 0xff; /* cmdline_size 2047 */
	b[0x239] = 0x07;
	b[0x262] = 0x40; /* init_size 0x400000 */
	if (version) {
		b[0x20e] = 0x00; /* kernel_version = 0x100: the string at 0x300 */
		b[0x20f] = 0x01;
		memcpy(b + 0x300, version, strlen(version) + 1);
	}
	return b;
}

#define VERSION "6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC " \
	"Debian 6.1.192-2 (2025-01-01)"

static void test_bzimage(void)
{
	struct sb_bzimage bz;
	unsigned char *b, elf[600] = "\x7f" "ELF\x02\x01\x01";
	size_t len;
	int r;

	b = make_bz(&len, 0x020f, 27, 8192, VERSION, 0x7f, 0x01);
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	is_int(r, 0, "a bzImage header is accepted");
	ok(bz.proto_major == 2 && bz.proto_minor == 15, "protocol 2.15");
	is_str(bz.version, VERSION, "the full version string");
	is_str(bz.release, "6.1.0-56-cloud-amd64", "the release is its first word");
	is_u64(bz.size, len, "size");
	ok(bz.loads_64bit, "XLF_KERNEL_64: loads 64-bit");
	ok(bz.setup_sects == 27 && bz.setup_bytes == 28 * 512 && bz.payload_bytes == 8192,
	   "setup sectors and payload");
	ok(bz.cmdline_size == 2047 && bz.init_size == 0x400000 && bz.xloadflags == 0x7f,
	   "cmdline_size, init_size, xloadflags");

	/* longer than its header says is fine (signed images have a signature appended) */
	b = realloc(b, len + 512);
	if (!b)
		tap_bail("out of memory");
	memset(b + len, 0, 512);
	r = sb_bzimage_inspect_buf(b, len + 512, &bz, why, sizeof(why));
	ok(r == 0 && bz.size == len + 512, "trailing bytes after the payload accepted");
	b[0x206] = 0x0b; /* 2.11: no xloadflags yet */
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == 0 && !bz.loads_64bit && bz.xloadflags == 0 && bz.init_size == 0x400000,
	   "protocol 2.11: xloadflags not read, loads_64bit false");
	b[0x206] = 0x09; /* 2.09: no init_size */
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == 0 && bz.init_size == 0, "protocol 2.09: init_size not read");
	b[0x206] = 0x04;
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, "2.04 is too old"), "protocol 2.04 too old: %s", why);
	b[0x206] = 0x0f;

	r = sb_bzimage_inspect_buf(b, len - 1, &bz, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "truncated"), "one byte short: %s", why);
	r = sb_bzimage_inspect_buf(b, 1024, &bz, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "setup area"), "cut inside the setup area: %s", why);
	r = sb_bzimage_inspect_buf(b + 0x1000, 0x100, &bz, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, "too short"), "256 bytes: %s", why);

	b[0x211] = 0;
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, "zImage"), "LOADED_HIGH clear: %s", why);
	b[0x211] = 1;

	memset(b + 0x300, 'x', 28 * 512 - 0x300); /* no NUL up to the end of the setup area */
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "not NUL-terminated"), "unterminated version: %s", why);
	b[0x20f] = 0x70; /* 0x7000 + 0x200: beyond the setup area */
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "outside"), "version pointer out of bounds: %s", why);
	b[0x20e] = b[0x20f] = 0;
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == 0 && !*bz.version && !*bz.release, "no kernel_version: empty strings");

	memcpy(b + 0x202, "HdrX", 4);
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, "PE/EFI"), "MZ without HdrS: %s", why);
	b[0] = 0;
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, "boot sector"), "boot sector without HdrS: %s", why);
	free(b);

	b = make_bz(&len, 0x020c, 0, 16, "5.10.0 #1", 0x01, 0x01);
	r = sb_bzimage_inspect_buf(b, len, &bz, why, sizeof(why));
	ok(r == 0 && bz.setup_sects == 4 && bz.setup_bytes == 5 * 512 && bz.loads_64bit,
	   "setup_sects 0 means 4");
	is_str(bz.release, "5.10.0", "release of a short version string");
	free(b);

	r = sb_bzimage_inspect_buf(elf, sizeof(elf), &bz, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, "ELF") && strstr(why, "vmlinux") &&
	   strstr(why, "bzImage"), "an ELF file: %s", why);
	r = sb_bzimage_inspect_buf("", 0, &bz, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, "empty"), "empty: %s", why);
	{
		char text[1024];

		memset(text, 'a', sizeof(text));
		r = sb_bzimage_inspect_buf(text, sizeof(text), &bz, why, sizeof(why));
		ok(r == -ENOEXEC && strstr(why, "text file"), "text: %s", why);
	}
}

static void test_bzimage_file(void)
{
	struct sb_bzimage bz;
	struct utsname u;
	unsigned char *b;
	const char *p;
	size_t len;
	char boot[512];
	int r;

	b = make_bz(&len, 0x020f, 4, 4096, "6.12.117 (x) #1", 0x03, 0x01);
	p = path_of("%s/bzImage", tmp);
	spew(p, b, len);
	free(b);
	r = sb_bzimage_inspect(p, &bz, why, sizeof(why));
	ok(r == 0 && !strcmp(bz.release, "6.12.117") && bz.size == len, "from a file");
	p = path_of("%s/vmlinux", tmp);
	spew(p, "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16);
	r = sb_bzimage_inspect(p, &bz, why, sizeof(why));
	ok(r == -ENOEXEC && !strncmp(why, p, strlen(p)) &&
	   strstr(why, ": is an ELF file (vmlinux?)"),
	   "ELF file, the message names it: %s", why);
	r = sb_bzimage_inspect(path_of("%s/none", tmp), &bz, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "none"), "missing file: %s", why);
	r = sb_bzimage_inspect(tmp, &bz, why, sizeof(why));
	ok(r == -EISDIR && strstr(why, "directory"), "a directory: %s", why);

	uname(&u);
	snprintf(boot, sizeof(boot), "/boot/vmlinuz-%s", u.release);
	if (access(boot, R_OK)) {
		tap_skip(1, "%s not readable", boot);
		return;
	}
	r = sb_bzimage_inspect(boot, &bz, why, sizeof(why));
	ok(r == 0 && !strcmp(bz.release, u.release), "%s: release %s (%s)", boot, bz.release,
	   r ? why : "ok");
}

/* ------------------------------------------------------------ tar/ar/deb writer */

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			tap_bail("out of memory");
	}
	if (data)
		memcpy(b->p + b->len, data, len);
	else
		memset(b->p + b->len, 0, len);
	b->len += len;
}

static void octal(unsigned char *f, size_t n, unsigned long long v)
{
	snprintf((char *)f, n, "%0*llo", (int)n - 1, v);
}

enum { GNU, USTAR };

/* One header (+ data); @name longer than 100: a GNU 'L' entry, or the ustar prefix. */
static void tar_add(struct buf *b, int fmt, const char *name, char type, unsigned int mode,
		    const void *data, size_t len, const char *link)
{
	unsigned char h[512];
	unsigned int sum = 0;
	size_t nl = strlen(name);

	if (nl > 100 && fmt == GNU)
		tar_add(b, GNU, "././@LongLink", 'L', 0644, name, nl + 1, NULL);
	memset(h, 0, sizeof(h));
	if (nl > 100 && fmt == USTAR) {
		const char *slash = strchr(name + nl - 100, '/');

		if (!slash || slash - name > 155)
			tap_bail("cannot split %s", name);
		memcpy(h + 345, name, (size_t)(slash - name));
		memcpy(h, slash + 1, strlen(slash + 1));
	} else {
		memcpy(h, name, nl > 100 ? 100 : nl);
	}
	octal(h + 100, 8, mode);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, len);
	octal(h + 136, 12, 1600000000);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, fmt == GNU ? "ustar  " : "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(b, h, sizeof(h));
	if (type == '0' || type == 'L' || type == 'x') {
		put(b, data, len);
		put(b, NULL, (512 - len % 512) % 512);
	}
}

static void tar_file(struct buf *b, const char *name, const char *text)
{
	tar_add(b, GNU, name, '0', 0644, text, strlen(text), NULL);
}

static void tar_end(struct buf *b)
{
	put(b, NULL, 1024);
}

static void xz(const struct buf *in, struct buf *out)
{
	size_t pos = 0, cap = lzma_stream_buffer_bound(in->len);

	out->len = 0;
	put(out, NULL, cap);
	if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, in->p, in->len, out->p, &pos, cap))
		tap_bail("lzma_easy_buffer_encode failed");
	out->len = pos;
}

static void gz(const struct buf *in, struct buf *out)
{
	z_stream s;

	memset(&s, 0, sizeof(s));
	if (deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		tap_bail("deflateInit2 failed");
	out->len = 0;
	put(out, NULL, deflateBound(&s, in->len) + 64);
	s.next_in = in->p;
	s.avail_in = (uInt)in->len;
	s.next_out = out->p;
	s.avail_out = (uInt)out->len;
	if (deflate(&s, Z_FINISH) != Z_STREAM_END)
		tap_bail("deflate failed");
	out->len = s.total_out;
	deflateEnd(&s);
}

static void ar_member(struct buf *b, const char *name, const void *data, size_t len)
{
	char h[61];

	snprintf(h, sizeof(h), "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "0", "0", "0", "100644",
		 len);
	put(b, h, 60);
	put(b, data, len);
	if (len & 1)
		put(b, "\n", 1);
}

/* A .deb with @data as data.tar<sfx> (already compressed) and a gzip control.tar. */
static const char *write_deb(const char *name, const char *dbin, const char *sfx,
			     const struct buf *data)
{
	struct buf ctl = { 0 }, ctlz = { 0 }, deb = { 0 };
	const char *p = path_of("%s/%s", tmp, name);
	char member[32];

	tar_add(&ctl, GNU, "./", '5', 0755, NULL, 0, NULL);
	tar_file(&ctl, "./md5sums", "0123  boot/x\n");
	tar_file(&ctl, "./control", "Package: linux-image-t\nversion:  9.9-1 \n"
		 "Architecture: amd64\nDescription: test\n more\n");
	tar_end(&ctl);
	gz(&ctl, &ctlz);
	put(&deb, "!<arch>\n", 8);
	ar_member(&deb, "debian-binary", dbin, strlen(dbin));
	ar_member(&deb, "control.tar.gz", ctlz.p, ctlz.len);
	snprintf(member, sizeof(member), "data.tar%s", sfx);
	ar_member(&deb, member, data->p, data->len);
	spew(p, deb.p, deb.len);
	free(ctl.p);
	free(ctlz.p);
	free(deb.p);
	return p;
}

/* ------------------------------------------------------------ .deb fixtures */

struct seen {
	char paths[16][256];
	int n;
	const char *only; /* prefix; NULL: all */
};

static bool want_rec(const char *path, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16)
		snprintf(s->paths[s->n++], sizeof(s->paths[0]), "%s", path);
	return !s->only || !strncmp(path, s->only, strlen(s->only));
}

static bool seen(const struct seen *s, const char *path)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->paths[i], path))
			return true;
	return false;
}

#define LONG "usr/share/doc/linux-test/a-directory-name-long-enough/to-push-the-whole-path/" \
	"past-the-100-bytes-of-a-tar-name-field/long.txt"

static const char *top(void)
{
	const char *t = getenv("SB_TOP");

	return t ? t : ".";
}

static void test_fixture(const char *kind, int entries)
{
	char deb[4096], dest[4096], *pkg, *ver, *arch, lbuf[64];
	unsigned char *ko, *ref;
	size_t kolen, reflen;
	struct seen s = { .n = 0 };
	struct stat st;
	ssize_t l;
	int r;

	snprintf(deb, sizeof(deb), "%s/tests/data/kimage/fixture-%s.deb", top(), kind);
	snprintf(dest, sizeof(dest), "%s/x-%s", tmp, kind);
	if (access(deb, R_OK))
		tap_bail("cannot read %s (run from the top of the tree or set SB_TOP)", deb);
	r = sb_deb_extract(deb, dest, want_rec, &s, why, sizeof(why));
	is_int(r, entries, "%s: every file, symlink and hard link extracted (%s)", kind,
	       r < 0 ? why : "ok");
	ok(seen(&s, "boot/vmlinuz-1.0-test") && seen(&s, "lib/modules/1.0-test/build") &&
	   seen(&s, LONG) && !seen(&s, "boot") && !seen(&s, ""),
	   "%s: offered paths are normalized, directories not offered", kind);
	ok(file_is(path_of("%s/%s", dest, "boot/vmlinuz-1.0-test"), "fake kernel\n") &&
	   file_is(path_of("%s/%s", dest, "boot/config-1.0-test"), "CONFIG_XFS_FS=m\n"),
	   "%s: boot files", kind);
	ok(file_is(path_of("%s/%s", dest, LONG), "long\n"), "%s: the 120-byte path", kind);
	ko = slurp(path_of("%s/%s", dest, "lib/modules/1.0-test/kernel/fs/x/x.ko"), &kolen);
	ref = slurp(path_of("%s/tests/data/kimage/%s", top(), "modinfo.ko"), &reflen);
	ok(ko && ref && kolen == reflen && !memcmp(ko, ref, kolen), "%s: nested x.ko", kind);
	free(ko);
	free(ref);
	l = readlink(path_of("%s/%s", dest, "lib/modules/1.0-test/build"), lbuf, sizeof(lbuf) - 1);
	lbuf[l > 0 ? l : 0] = '\0';
	is_str(lbuf, "/usr/src/linux-test", "%s: symlink target kept", kind);
	ok(!stat(path_of("%s/%s", dest, "usr/bin/tool"), &st) && (st.st_mode & 07777) == 0755 &&
	   !stat(path_of("%s/%s", dest, "boot/config-1.0-test"), &st) &&
	   (st.st_mode & 07777) == 0644 && st.st_mtime == 1700000000,
	   "%s: modes 0755/0644, mtime from the archive", kind);
	ok(!stat(path_of("%s/%s", dest, "lib/modules"), &st) && (st.st_mode & 07777) == 0755,
	   "%s: parents made 0755", kind);
	if (entries == 8) {
		struct stat a, b;

		ok(!stat(path_of("%s/%s", dest, "boot/vmlinuz.hard"), &a) &&
		   !stat(path_of("%s/%s", dest, "boot/vmlinuz-1.0-test"), &b) &&
		   a.st_ino == b.st_ino && a.st_nlink == 2, "%s: hard link", kind);
	}
	r = sb_deb_control(deb, &pkg, &ver, &arch, why, sizeof(why));
	ok(r == 0 && !strcmp(pkg, "linux-image-1.0-test") && !strcmp(ver, "1.0-1") &&
	   !strcmp(arch, "amd64"), "%s: control fields (%s)", kind, r ? why : "ok");
	if (!r) {
		free(pkg);
		free(ver);
		free(arch);
	}
}

/* ------------------------------------------------------------ .deb written here */

static int tmp_found;

static int tmp_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	tmp_found += !strncmp(path + ftw->base, ".sbtmp", 6);
	return 0;
}

#define PREFIXED "usr/prefix/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/" \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/f"

static bool no_tmp_left(const char *dir)
{
	tmp_found = 0;
	nftw(dir, tmp_cb, 16, FTW_PHYS);
	return tmp_found == 0;
}

static void test_deb_written(void)
{
	struct buf tar = { 0 }, z = { 0 };
	static char big[300000];
	const char *deb;
	char dest[256], xzdeb[256];
	struct seen s = { .n = 0, .only = "usr/" };
	char *pkg, *ver;
	struct stat st;
	int r;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i * 7 % 26);

	tar_add(&tar, GNU, "./", '5', 0755, NULL, 0, NULL);
	tar_add(&tar, GNU, "./usr/big", '0', 0600, big, sizeof(big), NULL);
	tar_add(&tar, GNU, "./usr/suid", '0', 04775, "s", 1, NULL);
	tar_add(&tar, USTAR, PREFIXED, '0', 0644, "p", 1, NULL);
	tar_add(&tar, GNU, "./dev/null", '3', 0666, NULL, 0, NULL);
	tar_file(&tar, ".//usr/./dots", "d");
	tar_add(&tar, GNU, "./usr/hard", '1', 0644, NULL, 0, "./usr/dots");
	tar_file(&tar, "./etc/skipped", "no");
	tar_end(&tar);

	xz(&tar, &z);
	snprintf(xzdeb, sizeof(xzdeb), "%s", write_deb("w-xz.deb", "2.0\n", ".xz", &z));
	snprintf(dest, sizeof(dest), "%s/w-xz", tmp);
	r = sb_deb_extract(xzdeb, dest, want_rec, &s, why, sizeof(why));
	is_int(r, 5, "written xz: 5 of 6 offered entries extracted (%s)", r < 0 ? why : "ok");
	is_int(s.n, 6, "written xz: a device node is not offered");
	ok(seen(&s, "usr/dots") && seen(&s, "usr/hard"), "\"./\", \".\" and \"//\" normalized");
	{
		size_t len;
		unsigned char *b = slurp(path_of("%s/%s", dest, "usr/big"), &len);

		ok(b && len == sizeof(big) && !memcmp(b, big, len), "300 KB file intact");
		free(b);
	}
	ok(!stat(path_of("%s/%s", dest, "usr/big"), &st) && (st.st_mode & 07777) == 0644 &&
	   !stat(path_of("%s/%s", dest, "usr/suid"), &st) && (st.st_mode & 07777) == 0755,
	   "0600 -> 0644, 04775 -> 0755");
	ok(file_is(path_of("%s/%s", dest, PREFIXED), "p"), "ustar prefix field");
	ok(!exists(path_of("%s/%s", dest, "etc")) && !exists(path_of("%s/%s", dest, "dev")),
	   "unwanted entries and their parents not made");
	ok(no_tmp_left(dest), "no temporary file left");
	r = sb_deb_control(xzdeb, &pkg, &ver, NULL, why, sizeof(why));
	ok(r == 0 && !strcmp(pkg, "linux-image-t") && !strcmp(ver, "9.9-1"),
	   "control: field names case-insensitive, values trimmed");
	if (!r) {
		free(pkg);
		free(ver);
	}

	/* again over the same destination: files replaced */
	r = sb_deb_extract(xzdeb, dest, NULL, NULL, why, sizeof(why));
	is_int(r, 6, "want NULL: everything, over an earlier extraction");

	gz(&tar, &z);
	deb = write_deb("w-gz.deb", "2.0\n", ".gz", &z);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-gz/sub"), NULL, NULL, why,
			   sizeof(why));
	ok(r == -ENOENT, "a destination whose parent is missing: %s", why);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-gz"), NULL, NULL, why, sizeof(why));
	is_int(r, 6, "gzip data.tar (%s)", r < 0 ? why : "ok");
	deb = write_deb("w-raw.deb", "2.0\n", "", &tar);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-raw"), NULL, NULL, why, sizeof(why));
	is_int(r, 6, "uncompressed data.tar (%s)", r < 0 ? why : "ok");
	ok(file_is(path_of("%s/%s", tmp, "w-raw/usr/hard"), "d"), "hard link content");

	/* errors */
	deb = write_deb("w-zst.deb", "2.0\n", ".zst", &z);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-zst"), NULL, NULL, why, sizeof(why));
	ok(r == -EOPNOTSUPP && strstr(why, "data.tar.zst: zstd-compressed packages are not "
				      "supported"), "zstd: %s", why);
	deb = write_deb("w-bz2.deb", "2.0\n", ".bz2", &z);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-bz2"), NULL, NULL, why, sizeof(why));
	ok(r == -EOPNOTSUPP && strstr(why, "bzip2"), "bzip2: %s", why);
	deb = write_deb("w-v3.deb", "3.0\n", ".gz", &z);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-v3"), NULL, NULL, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "\"3.0\"") && strstr(why, "2.x"), "format 3.0: %s", why);

	xz(&tar, &z);
	z.p[z.len / 2] ^= 0x55;
	z.p[z.len / 2 + 1] ^= 0x55;
	deb = write_deb("w-bad.deb", "2.0\n", ".xz", &z);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-bad"), NULL, NULL, why, sizeof(why));
	ok(r == -EBADMSG && strstr(why, "data.tar.xz: xz data corrupt at byte "),
	   "corrupt xz: %s", why);
	gz(&tar, &z);
	z.p[z.len / 2] ^= 0x55;
	deb = write_deb("w-badgz.deb", "2.0\n", ".gz", &z);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-badgz"), NULL, NULL, why, sizeof(why));
	ok(r == -EBADMSG && strstr(why, "gzip data corrupt"), "corrupt gzip: %s", why);
	gz(&tar, &z);
	z.len -= 20;
	deb = write_deb("w-shortgz.deb", "2.0\n", ".gz", &z);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-shortgz"), NULL, NULL, why,
			   sizeof(why));
	ok(r == -EBADMSG && strstr(why, "truncated"), "truncated gzip: %s", why);

	tar.p[512 + 10] ^= 1; /* the name of ./usr/big, under the checksum */
	deb = write_deb("w-sum.deb", "2.0\n", "", &tar);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-sum"), NULL, NULL, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "checksum in entry 2"), "bad tar checksum: %s", why);
	tar.p[512 + 10] ^= 1;
	tar.len = 512 * 3;
	deb = write_deb("w-cut.deb", "2.0\n", "", &tar);
	r = sb_deb_extract(deb, path_of("%s/%s", tmp, "w-cut"), NULL, NULL, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "truncated in entry 2"), "tar cut in a file: %s", why);

	{
		size_t len;
		unsigned char *b = slurp(path_of("%s/%s", tmp, "w-xz.deb"), &len);

		spew(path_of("%s/%s", tmp, "w-short.deb"), b, len - 100);
		free(b);
	}
	r = sb_deb_extract(path_of("%s/%s", tmp, "w-short.deb"), path_of("%s/%s", tmp, "w-short"),
			   NULL, NULL, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "truncated: member data.tar.xz"), "truncated .deb: %s", why);
	spew(path_of("%s/%s", tmp, "text.deb"), "hello\n", 6);
	r = sb_deb_extract(path_of("%s/%s", tmp, "text.deb"), path_of("%s/%s", tmp, "w-text"),
			   NULL, NULL, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "text.deb: not a Debian package (no !<arch> magic: is a "
				  "text file)"), "a text file: %s", why);
	r = sb_deb_control(path_of("%s/tests/data/kimage/%s", top(), "modinfo.ko"), &pkg, NULL,
			   NULL, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "is an ELF file") && !pkg, "an ELF file: %s", why);
	r = sb_deb_extract(path_of("%s/%s", tmp, "nothing.deb"), path_of("%s/%s", tmp, "w-no"),
			   NULL, NULL, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "nothing.deb"), "missing .deb: %s", why);
	{
		struct buf deb2 = { 0 };

		put(&deb2, "!<arch>\n", 8);
		ar_member(&deb2, "control.tar.gz", "x", 1);
		spew(path_of("%s/%s", tmp, "nobin.deb"), deb2.p, deb2.len);
		free(deb2.p);
	}
	r = sb_deb_extract(path_of("%s/%s", tmp, "nobin.deb"), path_of("%s/%s", tmp, "w-nb"), NULL,
			   NULL, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "not debian-binary"), "first member: %s", why);
	free(tar.p);
	free(z.p);
}

static void test_deb_control_missing(void)
{
	struct buf ctl = { 0 }, ctlz = { 0 }, deb = { 0 }, data = { 0 };
	char *pkg = NULL, *arch = NULL;
	const char *p = path_of("%s/%s", tmp, "noarch.deb");
	int r;

	tar_file(&ctl, "./control", "Package: p\nVersion: 1\n");
	tar_end(&ctl);
	xz(&ctl, &ctlz);
	tar_end(&data);
	put(&deb, "!<arch>\n", 8);
	ar_member(&deb, "debian-binary", "2.0\n", 4);
	ar_member(&deb, "control.tar.xz", ctlz.p, ctlz.len);
	ar_member(&deb, "data.tar", data.p, data.len);
	spew(p, deb.p, deb.len);
	r = sb_deb_control(p, &pkg, NULL, &arch, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "no Architecture field") && !pkg && !arch,
	   "missing field: -ENOENT, nothing returned: %s", why);
	r = sb_deb_extract(p, path_of("%s/%s", tmp, "noarch"), NULL, NULL, why, sizeof(why));
	is_int(r, 0, "an empty data.tar extracts nothing");
	free(ctl.p);
	free(ctlz.p);
	free(deb.p);
	free(data.p);
}

/* ------------------------------------------------------------ malicious packages */

static int evil(const char *name, struct buf *tar, const char *dest)
{
	struct buf z = { 0 };
	const char *deb;
	int r;

	tar_end(tar);
	xz(tar, &z);
	deb = write_deb(name, "2.0\n", ".xz", &z);
	r = sb_deb_extract(deb, dest, NULL, NULL, why, sizeof(why));
	free(z.p);
	free(tar->p);
	memset(tar, 0, sizeof(*tar));
	return r;
}

static bool want_not_links(const char *path, void *arg)
{
	want_rec(path, arg);
	return strcmp(path, "evil");
}

static void test_malicious(void)
{
	struct buf tar = { 0 }, z = { 0 };
	char abs[256], target[256], out[256], dest[256];
	struct seen s = { .n = 0 };
	int r;

	snprintf(out, sizeof(out), "%s/outside", tmp);
	snprintf(dest, sizeof(dest), "%s/m", tmp);
	mkdir(out, 0755);
	spew(path_of("%s/%s", out, "target"), "orig", 4);

	tar_file(&tar, "../x", "pwned");
	r = evil("e1.deb", &tar, dest);
	ok(r == -EINVAL && strstr(why, "unsafe path \"../x\"") && strstr(why, ".."),
	   "\"../x\" refused: %s", why);
	ok(!exists(path_of("%s/%s", tmp, "x")), "and nothing written outside");

	tar_file(&tar, "./ok", "fine");
	tar_file(&tar, "./a/../../x", "pwned");
	r = evil("e2.deb", &tar, dest);
	ok(r == -EINVAL && strstr(why, "a/../../x"), "\"a/../../x\" refused: %s", why);
	ok(!exists(path_of("%s/%s", tmp, "x")) && file_is(path_of("%s/%s", dest, "ok"), "fine"),
	   "nothing outside (entries before it stay)");

	snprintf(abs, sizeof(abs), "%s/abs", tmp);
	tar_file(&tar, abs, "pwned");
	r = evil("e3.deb", &tar, dest);
	ok(r == -EINVAL && strstr(why, "absolute path"), "absolute path refused: %s", why);
	ok(!exists(abs), "%s not written", abs);

	/* a symlink to a directory outside, then a file through it */
	tar_add(&tar, GNU, "./evil", '2', 0777, NULL, 0, out);
	tar_file(&tar, "./evil/pwned", "pwned");
	r = evil("e4.deb", &tar, dest);
	ok(r == -ELOOP && strstr(why, "evil is a symlink, refusing"), "through a symlink: %s",
	   why);
	ok(!exists(path_of("%s/%s", out, "pwned")), "nothing written through it");

	tar_add(&tar, GNU, "./evil2", '2', 0777, NULL, 0, "../outside");
	tar_file(&tar, "./evil2/sub/pwned", "pwned");
	r = evil("e5.deb", &tar, dest);
	ok(r == -ELOOP, "through a relative symlink: %s", why);
	ok(!exists(path_of("%s/%s", out, "sub")), "nothing written through it");

	/* a symlink, then a file of the same name: the link is replaced, not followed */
	snprintf(target, sizeof(target), "%s/target", out);
	tar_add(&tar, GNU, "./link", '2', 0777, NULL, 0, target);
	tar_file(&tar, "./link", "new");
	r = evil("e6.deb", &tar, dest);
	is_int(r, 2, "a symlink then a file of its name (%s)", r < 0 ? why : "ok");
	ok(file_is(target, "orig"), "the link's target untouched");
	ok(file_is(path_of("%s/%s", dest, "link"), "new") &&
	   readlink(path_of("%s/%s", dest, "link"), abs, sizeof(abs)) < 0,
	   "the link replaced by the file");

	tar_add(&tar, GNU, "./h", '1', 0644, NULL, 0, "../outside/target");
	r = evil("e7.deb", &tar, dest);
	ok(r == -EINVAL && strstr(why, "unsafe hard link target"), "hard link out: %s", why);
	snprintf(abs, sizeof(abs), "%s/target", out);
	tar_add(&tar, GNU, "./h", '1', 0644, NULL, 0, abs);
	r = evil("e8.deb", &tar, dest);
	ok(r == -EINVAL && strstr(why, "absolute"), "hard link to an absolute path: %s", why);
	tar_add(&tar, GNU, "./h", '1', 0644, NULL, 0, "./not-there");
	r = evil("e9.deb", &tar, dest);
	ok(r == -ENOENT && strstr(why, "not extracted"), "hard link to nothing: %s", why);

	/* a symlink already in the destination is not followed either */
	if (symlink(out, path_of("%s/%s", dest, "pre")))
		tap_bail("symlink failed");
	tar_file(&tar, "./pre/pwned", "pwned");
	r = evil("e10.deb", &tar, dest);
	ok(r == -ELOOP && !exists(path_of("%s/%s", out, "pwned")),
	   "a symlink already in the destination: %s", why);

	/* the caller does not want the symlink: the file lands in a real directory */
	tar_add(&tar, GNU, "./evil", '2', 0777, NULL, 0, out);
	tar_file(&tar, "./evil/inside", "in");
	tar_end(&tar);
	xz(&tar, &z);
	r = sb_deb_extract(write_deb("e11.deb", "2.0\n", ".xz", &z), path_of("%s/%s", tmp, "m2"),
			   want_not_links, &s, why, sizeof(why));
	ok(r == 1 && file_is(path_of("%s/%s", tmp, "m2/evil/inside"), "in") && s.n == 2,
	   "an unwanted symlink is not made: its path becomes a directory");
	free(tar.p);
	free(z.p);
}

/* ------------------------------------------------------------ .modinfo */

static void put_int(unsigned char *p, size_t size, unsigned long long v, bool be)
{
	for (size_t i = 0; i < size; i++)
		p[be ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/*
 * A relocatable ELF object: sections null, @secname (holding @data) and
 * .shstrtab. Returns its size.
 */
static size_t make_elf(unsigned char *o, bool is64, bool be, const char *secname,
		       const void *data, size_t dlen)
{
	size_t eh = is64 ? 64 : 52, sh = is64 ? 64 : 40;
	char names[64];
	size_t nlen, data_off = eh, str_off, sh_off;
	size_t name1 = 1, name2;

	nlen = (size_t)snprintf(names, sizeof(names), "%c%s%c.shstrtab", 0, secname, 0) + 1;
	name2 = name1 + strlen(secname) + 1;
	str_off = data_off + dlen;
	sh_off = (str_off + nlen + 7) & ~(size_t)7;
	memset(o, 0, sh_off + 3 * sh);
	memcpy(o, "\x7f" "ELF", 4);
	o[4] = is64 ? 2 : 1;
	o[5] = be ? 2 : 1;
	o[6] = 1;
	put_int(o + 16, 2, 1, be); /* ET_REL */
	put_int(o + 18, 2, is64 ? 62 : 3, be);
	put_int(o + 20, 4, 1, be);
	if (is64) {
		put_int(o + 0x28, 8, sh_off, be);
		put_int(o + 0x34, 2, eh, be);
		put_int(o + 0x3a, 2, sh, be);
		put_int(o + 0x3c, 2, 3, be);
		put_int(o + 0x3e, 2, 2, be);
	} else {
		put_int(o + 0x20, 4, sh_off, be);
		put_int(o + 0x28, 2, eh, be);
		put_int(o + 0x2e, 2, sh, be);
		put_int(o + 0x30, 2, 3, be);
		put_int(o + 0x32, 2, 2, be);
	}
	memcpy(o + data_off, data, dlen);
	memcpy(o + str_off, names, nlen);
	for (int i = 1; i < 3; i++) {
		unsigned char *s = o + sh_off + (size_t)i * sh;
		size_t off = i == 1 ? data_off : str_off, size = i == 1 ? dlen : nlen;

		put_int(s, 4, i == 1 ? name1 : name2, be);
		put_int(s + 4, 4, i == 1 ? 1 : 3, be); /* PROGBITS, STRTAB */
		put_int(s + (is64 ? 24 : 16), is64 ? 8 : 4, off, be);
		put_int(s + (is64 ? 32 : 20), is64 ? 8 : 4, size, be);
	}
	return sh_off + 3 * sh;
}

static bool deps_are(char **d, size_t n, const char *a, const char *b)
{
	size_t want = !a ? 0 : !b ? 1 : 2;

	return n == want && (!a || !strcmp(d[0], a)) && (!b || !strcmp(d[1], b));
}

static void test_modinfo(void)
{
	static const char mi1[] = "license=GPL\0depends=\0name=y";
	static const char mi2[] = "alias=foo\0\0\0depends=virtio,virtio_ring\0name=virtio_blk";
	static const char mi3[] = "license=GPL\0name=z";
	unsigned char elf[1024], *b;
	char **d;
	size_t n, len;
	int r;

	r = sb_kmod_depends(path_of("%s/tests/data/kimage/%s", top(), "modinfo.ko"), &d, &n, why,
			    sizeof(why));
	ok(r == 0 && deps_are(d, n, "a", "b"), "modinfo.ko (gcc -c): depends=a,b");
	sb_kmod_free_list(d, n);
	r = sb_kmod_depends(path_of("%s/tests/data/kimage/%s", top(), "modinfo.ko.xz"), &d, &n,
			    why, sizeof(why));
	ok(r == 0 && deps_are(d, n, "a", "b"), "modinfo.ko.xz: depends=a,b (%s)",
	   r ? why : "ok");
	sb_kmod_free_list(d, n);
	b = slurp(path_of("%s/tests/data/kimage/%s", top(), "modinfo.ko"), &len);
	if (b) {
		struct buf in = { b, len, len }, out = { 0 };

		gz(&in, &out);
		spew(path_of("%s/%s", tmp, "modinfo.ko.gz"), out.p, out.len);
		r = sb_kmod_depends(path_of("%s/%s", tmp, "modinfo.ko.gz"), &d, &n, why,
				    sizeof(why));
		ok(r == 0 && deps_are(d, n, "a", "b"), "modinfo.ko.gz: depends=a,b");
		sb_kmod_free_list(d, n);
		b[len / 2] ^= 0xff;
		xz(&in, &out);
		out.p[out.len / 2] ^= 0x10;
		spew(path_of("%s/%s", tmp, "bad.ko.xz"), out.p, out.len);
		r = sb_kmod_depends(path_of("%s/%s", tmp, "bad.ko.xz"), &d, &n, why, sizeof(why));
		ok(r == -EBADMSG && strstr(why, "bad.ko.xz: xz data"), "corrupt .ko.xz: %s", why);
		free(out.p);
		free(b);
	} else {
		tap_bail("cannot read tests/data/kimage/modinfo.ko");
	}

	len = make_elf(elf, true, false, ".modinfo", mi1, sizeof(mi1));
	r = sb_kmod_depends_buf(elf, len, &d, &n, why, sizeof(why));
	ok(r == 0 && n == 0 && !d, "ELF64 LE, empty depends=: no dependencies");
	len = make_elf(elf, false, true, ".modinfo", mi2, sizeof(mi2));
	r = sb_kmod_depends_buf(elf, len, &d, &n, why, sizeof(why));
	ok(r == 0 && deps_are(d, n, "virtio", "virtio_ring"), "ELF32 BE, NUL padding: two (%s)",
	   r ? why : "ok");
	sb_kmod_free_list(d, n);
	len = make_elf(elf, true, true, ".modinfo", mi3, sizeof(mi3));
	r = sb_kmod_depends_buf(elf, len, &d, &n, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "no depends="), "no depends= field: %s", why);
	len = make_elf(elf, true, false, ".text", mi1, sizeof(mi1));
	r = sb_kmod_depends_buf(elf, len, &d, &n, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "no .modinfo section"), "no .modinfo: %s", why);
	len = make_elf(elf, true, false, ".modinfo", mi1, sizeof(mi1));
	r = sb_kmod_depends_buf(elf, len - 1, &d, &n, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, "out of bounds"), "section headers cut: %s", why);
	put_int(elf + elf[0x28] + 64 + 32, 8, 100000, false); /* .modinfo sh_size */
	r = sb_kmod_depends_buf(elf, len, &d, &n, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, ".modinfo section out of bounds"), "%s", why);
	r = sb_kmod_depends_buf(mi2, sizeof(mi2), &d, &n, why, sizeof(why));
	ok(r == -ENOEXEC && strstr(why, "not an ELF"), "not ELF: %s", why);
	spew(path_of("%s/%s", tmp, "z.ko.zst"), "\x28\xb5\x2f\xfd\0\0\0\0", 8);
	r = sb_kmod_depends(path_of("%s/%s", tmp, "z.ko.zst"), &d, &n, why, sizeof(why));
	ok(r == -EOPNOTSUPP && strstr(why, "zstd"), "zstd module: %s", why);
	r = sb_kmod_depends(path_of("%s/%s", tmp, "none.ko"), &d, &n, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "none.ko"), "missing module: %s", why);
}

/* ------------------------------------------------------------ closure */

static void put_ko(const char *root, const char *rel, const char *depends, bool compress)
{
	unsigned char elf[1024];
	char mi[256], dir[4096];
	size_t len, mlen;
	char *slash;

	mlen = (size_t)snprintf(mi, sizeof(mi), "license=GPL%cdepends=%s%cname=n", 0,
				depends, 0) + 1;
	len = make_elf(elf, true, false, ".modinfo", mi, mlen);
	snprintf(dir, sizeof(dir), "%s/%s", root, rel);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	if (compress) {
		struct buf in = { elf, len, len }, out = { 0 };

		xz(&in, &out);
		spew(dir, out.p, out.len);
		free(out.p);
	} else {
		spew(dir, elf, len);
	}
}

static bool order_is(char **p, size_t n, const char *root, const char *const *want, size_t nw)
{
	size_t rl = strlen(root);

	if (n != nw) {
		tap_diag("%zu modules, want %zu", n, nw);
		for (size_t i = 0; i < n; i++)
			tap_diag("  %s", p[i]);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(p[i], root, rl) || p[i][rl] != '/' || strcmp(p[i] + rl + 1, want[i])) {
			tap_diag("#%zu: %s, want %s", i, p[i], want[i]);
			return false;
		}
	return true;
}

static void test_closure(void)
{
	static const char *const want1[] = { "xfs", "virtio-blk", "virtio_pci", "loop",
		"crc32c_generic", "bar-baz", "virtio_blk.ko" };
	static const char *const order1[] = {
		"kernel/lib/libcrc32c.ko", "kernel/fs/xfs/xfs.ko.xz",
		"kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
		"kernel/drivers/block/virtio_blk.ko",
		"kernel/drivers/virtio/virtio_pci_modern_dev.ko",
		"kernel/drivers/virtio/virtio_pci.ko", "updates/loop.ko",
	};
	const char *one[1];
	char name[64], root[256], **p;
	size_t n;
	int r;

	snprintf(root, sizeof(root), "%s/lib/modules/1.0", tmp);
	mkdir(path_of("%s/%s", tmp, "lib"), 0755);
	mkdir(path_of("%s/%s", tmp, "lib/modules"), 0755);
	mkdir(root, 0755);
	put_ko(root, "kernel/fs/xfs/xfs.ko.xz", "libcrc32c", true);
	put_ko(root, "kernel/lib/libcrc32c.ko", "", false);
	put_ko(root, "kernel/drivers/block/virtio_blk.ko", "virtio,virtio_ring", false);
	put_ko(root, "kernel/drivers/virtio/virtio.ko", "virtio_ring", false);
	put_ko(root, "kernel/drivers/virtio/virtio_ring.ko", "", false);
	put_ko(root, "kernel/drivers/virtio/virtio_pci.ko",
	       "virtio_pci_modern-dev,virtio,virtio_ring", false);
	put_ko(root, "kernel/drivers/virtio/virtio_pci_modern_dev.ko", "virtio", false);
	put_ko(root, "kernel/drivers/block/loop.ko", "", false);
	put_ko(root, "updates/loop.ko", "", false);
	put_ko(root, "kernel/a/cyc1.ko", "cyc2", false);
	put_ko(root, "kernel/a/cyc2.ko", "cyc1", false);
	put_ko(root, "kernel/a/needs-gone.ko", "gone", false);
	mkdir(path_of("%s/%s", tmp, "elsewhere"), 0755);
	put_ko(path_of("%s/%s", tmp, "elsewhere"), "x/evil.ko", "", false);
	if (symlink(path_of("%s/%s", tmp, "elsewhere"), path_of("%s/%s", root, "build")))
		tap_bail("symlink failed");
	spew(path_of("%s/%s", root, "modules.builtin"),
	     "kernel/crypto/crc32c_generic.ko\nkernel/drivers/foo/bar_baz.ko\n", 63);

	r = sb_kmod_closure(root, want1, 7, &p, &n, why, sizeof(why));
	ok(r == 0 && order_is(p, n, root, order1, 8),
	   "dependencies first, each once, built-ins skipped, '-' = '_', updates/ wins (%s)",
	   r ? why : "ok");
	sb_kmod_free_list(p, n);

	one[0] = "nosuch";
	r = sb_kmod_closure(root, one, 1, &p, &n, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "module nosuch is not in") && !p && !n,
	   "missing module: %s", why);
	one[0] = "needs_gone";
	r = sb_kmod_closure(root, one, 1, &p, &n, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "module gone (needed by needs_gone)"),
	   "missing dependency: %s", why);
	one[0] = "cyc1";
	r = sb_kmod_closure(root, one, 1, &p, &n, why, sizeof(why));
	ok(r == -ELOOP && strstr(why, "cycle"), "cycle: %s", why);
	one[0] = "evil";
	r = sb_kmod_closure(root, one, 1, &p, &n, why, sizeof(why));
	ok(r == -ENOENT, "a symlinked directory is not searched");
	r = sb_kmod_closure(root, NULL, 0, &p, &n, why, sizeof(why));
	ok(r == 0 && n == 0 && !p, "nothing wanted: nothing");
	unlink(path_of("%s/%s", root, "modules.builtin"));
	one[0] = "crc32c-generic";
	r = sb_kmod_closure(root, one, 1, &p, &n, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "(no modules.builtin)"), "no modules.builtin: %s", why);
	r = sb_kmod_closure(path_of("%s/%s", tmp, "no/such"), one, 1, &p, &n, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "no/such"), "missing tree: %s", why);

	ok(sb_kmod_name("kernel/drivers/block/virtio-blk.ko.xz", name, sizeof(name)) &&
	   !strcmp(name, "virtio_blk"), "name of a path");
	ok(sb_kmod_name("nls_cp437", name, sizeof(name)) && !strcmp(name, "nls_cp437") &&
	   sb_kmod_name("a.ko.gz", name, sizeof(name)) && !strcmp(name, "a") &&
	   sb_kmod_name("b.ko.zst", name, sizeof(name)) && !strcmp(name, "b"),
	   "plain names and suffixes");
	ok(!sb_kmod_name(".ko", name, sizeof(name)) && !sb_kmod_name("dir/", name, sizeof(name)) &&
	   !sb_kmod_name("abcdef", name, 4), "empty or too long: false");
}

/* also when a check bails out (tap_bail exits) */
static void remove_tmp(void)
{
	if (tmp[0])
		tap_rm_rf(tmp);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/sb-t_kimage-XXXXXX");
	if (!mkdtemp(tmp))
		tap_bail("mkdtemp: cannot create a temporary directory");
	atexit(remove_tmp);
	test_bzimage();
	test_bzimage_file();
	test_fixture("xz", 7);
	test_fixture("gz", 7);
	test_fixture("pax", 8);
	test_deb_written();
	test_deb_control_missing();
	test_malicious();
	test_modinfo();
	test_closure();
	tap_rm_rf(tmp);
	ok(access(tmp, F_OK) != 0, "temporary directory removed");
	return tap_done();
}
