// SPDX-License-Identifier: MIT
/*
 * kernelmock under races and at teardown (issue 16): the first call on a
 * fresh file from many threads while the control queue is full creates
 * one context; a read(2) sleeping on the node ends when the file is closed
 * or the device goes away; commands still in flight at teardown are
 * freed; mmap of an offset nobody owns is -EINVAL as drm_gem_mmap says;
 * a huge or negative timeout neither expires at once nor spins.  Each test
 * ends within seconds.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/virtio_gpu.h>

#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "sim/log.h"
#include "sim/ram.h"
#include "tests/machine_fixture.h"
#include "vmm/machine.h"

/* 4-byte submits use 3 descriptors: 85 of them leave one of the 256. */
#define FILLERS_TO_FULL 85
#define RACERS 8

struct fixture {
	struct vmm_machine *m;
	struct km_device *kd;
	struct km_file *f;	/* opened first: context id 1 */
	uint64_t free_pages;
};

/* As test_kernel.c: 64 MiB of RAM, one render node open. */
static int machine_with(void **state, const char *inject)
{
	static struct fixture fx;
	struct vmm_machine_options o;

	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	snprintf(o.inject, sizeof(o.inject), "%s", inject ? inject : "");
	fx.m = test_machine_start(&o);
	fx.kd = vmm_machine_kernel(fx.m);
	fx.free_pages = sim_ram_free_pages(vmm_machine_ram(fx.m));
	if (km_open(fx.kd, &fx.f))
		return -1;
	*state = &fx;
	return 0;
}

static int setup(void **state)
{
	return machine_with(state, NULL);
}

/* Ring fences of ctx 1 held: its fenced submits keep their descriptors. */
static int setup_held(void **state)
{
	return machine_with(state, "fence=delay,ms=1500,ctx=1");
}

/* Fences of the device-global timeline held far longer than any test
 * runs (a context's own timelines end with the context). */
static int setup_held_forever(void **state)
{
	return machine_with(state, "fence=delay,ms=600000,ctx=0");
}

/* Fences of the device-global timeline held a little. */
static int setup_global_held(void **state)
{
	return machine_with(state, "fence=delay,ms=200,ctx=0");
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	if (!fx->m)
		return 0;	/* the test destroyed it */
	test_machine_finish(fx->m, &fx->f, 1);
	fx->f = NULL;
	return 0;
}

static void ring_context(struct km_file *f)
{
	const struct drm_virtgpu_context_set_param p[] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VIRGL2 },
		{ VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 1 },
	};
	struct drm_virtgpu_context_init ci = {
		.num_params = 2, .ctx_set_params = (uintptr_t)p,
	};
	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci), 0);
}

static int create_buffer(struct km_file *f, uint32_t *handle)
{
	struct drm_virtgpu_resource_create rc = {
		.target = 0 /* PIPE_BUFFER */, .format = 64 /* R8_UNORM */,
		.bind = 1u << 4, .width = 4096, .height = 1, .depth = 1,
		.array_size = 1, .size = 4096,
	};
	int ret = km_ioctl(f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc);
	if (handle)
		*handle = rc.bo_handle;
	return ret;
}

/* A 4-byte NOP submit, on ring 0 if @ring, using @bo unless 0; no fence
 * fd (the kernel fences it all the same). */
static int submit(struct km_file *f, bool ring, uint32_t bo)
{
	uint32_t nop = 0;
	struct drm_virtgpu_execbuffer eb = {
		.flags = ring ? VIRTGPU_EXECBUF_RING_IDX : 0, .size = sizeof(nop),
		.command = (uintptr_t)&nop, .fence_fd = -1,
		.bo_handles = (uintptr_t)&bo, .num_bo_handles = bo ? 1 : 0,
	};
	return km_ioctl(f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);
}

/* stderr into a temporary file, to look for the device's complaints. */
struct capture {
	int saved;
	FILE *tmp;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved = dup(2);
	assert_true(c->saved >= 0);
	assert_int_equal(dup2(fileno(c->tmp), 2), 2);
}

/* Ends the capture, echoes what was captured, returns it (free it). */
static char *capture_end(struct capture *c)
{
	fflush(stderr);
	assert_int_equal(dup2(c->saved, 2), 2);
	close(c->saved);
	long n = ftell(c->tmp);
	char *text = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	assert_non_null(text);
	rewind(c->tmp);
	size_t got = fread(text, 1, (size_t)(n > 0 ? n : 0), c->tmp);
	text[got] = '\0';
	fclose(c->tmp);
	fputs(text, stderr);
	return text;
}

static void wait_answered(struct km_device *kd)
{
	struct km_stats st;
	for (int i = 0; i < 10000; i++) {
		km_device_stats(kd, &st);
		if (st.inflight == 0)
			return;
		usleep(1000);
	}
	fail_msg("%u commands still unanswered after 10 s", st.inflight);
}

struct filler {
	struct km_file *f;
	int count;		/* submits returned so far (atomic) */
	int failed;
};

static void *filler_main(void *opaque)
{
	struct filler *fl = opaque;
	for (int i = 0; i < FILLERS_TO_FULL + 20; i++) {
		if (submit(fl->f, true, 0))
			fl->failed++;
		__atomic_add_fetch(&fl->count, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

struct racer {
	struct km_file *f;
	pthread_barrier_t *go;
	int ret;
	uint32_t handle;
};

static void *racer_main(void *opaque)
{
	struct racer *r = opaque;
	pthread_barrier_wait(r->go);
	r->ret = create_buffer(r->f, &r->handle);
	return NULL;
}

/*
 * Linux holds vfpriv->context_lock across CTX_CREATE (virtio_gpu_create_
 * context): threads making the first call on a fresh file while the queue
 * is full (queueing sleeps with the device lock dropped) must send one
 * CTX_CREATE, not one each ("ctx_id N already exists" from the device).
 */
static void test_km_races_one_ctx_create_with_full_queue(void **state)
{
	struct fixture *fx = *state;
	ring_context(fx->f);
	struct km_file *fresh;
	assert_int_equal(km_open(fx->kd, &fresh), 0);	/* context id 2 */

	struct capture cap;
	capture_start(&cap);
	struct filler fl = { .f = fx->f };
	pthread_t filler;
	pthread_create(&filler, NULL, filler_main, &fl);
	/* The ring's answers are held: once this many submits returned,
	 * their descriptors fill the queue. */
	for (int i = 0; i < 10000 &&
	     __atomic_load_n(&fl.count, __ATOMIC_ACQUIRE) < FILLERS_TO_FULL; i++)
		usleep(1000);
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, RACERS);
	struct racer r[RACERS];
	pthread_t t[RACERS];
	for (int i = 0; i < RACERS; i++) {
		r[i] = (struct racer){ .f = fresh, .go = &go, .ret = -1 };
		pthread_create(&t[i], NULL, racer_main, &r[i]);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_join(filler, NULL);
	pthread_barrier_destroy(&go);
	wait_answered(fx->kd);	/* every CTX_CREATE the device got */
	char *log = capture_end(&cap);

	assert_int_equal(fl.failed, 0);
	for (int i = 0; i < RACERS; i++)
		assert_int_equal(r[i].ret, 0);
	if (strstr(log, "already exists"))
		fail_msg("a second CTX_CREATE reached the device");
	free(log);
	/* ... and the one that was sent created it: a second one is
	 * refused (QEMU's answer is OK_NODATA, row X2: the log tells). */
	struct virtio_gpu_ctx_create again = {
		.hdr.type = htole32(VIRTIO_GPU_CMD_CTX_CREATE),
		.hdr.ctx_id = htole32(2),
	};
	struct virtio_gpu_ctrl_hdr resp;
	capture_start(&cap);
	assert_int_equal(km_raw_command(fx->kd, 0, &again, sizeof(again), &resp,
					sizeof(resp), 10000), sizeof(resp));
	log = capture_end(&cap);
	assert_int_equal(le32toh(resp.type), VIRTIO_GPU_RESP_OK_NODATA);
	if (!strstr(log, "ctx_id 2 already exists"))
		fail_msg("the racers' CTX_CREATE did not create ctx 2: %s", log);
	free(log);
	km_close(fresh);
}

struct reader {
	struct km_file *f;
	ssize_t ret;
};

static void *reader_main(void *opaque)
{
	struct reader *rd = opaque;
	struct drm_event ev;
	rd->ret = km_read(rd->f, &ev, sizeof(ev), false);
	return NULL;
}

/* Start a thread blocked in km_read() on @f (no event will come). */
static void start_reader(struct fixture *fx, struct reader *rd, pthread_t *t)
{
	*rd = (struct reader){ .f = fx->f, .ret = 1 };
	pthread_create(t, NULL, reader_main, rd);
	struct km_stats st = { 0 };
	for (int i = 0; i < 10000 && st.readers == 0; i++) {
		km_device_stats(fx->kd, &st);
		if (!st.readers)
			usleep(1000);
	}
	assert_int_equal(st.readers, 1);
}

/* A thread sleeping in read() while another closes the file: the read
 * ends with -EBADF, the close does not hang, nothing is used after free. */
static void test_km_races_read_ended_by_close(void **state)
{
	struct fixture *fx = *state;
	struct reader rd;
	pthread_t t;
	start_reader(fx, &rd, &t);
	km_close(fx->f);
	fx->f = NULL;
	pthread_join(t, NULL);
	assert_int_equal(rd.ret, -EBADF);
}

/* ... and while the device goes away with the file still open: the
 * teardown closes it, so the read ends the same way. */
static void test_km_races_read_ended_by_destroy(void **state)
{
	struct fixture *fx = *state;
	struct reader rd;
	pthread_t t;
	start_reader(fx, &rd, &t);
	vmm_machine_destroy(fx->m);
	fx->m = NULL;
	fx->f = NULL;
	pthread_join(t, NULL);
	assert_int_equal(rd.ret, -EBADF);
}

/*
 * A submit the device never answers (global fences are held for ten
 * minutes), using an object whose handle is gone: teardown gives up
 * waiting once the device stalls, resets it and frees the command and the
 * object (memcheck: no km__vbuf_alloc <- km_cmd_submit_3d leak).
 */
static void test_km_races_teardown_frees_unanswered(void **state)
{
	struct fixture *fx = *state;
	uint32_t bo;
	assert_int_equal(create_buffer(fx->f, &bo), 0);
	assert_int_equal(submit(fx->f, false, bo), 0);
	struct drm_gem_close gc = { .handle = bo };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GEM_CLOSE, &gc), 0);
	km_close(fx->f);
	fx->f = NULL;
	struct km_stats st;
	km_device_stats(fx->kd, &st);
	assert_int_equal(st.objects, 1);	/* held by the submit */
	assert_true(st.inflight >= 1);
	vmm_machine_destroy(fx->m);
	fx->m = NULL;
}

static void map_offset(struct km_file *f, uint32_t handle, uint64_t *off)
{
	struct drm_virtgpu_map map = { .handle = handle };
	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_MAP, &map), 0);
	*off = map.offset;
}

/* drm_gem_mmap: no object at the offset is -EINVAL; another file's object,
 * which this file holds no handle to, is -EACCES. */
static void test_km_races_mmap_offset_errors(void **state)
{
	struct fixture *fx = *state;
	struct km_file *other;
	assert_int_equal(km_open(fx->kd, &other), 0);
	uint32_t mine, theirs;
	uint64_t mine_off, theirs_off;
	void *p;
	assert_int_equal(create_buffer(fx->f, &mine), 0);
	assert_int_equal(create_buffer(other, &theirs), 0);
	map_offset(fx->f, mine, &mine_off);
	map_offset(other, theirs, &theirs_off);

	assert_int_equal(km_mmap(fx->f, theirs_off + (1ull << 30), 4096, &p),
			 -EINVAL);
	assert_int_equal(km_mmap(fx->f, 4096, 4096, &p), -EINVAL);
	assert_int_equal(km_mmap(fx->f, theirs_off, 4096, &p), -EACCES);
	assert_int_equal(km_mmap(fx->f, mine_off, 4096, &p), 0);
	assert_int_equal(km_munmap(fx->f, p, 4096), 0);
	km_close(other);
}

static int raw_capset_info(struct km_device *kd, int timeout_ms,
			   uint32_t *type)
{
	/* Fenced, so that the answer waits for the held global timeline and
	 * the caller really sleeps. */
	struct virtio_gpu_get_capset_info cmd = {
		.hdr.type = htole32(VIRTIO_GPU_CMD_GET_CAPSET_INFO),
		.hdr.flags = htole32(VIRTIO_GPU_FLAG_FENCE),
		.hdr.fence_id = htole64(1ull << 40),
		.capset_index = 0,
	};
	struct virtio_gpu_resp_capset_info resp;
	int n = km_raw_command(kd, 0, &cmd, sizeof(cmd), &resp, sizeof(resp),
			       timeout_ms);
	*type = le32toh(resp.hdr.type);
	return n;
}

/*
 * Timeouts that do not fit a deadline: INT_MIN is what a script's
 * timeout_ms=2147483648 becomes, -1 and INT_MAX the other ends.  Each must
 * wait for the answer (saturated to KM_TIMEOUT_MAX_MS, negative meaning no
 * limit); unclamped, INT_MIN made a deadline in the past that the wait
 * refused at once, and the waiter spun with the device lock held.
 */
static void test_km_races_huge_timeouts_wait(void **state)
{
	struct fixture *fx = *state;
	static const int timeouts[] = { INT_MIN, -1, INT_MAX };
	for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		uint32_t type = 0;
		int n = raw_capset_info(fx->kd, timeouts[i], &type);
		if (n != (int)sizeof(struct virtio_gpu_resp_capset_info) ||
		    type != VIRTIO_GPU_RESP_OK_CAPSET_INFO)
			fail_msg("timeout %d: got %d bytes, response 0x%x",
				 timeouts[i], n, type);
	}
	/* The device lock is free: an ioctl still works. */
	uint32_t bo;
	assert_int_equal(create_buffer(fx->f, &bo), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_km_races_one_ctx_create_with_full_queue, setup_held,
			teardown),
		cmocka_unit_test_setup_teardown(test_km_races_read_ended_by_close,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_km_races_read_ended_by_destroy,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_km_races_teardown_frees_unanswered,
			setup_held_forever, teardown),
		cmocka_unit_test_setup_teardown(test_km_races_mmap_offset_errors,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_km_races_huge_timeouts_wait,
						setup_global_held, teardown),
	};
	return cmocka_run_group_tests_name("km_races", tests, NULL, NULL);
}
