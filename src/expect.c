// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "probes.h"

const char *sb_class_name(enum sb_class c)
{
	switch (c) {
	case SB_CLASS_REF:
		return "by_reference";
	case SB_CLASS_FRESH:
		return "fresh_pages";
	case SB_CLASS_COPY:
		return "cpu_copied";
	default:
		return "none";
	}
}

const char *sb_role_name(unsigned int role)
{
	static const char *const names[SB_NR_ROLES] = {
		"other", "file",  "file",      "pipe", "pipe",
		"pipe2", "pipe2", "/dev/null", "user", "socket",
	};

	return role < SB_NR_ROLES ? names[role] : "?";
}

const char *sb_sys_name(unsigned int sys)
{
	static const char *const names[SB_NR_SYS] = {
		"splice", "vmsplice", "tee",	"sendfile", "copy_file_range", "read",
		"write",  "pread",    "pwrite", "send",	    "recv",
	};

	return sys < SB_NR_SYS ? names[sys] : "?";
}

void sb_leg_name(const struct sb_leg *leg, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s->%s", sb_sys_name(leg->sys), sb_role_name(leg->in),
		 sb_role_name(leg->out));
}

static bool is_tmpfs(const struct sb_path_env *e)
{
	return e->fs && !strcmp(e->fs, "tmpfs");
}

static bool is_pipe_r(unsigned int r)
{
	return r == SB_ROLE_PIPE_R || r == SB_ROLE_PIPE2_R;
}

static bool is_pipe_w(unsigned int r)
{
	return r == SB_ROLE_PIPE_W || r == SB_ROLE_PIPE2_W;
}

/* file -> pipe: the read side of splice, sendfile and the splice-based copy_file_range */
static struct sb_expect_part file_to_pipe(const struct sb_path_env *e)
{
	bool era_a = e->kv && e->kv < SB_KV(4, 9, 0), era_c = !e->kv || e->kv >= SB_KV(6, 5, 0);

	if (!e->src_direct || era_a) {
		if (era_a)
			return (struct sb_expect_part){
				SB_CLASS_REF, "<=4.8: the file's ->splice_read builds page-cache pipe "
					      "buffers for splice_to_pipe (O_DIRECT is ignored)"
			};
		if (!era_c)
			return (struct sb_expect_part){
				SB_CLASS_REF, "4.9-6.4: ITER_PIPE, copy_page_to_iter puts a reference "
					      "to the page-cache page in the pipe"
			};
		return (struct sb_expect_part){
			SB_CLASS_REF, is_tmpfs(e) ? "6.5+: shmem_file_splice_read puts the tmpfs "
						    "folio in the pipe by reference"
						  : "6.5+: filemap_splice_read puts the page-cache "
						    "folio in the pipe by reference"
		};
	}
	if (is_tmpfs(e))
		return (struct sb_expect_part){
			SB_CLASS_COPY, "O_DIRECT on tmpfs (6.6+): copy_splice_read copies from the "
				       "page cache into fresh pages"
		};
	if (e->misaligned && era_c)
		return (struct sb_expect_part){
			SB_CLASS_COPY, "misaligned O_DIRECT: the file system falls back to a "
				       "buffered read, copied into copy_splice_read's fresh pages"
		};
	if (!era_c)
		return (struct sb_expect_part){
			SB_CLASS_FRESH, "4.9-6.4: O_DIRECT into ITER_PIPE: pipe_get_pages allocates "
					"fresh pages, the device fills them by DMA"
		};
	return (struct sb_expect_part){
		SB_CLASS_FRESH, "6.5+: O_DIRECT: copy_splice_read allocates fresh pages, the "
				"device fills them by DMA"
	};
}

/* pipe -> file: the write side of splice, sendfile and copy_file_range */
static struct sb_expect_part pipe_to_file(const struct sb_path_env *e)
{
	if (e->dst_direct && !is_tmpfs(e))
		return (struct sb_expect_part){
			SB_CLASS_REF, "O_DIRECT write: the device reads the pipe's pages in place"
		};
	return (struct sb_expect_part){
		SB_CLASS_COPY, "iter_file_splice_write: the write_iter copies into the page cache"
	};
}

static bool is_proto(const struct sb_path_env *e, const char *proto)
{
	return e->proto && !strcmp(e->proto, proto);
}

/*
 * pipe -> socket: the write side of splice and sendfile into a socket
 * (reference section P4; loopback has scatter-gather). 0 for an unknown
 * protocol.
 */
static int pipe_to_socket(const struct sb_path_env *e, struct sb_expect_part *p)
{
	bool era_d = !e->kv || e->kv >= SB_KV(6, 5, 0);

	if (is_proto(e, "tcp")) {
		*p = era_d ? (struct sb_expect_part){ SB_CLASS_REF,
						      "6.5+: splice_to_socket sends with "
						      "MSG_SPLICE_PAGES, skb_splice_from_iter puts "
						      "the pipe's pages in the skb by reference" }
			   : (struct sb_expect_part){ SB_CLASS_REF,
						      "<=6.4: ->sendpage, do_tcp_sendpages puts the "
						      "pipe's pages in the skb by reference" };
		return 1;
	}
	if (!is_proto(e, "udp"))
		return 0;
	if (era_d)
		*p = (struct sb_expect_part){ SB_CLASS_REF,
					      "6.5+: splice_to_socket sends with MSG_SPLICE_PAGES, "
					      "__ip_append_data puts the pipe's pages in the skb by "
					      "reference (skb_splice_from_iter)" };
	else if (e->kv >= SB_KV(6, 1, 72) && e->kv < SB_KV(6, 2, 0))
		*p = (struct sb_expect_part){ SB_CLASS_COPY,
					      "6.1.72+ stable: udp_sendpage calls udp_sendmsg with "
					      "MSG_SPLICE_PAGES, which 6.1's __ip_append_data ignores: "
					      "ip_generic_getfrag copies the page" };
	else
		*p = (struct sb_expect_part){ SB_CLASS_REF,
					      "<=6.4: udp_sendpage, ip_append_page puts the pipe's "
					      "page in the skb by reference" };
	return 1;
}

/* socket -> pipe: splice from a socket (reference section P5). 0 for an unknown protocol. */
static int socket_to_pipe(const struct sb_path_env *e, struct sb_expect_part *p)
{
	if (is_proto(e, "tcp")) {
		*p = (struct sb_expect_part){ SB_CLASS_REF,
					      "tcp_splice_read: skb_splice_bits puts the skb's page "
					      "fragments in the pipe by reference (payload in a "
					      "locked linear head would be copied: a 5.4+ loopback "
					      "sender leaves none)" };
		return 1;
	}
	if (!is_proto(e, "udp"))
		return 0;
	if (e->kv && e->kv < SB_KV(4, 9, 1))
		*p = (struct sb_expect_part){ SB_CLASS_NONE,
					      "<=4.9.0: sock_splice_read refuses a UDP socket "
					      "(EINVAL): nothing moves" };
	else if (e->kv && e->kv < SB_KV(6, 5, 0))
		*p = (struct sb_expect_part){ SB_CLASS_COPY,
					      "4.9-6.4: sock_splice_read falls back to "
					      "generic_file_splice_read, udp_recvmsg copies each "
					      "datagram into fresh ITER_PIPE pages" };
	else
		*p = (struct sb_expect_part){ SB_CLASS_COPY,
					      "6.5+: sock_splice_read uses copy_splice_read, "
					      "udp_recvmsg copies each datagram into fresh pages" };
	return 1;
}

/* One part of class @cls for all the leg's bytes if @applies; returns the number of parts. */
static int one_part(bool applies, struct sb_expect_part *p, enum sb_class cls, const char *basis)
{
	if (applies)
		*p = (struct sb_expect_part){ cls, basis };
	return applies;
}

int sb_expect_leg(const struct sb_leg *leg, const struct sb_path_env *env,
		  struct sb_expect_part parts[2])
{
	switch (leg->sys) {
	case SB_SYS_SPLICE:
		if (leg->in == SB_ROLE_SRC && is_pipe_w(leg->out)) {
			parts[0] = file_to_pipe(env);
			return 1;
		}
		if (is_pipe_r(leg->in) && leg->out == SB_ROLE_NULL) {
			parts[0] = (struct sb_expect_part){
				SB_CLASS_NONE, "splice into /dev/null releases the pipe buffers"
			};
			return 1;
		}
		if (is_pipe_r(leg->in) && leg->out == SB_ROLE_DST) {
			parts[0] = pipe_to_file(env);
			return 1;
		}
		if (is_pipe_r(leg->in) && leg->out == SB_ROLE_SOCK)
			return pipe_to_socket(env, &parts[0]);
		if (leg->in == SB_ROLE_SOCK && is_pipe_w(leg->out))
			return socket_to_pipe(env, &parts[0]);
		return 0;
	case SB_SYS_VMSPLICE:
		if (leg->in == SB_ROLE_USER && is_pipe_w(leg->out)) {
			parts[0] = (struct sb_expect_part){
				SB_CLASS_REF, "vmsplice puts the user pages in the pipe by reference "
					      "(add_to_pipe)"
			};
			return 1;
		}
		if (is_pipe_r(leg->in) && leg->out == SB_ROLE_USER) {
			parts[0] = (struct sb_expect_part){
				SB_CLASS_COPY, "vmsplice out of a pipe copies (pipe_to_user)"
			};
			return 1;
		}
		return 0;
	case SB_SYS_TEE:
		return one_part(is_pipe_r(leg->in) && is_pipe_w(leg->out), parts, SB_CLASS_REF,
				"tee shares the pipe buffers (refcount) without copying");
	case SB_SYS_READ:
		return one_part(is_pipe_r(leg->in) && leg->out == SB_ROLE_USER, parts,
				SB_CLASS_COPY, "read(2) copies from the pipe");
	case SB_SYS_WRITE:
		return one_part(leg->in == SB_ROLE_USER && is_pipe_w(leg->out), parts,
				SB_CLASS_COPY, "write(2) copies into the pipe");
	case SB_SYS_PREAD:
		if (leg->in != SB_ROLE_SRC || leg->out != SB_ROLE_USER)
			return 0;
		parts[0] = env->src_direct && !is_tmpfs(env)
				   ? (struct sb_expect_part){ SB_CLASS_FRESH,
							      "O_DIRECT read: the device writes the "
							      "user buffer by DMA" }
				   : (struct sb_expect_part){ SB_CLASS_COPY,
							      "buffered read: copied from the page "
							      "cache" };
		return 1;
	case SB_SYS_PWRITE:
		if (leg->in != SB_ROLE_USER || leg->out != SB_ROLE_DST)
			return 0;
		parts[0] = env->dst_direct && !is_tmpfs(env)
				   ? (struct sb_expect_part){ SB_CLASS_REF,
							      "O_DIRECT write: the device reads the "
							      "user buffer in place" }
				   : (struct sb_expect_part){ SB_CLASS_COPY,
							      "buffered write: copied into the page "
							      "cache" };
		return 1;
	case SB_SYS_SENDFILE:
		if (leg->in != SB_ROLE_SRC)
			return 0;
		/* through the task's internal pipe: a read part and a write part */
		parts[0] = file_to_pipe(env);
		if (leg->out == SB_ROLE_SOCK)
			return pipe_to_socket(env, &parts[1]) ? 2 : 0;
		if (leg->out != SB_ROLE_DST)
			return 0;
		parts[1] = pipe_to_file(env);
		return 2;
	case SB_SYS_SENDTO:
		return one_part(leg->in == SB_ROLE_USER && leg->out == SB_ROLE_SOCK, parts,
				SB_CLASS_COPY, "send(2) copies the user buffer into the socket's skbs");
	case SB_SYS_RECVFROM:
		return one_part(leg->in == SB_ROLE_SOCK && leg->out == SB_ROLE_USER, parts,
				SB_CLASS_COPY,
				"recv(2) copies from the socket's skbs into the user buffer");
	case SB_SYS_CFR:
		if (leg->in != SB_ROLE_SRC || leg->out != SB_ROLE_DST)
			return 0;
		if (env->fs && !strcmp(env->fs, "xfs")) {
			parts[0] = (struct sb_expect_part){
				SB_CLASS_REF, "xfs (reflink) shares the extents through "
					      "remap_file_range: nothing is copied"
			};
			return 1;
		}
		parts[0] = file_to_pipe(env);
		parts[1] = pipe_to_file(env);
		return 2;
	default:
		return 0;
	}
}
