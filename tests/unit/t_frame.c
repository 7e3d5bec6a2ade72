// SPDX-License-Identifier: MIT
/*
 * Result frames over a serial port: the exact bytes of a frame, a round
 * trip through a file with junk around and between frames, binary payloads
 * holding NULs and fake markers, a pipe, a pty before and after raw mode;
 * and what the scanner says of truncated, corrupted, unterminated,
 * misnamed and duplicated frames and of the exit line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <zlib.h>

#include "frame.h"
#include "sb.h"
#include "tap.h"

/* ------------------------------------------------------------ a growing buffer */

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			tap_bail("out of memory");
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Everything readable from @fd until it stays quiet for 200 ms or ends. */
static void drain(int fd, struct buf *b)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char tmp[4096];

	while (poll(&pfd, 1, 200) > 0) {
		ssize_t r = read(fd, tmp, sizeof(tmp));

		if (r <= 0)
			break;
		put(b, tmp, (size_t)r);
	}
}

/* A frame as the writer makes it, through a pipe (small payloads only). */
static void frame(struct buf *b, const char *name, const void *data, size_t len)
{
	int p[2];

	if (pipe(p))
		tap_bail("pipe");
	if (sb_frame_write(p[1], name, data, len))
		tap_bail("sb_frame_write %s", name);
	close(p[1]);
	drain(p[0], b);
	close(p[0]);
}

static int scan(const struct buf *b, struct sb_frames *f, char *why, size_t why_len)
{
	return sb_frames_scan(b->p, b->n, f, why, why_len);
}

/* ------------------------------------------------------------ tests */

static void test_names(void)
{
	char n64[65], n65[66];

	memset(n64, 'x', 64);
	n64[64] = '\0';
	memset(n65, 'x', 65);
	n65[65] = '\0';
	ok(sb_frame_name_ok("result.json") && sb_frame_name_ok("A-Z_0.9") &&
		   sb_frame_name_ok("a") && sb_frame_name_ok(n64) && sb_frame_name_ok("..."),
	   "good names: result.json, A-Z_0.9, a, 64 characters, ...");
	ok(!sb_frame_name_ok("") && !sb_frame_name_ok(n65) && !sb_frame_name_ok("a/b") &&
		   !sb_frame_name_ok("a b") && !sb_frame_name_ok(".") && !sb_frame_name_ok("..") &&
		   !sb_frame_name_ok("caf\xc3\xa9") && !sb_frame_name_ok("a\n") &&
		   !sb_frame_name_ok(NULL),
	   "bad names: empty, 65 characters, a/b, 'a b', ., .., non-ASCII, newline, NULL");
	is_int(sb_frame_write(1, "a/b", "x", 1), -EINVAL, "writing a bad name: -EINVAL");
}

static void test_exact_bytes(void)
{
	static const char want[] = "SPLICEBENCH-RESULT v1 name=t len=5 crc32=3610a686\n"
				   "hello"
				   "\nSPLICEBENCH-END name=t\n";
	static const char want_empty[] = "SPLICEBENCH-RESULT v1 name=e len=0 crc32=00000000\n"
					 "\nSPLICEBENCH-END name=e\n";
	struct buf b = { 0 };
	int p[2];

	frame(&b, "t", "hello", 5);
	is_str(b.p, want, "a frame byte for byte (crc32 of 'hello' is 3610a686)");
	b.n = 0;
	frame(&b, "e", NULL, 0);
	is_str(b.p, want_empty, "an empty payload: len=0 crc32=00000000");
	b.n = 0;
	if (pipe(p))
		tap_bail("pipe");
	is_int(sb_frame_write_exit(p[1], -3), 0, "write the exit line");
	close(p[1]);
	drain(p[0], &b);
	close(p[0]);
	is_str(b.p, "SPLICEBENCH-EXIT rc=-3\n", "the exit line byte for byte");
	free(b.p);
}

/* ------------------------------------------------------------ a round trip */

#define BIG (1024 * 1024 + 3)

static void test_round_trip(const char *dir)
{
	static const char json[] = "{\"schema\": \"splicebench-result-v1\", \"cells\": []}\n";
	unsigned char bin[4096], *big = malloc(BIG);
	char path[512], why[512] = "";
	const struct sb_frame *fr;
	struct sb_frames f;
	unsigned int x = 12345;
	size_t o = 0;
	int fd, err;

	/* binary: every byte value, NULs, and whole fake lines of the protocol */
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 31 + 7);
	memset(bin + 100, 0, 50);
	memcpy(bin + 200, "\nSPLICEBENCH-END name=bin\n", 26);
	memcpy(bin + 300, "SPLICEBENCH-RESULT v1 name=fake len=3 crc32=00000000\nabc", 56);
	memcpy(bin + 400, "SPLICEBENCH-EXIT rc=77\n", 23);
	memcpy(bin + 500, "SPLICEBENCH-RESULT v1 name=bad/name", 35);
	memcpy(bin + sizeof(bin) - 18, "SPLICEBENCH-RESULT", 18);
	for (size_t i = 0; i < BIG; i++) {
		x = x * 1103515245 + 12345;
		big[i] = (unsigned char)(x >> 16);
	}

	snprintf(path, sizeof(path), "%s/serial.out", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		tap_bail("cannot create %s", path);
	err = write(fd, "\0\0Booting the guest\r\n[    0.123] some junk\n", 44) != 44;
	err |= sb_frame_write(fd, "result.json", json, sizeof(json) - 1);
	err |= write(fd, "noise without a newline", 23) != 23;
	err |= sb_frame_write(fd, "bin", bin, sizeof(bin));
	err |= sb_frame_write(fd, "empty", "", 0);
	err |= write(fd, "SPLICEBENCH-NOTE not a keyword\n\xff\xfe", 33) != 33;
	err |= sb_frame_write(fd, "big.dat", big, BIG);
	err |= sb_frame_write_exit(fd, 3);
	err |= write(fd, "reboot: Power down\n", 19) != 19;
	close(fd);
	is_int(err, 0, "frames and junk written to %s", path);

	err = sb_frames_scan_file(path, &f, why, sizeof(why));
	if (!is_int(err, 0, "scanned"))
		tap_diag("%s", why);
	is_int(f.n, 4, "four frames");
	fr = sb_frames_find(&f, "result.json");
	ok(fr && fr->len == sizeof(json) - 1 && !strcmp((const char *)fr->data, json),
	   "result.json: the text, NUL-terminated");
	fr = sb_frames_find(&f, "bin");
	ok(fr && fr->len == sizeof(bin) && !memcmp(fr->data, bin, sizeof(bin)),
	   "bin: 4096 bytes with NULs and fake markers inside, intact");
	ok(!sb_frames_find(&f, "fake"), "no frame from the fake header inside a payload");
	fr = sb_frames_find(&f, "empty");
	ok(fr && fr->len == 0 && fr->data && !fr->data[0], "empty: 0 bytes");
	fr = sb_frames_find(&f, "big.dat");
	ok(fr && fr->len == BIG && !memcmp(fr->data, big, BIG), "big.dat: 1 MiB + 3 intact");
	ok(!sb_frames_find(&f, "nope") && !sb_frames_find(&f, "result"), "find: exact names only");
	for (size_t i = 0; i < f.n; i++) {
		ok(f.v[i].offset >= o, "frame %zu '%s' at offset %zu, in stream order", i,
		   f.v[i].name, f.v[i].offset);
		o = f.v[i].offset;
	}
	ok(f.have_exit && f.exit_rc == 3, "exit rc 3 (not the 77 inside a payload)");
	sb_frames_free(&f);
	ok(!f.v && !f.n, "freed");

	err = sb_frames_scan_file("/nonexistent/serial.out", &f, why, sizeof(why));
	is_int(err, -ENOENT, "a missing capture: -ENOENT");
	ok(strstr(why, "/nonexistent/serial.out") != NULL, "reason names it: %s", why);
	sb_frames_free(&f);
	unlink(path);
	free(big);
}

/* ------------------------------------------------------------ errors */

static int expect(const struct buf *b, int want, const char *needle, const char *what)
{
	struct sb_frames f;
	char why[512] = "";
	int err = scan(b, &f, why, sizeof(why));

	bool good = is_int(err, want, "%s", what);

	if (!ok(strstr(why, needle) != NULL, "  why: %s", why) || !good)
		tap_diag("wanted '%s' in the reason", needle);
	err = (int)f.n;
	sb_frames_free(&f);
	return err;
}

static void test_truncation(void)
{
	char payload[100];
	struct buf one = { 0 }, b = { 0 };
	size_t hdr;

	memset(payload, 'p', sizeof(payload));
	frame(&one, "x", payload, sizeof(payload));
	hdr = (size_t)(strchr(one.p, '\n') - one.p) + 1;

	put(&b, one.p, hdr + 50);
	expect(&b, -EPIPE, "frame 'x' truncated: got 50 of 100 bytes", "payload cut: -EPIPE");
	b.n = 0;
	put(&b, one.p, hdr);
	expect(&b, -EPIPE, "got 0 of 100 bytes", "header only: -EPIPE");
	b.n = 0;
	put(&b, one.p, one.n - 5);
	expect(&b, -EPIPE, "END line", "END line cut: -EPIPE");
	b.n = 0;
	put(&b, one.p, hdr + 100);
	expect(&b, -EPIPE, "END line", "the stream ends right after the payload: -EPIPE");
	b.n = 0;
	put(&b, one.p, 30);
	expect(&b, -EPIPE, "frame header at offset 0 truncated", "header cut: -EPIPE");

	/* the frames before the truncated one are kept */
	b.n = 0;
	frame(&b, "first", "1", 1);
	put(&b, one.p, hdr + 10);
	is_int(expect(&b, -EPIPE, "frame 'x' truncated", "second frame cut"), 1,
	       "the complete first frame is still returned");

	/* a keyword cut short is junk: nothing to report, no exit line either */
	{
		struct sb_frames f;
		char why[200];

		b.n = 0;
		frame(&b, "first", "1", 1);
		puts_(&b, "SPLICEBENCH-RESU");
		ok(!scan(&b, &f, why, sizeof(why)) && f.n == 1 && !f.have_exit,
		   "a partial keyword at the end is ignored; have_exit is false");
		sb_frames_free(&f);
	}
	free(one.p);
	free(b.p);
}

static void test_corruption(void)
{
	struct buf one = { 0 }, b = { 0 };
	char want[200];
	size_t hdr;

	frame(&one, "r.json", "hello", 5);
	hdr = (size_t)(strchr(one.p, '\n') - one.p) + 1;

	put(&b, one.p, one.n);
	b.p[hdr + 1] ^= 0x20; /* "hEllo" */
	snprintf(want, sizeof(want),
		 "frame 'r.json': crc32 of the 5 bytes received is %08lx, the header says "
		 "3610a686",
		 crc32(0L, (const Bytef *)"hEllo", 5));
	expect(&b, -EBADMSG, want, "a flipped bit: -EBADMSG, both CRCs in the reason");

	/* a lost byte: the END line is not where the length says */
	b.n = 0;
	put(&b, one.p, hdr + 2);
	put(&b, one.p + hdr + 3, one.n - hdr - 3);
	puts_(&b, "more junk after it, long enough to hold an END line");
	expect(&b, -EBADMSG, "no END line after its 5 bytes", "a lost byte: -EBADMSG");

	/* END missing, or for another name */
	b.n = 0;
	put(&b, one.p, hdr + 5);
	puts_(&b, "\nsomething else entirely, and long\n");
	expect(&b, -EBADMSG, "frame 'r.json': no END line", "no END line: -EBADMSG");
	b.n = 0;
	put(&b, one.p, hdr + 5);
	puts_(&b, "\nSPLICEBENCH-END name=other\n");
	expect(&b, -EBADMSG, "no END line", "an END line for another name: -EBADMSG");

	/* an END line without a header */
	b.n = 0;
	puts_(&b, "junk\nSPLICEBENCH-END name=x\n");
	expect(&b, -EBADMSG, "outside any frame", "a stray END line: -EBADMSG");
	free(one.p);
	free(b.p);
}

static void test_bad_headers(void)
{
	static const struct {
		const char *line, *needle, *what;
	} cases[] = {
		{ "SPLICEBENCH-RESULT v1 name=a/b len=1 crc32=00000000\nx", "bad name",
		  "a name with '/'" },
		{ "SPLICEBENCH-RESULT v1 name= len=1 crc32=00000000\nx", "bad name",
		  "an empty name" },
		{ "SPLICEBENCH-RESULT v1 name=.. len=1 crc32=00000000\nx", "bad name", "'..'" },
		{ "SPLICEBENCH-RESULT v1 name="
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  " len=1 crc32=00000000\nx",
		  "bad name", "a 65-character name" },
		{ "SPLICEBENCH-RESULT v2 name=a len=1 crc32=00000000\nx", "not version v1",
		  "version v2" },
		{ "SPLICEBENCH-RESULT v1 name=a len=01 crc32=00000000\nx", "bad len=",
		  "a leading zero in len" },
		{ "SPLICEBENCH-RESULT v1 name=a len=-1 crc32=00000000\nx", "bad len=",
		  "a negative len" },
		{ "SPLICEBENCH-RESULT v1 name=a len=99999999999999999999999 crc32=00000000\nx",
		  "bad len=", "an overflowing len" },
		{ "SPLICEBENCH-RESULT v1 name=a len=1 crc32=0000000A\nx", "bad crc32=",
		  "an upper-case crc" },
		{ "SPLICEBENCH-RESULT v1 name=a len=1 crc32=0000000\nx", "bad crc32=",
		  "a 7-digit crc" },
		{ "SPLICEBENCH-RESULT v1 name=a len=1 crc32=00000000 extra\nx", "bad crc32=",
		  "trailing words" },
		{ "SPLICEBENCH-RESULT v1 name=a  len=1 crc32=00000000\nx", "bad len=",
		  "two spaces" },
		{ "SPLICEBENCH-RESULT v1 name=a len=1 crc32=00000000\r\nx\r\n", "not in raw mode",
		  "CR LF (ONLCR)" },
	};
	struct buf b = { 0 };

	for (size_t i = 0; i < SB_ARRAY_SIZE(cases); i++) {
		char what[120];

		b.n = 0;
		puts_(&b, "junk\n");
		puts_(&b, cases[i].line);
		snprintf(what, sizeof(what), "%s: -EBADMSG", cases[i].what);
		expect(&b, -EBADMSG, cases[i].needle, what);
	}
	b.n = 0;
	puts_(&b, "SPLICEBENCH-RESULT v1 name=a len=1 crc32=00000000");
	for (int i = 0; i < 20; i++)
		puts_(&b, " and no newline for a long while");
	expect(&b, -EBADMSG, "too long", "a header without a newline: -EBADMSG");
	free(b.p);
}

static void test_duplicates_and_exit(void)
{
	struct buf b = { 0 };
	struct sb_frames f;
	char why[300];
	int err;

	frame(&b, "same", "1", 1);
	puts_(&b, "junk\n");
	frame(&b, "same", "2", 1);
	is_int(expect(&b, -EEXIST, "two frames named 'same'", "a duplicate name: -EEXIST"), 1,
	       "the first copy is kept");

	b.n = 0;
	frame(&b, "a", "1", 1);
	err = scan(&b, &f, why, sizeof(why));
	ok(!err && f.n == 1 && !f.have_exit, "no exit line: have_exit false");
	sb_frames_free(&f);

	b.n = 0;
	puts_(&b, "SPLICEBENCH-EXIT rc=0\n");
	err = scan(&b, &f, why, sizeof(why));
	ok(!err && f.have_exit && f.exit_rc == 0 && !f.n, "rc=0 alone");
	sb_frames_free(&f);

	b.n = 0;
	puts_(&b, "xxSPLICEBENCH-EXIT rc=-2147483648\nafter");
	err = scan(&b, &f, why, sizeof(why));
	ok(!err && f.have_exit && f.exit_rc == -2147483647 - 1, "rc=INT_MIN, junk around");
	sb_frames_free(&f);

	b.n = 0;
	puts_(&b, "SPLICEBENCH-EXIT rc=2147483648\n");
	expect(&b, -EBADMSG, "bad rc=", "rc over INT_MAX: -EBADMSG");
	b.n = 0;
	puts_(&b, "SPLICEBENCH-EXIT rc=abc\n");
	expect(&b, -EBADMSG, "malformed exit line", "rc=abc: -EBADMSG");
	b.n = 0;
	puts_(&b, "SPLICEBENCH-EXIT rc=1");
	expect(&b, -EPIPE, "exit line at offset 0 truncated", "an exit line cut: -EPIPE");
	b.n = 0;
	puts_(&b, "SPLICEBENCH-EXIT rc=1\nSPLICEBENCH-EXIT rc=2\n");
	expect(&b, -EEXIST, "a second exit line", "two exit lines: -EEXIST");
	free(b.p);
}

/* ------------------------------------------------------------ a pty */

static void test_pty(void)
{
	struct buf b = { 0 };
	struct sb_frames f;
	struct termios t;
	char why[300] = "";
	int m, s, p[2], err;

	if (pipe(p))
		tap_bail("pipe");
	is_int(sb_frame_tty_raw(p[1]), 0, "raw mode of a pipe: nothing to do");
	close(p[0]);
	close(p[1]);
	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) || unlockpt(m) ||
	    (s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		tap_skip(5, "no pseudo-terminal");
		if (m >= 0)
			close(m);
		return;
	}
	/* cooked (ONLCR): the scanner says what is wrong */
	sb_frame_write(s, "cooked", "a\nb", 3);
	drain(m, &b);
	expect(&b, -EBADMSG, "not in raw mode", "through a cooked tty: CR LF detected");

	is_int(sb_frame_tty_raw(s), 0, "raw mode");
	ok(!tcgetattr(s, &t) && !(t.c_oflag & OPOST) && !(t.c_lflag & ICANON),
	   "OPOST and ICANON off");
	b.n = 0;
	sb_frame_write(s, "raw", "a\nb\r\0c", 6);
	sb_frame_write_exit(s, 0); /* tcdrain() on a tty */
	drain(m, &b);
	err = scan(&b, &f, why, sizeof(why));
	ok(!err && f.n == 1 && f.v[0].len == 6 && !memcmp(f.v[0].data, "a\nb\r\0c", 6) &&
		   f.have_exit,
	   "through a raw tty: the bytes intact %s", why);
	sb_frames_free(&f);
	close(s);
	close(m);
	free(b.p);
}

int main(void)
{
	char dir[] = "/tmp/sb-t_frame-XXXXXX";

	if (!mkdtemp(dir))
		tap_bail("mkdtemp: cannot create a temporary directory");
	test_names();
	test_exact_bytes();
	test_round_trip(dir);
	test_truncation();
	test_corruption();
	test_bad_headers();
	test_duplicates_and_exit();
	test_pty();
	ok(rmdir(dir) == 0, "temporary directory removed");
	return tap_done();
}
