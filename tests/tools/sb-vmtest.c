// SPDX-License-Identifier: MIT
/*
 * Test helper for the kernel lab's host side (tests/integration/t_vm_host.sh):
 *   sb-vmtest bzimage PATH RELEASE   a minimal file with a valid x86 boot header
 *   sb-vmtest frame NAME FILE        FILE framed as the guest agent frames it
 *   sb-vmtest badframe NAME FILE     the same with one payload byte changed after the CRC
 *   sb-vmtest exit RC                the guest's closing exit line
 * Frames go to standard output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"

static int bzimage(const char *path, const char *release)
{
	static unsigned char b[5 * 512 + 4096];
	FILE *f = fopen(path, "wb");

	if (!f)
		return 1;
	memcpy(b, "MZ", 2);
	b[0x1f1] = 4;			/* setup_sects */
	b[0x1f5] = 4096 / 16 >> 8;	/* syssize, in 16-byte units */
	b[0x1fe] = 0x55;
	b[0x1ff] = 0xaa;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0f;		/* protocol 2.15 */
	b[0x207] = 0x02;
	b[0x211] = 0x01;		/* LOADED_HIGH */
	b[0x236] = 0x01;		/* XLF_KERNEL_64 */
	b[0x238] = 0xff;		/* cmdline_size */
	b[0x239] = 0x07;
	b[0x20f] = 0x01;		/* kernel_version: string at 0x100 + 0x200 */
	snprintf((char *)b + 0x300, 200, "%s (test@example) #1 SMP test", release);
	if (fwrite(b, 1, sizeof(b), f) != sizeof(b))
		return 1;
	return fclose(f) ? 1 : 0;
}

static int frame(const char *name, const char *path, int corrupt)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;
	int p[2];

	if (!f)
		return 1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (!corrupt)
		return sb_frame_write(STDOUT_FILENO, name, buf, n) ? 1 : 0;
	/* frame into a pipe, flip a payload byte, pass it on */
	if (pipe(p) || sb_frame_write(p[1], name, buf, n))
		return 1;
	close(p[1]);
	{
		size_t len = n, got = (size_t)read(p[0], buf, sizeof(buf));
		char *payload = memchr(buf, '\n', got);

		if (!payload || !len)
			return 1;
		payload[1 + len / 2] ^= 0x01;
		return write(STDOUT_FILENO, buf, got) == (ssize_t)got ? 0 : 1;
	}
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "bzimage"))
		return bzimage(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "frame"))
		return frame(argv[2], argv[3], 0);
	if (argc == 4 && !strcmp(argv[1], "badframe"))
		return frame(argv[2], argv[3], 1);
	if (argc == 3 && !strcmp(argv[1], "exit"))
		return sb_frame_write_exit(STDOUT_FILENO, atoi(argv[2])) ? 1 : 0;
	fprintf(stderr, "usage: sb-vmtest bzimage PATH RELEASE | frame NAME FILE | "
			"badframe NAME FILE | exit RC\n");
	return 2;
}
