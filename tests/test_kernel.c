// SPDX-License-Identifier: MIT
/*
 * kernelmock's Linux semantics through km_ioctl on a whole machine: the
 * generic DRM ioctls, PRIME and flink between files, sync_file fds (poll,
 * merge, info, FENCE_FD_IN), rings with POLL_RINGS_MASK events, blob
 * argument rules, teardown with work in flight, and several threads at once.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
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
#include <png.h>
#include <linux/sync_file.h>
#include <linux/virtio_gpu.h>

#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "tests/machine_fixture.h"
#include "host/host.h"
#include "vmm/machine.h"
#include "sim/ram.h"
#include "sim/transport.h"

struct fixture {
	struct vmm_machine *m;
	struct km_device *kd;
	struct km_file *f;
	char png_dir[32];	/* scanout PNGs; set by setup_2d only */
};

/* A machine with 64 MiB of RAM from @o, and one open render node; with
 * @pngs, scanout PNGs go to a fresh directory (teardown_2d removes it). */
static int machine_from(void **state, struct vmm_machine_options *o,
			bool pngs)
{
	static struct fixture fx;

	o->ram_size = 64ull << 20;
	if (pngs) {
		snprintf(fx.png_dir, sizeof(fx.png_dir),
			 "/tmp/vgs-test-kernel-XXXXXX");
		if (!mkdtemp(fx.png_dir))
			return -1;
		snprintf(o->scanout_dir, sizeof(o->scanout_dir), "%s", fx.png_dir);
	}
	fx.m = test_machine_start(o);
	fx.kd = vmm_machine_kernel(fx.m);
	if (km_open(fx.kd, &fx.f))
		return -1;
	*state = &fx;
	return 0;
}

/* @features are added to the defaults. */
static int make_machine(void **state, bool venus, uint64_t features,
			uint64_t hostmem)
{
	struct vmm_machine_options o;
	vmm_machine_default_options(&o);
	o.vmm = HOST_VMM_STRICT;	/* offers RESOURCE_UUID (QEMU cannot) */
	o.venus = venus;
	o.features |= features;
	o.hostmem_size = hostmem;
	return machine_from(state, &o, false);
}

static int setup(void **state)
{
	return make_machine(state, false, 0, 0);
}

static int setup_blob(void **state)
{
	return make_machine(state, false,
			    (1ull << VIRTIO_GPU_F_RESOURCE_BLOB) |
				    (1ull << VIRTIO_GPU_F_RESOURCE_UUID),
			    16ull << 20);
}

/* No feature at all (no VIRTIO_GPU_F_VIRGL), PNGs of flushed scanouts
 * in a fresh directory. */
static int setup_2d(void **state)
{
	struct vmm_machine_options o;

	vmm_machine_default_options(&o);
	o.features = 0;
	return machine_from(state, &o, true);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	test_machine_finish(fx->m, &fx->f, 1);
	fx->f = NULL;
	return 0;
}

/* The 2D test's PNG directory, emptied and removed. */
static int teardown_2d(void **state)
{
	struct fixture *fx = *state;
	int ret = teardown(state);
	DIR *d = opendir(fx->png_dir);
	struct dirent *e;
	char path[sizeof(fx->png_dir) + 256];

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", fx->png_dir,
				 e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(fx->png_dir);
	return ret;
}

static int ctx_init(struct km_file *f, const struct drm_virtgpu_context_set_param *p,
		    unsigned n)
{
	struct drm_virtgpu_context_init ci = {
		.num_params = n, .ctx_set_params = (uintptr_t)p,
	};
	return km_ioctl(f, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci);
}

static uint32_t create_buffer(struct km_file *f, uint32_t *res)
{
	struct drm_virtgpu_resource_create rc = {
		.target = 0 /* PIPE_BUFFER */, .format = 64 /* R8_UNORM */,
		.bind = 1u << 4, .width = 4096, .height = 1, .depth = 1,
		.array_size = 1, .size = 4096,
	};
	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc), 0);
	if (res)
		*res = rc.res_handle;
	return rc.bo_handle;
}

/* An empty submit with an out-fence (and an optional in-fence / ring). */
static int submit(struct km_file *f, uint32_t flags, int in_fd, uint32_t ring,
		  uint32_t *bo, int *out_fd)
{
	uint32_t nop = 0;
	struct drm_virtgpu_execbuffer eb = {
		.flags = flags | VIRTGPU_EXECBUF_FENCE_FD_OUT,
		.size = 0, .command = (uintptr_t)&nop, .fence_fd = in_fd,
		.ring_idx = ring, .bo_handles = (uintptr_t)bo,
		.num_bo_handles = bo ? 1 : 0,
	};
	int ret = km_ioctl(f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);
	*out_fd = eb.fence_fd;
	return ret;
}

static void assert_signals(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 10000), 1);
	assert_true(p.revents & POLLIN);
}

static void test_kernel_version_and_caps(void **state)
{
	struct fixture *fx = *state;
	char name[4] = { 0 };
	struct drm_version v = { .name = name, .name_len = sizeof(name) };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VERSION, &v), 0);
	/* drm_copy_field: what fits is copied, the full length reported. */
	assert_int_equal(v.name_len, strlen("virtio_gpu"));
	assert_memory_equal(name, "virt", 4);
	assert_int_equal(v.version_major, 0);
	assert_int_equal(v.version_minor, 1);
	struct drm_get_cap cap = { .capability = DRM_CAP_PRIME };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GET_CAP, &cap), 0);
	assert_int_equal(cap.value, DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT);
	cap.capability = 0x7777;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GET_CAP, &cap), -EINVAL);
	assert_int_equal(km_ioctl(fx->f, _IOWR('x', 1, int), &cap), -ENOTTY);
}

static void test_kernel_flink_refused_on_render_node(void **state)
{
	struct fixture *fx = *state;
	uint32_t bo = create_buffer(fx->f, NULL);
	struct drm_gem_flink fl = { .handle = bo };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GEM_FLINK, &fl), -EACCES);
	struct drm_gem_open op = { .name = 1 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GEM_OPEN, &op), -EACCES);
}

static void test_kernel_flink_and_open_on_primary(void **state)
{
	struct fixture *fx = *state;
	struct km_file *a, *b;
	assert_int_equal(km_open_primary(fx->kd, &a), 0);
	assert_int_equal(km_open_primary(fx->kd, &b), 0);
	uint32_t res;
	uint32_t bo = create_buffer(a, &res);
	struct drm_gem_flink fl = { .handle = bo };
	assert_int_equal(km_ioctl(a, DRM_IOCTL_GEM_FLINK, &fl), 0);
	assert_int_not_equal(fl.name, 0);
	struct drm_gem_open op = { .name = fl.name };
	assert_int_equal(km_ioctl(b, DRM_IOCTL_GEM_OPEN, &op), 0);
	assert_int_equal(op.size, 4096);
	struct drm_virtgpu_resource_info ri = { .bo_handle = op.handle };
	assert_int_equal(km_ioctl(b, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &ri), 0);
	assert_int_equal(ri.res_handle, res);
	op.name = 9999;
	assert_int_equal(km_ioctl(b, DRM_IOCTL_GEM_OPEN, &op), -ENOENT);
	fl.handle = 77;
	assert_int_equal(km_ioctl(a, DRM_IOCTL_GEM_FLINK, &fl), -ENOENT);
	km_close(a);
	km_close(b);
}

static void test_kernel_prime_between_files(void **state)
{
	struct fixture *fx = *state;
	struct km_file *b;
	assert_int_equal(km_open(fx->kd, &b), 0);
	uint32_t res;
	uint32_t bo = create_buffer(fx->f, &res);
	struct drm_prime_handle ph = { .handle = bo, .flags = DRM_CLOEXEC };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph), 0);
	int fd = ph.fd;
	struct drm_prime_handle imp = { .fd = fd };
	assert_int_equal(km_ioctl(b, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp), 0);
	struct drm_virtgpu_resource_info ri = { .bo_handle = imp.handle };
	assert_int_equal(km_ioctl(b, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &ri), 0);
	assert_int_equal(ri.res_handle, res);
	/* Importing again gives the same handle (one per object per file);
	 * importing into the exporter gives its own handle back. */
	uint32_t first = imp.handle;
	assert_int_equal(km_ioctl(b, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp), 0);
	assert_int_equal(imp.handle, first);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp), 0);
	assert_int_equal(imp.handle, bo);
	/* Closing the exporter's handle: the import keeps the object. */
	struct drm_gem_close gc = { .handle = bo };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GEM_CLOSE, &gc), 0);
	assert_int_equal(km_ioctl(b, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &ri), 0);
	close(fd);

	ph.flags = 0x1234;
	assert_int_equal(km_ioctl(b, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph), -EINVAL);
	ph = (struct drm_prime_handle){ .handle = 4242 };
	assert_int_equal(km_ioctl(b, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph), -ENOENT);
	int p[2];
	assert_int_equal(pipe(p), 0);
	imp.fd = p[0];	/* an fd, but no dma-buf */
	assert_int_equal(km_ioctl(b, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp), -EINVAL);
	close(p[0]);
	close(p[1]);
	imp.fd = -1;
	assert_int_equal(km_ioctl(b, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp), -EBADF);
	km_close(b);
}

/* Number of open fds of this process. */
static int open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 4096; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

/* Sync_files the program closed are released (in batches: fence.c), so a
 * program that makes and closes one per frame keeps a bounded number of
 * kernel-side ends open; one it keeps stays valid meanwhile. */
static void test_kernel_sync_file_closed_ones_released(void **state)
{
	struct fixture *fx = *state;
	int kept;
	assert_int_equal(submit(fx->f, 0, -1, 0, NULL, &kept), 0);
	int base = open_fds();
	for (int i = 0; i < 200; i++) {
		int fd;
		assert_int_equal(submit(fx->f, 0, -1, 0, NULL, &fd), 0);
		assert_signals(fd);
		close(fd);
		assert_true(open_fds() <= base + 8);
	}
	assert_signals(kept);
	struct sync_file_info info = { .num_fences = 0 };
	assert_int_equal(km_sync_ioctl(fx->kd, kept, SYNC_IOC_FILE_INFO, &info),
			 0);
	assert_int_equal(info.status, 1);
	close(kept);
}

static void test_kernel_sync_file_poll_info_merge(void **state)
{
	struct fixture *fx = *state;
	int a, b;
	assert_int_equal(submit(fx->f, 0, -1, 0, NULL, &a), 0);
	assert_int_equal(submit(fx->f, 0, -1, 0, NULL, &b), 0);
	assert_true(a >= 0 && b >= 0);
	struct sync_merge_data md = { .name = "merged", .fd2 = b };
	assert_int_equal(km_sync_ioctl(fx->kd, a, SYNC_IOC_MERGE, &md), 0);
	int merged = md.fence;
	assert_signals(merged);
	assert_signals(a);
	assert_signals(b);
	/* Both fences are on the global timeline: the merge keeps one. */
	struct sync_file_info info = { .num_fences = 0 };
	assert_int_equal(km_sync_ioctl(fx->kd, merged, SYNC_IOC_FILE_INFO, &info), 0);
	assert_int_equal(info.num_fences, 1);
	assert_int_equal(info.status, 1);
	assert_string_equal(info.name, "merged");
	struct sync_fence_info fi[2];
	info = (struct sync_file_info){ .num_fences = 2,
					.sync_fence_info = (uintptr_t)fi };
	assert_int_equal(km_sync_ioctl(fx->kd, merged, SYNC_IOC_FILE_INFO, &info), 0);
	assert_string_equal(fi[0].driver_name, "virtio_gpu");
	assert_int_equal(fi[0].status, 1);
	assert_true(fi[0].timestamp_ns > 0);

	md.fd2 = 12345;
	assert_int_equal(km_sync_ioctl(fx->kd, a, SYNC_IOC_MERGE, &md), -ENOENT);
	md = (struct sync_merge_data){ .fd2 = b, .flags = 1 };
	assert_int_equal(km_sync_ioctl(fx->kd, a, SYNC_IOC_MERGE, &md), -EINVAL);
	assert_int_equal(km_sync_ioctl(fx->kd, 0, SYNC_IOC_FILE_INFO, &info), -EINVAL);

	/* FENCE_FD_IN with a sync_file, and with something else. */
	int c;
	assert_int_equal(submit(fx->f, VIRTGPU_EXECBUF_FENCE_FD_IN, merged, 0,
				NULL, &c), 0);
	assert_signals(c);
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(submit(fx->f, VIRTGPU_EXECBUF_FENCE_FD_IN, p[0], 0,
				NULL, &c), -EINVAL);
	/* Since 6.2 (8f20660f) a failed call leaves fence_fd as it was. */
	assert_int_equal(c, p[0]);
	close(p[0]);
	close(p[1]);
	close(a);
	close(b);
	close(merged);
}

struct ring_job {
	struct km_file *f;
	uint32_t ring;
	int count;
	int ok;
};

static void *ring_thread(void *arg)
{
	struct ring_job *job = arg;
	for (int i = 0; i < job->count; i++) {
		int fd;
		if (submit(job->f, VIRTGPU_EXECBUF_RING_IDX, -1, job->ring, NULL,
			   &fd))
			return NULL;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 10000) == 1)
			job->ok++;
		close(fd);
	}
	return NULL;
}

static ssize_t read_all_events(struct km_file *f, struct drm_event *ev,
			       size_t max)
{
	ssize_t n = 0, r;
	while ((r = km_read(f, (char *)ev + n, max * sizeof(*ev) - n, true)) > 0)
		n += r;
	return n / (ssize_t)sizeof(*ev);
}

/*
 * Two threads, each on a ring of its own context (virgl contexts have one
 * ring in virglrenderer 0.10.4): every fence signals on its own timeline
 * and POLL_RINGS_MASK turns each into a DRM event on its own file.
 */
static void test_kernel_rings_threads_and_events(void **state)
{
	struct fixture *fx = *state;
	const struct drm_virtgpu_context_set_param p[] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VIRGL2 },
		{ VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 1 },
		{ VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK, 0x1 },
	};
	struct km_file *g;
	assert_int_equal(km_open(fx->kd, &g), 0);
	assert_int_equal(ctx_init(fx->f, p, 3), 0);
	assert_int_equal(ctx_init(g, p, 3), 0);
	int fd;
	assert_int_equal(submit(fx->f, VIRTGPU_EXECBUF_RING_IDX, -1, 1, NULL, &fd),
			 -EINVAL);	/* only ring 0 exists */
	struct ring_job jobs[2] = { { fx->f, 0, 20, 0 }, { g, 0, 20, 0 } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, ring_thread, &jobs[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(jobs[0].ok, 20);
	assert_int_equal(jobs[1].ok, 20);
	struct km_file *files[2] = { fx->f, g };
	for (int k = 0; k < 2; k++) {
		struct pollfd pf = { .fd = km_file_poll_fd(files[k]),
				     .events = POLLIN };
		assert_int_equal(poll(&pf, 1, 1000), 1);
		struct drm_event ev[64];
		assert_int_equal(read_all_events(files[k], ev, 64), 20);
		for (int i = 0; i < 20; i++) {
			assert_int_equal(ev[i].type, VIRTGPU_EVENT_FENCE_SIGNALED);
			assert_int_equal(ev[i].length, sizeof(struct drm_event));
		}
		assert_int_equal(km_read(files[k], ev, sizeof(ev), true), -EAGAIN);
		assert_int_equal(poll(&pf, 1, 0), 0);
	}
	/* A buffer too small for one event: nothing read, it stays queued. */
	assert_int_equal(submit(g, VIRTGPU_EXECBUF_RING_IDX, -1, 0, NULL, &fd), 0);
	assert_signals(fd);
	close(fd);
	struct drm_event one;
	assert_int_equal(km_read(g, &one, 4, false), 0);
	assert_int_equal(km_read(g, &one, sizeof(one), false), sizeof(one));
	km_close(g);
}

static void test_kernel_context_init_rules(void **state)
{
	struct fixture *fx = *state;
	const struct drm_virtgpu_context_set_param too_many[] = {
		{ VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 65 },
	};
	assert_int_equal(ctx_init(fx->f, too_many, 1), -EINVAL);
	const struct drm_virtgpu_context_set_param mask[] = {
		{ VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 2 },
		{ VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK, 0x4 },
	};
	struct km_file *g;
	assert_int_equal(km_open(fx->kd, &g), 0);
	/* A mask naming a ring that does not exist. */
	assert_int_equal(ctx_init(g, mask, 2), -EINVAL);
	km_close(g);
	assert_int_equal(km_open(fx->kd, &g), 0);
	const struct drm_virtgpu_context_set_param dup[] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VIRGL2 },
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VIRGL2 },
	};
	assert_int_equal(ctx_init(g, dup, 2), -EINVAL);
	km_close(g);
	/* The default context, created by the first ioctl that needs one,
	 * makes a later CONTEXT_INIT fail with EEXIST (Mesa tolerates it). */
	assert_int_equal(km_open(fx->kd, &g), 0);
	create_buffer(g, NULL);
	const struct drm_virtgpu_context_set_param one[] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VIRGL2 },
	};
	assert_int_equal(ctx_init(g, one, 1), -EEXIST);
	km_close(g);
}

static void test_kernel_blob_argument_rules(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *desc;
		struct drm_virtgpu_resource_create_blob rc;
		int expect;
	} cases[] = {
		{ "unknown blob_mem", { .blob_mem = 7, .size = 4096 }, -EINVAL },
		{ "unknown flag", { .blob_mem = VIRTGPU_BLOB_MEM_GUEST,
				    .blob_flags = 0x8, .size = 4096 }, -EINVAL },
		{ "guest blob with a blob_id", { .blob_mem = VIRTGPU_BLOB_MEM_GUEST,
						 .blob_id = 3, .size = 4096 }, -EINVAL },
		{ "guest blob with a command", { .blob_mem = VIRTGPU_BLOB_MEM_GUEST,
						 .cmd_size = 4, .size = 4096 }, -EINVAL },
		{ "host3d command not dword aligned",
		  { .blob_mem = VIRTGPU_BLOB_MEM_HOST3D, .cmd_size = 6,
		    .size = 4096 }, -EINVAL },
		{ "size 0", { .blob_mem = VIRTGPU_BLOB_MEM_GUEST }, -EINVAL },
		{ "bad command pointer", { .blob_mem = VIRTGPU_BLOB_MEM_HOST3D,
					   .cmd_size = 4, .cmd = 8, .size = 4096 },
		  -EFAULT },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct drm_virtgpu_resource_create_blob rc = cases[i].rc;
		int ret = km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, &rc);
		if (ret != cases[i].expect)
			fail_msg("%s: got %d, expected %d", cases[i].desc, ret,
				 cases[i].expect);
	}
}

static void test_kernel_blob_needs_feature(void **state)
{
	struct fixture *fx = *state;
	struct drm_virtgpu_resource_create_blob rc = {
		.blob_mem = VIRTGPU_BLOB_MEM_GUEST, .size = 4096,
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, &rc),
			 -EINVAL);
	int v = -1;
	struct drm_virtgpu_getparam gp = { VIRTGPU_PARAM_RESOURCE_BLOB, (uintptr_t)&v };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), 0);
	assert_int_equal(v, 0);
	gp.param = VIRTGPU_PARAM_HOST_VISIBLE;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), 0);
	assert_int_equal(v, 0);
}

static void test_kernel_blob_params_follow_device(void **state)
{
	struct fixture *fx = *state;
	int v = -1;
	struct drm_virtgpu_getparam gp = { VIRTGPU_PARAM_RESOURCE_BLOB, (uintptr_t)&v };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), 0);
	assert_int_equal(v, 1);
	gp.param = VIRTGPU_PARAM_HOST_VISIBLE;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), 0);
	assert_int_equal(v, 1);
	gp.param = VIRTGPU_PARAM_CROSS_DEVICE;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), 0);
	assert_int_equal(v, 1);
}

/*
 * A HOST3D blob created with its allocation inline (PIPE_RESOURCE_CREATE in
 * cmd, one ioctl), mapped through the host-visible region and written by
 * the CPU; the host side then proves it sees those bytes: the GPU copies
 * the blob into a classic buffer (RESOURCE_COPY_REGION), which is read back
 * with TRANSFER_FROM_HOST into guest pages and compared.
 */
static void test_kernel_inline_blob_written_and_read_back(void **state)
{
	struct fixture *fx = *state;
	const uint32_t blob_id = 42, size = 4096;
	/* PIPE_RESOURCE_CREATE (48): target PIPE_BUFFER, R8_UNORM (64),
	 * bind VERTEX_BUFFER, width size, height/depth/array 1, last_level 0,
	 * nr_samples 0, flags MAP_PERSISTENT|MAP_COHERENT (0x6), blob_id. */
	uint32_t create[] = {
		(11u << 16) | 48, 0, 64, 1u << 4, size, 1, 1, 1, 0, 0, 0x6,
		blob_id,
	};
	struct drm_virtgpu_resource_create_blob rc = {
		.blob_mem = VIRTGPU_BLOB_MEM_HOST3D,
		.blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE,
		.size = size, .blob_id = blob_id,
		.cmd = (uintptr_t)create, .cmd_size = sizeof(create),
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, &rc), 0);
	struct drm_virtgpu_map mp = { .handle = rc.bo_handle };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_MAP, &mp), 0);
	uint32_t *blob;
	assert_int_equal(km_mmap(fx->f, mp.offset, size, (void **)&blob), 0);
	for (uint32_t i = 0; i < size / 4; i++)
		blob[i] = 0x5a000000u | i;

	uint32_t dst_res;
	uint32_t dst = create_buffer(fx->f, &dst_res);
	/* CREATE_SUB_CTX 1, SET_SUB_CTX 1, RESOURCE_COPY_REGION (17): dst
	 * res, level, x, y, z, src res, level, box x, y, z, w, h, d. */
	uint32_t copy[] = {
		0x0001001d, 1, 0x0001001c, 1,
		(13u << 16) | 17, dst_res, 0, 0, 0, 0, rc.res_handle, 0,
		0, 0, 0, size, 1, 1,
	};
	uint32_t bos[2] = { rc.bo_handle, dst };
	struct drm_virtgpu_execbuffer eb = {
		.size = sizeof(copy), .command = (uintptr_t)copy,
		.bo_handles = (uintptr_t)bos, .num_bo_handles = 2,
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), 0);
	struct drm_virtgpu_3d_transfer_from_host tf = {
		.bo_handle = dst, .box = { 0, 0, 0, size, 1, 1 },
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &tf), 0);
	struct drm_virtgpu_3d_wait w = { .handle = dst };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_WAIT, &w), 0);
	mp = (struct drm_virtgpu_map){ .handle = dst };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_MAP, &mp), 0);
	uint32_t *back;
	assert_int_equal(km_mmap(fx->f, mp.offset, size, (void **)&back), 0);
	for (uint32_t i = 0; i < size / 4; i++)
		if (back[i] != (0x5a000000u | i))
			fail_msg("word %u read back 0x%08x, wrote 0x%08x", i,
				 back[i], 0x5a000000u | i);
	assert_int_equal(km_munmap(fx->f, back, size), 0);
	assert_int_equal(km_munmap(fx->f, blob, size), 0);
}

/* Work in flight when handles and the file go away: the objects live until
 * the device answered, the fence still signals, nothing leaks (teardown). */
static void test_kernel_close_with_work_in_flight(void **state)
{
	struct fixture *fx = *state;
	uint32_t bo = create_buffer(fx->f, NULL);
	int fd;
	assert_int_equal(submit(fx->f, 0, -1, 0, &bo, &fd), 0);
	struct drm_gem_close gc = { .handle = bo };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GEM_CLOSE, &gc), 0);
	int fd2;
	assert_int_equal(submit(fx->f, 0, -1, 0, NULL, &fd2), 0);
	km_close(fx->f);
	fx->f = NULL;
	assert_signals(fd);
	assert_signals(fd2);
	close(fd);
	close(fd2);
}

struct hammer {
	struct km_file *f;
	int ok;
};

/*
 * Without VIRTIO_GPU_F_VIRGL, RESOURCE_CREATE makes a 2D resource with
 * guest backing (RESOURCE_CREATE_2D, ATTACH_BACKING), TRANSFER_TO_HOST
 * becomes TRANSFER_TO_HOST_2D and TRANSFER_FROM_HOST is -ENOSYS
 * (virtio_gpu_resource_create_ioctl, virtio_gpu_transfer_*_ioctl).  The
 * pixels the guest wrote reach the host's image: shown on scanout 0 and
 * flushed (what KMS would send), the device's PNG has them.
 */
static void test_kernel_2d_resource_without_virgl(void **state)
{
	struct fixture *fx = *state;
	struct drm_virtgpu_resource_create rc = {
		.target = 2 /* PIPE_TEXTURE_2D */,
		.format = VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, .width = 16,
		.height = 16, .depth = 1, .array_size = 1, .size = 1024,
		.stride = 64,
	};
	int param = -1;
	struct drm_virtgpu_getparam gp = {
		.param = VIRTGPU_PARAM_3D_FEATURES, .value = (uintptr_t)&param,
	};

	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), 0);
	assert_int_equal(param, 0);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
				  &rc), 0);
	struct drm_virtgpu_map map = { .handle = rc.bo_handle };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_MAP, &map), 0);
	uint32_t *px;
	assert_int_equal(km_mmap(fx->f, map.offset, 1024, (void **)&px), 0);
	for (int i = 0; i < 256; i++)	/* B8G8R8A8: 0xAARRGGBB */
		px[i] = i < 128 ? 0xff102030u : 0xff405060u;
	struct drm_virtgpu_3d_transfer_to_host xfer = {
		.bo_handle = rc.bo_handle, .box = { .w = 16, .h = 16, .d = 1 },
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST,
				  &xfer), 0);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST,
				  &xfer), -ENOSYS);
	struct drm_virtgpu_3d_wait wait = { .handle = rc.bo_handle };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_WAIT, &wait), 0);

	struct virtio_gpu_set_scanout set = {
		.hdr.type = htole32(VIRTIO_GPU_CMD_SET_SCANOUT),
		.r.width = htole32(16), .r.height = htole32(16),
		.resource_id = htole32(rc.res_handle),
	};
	struct virtio_gpu_resource_flush flush = {
		.hdr.type = htole32(VIRTIO_GPU_CMD_RESOURCE_FLUSH),
		.r.width = htole32(16), .r.height = htole32(16),
		.resource_id = htole32(rc.res_handle),
	};
	struct virtio_gpu_ctrl_hdr resp;
	assert_int_equal(km_raw_command(fx->kd, 0, &set, sizeof(set), &resp,
					sizeof(resp), 10000), sizeof(resp));
	assert_int_equal(le32toh(resp.type), VIRTIO_GPU_RESP_OK_NODATA);
	assert_int_equal(km_raw_command(fx->kd, 0, &flush, sizeof(flush),
					&resp, sizeof(resp), 10000),
			 sizeof(resp));
	assert_int_equal(le32toh(resp.type), VIRTIO_GPU_RESP_OK_NODATA);

	char path[sizeof(fx->png_dir) + 32];
	snprintf(path, sizeof(path), "%s/scanout0-0000.png", fx->png_dir);
	png_image img = { .version = PNG_IMAGE_VERSION };
	assert_true(png_image_begin_read_from_file(&img, path));
	img.format = PNG_FORMAT_RGBA;
	assert_int_equal(img.width, 16);
	assert_int_equal(img.height, 16);
	uint8_t rgba[16 * 16 * 4];
	assert_true(png_image_finish_read(&img, NULL, rgba, 0, NULL));
	/* Rows 0-7 are 0x102030, rows 8-15 0x405060 (R, G, B). */
	assert_memory_equal(&rgba[0], ((uint8_t[]){ 0x10, 0x20, 0x30, 0xff }), 4);
	assert_memory_equal(&rgba[8 * 64], ((uint8_t[]){ 0x40, 0x50, 0x60, 0xff }),
			    4);
	assert_memory_equal(&rgba[sizeof(rgba) - 4],
			    ((uint8_t[]){ 0x40, 0x50, 0x60, 0xff }), 4);
	km_munmap(fx->f, px, 1024);
	struct drm_gem_close gc = { .handle = rc.bo_handle };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GEM_CLOSE, &gc), 0);
}

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	for (int i = 0; i < 25; i++) {
		uint32_t bo = create_buffer(h->f, NULL);
		int fd;
		if (submit(h->f, 0, -1, 0, &bo, &fd))
			return NULL;
		struct drm_virtgpu_3d_wait w = { .handle = bo };
		if (km_ioctl(h->f, DRM_IOCTL_VIRTGPU_WAIT, &w) == 0)
			h->ok++;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		poll(&p, 1, 10000);
		close(fd);
		struct drm_gem_close gc = { .handle = bo };
		km_ioctl(h->f, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	return NULL;
}

static void test_kernel_threads_share_a_file(void **state)
{
	struct fixture *fx = *state;
	struct hammer h[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		h[i] = (struct hammer){ fx->f, 0 };
		pthread_create(&t[i], NULL, hammer_thread, &h[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(h[i].ok, 25);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_version_and_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_flink_refused_on_render_node,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_flink_and_open_on_primary,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_prime_between_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kernel_sync_file_poll_info_merge,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_sync_file_closed_ones_released,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_rings_threads_and_events,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_context_init_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kernel_blob_argument_rules,
						setup_blob, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_blob_needs_feature, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kernel_blob_params_follow_device,
						setup_blob, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_inline_blob_written_and_read_back,
						setup_blob, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_close_with_work_in_flight,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_2d_resource_without_virgl,
						setup_2d, teardown_2d),
		cmocka_unit_test_setup_teardown(test_kernel_threads_share_a_file, setup,
						teardown),
	};
	return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
