// SPDX-License-Identifier: MIT
/*
 * The split of a cell: which tier produces it, and how each number is
 * labelled (exact / estimate / oracle), from synthetic counters.
 */
#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "split.h"
#include "tap.h"

#define N 1000000ULL

static uint64_t io[SB_NR_SYS_SLOTS];
static struct sb_acct_ctrs bpf;

static void reset(struct sb_split_in *in, const char *fs, bool direct)
{
	memset(io, 0, sizeof(io));
	memset(&bpf, 0, sizeof(bpf));
	memset(in, 0, sizeof(*in));
	in->io = io;
	in->moved = N;
	in->env = (struct sb_path_env){ SB_KV(6, 12, 117), fs, direct, false, false, NULL };
	in->oracle_kind = SB_ORACLE_FILE_PIPE;
	in->oracle = SB_ORACLE_NOT_APPLICABLE;
}

/* splice.file-to-pipe with the devnull sink: two legs of N bytes */
static void file_to_pipe_legs(void)
{
	io[SB_SYS_SLOT(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W)] = N;
	io[SB_SYS_SLOT(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_NULL)] = N;
}

static void traced(struct sb_split_in *in)
{
	in->bpf = &bpf;
	for (int s = 0; s < SB_NR_SYS; s++)
		in->sys_valid[s] = true;
	memcpy(bpf.bytes, io, sizeof(io));
}

/* Whether the oracle @kind is expected to see the new bytes on @kv over @proto. */
static bool oracle_ref(enum sb_oracle_kind kind, unsigned int kv, const char *proto,
		       bool src_direct)
{
	struct sb_path_env env = { kv, "ext4", src_direct, false, false, proto };

	return sb_oracle_expect_ref(kind, &env);
}

/* A socket cell over @proto whose oracle @kind found @found. */
static void reset_socket(struct sb_split_in *in, const char *fs, const char *proto,
			 enum sb_oracle_kind kind, enum sb_oracle_result found)
{
	reset(in, fs, false);
	in->env.proto = proto;
	in->oracle_kind = kind;
	in->oracle = found;
}

/* The socket workloads' legs and their oracles. */
static void socket_cells(void)
{
	const unsigned int k6171 = SB_KV(6, 1, 71), k6172 = SB_KV(6, 1, 72),
			   k618 = SB_KV(6, 18, 44);
	struct sb_split_in in;
	struct sb_split s;

	/* the expectation of each socket oracle */
	ok(oracle_ref(SB_ORACLE_FILE_SOCK, k618, "tcp", false), "file->pipe->TCP: by reference");
	ok(oracle_ref(SB_ORACLE_FILE_SOCK, k618, "udp", false),
	   "file->pipe->UDP on 6.18: by reference (MSG_SPLICE_PAGES)");
	ok(oracle_ref(SB_ORACLE_FILE_SOCK, k6171, "udp", false),
	   "file->pipe->UDP on 6.1.71: by reference (ip_append_page)");
	ok(!oracle_ref(SB_ORACLE_FILE_SOCK, k6172, "udp", false),
	   "file->pipe->UDP on 6.1.72: not (the stable backport copies)");
	ok(oracle_ref(SB_ORACLE_FILE_SOCK, k6172, "tcp", false), "file->pipe->TCP on 6.1.72: is");
	ok(!oracle_ref(SB_ORACLE_FILE_SOCK, k618, "tcp", true),
	   "O_DIRECT file->pipe->TCP: not (fresh pages between)");
	ok(oracle_ref(SB_ORACLE_SENDFILE_SOCK, k618, "tcp", false), "sendfile file->TCP: is");
	ok(!oracle_ref(SB_ORACLE_SENDFILE_SOCK, k6172, "udp", false),
	   "sendfile file->UDP on 6.1.72: not");
	ok(!oracle_ref(SB_ORACLE_SENDFILE_SOCK, k618, "tcp", true), "O_DIRECT sendfile: not");
	ok(oracle_ref(SB_ORACLE_USER_SOCK, k6171, "udp", false),
	   "vmsplice+splice user->UDP on 6.1.71: is");
	ok(!oracle_ref(SB_ORACLE_USER_SOCK, k6172, "udp", false), "on 6.1.72: not");
	ok(!oracle_ref(SB_ORACLE_SEND_SOCK, k618, "tcp", false), "send(2): not (copied)");
	ok(!oracle_ref(SB_ORACLE_SEND_SOCK, k618, "udp", false), "send(2) UDP: not");
	ok(oracle_ref(SB_ORACLE_SOCK_PIPE, k618, "tcp", false),
	   "user->pipe->TCP->pipe: by reference end to end");
	ok(!oracle_ref(SB_ORACLE_SOCK_PIPE, k618, "udp", false),
	   "UDP->pipe: not (copy_splice_read copies)");
	ok(!oracle_ref(SB_ORACLE_SOCK_USER, k618, "tcp", false), "recv(2): not (copied)");
	ok(!oracle_ref(SB_ORACLE_USER_SOCK, k618, NULL, false),
	   "no protocol: no expectation, so not by reference");

	/* splice.file-to-socket over TCP, tier 2: both legs by reference, the oracle agrees */
	reset_socket(&in, "xfs", "tcp", SB_ORACLE_FILE_SOCK, SB_ORACLE_BY_REFERENCE);
	io[SB_SYS_SLOT(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W)] = N;
	io[SB_SYS_SLOT(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK)] = N;
	traced(&in);
	sb_split_compute(&in, &s);
	is_str(s.tier, "tracepoint", "socket cell: tier 2");
	is_double(s.ref.value, 2.0 * N, 0, "file->pipe and pipe->socket both by reference");
	is_double(s.copy.value, 0, 0, "nothing copied");
	is_int(s.ref.fidelity, SB_FID_ESTIMATE, "no tracepoint sees the socket's reference");
	is_int(s.oracle_agrees, 1, "the oracle agrees");
	is_int(s.nwarnings, 0, "no warning");

	/* the same cell with tier 1 probes attached: they cannot see the socket leg */
	in.ctr_valid[SB_FN_FILEMAP_SPLICE_READ] = true;
	bpf.bytes[SB_FN_FILEMAP_SPLICE_READ] = N;
	sb_split_compute(&in, &s);
	is_str(s.tier, "tracepoint", "tier 1 is not used for a socket cell");
	ok(!s.tier1_tried, "and not tried");
	ok(s.nwarnings == 1 && strstr(s.warning[0], "socket leg splice pipe->socket"),
	   "warned: %s", s.warning[0]);

	/* UDP on 6.1.72: the send leg copies, an oracle that saw a reference disagrees */
	reset_socket(&in, "ext4", "udp", SB_ORACLE_FILE_SOCK, SB_ORACLE_BY_REFERENCE);
	in.env.kv = k6172;
	io[SB_SYS_SLOT(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W)] = N;
	io[SB_SYS_SLOT(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK)] = N;
	sb_split_compute(&in, &s);
	is_double(s.ref.value, N, 0, "6.1.72 UDP: the file->pipe leg by reference");
	is_double(s.copy.value, N, 0, "and the pipe->socket leg copied");
	is_int(s.oracle_agrees, 0, "a by-reference oracle disagrees there");

	/* rw.file-to-socket: pread and send both copy */
	reset_socket(&in, "tmpfs", "tcp", SB_ORACLE_SEND_SOCK, SB_ORACLE_NOT_BY_REFERENCE);
	io[SB_SYS_SLOT(SB_SYS_PREAD, SB_ROLE_SRC, SB_ROLE_USER)] = N;
	io[SB_SYS_SLOT(SB_SYS_SENDTO, SB_ROLE_USER, SB_ROLE_SOCK)] = N;
	traced(&in);
	sb_split_compute(&in, &s);
	is_double(s.copy.value, 2.0 * N, 0, "pread + send: copied twice");
	is_int(s.totals_match, 1, "the sendto tracepoint total matches");
	is_int(s.oracle_agrees, 1, "the send oracle agrees");

	/* splice.socket-to-pipe over UDP with the user sink: copied in, copied out */
	reset_socket(&in, NULL, "udp", SB_ORACLE_SOCK_PIPE, SB_ORACLE_NOT_APPLICABLE);
	io[SB_SYS_SLOT(SB_SYS_SPLICE, SB_ROLE_SOCK, SB_ROLE_PIPE_W)] = N;
	io[SB_SYS_SLOT(SB_SYS_READ, SB_ROLE_PIPE_R, SB_ROLE_USER)] = N;
	io[SB_SYS_SLOT(SB_SYS_RECVFROM, SB_ROLE_OTHER, SB_ROLE_USER)] = N; /* the peer: ignored */
	sb_split_compute(&in, &s);
	is_int(s.nlegs, 2, "two legs (the peer's role-other I/O is no leg)");
	is_double(s.copy.value, 2.0 * N, 0, "UDP socket->pipe and read pipe->user copy");
	is_double(s.ref.value, 0, 0, "nothing by reference");
}

int main(void)
{
	struct sb_split_in in;
	struct sb_split s;

	/* no BPF: counted by the benchmark, split by the table, the oracle agrees */
	reset(&in, "ext4", false);
	file_to_pipe_legs();
	in.oracle = SB_ORACLE_BY_REFERENCE;
	sb_split_compute(&in, &s);
	is_str(s.tier, "oracle", "without BPF the split comes from the oracle tier");
	is_int(s.ref.fidelity, SB_FID_ORACLE, "by reference: fidelity oracle (the oracle agrees)");
	is_double(s.ref.value, N, 0, "by reference = the file->pipe leg");
	is_double(s.copy.value, 0, 0, "nothing copied (the drain into /dev/null copies nothing)");
	is_int(s.nlegs, 2, "two legs");
	is_int(s.totals_match, -1, "no tracepoints: totals not checked");
	is_int(s.oracle_agrees, 1, "oracle agrees with the expectation");

	/* no BPF, the oracle disagrees: estimate, and a warning */
	reset(&in, "ext4", false);
	file_to_pipe_legs();
	in.oracle = SB_ORACLE_NOT_BY_REFERENCE;
	sb_split_compute(&in, &s);
	is_int(s.ref.fidelity, SB_FID_ESTIMATE, "oracle disagrees: only an estimate");
	is_int(s.oracle_agrees, 0, "disagreement recorded");
	ok(s.nwarnings == 1 && strstr(s.warning[0], "oracle"), "and warned: %s", s.warning[0]);

	/* tier 2: syscall totals equal the benchmark's counts */
	reset(&in, "xfs", false);
	file_to_pipe_legs();
	traced(&in);
	sb_split_compute(&in, &s);
	is_str(s.tier, "tracepoint", "syscall tracepoints: tier 2");
	is_int(s.totals_match, 1, "totals match");
	is_int(s.ref.fidelity, SB_FID_ESTIMATE, "split by the table: estimate");
	ok(strstr(s.ref.method, "6.5+") != NULL, "method names the era: %s", s.ref.method);

	/* tier 2: a mismatch of totals is reported, and the split falls back to the benchmark's */
	bpf.bytes[SB_SYS_SLOT(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W)] = N - 4096;
	sb_split_compute(&in, &s);
	is_int(s.totals_match, 0, "a traced total that differs is a mismatch");
	ok(s.nwarnings >= 1 && strstr(s.warning[0], "other byte counts"), "warned: %s",
	   s.warning[0]);
	is_str(s.tier, "oracle", "and the tracepoint split is not used");

	/* tier 2: O_DIRECT on xfs: fresh pages measured by iomap's tracepoint -> exact */
	reset(&in, "xfs", true);
	file_to_pipe_legs();
	traced(&in);
	in.ctr_valid[SB_TP_DIO_READ] = true;
	bpf.bytes[SB_TP_DIO_READ] = N;
	sb_split_compute(&in, &s);
	is_double(s.fresh.value, N, 0, "O_DIRECT splice: fresh pages = DMA bytes");
	is_int(s.fresh.fidelity, SB_FID_EXACT, "measured by iomap_dio_complete: exact");
	is_int(s.ref.fidelity, SB_FID_ESTIMATE, "the class nothing measured stays an estimate");

	/* tier 2: rw.file-to-file on ext4: copy = pread (estimate) + pwrite (exact) -> estimate */
	reset(&in, "ext4", false);
	io[SB_SYS_SLOT(SB_SYS_PREAD, SB_ROLE_SRC, SB_ROLE_USER)] = N;
	io[SB_SYS_SLOT(SB_SYS_PWRITE, SB_ROLE_USER, SB_ROLE_DST)] = N;
	traced(&in);
	in.ctr_valid[SB_TP_EXT4_WRITE_COPIED] = true;
	bpf.bytes[SB_TP_EXT4_WRITE_COPIED] = N;
	sb_split_compute(&in, &s);
	is_double(s.copy.value, 2.0 * N, 0, "copied twice per byte");
	is_int(s.copy.fidelity, SB_FID_ESTIMATE, "partly measured: still an estimate");

	/* tier 1: the function probes account for every expected byte -> exact */
	reset(&in, "ext4", false);
	file_to_pipe_legs();
	traced(&in);
	in.ctr_valid[SB_FN_FILEMAP_SPLICE_READ] = true;
	in.ctr_valid[SB_FN_PIPE_READ] = true;
	bpf.bytes[SB_FN_FILEMAP_SPLICE_READ] = N;
	sb_split_compute(&in, &s);
	is_str(s.tier, "function", "tier 1 when it accounts for everything");
	is_int(s.ref.fidelity, SB_FID_EXACT, "exact");
	is_double(s.ref.value, N, 0, "by reference from filemap_splice_read");
	is_u64(s.tier1_accounted, N, "accounted");
	is_u64(s.tier1_expected, N, "expected (the /dev/null leg moves nothing)");

	/* tier 1 that misses bytes (an inlined function): falls back to tier 2, says so */
	bpf.bytes[SB_FN_FILEMAP_SPLICE_READ] = N / 2;
	sb_split_compute(&in, &s);
	is_str(s.tier, "tracepoint", "incomplete tier 1 -> tier 2");
	ok(s.nwarnings >= 1 && strstr(s.warning[0], "function probes accounted for"),
	   "warned: %s", s.warning[0]);

	/* the oracle's expectation per path */
	in.env.src_direct = true;
	ok(!sb_oracle_expect_ref(SB_ORACLE_FILE_PIPE, &in.env),
	   "O_DIRECT splice is not expected to alias the page cache");
	in.env.src_direct = false;
	ok(sb_oracle_expect_ref(SB_ORACLE_FILE_PIPE, &in.env), "buffered splice is");
	ok(sb_oracle_expect_ref(SB_ORACLE_TEE, &in.env), "tee is");
	ok(!sb_oracle_expect_ref(SB_ORACLE_READ, &in.env), "pread is not");

	socket_cells();

	/* JSON: every number carries tier and fidelity */
	{
		json_t *j = sb_split_json(&s, false);

		ok(json_is_string(json_object_get(json_object_get(j, "bytes_by_reference"),
						  "fidelity")),
		   "bytes_by_reference has a fidelity");
		ok(json_is_string(json_object_get(json_object_get(j, "bytes_moved"), "tier")),
		   "bytes_moved has a tier");
		ok(json_is_object(json_object_get(j, "copy_ratio")), "copy_ratio");
		json_decref(j);
	}
	return tap_done();
}
