/* SPDX-License-Identifier: MIT */
/*
 * Result files sent by a guest over a serial port, and found again by the
 * host in the captured byte stream.
 *
 * One frame per file:
 *
 *	SPLICEBENCH-RESULT v1 name=<name> len=<decimal> crc32=<8 lowercase hex>\n
 *	<exactly len bytes>
 *	\nSPLICEBENCH-END name=<name>\n
 *
 * and, last, "SPLICEBENCH-EXIT rc=<int>\n". crc32 is zlib's crc32() of the
 * payload. Names: [A-Za-z0-9._-]{1,64}, not "." or "..".
 *
 * The port must be 8-bit clean: on a tty, sb_frame_tty_raw() first (with
 * ONLCR a "\n" becomes "\r\n" and every frame breaks; the scanner says so).
 *
 * The scanner ignores everything outside frames except the words
 * "SPLICEBENCH-RESULT ", "SPLICEBENCH-END " and "SPLICEBENCH-EXIT ", which
 * must start a well-formed line wherever they occur; a payload is skipped by
 * its length, so it may hold any bytes, these words included.
 */
#ifndef SB_FRAME_H
#define SB_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#define SB_FRAME_NAME_MAX 64

/* full writes, EINTR-safe (and waits out EAGAIN); 0 or -errno (-EINVAL: a bad name) */
int sb_frame_write(int fd, const char *name, const void *data, size_t len);
/* the exit line; then tcdrain() when @fd is a tty, so it is on the wire before a poweroff */
int sb_frame_write_exit(int fd, int rc);
/* raw mode (cfmakeraw) when @fd is a tty, else nothing; 0 or -errno */
int sb_frame_tty_raw(int fd);

bool sb_frame_name_ok(const char *name);

struct sb_frame {
	char name[SB_FRAME_NAME_MAX + 1];
	unsigned char *data; /* len bytes and a NUL (text payloads can be used as strings) */
	size_t len;
	size_t offset;	     /* of the header in the stream */
};

struct sb_frames {
	struct sb_frame *v;
	size_t n;
	bool have_exit;
	int exit_rc;
};

/*
 * Finds the frames in a captured stream. Returns 0, or an error with a
 * one-line @why:
 *	-EPIPE		the stream ends inside a frame (the guest died): "frame 'x'
 *			truncated: got N of M bytes", or inside a header or END line
 *	-EBADMSG	a malformed header, END or EXIT line, a missing or wrong END
 *			line, or a CRC mismatch (both CRCs in @why)
 *	-EEXIST		two frames with one name, or two EXIT lines
 *	-ENOMEM
 * @out is always initialised and, after an error too, holds the frames
 * complete before it: call sb_frames_free() in every case.
 */
int sb_frames_scan(const void *buf, size_t len, struct sb_frames *out, char *why, size_t why_len);
/* the same for a file; -errno with the path in @why if it cannot be read */
int sb_frames_scan_file(const char *path, struct sb_frames *out, char *why, size_t why_len);
void sb_frames_free(struct sb_frames *f);
const struct sb_frame *sb_frames_find(const struct sb_frames *f, const char *name);

#endif
