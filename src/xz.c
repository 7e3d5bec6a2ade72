// SPDX-License-Identifier: MIT
/*
 * xz (liblzma) in memory.
 */
#include <errno.h>
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xz.h"

static const char *lzma_why(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR:
		return "out of memory";
	case LZMA_FORMAT_ERROR:
		return "not xz data";
	case LZMA_OPTIONS_ERROR:
		return "unsupported xz options";
	case LZMA_DATA_ERROR:
		return "corrupt xz data";
	case LZMA_BUF_ERROR:
		return "truncated xz data";
	default:
		return "xz error";
	}
}

/* Run @strm over all of @in, growing *@out; 0 or -errno. */
static int pump(lzma_stream *strm, const void *in, size_t len, size_t max_out, void **out,
		size_t *out_len, char *why, size_t why_len)
{
	size_t cap = len < 4096 ? 8192 : len * 2, used = 0;
	unsigned char *buf = NULL;
	lzma_ret r;

	strm->next_in = in;
	strm->avail_in = len;
	do {
		if (used == cap || !buf) {
			unsigned char *nb;

			if (buf) {
				if (cap >= max_out) {
					free(buf);
					if (why)
						snprintf(why, why_len, "decompressed data exceeds %zu "
							 "bytes", max_out);
					return -EFBIG;
				}
				cap = cap > max_out / 2 ? max_out : cap * 2;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				if (why)
					snprintf(why, why_len, "out of memory");
				return -ENOMEM;
			}
			buf = nb;
		}
		strm->next_out = buf + used;
		strm->avail_out = cap - used;
		r = lzma_code(strm, LZMA_FINISH);
		used = cap - strm->avail_out;
	} while (r == LZMA_OK);
	if (r != LZMA_STREAM_END) {
		free(buf);
		if (why)
			snprintf(why, why_len, "%s at input byte %zu", lzma_why(r),
				 len - strm->avail_in);
		return r == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
	}
	*out = buf;
	*out_len = used;
	return 0;
}

int sb_xz_compress(const void *in, size_t len, void **out, size_t *out_len)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	int err;

	if (lzma_easy_encoder(&strm, 6, LZMA_CHECK_CRC64) != LZMA_OK)
		return -ENOMEM;
	err = pump(&strm, in, len, SIZE_MAX, out, out_len, NULL, 0);
	lzma_end(&strm);
	return err;
}

int sb_xz_decompress(const void *in, size_t len, size_t max_out, void **out, size_t *out_len,
		     char *why, size_t why_len)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	lzma_ret r;
	int err;

	r = lzma_stream_decoder(&strm, UINT64_MAX, 0);
	if (r != LZMA_OK) {
		snprintf(why, why_len, "%s", lzma_why(r));
		return -ENOMEM;
	}
	err = pump(&strm, in, len, max_out ? max_out : SIZE_MAX, out, out_len, why, why_len);
	lzma_end(&strm);
	return err;
}
