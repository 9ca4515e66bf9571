/* SPDX-License-Identifier: MIT */
/*
 * The device's queue polling (host/device.c, host_options.poll_max_ns):
 * while the device polls it sets VRING_USED_F_NO_NOTIFY in the used ring
 * (virtio 1.2, 2.7.10), a driver that honours it submits without kicking
 * and is still answered, the flag is cleared when the window ends, and
 * polling stays off in lockstep and with a window of 0.  Each test brings
 * up a device of its own: the window is a creation option.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "host/host.h"
#include "sim/log.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"
#include "tests/test_host_util.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define ROUNDS 100

/* One GET_DISPLAY_INFO, submitted, kicked when the device asks for kicks
 * (th_kick reads the used ring's flags), answered. */
static void display_info(struct th *h)
{
	struct virtio_gpu_ctrl_hdr cmd = th_hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	struct virtio_gpu_resp_display_info resp;

	assert_int_equal(th_cmd(h, TH_CTRLQ, &cmd, sizeof(cmd), &resp,
				sizeof(resp)),
			 VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(le32toh(resp.pmodes[0].enabled), 1);
}

static int setup_device(void **state, uint64_t poll_max_ns)
{
	struct th_options o = { .virgl = true, .poll_max_ns = poll_max_ns };

	*state = th_create(&o);
	return 0;
}

static int setup_poll_max(void **state)
{
	return setup_device(state, HOST_POLL_LIMIT_NS);
}

static int setup_poll_off(void **state)
{
	return setup_device(state, 0);
}

static int teardown_device(void **state)
{
	th_destroy(*state);
	return 0;
}

/* A driver that submits again soon after each answer stops needing kicks:
 * the window grows from a few microseconds to the maximum, and from then
 * on the commands are found by polling. */
static void test_poll_saves_kicks(void **state)
{
	struct th *h = *state;

	if (RUNNING_ON_VALGRIND)
		skip();	/* the device never polls under valgrind */
	uint64_t before = sim_transport_kicks(h->t);
	bool saw_no_notify = false;

	for (int i = 0; i < ROUNDS; i++) {
		display_info(h);
		if (!sim_vqd_should_notify(h->vq[TH_CTRLQ]))
			saw_no_notify = true;
	}
	uint64_t kicks = sim_transport_kicks(h->t) - before;
	print_message("%d commands, %llu kicks\n", ROUNDS,
		      (unsigned long long)kicks);
	assert_true(saw_no_notify);
	/* About a dozen kicks double the window to 10 ms; 50 leaves room
	 * for a loaded machine that sleeps longer than that a few times. */
	assert_true(kicks <= ROUNDS / 2);

	/* The window ends and the device asks for kicks again (2.7.10), and
	 * a kick is then what gets the next command answered.  The window is
	 * 10 ms; a loaded machine may take longer to end it, so wait up to
	 * 2 s before calling it a failure. */
	struct timespec tick = { 0, 1000000 };
	for (int ms = 0; ms < 2000 && !sim_vqd_should_notify(h->vq[TH_CTRLQ]);
	     ms++)
		nanosleep(&tick, NULL);
	assert_true(sim_vqd_should_notify(h->vq[TH_CTRLQ]));
	before = sim_transport_kicks(h->t);
	display_info(h);
	assert_int_equal(sim_transport_kicks(h->t) - before, 1);

	/* A reset in the middle of a window leaves nothing behind. */
	display_info(h);
	th_reset(h, TH_ALL_FEATURES);
	assert_true(sim_vqd_should_notify(h->vq[TH_CTRLQ]));
	display_info(h);
}

/* Fenced commands: the device stops polling while a fence is
 * outstanding and opens its window again when the fence retires
 * (host/poll.c), on the renderer's thread or its own.  A driver that
 * honours the flag at every moment of that dance loses no command, and
 * each is answered with its own fence id. */
static void test_poll_fenced_commands_answered(void **state)
{
	struct th *h = *state;

	for (int i = 0; i < ROUNDS; i++) {
		struct virtio_gpu_ctrl_hdr cmd =
			th_hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
		struct virtio_gpu_resp_display_info resp;

		cmd.flags = htole32(VIRTIO_GPU_FLAG_FENCE);
		cmd.fence_id = htole64((uint64_t)i + 1);
		assert_int_equal(th_cmd(h, TH_CTRLQ, &cmd, sizeof(cmd), &resp,
					sizeof(resp)),
				 VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
		assert_int_equal(le64toh(resp.hdr.fence_id), (uint64_t)i + 1);
		assert_true(le32toh(resp.hdr.flags) & VIRTIO_GPU_FLAG_FENCE);
		/* an unfenced one between, found by polling or kicked */
		display_info(h);
	}
}

/* Every command is kicked when polling is off, or in lockstep (whose
 * accounting counts kicks). */
static void no_poll_every_command_kicked(struct th *h)
{
	uint64_t before = sim_transport_kicks(h->t);

	for (int i = 0; i < ROUNDS; i++) {
		display_info(h);
		assert_true(sim_vqd_should_notify(h->vq[TH_CTRLQ]));
	}
	assert_int_equal(sim_transport_kicks(h->t) - before, ROUNDS);
}

static void test_poll_off(void **state)
{
	no_poll_every_command_kicked(*state);
}

static void test_poll_not_in_lockstep(void **state)
{
	struct th *h = *state;

	sim_transport_set_lockstep(h->t, true);
	no_poll_every_command_kicked(h);
	sim_transport_set_lockstep(h->t, false);
}

/* A window above the limit is refused with a message; nothing is left
 * running. */
static void test_poll_limit(void **state)
{
	(void)state;
	struct sim_ram *ram;
	struct sim_transport *t;
	struct host_device *dev = NULL;
	struct host_options ho = {
		.features = 1ull << VIRTIO_GPU_F_VIRGL,
		.virgl = true,
		.num_scanouts = 1,
		.poll_max_ns = HOST_POLL_LIMIT_NS + 1,
	};

	assert_int_equal(sim_ram_create(1 << 20, 0, 1, &ram), 0);
	assert_int_equal(sim_transport_create(&t), 0);
	assert_int_equal(host_device_create(ram, t, &ho, &dev), -EINVAL);
	assert_null(dev);
	ho.poll_max_ns = HOST_POLL_LIMIT_NS;
	assert_int_equal(host_device_create(ram, t, &ho, &dev), 0);
	host_device_destroy(dev);
	sim_transport_destroy(t);
	sim_ram_destroy(ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_poll_saves_kicks,
						setup_poll_max, teardown_device),
		cmocka_unit_test_setup_teardown(test_poll_fenced_commands_answered,
						setup_poll_max, teardown_device),
		cmocka_unit_test_setup_teardown(test_poll_off, setup_poll_off,
						teardown_device),
		cmocka_unit_test_setup_teardown(test_poll_not_in_lockstep,
						setup_poll_max, teardown_device),
		cmocka_unit_test(test_poll_limit),
	};

	sim_log_set_quiet(getenv("VGS_TEST_VERBOSE") == NULL);
	return cmocka_run_group_tests_name("host_poll", tests, NULL, NULL);
}
