// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "cellacct.h"

static const char *const sys_probe[SB_NR_SYS] = {
	[SB_SYS_SPLICE] = "syscalls:sys_exit_splice",
	[SB_SYS_VMSPLICE] = "syscalls:sys_exit_vmsplice",
	[SB_SYS_TEE] = "syscalls:sys_exit_tee",
	[SB_SYS_SENDFILE] = "syscalls:sys_exit_sendfile64",
	[SB_SYS_CFR] = "syscalls:sys_exit_copy_file_range",
	[SB_SYS_READ] = "syscalls:sys_exit_read",
	[SB_SYS_WRITE] = "syscalls:sys_exit_write",
	[SB_SYS_PREAD] = "syscalls:sys_exit_pread64",
	[SB_SYS_PWRITE] = "syscalls:sys_exit_pwrite64",
	[SB_SYS_SENDTO] = "syscalls:sys_exit_sendto",
	[SB_SYS_RECVFROM] = "syscalls:sys_exit_recvfrom",
};

/* counter -> the probe that fills it (and a second one it needs, or NULL) */
static const struct {
	unsigned int ctr;
	const char *probe;
	const char *needs;
} ctr_probe[] = {
	{ SB_TP_DIO_READ, "iomap:iomap_dio_complete", NULL },
	{ SB_TP_DIO_WRITE, "iomap:iomap_dio_complete", NULL },
	{ SB_TP_EXT4_WRITE_COPIED, "ext4:ext4_da_write_end", "ext4:ext4_write_end" },
	{ SB_TP_XFS_BUFFERED_WRITE, "xfs:xfs_file_buffered_write", NULL },
	{ SB_FN_FILEMAP_SPLICE_READ, "filemap_splice_read", NULL },
	{ SB_FN_SHMEM_SPLICE_READ, "shmem_file_splice_read", NULL },
	/* the DMA part of copy_splice_read is counted through iomap_dio_rw */
	{ SB_FN_COPY_SPLICE_READ_DMA, "copy_splice_read", "iomap_dio_rw" },
	{ SB_FN_COPY_SPLICE_READ_COPY, "copy_splice_read", "iomap_dio_rw" },
	{ SB_FN_GFSR_REF, "generic_file_splice_read", NULL },
	{ SB_FN_GFSR_FRESH, "generic_file_splice_read", NULL },
	{ SB_FN_GFSR_COPY, "generic_file_splice_read", NULL },
	{ SB_FN_GFSR_UNKNOWN, "generic_file_splice_read", NULL },
	{ SB_FN_ADD_TO_PIPE, "add_to_pipe", NULL },
	{ SB_FN_PIPE_TO_USER, "pipe_to_user", NULL },
	{ SB_FN_DO_TEE, "do_tee", NULL },
	{ SB_FN_PIPE_READ, "pipe_read", NULL },
	{ SB_FN_PIPE_WRITE, "pipe_write", NULL },
	{ SB_FN_FILEMAP_READ, "filemap_read", NULL },
	{ SB_FN_SHMEM_READ, "shmem_file_read_iter", NULL },
	{ SB_FN_GENERIC_PERFORM_WRITE, "generic_perform_write", NULL },
	{ SB_FN_IOMAP_BUFFERED_WRITE, "iomap_file_buffered_write", NULL },
	{ SB_FN_IOMAP_DIO_READ, "iomap_dio_rw", NULL },
	{ SB_FN_IOMAP_DIO_WRITE, "iomap_dio_rw", NULL },
	{ SB_FN_REMAP, "remap_file_range", NULL },
	{ SB_FN_ITER_FILE_SPLICE_WRITE, "iter_file_splice_write", NULL },
};

void sb_run_acct_init(struct sb_run_acct *ra, struct sb_acct *acct, unsigned int kv)
{
	json_t *full, *p;
	size_t i;

	memset(ra, 0, sizeof(*ra));
	ra->acct = acct;
	ra->kv = kv;
	for (i = 0; acct && i < SB_NR_SYS; i++)
		ra->sys_valid[i] = sb_acct_attached(acct, sys_probe[i]) ||
				   sb_acct_attached(acct, "raw_syscalls:sys_exit");
	for (i = 0; acct && i < SB_ARRAY_SIZE(ctr_probe); i++)
		ra->ctr_valid[ctr_probe[i].ctr] =
			sb_acct_attached(acct, ctr_probe[i].probe) &&
			(!ctr_probe[i].needs || sb_acct_attached(acct, ctr_probe[i].needs));
	/*
	 * 4.9-6.4: buffered and O_DIRECT reads under a splice read go through
	 * ITER_PIPE; without generic_file_splice_read telling them apart, the
	 * read probes would count splice reads as copies.
	 */
	if (kv && kv < SB_KV(6, 5, 0) && !sb_acct_attached(acct, "generic_file_splice_read"))
		ra->ctr_valid[SB_FN_FILEMAP_READ] = ra->ctr_valid[SB_FN_SHMEM_READ] =
			ra->ctr_valid[SB_FN_IOMAP_DIO_READ] = false;
	ra->probes = json_array();
	if (!acct)
		return;
	full = sb_acct_probes_json(acct);
	json_array_foreach(full, i, p)
		json_array_append_new(ra->probes,
				      json_pack("{s:O, s:O, s:O, s:O, s:O}", "name",
						json_object_get(p, "name"), "tier",
						json_object_get(p, "tier"), "mode",
						json_object_get(p, "mode"), "attached",
						json_object_get(p, "attached"), "reason",
						json_object_get(p, "reason")));
	json_decref(full);
}

void sb_run_acct_fini(struct sb_run_acct *ra)
{
	json_decref(ra->probes);
	ra->probes = NULL;
}

static uint64_t ino_of(int fd)
{
	struct stat st;

	return fd >= 0 && !fstat(fd, &st) ? (uint64_t)st.st_ino : 0;
}

void sb_cell_acct_begin(struct sb_run_acct *ra, struct sb_cell_acct *ca,
			const struct sb_workload *w, const struct sb_wl_ctx *x, const char *dir,
			const char *fs, bool direct, bool misaligned, bool verify_all)
{
	/* the peer thread's socket is not registered: its I/O stays role "other" */
	const int fds[] = { x->src_fd,	x->dst_fd,  x->pfd[1], x->pfd[0],
			    x->pfd2[1], x->pfd2[0], x->null_fd, x->sock_fd };
	const unsigned char roles[] = { SB_ROLE_SRC,	 SB_ROLE_DST,	  SB_ROLE_PIPE_W,
					SB_ROLE_PIPE_R,	 SB_ROLE_PIPE2_W, SB_ROLE_PIPE2_R,
					SB_ROLE_NULL,	 SB_ROLE_SOCK };
	uint64_t inos[2] = { ino_of(x->src_fd), ino_of(x->dst_fd) };
	const unsigned char ino_roles[2] = { SB_ROLE_SRC, SB_ROLE_DST };
	struct sb_oracle_env oenv = {
		.dir = dir,
		.src_direct = direct && (w->flags & SB_WL_SRC_FILE),
		/* a destination file: a file workload's, or a socket cell's --sink file */
		.dst_direct = direct && x->dst_fd >= 0,
		.gift = x->gift,
		.sock_type = x->sock_type,
	};

	memset(ca, 0, sizeof(*ca));
	ca->env = (struct sb_path_env){ ra->kv,
					fs,
					oenv.src_direct,
					oenv.dst_direct,
					misaligned,
					x->sock_type == SOCK_STREAM  ? "tcp"
					: x->sock_type == SOCK_DGRAM ? "udp"
								     : NULL };
	ca->okind = w->oracle;
	sb_oracle_run(w->oracle, &oenv, &ca->oracle);
	if (verify_all) {
		snprintf(ca->off_reason, sizeof(ca->off_reason),
			 "--verify: the checking I/O inside the samples would be counted");
		return;
	}
	ca->on = true;
	if (sb_acct_active(ra->acct))
		sb_acct_set_cell(ra->acct, fds, roles, SB_ARRAY_SIZE(fds), inos, ino_roles,
				 (size_t)(inos[1] ? 2 : 1));
}

void sb_cell_acct_read(struct sb_run_acct *ra, const struct sb_cell_acct *ca,
		       struct sb_acct_ctrs *out)
{
	memset(out, 0, sizeof(*out));
	if (ca->on && sb_acct_active(ra->acct))
		sb_acct_read(ra->acct, out);
}

void sb_acct_ctrs_sub(const struct sb_acct_ctrs *after, const struct sb_acct_ctrs *before,
		      struct sb_acct_ctrs *d)
{
	for (size_t i = 0; i < SB_NR_CTRS; i++) {
		d->bytes[i] = after->bytes[i] - before->bytes[i];
		d->hits[i] = after->hits[i] - before->hits[i];
	}
}

void sb_acct_ctrs_add(struct sb_acct_ctrs *sum, const struct sb_acct_ctrs *x)
{
	for (size_t i = 0; i < SB_NR_CTRS; i++) {
		sum->bytes[i] += x->bytes[i];
		sum->hits[i] += x->hits[i];
	}
}

json_t *sb_cell_acct_json(const struct sb_run_acct *ra, const struct sb_cell_acct *ca,
			  const uint64_t *io, const struct sb_acct_ctrs *bpf, uint64_t moved,
			  bool brief)
{
	struct sb_split_in in = { .io = io, .moved = moved, .env = ca->env,
				  .oracle_kind = ca->okind, .oracle = ca->oracle.result };
	struct sb_split s;
	json_t *j;

	if (!ca->on) {
		static const char *const keys[] = { "bytes_moved", "bytes_by_reference",
						    "bytes_fresh_pages", "bytes_cpu_copied",
						    "copy_ratio", "zero_copy_ratio" };

		if (brief)
			return json_null();
		j = json_pack("{s:n, s:s, s:o}", "tier", "reason", ca->off_reason, "oracle",
			      json_pack("{s:s, s:s, s:s}", "result",
					sb_oracle_result_name(ca->oracle.result), "leg",
					sb_oracle_leg(ca->okind), "evidence", ca->oracle.evidence));
		/* not counted: null with the reason, never a silent zero */
		for (size_t i = 0; i < SB_ARRAY_SIZE(keys); i++)
			json_object_set_new(j, keys[i],
					    json_pack("{s:n, s:n, s:n, s:s}", "value", "tier",
						      "fidelity", "reason", ca->off_reason));
		return j;
	}
	if (sb_acct_active(ra->acct)) {
		in.bpf = bpf;
		memcpy(in.sys_valid, ra->sys_valid, sizeof(in.sys_valid));
		memcpy(in.ctr_valid, ra->ctr_valid, sizeof(in.ctr_valid));
	}
	sb_split_compute(&in, &s);
	j = sb_split_json(&s, brief);
	if (brief)
		return j;
	json_object_set_new(j, "oracle",
			    json_pack("{s:s, s:s, s:s, s:s, s:o}", "result",
				      sb_oracle_result_name(ca->oracle.result), "leg",
				      sb_oracle_leg(ca->okind), "evidence", ca->oracle.evidence,
				      "expected",
				      ca->okind == SB_ORACLE_NONE ? "not_applicable"
				      : s.oracle_expected_ref	  ? "by_reference"
								  : "not_by_reference",
				      "agrees",
				      s.oracle_agrees < 0 ? json_null()
							  : json_boolean(s.oracle_agrees)));
	json_object_set_new(j, "probes", json_incref(ra->probes));
	return j;
}
