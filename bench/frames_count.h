/* SPDX-License-Identifier: MIT */
/* frames_count.c: kernel-counted system calls and context switches of
 * the frame loop (perf_event_open), per thread and per process. */
#ifndef BENCH_FRAMES_COUNT_H
#define BENCH_FRAMES_COUNT_H

#include <stdbool.h>
#include <stdint.h>

enum frames_counter {
	FRAMES_SYSCALLS_GUEST,	/* the GL thread's system calls */
	FRAMES_SYSCALLS_ALL,	/* every thread's */
	FRAMES_CSW_GUEST,	/* the GL thread's context switches */
	FRAMES_CSW_ALL,		/* every thread's */
	FRAMES_NCOUNT
};

struct frames_count {
	int fd[FRAMES_NCOUNT];	/* -1: not available here */
};

void frames_count_open(struct frames_count *c);
/* Current values; -1 for a counter that is not available. */
void frames_count_read(const struct frames_count *c,
		       long long out[FRAMES_NCOUNT]);
void frames_count_close(struct frames_count *c);

#endif
