/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues in guest RAM, virtio 1.2 section 2.7 "Split Virtqueues":
 * a descriptor table (16-byte aligned), an available ring (2-byte aligned)
 * and a used ring (4-byte aligned), all at guest-physical addresses, all
 * little endian.  The driver end (sim_vqd_*) is what a guest kernel uses; the
 * device end (sim_vqdev_*) is what a device model uses.  The two ends share
 * nothing but guest memory, exactly as on a VM.
 *
 * Neither end locks: the driver end must be serialised by its user (the
 * guest kernel holds a queue lock), the device end is only touched from the
 * device thread.  Memory ordering between the ends follows section 2.7.13
 * (driver: write descriptors and ring entry before the idx; device: read idx
 * before the entries) with acquire/release atomics on the idx fields.
 */
#ifndef SIM_VIRTQUEUE_H
#define SIM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct sim_ram;

/* Largest queue size we support (section 2.7: at most 32768). */
#define SIM_VQ_MAX_SIZE 32768u

/* One buffer of a chain as the driver describes it: guest-physical. */
struct sim_vq_buf {
	uint64_t gpa;
	uint32_t len;
};

/* ------------------------------------------------------------------ */
/* Driver end                                                          */

struct sim_vqd;

/*
 * Allocate descriptor table, available and used ring in guest RAM for a
 * queue of @size entries (a power of 2, 1..SIM_VQ_MAX_SIZE).
 */
int sim_vqd_create(struct sim_ram *ram, uint16_t size, struct sim_vqd **out);
void sim_vqd_destroy(struct sim_vqd *vq);

uint16_t sim_vqd_size(const struct sim_vqd *vq);
void sim_vqd_addrs(const struct sim_vqd *vq, uint64_t *desc_gpa,
		   uint64_t *avail_gpa, uint64_t *used_gpa);
/* Free descriptors left. */
unsigned sim_vqd_num_free(const struct sim_vqd *vq);

/*
 * Expose one chain: @nout device-readable buffers then @nin device-writable
 * ones (section 2.7.4 requires readable before writable).  @token comes back
 * from sim_vqd_get_used() and must not be NULL.  Returns 0, -EINVAL (no
 * buffers, a zero length, a NULL token, more buffers than the queue size),
 * or -ENOSPC (not enough free descriptors).
 */
int sim_vqd_add(struct sim_vqd *vq, const struct sim_vq_buf *out,
		unsigned nout, const struct sim_vq_buf *in, unsigned nin,
		void *token);

/*
 * Raw form for conformance tests: write @n descriptors verbatim (addr, len,
 * flags, next exactly as given, no checks) into descriptor slots
 * @first..@first+n-1 and put @head on the available ring.  The descriptors
 * stay reserved until the device returns @head; @token is reported then.
 * @head is either out of range (>= size) or one of the slots written, so
 * that it can never be the head of a chain from sim_vqd_add() too.
 * Returns -ENOSPC when the slots (or an out-of-range @head) are in use,
 * -EINVAL when they do not fit, @head breaks the rule above or @token is
 * NULL.
 */
struct sim_vq_raw_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
int sim_vqd_add_raw(struct sim_vqd *vq, uint16_t first,
		    const struct sim_vq_raw_desc *descs, unsigned n,
		    uint16_t head, void *token);

/* Does the device want a notification (VRING_USED_F_NO_NOTIFY clear)? */
bool sim_vqd_should_notify(const struct sim_vqd *vq);
/* Set or clear VRING_AVAIL_F_NO_INTERRUPT (section 2.7.7; only a hint). */
void sim_vqd_suppress_interrupts(struct sim_vqd *vq, bool suppress);

/*
 * Take the next used entry: returns its token and sets *written to the
 * number of bytes the device wrote, or returns NULL when there is none.
 * An entry whose id does not name an outstanding chain is dropped and
 * counted (sim_vqd_bad_used()), as Linux's vring does with a BAD_RING.
 */
void *sim_vqd_get_used(struct sim_vqd *vq, uint32_t *written);
unsigned sim_vqd_bad_used(const struct sim_vqd *vq);

/* ------------------------------------------------------------------ */
/* Device end                                                          */

/* A popped chain, translated to host memory.  Allocated by pop. */
struct sim_vq_elem {
	uint16_t head;
	unsigned out_num;	/* device-readable iovecs */
	unsigned in_num;	/* device-writable iovecs */
	uint64_t out_len;	/* total bytes readable */
	uint64_t in_len;	/* total bytes writable */
	struct iovec *out_iov;
	struct iovec *in_iov;
	uint64_t trace_id;	/* its flow in a trace (sim/trace.h) */
	/* storage for both arrays follows */
};

struct sim_vqdev;

/*
 * Attach to a queue the driver laid out at the given GPAs.  Checks that all
 * three areas lie in RAM with the spec's alignment; -EINVAL otherwise.
 */
int sim_vqdev_create(struct sim_ram *ram, uint16_t size, uint64_t desc_gpa,
		     uint64_t avail_gpa, uint64_t used_gpa,
		     struct sim_vqdev **out);
void sim_vqdev_destroy(struct sim_vqdev *vq);

/*
 * Pop the next available chain.  Returns:
 *   0        *out is a new element (free with sim_vqdev_elem_free, or
 *            hand back with sim_vqdev_push which frees it)
 *   -EAGAIN  nothing available
 *   -EINVAL  the chain was malformed: head or next index out of range, a
 *            loop or chain longer than the queue, a buffer outside RAM or
 *            of length 0, a readable buffer after a writable one, an
 *            INDIRECT descriptor (not negotiated), or the avail idx moved
 *            more than the queue size.  The chain has been consumed and
 *            returned on the used ring with 0 bytes written, so the driver
 *            gets its descriptors back; *why names the defect (static).
 *            After an avail idx jump the queue is broken (see -EIO).
 *   -EIO     the queue broke on an earlier avail idx jump: nothing is
 *            consumed any more until the queue is set up again (reset).
 *   -ENOMEM  out of memory; nothing consumed, the chain stays available.
 */
int sim_vqdev_pop(struct sim_vqdev *vq, struct sim_vq_elem **out,
		  const char **why);

/* Return @elem on the used ring with @written bytes; frees @elem. */
void sim_vqdev_push(struct sim_vqdev *vq, struct sim_vq_elem *elem,
		    uint32_t written);
void sim_vqdev_elem_free(struct sim_vq_elem *elem);

/* Chains available that pop has not taken (a cheap check for polling). */
bool sim_vqdev_pending(const struct sim_vqdev *vq);
/* Should the device interrupt the driver (VRING_AVAIL_F_NO_INTERRUPT clear)? */
bool sim_vqdev_should_interrupt(const struct sim_vqdev *vq);
/* Set or clear VRING_USED_F_NO_NOTIFY (section 2.7.10; only a hint: after
 * clearing it, pop again before sleeping, or a kick may have been missed). */
void sim_vqdev_suppress_notify(struct sim_vqdev *vq, bool suppress);

/* Copy helpers over an iovec array; return bytes copied. */
size_t sim_iov_to_buf(const struct iovec *iov, unsigned n, size_t offset,
		      void *buf, size_t len);
size_t sim_iov_from_buf(const struct iovec *iov, unsigned n, size_t offset,
			const void *buf, size_t len);

#endif
