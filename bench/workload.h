/* SPDX-License-Identifier: MIT */
/*
 * Workload drivers. Each family lives in bench/<family>.c and defines one
 * descriptor per variant, named sb_wl_<family>_<variant>; bench/workloads.def
 * lists them (order = order of the matrix and of `splicebench list`).
 *
 * The engine opens the files and pipes a descriptor asks for (flags), then
 * calls ->op() repeatedly. One op moves one chunk through the whole path (for
 * example file -> pipe -> /dev/null), looping over short transfers, and
 * returns the bytes moved or -errno. Ops count every syscall they make.
 */
#ifndef SB_WORKLOAD_H
#define SB_WORKLOAD_H

#include <sys/types.h>

#include "pattern.h"
#include "sb.h"

/* What a workload needs and which parameters apply to it. */
#define SB_WL_SRC_FILE 0x0001	/* reads the source file (pattern) */
#define SB_WL_DST_FILE 0x0002	/* writes the destination file */
#define SB_WL_PIPE 0x0004	/* uses the main pipe */
#define SB_WL_PIPE2 0x0008	/* uses a second pipe (tee) */
#define SB_WL_PIPE_ONLY 0x0010	/* no file at all: runs on target "pipe" */
#define SB_WL_AX_SINK 0x0020	/* --sink applies (how the pipe is drained) */
#define SB_WL_AX_FILL 0x0040	/* --fill applies (how the pipe is filled) */
#define SB_WL_AX_GIFT 0x0080	/* --gift applies (SPLICE_F_GIFT on vmsplice) */
#define SB_WL_AX_FLAGS 0x0100	/* --splice-flags apply */
#define SB_WL_MISALIGNED 0x0200 /* gets the misaligned O_DIRECT cell */
#define SB_WL_ZEROCOPY 0x0400	/* a path that can hand pages over by reference */

enum sb_sink { SB_SINK_DEVNULL, SB_SINK_USER };
enum sb_fill { SB_FILL_VMSPLICE, SB_FILL_WRITE };
enum sb_direct { SB_DIRECT_OFF, SB_DIRECT_ON, SB_DIRECT_MISALIGNED };

struct sb_verifier;

struct sb_wl_ctx {
	/* set by the engine before setup */
	int src_fd;	     /* -1 when unused */
	int dst_fd;	     /* -1 when unused */
	int pfd[2];	     /* main pipe, -1 when unused */
	int pfd2[2];	     /* second pipe, -1 when unused */
	int null_fd;	     /* /dev/null, write only */
	uint8_t *buf;	     /* chunk-sized user buffer, page aligned */
	uint8_t *buf2;	     /* second buffer (tee checks its source pipe) */
	size_t pipe_bytes;   /* pipe capacity in bytes (F_GETPIPE_SZ) */
	const struct sb_pattern *pat;
	enum sb_sink sink;
	enum sb_fill fill;
	bool gift;
	unsigned int splice_flags; /* SPLICE_F_MOVE | SPLICE_F_MORE | SPLICE_F_NONBLOCK */
	bool verify;		   /* this op must deliver its data for checking */
	struct sb_verifier *ver;   /* for ops that check an extra copy themselves (tee) */
	int64_t dst_pos;	   /* destination file position for sendfile; -1: unknown */

	/* updated by ops */
	uint64_t syscalls;
	uint64_t eagain;     /* EAGAIN retries (non-blocking pipes) */
	const uint8_t *out;  /* verify: data the sink received in user memory, or NULL */
	bool out_in_dst;     /* verify: data landed in the destination file at the op's offset */
	char why[256];	     /* reason for a negative return */
};

struct sb_workload {
	const char *id;	     /* "family.variant" */
	const char *family;
	const char *summary;
	const char *path;    /* the data path, e.g. "file =splice=> pipe =splice=> /dev/null" */
	const char *twin;    /* id of the copying twin measured beside it, or NULL */
	unsigned int flags;
	int (*setup)(struct sb_wl_ctx *c);    /* optional; 0 or -errno (+ c->why) */
	/*
	 * Move @len bytes at file/stream offset @off (the range never crosses the
	 * end of the pattern period). Returns @len, or -errno with c->why set.
	 */
	ssize_t (*op)(struct sb_wl_ctx *c, uint64_t off, size_t len);
	void (*teardown)(struct sb_wl_ctx *c); /* optional */
};

#define SB_WORKLOAD(family, variant) extern const struct sb_workload sb_wl_##family##_##variant;
#include "workloads.def"
#undef SB_WORKLOAD

extern const struct sb_workload *const sb_workloads[];
extern const size_t sb_nr_workloads;

#define sb_for_each_workload(i, w)                                                                 \
	for ((i) = 0; (i) < sb_nr_workloads && ((w) = sb_workloads[i]); (i)++)

const struct sb_workload *sb_workload_find(const char *id);
/* Whether @family names at least one workload family. */
bool sb_workload_is_family(const char *family);

/*
 * Helpers shared by the drivers (bench/common.c). All loop until @len bytes
 * moved, count syscalls, handle EAGAIN with poll when non-blocking, and fail
 * with -EIO and a reason when a call returns 0 before @len bytes moved.
 */
ssize_t sb_splice_all(struct sb_wl_ctx *c, int in, loff_t *in_off, int out, loff_t *out_off,
		      size_t len, unsigned int flags, const char *what);
/* Empty @len bytes from pipe read end @rfd: to /dev/null, or into @dst when not NULL. */
ssize_t sb_drain(struct sb_wl_ctx *c, int rfd, uint8_t *dst, size_t len);
/*
 * Put up to @len bytes (at most the pipe capacity) from @src into the empty
 * pipe @wfd with one call: vmsplice (SPLICE_F_GIFT if @gift) or write.
 * Returns the bytes put (> 0) or -errno.
 */
ssize_t sb_fill_once(struct sb_wl_ctx *c, int wfd, const uint8_t *src, size_t len,
		     enum sb_fill how, bool gift);
/* One splice(in -> pipe @out) of up to @len bytes into an empty pipe; > 0 or -errno. */
ssize_t sb_splice_once(struct sb_wl_ctx *c, int in, loff_t *in_off, int out, size_t len,
		       const char *what);
/* Drain into the verify/user buffer when needed, else per the sink. Sets c->out. */
ssize_t sb_sink_drain(struct sb_wl_ctx *c, int rfd, size_t done, size_t len);
ssize_t sb_fail(struct sb_wl_ctx *c, int err, const char *fmt, ...) SB_PRINTF(3, 4);

#endif
