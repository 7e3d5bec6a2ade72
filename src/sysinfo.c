// SPDX-License-Identifier: MIT
/*
 * Host facts for result files. Every reader either stores the exact value
 * the kernel reports (trimmed) or JSON null plus "<key>_reason".
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "sysinfo.h"
#include "sysinfo_parse.h"

#ifndef SECURITYFS_MAGIC
#define SECURITYFS_MAGIC 0x73636673
#endif

#define SYS_CPU "/sys/devices/system/cpu"
#define SECURITYFS_DIR "/sys/kernel/security"
#define LOCKDOWN_FILE SECURITYFS_DIR "/lockdown"
#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

#define READ_MAX (64 * SB_MIB)	 /* no host file we read comes close */
#define LOCKDOWN_TIMEOUT_MS 5000 /* bound on the securityfs helper child */
#define REASON_MAX 512

/* ------------------------------------------------------------ pure parsers */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Copy @n bytes of @s into @out as a string, or -ERANGE (out emptied). */
static int copy_n(char *out, size_t out_len, const char *s, size_t n)
{
	if (!out || out_len == 0)
		return -ERANGE;
	if (n >= out_len) {
		out[0] = '\0';
		return -ERANGE;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Decimal digits at *p into *val (no sign, no whitespace); advances *p. */
static int parse_uint(const char **p, unsigned int *val)
{
	const char *s = *p;
	unsigned long long v = 0;

	if (!is_digit(*s))
		return -EINVAL;
	while (is_digit(*s)) {
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > 0xffffffffULL)
			return -EINVAL;
		s++;
	}
	*val = (unsigned int)v;
	*p = s;
	return 0;
}

int sb_parse_kernel_release(const char *rel, unsigned int *major, unsigned int *minor,
			    unsigned int *patch)
{
	unsigned int ma, mi, pa = 0;
	const char *p = rel;

	if (!rel || !major || !minor || !patch)
		return -EINVAL;
	if (parse_uint(&p, &ma) || *p++ != '.' || parse_uint(&p, &mi))
		return -EINVAL;
	/* "6.5", "6.5-rc3", "6.5+" have no patch level: it is 0 */
	if (*p == '.') {
		p++;
		if (parse_uint(&p, &pa))
			return -EINVAL;
	}
	*major = ma;
	*minor = mi;
	*patch = pa;
	return 0;
}

int sb_parse_bracketed(const char *s, char *out, size_t out_len)
{
	const char *open, *close;

	if (out && out_len)
		out[0] = '\0';
	if (!s)
		return -EINVAL;
	for (open = strchr(s, '['); open; open = strchr(close, '[')) {
		close = strchr(open + 1, ']');
		if (!close)
			break;
		if (close > open + 1)
			return copy_n(out, out_len, open + 1, (size_t)(close - open - 1));
	}
	return -EINVAL;
}

int sb_parse_cpu_list_count(const char *s, unsigned int *count)
{
	unsigned long long total = 0;
	unsigned int lo, hi;
	const char *p = s;

	if (!s || !count)
		return -EINVAL;
	while (is_space(*p))
		p++;
	for (;;) {
		if (parse_uint(&p, &lo))
			return -EINVAL;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_uint(&p, &hi) || hi < lo)
				return -EINVAL;
		}
		total += (unsigned long long)hi - lo + 1;
		if (total > 0xffffffffULL)
			return -EINVAL;
		if (*p != ',')
			break;
		p++;
	}
	while (is_space(*p))
		p++;
	if (*p)
		return -EINVAL;
	*count = (unsigned int)total;
	return 0;
}

/*
 * Find the first line "key : value" whose trimmed key equals @key; return the
 * trimmed value as a pointer into @text and its length.
 */
static int find_key_line(const char *text, const char *key, const char **val, size_t *val_len)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		const char *end = eol ? eol : line + strlen(line);
		const char *colon = memchr(line, ':', (size_t)(end - line));

		if (colon) {
			const char *ke = colon;

			while (ke > line && is_space(ke[-1]))
				ke--;
			if ((size_t)(ke - line) == klen && memcmp(line, key, klen) == 0) {
				const char *v = colon + 1;
				const char *ve = end;

				while (v < ve && is_space(*v))
					v++;
				while (ve > v && is_space(ve[-1]))
					ve--;
				*val = v;
				*val_len = (size_t)(ve - v);
				return 0;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return -ENOENT;
}

int sb_cpuinfo_value(const char *text, const char *key, char *out, size_t out_len)
{
	const char *v;
	size_t n;
	int err;

	if (out && out_len)
		out[0] = '\0';
	if (!text || !key)
		return -EINVAL;
	err = find_key_line(text, key, &v, &n);
	if (err)
		return err;
	return copy_n(out, out_len, v, n);
}

int sb_cpuinfo_has_flag(const char *text, const char *flag)
{
	const char *v, *end;
	size_t n, flen;
	int err;

	if (!text || !flag || !*flag)
		return -EINVAL;
	err = find_key_line(text, "flags", &v, &n);
	if (err)
		return err;
	flen = strlen(flag);
	end = v + n;
	while (v < end) {
		const char *w = v;

		while (w < end && !is_space(*w))
			w++;
		if ((size_t)(w - v) == flen && memcmp(v, flag, flen) == 0)
			return 1;
		v = w;
		while (v < end && is_space(*v))
			v++;
	}
	return 0;
}

int sb_parse_meminfo_kb(const char *text, const char *key, uint64_t *kb)
{
	unsigned long long v = 0;
	const char *p, *end;
	size_t n;
	int err;

	if (!text || !key || !kb)
		return -EINVAL;
	err = find_key_line(text, key, &p, &n);
	if (err)
		return err;
	end = p + n;
	if (p == end || !is_digit(*p))
		return -EINVAL;
	while (p < end && is_digit(*p)) {
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (unsigned int)(*p - '0');
		p++;
	}
	while (p < end && is_space(*p))
		p++;
	if (p != end && !(end - p == 2 && p[0] == 'k' && p[1] == 'B'))
		return -EINVAL;
	*kb = v;
	return 0;
}

static int cmp_strp(const void *a, const void *b)
{
	const char *const *x = a;
	const char *const *y = b;

	return strcmp(*x, *y);
}

int sb_summarize_values(const char *const *vals, size_t n, char *out, size_t out_len)
{
	const char **sorted;
	size_t i, used;
	int err = 0;

	if (out && out_len)
		out[0] = '\0';
	if (!vals || n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!vals[i])
			return -EINVAL;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, vals, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_strp);
	if (strcmp(sorted[0], sorted[n - 1]) == 0) {
		err = copy_n(out, out_len, sorted[0], strlen(sorted[0]));
		goto out_free;
	}
	err = copy_n(out, out_len, "mixed: ", 7);
	if (err)
		goto out_free;
	used = 7;
	for (i = 0; i < n; i++) {
		size_t len;

		if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
			continue;
		len = strlen(sorted[i]);
		if (used + (i > 0) + len >= out_len) {
			out[0] = '\0';
			err = -ERANGE;
			goto out_free;
		}
		if (i > 0)
			out[used++] = ',';
		memcpy(out + used, sorted[i], len);
		used += len;
		out[used] = '\0';
	}
out_free:
	free(sorted);
	return err;
}

/* ------------------------------------------------------------ file access */

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	while (is_space(s[i]))
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
}

/* Whole file as a malloc'ed string in *out; 0 or -errno. */
static int read_text(const char *path, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf, *nbuf;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t r;

		if (len + 1 == cap) {
			if (cap >= READ_MAX) {
				err = -EFBIG;
				goto out_free;
			}
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				err = -ENOMEM;
				goto out_free;
			}
			buf = nbuf;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out_free;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	close(fd);
	return 0;

out_free:
	free(buf);
out_close:
	close(fd);
	return err;
}

static int read_trimmed(const char *path, char **out)
{
	int err = read_text(path, out);

	if (!err)
		trim(*out);
	return err;
}

/* "<prefix><path>: <strerror>" into @why. */
static void errno_reason(char *why, size_t why_len, const char *prefix, const char *path, int err)
{
	char ebuf[128];
	const char *msg;

	if (!why || !why_len)
		return;
	msg = strerror_r(err < 0 ? -err : err, ebuf, sizeof(ebuf));
	snprintf(why, why_len, "%s%s: %s", prefix ? prefix : "", path, msg);
}

/* ------------------------------------------------------------ lockdown */

enum ld_step {
	LD_OK,
	LD_UNSHARE,
	LD_PRIVATE,
	LD_MOUNT,
	LD_OPEN,
	LD_READ,
};

/* What the helper child sends back: one write, smaller than PIPE_BUF. */
struct ld_msg {
	int step;
	int err;
	int len;
	char data[256];
};

static void SB_NORETURN lockdown_child(int wfd)
{
	struct ld_msg m;
	ssize_t r;
	int fd;

	memset(&m, 0, sizeof(m));
	m.step = LD_UNSHARE;
	if (unshare(CLONE_NEWNS))
		goto fail;
	/*
	 * Nothing mounted below may propagate back to the host. The kernel
	 * ignores the type of a propagation change; "none" rather than NULL
	 * only keeps valgrind from flagging the NULL string.
	 */
	m.step = LD_PRIVATE;
	if (mount(NULL, "/", "none", MS_REC | MS_PRIVATE, NULL))
		goto fail;
	m.step = LD_MOUNT;
	if (mount("securityfs", SECURITYFS_DIR, "securityfs", 0, NULL))
		goto fail;
	m.step = LD_OPEN;
	fd = open(LOCKDOWN_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	m.step = LD_READ;
	do
		r = read(fd, m.data, sizeof(m.data) - 1);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		goto fail;
	m.len = (int)r;
	m.step = LD_OK;
	goto send;
fail:
	m.err = errno;
send:
	do
		r = write(wfd, &m, sizeof(m));
	while (r < 0 && errno == EINTR);
	_exit(r == (ssize_t)sizeof(m) ? 0 : 1);
}

static long long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000LL +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Read one ld_msg from @fd within the deadline: 0, -ETIMEDOUT, -EPIPE or -errno. */
static int read_msg(int fd, struct ld_msg *m)
{
	struct timespec deadline;
	size_t got = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += LOCKDOWN_TIMEOUT_MS / 1000;
	while (got < sizeof(*m)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = ms_left(&deadline);
		ssize_t r;
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ETIMEDOUT;
		r = read(fd, (char *)m + got, sizeof(*m) - got);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EPIPE;
		got += (size_t)r;
	}
	return 0;
}

/* The helper child's answer turned into a mode or a reason. */
static int lockdown_from_msg(const struct ld_msg *m, char *mode, size_t mode_len, char *why,
			     size_t why_len)
{
	static const char *const what[] = {
		[LD_UNSHARE] = "unshare(CLONE_NEWNS)",
		[LD_PRIVATE] = "mount(/, MS_REC|MS_PRIVATE)",
		[LD_MOUNT] = "mount(securityfs, " SECURITYFS_DIR ")",
		[LD_OPEN] = LOCKDOWN_FILE,
		[LD_READ] = LOCKDOWN_FILE,
	};
	char text[sizeof(m->data)];
	int err;

	if (m->step == LD_OPEN && m->err == ENOENT) {
		snprintf(why, why_len, "lockdown LSM not present (no %s)", LOCKDOWN_FILE);
		return -ENOENT;
	}
	if (m->step == LD_MOUNT && m->err == ENODEV) {
		errno_reason(why, why_len,
			     "securityfs not supported by this kernel: ", what[LD_MOUNT], m->err);
		return -ENODEV;
	}
	if (m->step != LD_OK) {
		if (m->step < LD_UNSHARE || m->step > LD_READ || m->err <= 0) {
			snprintf(why, why_len, "securityfs helper sent a bad message");
			return -EPROTO;
		}
		errno_reason(why, why_len, "mounting securityfs privately: ", what[m->step],
			     m->err);
		return -m->err;
	}
	if (m->len < 0 || (size_t)m->len >= sizeof(text)) {
		snprintf(why, why_len, "securityfs helper sent a bad message");
		return -EPROTO;
	}
	memcpy(text, m->data, (size_t)m->len);
	text[m->len] = '\0';
	trim(text);
	err = sb_parse_bracketed(text, mode, mode_len);
	if (err == -ERANGE)
		snprintf(why, why_len, "lockdown mode does not fit in %zu bytes", mode_len);
	else if (err)
		snprintf(why, why_len, "no [active] mode in %s: '%s'", LOCKDOWN_FILE, text);
	return err;
}

static int lockdown_via_child(char *mode, size_t mode_len, char *why, size_t why_len)
{
	struct ld_msg m;
	int pfd[2], status = 0, err;
	pid_t pid, w;

	if (pipe2(pfd, O_CLOEXEC)) {
		err = -errno;
		errno_reason(why, why_len, NULL, "pipe", err);
		return err;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		errno_reason(why, why_len, NULL, "fork", err);
		goto out_close;
	}
	if (pid == 0) {
		close(pfd[0]);
		lockdown_child(pfd[1]);
	}
	close(pfd[1]);
	pfd[1] = -1;

	memset(&m, 0, sizeof(m));
	err = read_msg(pfd[0], &m);
	if (err == -ETIMEDOUT)
		kill(pid, SIGKILL);
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);

	if (err == -ETIMEDOUT) {
		snprintf(why, why_len, "securityfs helper gave no answer within %d ms",
			 LOCKDOWN_TIMEOUT_MS);
	} else if (err) {
		if (w == pid && WIFSIGNALED(status))
			snprintf(why, why_len, "securityfs helper killed by signal %d",
				 WTERMSIG(status));
		else
			errno_reason(why, why_len, NULL, "reading from the securityfs helper", err);
	} else {
		err = lockdown_from_msg(&m, mode, mode_len, why, why_len);
	}
out_close:
	close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	return err;
}

int sb_sysinfo_lockdown(char *mode, size_t mode_len, char *why, size_t why_len)
{
	char dummy[REASON_MAX];
	struct statfs sfs;
	char *text;
	int err;

	if (!why || !why_len) {
		why = dummy;
		why_len = sizeof(dummy);
	}
	why[0] = '\0';
	if (!mode || !mode_len) {
		snprintf(why, why_len, "no buffer for the lockdown mode");
		return -EINVAL;
	}
	mode[0] = '\0';

	err = read_trimmed(LOCKDOWN_FILE, &text);
	if (!err) {
		err = sb_parse_bracketed(text, mode, mode_len);
		if (err == -ERANGE)
			snprintf(why, why_len, "lockdown mode does not fit in %zu bytes", mode_len);
		else if (err)
			snprintf(why, why_len, "no [active] mode in %s: '%s'", LOCKDOWN_FILE, text);
		free(text);
		return err;
	}
	if (err != -ENOENT) {
		errno_reason(why, why_len, NULL, LOCKDOWN_FILE, err);
		return err;
	}

	/* no file: either securityfs is not mounted, or the LSM is missing */
	if (statfs(SECURITYFS_DIR, &sfs)) {
		err = -errno;
		errno_reason(why, why_len, "securityfs not available: ", SECURITYFS_DIR, err);
		return err;
	}
	if (sfs.f_type == SECURITYFS_MAGIC) {
		snprintf(why, why_len, "lockdown LSM not present (no %s)", LOCKDOWN_FILE);
		return -ENOENT;
	}
	if (geteuid() != 0) {
		snprintf(why, why_len, "securityfs not mounted and mounting it needs root");
		return -EPERM;
	}
	return lockdown_via_child(mode, mode_len, why, why_len);
}

int sb_kernel_version(unsigned int *major, unsigned int *minor, unsigned int *patch)
{
	struct utsname u;

	if (uname(&u))
		return -EINVAL;
	return sb_parse_kernel_release(u.release, major, minor, patch);
}

/* ------------------------------------------------------------ JSON building */

struct ctx {
	bool failed; /* out of memory somewhere: the whole object is dropped */
};

static void put(struct ctx *c, json_t *obj, const char *key, json_t *val)
{
	/* json_object_set_new() drops @val on failure */
	if (!val || json_object_set_new(obj, key, val))
		c->failed = true;
}

/* A reason must always serialise: bytes that are not ASCII become '?'. */
static json_t *reason_string(char *s)
{
	json_t *j = json_string(s);

	if (!j) {
		for (char *p = s; *p; p++)
			if ((unsigned char)*p >= 0x80 || iscntrl((unsigned char)*p))
				*p = '?';
		j = json_string(s);
	}
	return j;
}

static void put_unknown(struct ctx *c, json_t *obj, const char *key, const char *fmt, ...)
	SB_PRINTF(4, 5);

/* key = null, key_reason = why. */
static void put_unknown(struct ctx *c, json_t *obj, const char *key, const char *fmt, ...)
{
	char rkey[128], why[REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if ((size_t)snprintf(rkey, sizeof(rkey), "%s_reason", key) >= sizeof(rkey)) {
		c->failed = true;
		return;
	}
	put(c, obj, key, json_null());
	put(c, obj, rkey, reason_string(why));
}

static void put_errno(struct ctx *c, json_t *obj, const char *key, const char *prefix,
		      const char *path, int err)
{
	char why[REASON_MAX];

	errno_reason(why, sizeof(why), prefix, path, err);
	put_unknown(c, obj, key, "%s", why);
}

static void put_str(struct ctx *c, json_t *obj, const char *key, const char *val)
{
	json_t *j = json_string(val);

	if (j)
		put(c, obj, key, j);
	else
		put_unknown(c, obj, key, "value is not valid UTF-8");
}

static void put_int(struct ctx *c, json_t *obj, const char *key, long long val)
{
	put(c, obj, key, json_integer(val));
}

/* A nested object, filled by the caller, attached once complete. */
static json_t *new_obj(struct ctx *c)
{
	json_t *o = json_object();

	if (!o)
		c->failed = true;
	return o;
}

static void attach(struct ctx *c, json_t *parent, const char *key, json_t *child)
{
	if (child)
		put(c, parent, key, child);
}

/* A file whose whole trimmed content is the value. */
static void host_str_file(struct ctx *c, json_t *obj, const char *key, const char *path)
{
	char *text;
	int err = read_trimmed(path, &text);

	if (err) {
		put_errno(c, obj, key, NULL, path, err);
		return;
	}
	put_str(c, obj, key, text);
	free(text);
}

/* A file holding one decimal integer (may be negative). */
static void host_int_file(struct ctx *c, json_t *obj, const char *key, const char *path)
{
	char *text, *end;
	long long v;
	int err = read_trimmed(path, &text);

	if (err) {
		put_errno(c, obj, key, NULL, path, err);
		return;
	}
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || end == text || *end)
		put_unknown(c, obj, key, "%s: not an integer: '%.64s'", path, text);
	else
		put_int(c, obj, key, v);
	free(text);
}

/* A sysfs choice file such as "always [madvise] never": the bracketed one. */
static void host_choice_file(struct ctx *c, json_t *obj, const char *key, const char *path,
			     const char *enoent_prefix)
{
	char *text, val[128];
	int err = read_trimmed(path, &text);

	if (err) {
		put_errno(c, obj, key, err == -ENOENT ? enoent_prefix : NULL, path, err);
		return;
	}
	err = sb_parse_bracketed(text, val, sizeof(val));
	if (err)
		put_unknown(c, obj, key, "%s: no [active] value in '%.128s'", path, text);
	else
		put_str(c, obj, key, val);
	free(text);
}

static void host_uname(struct ctx *c, json_t *host)
{
	static const char *const kkeys[] = {"release", "version", "machine"};
	json_t *k = new_obj(c);
	struct utsname u;

	if (!k)
		return;
	if (uname(&u)) {
		int err = errno;

		put_errno(c, host, "hostname", NULL, "uname", err);
		for (size_t i = 0; i < SB_ARRAY_SIZE(kkeys); i++)
			put_errno(c, k, kkeys[i], NULL, "uname", err);
	} else {
		put_str(c, host, "hostname", u.nodename);
		put_str(c, k, "release", u.release);
		put_str(c, k, "version", u.version);
		put_str(c, k, "machine", u.machine);
	}
	attach(c, host, "kernel", k);
}

/*
 * CPU model: "model name" (x86, and others that print it), then the keys
 * other architectures use for the same thing; arm64 prints only numeric IDs,
 * which are reported as "CPU implementer <x> part <y>".
 */
static void cpu_model(struct ctx *c, json_t *cpu, const char *info)
{
	static const char *const keys[] = {"model name", "cpu model", "Processor", "cpu", "uarch"};
	char val[256], impl[32], part[32];

	for (size_t i = 0; i < SB_ARRAY_SIZE(keys); i++) {
		if (!sb_cpuinfo_value(info, keys[i], val, sizeof(val)) && val[0]) {
			put_str(c, cpu, "model", val);
			return;
		}
	}
	if (!sb_cpuinfo_value(info, "CPU implementer", impl, sizeof(impl)) &&
	    !sb_cpuinfo_value(info, "CPU part", part, sizeof(part)) && impl[0] && part[0]) {
		snprintf(val, sizeof(val), "CPU implementer %s part %s", impl, part);
		put_str(c, cpu, "model", val);
		return;
	}
	put_unknown(c, cpu, "model",
		    "/proc/cpuinfo has none of 'model name', 'cpu model', 'Processor', 'cpu', "
		    "'uarch', 'CPU implementer'+'CPU part'");
}

static void cpu_possible(struct ctx *c, json_t *cpu)
{
	static const char path[] = SYS_CPU "/possible";
	unsigned int n;
	char *text;
	int err = read_trimmed(path, &text);

	if (err) {
		put_errno(c, cpu, "possible", NULL, path, err);
		return;
	}
	if (sb_parse_cpu_list_count(text, &n))
		put_unknown(c, cpu, "possible", "%s: not a CPU list: '%.64s'", path, text);
	else
		put_int(c, cpu, "possible", n);
	free(text);
}

static void cpu_hypervisor(struct ctx *c, json_t *cpu, const char *info)
{
	int hv = sb_cpuinfo_has_flag(info, "hypervisor");

	if (hv < 0)
		put_unknown(c, cpu, "hypervisor",
			    "no 'flags' line in /proc/cpuinfo (the hypervisor flag is x86-only)");
	else
		put(c, cpu, "hypervisor", json_boolean(hv));
}

static void host_cpu(struct ctx *c, json_t *host)
{
	json_t *cpu = new_obj(c);
	char *info;
	long online;
	int err;

	if (!cpu)
		return;
	err = read_text("/proc/cpuinfo", &info);
	if (err)
		put_errno(c, cpu, "model", NULL, "/proc/cpuinfo", err);
	else
		cpu_model(c, cpu, info);

	errno = 0;
	online = sysconf(_SC_NPROCESSORS_ONLN);
	if (online < 1)
		put_errno(c, cpu, "online", NULL, "sysconf(_SC_NPROCESSORS_ONLN)",
			  online < 0 && errno ? errno : EINVAL);
	else
		put_int(c, cpu, "online", online);

	cpu_possible(c, cpu);

	if (err) {
		put_errno(c, cpu, "hypervisor", NULL, "/proc/cpuinfo", err);
	} else {
		cpu_hypervisor(c, cpu, info);
		free(info);
	}
	attach(c, host, "cpu", cpu);
}

static void host_memory(struct ctx *c, json_t *host)
{
	uint64_t kb;
	char *text;
	int err = read_text("/proc/meminfo", &text);

	if (err) {
		put_errno(c, host, "memory_bytes", NULL, "/proc/meminfo", err);
		return;
	}
	err = sb_parse_meminfo_kb(text, "MemTotal", &kb);
	if (err)
		put_unknown(c, host, "memory_bytes", "/proc/meminfo: %s MemTotal line",
			    err == -ENOENT ? "no" : "unparseable");
	else if (kb > (uint64_t)INT64_MAX / 1024)
		put_unknown(c, host, "memory_bytes", "/proc/meminfo: MemTotal too large");
	else
		put_int(c, host, "memory_bytes", (long long)(kb * 1024));
	free(text);
}

static void host_mitigations(struct ctx *c, json_t *host)
{
	static const char dir_path[] = SYS_CPU "/vulnerabilities";
	char **names = NULL, **nn, path[sizeof(dir_path) + 256 + 1];
	size_t n = 0, cap = 0;
	struct dirent *de;
	json_t *mit;
	DIR *d;

	d = opendir(dir_path);
	if (!d) {
		int err = errno;

		put_errno(c, host, "mitigations",
			  err == ENOENT ? "no CPU vulnerability reporting: " : NULL, dir_path, err);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				goto oom;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto oom;
		n++;
	}
	closedir(d);
	d = NULL;

	if (n)
		qsort(names, n, sizeof(*names), cmp_strp);
	mit = new_obj(c);
	for (size_t i = 0; mit && i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir_path, names[i]);
		host_str_file(c, mit, names[i], path);
	}
	attach(c, host, "mitigations", mit);
	goto out_free;

oom:
	c->failed = true;
	closedir(d);
out_free:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* "cpu" followed by digits only */
static bool is_cpu_dir(const char *name)
{
	if (strncmp(name, "cpu", 3) != 0 || !is_digit(name[3]))
		return false;
	for (name += 3; *name; name++)
		if (!is_digit(*name))
			return false;
	return true;
}

static void host_cpufreq(struct ctx *c, json_t *host)
{
	static const char cpu0_path[] = SYS_CPU "/cpu0/cpufreq/scaling_governor";
	char **govs = NULL, **ng, path[sizeof(SYS_CPU) + 256 + 64], val[256];
	size_t n = 0, cap = 0;
	struct dirent *de;
	char *text;
	int err;
	DIR *d;

	d = opendir(SYS_CPU);
	while (d && (de = readdir(d))) {
		if (!is_cpu_dir(de->d_name))
			continue;
		snprintf(path, sizeof(path), SYS_CPU "/%s/cpufreq/scaling_governor", de->d_name);
		/* offline CPUs may have none; cpu0 decides the reason below */
		if (read_trimmed(path, &text))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			ng = realloc(govs, cap * sizeof(*govs));
			if (!ng) {
				free(text);
				goto oom;
			}
			govs = ng;
		}
		govs[n++] = text;
	}
	if (d)
		closedir(d);
	d = NULL;

	if (n == 0) {
		/* nothing readable: say why for cpu0 */
		err = read_trimmed(cpu0_path, &text);
		if (err) {
			put_errno(c, host, "cpufreq_governor",
				  err == -ENOENT ? "no cpufreq driver: " : NULL, cpu0_path, err);
		} else {
			put_str(c, host, "cpufreq_governor", text);
			free(text);
		}
		goto out_free;
	}
	err = sb_summarize_values((const char *const *)govs, n, val, sizeof(val));
	if (err == -ENOMEM)
		goto oom;
	if (err)
		put_unknown(c, host, "cpufreq_governor",
			    "governors of %zu CPUs do not fit in %zu bytes", n, sizeof(val));
	else
		put_str(c, host, "cpufreq_governor", val);
	goto out_free;

oom:
	c->failed = true;
	if (d)
		closedir(d);
out_free:
	for (size_t i = 0; i < n; i++)
		free(govs[i]);
	free(govs);
}

static void host_thp(struct ctx *c, json_t *host)
{
	json_t *thp = new_obj(c);

	if (!thp)
		return;
	host_choice_file(c, thp, "enabled", THP_DIR "/enabled",
			 "no transparent hugepage support: ");
	host_choice_file(c, thp, "defrag", THP_DIR "/defrag", "no transparent hugepage support: ");
	attach(c, host, "thp", thp);
}

static void host_lockdown(struct ctx *c, json_t *host)
{
	char mode[64], why[REASON_MAX];

	if (sb_sysinfo_lockdown(mode, sizeof(mode), why, sizeof(why)))
		put_unknown(c, host, "lockdown", "%s", why);
	else
		put_str(c, host, "lockdown", mode);
}

json_t *sb_sysinfo_host(void)
{
	struct ctx c = {.failed = false};
	json_t *host = json_object();

	if (!host)
		return NULL;
	host_uname(&c, host);
	host_str_file(&c, host, "cmdline", "/proc/cmdline");
	host_cpu(&c, host);
	host_memory(&c, host);
	host_mitigations(&c, host);
	host_cpufreq(&c, host);
	host_thp(&c, host);
	host_int_file(&c, host, "pipe_max_size", "/proc/sys/fs/pipe-max-size");
	host_int_file(&c, host, "perf_event_paranoid", "/proc/sys/kernel/perf_event_paranoid");
	host_lockdown(&c, host);
	host_str_file(&c, host, "boot_id", "/proc/sys/kernel/random/boot_id");
	host_str_file(&c, host, "clocksource",
		      "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	if (c.failed) {
		json_decref(host);
		return NULL;
	}
	return host;
}
