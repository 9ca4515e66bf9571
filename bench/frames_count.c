// SPDX-License-Identifier: MIT
/*
 * System calls and context switches of the frame loop, counted by the
 * kernel (perf_event_open): the raw_syscalls:sys_enter tracepoint and the
 * context-switch software event.  No seccomp, no ptrace: the program runs
 * as fast as without counting.  Two scopes:
 *  - "guest": the calling thread only, the program's own GL thread (what
 *    the guest path costs it);
 *  - "all": the whole process, every thread created after the counters
 *    were opened (inherit), which under `virtgpu-sim exec` includes the
 *    device thread, virglrenderer's threads and llvmpipe's.
 * Open them before the first EGL call so that every later thread counts.
 * Where the kernel refuses (no tracefs, perf_event_paranoid), the figures
 * are reported as missing, never invented.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>

#include "bench/frames_count.h"

static long tracepoint_id(const char *name)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events",
	};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s/id", roots[i], name);
		FILE *f = fopen(path, "r");
		long id = -1;
		if (!f)
			continue;
		if (fscanf(f, "%ld", &id) != 1)
			id = -1;
		fclose(f);
		if (id >= 0)
			return id;
	}
	return -1;
}

static int open_counter(uint32_t type, uint64_t config, bool inherit)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	a.inherit = inherit;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

void frames_count_open(struct frames_count *c)
{
	long sys = tracepoint_id("raw_syscalls/sys_enter");

	c->fd[FRAMES_SYSCALLS_GUEST] = sys < 0 ? -1
		: open_counter(PERF_TYPE_TRACEPOINT, (uint64_t)sys, false);
	c->fd[FRAMES_SYSCALLS_ALL] = sys < 0 ? -1
		: open_counter(PERF_TYPE_TRACEPOINT, (uint64_t)sys, true);
	c->fd[FRAMES_CSW_GUEST] = open_counter(PERF_TYPE_SOFTWARE,
					       PERF_COUNT_SW_CONTEXT_SWITCHES,
					       false);
	c->fd[FRAMES_CSW_ALL] = open_counter(PERF_TYPE_SOFTWARE,
					     PERF_COUNT_SW_CONTEXT_SWITCHES,
					     true);
}

void frames_count_read(const struct frames_count *c, long long out[FRAMES_NCOUNT])
{
	for (int i = 0; i < FRAMES_NCOUNT; i++) {
		uint64_t v;
		out[i] = -1;
		if (c->fd[i] >= 0 && read(c->fd[i], &v, sizeof(v)) == sizeof(v))
			out[i] = (long long)v;
	}
}

void frames_count_close(struct frames_count *c)
{
	for (int i = 0; i < FRAMES_NCOUNT; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
}
