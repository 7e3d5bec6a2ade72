// SPDX-License-Identifier: MIT
/*
 * The smallest honest loop of splice.file-to-pipe's syscalls, for
 * `make bench-overhead`: splice(file -> pipe) then splice(pipe -> /dev/null),
 * CHUNK bytes at a time, wrapping at the end of the file, for SECONDS.
 * Prints bytes per second. No library code of splicebench is used.
 *
 * usage: sb-handloop FILE CHUNK SECONDS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int fd, null, p[2];
	long chunk;
	double secs, t0, t = 0;
	unsigned long long bytes = 0;
	loff_t off = 0;
	struct stat st;

	if (argc != 4) {
		fprintf(stderr, "usage: sb-handloop FILE CHUNK SECONDS\n");
		return 2;
	}
	chunk = atol(argv[2]);
	secs = atof(argv[3]);
	fd = open(argv[1], O_RDONLY);
	null = open("/dev/null", O_WRONLY);
	if (fd < 0 || null < 0 || fstat(fd, &st) || pipe(p) || chunk <= 0) {
		perror("sb-handloop: setup");
		return 1;
	}
	if (fcntl(p[1], F_SETPIPE_SZ, chunk > 65536 ? (int)chunk : 65536) < 0) {
		perror("sb-handloop: F_SETPIPE_SZ");
		return 1;
	}
	t0 = now();
	do {
		/* check the clock every 64 chunks, as cheaply as a hand loop would */
		for (int i = 0; i < 64; i++) {
			ssize_t n = splice(fd, &off, p[1], NULL, (size_t)chunk, 0), m;

			if (n <= 0) {
				perror("sb-handloop: splice file->pipe");
				return 1;
			}
			for (m = 0; m < n;) {
				ssize_t k = splice(p[0], NULL, null, NULL, (size_t)(n - m), 0);

				if (k <= 0) {
					perror("sb-handloop: splice pipe->null");
					return 1;
				}
				m += k;
			}
			bytes += (unsigned long long)n;
			if (off >= st.st_size)
				off = 0;
		}
		t = now() - t0;
	} while (t < secs);
	printf("%.0f\n", (double)bytes / t);
	return 0;
}
