/* SPDX-License-Identifier: MIT */
/*
 * A timeline of the whole stack (--trace=FILE.json, docs/capture.md):
 * Chrome trace-event JSON, which Perfetto's UI and chrome://tracing load.
 * kernelmock/, host/ and sim/ itself add events; the VMM opens and closes
 * the sink.  Guest ioctls are spans on guest threads, each chain a flow
 * from the driver queueing it through the device taking it to the
 * interrupt of its answer, device work and renderer calls spans on the
 * device thread, fences async events on one track per (context, ring),
 * scanout flushes instants.
 *
 * One sink per process, like the device (virglrenderer is one per
 * process): every hook is `if (sim_trace_on())`, one load and branch
 * when tracing is off.  Events go into a buffer of fixed size taken at
 * open (SIM_TRACE_MAX_EVENTS); what does not fit is counted and dropped,
 * and the JSON is written at close.  Any thread may add events.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_TRACE_MAX_EVENTS (512u * 1024u)

enum sim_trace_kind {
	SIM_TRACE_IOCTL,	/* span; name; a: nr, b: size << 32 | ret */
	SIM_TRACE_DEVICE,	/* span; name (command); a: queue, b: fence_id */
	SIM_TRACE_RENDERER,	/* span; name (the virglrenderer call); a: ctx */
	SIM_TRACE_IRQ,		/* span of the answer; a: queue */
	SIM_TRACE_FLOW_QUEUED,	/* id: the chain (sim_trace_chain_id) */
	SIM_TRACE_FLOW_TAKEN,
	SIM_TRACE_FLOW_ANSWERED,
	SIM_TRACE_FENCE_BEGIN,	/* id: fence_id; a: ctx, b: ring | per-ring
				 * << 32 */
	SIM_TRACE_FENCE_END,
	SIM_TRACE_FLUSH,	/* instant; a: scanout, b: resource */
	SIM_TRACE_KICK,		/* instant; a: queue notified */
	SIM_TRACE_THREAD,	/* the calling thread's name */
};

struct sim_trace;
extern struct sim_trace *sim_trace_sink;

static inline bool sim_trace_on(void)
{
	return __atomic_load_n(&sim_trace_sink, __ATOMIC_RELAXED) != NULL;
}

/* Start tracing into @path (written at close): 0, -EBUSY when a trace is
 * open, -ENOMEM, or -errno of creating the file (it is created now, so
 * that a bad path fails before anything runs). */
int sim_trace_open(const char *path);
/* Write the JSON and stop: 0 or -errno with a message.  Call when no
 * thread adds events any more (after the device is gone). */
int sim_trace_close(void);

uint64_t sim_trace_now(void);
/* Add one event; @name must outlive the trace (a string literal or a
 * table's).  @ts and @dur in ns of sim_trace_now(). */
void sim_trace_event(enum sim_trace_kind kind, const char *name,
		     uint64_t ts, uint64_t dur, uint64_t id, uint64_t a,
		     uint64_t b);

/* A span from @t0 to now. */
static inline void sim_trace_span(enum sim_trace_kind kind, const char *name,
				  uint64_t t0, uint64_t a, uint64_t b)
{
	sim_trace_event(kind, name, t0, sim_trace_now() - t0, 0, a, b);
}

/* The id of a chain's flow, the same at both ends of the queue: the
 * avail ring's host address and the chain's avail index. */
static inline uint64_t sim_trace_chain_id(const void *avail, uint16_t idx)
{
	return ((uint64_t)(uintptr_t)avail << 12) ^ idx;
}

#endif
