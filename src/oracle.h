/* SPDX-License-Identifier: MIT */
/*
 * The aliasing oracle (tier 3, no privileges): move one page of known bytes
 * along the cell's path, then change the source (pwrite the file's page or
 * write the user buffer) and look at what arrived. Seeing the new bytes
 * proves the destination holds a reference to the source page; seeing the
 * old ones proves a copy (or DMA into other pages, or copy-on-write).
 */
#ifndef SB_ORACLE_H
#define SB_ORACLE_H

#include <jansson.h>

#include "sb.h"

enum sb_oracle_kind {
	SB_ORACLE_NONE,
	SB_ORACLE_FILE_PIPE,	/* splice file -> pipe, read the pipe */
	SB_ORACLE_USER_PIPE,	/* vmsplice user -> pipe, read the pipe */
	SB_ORACLE_TEE,		/* vmsplice user -> pipe A, tee A -> B, read B */
	SB_ORACLE_PIPE_USER,	/* vmsplice user X -> pipe -> user Y (vmsplice), look at Y */
	SB_ORACLE_PIPE_FILE,	/* vmsplice user -> pipe, splice pipe -> file, read the file */
	SB_ORACLE_SPLICE_FF,	/* splice file -> pipe -> file */
	SB_ORACLE_SENDFILE_FF,	/* sendfile file -> file */
	SB_ORACLE_CFR_FF,	/* copy_file_range file -> file */
	SB_ORACLE_RW_FF,	/* pread + pwrite file -> file */
	SB_ORACLE_READ,		/* pread file -> user */
	/* sockets (TCP or UDP over loopback, in the run's network namespace) */
	SB_ORACLE_FILE_SOCK,	 /* splice file -> pipe -> socket, recv */
	SB_ORACLE_SENDFILE_SOCK, /* sendfile file -> socket, recv */
	SB_ORACLE_USER_SOCK,	 /* vmsplice user -> pipe, splice pipe -> socket, recv */
	SB_ORACLE_SEND_SOCK,	 /* send(2) user -> socket, recv */
	SB_ORACLE_SOCK_PIPE,	 /* as USER_SOCK, then splice socket -> pipe, read the pipe */
	SB_ORACLE_SOCK_USER,	 /* as USER_SOCK, then recv(2) socket -> user, look at it */
};

enum sb_oracle_result {
	SB_ORACLE_BY_REFERENCE,
	SB_ORACLE_NOT_BY_REFERENCE,
	SB_ORACLE_NOT_APPLICABLE,
	SB_ORACLE_INCONCLUSIVE, /* a mix of old and new bytes */
	SB_ORACLE_ERROR,	/* the experiment itself failed (evidence says how) */
};

struct sb_oracle {
	enum sb_oracle_result result;
	char evidence[400];
};

struct sb_oracle_env {
	const char *dir;  /* where to make the oracle's files (the cell's target), NULL for pipes */
	bool src_direct;  /* open the source with O_DIRECT */
	bool dst_direct;
	bool gift;	  /* SPLICE_F_GIFT on vmsplice */
	int sock_type;	  /* the socket experiments: SOCK_STREAM (TCP) or SOCK_DGRAM (UDP) */
};

/*
 * Run the experiment for @kind. Never fails: errors are a result with
 * evidence. The socket experiments make their own connected pair with
 * sb_tcp_pair() or sb_udp_pair() in the private network namespace
 * (sb_netns_enter(): a no-op once the engine is in it), send one page,
 * change the source before the receiver looks, and close both ends.
 */
void sb_oracle_run(enum sb_oracle_kind kind, const struct sb_oracle_env *env,
		   struct sb_oracle *out);

const char *sb_oracle_result_name(enum sb_oracle_result r);
/* What the leg the oracle tests moves: "splice file->pipe", ... */
const char *sb_oracle_leg(enum sb_oracle_kind kind);

#endif
