/* SPDX-License-Identifier: MIT */
/*
 * xz (liblzma) in memory: the kernel lab compresses result files on the
 * guest's serial line and reads compressed kernel modules.
 */
#ifndef SB_XZ_H
#define SB_XZ_H

#include <stddef.h>

/* Compress @len bytes at @in into a malloc'ed buffer. 0 or -errno. */
int sb_xz_compress(const void *in, size_t len, void **out, size_t *out_len);

/*
 * Decompress a whole .xz stream into a malloc'ed buffer of at most @max_out
 * bytes. 0 or -errno (-EBADMSG corrupt, -EFBIG larger than @max_out), with
 * a one-line reason in @why.
 */
int sb_xz_decompress(const void *in, size_t len, size_t max_out, void **out, size_t *out_len,
		     char *why, size_t why_len);

#endif
