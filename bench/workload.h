/* SPDX-License-Identifier: MIT */
/*
 * Workload drivers. Each family lives in bench/<family>.c and defines one
 * descriptor per variant, named sb_wl_<family>_<variant>; bench/workloads.def
 * lists them (order = order of the matrix and of `splicebench list`).
 *
 * The engine opens the files and pipes a descriptor asks for (flags), then
 * runs ops repeatedly. One op moves one chunk through the whole path (for
 * example file -> pipe -> /dev/null), looping over short transfers, and
 * returns the bytes moved or -errno. Ops count every syscall they make. A
 * descriptor gives either ->op, or an in-leg and an out-leg for a pipe path.
 */
#ifndef SB_WORKLOAD_H
#define SB_WORKLOAD_H

#include <sys/types.h>

#include "accounting.h"
#include "oracle.h"
#include "pattern.h"
#include "sb.h"

/* the side of a read or write that is user memory, for sb_count_io() */
#define SB_FD_USER (-2)

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
#define SB_WL_SOCKET 0x0800	/* runs on targets tcp and udp with a peer thread (sock_fd) */
#define SB_WL_SOCK_RX 0x1000	/* reads the socket (the peer sends); else writes it */
#define SB_WL_AX_SINK_FILE 0x2000 /* --sink file applies (the pipe is spliced into a file) */

enum sb_sink { SB_SINK_DEVNULL, SB_SINK_USER, SB_SINK_FILE };
enum sb_fill { SB_FILL_VMSPLICE, SB_FILL_WRITE };
enum sb_direct { SB_DIRECT_OFF, SB_DIRECT_ON, SB_DIRECT_MISALIGNED };

struct sb_verifier;
struct sb_peer;
struct sb_dgram_index;
struct sb_dgram_track;

struct sb_wl_ctx {
	/* set by the engine before setup */
	int src_fd;	     /* -1 when unused */
	int dst_fd;	     /* -1 when unused */
	int pfd[2];	     /* main pipe, -1 when unused */
	int pfd2[2];	     /* second pipe, -1 when unused */
	int null_fd;	     /* /dev/null, write only */
	int sock_fd;	     /* the workload's socket (SB_WL_SOCKET), -1 when unused */
	int sock_type;	     /* SOCK_STREAM or SOCK_DGRAM, 0 without a socket */
	size_t dgram;	     /* SOCK_DGRAM: datagram payload size */
	struct sb_peer *peer; /* the other end's thread */
	const struct sb_dgram_index *didx; /* SOCK_DGRAM: the datagram schedule */
	struct sb_dgram_track *dtrk;	    /* SOCK_DGRAM receiving ops: loss and order */
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
	uint64_t eagain_since; /* when the current run of EAGAIN without progress began, or 0 */
	uint64_t dgrams;     /* datagrams sent or received by the op */
	uint64_t zc_sends;   /* MSG_ZEROCOPY: sends that will be completed */
	uint64_t zc_done;    /* completions read from the error queue */
	uint64_t zc_copied;  /* of them, flagged SO_EE_CODE_ZEROCOPY_COPIED (the kernel copied) */
	/* bytes each successful call returned, per SB_SYS_SLOT(syscall, from role, to role) */
	uint64_t io[SB_NR_SYS_SLOTS];
	uint64_t check_ns;   /* verify: time the op itself spent checking data (left out of timing) */
	const uint8_t *out;  /* verify: data the sink received in user memory, or NULL */
	bool out_in_dst;     /* verify: data landed in the destination file at the op's offset */
	bool out_peer;	     /* verify: the data went to the peer thread, which checks it */
	bool out_checked;    /* verify: the op checked what it received itself */
	bool inject;	     /* test hook: the op damages one byte it received before checking */
	size_t op_len;	     /* length of the current op (socket legs cut datagrams by it) */
	char why[256];	     /* reason for a negative return */
};

/*
 * A leg of a pipe path. In-legs put up to @len bytes (at most the pipe's
 * capacity) into the empty pipe with one call and return how many; out-legs
 * empty exactly @len bytes from it. @off is the stream/file offset of the
 * piece, @done how much of the op came before it (its place in c->buf).
 */
typedef ssize_t (*sb_leg_fn)(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len);

struct sb_workload {
	const char *id;	     /* "family.variant" */
	const char *family;
	const char *summary;
	const char *path;    /* the data path, e.g. "file =splice=> pipe =splice=> /dev/null" */
	const char *twin;    /* id of the copying twin measured beside it, or NULL */
	unsigned int flags;
	enum sb_oracle_kind oracle; /* the aliasing experiment for this path */
	int (*setup)(struct sb_wl_ctx *c);    /* optional; 0 or -errno (+ c->why) */
	/*
	 * Move @len bytes at file/stream offset @off (the range never crosses the
	 * end of the pattern period). Returns @len, or -errno with c->why set.
	 * Pipe paths leave this NULL and give ->in and ->out: the op is then
	 * sb_pump(), which alternates them until @len bytes went through.
	 */
	ssize_t (*op)(struct sb_wl_ctx *c, uint64_t off, size_t len);
	sb_leg_fn in;
	sb_leg_fn out;
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

/* One op of workload @w: ->op, or the pump of its legs. */
ssize_t sb_workload_op(const struct sb_workload *w, struct sb_wl_ctx *c, uint64_t off, size_t len);

/*
 * Helpers shared by the drivers (bench/common.c).
 */

/*
 * What a call moves, for the per-leg byte counts: the syscall (SB_SYS_*)
 * and the descriptors it moves data from and to (SB_FD_USER for user memory).
 */
struct sb_io {
	unsigned int sys;
	int from;
	int to;
};

/*
 * Call @step until @len bytes are done. @step gets how much is done and how
 * much is left, makes one syscall and returns its result (bytes, or -1 with
 * errno set). Counts the syscalls and the bytes of each call as @io; fails
 * with "<what>: <strerror>" on an error and with -EIO when a call returns 0
 * before @len bytes.
 */
typedef ssize_t (*sb_step_fn)(struct sb_wl_ctx *c, void *arg, size_t done, size_t left);
ssize_t sb_repeat(struct sb_wl_ctx *c, size_t len, const char *what, sb_step_fn step, void *arg,
		  struct sb_io io);

/* Count @n bytes moved by one successful call. */
void sb_count_io(struct sb_wl_ctx *c, struct sb_io io, ssize_t n);
/* The role (SB_ROLE_*) of descriptor @fd in this cell. */
unsigned int sb_fd_role(const struct sb_wl_ctx *c, int fd);

/* The pipe loop: in-leg fills the empty pipe once, out-leg empties it, until @len bytes. */
ssize_t sb_pump(struct sb_wl_ctx *c, uint64_t off, size_t len, sb_leg_fn in, sb_leg_fn out);

/*
 * After a call failed: when it was EAGAIN under SPLICE_F_NONBLOCK, wait with
 * poll for @in to be readable or @out writable (-1: not polled), count the
 * retry and return true (call again); otherwise false with errno kept.
 */
bool sb_eagain_wait(struct sb_wl_ctx *c, int in, int out);

/* splice exactly @len bytes from @in to @out (both offsets optional), with c->splice_flags. */
ssize_t sb_splice_all(struct sb_wl_ctx *c, int in, loff_t *in_off, int out, loff_t *out_off,
		      size_t len, const char *what);
/* One splice(in -> pipe @out) of up to @len bytes into an empty pipe, with c->splice_flags. */
ssize_t sb_splice_once(struct sb_wl_ctx *c, int in, loff_t *in_off, int out, size_t len,
		       const char *what);
/* Empty @len bytes from pipe read end @rfd: into @dst, or to /dev/null when @dst is NULL. */
ssize_t sb_drain(struct sb_wl_ctx *c, int rfd, uint8_t *dst, size_t len);

/*
 * The sink: empty @len bytes from @rfd to /dev/null, or into c->buf + @done
 * (--sink user, and always when verifying; sets c->out).
 */
ssize_t sb_sink_drain(struct sb_wl_ctx *c, int rfd, size_t done, size_t len);

/* Legs used by several workloads. */
ssize_t sb_leg_splice_src(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len);
ssize_t sb_leg_fill_user(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len);
ssize_t sb_leg_sink(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len);
ssize_t sb_leg_splice_dst(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len);

ssize_t sb_fail(struct sb_wl_ctx *c, int err, const char *fmt, ...) SB_PRINTF(3, 4);

/*
 * MSG_ZEROCOPY: read the completions queued on c->sock_fd's error queue;
 * with @wait, until every send is completed (at most 5 s). 0 or -errno.
 */
int sb_zc_reap(struct sb_wl_ctx *c, bool wait);

#endif
