/* SPDX-License-Identifier: MIT */
#ifndef SB_DIOALIGN_H
#define SB_DIOALIGN_H

#include <stdint.h>

/*
 * O_DIRECT alignment the kernel reports for @fd (statx STATX_DIOALIGN, 6.1+):
 * memory buffer alignment and file offset/length alignment. Returns 0, or
 * -EOPNOTSUPP when the kernel or file system does not report it, or -errno.
 */
int sb_dio_align(int fd, uint32_t *mem_align, uint32_t *offset_align);

#endif
