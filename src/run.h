/* SPDX-License-Identifier: MIT */
/*
 * `splicebench run`: options, the matrix of cells, and running one cell.
 */
#ifndef SB_RUN_H
#define SB_RUN_H

#include <jansson.h>
#include <signal.h>

#include "hist.h"
#include "opt.h"
#include "pattern.h"
#include "sb.h"
#include "workload.h"

enum sb_preset { SB_PRESET_QUICK = 1, SB_PRESET_FULL };
enum sb_verify_mode { SB_VERIFY_PASS = 1, SB_VERIFY_ALL, SB_VERIFY_OFF };
enum sb_direct_sel { SB_DSEL_OFF = 1, SB_DSEL_ON, SB_DSEL_BOTH };
enum sb_net { SB_NET_LO = 1, SB_NET_VETH };

struct sb_run_opts {
	struct sb_str_list workloads;
	struct sb_str_list targets;
	struct sb_u64_list chunks;
	struct sb_str_list sinks;
	struct sb_str_list fills;
	struct sb_str_list gifts;
	struct sb_str_list caches;
	struct sb_str_list splice_flags;
	double duration;	/* seconds per sample */
	uint64_t bytes;		/* byte budget per sample, 0: duration only */
	uint64_t samples;
	uint64_t warmup;
	uint64_t pipe_size;	/* 0: auto = max(64k, chunk) */
	uint64_t file_size;
	uint64_t fs_size;	/* size of each created file system */
	uint64_t cpu;		/* pin to this CPU when cpu_set */
	uint64_t seed;
	uint64_t dgram_size;	/* UDP datagram payload */
	uint64_t sndbuf;	/* SO_SNDBUF of the sending socket, 0: the kernel's default */
	uint64_t rcvbuf;	/* SO_RCVBUF of the receiving socket, 0: the kernel's default */
	struct sb_str_list net_fs; /* file systems of the socket workloads' file leg */
	int net;		/* enum sb_net: where socket traffic flows */
	int preset;
	int verify;
	int direct;
	int json;
	int quiet;
	int verbose;
	int dry_run;
	int plot;		/* draw the result's pictures after writing it */
	int inject_corruption;	/* test hook: corrupt one received byte in the verification pass */
	int inject_peer_vanish;	/* test hook: socket cells' peer closes its socket after sample 1 */
	int probes;		/* enum sb_probe_mode */
	int probes_in_samples;	/* count in every timed sample, not in an accounting sample */
	int probes_alternate;	/* benchmark: attach the probes in every second timed sample */
	const char *out;
	const char *dir;
	const char *scratch_root;
	const char *fs_device_arg;	/* --fs-device FS=DEV[,FS=DEV] (the kernel lab's disks) */
	char *fs_device[3];		/* parsed, by enum sb_fs (tmpfs never) */
	bool cpu_set;
	bool seed_set;
	uint64_t set;		/* options given on the command line (sb_opts_was_set) */
};

/*
 * File offset of the misaligned O_DIRECT case: half a 512-byte sector, so
 * it is misaligned for every block device (the file's reported DIO
 * alignment is recorded next to it).
 */
#define SB_MISALIGN_BYTES 256

#define SB_TARGET_PIPE "pipe"
#define SB_TARGET_TCP "tcp"
#define SB_TARGET_UDP "udp"

struct sb_cell {
	const struct sb_workload *wl;
	char target[48];      /* tmpfs, ext4, xfs, pipe, tcp, udp, or the --dir file system type */
	int fs;		      /* enum sb_fs (socket cells: of the file leg), or -1 for pipe and --dir */
	int sock_type;	      /* socket cells: SOCK_STREAM (tcp) or SOCK_DGRAM (udp), else 0 */
	bool veth;	      /* socket cells: over a veth pair between two namespaces */
	bool in_dir;	      /* --dir target */
	uint64_t chunk;
	enum sb_direct direct;
	enum sb_sink sink;
	enum sb_fill fill;
	bool gift;
	bool cold;
	unsigned int splice_flags;
};

/* Parse `run` options (argv[0] = "run") with preset defaults applied and cross-checked. */
int sb_run_parse(int argc, char **argv, struct sb_run_opts *o);
/*
 * --fs-device ext4=/dev/vda,xfs=/dev/vdb (made by `splicebench vm`): fills the
 * empty slots of @dev (strdup'd) by enum sb_fs. 0 or SB_EXIT_USAGE after a
 * one-line error naming @cmd.
 */
int sb_parse_fs_devices(const char *cmd, const char *arg, char *dev[3]);
void sb_run_opts_free(struct sb_run_opts *o);
extern const struct sb_opt_cmd sb_run_cmd;

/*
 * Expand options into cells: workload x target x chunk x direct x the
 * workload's own axes. @dir_fstype is the --dir file system type or NULL.
 * Returns 0, or SB_EXIT_USAGE after printing the reason.
 */
int sb_matrix_build(const struct sb_run_opts *o, const char *dir_fstype, struct sb_cell **cells,
		    size_t *nr);

/* The datagram size of a UDP cell: --dgram-size, or the chunk when that is smaller. */
uint64_t sb_cell_dgram(const struct sb_cell *c, const struct sb_run_opts *o);
/* The cell writes a destination file (a file workload, or --sink file). */
bool sb_cell_has_dst(const struct sb_cell *c);
/* The cell reads or writes files (and needs its target file system). */
bool sb_cell_uses_files(const struct sb_cell *c);

/* "direct", "sink=user,gift" ... for the table; "-" when nothing differs from the plain cell. */
void sb_cell_variant(const struct sb_cell *c, char *buf, size_t len);
/* The identity parameters of a cell, as echoed in the result file. */
json_t *sb_cell_params(const struct sb_cell *c, const struct sb_run_opts *o);
/* "splice.file-to-pipe/ext4/64k/direct" */
void sb_cell_key(const struct sb_cell *c, char *buf, size_t len);

const char *sb_direct_name(enum sb_direct d);

/* Set from signal handlers: the signal number that asked us to stop. */
extern volatile sig_atomic_t sb_stop_signal;
/* SIGINT, SIGTERM and SIGHUP set sb_stop_signal (and interrupt blocked calls). */
void sb_install_stop_signals(void);

#endif
