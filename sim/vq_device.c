/* SPDX-License-Identifier: MIT */
/*
 * Device end of a split virtqueue (virtio 1.2 section 2.7): what a device
 * model does with the rings a driver laid out in guest RAM.  Everything read
 * from guest memory is untrusted; a malformed chain is answered on the used
 * ring, never trusted and never allowed to crash the device.
 */
#include "sim/virtqueue.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"
#include "sim/ram.h"
#include "sim/trace.h"

struct sim_vqdev {
	struct sim_ram *ram;
	uint16_t size;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	/* Device-private cursors: never read back from guest memory. */
	uint16_t last_avail_idx;
	uint16_t used_idx;
	/* Set once the avail idx jumped; cleared only by a new queue. */
	bool broken;
};

/* What one walk over a chain found. */
struct chain_walk {
	unsigned out_num, in_num;
	uint64_t out_len, in_len;
};

int sim_vqdev_create(struct sim_ram *ram, uint16_t size, uint64_t desc_gpa,
		     uint64_t avail_gpa, uint64_t used_gpa,
		     struct sim_vqdev **out)
{
	struct sim_vqdev *vq;
	void *desc, *avail, *used;

	if (size == 0 || size > SIM_VQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;
	/* 2.7 "Split Virtqueues", alignment table: descriptor table 16,
	 * available ring 2, used ring 4. */
	if (desc_gpa % 16 || avail_gpa % 2 || used_gpa % 4)
		return -EINVAL;
	/* Each area including the event index the spec reserves after each
	 * ring (used_event, avail_event), which we never use but the driver
	 * must still have laid out. */
	desc = sim_ram_translate(ram, desc_gpa, 16u * (uint64_t)size);
	avail = sim_ram_translate(ram, avail_gpa, 6 + 2u * (uint64_t)size);
	used = sim_ram_translate(ram, used_gpa, 6 + 8u * (uint64_t)size);
	if (!desc || !avail || !used)
		return -EINVAL;

	vq = calloc(1, sizeof(*vq));
	if (!vq)
		return -ENOMEM;
	vq->ram = ram;
	vq->size = size;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	*out = vq;
	return 0;
}

void sim_vqdev_destroy(struct sim_vqdev *vq)
{
	free(vq);
}

/*
 * 2.7.8.2 "Device Requirements: The Virtqueue Used Ring": the entry (and its
 * len) must be written before the used idx is updated; the release store
 * orders them for the driver's acquire load.
 */
static void used_push(struct sim_vqdev *vq, uint32_t id, uint32_t len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx &
						      (vq->size - 1)];

	e->id = htole32(id);
	e->len = htole32(len);
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
}

/* Record one buffer of the chain, into @elem when it is given. */
static const char *walk_add(struct chain_walk *w, struct sim_vq_elem *elem,
			    void *host, uint32_t len, bool writable)
{
	if (writable) {
		if (elem) {
			if (w->in_num >= elem->in_num)
				return "descriptor chain changed while being read";
			elem->in_iov[w->in_num].iov_base = host;
			elem->in_iov[w->in_num].iov_len = len;
		}
		w->in_num++;
		w->in_len += len;
	} else {
		if (elem) {
			if (w->out_num >= elem->out_num)
				return "descriptor chain changed while being read";
			elem->out_iov[w->out_num].iov_base = host;
			elem->out_iov[w->out_num].iov_len = len;
		}
		w->out_num++;
		w->out_len += len;
	}
	return NULL;
}

/*
 * Follow the chain at @head, checking every descriptor; returns NULL or the
 * defect.  Called twice per pop: once to size the element, once (with
 * @elem) to fill it.  Each descriptor is copied out of guest memory once
 * per walk so that its fields are checked and used with the same values.
 */
static const char *walk_chain(struct sim_vqdev *vq, uint16_t head,
			      struct chain_walk *w, struct sim_vq_elem *elem)
{
	bool seen_writable = false;
	unsigned count = 0;
	uint16_t id = head;

	memset(w, 0, sizeof(*w));
	for (;;) {
		struct vring_desc d;
		uint16_t flags, next;
		uint64_t addr;
		uint32_t len;
		const char *why;
		void *host;

		/* The queue size bounds a chain's length (2.7.5 "The
		 * Virtqueue Descriptor Table"); without a loop no chain can
		 * be longer, so counting catches loops too. */
		if (++count > vq->size)
			return "descriptor chain loops or is longer than the queue";
		memcpy(&d, &vq->desc[id], sizeof(d));
		addr = le64toh(d.addr);
		len = le32toh(d.len);
		flags = le16toh(d.flags);
		next = le16toh(d.next);

		/* 2.7.5.3.1 "Driver Requirements: Indirect Descriptors": no
		 * INDIRECT unless VIRTIO_F_INDIRECT_DESC was negotiated, and
		 * we never offer it. */
		if (flags & VRING_DESC_F_INDIRECT)
			return "INDIRECT descriptor without VIRTIO_F_INDIRECT_DESC";
		if (len == 0)
			return "zero-length buffer";
		host = sim_ram_translate(vq->ram, addr, len);
		if (!host)
			return "buffer outside guest RAM";
		/* 2.7.4.2 "Driver Requirements: Message Framing": every
		 * device-writable element after every device-readable one. */
		if (flags & VRING_DESC_F_WRITE)
			seen_writable = true;
		else if (seen_writable)
			return "device-readable buffer after a device-writable one";
		why = walk_add(w, elem, host, len, flags & VRING_DESC_F_WRITE);
		if (why)
			return why;
		/* 2.7.5.2 "Driver Requirements: The Virtqueue Descriptor
		 * Table": a chain is at most 2^32 bytes in total. */
		if (w->out_len + w->in_len > (UINT64_C(1) << 32))
			return "descriptor chain longer than 2^32 bytes";

		if (!(flags & VRING_DESC_F_NEXT))
			return NULL;
		if (next >= vq->size)
			return "next index out of range";
		id = next;
	}
}

static struct sim_vq_elem *elem_alloc(const struct chain_walk *w,
				      uint16_t head)
{
	struct sim_vq_elem *elem;

	/* One allocation: the struct, then out iovecs, then in iovecs. */
	elem = malloc(sizeof(*elem) +
		      ((size_t)w->out_num + w->in_num) * sizeof(struct iovec));
	if (!elem)
		return NULL;
	elem->head = head;
	elem->out_num = w->out_num;
	elem->in_num = w->in_num;
	elem->out_len = w->out_len;
	elem->in_len = w->in_len;
	elem->out_iov = (struct iovec *)(elem + 1);
	elem->in_iov = elem->out_iov + w->out_num;
	return elem;
}

int sim_vqdev_pop(struct sim_vqdev *vq, struct sim_vq_elem **out,
		  const char **why)
{
	struct sim_vq_elem *elem;
	struct chain_walk w, w2;
	uint16_t avail_idx, pending, head;
	const char *defect;

	*out = NULL;
	*why = NULL;
	if (vq->broken) {
		*why = "queue broken by an earlier avail idx jump; reset needed";
		return -EIO;
	}
	/* 2.7.13 memory ordering: read idx (acquire) before the entries. */
	avail_idx = le16toh(__atomic_load_n(&vq->avail->idx,
					    __ATOMIC_ACQUIRE));
	pending = (uint16_t)(avail_idx - vq->last_avail_idx);
	if (pending == 0)
		return -EAGAIN;
	head = le16toh(vq->avail->ring[vq->last_avail_idx & (vq->size - 1)]);
	vq->last_avail_idx++;

	/* 2.7.6 "The Virtqueue Available Ring": idx only ever advances by
	 * the entries the driver added, and there are at most size of
	 * those.  A bigger jump means the ring cannot be trusted any more
	 * (2.1.2: an error that needs a reset).  The entry at our cursor is
	 * still handed back so the driver can reclaim what it may be. */
	if (pending > vq->size) {
		vq->broken = true;
		defect = "avail idx moved more than the queue size";
		goto malformed;
	}
	if (head >= vq->size) {
		defect = "head index out of range";
		goto malformed;
	}
	defect = walk_chain(vq, head, &w, NULL);
	if (defect)
		goto malformed;

	elem = elem_alloc(&w, head);
	if (!elem) {
		/* Nothing consumed: the chain is popped again next time. */
		vq->last_avail_idx--;
		return -ENOMEM;
	}
	/* Second walk fills the iovecs.  A driver rewriting the chain under
	 * us must not make it disagree with the sizes from the first. */
	defect = walk_chain(vq, head, &w2, elem);
	if (!defect && (w2.out_num != w.out_num || w2.in_num != w.in_num ||
			w2.out_len != w.out_len || w2.in_len != w.in_len))
		defect = "descriptor chain changed while being read";
	if (defect) {
		free(elem);
		goto malformed;
	}
	SIM_DEBUG(SIM_DEBUG_VQ, "sim", "pop head %u: %u out (%llu B), %u in (%llu B)",
		  head, elem->out_num, (unsigned long long)elem->out_len,
		  elem->in_num, (unsigned long long)elem->in_len);
	elem->trace_id = sim_trace_chain_id(vq->avail,
					    (uint16_t)(vq->last_avail_idx - 1));
	*out = elem;
	return 0;

malformed:
	/* Consumed with 0 bytes written: the driver gets its descriptors
	 * back and the queue keeps going.  Reporting it is the caller's
	 * job (it knows which queue and device this is). */
	used_push(vq, head, 0);
	SIM_DEBUG(SIM_DEBUG_VQ, "sim", "malformed head %u: %s", head, defect);
	*why = defect;
	return -EINVAL;
}

void sim_vqdev_push(struct sim_vqdev *vq, struct sim_vq_elem *elem,
		    uint32_t written)
{
	/* 2.7.8.2: len is the bytes written into the device-writable
	 * buffers, so it can never exceed them. */
	if (written > elem->in_len) {
		sim_log_error("sim", __func__,
			      "head %u: %u bytes written but only %llu writable",
			      elem->head, written,
			      (unsigned long long)elem->in_len);
		written = (uint32_t)elem->in_len;
	}
	used_push(vq, elem->head, written);
	SIM_DEBUG(SIM_DEBUG_VQ, "sim", "push head %u: %u bytes, used idx %u",
		  elem->head, written, vq->used_idx);
	free(elem);
}

void sim_vqdev_elem_free(struct sim_vq_elem *elem)
{
	free(elem);
}

/*
 * 2.7.7 "Used Buffer Notification Suppression": the used idx store must be
 * visible before the flags are read, or an interrupt the driver just asked
 * for again could be lost; hence the full fence.
 */
bool sim_vqdev_should_interrupt(const struct sim_vqdev *vq)
{
	uint16_t flags;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le16toh(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED));
	return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

/*
 * For a device that polls: has the driver made chains available that pop
 * has not taken yet?  Reads only avail idx; a broken queue has nothing to
 * offer until it is set up again.
 */
bool sim_vqdev_pending(const struct sim_vqdev *vq)
{
	uint16_t idx = le16toh(__atomic_load_n(&vq->avail->idx,
					       __ATOMIC_ACQUIRE));
	return !vq->broken && idx != vq->last_avail_idx;
}

/* 2.7.10 "Available Buffer Notification Suppression": only a hint. */
void sim_vqdev_suppress_notify(struct sim_vqdev *vq, bool suppress)
{
	uint16_t flags = suppress ? VRING_USED_F_NO_NOTIFY : 0;

	__atomic_store_n(&vq->used->flags, htole16(flags), __ATOMIC_RELAXED);
}
