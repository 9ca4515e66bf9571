/* SPDX-License-Identifier: MIT */
/* Unit tests for sim/transport.c: status, features, config space, queue
 * set-up, notify and interrupt, reset. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/virtio_config.h>

#include "sim/log.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"

#define RAM_PAGES 64u
#define RAM_SIZE ((uint64_t)RAM_PAGES * SIM_PAGE_SIZE)
#define VERSION_1 (UINT64_C(1) << VIRTIO_F_VERSION_1)
#define OFFERED (VERSION_1 | 0x1 | 0x2 | 0x8)
#define QMAX 64u
#define QSIZE 16u

#define S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV VIRTIO_CONFIG_S_DRIVER
#define S_FOK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK

/* Config layout borrowed from virtio-gpu (5.7.4): events_read,
 * events_clear (write to clear), num_scanouts, num_capsets. */
#define CFG_EVENTS_READ 0
#define CFG_EVENTS_CLEAR 4
#define CFG_LEN 16u

struct fixture {
	struct sim_ram *ram;
	struct sim_transport *t;
	struct sim_vqd *vq;	/* supplies real ring addresses */

	/* What the device callbacks saw. */
	unsigned notifies;
	unsigned notify_queue;
	int notify_get_queue;	/* transport call made from the callback */
	unsigned config_writes;
	uint32_t cw_offset, cw_len;
	unsigned status_calls;
	uint8_t sc_old, sc_new, sc_seen;
	/* What the driver callback saw. */
	unsigned irqs;
	uint32_t isr;
};

static void notify_cb(void *opaque, unsigned queue)
{
	struct fixture *f = opaque;
	uint64_t d, a, u;
	uint16_t size;

	f->notifies++;
	f->notify_queue = queue;
	/* Would deadlock if the transport held its lock here. */
	f->notify_get_queue = sim_transport_get_queue(f->t, queue, &size, &d,
						      &a, &u);
}

/* virtio-gpu's events_clear: writing bits clears them in events_read. */
static void config_write_cb(void *opaque, void *config, uint32_t offset,
			    uint32_t len)
{
	struct fixture *f = opaque;
	uint8_t *cfg = config;
	uint32_t events, clear;

	f->config_writes++;
	f->cw_offset = offset;
	f->cw_len = len;
	memcpy(&events, cfg + CFG_EVENTS_READ, 4);
	memcpy(&clear, cfg + CFG_EVENTS_CLEAR, 4);
	events &= ~clear;
	clear = 0;
	memcpy(cfg + CFG_EVENTS_READ, &events, 4);
	memcpy(cfg + CFG_EVENTS_CLEAR, &clear, 4);
}

static void status_cb(void *opaque, uint8_t old, uint8_t status)
{
	struct fixture *f = opaque;

	f->status_calls++;
	f->sc_old = old;
	f->sc_new = status;
	f->sc_seen = sim_transport_get_status(f->t);
}

static void interrupt_cb(void *opaque, uint32_t isr)
{
	struct fixture *f = opaque;

	f->irqs++;
	f->isr = isr;
}

static const struct sim_device_ops dev_ops = {
	.notify = notify_cb,
	.config_write = config_write_cb,
	.status_changed = status_cb,
};

static const struct sim_driver_ops drv_ops = {
	.interrupt = interrupt_cb,
};

static void make_info(struct sim_device_info *info, const uint8_t *config)
{
	*info = (struct sim_device_info){
		.device_id = 16,
		.features = OFFERED,
		.num_queues = 2,
		.queue_max_size = QMAX,
		.config = config,
		.config_len = CFG_LEN,
	};
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	uint8_t config[CFG_LEN] = { 0 };
	struct sim_device_info info;

	config[8] = 1;	/* num_scanouts */
	make_info(&info, config);
	if (!f || sim_ram_create(RAM_SIZE, 0, 0, &f->ram) ||
	    sim_vqd_create(f->ram, QSIZE, &f->vq) ||
	    sim_transport_create(&f->t) ||
	    sim_transport_plug_device(f->t, &info, &dev_ops, f))
		return -1;
	sim_transport_bind_driver(f->t, &drv_ops, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_transport_destroy(f->t);
	sim_vqd_destroy(f->vq);
	assert_int_equal(sim_ram_free_pages(f->ram), RAM_PAGES - 1);
	sim_ram_destroy(f->ram);
	free(f);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	sim_log_set_quiet(true);	/* guest errors are provoked here */
	return 0;
}

/* 3.1.1 steps 1-6. */
static void negotiate(struct fixture *f, uint64_t features)
{
	assert_int_equal(sim_transport_set_status(f->t, S_ACK), 0);
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV), 0);
	assert_int_equal(sim_transport_set_driver_features(f->t, features), 0);
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV | S_FOK),
			 0);
}

static int setup_queue0(struct fixture *f)
{
	uint64_t d, a, u;

	sim_vqd_addrs(f->vq, &d, &a, &u);
	return sim_transport_setup_queue(f->t, 0, QSIZE, d, a, u);
}

/* Steps 1-8: a live device with queue 0. */
static void bring_up(struct fixture *f)
{
	negotiate(f, VERSION_1 | 0x1);
	assert_int_equal(setup_queue0(f), 0);
	assert_int_equal(sim_transport_set_status(f->t,
						  S_ACK | S_DRV | S_FOK | S_DOK),
			 0);
}

static void test_transport_negotiation_subset(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_transport_device_id(f->t), 16);
	assert_int_equal(sim_transport_offered_features(f->t), OFFERED);
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV), 0);
	assert_int_equal(sim_transport_set_driver_features(f->t,
							   VERSION_1 | 0x8),
			 0);
	/* Nothing is acked until the device accepted it. */
	assert_int_equal(sim_transport_acked_features(f->t), 0);
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV | S_FOK),
			 0);
	assert_int_equal(sim_transport_get_status(f->t), S_ACK | S_DRV | S_FOK);
	assert_int_equal(sim_transport_acked_features(f->t), VERSION_1 | 0x8);
	/* Fixed from now on. */
	assert_int_equal(sim_transport_set_driver_features(f->t, VERSION_1),
			 -EINVAL);
	assert_int_equal(sim_transport_acked_features(f->t), VERSION_1 | 0x8);
}

static void test_transport_negotiation_refuses_unoffered(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV), 0);
	assert_int_equal(sim_transport_set_driver_features(f->t,
							   VERSION_1 | 0x4),
			 -EINVAL);
	assert_int_equal(sim_transport_set_driver_features(f->t,
							   UINT64_C(1) << 63),
			 -EINVAL);
	/* The refused writes left nothing behind: FEATURES_OK now fails
	 * for lack of VERSION_1. */
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV | S_FOK),
			 0);
	assert_int_equal(sim_transport_get_status(f->t), S_ACK | S_DRV);
}

/* 3.1.1 step 6: the device refuses by leaving FEATURES_OK clear; the
 * driver finds out by reading the status back. */
static void test_transport_features_ok_needs_version_1(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV), 0);
	assert_int_equal(sim_transport_set_driver_features(f->t, 0x1), 0);
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV | S_FOK),
			 0);
	assert_int_equal(sim_transport_get_status(f->t), S_ACK | S_DRV);
	assert_int_equal(sim_transport_acked_features(f->t), 0);
	/* Queues cannot be set up without FEATURES_OK. */
	assert_int_equal(setup_queue0(f), -EINVAL);
	/* The driver may fix its features and try again. */
	assert_int_equal(sim_transport_set_driver_features(f->t,
							   VERSION_1 | 0x1),
			 0);
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV | S_FOK),
			 0);
	assert_int_equal(sim_transport_get_status(f->t), S_ACK | S_DRV | S_FOK);
}

static void test_transport_status_rules(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *desc;
		uint8_t from, write;
		int ret;
	} cases[] = {
		{ "several steps in one write", 0, S_ACK | S_DRV, 0 },
		{ "clearing DRIVER", S_ACK | S_DRV, S_ACK, -EINVAL },
		{ "clearing ACKNOWLEDGE", S_ACK | S_DRV, S_DRV, -EINVAL },
		{ "DRIVER without ACKNOWLEDGE", 0, S_DRV, -EINVAL },
		{ "FEATURES_OK without DRIVER", S_ACK, S_ACK | S_FOK, -EINVAL },
		{ "DRIVER_OK without FEATURES_OK", S_ACK | S_DRV,
		  S_ACK | S_DRV | S_DOK, -EINVAL },
		{ "driver setting DEVICE_NEEDS_RESET", S_ACK | S_DRV,
		  S_ACK | S_DRV | VIRTIO_CONFIG_S_NEEDS_RESET, -EINVAL },
		{ "FAILED", S_ACK | S_DRV, S_ACK | S_DRV | VIRTIO_CONFIG_S_FAILED,
		  0 },
		{ "rewriting the same status", S_ACK, S_ACK, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t want;
		int ret;

		assert_int_equal(sim_transport_set_status(f->t, 0), 0);
		if (cases[i].from)
			assert_int_equal(sim_transport_set_status(f->t,
								  cases[i].from),
					 0);
		f->status_calls = 0;
		ret = sim_transport_set_status(f->t, cases[i].write);
		want = cases[i].ret ? cases[i].from : cases[i].write;
		if (ret != cases[i].ret ||
		    sim_transport_get_status(f->t) != want)
			fail_msg("%s: got %d, status 0x%02x", cases[i].desc,
				 ret, sim_transport_get_status(f->t));
		/* Only DRIVER_OK and reset reach the device. */
		if (f->status_calls)
			fail_msg("%s: status_changed called", cases[i].desc);
	}
}

static void test_transport_queue_setup_validation(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *desc;
		unsigned queue;
		uint16_t size;
		int ret;
	} cases[] = {
		{ "unknown queue", 2, QSIZE, -EINVAL },
		{ "queue far out of range", 1000, QSIZE, -EINVAL },
		{ "size 0", 1, 0, -EINVAL },
		{ "size not a power of 2", 1, 24, -EINVAL },
		{ "size above the maximum", 1, QMAX * 2, -EINVAL },
		{ "size at the maximum", 1, QMAX, 0 },
		{ "queue set up twice", 1, QMAX, -EBUSY },
	};
	uint64_t d, a, u, gd, ga, gu;
	uint16_t size;

	sim_vqd_addrs(f->vq, &d, &a, &u);
	/* Too early: before FEATURES_OK. */
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV), 0);
	assert_int_equal(setup_queue0(f), -EINVAL);
	assert_int_equal(sim_transport_set_driver_features(f->t, VERSION_1), 0);
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV | S_FOK),
			 0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = sim_transport_setup_queue(f->t, cases[i].queue,
						    cases[i].size, d, a, u);

		if (ret != cases[i].ret)
			fail_msg("%s: got %d", cases[i].desc, ret);
	}
	assert_int_equal(sim_transport_get_queue(f->t, 0, &size, &gd, &ga, &gu),
			 -ENOENT);
	assert_int_equal(setup_queue0(f), 0);
	assert_int_equal(sim_transport_get_queue(f->t, 0, &size, &gd, &ga, &gu),
			 0);
	assert_int_equal(size, QSIZE);
	assert_int_equal(gd, d);
	assert_int_equal(ga, a);
	assert_int_equal(gu, u);
	assert_int_equal(sim_transport_get_queue(f->t, 5, &size, &gd, &ga, &gu),
			 -ENOENT);

	/* Too late: after DRIVER_OK. */
	assert_int_equal(sim_transport_set_status(f->t,
						  S_ACK | S_DRV | S_FOK | S_DOK),
			 0);
	assert_int_equal(sim_transport_setup_queue(f->t, 0, QSIZE, d, a, u),
			 -EINVAL);
}

static void test_transport_config_bounds(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *desc;
		uint32_t offset, len;
		int ret;
	} cases[] = {
		{ "whole space", 0, CFG_LEN, 0 },
		{ "last byte", CFG_LEN - 1, 1, 0 },
		{ "one past the end", CFG_LEN, 1, -EINVAL },
		{ "straddling the end", CFG_LEN - 4, 8, -EINVAL },
		{ "zero length", 0, 0, -EINVAL },
		{ "offset + len wraps 32 bits", UINT32_MAX, 2, -EINVAL },
	};
	uint8_t buf[CFG_LEN + 8];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = sim_transport_read_config(f->t, cases[i].offset, buf,
						  cases[i].len);
		int w = sim_transport_write_config(f->t, cases[i].offset, buf,
						   cases[i].len);
		int s = sim_transport_set_config(f->t, cases[i].offset, buf,
						 cases[i].len);

		if (r != cases[i].ret || w != cases[i].ret || s != cases[i].ret)
			fail_msg("%s: read %d write %d set %d", cases[i].desc,
				 r, w, s);
	}
}

static void test_transport_config_device_update(void **state)
{
	struct fixture *f = *state;
	uint32_t scanouts = 0, two = 2;

	assert_int_equal(sim_transport_read_config(f->t, 8, &scanouts, 4), 0);
	assert_int_equal(scanouts, 1);
	assert_int_equal(sim_transport_set_config(f->t, 8, &two, 4), 0);
	assert_int_equal(sim_transport_read_config(f->t, 8, &scanouts, 4), 0);
	assert_int_equal(scanouts, 2);
	/* A device-side update is not a driver write. */
	assert_int_equal(f->config_writes, 0);
}

static void test_transport_config_write_callback(void **state)
{
	struct fixture *f = *state;
	uint32_t events = 0x3, clear = 0x1;

	assert_int_equal(sim_transport_set_config(f->t, CFG_EVENTS_READ,
						  &events, 4), 0);
	assert_int_equal(sim_transport_write_config(f->t, CFG_EVENTS_CLEAR,
						    &clear, 4), 0);
	assert_int_equal(f->config_writes, 1);
	assert_int_equal(f->cw_offset, CFG_EVENTS_CLEAR);
	assert_int_equal(f->cw_len, 4);
	assert_int_equal(sim_transport_read_config(f->t, CFG_EVENTS_READ,
						   &events, 4), 0);
	assert_int_equal(events, 0x2);
	assert_int_equal(sim_transport_read_config(f->t, CFG_EVENTS_CLEAR,
						   &clear, 4), 0);
	assert_int_equal(clear, 0);
}

static void test_transport_notify_after_driver_ok(void **state)
{
	struct fixture *f = *state;
	const uint8_t before = S_ACK | S_DRV | S_FOK;

	negotiate(f, VERSION_1);
	assert_int_equal(setup_queue0(f), 0);
	assert_int_equal(sim_transport_notify(f->t, 0), -EIO);
	assert_int_equal(f->notifies, 0);

	assert_int_equal(sim_transport_set_status(f->t, before | S_DOK), 0);
	assert_int_equal(f->status_calls, 1);
	assert_int_equal(f->sc_old, before);
	assert_int_equal(f->sc_new, before | S_DOK);
	/* Called after the new status is in place, without the lock. */
	assert_int_equal(f->sc_seen, before | S_DOK);

	assert_int_equal(sim_transport_notify(f->t, 0), 0);
	assert_int_equal(f->notifies, 1);
	assert_int_equal(f->notify_queue, 0);
	assert_int_equal(f->notify_get_queue, 0);
	assert_int_equal(sim_transport_notify(f->t, 1), -EINVAL);
	assert_int_equal(sim_transport_notify(f->t, 7), -EINVAL);
	assert_int_equal(f->notifies, 1);
}

static void test_transport_interrupt_reaches_driver(void **state)
{
	struct fixture *f = *state;

	sim_transport_interrupt(f->t, SIM_ISR_QUEUE);
	assert_int_equal(f->irqs, 1);
	assert_int_equal(f->isr, SIM_ISR_QUEUE);
	sim_transport_interrupt(f->t, SIM_ISR_QUEUE | SIM_ISR_CONFIG);
	assert_int_equal(f->irqs, 2);
	assert_int_equal(f->isr, SIM_ISR_QUEUE | SIM_ISR_CONFIG);
	/* Unbound: nobody to tell, and no crash. */
	sim_transport_bind_driver(f->t, NULL, NULL);
	sim_transport_interrupt(f->t, SIM_ISR_QUEUE);
	assert_int_equal(f->irqs, 2);
}

/* 2.1.2: DEVICE_NEEDS_RESET, and a config change notification once
 * DRIVER_OK is set. */
static void test_transport_needs_reset(void **state)
{
	struct fixture *f = *state;
	const uint8_t live = S_ACK | S_DRV | S_FOK | S_DOK;

	negotiate(f, VERSION_1);
	sim_transport_needs_reset(f->t);
	assert_int_equal(sim_transport_get_status(f->t),
			 S_ACK | S_DRV | S_FOK | VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(f->irqs, 0);

	assert_int_equal(sim_transport_set_status(f->t, 0), 0);
	bring_up(f);
	sim_transport_needs_reset(f->t);
	assert_int_equal(sim_transport_get_status(f->t),
			 live | VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(f->irqs, 1);
	assert_int_equal(f->isr, SIM_ISR_CONFIG);
	/* The driver cannot clear it, only reset. */
	assert_int_equal(sim_transport_set_status(f->t, live), -EINVAL);
	assert_int_equal(sim_transport_set_status(f->t, 0), 0);
	assert_int_equal(sim_transport_get_status(f->t), 0);
}

static void test_transport_reset_clears_state(void **state)
{
	struct fixture *f = *state;
	const uint8_t live = S_ACK | S_DRV | S_FOK | S_DOK;
	uint64_t d, a, u;
	uint16_t size;

	bring_up(f);
	assert_int_equal(f->status_calls, 1);
	assert_int_equal(sim_transport_set_status(f->t, 0), 0);
	assert_int_equal(f->status_calls, 2);
	assert_int_equal(f->sc_old, live);
	assert_int_equal(f->sc_new, 0);
	assert_int_equal(f->sc_seen, 0);
	assert_int_equal(sim_transport_get_status(f->t), 0);
	assert_int_equal(sim_transport_acked_features(f->t), 0);
	assert_int_equal(sim_transport_get_queue(f->t, 0, &size, &d, &a, &u),
			 -ENOENT);
	assert_int_equal(sim_transport_notify(f->t, 0), -EIO);

	/* Features start from nothing again: FEATURES_OK without writing
	 * them is refused (no VERSION_1). */
	assert_int_equal(sim_transport_set_status(f->t, S_ACK | S_DRV | S_FOK),
			 0);
	assert_int_equal(sim_transport_get_status(f->t), S_ACK | S_DRV);
	assert_int_equal(sim_transport_set_status(f->t, 0), 0);

	/* The same queue can be set up again: no -EBUSY left over. */
	bring_up(f);
	assert_int_equal(sim_transport_notify(f->t, 0), 0);
	assert_int_equal(f->notifies, 1);
}

static void test_transport_plug_rejects(void **state)
{
	uint8_t config[CFG_LEN] = { 0 };
	struct sim_device_info good, bad;
	struct sim_transport *t;
	static const struct {
		const char *desc;
		unsigned num_queues;
		uint32_t config_len;
		bool no_config;
		uint16_t queue_max_size;
		uint64_t features;
	} cases[] = {
		{ "no queues", 0, CFG_LEN, false, QMAX, OFFERED },
		{ "too many queues", SIM_TRANSPORT_MAX_QUEUES + 1, CFG_LEN,
		  false, QMAX, OFFERED },
		{ "config too big", 2, SIM_TRANSPORT_MAX_CONFIG + 1, false, QMAX,
		  OFFERED },
		{ "config length without config", 2, CFG_LEN, true, QMAX,
		  OFFERED },
		{ "queue_max_size not a power of 2", 2, CFG_LEN, false, 48,
		  OFFERED },
		{ "queue_max_size 0", 2, CFG_LEN, false, 0, OFFERED },
		{ "VERSION_1 not offered", 2, CFG_LEN, false, QMAX, 0x1 },
	};
	(void)state;

	make_info(&good, config);
	assert_int_equal(sim_transport_create(&t), 0);
	/* Nothing plugged yet. */
	assert_int_equal(sim_transport_device_id(t), 0);
	assert_int_equal(sim_transport_num_queues(t), 0);
	assert_int_equal(sim_transport_set_status(t, S_ACK), -ENODEV);
	assert_int_equal(sim_transport_set_driver_features(t, VERSION_1),
			 -ENODEV);
	sim_transport_interrupt(t, SIM_ISR_QUEUE);	/* no driver: no-op */

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		bad = good;
		bad.num_queues = cases[i].num_queues;
		bad.config_len = cases[i].config_len;
		if (cases[i].no_config)
			bad.config = NULL;
		bad.queue_max_size = cases[i].queue_max_size;
		bad.features = cases[i].features;
		ret = sim_transport_plug_device(t, &bad, &dev_ops, NULL);
		if (ret != -EINVAL)
			fail_msg("%s: got %d", cases[i].desc, ret);
	}
	assert_int_equal(sim_transport_plug_device(t, &good, &dev_ops, NULL), 0);
	assert_int_equal(sim_transport_plug_device(t, &good, &dev_ops, NULL),
			 -EBUSY);
	assert_int_equal(sim_transport_num_queues(t), 2);
	assert_int_equal(sim_transport_queue_max_size(t), QMAX);
	sim_transport_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transport_negotiation_subset,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_negotiation_refuses_unoffered,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_features_ok_needs_version_1,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_status_rules,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_queue_setup_validation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_config_bounds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_config_device_update,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_config_write_callback,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_notify_after_driver_ok,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_interrupt_reaches_driver,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_needs_reset,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_reset_clears_state,
						setup, teardown),
		cmocka_unit_test(test_transport_plug_rejects),
	};

	return cmocka_run_group_tests_name("transport", tests, group_setup,
					   NULL);
}
