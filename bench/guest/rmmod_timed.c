// SPDX-License-Identifier: GPL-2.0
/*
 * rmmod, timed, for the unload benchmark: runs delete_module(NAME, O_NONBLOCK)
 * (what kmod's rmmod does) between two reads of CLOCK_MONOTONIC and prints
 * "RESULT NANOSECONDS", RESULT being 0 or -errno. Timing the system call
 * itself leaves out starting a process, which under emulation costs more
 * than the unload and varies as much.
 *
 * Built static against the kernel tree's own small C library, nolibc
 * (tools/include/nolibc), so the guest needs nothing else to run it:
 *   clang -static -nostdlib -O2 -include nolibc.h -I tools/include/nolibc ...
 */
#include <linux/fcntl.h>
#include <linux/time.h>
#include <asm/unistd.h>

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(int argc, char **argv)
{
	struct timespec start, end;
	long ret;

	if (argc != 2) {
		fprintf(stderr, "usage: rmmod_timed MODULE\n");
		return 2;
	}
	syscall(__NR_clock_gettime, CLOCK_MONOTONIC, &start);
	ret = syscall(__NR_delete_module, argv[1], O_NONBLOCK);
	syscall(__NR_clock_gettime, CLOCK_MONOTONIC, &end);
	printf("%ld %lld\n", ret < 0 ? -errno : ret, ns(&end) - ns(&start));
	return ret < 0;
}
