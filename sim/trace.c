// SPDX-License-Identifier: MIT
/*
 * The trace sink (sim/trace.h): a fixed buffer of events filled lock-free
 * by any thread, written as Chrome trace-event JSON at close (the format
 * of "Trace Event Format", which Perfetto's UI imports).
 */
#include "sim/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sim/log.h"

#define TRACE_LAYER "trace"

struct trace_event {
	uint8_t kind;
	uint32_t tid;
	const char *name;
	uint64_t ts, dur, id, a, b;
};

struct sim_trace {
	FILE *f;
	char *path;
	uint64_t start_ns;
	struct trace_event *events;
	uint64_t next;		/* slots handed out (atomic); may pass the end */
};

/* The process's one sink (a device is one per process too). */
struct sim_trace *sim_trace_sink;

uint64_t sim_trace_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int sim_trace_open(const char *path)
{
	struct sim_trace *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->events = calloc(SIM_TRACE_MAX_EVENTS, sizeof(*t->events));
	t->path = strdup(path);
	if (!t->events || !t->path) {
		free(t->events);
		free(t->path);
		free(t);
		return -ENOMEM;
	}
	t->f = fopen(path, "we");
	if (!t->f) {
		int ret = -errno;
		free(t->events);
		free(t->path);
		free(t);
		return ret;
	}
	t->start_ns = sim_trace_now();
	struct sim_trace *none = NULL;
	if (!__atomic_compare_exchange_n(&sim_trace_sink, &none, t, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		fclose(t->f);
		free(t->events);
		free(t->path);
		free(t);
		return -EBUSY;
	}
	return 0;
}

void sim_trace_event(enum sim_trace_kind kind, const char *name,
		     uint64_t ts, uint64_t dur, uint64_t id, uint64_t a,
		     uint64_t b)
{
	struct sim_trace *t = __atomic_load_n(&sim_trace_sink,
					      __ATOMIC_ACQUIRE);
	if (!t)
		return;
	uint64_t slot = __atomic_fetch_add(&t->next, 1, __ATOMIC_RELAXED);
	if (slot >= SIM_TRACE_MAX_EVENTS)
		return;		/* full: counted by next, dropped */
	t->events[slot] = (struct trace_event){
		.kind = (uint8_t)kind, .tid = (uint32_t)syscall(SYS_gettid),
		.name = name, .ts = ts, .dur = dur, .id = id, .a = a, .b = b,
	};
}

/* Microseconds since the trace began, as the format wants them. */
static void put_ts(FILE *f, const struct sim_trace *t, uint64_t ns)
{
	uint64_t rel = ns > t->start_ns ? ns - t->start_ns : 0;
	fprintf(f, "\"ts\":%llu.%03llu", (unsigned long long)(rel / 1000),
		(unsigned long long)(rel % 1000));
}

static void put_span(FILE *f, const struct sim_trace *t,
		     const struct trace_event *e, const char *cat,
		     const char *name)
{
	fprintf(f, "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",", name, cat);
	put_ts(f, t, e->ts);
	fprintf(f, ",\"dur\":%llu.%03llu,\"pid\":%d,\"tid\":%u,\"args\":{",
		(unsigned long long)(e->dur / 1000),
		(unsigned long long)(e->dur % 1000), (int)getpid(), e->tid);
}

static void put_event(FILE *f, const struct sim_trace *t,
		      const struct trace_event *e)
{
	static const char *const flow_ph[] = { "s", "t", "f" };
	char buf[64];

	switch ((enum sim_trace_kind)e->kind) {
	case SIM_TRACE_IOCTL:
		if (!e->name)
			snprintf(buf, sizeof(buf), "DRM_IOCTL_0x%02x",
				 (unsigned)e->a);
		put_span(f, t, e, "ioctl", e->name ? e->name : buf);
		fprintf(f, "\"nr\":%llu,\"size\":%llu,\"ret\":%d}}",
			(unsigned long long)e->a,
			(unsigned long long)(e->b >> 32), (int32_t)e->b);
		return;
	case SIM_TRACE_DEVICE:
		put_span(f, t, e, "device", e->name);
		fprintf(f, "\"queue\":%llu,\"fence_id\":%llu}}",
			(unsigned long long)e->a, (unsigned long long)e->b);
		return;
	case SIM_TRACE_RENDERER:
		put_span(f, t, e, "renderer", e->name);
		fprintf(f, "\"ctx_id\":%llu}}", (unsigned long long)e->a);
		return;
	case SIM_TRACE_IRQ:
		put_span(f, t, e, "interrupt", "interrupt");
		fprintf(f, "\"queue\":%llu}}", (unsigned long long)e->a);
		return;
	case SIM_TRACE_FLOW_QUEUED:
	case SIM_TRACE_FLOW_TAKEN:
	case SIM_TRACE_FLOW_ANSWERED:
		fprintf(f, "{\"name\":\"chain\",\"cat\":\"virtqueue\","
			"\"ph\":\"%s\",\"id\":%llu,",
			flow_ph[e->kind - SIM_TRACE_FLOW_QUEUED],
			(unsigned long long)e->id);
		if (e->kind == SIM_TRACE_FLOW_ANSWERED)
			fputs("\"bp\":\"e\",", f);
		put_ts(f, t, e->ts);
		fprintf(f, ",\"pid\":%d,\"tid\":%u}", (int)getpid(), e->tid);
		return;
	case SIM_TRACE_FENCE_BEGIN:
	case SIM_TRACE_FENCE_END:
		if (e->b >> 32)
			snprintf(buf, sizeof(buf), "fences ctx %u ring %u",
				 (unsigned)e->a, (unsigned)e->b);
		else
			snprintf(buf, sizeof(buf), "fences global");
		fprintf(f, "{\"name\":\"%s\",\"cat\":\"fence\",\"ph\":\"%s\","
			"\"id\":\"0x%llx\",", buf,
			e->kind == SIM_TRACE_FENCE_BEGIN ? "b" : "e",
			(unsigned long long)e->id);
		put_ts(f, t, e->ts);
		fprintf(f, ",\"pid\":%d,\"tid\":%u,\"args\":{\"fence_id\":%llu}}",
			(int)getpid(), e->tid, (unsigned long long)e->id);
		return;
	case SIM_TRACE_FLUSH:
		fprintf(f, "{\"name\":\"flush scanout %llu\",\"cat\":\"display\","
			"\"ph\":\"i\",\"s\":\"t\",", (unsigned long long)e->a);
		put_ts(f, t, e->ts);
		fprintf(f, ",\"pid\":%d,\"tid\":%u,\"args\":{\"scanout\":%llu,"
			"\"resource_id\":%llu}}", (int)getpid(), e->tid,
			(unsigned long long)e->a, (unsigned long long)e->b);
		return;
	case SIM_TRACE_KICK:
		fprintf(f, "{\"name\":\"kick %s\",\"cat\":\"virtqueue\","
			"\"ph\":\"i\",\"s\":\"t\",", e->a ? "cursorq" : "controlq");
		put_ts(f, t, e->ts);
		fprintf(f, ",\"pid\":%d,\"tid\":%u,\"args\":{\"queue\":%llu}}",
			(int)getpid(), e->tid, (unsigned long long)e->a);
		return;
	case SIM_TRACE_THREAD:
		fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,"
			"\"tid\":%u,\"args\":{\"name\":\"%s\"}}", (int)getpid(),
			e->tid, e->name);
		return;
	}
}

/* Threads that made ioctls and have no name are guest threads. */
static void name_guest_threads(FILE *f, const struct trace_event *ev,
			       uint64_t n)
{
	struct { uint32_t tid; bool named, guest; } seen[256];
	unsigned nseen = 0;

	for (uint64_t i = 0; i < n; i++) {
		unsigned k = 0;
		while (k < nseen && seen[k].tid != ev[i].tid)
			k++;
		if (k == nseen) {
			if (nseen == sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[nseen++] = (typeof(seen[0])){ ev[i].tid, false, false };
		}
		seen[k].named |= ev[i].kind == SIM_TRACE_THREAD;
		seen[k].guest |= ev[i].kind == SIM_TRACE_IOCTL;
	}
	for (unsigned k = 0; k < nseen; k++)
		if (seen[k].guest && !seen[k].named)
			fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\","
				"\"pid\":%d,\"tid\":%u,\"args\":{\"name\":"
				"\"guest thread %u\"}}", (int)getpid(),
				seen[k].tid, seen[k].tid);
}

int sim_trace_close(void)
{
	struct sim_trace *t = __atomic_exchange_n(&sim_trace_sink, NULL,
						  __ATOMIC_ACQ_REL);
	if (!t)
		return 0;
	uint64_t n = t->next < SIM_TRACE_MAX_EVENTS ? t->next
						    : SIM_TRACE_MAX_EVENTS;
	fputs("{\"traceEvents\":[\n", t->f);
	for (uint64_t i = 0; i < n; i++) {
		if (i)
			fputs(",\n", t->f);
		put_event(t->f, t, &t->events[i]);
	}
	if (n)
		name_guest_threads(t->f, t->events, n);
	fprintf(t->f, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{"
		"\"dropped_events\":%llu}}\n",
		(unsigned long long)(t->next - n));
	int ret = 0;
	if (fflush(t->f) || ferror(t->f))
		ret = -(errno ? errno : EIO);
	if (fclose(t->f) && !ret)
		ret = -errno;
	if (ret)
		SIM_ERROR(TRACE_LAYER, "writing %s failed: %s", t->path,
			  strerror(-ret));
	free(t->events);
	free(t->path);
	free(t);
	return ret;
}
