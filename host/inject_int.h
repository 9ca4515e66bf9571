/* SPDX-License-Identifier: MIT */
/*
 * Fault injection's state, shared by its parser (host/inject_parse.c) and
 * the code that fires the faults (host/inject.c); the syntax is described
 * at the top of host/inject.c.
 */
#ifndef HOST_INJECT_INT_H
#define HOST_INJECT_INT_H

#include "host/internal.h"

#define RENDER_SERVER_PATH "/usr/libexec/virgl_render_server"
#define REORDER_DEFAULT_MS 10
#define INJECT_KIND_ANY UINT32_MAX

enum host_fault_kind {
	HOST_FAULT_CMD,
	HOST_FAULT_FENCE_DELAY,
	HOST_FAULT_FENCE_REORDER,
	HOST_FAULT_HOSTMEM,
	HOST_FAULT_CTX_CREATE,
	HOST_FAULT_WORKER_KILL,
};

struct host_fault {
	enum host_fault_kind kind;
	char text[96];			/* the spec item, for log lines */
	uint32_t cmd_type;		/* cmd */
	uint32_t resp;			/* cmd */
	uint32_t ctx_id;		/* INJECT_KIND_ANY: every context */
	uint32_t ring_idx;		/* fence=delay; INJECT_KIND_ANY: all */
	uint32_t capset_id;		/* ctx_create; INJECT_KIND_ANY: all */
	uint64_t ms;			/* fence */
	uint64_t bytes;			/* hostmem */
	uint64_t skip, count;		/* count UINT64_MAX: unbounded */
	uint64_t seen, fired;
	/* While parsing: where BAD() writes what is wrong, or NULL to log
	 * it (host_inject_check asks for the text). */
	char *err;
	size_t errlen;
};

/* A renderer completion held back by a fence fault. */
struct host_held {
	struct host_fence_signal sig;
	uint64_t due;			/* uv_now() in ms */
	uint64_t order;			/* reorder: first arrival of its timeline */
};

/* Submits per venus context, for worker=kill's skip. */
struct host_worker_count {
	uint32_t ctx_id;
	uint64_t submits;
	bool killed;
};

struct host_inject {
	struct host_fault *faults;
	unsigned nfaults;
	bool holds_fences;		/* a fence= fault is configured */
	/* only touched on the device thread (the timer) or under
	 * dev->state_lock */
	uv_timer_t timer;
	bool timer_live;
	struct host_held *held;
	unsigned held_len, held_cap;
	uint64_t reorder_seq;
	struct host_worker_count *workers;
	unsigned nworkers;
};

/* inject_parse.c */
/* "ERR_UNSPEC" for VIRTIO_GPU_RESP_ERR_UNSPEC, for log lines. */
const char *host__inject_resp_name(uint32_t resp);

#endif
