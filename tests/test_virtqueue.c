/* SPDX-License-Identifier: MIT */
/* Unit tests for the split virtqueue (sim/vq_driver.c, sim/vq_device.c,
 * sim/iov.c): both ends talking through guest RAM only. */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/virtio_ring.h>

#include "sim/log.h"
#include "sim/ram.h"
#include "sim/virtqueue.h"

#define RAM_PAGES 256u
#define RAM_SIZE ((uint64_t)RAM_PAGES * SIM_PAGE_SIZE)
#define QSIZE 8u
#define NDATA 4u

struct fixture {
	struct sim_ram *ram;
	struct sim_vqd *drv;
	struct sim_vqdev *dev;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint64_t data[NDATA];	/* scratch pages for buffers */
	int tokens[QSIZE];	/* addresses used as tokens */
};

static void attach(struct fixture *f, struct sim_ram *ram)
{
	assert_int_equal(sim_vqd_create(ram, QSIZE, &f->drv), 0);
	sim_vqd_addrs(f->drv, &f->desc_gpa, &f->avail_gpa, &f->used_gpa);
	assert_int_equal(sim_vqdev_create(ram, QSIZE, f->desc_gpa,
					  f->avail_gpa, f->used_gpa, &f->dev),
			 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || sim_ram_create(RAM_SIZE, 0, 0, &f->ram) != 0)
		return -1;
	attach(f, f->ram);
	if (sim_ram_alloc_pages(f->ram, NDATA, f->data) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_vqdev_destroy(f->dev);
	sim_vqd_destroy(f->drv);
	sim_ram_release_pages(f->ram, f->data, NDATA);
	assert_int_equal(sim_ram_free_pages(f->ram), RAM_PAGES - 1);
	sim_ram_destroy(f->ram);
	free(f);
	return 0;
}

/* Provoked guest errors are expected here; keep the log clean. */
static int group_setup(void **state)
{
	(void)state;
	sim_log_set_quiet(true);
	return 0;
}

/* One complete, well-formed round trip; used to prove a queue still
 * works after something went wrong on it. */
static void round_trip(struct fixture *f)
{
	struct sim_vq_buf out = { f->data[0], 16 }, in = { f->data[1], 32 };
	struct sim_vq_elem *elem;
	const char *why;
	uint32_t written = 0;

	assert_int_equal(sim_vqd_add(f->drv, &out, 1, &in, 1, &f->tokens[0]),
			 0);
	assert_int_equal(sim_vqdev_pop(f->dev, &elem, &why), 0);
	assert_null(why);
	sim_vqdev_push(f->dev, elem, 7);
	assert_ptr_equal(sim_vqd_get_used(f->drv, &written), &f->tokens[0]);
	assert_int_equal(written, 7);
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE);
}

static void test_virtqueue_round_trip(void **state)
{
	struct fixture *f = *state;
	struct sim_vq_buf out = { f->data[0], 64 }, in = { f->data[1], 128 };
	uint8_t req[64], got[64], resp[100], back[100];
	struct sim_vq_elem *elem;
	const char *why;
	uint32_t written = 0;

	for (unsigned i = 0; i < sizeof(req); i++)
		req[i] = (uint8_t)(i * 3 + 1);
	for (unsigned i = 0; i < sizeof(resp); i++)
		resp[i] = (uint8_t)(0xff - i);
	assert_int_equal(sim_ram_write(f->ram, f->data[0], req, sizeof(req)),
			 0);

	assert_int_equal(sim_vqdev_pop(f->dev, &elem, &why), -EAGAIN);
	assert_int_equal(sim_vqd_add(f->drv, &out, 1, &in, 1, &f->tokens[3]),
			 0);
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE - 2);
	assert_true(sim_vqd_should_notify(f->drv));

	assert_int_equal(sim_vqdev_pop(f->dev, &elem, &why), 0);
	assert_int_equal(elem->out_num, 1);
	assert_int_equal(elem->in_num, 1);
	assert_int_equal(elem->out_len, 64);
	assert_int_equal(elem->in_len, 128);
	assert_int_equal(sim_iov_to_buf(elem->out_iov, elem->out_num, 0, got,
					sizeof(got)), sizeof(got));
	assert_memory_equal(got, req, sizeof(req));
	assert_int_equal(sim_iov_from_buf(elem->in_iov, elem->in_num, 0, resp,
					  sizeof(resp)), sizeof(resp));
	assert_null(sim_vqd_get_used(f->drv, &written));
	sim_vqdev_push(f->dev, elem, sizeof(resp));
	assert_int_equal(sim_vqdev_pop(f->dev, &elem, &why), -EAGAIN);
	assert_true(sim_vqdev_should_interrupt(f->dev));

	assert_ptr_equal(sim_vqd_get_used(f->drv, &written), &f->tokens[3]);
	assert_int_equal(written, sizeof(resp));
	assert_null(sim_vqd_get_used(f->drv, &written));
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE);
	assert_int_equal(sim_vqd_bad_used(f->drv), 0);
	assert_int_equal(sim_ram_read(f->ram, f->data[1], back, sizeof(back)),
			 0);
	assert_memory_equal(back, resp, sizeof(resp));
}

static void test_virtqueue_multi_buffer_chain(void **state)
{
	struct fixture *f = *state;
	const struct sim_vq_buf out[2] = {
		{ f->data[0] + 100, 10 }, { f->data[2], 20 },
	};
	const struct sim_vq_buf in[3] = {
		{ f->data[1], 4 }, { f->data[1] + 8, 4 }, { f->data[3], 8 },
	};
	uint8_t msg[30], got[30], two[2];
	struct sim_vq_elem *elem;
	const char *why;
	uint32_t written;

	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(sim_ram_write(f->ram, f->data[0] + 100, msg, 10), 0);
	assert_int_equal(sim_ram_write(f->ram, f->data[2], msg + 10, 20), 0);
	assert_int_equal(sim_vqd_add(f->drv, out, 2, in, 3, &f->tokens[1]), 0);
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE - 5);

	assert_int_equal(sim_vqdev_pop(f->dev, &elem, &why), 0);
	assert_int_equal(elem->out_num, 2);
	assert_int_equal(elem->in_num, 3);
	assert_int_equal(elem->out_len, 30);
	assert_int_equal(elem->in_len, 16);
	assert_int_equal(elem->in_iov[2].iov_len, 8);
	assert_int_equal(sim_iov_to_buf(elem->out_iov, 2, 0, got, 30), 30);
	assert_memory_equal(got, msg, 30);
	/* Across the boundary between the two buffers. */
	assert_int_equal(sim_iov_to_buf(elem->out_iov, 2, 9, two, 2), 2);
	assert_int_equal(two[0], 9);
	assert_int_equal(two[1], 10);
	/* Written length larger than the writable space: clamped. */
	sim_vqdev_push(f->dev, elem, 1000);
	assert_ptr_equal(sim_vqd_get_used(f->drv, &written), &f->tokens[1]);
	assert_int_equal(written, 16);
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE);
}

static void test_virtqueue_iov_copy(void **state)
{
	char a[4] = "abcd", b[3] = "efg", buf[8];
	struct iovec iov[2] = { { a, 4 }, { b, 3 } };
	static const struct {
		const char *desc;
		size_t offset, len, want;
		const char *bytes;
	} cases[] = {
		{ "all", 0, 7, 7, "abcdefg" },
		{ "ask for more than there is", 0, 8, 7, "abcdefg" },
		{ "offset inside the first", 2, 3, 3, "cde" },
		{ "offset at the boundary", 4, 2, 2, "ef" },
		{ "offset at the end", 7, 1, 0, "" },
		{ "offset past the end", 50, 1, 0, "" },
		{ "zero length", 1, 0, 0, "" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;

		memset(buf, 0, sizeof(buf));
		n = sim_iov_to_buf(iov, 2, cases[i].offset, buf, cases[i].len);
		if (n != cases[i].want ||
		    memcmp(buf, cases[i].bytes, cases[i].want) != 0)
			fail_msg("%s: got %zu '%.8s'", cases[i].desc, n, buf);
	}
	assert_int_equal(sim_iov_from_buf(iov, 2, 3, "XYZ!", 4), 4);
	assert_memory_equal(a, "abcX", 4);
	assert_memory_equal(b, "YZ!", 3);
	assert_int_equal(sim_iov_from_buf(iov, 2, 6, "12", 2), 1);
	assert_memory_equal(b, "YZ1", 3);
}

static void test_virtqueue_queue_full(void **state)
{
	struct fixture *f = *state;
	struct sim_vq_buf in = { f->data[0], 8 };
	struct sim_vq_buf three[3] = {
		{ f->data[0], 8 }, { f->data[1], 8 }, { f->data[2], 8 },
	};
	struct sim_vq_elem *elem[QSIZE], *none;
	const char *why;
	uint32_t written;

	for (unsigned i = 0; i < QSIZE; i++)
		assert_int_equal(sim_vqd_add(f->drv, NULL, 0, &in, 1,
					     &f->tokens[i]), 0);
	assert_int_equal(sim_vqd_num_free(f->drv), 0);
	assert_int_equal(sim_vqd_add(f->drv, NULL, 0, &in, 1, &f->tokens[0]),
			 -ENOSPC);
	/* A full ring (idx exactly size ahead) is not an idx jump. */
	for (unsigned i = 0; i < QSIZE; i++)
		assert_int_equal(sim_vqdev_pop(f->dev, &elem[i], &why), 0);
	assert_int_equal(sim_vqdev_pop(f->dev, &none, &why), -EAGAIN);
	assert_null(none);
	/* Completed out of order: the driver matches them by head. */
	for (unsigned i = QSIZE; i-- > 0;)
		sim_vqdev_push(f->dev, elem[i], i);
	for (unsigned i = QSIZE; i-- > 0;) {
		assert_ptr_equal(sim_vqd_get_used(f->drv, &written),
				 &f->tokens[i]);
		assert_int_equal(written, i);
	}
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE);

	/* Not enough descriptors for a longer chain. */
	for (unsigned i = 0; i < QSIZE - 2; i++)
		assert_int_equal(sim_vqd_add(f->drv, &in, 1, NULL, 0,
					     &f->tokens[i]), 0);
	assert_int_equal(sim_vqd_add(f->drv, three, 3, NULL, 0, &f->tokens[7]),
			 -ENOSPC);
	assert_int_equal(sim_vqd_num_free(f->drv), 2);
	for (unsigned i = 0; i < QSIZE - 2; i++) {
		assert_int_equal(sim_vqdev_pop(f->dev, &elem[0], &why), 0);
		sim_vqdev_push(f->dev, elem[0], 0);
		assert_ptr_equal(sim_vqd_get_used(f->drv, &written),
				 &f->tokens[i]);
	}
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE);
}

static void test_virtqueue_add_rejects(void **state)
{
	struct fixture *f = *state;
	struct sim_vq_buf good = { f->data[0], 8 }, empty = { f->data[0], 0 };
	struct sim_vq_buf many[QSIZE + 1];

	for (unsigned i = 0; i <= QSIZE; i++)
		many[i] = good;
	assert_int_equal(sim_vqd_add(f->drv, NULL, 0, NULL, 0, &f->tokens[0]),
			 -EINVAL);
	assert_int_equal(sim_vqd_add(f->drv, &good, 1, &empty, 1,
				     &f->tokens[0]), -EINVAL);
	assert_int_equal(sim_vqd_add(f->drv, &good, 1, NULL, 0, NULL), -EINVAL);
	assert_int_equal(sim_vqd_add(f->drv, many, QSIZE + 1, NULL, 0,
				     &f->tokens[0]), -EINVAL);
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE);
	round_trip(f);
}

static void test_virtqueue_add_raw_rejects(void **state)
{
	struct fixture *f = *state;
	struct sim_vq_buf good = { f->data[0], 8 };
	struct sim_vq_raw_desc d[2] = {
		{ f->data[0], 8, 0, 0 }, { f->data[0], 8, 0, 0 },
	};
	void *tok = &f->tokens[0];

	/* Slot 0 holds a chain from sim_vqd_add(). */
	assert_int_equal(sim_vqd_add(f->drv, &good, 1, NULL, 0, tok), 0);
	assert_int_equal(sim_vqd_add_raw(f->drv, 0, d, 1, 0, tok), -ENOSPC);
	assert_int_equal(sim_vqd_add_raw(f->drv, QSIZE - 1, d, 2, QSIZE - 1,
					 tok), -EINVAL);
	assert_int_equal(sim_vqd_add_raw(f->drv, 2, d, 1, 3, tok), -EINVAL);
	assert_int_equal(sim_vqd_add_raw(f->drv, 2, d, 1, 2, NULL), -EINVAL);
	/* An out-of-range head may only be outstanding once. */
	assert_int_equal(sim_vqd_add_raw(f->drv, 2, d, 1, 100, tok), 0);
	assert_int_equal(sim_vqd_add_raw(f->drv, 3, d, 1, 100, tok), -ENOSPC);
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE - 2);
}

/* Placeholder address in the table below: replaced by a data page. */
#define GOOD UINT64_C(1)
#define N VRING_DESC_F_NEXT
#define W VRING_DESC_F_WRITE

static const struct malformed_case {
	const char *desc;
	uint16_t first;
	unsigned n;
	uint16_t head;
	struct sim_vq_raw_desc d[QSIZE];
} malformed_cases[] = {
	{ "head index out of range", 0, 1, QSIZE,
	  { { GOOD, 16, 0, 0 } } },
	{ "head index 0xffff, no descriptors", 0, 0, 0xffff, { { 0 } } },
	{ "next index out of range", 0, 1, 0,
	  { { GOOD, 16, N, QSIZE } } },
	{ "next index 0xffff in the second descriptor", 0, 2, 0,
	  { { GOOD, 16, N, 1 }, { GOOD, 16, N, 0xffff } } },
	{ "loop of two", 0, 2, 0,
	  { { GOOD, 16, N, 1 }, { GOOD, 16, N, 0 } } },
	{ "descriptor pointing at itself", 3, 1, 3,
	  { { GOOD, 16, N, 3 } } },
	/* Without a loop a chain cannot pass the queue size, so this one is
	 * every descriptor plus one step back: the count must trip at
	 * size + 1, not earlier (a full-length chain is legal, see
	 * test_virtqueue_full_length_chain). */
	{ "chain longer than the queue", 0, QSIZE, 0,
	  { { GOOD, 16, N, 1 }, { GOOD, 16, N, 2 }, { GOOD, 16, N, 3 },
	    { GOOD, 16, N, 4 }, { GOOD, 16, N, 5 }, { GOOD, 16, N, 6 },
	    { GOOD, 16, N, 7 }, { GOOD, 16, N, 0 } } },
	{ "buffer straddling the end of RAM", 0, 1, 0,
	  { { RAM_SIZE - 8, 16, 0, 0 } } },
	{ "buffer past the end of RAM", 0, 1, 0,
	  { { RAM_SIZE, 1, W, 0 } } },
	{ "buffer at GPA 0 (reserved page)", 0, 1, 0, { { 0, 16, 0, 0 } } },
	{ "buffer wrapping around 2^64", 0, 1, 0,
	  { { UINT64_MAX - 3, 16, 0, 0 } } },
	{ "second buffer outside RAM", 0, 2, 0,
	  { { GOOD, 16, N, 1 }, { UINT64_C(1) << 40, 16, W, 0 } } },
	{ "zero-length buffer", 0, 1, 0, { { GOOD, 0, 0, 0 } } },
	{ "zero-length writable buffer after a good one", 0, 2, 0,
	  { { GOOD, 16, N, 1 }, { GOOD, 0, W, 0 } } },
	{ "readable buffer after a writable one", 0, 2, 0,
	  { { GOOD, 16, W | N, 1 }, { GOOD, 16, 0, 0 } } },
	{ "INDIRECT descriptor", 0, 1, 0,
	  { { GOOD, 16, VRING_DESC_F_INDIRECT, 0 } } },
	{ "INDIRECT in the middle of a chain", 4, 2, 4,
	  { { GOOD, 16, N, 5 }, { GOOD, 16, VRING_DESC_F_INDIRECT, 0 } } },
};

static void run_malformed(struct fixture *f, const struct malformed_case *c)
{
	struct sim_vq_raw_desc d[QSIZE];
	struct sim_vq_elem *elem = (void *)1;
	const char *why = NULL;
	uint32_t written = 1234;
	void *token;
	int ret;

	for (unsigned i = 0; i < c->n; i++) {
		d[i] = c->d[i];
		if (d[i].addr == GOOD)
			d[i].addr = f->data[2] + 64;
	}
	ret = sim_vqd_add_raw(f->drv, c->first, d, c->n, c->head,
			      &f->tokens[5]);
	if (ret)
		fail_msg("%s: add_raw gave %d", c->desc, ret);
	ret = sim_vqdev_pop(f->dev, &elem, &why);
	if (ret != -EINVAL || elem || !why)
		fail_msg("%s: pop gave %d (%s)", c->desc, ret,
			 why ? why : "no reason");
	print_message("  %s -> %s\n", c->desc, why);
	/* The head came back with nothing written, and with it every
	 * descriptor the driver had spent. */
	token = sim_vqd_get_used(f->drv, &written);
	if (token != &f->tokens[5] || written != 0)
		fail_msg("%s: used gave %p len %u", c->desc, token, written);
	if (sim_vqd_num_free(f->drv) != QSIZE || sim_vqd_bad_used(f->drv))
		fail_msg("%s: %u descriptors free, %u bad used", c->desc,
			 sim_vqd_num_free(f->drv), sim_vqd_bad_used(f->drv));
	if (sim_vqdev_pop(f->dev, &elem, &why) != -EAGAIN)
		fail_msg("%s: queue not empty afterwards", c->desc);
	/* And the queue keeps working. */
	round_trip(f);
}

static void test_virtqueue_malformed_chains(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0;
	     i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++)
		run_malformed(f, &malformed_cases[i]);
}

static void test_virtqueue_full_length_chain(void **state)
{
	struct fixture *f = *state;
	struct sim_vq_raw_desc d[QSIZE];
	struct sim_vq_elem *elem;
	const char *why;
	uint32_t written;

	for (unsigned i = 0; i < QSIZE; i++) {
		d[i].addr = f->data[i % NDATA];
		d[i].len = 16;
		d[i].flags = (i + 1 < QSIZE ? N : 0) | (i >= 5 ? W : 0);
		d[i].next = (uint16_t)(i + 1);
	}
	assert_int_equal(sim_vqd_add_raw(f->drv, 0, d, QSIZE, 0, &f->tokens[2]),
			 0);
	assert_int_equal(sim_vqdev_pop(f->dev, &elem, &why), 0);
	assert_int_equal(elem->out_num, 5);
	assert_int_equal(elem->in_num, 3);
	sim_vqdev_push(f->dev, elem, 48);
	assert_ptr_equal(sim_vqd_get_used(f->drv, &written), &f->tokens[2]);
	assert_int_equal(written, 48);
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE);
}

/* The driver publishes an idx more than a queue size ahead of what the
 * device consumed: the entry at the device's cursor comes back, and the
 * queue is dead until reset. */
static void test_virtqueue_avail_idx_jump(void **state)
{
	struct fixture *f = *state;
	struct sim_vq_buf in = { f->data[0], 8 };
	uint16_t bad_idx = htole16(1 + QSIZE + 1);
	struct sim_vq_elem *elem;
	const char *why;
	uint32_t written = 99;

	assert_int_equal(sim_vqd_add(f->drv, NULL, 0, &in, 1, &f->tokens[4]),
			 0);
	assert_int_equal(sim_ram_write(f->ram, f->avail_gpa + 2, &bad_idx, 2),
			 0);
	assert_int_equal(sim_vqdev_pop(f->dev, &elem, &why), -EINVAL);
	assert_non_null(why);
	assert_ptr_equal(sim_vqd_get_used(f->drv, &written), &f->tokens[4]);
	assert_int_equal(written, 0);
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE);
	assert_int_equal(sim_vqdev_pop(f->dev, &elem, &why), -EIO);
	assert_non_null(why);

	/* A fresh device end (what a reset does) on fresh rings works. */
	sim_vqdev_destroy(f->dev);
	sim_vqd_destroy(f->drv);
	attach(f, f->ram);
	round_trip(f);
}

/* A used entry naming no outstanding chain is dropped and counted. */
static void test_virtqueue_bad_used_entry(void **state)
{
	struct fixture *f = *state;
	struct { uint32_t id, len; } entry = { htole32(5), htole32(4) };
	uint16_t idx = htole16(1);
	uint32_t written;

	assert_int_equal(sim_ram_write(f->ram, f->used_gpa + 4, &entry,
				       sizeof(entry)), 0);
	assert_int_equal(sim_ram_write(f->ram, f->used_gpa + 2, &idx, 2), 0);
	assert_null(sim_vqd_get_used(f->drv, &written));
	assert_int_equal(sim_vqd_bad_used(f->drv), 1);
	assert_int_equal(sim_vqd_num_free(f->drv), QSIZE);
}

static void test_virtqueue_notification_suppression(void **state)
{
	struct fixture *f = *state;
	uint16_t flags;

	assert_true(sim_vqd_should_notify(f->drv));
	sim_vqdev_suppress_notify(f->dev, true);
	assert_false(sim_vqd_should_notify(f->drv));
	assert_int_equal(sim_ram_read(f->ram, f->used_gpa, &flags, 2), 0);
	assert_int_equal(le16toh(flags), VRING_USED_F_NO_NOTIFY);
	sim_vqdev_suppress_notify(f->dev, false);
	assert_true(sim_vqd_should_notify(f->drv));

	assert_true(sim_vqdev_should_interrupt(f->dev));
	sim_vqd_suppress_interrupts(f->drv, true);
	assert_false(sim_vqdev_should_interrupt(f->dev));
	assert_int_equal(sim_ram_read(f->ram, f->avail_gpa, &flags, 2), 0);
	assert_int_equal(le16toh(flags), VRING_AVAIL_F_NO_INTERRUPT);
	sim_vqd_suppress_interrupts(f->drv, false);
	assert_true(sim_vqdev_should_interrupt(f->dev));
	/* Suppression is a hint: buffers still flow. */
	round_trip(f);
}

static void test_virtqueue_create_rejects(void **state)
{
	struct fixture *f = *state;
	const uint64_t d = f->desc_gpa, a = f->avail_gpa, u = f->used_gpa;
	const struct {
		const char *desc;
		uint16_t size;
		uint64_t desc_gpa, avail_gpa, used_gpa;
		int ret;
	} cases[] = {
		{ "the driver's own layout", QSIZE, d, a, u, 0 },
		{ "size 0", 0, d, a, u, -EINVAL },
		{ "size not a power of 2", 6, d, a, u, -EINVAL },
		{ "size above 32768", 65535, d, a, u, -EINVAL },
		{ "descriptor table 8-aligned", QSIZE, d + 8, a, u, -EINVAL },
		{ "available ring odd", QSIZE, d, a + 1, u, -EINVAL },
		{ "used ring 2-aligned", QSIZE, d, a, u + 2, -EINVAL },
		{ "descriptor table at GPA 0", QSIZE, 0, a, u, -EINVAL },
		{ "used ring past the end of RAM", QSIZE, d, a,
		  RAM_SIZE - 4, -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_vqdev *dev = NULL;
		int ret = sim_vqdev_create(f->ram, cases[i].size,
					   cases[i].desc_gpa,
					   cases[i].avail_gpa,
					   cases[i].used_gpa, &dev);

		if (ret != cases[i].ret)
			fail_msg("%s: got %d", cases[i].desc, ret);
		sim_vqdev_destroy(dev);
	}
}

static void test_virtqueue_driver_create_rejects(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *desc;
		uint16_t size;
	} cases[] = {
		{ "size 0", 0 },
		{ "size 3", 3 },
		{ "size 40000", 40000 },
	};
	uint64_t all[RAM_PAGES];
	struct sim_vqd *vq = NULL;
	uint64_t nfree;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = sim_vqd_create(f->ram, cases[i].size, &vq);

		if (ret != -EINVAL || vq)
			fail_msg("%s: got %d", cases[i].desc, ret);
	}
	nfree = sim_ram_free_pages(f->ram);
	assert_int_equal(sim_ram_alloc_pages(f->ram, nfree, all), 0);
	assert_int_equal(sim_vqd_create(f->ram, QSIZE, &vq), -ENOMEM);
	sim_ram_release_pages(f->ram, all, nfree);
}

/* 2.7.5.2: a chain of more than 2^32 bytes is malformed.  Needs RAM big
 * enough for a buffer over 2 GiB; the memfd is sparse, so this is cheap. */
static void test_virtqueue_chain_over_4g(void **state)
{
	const uint64_t ram_size = UINT64_C(3) << 30;
	struct fixture big = { 0 };
	struct sim_vq_raw_desc d[2];
	struct sim_vq_elem *elem;
	const char *why;
	uint32_t written;
	(void)state;

	assert_int_equal(sim_ram_create(ram_size, 0, 0, &big.ram), 0);
	attach(&big, big.ram);
	d[0] = (struct sim_vq_raw_desc){ SIM_PAGE_SIZE * 16, 0x80000001u, N, 1 };
	d[1] = (struct sim_vq_raw_desc){ SIM_PAGE_SIZE * 16, 0x80000000u, W, 0 };
	/* 2^32 + 1 bytes: malformed... */
	assert_int_equal(sim_vqd_add_raw(big.drv, 0, d, 2, 0, &big.tokens[0]),
			 0);
	assert_int_equal(sim_vqdev_pop(big.dev, &elem, &why), -EINVAL);
	assert_ptr_equal(sim_vqd_get_used(big.drv, &written), &big.tokens[0]);
	assert_int_equal(written, 0);

	/* ...exactly 2^32 bytes is still allowed. */
	d[0].len = 0x80000000u;
	assert_int_equal(sim_vqd_add_raw(big.drv, 0, d, 2, 0, &big.tokens[1]),
			 0);
	assert_int_equal(sim_vqdev_pop(big.dev, &elem, &why), 0);
	assert_int_equal(elem->in_len + elem->out_len, UINT64_C(1) << 32);
	sim_vqdev_elem_free(elem);

	sim_vqdev_destroy(big.dev);
	sim_vqd_destroy(big.drv);
	assert_int_equal(sim_ram_free_pages(big.ram), ram_size / SIM_PAGE_SIZE - 1);
	sim_ram_destroy(big.ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_virtqueue_round_trip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_multi_buffer_chain,
						setup, teardown),
		cmocka_unit_test(test_virtqueue_iov_copy),
		cmocka_unit_test_setup_teardown(test_virtqueue_queue_full,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_add_rejects,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_add_raw_rejects,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_malformed_chains,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_full_length_chain,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_avail_idx_jump,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_bad_used_entry,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_notification_suppression,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_create_rejects,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_driver_create_rejects,
						setup, teardown),
		cmocka_unit_test(test_virtqueue_chain_over_4g),
	};

	return cmocka_run_group_tests_name("virtqueue", tests, group_setup,
					   NULL);
}
