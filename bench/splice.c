// SPDX-License-Identifier: MIT
/*
 * splice(2) workloads: file -> pipe, pipe -> file, file -> pipe -> file.
 * Each is an in-leg that fills the empty pipe once and an out-leg that
 * empties it (bench/common.c), so a pipe smaller than the chunk, or pieces
 * smaller than a page, never deadlock.
 */
#include "workload.h"

const struct sb_workload sb_wl_splice_file_to_pipe = {
	.id = "splice.file-to-pipe",
	.family = "splice",
	.summary = "splice a file into a pipe; the pipe is drained by the sink (--sink)",
	.path = "file =splice=> pipe =splice=> /dev/null (sink devnull) | =read=> user (sink user)",
	.twin = "rw.file-read",
	.flags = SB_WL_SRC_FILE | SB_WL_PIPE | SB_WL_AX_SINK | SB_WL_AX_FLAGS | SB_WL_MISALIGNED |
		 SB_WL_ZEROCOPY,
	.oracle = SB_ORACLE_FILE_PIPE,
	.in = sb_leg_splice_src,
	.out = sb_leg_sink,
};

const struct sb_workload sb_wl_splice_pipe_to_file = {
	.id = "splice.pipe-to-file",
	.family = "splice",
	.summary = "fill a pipe from user memory (--fill vmsplice|write), splice it into a file",
	.path = "user =vmsplice|write=> pipe =splice=> file",
	.twin = "rw.file-to-file",
	.flags = SB_WL_DST_FILE | SB_WL_PIPE | SB_WL_AX_FILL | SB_WL_AX_FLAGS | SB_WL_ZEROCOPY,
	.oracle = SB_ORACLE_PIPE_FILE,
	.in = sb_leg_fill_user,
	.out = sb_leg_splice_dst,
};

const struct sb_workload sb_wl_splice_file_to_file = {
	.id = "splice.file-to-file",
	.family = "splice",
	.summary = "copy a file through a pipe with two splices (the cp path)",
	.path = "file =splice=> pipe =splice=> file",
	.twin = "rw.file-to-file",
	.flags = SB_WL_SRC_FILE | SB_WL_DST_FILE | SB_WL_PIPE | SB_WL_AX_FLAGS | SB_WL_ZEROCOPY,
	.oracle = SB_ORACLE_SPLICE_FF,
	.in = sb_leg_splice_src,
	.out = sb_leg_splice_dst,
};
