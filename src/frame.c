// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <zlib.h>

#include "frame.h"
#include "log.h"
#include "sb.h"

#define MARK "SPLICEBENCH-"
#define KW_RESULT MARK "RESULT "
#define KW_END MARK "END "
#define KW_EXIT MARK "EXIT "
#define VERSION "v1 "

/* the longest header: the keyword, "v1 name=" 64 " len=" 20 digits " crc32=" 8 "\n" */
#define HDR_MAX 160
#define EXIT_MAX 64
#define END_MAX (sizeof("\n" KW_END "name=\n") + SB_FRAME_NAME_MAX)

static uint32_t crc_of(const void *data, size_t len)
{
	const Bytef *p = data;
	uLong crc = crc32(0L, Z_NULL, 0);

	while (len) {
		uInt n = len > (1U << 30) ? (1U << 30) : (uInt)len;

		crc = crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)crc;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static bool name_ok(const char *s, size_t n)
{
	if (!n || n > SB_FRAME_NAME_MAX || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

bool sb_frame_name_ok(const char *name)
{
	return name && name_ok(name, strnlen(name, SB_FRAME_NAME_MAX + 1));
}

/* ------------------------------------------------------------ writing */

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) { /* == EWOULDBLOCK on Linux */
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
					return -errno;
				continue;
			}
			return -errno;
		}
		if (!r)
			return -EIO;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int sb_frame_write(int fd, const char *name, const void *data, size_t len)
{
	char hdr[HDR_MAX], end[END_MAX];
	int n, err;

	if (!sb_frame_name_ok(name) || (len && !data))
		return -EINVAL;
	n = snprintf(hdr, sizeof(hdr), KW_RESULT VERSION "name=%s len=%zu crc32=%08x\n", name,
		     len, (unsigned int)crc_of(data, len));
	err = write_all(fd, hdr, (size_t)n);
	if (!err)
		err = write_all(fd, data, len);
	if (!err) {
		n = snprintf(end, sizeof(end), "\n" KW_END "name=%s\n", name);
		err = write_all(fd, end, (size_t)n);
	}
	return err;
}

int sb_frame_write_exit(int fd, int rc)
{
	char line[EXIT_MAX];
	int n = snprintf(line, sizeof(line), KW_EXIT "rc=%d\n", rc);
	int err = write_all(fd, line, (size_t)n);

	if (!err && isatty(fd))
		while (tcdrain(fd) < 0)
			if (errno != EINTR)
				return -errno;
	return err;
}

int sb_frame_tty_raw(int fd)
{
	struct termios t;

	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &t) < 0)
		return -errno;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD; /* no modem control lines to wait for */
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	return 0;
}

/* ------------------------------------------------------------ scanning */

/* @n bytes of @s for a message: printable ASCII, the rest as '?' */
static void printable(char *dst, size_t dst_len, const char *s, size_t n)
{
	size_t i;

	if (n > dst_len - 1)
		n = dst_len - 1;
	for (i = 0; i < n; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[i] = '\0';
}

static bool has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);

	return n >= p && !memcmp(s, prefix, p);
}

/* A cursor over one line (without its '\n'). */
struct line {
	const char *s;
	size_t n;
};

static bool eat(struct line *l, const char *word)
{
	if (!has_prefix(l->s, l->n, word))
		return false;
	l->s += strlen(word);
	l->n -= strlen(word);
	return true;
}

/* up to the next ' ' or the end of the line */
static struct line token(struct line *l)
{
	struct line t = { l->s, 0 };

	while (t.n < l->n && l->s[t.n] != ' ')
		t.n++;
	l->s += t.n;
	l->n -= t.n;
	return t;
}

static bool parse_size(struct line t, size_t *v)
{
	if (!t.n || t.n > 20 || (t.n > 1 && t.s[0] == '0'))
		return false;
	*v = 0;
	for (size_t i = 0; i < t.n; i++) {
		unsigned int d = (unsigned int)(t.s[i] - '0');

		if (d > 9 || *v > (SIZE_MAX - d) / 10)
			return false;
		*v = *v * 10 + d;
	}
	return true;
}

static bool parse_crc(struct line t, uint32_t *v)
{
	if (t.n != 8)
		return false;
	*v = 0;
	for (size_t i = 0; i < 8; i++) {
		char c = t.s[i];

		if (c >= '0' && c <= '9')
			*v = *v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v << 4 | (uint32_t)(c - 'a' + 10);
		else
			return false;
	}
	return true;
}

static bool parse_int(struct line t, int *v)
{
	bool neg = t.n && t.s[0] == '-';
	long long x = 0;

	if (neg) {
		t.s++;
		t.n--;
	}
	if (!t.n || t.n > 10 || (t.n > 1 && t.s[0] == '0'))
		return false;
	for (size_t i = 0; i < t.n; i++) {
		if (t.s[i] < '0' || t.s[i] > '9')
			return false;
		x = x * 10 + (t.s[i] - '0');
	}
	if (neg)
		x = -x;
	if (x < INT_MIN || x > INT_MAX)
		return false;
	*v = (int)x;
	return true;
}

struct scan {
	const char *b;
	size_t len;
	struct sb_frames *out;
	char *why;
	size_t why_len;
};

/*
 * The line that starts at @at (at most @max bytes): 0 with *@l, else -EPIPE
 * (the stream ends first) or -EBADMSG (too long), with @why.
 */
static int get_line(struct scan *s, size_t at, size_t max, const char *what, struct line *l)
{
	size_t avail = s->len - at;
	const char *nl = memchr(s->b + at, '\n', avail < max ? avail : max);
	char q[81];

	printable(q, sizeof(q), s->b + at, avail < max ? avail : max);
	if (!nl && avail < max)
		return sb_why_err(s->why, s->why_len, -EPIPE,
			   "%s at offset %zu truncated (the stream ends): '%s'", what, at, q);
	if (!nl)
		return sb_why_err(s->why, s->why_len, -EBADMSG, "%s at offset %zu too long: '%s...'", what,
			   at, q);
	l->s = s->b + at;
	l->n = (size_t)(nl - l->s);
	if (l->n && l->s[l->n - 1] == '\r') {
		printable(q, sizeof(q), l->s, l->n);
		return sb_why_err(s->why, s->why_len, -EBADMSG,
			   "%s at offset %zu ends in CR LF: the port is not in raw mode (ONLCR?): "
			   "'%s'",
			   what, at, q);
	}
	return 0;
}

static int bad_line(struct scan *s, size_t at, const struct line *l, const char *what,
		    const char *problem)
{
	char q[81];

	printable(q, sizeof(q), l->s, l->n);
	return sb_why_err(s->why, s->why_len, -EBADMSG, "malformed %s at offset %zu (%s): '%s'", what, at,
		   problem, q);
}

static int add_frame(struct scan *s, const struct line *name, size_t at, const char *data,
		     size_t len)
{
	struct sb_frames *f = s->out;
	struct sb_frame *v, *fr;

	for (size_t i = 0; i < f->n; i++)
		if (strlen(f->v[i].name) == name->n && !memcmp(f->v[i].name, name->s, name->n))
			return sb_why_err(s->why, s->why_len, -EEXIST,
				   "two frames named '%s' (at offsets %zu and %zu)", f->v[i].name,
				   f->v[i].offset, at);
	v = reallocarray(f->v, f->n + 1, sizeof(*v));
	if (!v)
		return sb_why_err(s->why, s->why_len, -ENOMEM, "out of memory");
	f->v = v;
	fr = &v[f->n];
	memset(fr, 0, sizeof(*fr));
	fr->data = malloc(len + 1);
	if (!fr->data)
		return sb_why_err(s->why, s->why_len, -ENOMEM, "out of memory");
	memcpy(fr->name, name->s, name->n);
	if (len)
		memcpy(fr->data, data, len);
	fr->data[len] = '\0';
	fr->len = len;
	fr->offset = at;
	f->n++;
	return 0;
}

/* The frame whose header starts at @at; *@next: just past it. */
static int scan_frame(struct scan *s, size_t at, size_t *next)
{
	static const char what[] = "frame header";
	struct line l, name, t;
	char nm[SB_FRAME_NAME_MAX + 1], end[END_MAX];
	size_t plen, start, have, end_len;
	uint32_t want, got;
	int err;

	err = get_line(s, at, HDR_MAX, what, &l);
	if (err)
		return err;
	t = l;
	eat(&t, KW_RESULT);
	if (!eat(&t, VERSION))
		return bad_line(s, at, &l, what, "not version v1");
	if (!eat(&t, "name="))
		return bad_line(s, at, &l, what, "no name=");
	name = token(&t);
	if (!name_ok(name.s, name.n))
		return bad_line(s, at, &l, what, "bad name");
	if (!eat(&t, " len=") || !parse_size(token(&t), &plen))
		return bad_line(s, at, &l, what, "bad len=");
	if (!eat(&t, " crc32=") || !parse_crc(token(&t), &want) || t.n)
		return bad_line(s, at, &l, what, "bad crc32=");
	memcpy(nm, name.s, name.n);
	nm[name.n] = '\0';

	start = (size_t)(l.s - s->b) + l.n + 1;
	have = s->len - start;
	if (have < plen)
		return sb_why_err(s->why, s->why_len, -EPIPE, "frame '%s' truncated: got %zu of %zu bytes",
			   nm, have, plen);
	have -= plen;
	end_len = (size_t)snprintf(end, sizeof(end), "\n" KW_END "name=%s\n", nm);
	if (memcmp(s->b + start + plen, end, have < end_len ? have : end_len)) {
		char q[81];

		printable(q, sizeof(q), s->b + start + plen, have < end_len ? have : end_len);
		return sb_why_err(s->why, s->why_len, -EBADMSG,
			   "frame '%s': no END line after its %zu bytes (found '%s'): the length "
			   "is wrong or bytes were lost",
			   nm, plen, q);
	}
	if (have < end_len)
		return sb_why_err(s->why, s->why_len, -EPIPE,
			   "frame '%s' truncated: the stream ends inside its END line", nm);
	got = crc_of(s->b + start, plen);
	if (got != want)
		return sb_why_err(s->why, s->why_len, -EBADMSG,
			   "frame '%s': crc32 of the %zu bytes received is %08x, the header says "
			   "%08x",
			   nm, plen, (unsigned int)got, (unsigned int)want);
	err = add_frame(s, &name, at, s->b + start, plen);
	if (err)
		return err;
	*next = start + plen + end_len;
	return 0;
}

static int scan_exit(struct scan *s, size_t at, size_t *next)
{
	static const char what[] = "exit line";
	struct line l, t;
	int rc, err;

	err = get_line(s, at, EXIT_MAX, what, &l);
	if (err)
		return err;
	t = l;
	eat(&t, KW_EXIT);
	if (!eat(&t, "rc=") || !parse_int(t, &rc))
		return bad_line(s, at, &l, what, "bad rc=");
	if (s->out->have_exit)
		return sb_why_err(s->why, s->why_len, -EEXIST, "a second exit line at offset %zu", at);
	s->out->have_exit = true;
	s->out->exit_rc = rc;
	*next = at + l.n + 1;
	return 0;
}

int sb_frames_scan(const void *buf, size_t len, struct sb_frames *out, char *why, size_t why_len)
{
	struct scan s;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	s = (struct scan){ buf, len, out, why, why_len };
	if (why && why_len)
		why[0] = '\0';
	if (!buf)
		len = 0;
	while (pos < len) {
		const char *m = memmem(s.b + pos, len - pos, MARK, strlen(MARK));
		size_t at, rest;
		int err = 0;

		if (!m)
			break;
		at = (size_t)(m - s.b);
		rest = len - at;
		pos = at + strlen(MARK);
		if (has_prefix(m, rest, KW_RESULT)) {
			err = scan_frame(&s, at, &pos);
		} else if (has_prefix(m, rest, KW_EXIT)) {
			err = scan_exit(&s, at, &pos);
		} else if (has_prefix(m, rest, KW_END)) {
			char q[81];

			printable(q, sizeof(q), m, rest < 60 ? rest : 60);
			err = sb_why_err(why, why_len, -EBADMSG,
				  "an END line at offset %zu outside any frame (a header lost?): "
				  "'%s'",
				  at, q);
		}
		if (err)
			return err;
	}
	return 0;
}

int sb_frames_scan_file(const char *path, struct sb_frames *out, char *why, size_t why_len)
{
	unsigned char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	int fd, err = 0;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sb_why_err(why, why_len, -errno, "%s: %s", path, strerror(errno));
	for (;;) {
		ssize_t r;

		if (len == cap) {
			cap = cap ? cap * 2 : 64 * 1024;
			nb = realloc(buf, cap);
			if (!nb) {
				err = sb_why_err(why, why_len, -ENOMEM, "%s: out of memory", path);
				break;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = sb_why_err(why, why_len, -errno, "%s: %s", path, strerror(errno));
			break;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (!err)
		err = sb_frames_scan(buf, len, out, why, why_len);
	free(buf);
	return err;
}

void sb_frames_free(struct sb_frames *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].data);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

const struct sb_frame *sb_frames_find(const struct sb_frames *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].name, name))
			return &f->v[i];
	return NULL;
}
