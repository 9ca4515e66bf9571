/* SPDX-License-Identifier: MIT */
/*
 * `virtgpu-sim replay`'s state, shared by vmm/replay.c (the command and
 * the walk over the capture) and vmm/replay_machine.c (the machine with
 * no guest kernel: guest RAM, the transport, the device, and a driver end
 * of the queues that writes the recorded chains).  Private to vmm/.
 */
#ifndef VMM_REPLAY_H
#define VMM_REPLAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/capture.h"

struct sim_ram;
struct sim_transport;
struct sim_hostmem;
struct sim_vqd;
struct host_device;
struct replay_chain;
struct replay_poll;

/* What the capture's INFO and FEATURES records say the machine was. */
struct replay_setup {
	uint64_t ram_size, hostmem_size, offered, acked;
	uint32_t num_scanouts, blob_alignment;
	uint32_t max_contexts, max_resources;
	uint64_t max_renderer_bytes;
	bool virgl, venus, render_server;
	uint32_t vmm;		/* enum host_vmm: the recorded personality */
	char inject[4096];
};

/* A response or checksum the replaying device wrote (its own capture,
 * sim_capture_open_sink), kept for comparison. */
struct replay_got {
	bool has_resp;
	struct sim_capture_response resp;	/* data points into buf */
	uint8_t *buf;
	uint32_t fence_order;	/* n-th fence retired on its timeline */
	uint32_t type;		/* the chain's command, from its CHAIN */
	bool popped;
};

struct replay_sum {
	struct sim_capture_sum s;
};

struct replay_timeline {
	uint32_t ctx, ring;
	bool per_ring;
	uint32_t recorded, replayed;	/* fences retired so far */
};

struct replay {
	const char *path;
	struct replay_setup setup;
	unsigned timeout_s;
	bool partial;			/* --partial: no END is fine */

	struct sim_ram *ram;
	struct sim_transport *t;
	struct sim_hostmem *hostmem;
	struct host_device *dev;
	struct sim_capture *own;	/* the replaying device's records */
	struct sim_vqd *vq[2];
	bool live;			/* queues up (DRIVER_OK) */
	uint64_t *reserved;		/* the recorded RAM, held */
	struct replay_chain *chains;	/* written, not handed back */
	uint64_t nreserved;

	/* protects everything below: written by the device's sink and the
	 * interrupt handler (device and renderer threads) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct replay_got *got;		/* by seq */
	uint32_t ngot;
	struct replay_sum *sums;
	unsigned nsums, cap_sums;
	struct replay_timeline *tls;
	unsigned ntls, cap_tls;
	uint32_t popped;		/* chains the device took */
	uint64_t irqs;
	/* a fence poll repeated by the replay (replay_poll.c): the sink
	 * keeps its records out of got[], and the device's own sequence
	 * numbers run seq_shift ahead of the capture's after it */
	bool retrying, retry_answered;
	uint32_t seq_shift;

	/* the walk (main thread only) */
	uint32_t pushed;		/* chains handed to the device */
	int last_queue;
	bool *answered_in_capture;	/* by seq: a RESPONSE exists */
	uint32_t nanswered;
	uint64_t checked_resps, checked_sums, checked_fences;
	const uint8_t *cap_buf;		/* the whole capture, for looking on */
	size_t cap_len;
	struct replay_poll *poll;	/* replay_poll.c's state */
	uint64_t repeated_polls;
};

/* replay_machine.c */
int vmm_replay_machine_create(struct replay *r);
void vmm_replay_machine_destroy(struct replay *r);
/* Negotiate setup.acked and set the queues up (after a reset too). */
int vmm_replay_bring_up(struct replay *r);
int vmm_replay_reset(struct replay *r);
/* Write the chain into guest RAM above the recorded RAM and kick. */
int vmm_replay_push(struct replay *r, const struct sim_capture_chain *c);
/* Take back what the device answered (frees the chains' memory). */
void vmm_replay_reap(struct replay *r);
/* Wait until @done(r, arg) holds, reaping meanwhile; -ETIMEDOUT after
 * timeout_s seconds without it.  @done runs with r->lock held. */
int vmm_replay_wait(struct replay *r, bool (*done)(struct replay *r,
						    uint64_t arg),
		    uint64_t arg);

/* replay_poll.c */
/* Note what a recorded chain tells about venus reply streams (contexts,
 * mapped blobs, vkSetReplyCommandStreamMESA) and whether it is a fence
 * poll; before it is pushed. */
int vmm_replay_poll_note(struct replay *r, const struct sim_capture_chain *c);
/* After the response to chain @seq compared equal, at @rec: repeat a
 * fence poll the replayed renderer answered VK_NOT_READY to while the
 * recorded guest saw the fence signalled. */
int vmm_replay_poll_settle(struct replay *r, const struct sim_capture_rec *rec,
			   uint32_t seq);
void vmm_replay_poll_free(struct replay *r);

#endif
