/* SPDX-License-Identifier: MIT */
/*
 * Driver end of a split virtqueue (virtio 1.2 section 2.7): what a guest
 * kernel's vring does.  The rings live in guest RAM; all bookkeeping the
 * driver needs to take descriptors back (free list, chain links, tokens)
 * is kept in private shadow state, so nothing a device writes into guest
 * memory can corrupt it (section 2.7.14 only gives the device the used
 * ring to write).
 */
#include "sim/virtqueue.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>

#include "sim/log.h"
#include "sim/ram.h"
#include "sim/trace.h"

/* An outstanding chain added with sim_vqd_add(), indexed by its head. */
struct vqd_head {
	void *token;		/* NULL: this slot is not an outstanding head */
	uint16_t ndesc;		/* descriptors in the chain */
};

/* An outstanding sim_vqd_add_raw() submission.  Kept apart from the heads
 * because its head may be any 16-bit value, in range or not. */
struct vqd_raw {
	struct vqd_raw *next;
	uint16_t head;
	uint16_t first;
	unsigned n;
	void *token;
};

struct sim_vqd {
	struct sim_ram *ram;
	uint16_t size;
	uint64_t ring_gpa;	/* one contiguous allocation for all three */
	uint64_t ring_bytes;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;

	/* Shadow state, never read back from guest memory.  free_ids is a
	 * stack of free descriptor indices; free_pos[i] is where i sits in
	 * it, so a raw submission can take given slots in O(1). */
	uint16_t *free_ids;
	uint16_t *free_pos;
	unsigned num_free;
	uint16_t *chain_next;	/* next slot of each chain, as we wrote it */
	struct vqd_head *heads;
	struct vqd_raw *raw;
	unsigned in_flight;	/* avail entries not yet seen on used */
	uint16_t avail_idx;	/* next avail idx to publish */
	uint16_t last_used_idx;
	unsigned bad_used;
};

static bool slot_is_free(const struct sim_vqd *vq, uint16_t id)
{
	unsigned pos = vq->free_pos[id];

	return pos < vq->num_free && vq->free_ids[pos] == id;
}

static uint16_t slot_take(struct sim_vqd *vq)
{
	return vq->free_ids[--vq->num_free];
}

static void slot_take_at(struct sim_vqd *vq, uint16_t id)
{
	unsigned pos = vq->free_pos[id];
	uint16_t last = vq->free_ids[--vq->num_free];

	vq->free_ids[pos] = last;
	vq->free_pos[last] = (uint16_t)pos;
}

static void slot_give(struct sim_vqd *vq, uint16_t id)
{
	vq->free_pos[id] = (uint16_t)vq->num_free;
	vq->free_ids[vq->num_free++] = id;
}

static void desc_write(struct sim_vqd *vq, uint16_t id, uint64_t addr,
		       uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = &vq->desc[id];

	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

/*
 * 2.7.13.2 "Updating The Available Ring" and 2.7.13.3 "Updating idx": the
 * ring entry and the descriptors must be visible before the new idx, hence
 * the release store.
 */
static void avail_publish(struct sim_vqd *vq, uint16_t head)
{
	if (sim_trace_on())	/* the chain's flow starts (sim/trace.h) */
		sim_trace_event(SIM_TRACE_FLOW_QUEUED, NULL, sim_trace_now(), 0,
				sim_trace_chain_id(vq->avail, vq->avail_idx),
				0, 0);
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = htole16(head);
	vq->avail_idx++;
	__atomic_store_n(&vq->avail->idx, htole16(vq->avail_idx),
			 __ATOMIC_RELEASE);
	vq->in_flight++;
}

int sim_vqd_create(struct sim_ram *ram, uint16_t size, struct sim_vqd **out)
{
	uint64_t avail_off, used_off;
	struct sim_vqd *vq;
	uint8_t *base;
	int ret;

	/* 2.7 "Split Virtqueues": Queue Size is a power of 2, at most 32768. */
	if (size == 0 || size > SIM_VQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;
	vq = calloc(1, sizeof(*vq));
	if (!vq)
		return -ENOMEM;
	vq->ram = ram;
	vq->size = size;
	vq->free_ids = calloc(size, sizeof(*vq->free_ids));
	vq->free_pos = calloc(size, sizeof(*vq->free_pos));
	vq->chain_next = calloc(size, sizeof(*vq->chain_next));
	vq->heads = calloc(size, sizeof(*vq->heads));
	if (!vq->free_ids || !vq->free_pos || !vq->chain_next || !vq->heads) {
		ret = -ENOMEM;
		goto err_free;
	}

	/* 2.7 table of alignments: descriptors 16, available ring 2, used
	 * ring 4.  One page-aligned allocation, packed as tightly as the
	 * spec allows so that the device's alignment checks get exercised
	 * with the minimum. */
	avail_off = 16u * (uint64_t)size;
	used_off = (avail_off + 6 + 2u * (uint64_t)size + 3) & ~UINT64_C(3);
	vq->ring_bytes = used_off + 6 + 8u * (uint64_t)size;
	ret = sim_ram_alloc_contig(ram, vq->ring_bytes, &vq->ring_gpa);
	if (ret)
		goto err_free;
	base = sim_ram_translate(ram, vq->ring_gpa, vq->ring_bytes);
	vq->desc_gpa = vq->ring_gpa;
	vq->avail_gpa = vq->ring_gpa + avail_off;
	vq->used_gpa = vq->ring_gpa + used_off;
	vq->desc = (struct vring_desc *)base;
	vq->avail = (struct vring_avail *)(base + avail_off);
	vq->used = (struct vring_used *)(base + used_off);

	/* Stack order hands out slot 0 first, which keeps traces readable. */
	for (unsigned i = 0; i < size; i++) {
		uint16_t id = (uint16_t)(size - 1 - i);

		vq->free_ids[i] = id;
		vq->free_pos[id] = (uint16_t)i;
	}
	vq->num_free = size;
	*out = vq;
	return 0;

err_free:
	free(vq->heads);
	free(vq->chain_next);
	free(vq->free_pos);
	free(vq->free_ids);
	free(vq);
	return ret;
}

void sim_vqd_destroy(struct sim_vqd *vq)
{
	if (!vq)
		return;
	while (vq->raw) {
		struct vqd_raw *r = vq->raw;

		vq->raw = r->next;
		free(r);
	}
	sim_ram_release_contig(vq->ram, vq->ring_gpa, vq->ring_bytes);
	free(vq->heads);
	free(vq->chain_next);
	free(vq->free_pos);
	free(vq->free_ids);
	free(vq);
}

uint16_t sim_vqd_size(const struct sim_vqd *vq)
{
	return vq->size;
}

void sim_vqd_addrs(const struct sim_vqd *vq, uint64_t *desc_gpa,
		   uint64_t *avail_gpa, uint64_t *used_gpa)
{
	*desc_gpa = vq->desc_gpa;
	*avail_gpa = vq->avail_gpa;
	*used_gpa = vq->used_gpa;
}

unsigned sim_vqd_num_free(const struct sim_vqd *vq)
{
	return vq->num_free;
}

int sim_vqd_add(struct sim_vqd *vq, const struct sim_vq_buf *out,
		unsigned nout, const struct sim_vq_buf *in, unsigned nin,
		void *token)
{
	unsigned total = nout + nin;
	uint16_t head = 0, prev = 0;

	/* A NULL token could not be told apart from "nothing used"; a chain
	 * longer than the queue could never be added (2.7.5). */
	if (!token || nout > vq->size || nin > vq->size || total == 0 ||
	    total > vq->size)
		return -EINVAL;
	for (unsigned i = 0; i < total; i++) {
		const struct sim_vq_buf *b = i < nout ? &out[i] : &in[i - nout];

		if (b->len == 0)
			return -EINVAL;
	}
	if (total > vq->num_free || vq->in_flight >= vq->size)
		return -ENOSPC;

	/* 2.7.4.2 "Driver Requirements: Message Framing": device-readable
	 * descriptors first, then device-writable ones. */
	for (unsigned i = 0; i < total; i++) {
		const struct sim_vq_buf *b = i < nout ? &out[i] : &in[i - nout];
		uint16_t id = slot_take(vq);

		desc_write(vq, id, b->gpa, b->len,
			   i < nout ? 0 : VRING_DESC_F_WRITE, 0);
		if (i == 0) {
			head = id;
		} else {
			vq->desc[prev].flags |= htole16(VRING_DESC_F_NEXT);
			vq->desc[prev].next = htole16(id);
			vq->chain_next[prev] = id;
		}
		prev = id;
	}
	vq->heads[head].token = token;
	vq->heads[head].ndesc = (uint16_t)total;
	avail_publish(vq, head);
	SIM_DEBUG(SIM_DEBUG_VQ, "sim", "head %u: %u out, %u in, avail idx %u",
		  head, nout, nin, vq->avail_idx);
	return 0;
}

static struct vqd_raw *raw_find(struct sim_vqd *vq, uint32_t head,
				struct vqd_raw ***link)
{
	struct vqd_raw **pp = &vq->raw;

	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->head == head) {
			if (link)
				*link = pp;
			return *pp;
		}
	}
	return NULL;
}

int sim_vqd_add_raw(struct sim_vqd *vq, uint16_t first,
		    const struct sim_vq_raw_desc *descs, unsigned n,
		    uint16_t head, void *token)
{
	struct vqd_raw *r;

	if (!token || n > vq->size || (n && first > vq->size - n))
		return -EINVAL;
	/* An in-range head must be one of our own slots, so that it can
	 * never also be the head of a chain added with sim_vqd_add(). */
	if (head < vq->size && (n == 0 || head < first || head >= first + n))
		return -EINVAL;
	if (vq->in_flight >= vq->size || raw_find(vq, head, NULL))
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++) {
		if (!slot_is_free(vq, (uint16_t)(first + i)))
			return -ENOSPC;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;

	for (unsigned i = 0; i < n; i++) {
		uint16_t id = (uint16_t)(first + i);

		slot_take_at(vq, id);
		desc_write(vq, id, descs[i].addr, descs[i].len, descs[i].flags,
			   descs[i].next);
	}
	r->head = head;
	r->first = first;
	r->n = n;
	r->token = token;
	r->next = vq->raw;
	vq->raw = r;
	avail_publish(vq, head);
	return 0;
}

/*
 * 2.7.10 "Available Buffer Notification Suppression": the driver must
 * make its idx store visible before it reads the used ring's flags, or it
 * could miss a device that just re-enabled notifications; hence the full
 * fence.
 */
bool sim_vqd_should_notify(const struct sim_vqd *vq)
{
	uint16_t flags;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le16toh(__atomic_load_n(&vq->used->flags, __ATOMIC_RELAXED));
	return !(flags & VRING_USED_F_NO_NOTIFY);
}

/* 2.7.7 "Used Buffer Notification Suppression": only a hint to the device. */
void sim_vqd_suppress_interrupts(struct sim_vqd *vq, bool suppress)
{
	uint16_t flags = suppress ? VRING_AVAIL_F_NO_INTERRUPT : 0;

	__atomic_store_n(&vq->avail->flags, htole16(flags), __ATOMIC_RELAXED);
}

/* Give back the descriptors of the chain headed by @head, walking the links
 * we recorded when adding it, not the ones now in guest memory. */
static void *reclaim_chain(struct sim_vqd *vq, uint16_t head)
{
	void *token = vq->heads[head].token;
	uint16_t id = head;

	for (unsigned i = 0; i < vq->heads[head].ndesc; i++) {
		uint16_t next = vq->chain_next[id];

		slot_give(vq, id);
		id = next;
	}
	vq->heads[head].token = NULL;
	vq->heads[head].ndesc = 0;
	return token;
}

static void *reclaim_raw(struct sim_vqd *vq, struct vqd_raw *r,
			 struct vqd_raw **link)
{
	void *token = r->token;

	for (unsigned i = 0; i < r->n; i++)
		slot_give(vq, (uint16_t)(r->first + i));
	*link = r->next;
	free(r);
	return token;
}

/*
 * 2.7.14 "Receiving Used Buffers From The Device": read idx with acquire
 * so the entries it covers are visible, then consume them in order.
 */
void *sim_vqd_get_used(struct sim_vqd *vq, uint32_t *written)
{
	for (;;) {
		uint16_t used_idx = le16toh(__atomic_load_n(&vq->used->idx,
							     __ATOMIC_ACQUIRE));
		struct vring_used_elem *e;
		struct vqd_raw *r, **link;
		uint32_t id, len;

		if (used_idx == vq->last_used_idx)
			return NULL;
		e = &vq->used->ring[vq->last_used_idx & (vq->size - 1)];
		id = le32toh(e->id);
		len = le32toh(e->len);
		vq->last_used_idx++;

		if (id < vq->size && vq->heads[id].token) {
			vq->in_flight--;
			*written = len;
			return reclaim_chain(vq, (uint16_t)id);
		}
		r = raw_find(vq, id, &link);
		if (r) {
			vq->in_flight--;
			*written = len;
			return reclaim_raw(vq, r, link);
		}
		/* The device returned something we never gave it (or gave
		 * back twice); like Linux's BAD_RING, count it and go on. */
		vq->bad_used++;
		sim_log_error("sim", __func__,
			      "used id %u (len %u) names no outstanding chain",
			      id, len);
	}
}

unsigned sim_vqd_bad_used(const struct sim_vqd *vq)
{
	return vq->bad_used;
}
