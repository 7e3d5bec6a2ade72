/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Older layouts of kernel structures, as CO-RE flavours: libbpf matches
 * "name___suffix" against "name" in the running kernel's BTF, and
 * bpf_core_field_exists() picks the layout at load time.
 */
#ifndef SB_CORE_FIXES_BPF_H
#define SB_CORE_FIXES_BPF_H

/* iov_iter before data_source (5.x): the direction is bit 0 of type (READ 0, WRITE 1) */
struct iov_iter___old {
	unsigned int type;
} __attribute__((preserve_access_index));

/* pipe ring before head/tail (5.4 and older) */
struct pipe_inode_info___v54 {
	unsigned int nrbufs;
	unsigned int curbuf;
	unsigned int buffers;
} __attribute__((preserve_access_index));

#endif
