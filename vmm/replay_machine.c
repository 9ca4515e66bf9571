// SPDX-License-Identifier: MIT
/*
 * The machine `virtgpu-sim replay` drives: guest RAM, the transport and
 * the device (host/), no guest kernel.  The driver's part is played here
 * with the driver end of the split virtqueues (sim/virtqueue.h), as
 * tests/fuzz/fuzz_device.c does.
 *
 * Guest addresses: a capture's commands name guest-physical addresses of
 * the recorded machine (mem entries of ATTACH_BACKING and CREATE_BLOB),
 * and its GUEST_MEM records fill them.  The replay's RAM is the recorded
 * RAM plus room above it; every page of the recorded RAM is allocated
 * (held) first, so that the rings and the chains the replay writes land
 * above it and never on memory a recorded command points at.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/virtio_config.h>

#include "host/host.h"
#include "sim/hostmem.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"
#include "vmm/replay.h"

#define REPLAY_QSIZE 256
/* Room above the recorded RAM for rings and chains in flight: a chain
 * carries at most a 64 MiB SUBMIT_3D (host/internal.h). */
#define REPLAY_ROOM (192ull << 20)

/* A chain written into guest RAM, until the device hands it back (or
 * the machine goes); on r->chains. */
struct replay_chain {
	uint64_t gpa, len;
	struct replay_chain *next, **pprev;
};

static void chain_free(struct replay *r, struct replay_chain *ch,
		       bool release)
{
	*ch->pprev = ch->next;
	if (ch->next)
		ch->next->pprev = ch->pprev;
	if (release)
		sim_ram_release_contig(r->ram, ch->gpa, ch->len);
	free(ch);
}

static int grow_got(struct replay *r, uint32_t seq)
{
	if (seq < r->ngot)
		return 0;
	uint32_t n = seq + 1024;
	struct replay_got *g = realloc(r->got, n * sizeof(*g));
	if (!g)
		return -ENOMEM;
	memset(g + r->ngot, 0, (n - r->ngot) * sizeof(*g));
	r->got = g;
	r->ngot = n;
	return 0;
}

static struct replay_timeline *timeline(struct replay *r, uint32_t ctx,
					uint32_t ring, bool per_ring)
{
	for (unsigned i = 0; i < r->ntls; i++)
		if (r->tls[i].ctx == ctx && r->tls[i].ring == ring &&
		    r->tls[i].per_ring == per_ring)
			return &r->tls[i];
	if (r->ntls == r->cap_tls) {
		unsigned n = r->cap_tls ? r->cap_tls * 2 : 16;
		struct replay_timeline *t = realloc(r->tls, n * sizeof(*t));
		if (!t)
			return NULL;
		r->tls = t;
		r->cap_tls = n;
	}
	r->tls[r->ntls] = (struct replay_timeline){ ctx, ring, per_ring, 0, 0 };
	return &r->tls[r->ntls++];
}

static void sink_response(struct replay *r, const struct sim_capture_rec *rec)
{
	struct sim_capture_response resp;
	char err[160];

	if (sim_capture_parse_response(rec, &resp, err, sizeof(err)))
		return;
	if (r->retrying) {	/* a repeated fence poll (replay_poll.c) */
		r->retry_answered = true;
		return;
	}
	resp.seq -= r->seq_shift;
	if (grow_got(r, resp.seq))
		return;
	struct replay_got *g = &r->got[resp.seq];
	free(g->buf);
	g->buf = malloc(rec->len ? rec->len : 1);
	if (!g->buf)
		return;
	memcpy(g->buf, rec->payload, rec->len);
	g->resp = resp;
	g->resp.data = g->buf + (resp.data - rec->payload);
	g->has_resp = true;
	if (sim_capture_resp_retired(resp.flags)) {
		bool ring = resp.flags & SIM_CAPTURE_RESP_RING;
		struct replay_timeline *t = timeline(r, ring ? resp.ctx_id : 0,
						     ring ? resp.ring_idx : 0,
						     ring);
		if (t)
			g->fence_order = t->replayed++;
	}
}

/* The replaying device's own records (sim_capture_open_sink). */
static void sink(void *arg, const struct sim_capture_rec *rec)
{
	struct replay *r = arg;
	struct sim_capture_chain c;
	char err[160];

	pthread_mutex_lock(&r->lock);
	switch (rec->type) {
	case SIM_CAPTURE_CHAIN:
		/* A repeated fence poll is not one of the capture's. */
		if (r->retrying)
			break;
		if (sim_capture_parse_chain(rec, &c, err, sizeof(err)) == 0 &&
		    (c.seq -= r->seq_shift, grow_got(r, c.seq) == 0)) {
			r->got[c.seq].popped = true;
			r->got[c.seq].type = c.out_len >= 4
				? sim_capture_le32(c.data) : 0;
			r->popped++;
		}
		break;
	case SIM_CAPTURE_RESPONSE:
		sink_response(r, rec);
		break;
	case SIM_CAPTURE_CHECKSUM:
		if (r->nsums == r->cap_sums) {
			unsigned n = r->cap_sums ? r->cap_sums * 2 : 64;
			struct replay_sum *s = realloc(r->sums, n * sizeof(*s));
			if (!s)
				break;
			r->sums = s;
			r->cap_sums = n;
		}
		sim_capture_parse_sum(rec, &r->sums[r->nsums].s);
		r->sums[r->nsums++].s.seq -= r->seq_shift;
		break;
	default:
		break;
	}
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static void irq_cb(void *opaque, uint32_t isr)
{
	struct replay *r = opaque;

	(void)isr;
	pthread_mutex_lock(&r->lock);
	r->irqs++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static const struct sim_driver_ops driver_ops = { .interrupt = irq_cb };

int vmm_replay_machine_create(struct replay *r)
{
	const struct replay_setup *s = &r->setup;
	int ret;

	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->last_queue = -1;
	if ((ret = sim_ram_create(s->ram_size + REPLAY_ROOM, 0, 1, &r->ram)) ||
	    (ret = sim_transport_create(&r->t)) ||
	    (s->hostmem_size &&
	     (ret = sim_hostmem_create(s->hostmem_size, &r->hostmem))) ||
	    (ret = sim_capture_open_sink(sink, r, &r->own))) {
		fprintf(stderr, "virtgpu-sim replay: cannot build the machine: "
			"%s\n", strerror(-ret));
		return ret;
	}
	r->nreserved = s->ram_size / SIM_PAGE_SIZE - 1;
	r->reserved = malloc(r->nreserved * sizeof(*r->reserved));
	if (!r->reserved ||
	    (ret = sim_ram_alloc_pages(r->ram, r->nreserved, r->reserved))) {
		free(r->reserved);
		r->reserved = NULL;
		fprintf(stderr, "virtgpu-sim replay: cannot hold the recorded "
			"RAM\n");
		return -ENOMEM;
	}
	struct host_options ho = {
		.vmm = (enum host_vmm)s->vmm,
		.features = s->offered & ~(1ull << VIRTIO_F_VERSION_1),
		.blob_alignment = s->blob_alignment,
		.virgl = s->virgl,
		.venus = s->venus,
		.render_server = s->render_server,
		.num_scanouts = s->num_scanouts,
		.hostmem = r->hostmem,
		.inject = s->inject[0] ? s->inject : NULL,
		.max_contexts = s->max_contexts,
		.max_resources = s->max_resources,
		.max_renderer_bytes = s->max_renderer_bytes,
		.record = r->own,
	};
	ret = host_device_create(r->ram, r->t, &ho, &r->dev);
	if (ret) {
		fprintf(stderr, "virtgpu-sim replay: the device did not start: "
			"%s\n", strerror(-ret));
		return ret;
	}
	sim_transport_bind_driver(r->t, &driver_ops, r);
	return 0;
}

void vmm_replay_machine_destroy(struct replay *r)
{
	host_device_destroy(r->dev);
	for (unsigned q = 0; q < 2; q++)
		sim_vqd_destroy(r->vq[q]);
	while (r->chains)	/* unanswered: their RAM goes with the RAM */
		chain_free(r, r->chains, false);
	sim_capture_close(r->own);
	sim_hostmem_destroy(r->hostmem);
	sim_transport_destroy(r->t);
	free(r->reserved);
	sim_ram_destroy(r->ram);
	for (uint32_t i = 0; i < r->ngot; i++)
		free(r->got[i].buf);
	free(r->got);
	free(r->sums);
	free(r->tls);
	vmm_replay_poll_free(r);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
}

/* virtio 1.2 3.1.1 "Driver Requirements: Device Initialization". */
int vmm_replay_bring_up(struct replay *r)
{
	uint8_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	int ret;

	if ((ret = sim_transport_set_status(r->t, VIRTIO_CONFIG_S_ACKNOWLEDGE)) ||
	    (ret = sim_transport_set_status(r->t, st)) ||
	    (ret = sim_transport_set_driver_features(r->t, r->setup.acked)) ||
	    (ret = sim_transport_set_status(r->t, st | VIRTIO_CONFIG_S_FEATURES_OK)))
		return ret;
	if (!(sim_transport_get_status(r->t) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -EINVAL;
	st |= VIRTIO_CONFIG_S_FEATURES_OK;
	for (unsigned q = 0; q < 2; q++) {
		/* As large as the device allows, at most REPLAY_QSIZE (the
		 * personalities' queues differ: QEMU's cursorq has 16). */
		uint16_t n = sim_transport_queue_size_of(r->t, q);
		uint64_t d, a, u;
		if (n > REPLAY_QSIZE)
			n = REPLAY_QSIZE;
		if ((ret = sim_vqd_create(r->ram, n, &r->vq[q])))
			return ret;
		sim_vqd_addrs(r->vq[q], &d, &a, &u);
		if ((ret = sim_transport_setup_queue(r->t, q, n, d, a, u)))
			return ret;
	}
	ret = sim_transport_set_status(r->t, st | VIRTIO_CONFIG_S_DRIVER_OK);
	r->live = ret == 0;
	return ret;
}

int vmm_replay_reset(struct replay *r)
{
	int ret = sim_transport_set_status(r->t, 0);

	for (unsigned q = 0; q < 2; q++) {
		struct replay_chain *ch;
		uint32_t w;
		/* What the device answered before the reset; the rest is
		 * gone with it (its chains' memory is given back). */
		while (r->vq[q] && (ch = sim_vqd_get_used(r->vq[q], &w)))
			chain_free(r, ch, true);
		sim_vqd_destroy(r->vq[q]);
		r->vq[q] = NULL;
	}
	/* What the reset dropped never comes back. */
	while (r->chains)
		chain_free(r, r->chains, true);
	r->live = false;
	return ret;
}

int vmm_replay_push(struct replay *r, const struct sim_capture_chain *c)
{
	struct sim_vq_buf out[64], in[64];
	uint64_t total = c->out_len + c->in_len, off = 0;
	struct replay_chain *ch;
	int ret;

	if (c->queue > 1 || c->out_num > 64 || c->in_num > 64)
		return -EINVAL;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	ret = sim_ram_alloc_contig(r->ram, total, &ch->gpa);
	if (ret) {
		free(ch);
		return ret;
	}
	ch->len = total;
	for (unsigned i = 0; i < (unsigned)c->out_num + c->in_num; i++) {
		uint32_t len = sim_capture_chain_buf_len(c, i);
		struct sim_vq_buf *b = i < c->out_num ? &out[i]
						      : &in[i - c->out_num];
		b->gpa = ch->gpa + off;
		b->len = len;
		off += len;
	}
	sim_ram_write(r->ram, ch->gpa, c->data, c->out_len);
	ch->next = r->chains;
	if (ch->next)
		ch->next->pprev = &ch->next;
	ch->pprev = &r->chains;
	r->chains = ch;
	ret = sim_vqd_add(r->vq[c->queue], out, c->out_num, in, c->in_num, ch);
	if (ret) {
		chain_free(r, ch, true);
		return ret;
	}
	r->pushed++;
	r->last_queue = c->queue;
	sim_transport_notify(r->t, c->queue);
	return 0;
}

void vmm_replay_reap(struct replay *r)
{
	for (unsigned q = 0; q < 2; q++) {
		struct replay_chain *ch;
		uint32_t w;
		while (r->vq[q] && (ch = sim_vqd_get_used(r->vq[q], &w)))
			chain_free(r, ch, true);
	}
}

int vmm_replay_wait(struct replay *r, bool (*done)(struct replay *r,
						    uint64_t arg),
		    uint64_t arg)
{
	struct timespec deadline;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += r->timeout_s;
	vmm_replay_reap(r);
	pthread_mutex_lock(&r->lock);
	while (!done(r, arg) && ret == 0) {
		uint64_t seen = r->irqs;
		/* Reaping takes no lock of ours: drop it meanwhile. */
		pthread_mutex_unlock(&r->lock);
		vmm_replay_reap(r);
		pthread_mutex_lock(&r->lock);
		if (done(r, arg) || r->irqs != seen)
			continue;
		ret = pthread_cond_timedwait(&r->cond, &r->lock, &deadline);
	}
	bool ok = done(r, arg);
	pthread_mutex_unlock(&r->lock);
	return ok ? 0 : -ETIMEDOUT;
}
