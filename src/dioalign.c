// SPDX-License-Identifier: MIT
/*
 * statx(STATX_DIOALIGN) through the raw syscall: glibc 2.36's struct statx
 * predates the DIO fields, so this file uses the kernel's definition only.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dioalign.h"

int sb_dio_align(int fd, uint32_t *mem_align, uint32_t *offset_align)
{
	struct statx stx;

	memset(&stx, 0, sizeof(stx));
	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx))
		return -errno;
	if (!(stx.stx_mask & STATX_DIOALIGN))
		return -EOPNOTSUPP;
	*mem_align = stx.stx_dio_mem_align;
	*offset_align = stx.stx_dio_offset_align;
	return 0;
}
