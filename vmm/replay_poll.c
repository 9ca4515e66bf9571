// SPDX-License-Identifier: MIT
/*
 * Fence polls in a replay.  A venus guest learns that the GPU finished
 * its work from vkGetFenceStatus replies, which the renderer writes into
 * the reply stream in host-visible memory (no virtqueue response carries
 * them).  The recorded guest polled until the reply said VK_SUCCESS and
 * then freed what the work used: scenarios/venus/fill.vgs polls once
 * (chain 32), then one batch (chain 36) destroys the fence, frees the
 * command buffer and the pool, the buffers and the memory.  A replay
 * pushes the poll as soon as the chain before it is answered, so
 * lavapipe may still run the command buffer: the replayed reply says
 * VK_NOT_READY, nothing polls again, and the batch frees the command
 * buffer under lavapipe's queue thread (lvp_execute_cmds read freed
 * memory, about one replay in 30).
 *
 * So a poll whose recorded guest did not poll again (the next chain of
 * its context is not the same poll: the recorded guest saw the fence
 * signalled) is repeated here, as that guest would have repeated it,
 * until the replayed renderer says VK_SUCCESS too or the timeout ends the
 * replay with a divergence.  The repeat is the recorded chain without
 * its fence flags, pushed when nothing else is in flight; the sink keeps
 * its records out of the comparison (r->retrying) and the replaying
 * device's sequence numbers run one further ahead of the capture's
 * (r->seq_shift).  Repeating can only make the replayed renderer later
 * than the recorded one, never earlier, and a fence status query changes
 * nothing.
 *
 * The venus wire format: FACTS.md and guest/venus/venus_enc.c (u32
 * command type, u32 flags, arguments in 4-byte units).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/virtio_gpu.h>

#include "guest/venus/venus_enc.h"
#include "sim/hostmem.h"
#include "vmm/replay.h"

#define VENUS_CAPSET 4u		/* VIRTIO_GPU_CAPSET_VENUS */
#define VN_GENERATE_REPLY 1u	/* VK_COMMAND_GENERATE_REPLY_BIT_EXT */
#define VN_NOT_READY 1		/* VK_NOT_READY */
#define VN_SUCCESS 0		/* VK_SUCCESS */
/* seek (type, flags, u64 position) + vkGetFenceStatus (type, flags,
 * u64 device, u64 fence): the guest's poll, as guest_vn_call_* and
 * Mesa's venus driver send it. */
#define POLL_STREAM_LEN 40u
#define SUBMIT_HDR_LEN sizeof(struct virtio_gpu_cmd_submit)

struct poll_ctx {
	uint32_t ctx_id, capset;
	bool has_reply;
	uint32_t reply_res;
	uint64_t reply_off;
};

struct poll_map {
	uint32_t res;
	uint64_t offset;	/* in the host-visible region */
};

struct replay_poll {
	struct poll_ctx *ctxs;
	unsigned nctxs, cap_ctxs;
	struct poll_map *maps;
	unsigned nmaps, cap_maps;
	/* the last chain pushed, if it is a fence poll */
	bool is_poll;
	uint32_t poll_seq, poll_ctx;
	uint64_t poll_pos;
	struct sim_capture_chain chain;	/* points into the capture */
};

static uint32_t rd32(const uint8_t *p)
{
	return sim_capture_le32(p);
}

static uint64_t rd64(const uint8_t *p)
{
	return sim_capture_le64(p);
}

static int grow(void **arr, unsigned *cap, unsigned n, size_t size)
{
	if (n < *cap)
		return 0;
	unsigned c = *cap ? *cap * 2 : 16;
	void *a = realloc(*arr, c * size);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = c;
	return 0;
}

static struct poll_ctx *find_ctx(struct replay_poll *p, uint32_t id)
{
	for (unsigned i = 0; i < p->nctxs; i++)
		if (p->ctxs[i].ctx_id == id)
			return &p->ctxs[i];
	return NULL;
}

static struct poll_map *find_map(struct replay_poll *p, uint32_t res)
{
	for (unsigned i = 0; i < p->nmaps; i++)
		if (p->maps[i].res == res)
			return &p->maps[i];
	return NULL;
}

static int note_ctx(struct replay_poll *p, uint32_t id, uint32_t capset)
{
	struct poll_ctx *c = find_ctx(p, id);

	if (!c) {
		if (grow((void **)&p->ctxs, &p->cap_ctxs, p->nctxs,
			 sizeof(*p->ctxs)))
			return -ENOMEM;
		c = &p->ctxs[p->nctxs++];
	}
	*c = (struct poll_ctx){ .ctx_id = id, .capset = capset };
	return 0;
}

static int note_map(struct replay_poll *p, uint32_t res, uint64_t offset)
{
	struct poll_map *m = find_map(p, res);

	if (!m) {
		if (grow((void **)&p->maps, &p->cap_maps, p->nmaps,
			 sizeof(*p->maps)))
			return -ENOMEM;
		m = &p->maps[p->nmaps++];
	}
	*m = (struct poll_map){ res, offset };
	return 0;
}

/* A venus SUBMIT_3D: its reply stream, or whether it is a fence poll. */
static void note_submit(struct replay_poll *p, uint32_t seq, uint32_t ctx_id,
			const uint8_t *s, uint64_t len)
{
	struct poll_ctx *c = find_ctx(p, ctx_id);

	if (!c || c->capset != VENUS_CAPSET || len < 8)
		return;
	/* vkSetReplyCommandStreamMESA: u64 pStream (non-zero), u32
	 * resourceId, u64 offset, u64 size. */
	if (rd32(s) == GUEST_VN_CMD_vkSetReplyCommandStreamMESA && len >= 36 &&
	    rd64(s + 8)) {
		c->has_reply = true;
		c->reply_res = rd32(s + 16);
		c->reply_off = rd64(s + 20);
		return;
	}
	if (len == POLL_STREAM_LEN && c->has_reply &&
	    rd32(s) == GUEST_VN_CMD_vkSeekReplyCommandStreamMESA &&
	    rd32(s + 16) == GUEST_VN_CMD_vkGetFenceStatus &&
	    (rd32(s + 20) & VN_GENERATE_REPLY)) {
		p->is_poll = true;
		p->poll_seq = seq;
		p->poll_ctx = ctx_id;
		p->poll_pos = rd64(s + 8);
	}
}

int vmm_replay_poll_note(struct replay *r, const struct sim_capture_chain *c)
{
	struct replay_poll *p = r->poll;
	const uint8_t *d = c->data;

	if (!p && !(p = r->poll = calloc(1, sizeof(*p))))
		return -ENOMEM;
	p->is_poll = false;
	if (c->queue != 0 || c->out_len < sizeof(struct virtio_gpu_ctrl_hdr))
		return 0;
	uint32_t type = rd32(d), ctx_id = rd32(d + 16);
	switch (type) {
	case VIRTIO_GPU_CMD_CTX_CREATE:
		if (c->out_len < sizeof(struct virtio_gpu_ctx_create))
			return 0;
		return note_ctx(p, ctx_id, rd32(d + offsetof(
			struct virtio_gpu_ctx_create, context_init)) & 0xff);
	case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB:
		if (c->out_len < sizeof(struct virtio_gpu_resource_map_blob))
			return 0;
		return note_map(p, rd32(d + 24), rd64(d + offsetof(
			struct virtio_gpu_resource_map_blob, offset)));
	case VIRTIO_GPU_CMD_SUBMIT_3D: {
		if (c->out_len < SUBMIT_HDR_LEN)
			return 0;
		uint64_t size = rd32(d + 24);
		if (size > c->out_len - SUBMIT_HDR_LEN)
			size = c->out_len - SUBMIT_HDR_LEN;
		note_submit(p, c->seq, ctx_id, d + SUBMIT_HDR_LEN, size);
		if (p->is_poll)
			p->chain = *c;
		return 0;
	}
	default:
		return 0;
	}
}

/* The VkResult the replayed renderer wrote for the poll, or 1 when it
 * cannot be read (then nothing is repeated). */
static int poll_result(struct replay *r, int *result)
{
	struct replay_poll *p = r->poll;
	struct poll_ctx *c = find_ctx(p, p->poll_ctx);
	struct poll_map *m = c ? find_map(p, c->reply_res) : NULL;

	if (!m || !r->hostmem)
		return 1;
	const uint8_t *reply = sim_hostmem_translate(
		r->hostmem, m->offset + c->reply_off + p->poll_pos, 8);
	if (!reply || rd32(reply) != GUEST_VN_CMD_vkGetFenceStatus)
		return 1;
	*result = (int)rd32(reply + 4);
	return 0;
}

/* Did the recorded guest poll again?  Then its next chain on the
 * context is the same stream, and the replay has that poll too. */
static bool recorded_polls_again(struct replay *r,
				 const struct sim_capture_rec *rec)
{
	struct replay_poll *p = r->poll;
	struct sim_capture_reader rd;
	struct sim_capture_rec next;
	struct sim_capture_chain c;
	char err[160];

	if (sim_capture_reader_init(&rd, r->cap_buf, r->cap_len, err,
				    sizeof(err)))
		return true;
	rd.off = rec->offset + 16 + rec->len;
	while (sim_capture_reader_next(&rd, &next, err, sizeof(err)) == 1) {
		if (next.type != SIM_CAPTURE_CHAIN ||
		    sim_capture_parse_chain(&next, &c, err, sizeof(err)) ||
		    c.out_len < SUBMIT_HDR_LEN || rd32(c.data + 16) != p->poll_ctx)
			continue;
		return c.out_len == p->chain.out_len &&
		       !memcmp(c.data + SUBMIT_HDR_LEN,
			       p->chain.data + SUBMIT_HDR_LEN,
			       c.out_len - SUBMIT_HDR_LEN);
	}
	return false;	/* the capture ends: the guest stopped polling */
}

static bool all_pushed_answered(struct replay *r, uint64_t arg)
{
	(void)arg;
	for (uint32_t s = 0; s < r->pushed; s++)
		if (s >= r->ngot || !r->got[s].has_resp)
			return false;
	return true;
}

static bool retry_answered(struct replay *r, uint64_t arg)
{
	(void)arg;
	return r->retry_answered;
}

/* Push the poll once more, unfenced, and wait for its answer. */
static int repeat_poll(struct replay *r)
{
	struct sim_capture_chain c = r->poll->chain;
	uint8_t *data = malloc(c.out_len);
	int ret;

	if (!data)
		return -ENOMEM;
	memcpy(data, c.data, c.out_len);
	memset(data + 4, 0, 4);		/* hdr.flags: no fence, no ring */
	c.data = data;
	pthread_mutex_lock(&r->lock);
	r->retrying = true;
	r->retry_answered = false;
	pthread_mutex_unlock(&r->lock);
	ret = vmm_replay_push(r, &c);
	free(data);
	if (ret == 0) {
		r->pushed--;	/* not one of the capture's chains */
		ret = vmm_replay_wait(r, retry_answered, 0);
	}
	pthread_mutex_lock(&r->lock);
	r->retrying = false;
	if (ret == 0)
		r->seq_shift++;
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int vmm_replay_poll_settle(struct replay *r, const struct sim_capture_rec *rec,
			   uint32_t seq)
{
	struct replay_poll *p = r->poll;
	struct timespec start, now, pause = { 0, 200 * 1000 };
	int result = VN_NOT_READY;

	if (!p || !p->is_poll || p->poll_seq != seq || poll_result(r, &result) ||
	    result != VN_NOT_READY || recorded_polls_again(r, rec))
		return 0;
	/* A chain the recording never saw answered may be answered any
	 * time: the repeat could not be told from it. */
	for (uint32_t s = 0; s < r->pushed; s++)
		if (s >= r->nanswered || !r->answered_in_capture[s])
			return 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		/* Nothing else in flight: the sink takes the next chain and
		 * answer the device writes for the repeat. */
		if (vmm_replay_wait(r, all_pushed_answered, 0))
			return -ETIMEDOUT;
		int ret = repeat_poll(r);
		if (ret)
			return ret;
		r->repeated_polls++;
		if (poll_result(r, &result) || result != VN_NOT_READY)
			return result == VN_SUCCESS ? 0 : -EPROTO;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)r->timeout_s)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

void vmm_replay_poll_free(struct replay *r)
{
	if (!r->poll)
		return;
	free(r->poll->ctxs);
	free(r->poll->maps);
	free(r->poll);
	r->poll = NULL;
}
