// SPDX-License-Identifier: MIT
/* The expectation table, per era and file system (reference section 7). */
#include <string.h>

#include "expect.h"
#include "probes.h"
#include "tap.h"

static enum sb_class one(unsigned int sys, unsigned int in, unsigned int out, unsigned int kv,
			 const char *fs, bool src_direct, bool dst_direct, bool misaligned)
{
	struct sb_leg leg = { sys, in, out };
	struct sb_path_env env = { kv, fs, src_direct, dst_direct, misaligned, NULL };
	struct sb_expect_part p[2];

	if (sb_expect_leg(&leg, &env, p) != 1)
		return SB_NR_CLASSES;
	return p[0].cls;
}

#define K48 SB_KV(4, 8, 15)
#define K61 SB_KV(6, 1, 192)
#define K612 SB_KV(6, 12, 117)
#define K490 SB_KV(4, 9, 0)
#define K510 SB_KV(5, 10, 7)
#define K6171 SB_KV(6, 1, 71)
#define K6172 SB_KV(6, 1, 72)
#define K64 SB_KV(6, 4, 6)
#define K65 SB_KV(6, 5, 0)
#define K618 SB_KV(6, 18, 44)

/* One-part socket legs: the class per era and protocol, and a word of the basis. */
static const struct {
	unsigned int sys, in, out, kv;
	const char *proto;
	enum sb_class cls;
	const char *basis; /* a word the basis must name, or NULL */
	const char *what;
} sock_cases[] = {
	/* splice pipe -> socket (P4) */
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K48, "tcp", SB_CLASS_REF, "do_tcp_sendpages",
	  "4.8 TCP pipe->socket: by reference" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K61, "tcp", SB_CLASS_REF, "do_tcp_sendpages",
	  "6.1 TCP pipe->socket: by reference (the 6.1.72 backport is UDP only)" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K64, "tcp", SB_CLASS_REF, NULL,
	  "6.4 TCP pipe->socket: by reference" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K612, "tcp", SB_CLASS_REF, "MSG_SPLICE_PAGES",
	  "6.12 TCP pipe->socket: by reference" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K48, "udp", SB_CLASS_REF, "ip_append_page",
	  "4.8 UDP pipe->socket: by reference" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K6171, "udp", SB_CLASS_REF, "ip_append_page",
	  "6.1.71 UDP pipe->socket: by reference (before the backport)" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K6172, "udp", SB_CLASS_COPY,
	  "ip_generic_getfrag", "6.1.72 UDP pipe->socket: copied (stable backport)" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K61, "udp", SB_CLASS_COPY, "6.1.72",
	  "6.1.192 UDP pipe->socket: copied" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, SB_KV(6, 2, 0), "udp", SB_CLASS_REF, NULL,
	  "6.2.0 UDP pipe->socket: by reference (the backport is 6.1.y only)" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K64, "udp", SB_CLASS_REF, NULL,
	  "6.4 UDP pipe->socket: by reference" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K65, "udp", SB_CLASS_REF, "__ip_append_data",
	  "6.5 UDP pipe->socket: by reference (MSG_SPLICE_PAGES)" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, 0, "udp", SB_CLASS_REF, "6.5+",
	  "unknown kernel: the newest era" },
	{ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, K612, NULL, SB_NR_CLASSES, NULL,
	  "no protocol: no expectation" },
	/* splice socket -> pipe (P5) */
	{ SB_SYS_SPLICE, SB_ROLE_SOCK, SB_ROLE_PIPE_W, K612, "tcp", SB_CLASS_REF, "skb_splice_bits",
	  "6.12 TCP socket->pipe: by reference" },
	{ SB_SYS_SPLICE, SB_ROLE_SOCK, SB_ROLE_PIPE_W, K61, "tcp", SB_CLASS_REF, NULL,
	  "6.1 TCP socket->pipe: by reference" },
	{ SB_SYS_SPLICE, SB_ROLE_SOCK, SB_ROLE_PIPE_W, K48, "udp", SB_CLASS_NONE, "EINVAL",
	  "4.8 UDP socket->pipe: refused, nothing moves" },
	{ SB_SYS_SPLICE, SB_ROLE_SOCK, SB_ROLE_PIPE_W, K490, "udp", SB_CLASS_NONE, "EINVAL",
	  "4.9.0 UDP socket->pipe: refused" },
	{ SB_SYS_SPLICE, SB_ROLE_SOCK, SB_ROLE_PIPE_W, K510, "udp", SB_CLASS_COPY,
	  "generic_file_splice_read", "5.10 UDP socket->pipe: copied into ITER_PIPE pages" },
	{ SB_SYS_SPLICE, SB_ROLE_SOCK, SB_ROLE_PIPE_W, K618, "udp", SB_CLASS_COPY,
	  "copy_splice_read", "6.18 UDP socket->pipe: copied" },
	/* send and recv copy in every era */
	{ SB_SYS_SENDTO, SB_ROLE_USER, SB_ROLE_SOCK, K612, "tcp", SB_CLASS_COPY, NULL,
	  "TCP send user->socket: copied" },
	{ SB_SYS_SENDTO, SB_ROLE_USER, SB_ROLE_SOCK, K48, "udp", SB_CLASS_COPY, NULL,
	  "UDP send user->socket: copied" },
	{ SB_SYS_RECVFROM, SB_ROLE_SOCK, SB_ROLE_USER, K48, "tcp", SB_CLASS_COPY, NULL,
	  "TCP recv socket->user: copied" },
	{ SB_SYS_RECVFROM, SB_ROLE_SOCK, SB_ROLE_USER, K618, "udp", SB_CLASS_COPY, NULL,
	  "UDP recv socket->user: copied" },
	{ SB_SYS_SENDTO, SB_ROLE_SRC, SB_ROLE_SOCK, K612, "tcp", SB_NR_CLASSES, NULL,
	  "send from a file is no leg of the benchmark" },
	{ SB_SYS_RECVFROM, SB_ROLE_SOCK, SB_ROLE_PIPE_W, K612, "tcp", SB_NR_CLASSES, NULL,
	  "recv into a pipe is no leg of the benchmark" },
};

/* The socket legs (reference P4, P5, P6). */
static void socket_legs(void)
{
	struct sb_leg sf = { SB_SYS_SENDFILE, SB_ROLE_SRC, SB_ROLE_SOCK };
	struct sb_path_env env = { K6172, "xfs", false, false, false, "udp" };
	struct sb_expect_part p[2];
	char name[64];

	for (size_t i = 0; i < SB_ARRAY_SIZE(sock_cases); i++) {
		const struct sb_leg leg = { sock_cases[i].sys, sock_cases[i].in, sock_cases[i].out };
		const struct sb_path_env e = { sock_cases[i].kv, "ext4", false, false, false,
					       sock_cases[i].proto };
		int n = sb_expect_leg(&leg, &e, p);

		is_int(n == 1 ? p[0].cls : SB_NR_CLASSES, sock_cases[i].cls, "%s",
		       sock_cases[i].what);
		if (n == 1 && sock_cases[i].basis)
			ok(strstr(p[0].basis, sock_cases[i].basis) != NULL, "basis names %s: %s",
			   sock_cases[i].basis, p[0].basis);
	}

	/* sendfile file -> socket: the file->pipe part and the pipe->socket part */
	is_int(sb_expect_leg(&sf, &env, p), 2, "sendfile file->socket has two parts");
	ok(p[0].cls == SB_CLASS_REF && p[1].cls == SB_CLASS_COPY,
	   "6.1.72 UDP sendfile: read by reference, the send part copied");
	env.proto = "tcp";
	is_int(sb_expect_leg(&sf, &env, p), 2, "TCP sendfile: two parts");
	ok(p[0].cls == SB_CLASS_REF && p[1].cls == SB_CLASS_REF,
	   "6.1.72 TCP sendfile: both parts by reference");
	env = (struct sb_path_env){ K612, "ext4", true, false, false, "tcp" };
	is_int(sb_expect_leg(&sf, &env, p), 2, "O_DIRECT TCP sendfile: two parts");
	ok(p[0].cls == SB_CLASS_FRESH && p[1].cls == SB_CLASS_REF,
	   "6.12 O_DIRECT TCP sendfile: fresh pages (DMA), then by reference");
	env.proto = NULL;
	is_int(sb_expect_leg(&sf, &env, p), 0, "sendfile into a socket of no protocol: none");

	/* names */
	sb_leg_name(&(struct sb_leg){ SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK }, name,
		    sizeof(name));
	is_str(name, "splice pipe->socket", "leg name");
	sb_leg_name(&(struct sb_leg){ SB_SYS_SENDTO, SB_ROLE_USER, SB_ROLE_SOCK }, name,
		    sizeof(name));
	is_str(name, "send user->socket", "leg name");
	sb_leg_name(&(struct sb_leg){ SB_SYS_RECVFROM, SB_ROLE_SOCK, SB_ROLE_USER }, name,
		    sizeof(name));
	is_str(name, "recv socket->user", "leg name");
	is_str(sb_sys_name(SB_NR_SYS), "?", "no name past the last syscall");
	is_str(sb_role_name(SB_NR_ROLES), "?", "no name past the last role");
}

int main(void)
{
	struct sb_expect_part p[2];
	struct sb_path_env env = { K612, "ext4", false, false, false, NULL };
	struct sb_leg sf = { SB_SYS_SENDFILE, SB_ROLE_SRC, SB_ROLE_DST };
	char name[64];

	/* splice file -> pipe */
	for (int i = 0; i < 3; i++) {
		const char *fs[] = { "tmpfs", "ext4", "xfs" };

		is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K612, fs[i], false, false,
			   false),
		       SB_CLASS_REF, "6.12 %s splice file->pipe: by reference", fs[i]);
		is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K61, fs[i], false, false,
			   false),
		       SB_CLASS_REF, "6.1 %s splice file->pipe: by reference (ITER_PIPE)", fs[i]);
	}
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K612, "xfs", true, false, false),
	       SB_CLASS_FRESH, "6.12 xfs O_DIRECT splice: fresh pages by DMA");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K61, "ext4", true, false, false),
	       SB_CLASS_FRESH, "6.1 ext4 O_DIRECT splice: fresh pages by DMA");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K48, "ext4", true, false, false),
	       SB_CLASS_REF, "4.8 ignores O_DIRECT for splice: by reference");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K612, "tmpfs", true, false, false),
	       SB_CLASS_COPY, "6.12 tmpfs O_DIRECT splice: copied");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K612, "ext4", true, false, true),
	       SB_CLASS_COPY, "6.12 ext4 misaligned O_DIRECT: buffered fallback, copied");

	/* drains and fills */
	is_int(one(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_NULL, K612, NULL, false, false, false),
	       SB_CLASS_NONE, "splice pipe->/dev/null: nothing copied");
	is_int(one(SB_SYS_READ, SB_ROLE_PIPE_R, SB_ROLE_USER, K612, NULL, false, false, false),
	       SB_CLASS_COPY, "read pipe->user: copied");
	is_int(one(SB_SYS_VMSPLICE, SB_ROLE_USER, SB_ROLE_PIPE_W, K61, NULL, false, false, false),
	       SB_CLASS_REF, "vmsplice user->pipe: by reference");
	is_int(one(SB_SYS_VMSPLICE, SB_ROLE_PIPE_R, SB_ROLE_USER, K61, NULL, false, false, false),
	       SB_CLASS_COPY, "vmsplice pipe->user: copied");
	is_int(one(SB_SYS_WRITE, SB_ROLE_USER, SB_ROLE_PIPE_W, K61, NULL, false, false, false),
	       SB_CLASS_COPY, "write user->pipe: copied");
	is_int(one(SB_SYS_TEE, SB_ROLE_PIPE_R, SB_ROLE_PIPE2_W, K612, NULL, false, false, false),
	       SB_CLASS_REF, "tee: by reference");

	/* writes and reads of files */
	is_int(one(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_DST, K612, "xfs", false, false, false),
	       SB_CLASS_COPY, "splice pipe->file buffered: copied");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_DST, K612, "xfs", false, true, false),
	       SB_CLASS_REF, "splice pipe->file O_DIRECT: read in place by the device");
	is_int(one(SB_SYS_PREAD, SB_ROLE_SRC, SB_ROLE_USER, K612, "ext4", false, false, false),
	       SB_CLASS_COPY, "pread buffered: copied");
	is_int(one(SB_SYS_PREAD, SB_ROLE_SRC, SB_ROLE_USER, K612, "ext4", true, false, false),
	       SB_CLASS_FRESH, "pread O_DIRECT: DMA");
	is_int(one(SB_SYS_PWRITE, SB_ROLE_USER, SB_ROLE_DST, K612, "tmpfs", false, true, false),
	       SB_CLASS_COPY, "pwrite O_DIRECT on tmpfs: still copied");
	is_int(one(SB_SYS_CFR, SB_ROLE_SRC, SB_ROLE_DST, K612, "xfs", false, false, false),
	       SB_CLASS_REF, "copy_file_range on xfs: extents shared");

	/* two-part legs */
	is_int(sb_expect_leg(&sf, &env, p), 2, "sendfile file->file has a read and a write part");
	ok(p[0].cls == SB_CLASS_REF && p[1].cls == SB_CLASS_COPY,
	   "sendfile: read by reference, write copied");
	ok(strstr(p[0].basis, "filemap_splice_read") != NULL, "basis names the function: %s",
	   p[0].basis);
	sf.sys = SB_SYS_CFR;
	is_int(sb_expect_leg(&sf, &env, p), 2, "copy_file_range on ext4: splice-based, two parts");

	/* legs the benchmark never makes */
	sf = (struct sb_leg){ SB_SYS_SPLICE, SB_ROLE_NULL, SB_ROLE_SRC };
	is_int(sb_expect_leg(&sf, &env, p), 0, "an unknown leg has no expectation");
	sb_leg_name(&(struct sb_leg){ SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W }, name,
		    sizeof(name));
	is_str(name, "splice file->pipe", "leg name");

	socket_legs();
	return tap_done();
}
