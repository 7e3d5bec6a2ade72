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
		"other", "file", "file", "pipe", "pipe", "pipe2", "pipe2", "/dev/null", "user",
	};

	return role < SB_NR_ROLES ? names[role] : "?";
}

const char *sb_sys_name(unsigned int sys)
{
	static const char *const names[SB_NR_SYS] = {
		"splice", "vmsplice", "tee",   "sendfile", "copy_file_range",
		"read",	  "write",    "pread", "pwrite",
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
		if (is_pipe_r(leg->in) && is_pipe_w(leg->out)) {
			parts[0] = (struct sb_expect_part){
				SB_CLASS_REF, "tee shares the pipe buffers (refcount) without copying"
			};
			return 1;
		}
		return 0;
	case SB_SYS_READ:
		if (is_pipe_r(leg->in) && leg->out == SB_ROLE_USER) {
			parts[0] = (struct sb_expect_part){ SB_CLASS_COPY,
							    "read(2) copies from the pipe" };
			return 1;
		}
		return 0;
	case SB_SYS_WRITE:
		if (leg->in == SB_ROLE_USER && is_pipe_w(leg->out)) {
			parts[0] = (struct sb_expect_part){ SB_CLASS_COPY,
							    "write(2) copies into the pipe" };
			return 1;
		}
		return 0;
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
		if (leg->in != SB_ROLE_SRC || leg->out != SB_ROLE_DST)
			return 0;
		parts[0] = file_to_pipe(env);
		parts[1] = pipe_to_file(env);
		return 2;
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
