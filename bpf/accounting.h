/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types shared by bpf/accounting.bpf.c and the loader (src/acct.c).
 *
 * Counters live in one per-CPU struct (map "ctrs", key 0): user space reads
 * it before and after a sample and uses the differences. Nothing is reset,
 * nothing is sent per event.
 */
#ifndef SB_BPF_ACCOUNTING_H
#define SB_BPF_ACCOUNTING_H

/* What a file descriptor is to the benchmark (map "fd_roles", set per cell). */
#define SB_ROLE_OTHER 0
#define SB_ROLE_SRC 1	  /* the source file */
#define SB_ROLE_DST 2	  /* the destination file */
#define SB_ROLE_PIPE_W 3  /* main pipe, write end */
#define SB_ROLE_PIPE_R 4  /* main pipe, read end */
#define SB_ROLE_PIPE2_W 5 /* second pipe (tee), write end */
#define SB_ROLE_PIPE2_R 6 /* second pipe, read end */
#define SB_ROLE_NULL 7	  /* /dev/null */
#define SB_ROLE_USER 8	  /* user memory: the side of read/write that has no fd */
#define SB_ROLE_SOCK 9	  /* the workload's socket (TCP or UDP); the peer's is OTHER */
#define SB_NR_ROLES 10
#define SB_MAX_FD 1024

/* The system calls whose returns are counted (tier 2: syscalls tracepoints). */
#define SB_SYS_SPLICE 0
#define SB_SYS_VMSPLICE 1
#define SB_SYS_TEE 2
#define SB_SYS_SENDFILE 3
#define SB_SYS_CFR 4 /* copy_file_range */
#define SB_SYS_READ 5
#define SB_SYS_WRITE 6
#define SB_SYS_PREAD 7
#define SB_SYS_PWRITE 8
#define SB_SYS_SENDTO 9	 /* send(2) and sendto(2) */
#define SB_SYS_RECVFROM 10 /* recv(2) and recvfrom(2) */
#define SB_NR_SYS 11

/* Bytes returned by syscall @sys moving data from role @in to role @out. */
#define SB_SYS_SLOT(sys, in, out) ((((sys) * SB_NR_ROLES) + (in)) * SB_NR_ROLES + (out))
#define SB_NR_SYS_SLOTS (SB_NR_SYS * SB_NR_ROLES * SB_NR_ROLES)

/* Event counters, after the syscall slots. TP_: tracepoints (tier 2); FN_: function probes (tier 1). */
enum sb_ctr {
	SB_TP_DIO_READ = SB_NR_SYS_SLOTS, /* iomap:iomap_dio_complete, reads: ret */
	SB_TP_DIO_WRITE,		  /* iomap:iomap_dio_complete, writes: ret */
	SB_TP_EXT4_WRITE_COPIED,	  /* ext4:ext4_da_write_end / ext4_write_end: copied */
	SB_TP_XFS_BUFFERED_WRITE,	  /* xfs:xfs_file_buffered_write: count */

	/* page-cache pages put into a pipe by reference (6.5+) */
	SB_FN_FILEMAP_SPLICE_READ,
	SB_FN_SHMEM_SPLICE_READ,
	/* copy_splice_read (6.5+): bytes the device placed by DMA in fresh pages, and the rest (copied) */
	SB_FN_COPY_SPLICE_READ_DMA,
	SB_FN_COPY_SPLICE_READ_COPY,
	/* generic_file_splice_read (4.9-6.4): new pipe slots classified by their ops */
	SB_FN_GFSR_REF,	  /* page_cache_pipe_buf_ops */
	SB_FN_GFSR_FRESH, /* default_pipe_buf_ops, O_DIRECT file: DMA into fresh pages */
	SB_FN_GFSR_COPY,  /* default_pipe_buf_ops otherwise: copied into fresh pages */
	SB_FN_GFSR_UNKNOWN, /* slots whose ops could not be classified */
	SB_FN_ADD_TO_PIPE,  /* vmsplice: user pages into a pipe by reference */
	SB_FN_PIPE_TO_USER, /* vmsplice out of a pipe: copied */
	SB_FN_DO_TEE,	    /* tee: pipe buffers shared by reference */
	SB_FN_PIPE_READ,    /* read(2) from a pipe: copied */
	SB_FN_PIPE_WRITE,   /* write(2) into a pipe: copied */
	SB_FN_FILEMAP_READ, /* buffered read of a page-cache file, outside splice reads: copied */
	SB_FN_SHMEM_READ,   /* tmpfs read_iter, outside splice reads: copied */
	SB_FN_GENERIC_PERFORM_WRITE, /* buffered write into the page cache (ext4, tmpfs): copied */
	SB_FN_IOMAP_BUFFERED_WRITE,  /* buffered write into the page cache (xfs): copied */
	SB_FN_IOMAP_DIO_READ,	     /* O_DIRECT read outside splice reads: DMA into user pages */
	SB_FN_IOMAP_DIO_WRITE,	     /* O_DIRECT write: the device reads the pages in place */
	SB_FN_REMAP,		     /* remap_file_range (reflink): extents shared, nothing copied */
	SB_FN_ITER_FILE_SPLICE_WRITE, /* splice pipe -> file: total (the copy is counted inside) */
	SB_NR_CTRS
};

struct sb_acct_ctrs {
	unsigned long long bytes[SB_NR_CTRS];
	unsigned long long hits[SB_NR_CTRS];
};

#endif
