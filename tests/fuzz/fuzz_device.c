// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the virtio-gpu device (host/) fed raw descriptor chains and
 * command bytes on its controlq and cursorq, through guest RAM, the
 * transport and the driver end of the split virtqueues (sim/), with no
 * kernelmock in between: every byte the device reads comes from the input.
 * The input format is enum fuzz_dev_op in tests/fuzz/fuzz.h.
 *
 * One machine per process (virglrenderer is one per process), reused
 * across inputs: after each input the device is reset (status 0), which
 * must drop every resource, context, mapping and parked command.  What
 * counts as a bug, besides ASan/UBSan reports and crashes:
 *  - a chain the device never hands back (checked with a timeout), unless
 *    the input used raw descriptors, which can point the device's writes
 *    at the rings themselves (then a lost chain is the guest's doing);
 *  - a device that does not give back every guest page or host-visible
 *    window after a reset (checked after each input).
 *
 * Guest addresses: the rings sit at the bottom of guest RAM, then the
 * scratch area (where raw descriptors point), then per-command buffers.
 * Mem entries of ATTACH_BACKING and CREATE_BLOB that point into RAM are
 * moved into the scratch area so that the device's writes (transfers
 * from the host) can never land on the rings; entries outside RAM stay
 * as they are and test the device's bounds checks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>

#include "host/host.h"
#include "sim/hostmem.h"
#include "sim/log.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"
#include "tests/fuzz/fuzz.h"

#define RAM_SIZE (32ull << 20)
#define HOSTMEM_SIZE (16ull << 20)
#define QSIZE 64
#define SCRATCH_SIZE (256u << 10)
#define MAX_CMD 4096
#define MAX_RESP 4096
#define MAX_BATCH 16
#define MAX_RAW 8
#define ANSWER_TIMEOUT_S 20
#define ALL_FEATURES ((1ull << VIRTIO_GPU_F_VIRGL) |			\
		      (1ull << VIRTIO_GPU_F_EDID) |			\
		      (1ull << VIRTIO_GPU_F_RESOURCE_UUID) |		\
		      (1ull << VIRTIO_GPU_F_RESOURCE_BLOB) |		\
		      (1ull << VIRTIO_GPU_F_CONTEXT_INIT))

/* A chain in flight, until the device hands it back. */
struct fdev_req {
	uint64_t cmd_gpa, resp_gpa;	/* 0: none (raw chains) */
	size_t cmd_len, resp_len;
	struct fdev_req *next, **pprev;	/* fdev.reqs */
};

struct fdev {
	struct sim_ram *ram;
	struct sim_transport *t;
	struct sim_hostmem *hostmem;
	struct host_device *dev;
	struct sim_vqd *vq[2];
	uint64_t scratch;		/* GPA of the scratch area */
	uint64_t free_pages;		/* with the queues up, nothing else */
	unsigned outstanding[2];
	struct fdev_req *reqs;		/* every chain not handed back */
	bool raw_used;			/* this input used raw descriptors */
	/* interrupts, counted on the device thread; protected by lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned irqs;
};

/* libFuzzer's entry points take no context: the one machine of this
 * process lives here. */
static struct fdev *fuzz_machine;

static void die(const char *what, int err)
{
	fprintf(stderr, "fuzz_device: %s: %s\n", what, strerror(err < 0 ? -err : err));
	abort();
}

/* FUZZ_HOLD=1: stay alive after a finding so that gdb can look at the
 * device (docs/reliability.md, "Reproducing a finding"). */
static void hold_for_gdb(void)
{
	if (getenv("FUZZ_HOLD")) {
		fprintf(stderr, "fuzz_device: holding for gdb -p %d\n",
			(int)getpid());
		sleep(3600);
	}
}

static void irq_cb(void *opaque, uint32_t isr)
{
	struct fdev *f = opaque;

	pthread_mutex_lock(&f->lock);
	f->irqs++;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static const struct sim_driver_ops driver_ops = { .interrupt = irq_cb };

/* virtio 1.2 3.1.1 "Driver Requirements: Device Initialization". */
/* QSIZE, or less where the device's queue is smaller (its cursorq). */
static uint16_t qsize(struct fdev *f, unsigned q)
{
	uint16_t max = sim_transport_queue_size_of(f->t, q);

	return max < QSIZE ? max : QSIZE;
}

static void bring_up(struct fdev *f, uint64_t features)
{
	uint8_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	int ret;

	if ((ret = sim_transport_set_status(f->t, VIRTIO_CONFIG_S_ACKNOWLEDGE)) ||
	    (ret = sim_transport_set_status(f->t, st)) ||
	    (ret = sim_transport_set_driver_features(
		     f->t, features | (1ull << VIRTIO_F_VERSION_1))) ||
	    (ret = sim_transport_set_status(f->t, st | VIRTIO_CONFIG_S_FEATURES_OK)))
		die("feature negotiation", ret);
	st |= VIRTIO_CONFIG_S_FEATURES_OK;
	for (unsigned q = 0; q < 2; q++) {
		uint64_t d, a, u;

		if ((ret = sim_vqd_create(f->ram, qsize(f, q), &f->vq[q])))
			die("sim_vqd_create", ret);
		sim_vqd_addrs(f->vq[q], &d, &a, &u);
		if ((ret = sim_transport_setup_queue(f->t, q, qsize(f, q), d, a,
						     u)))
			die("sim_transport_setup_queue", ret);
		f->outstanding[q] = 0;
	}
	if ((ret = sim_transport_set_status(f->t, st | VIRTIO_CONFIG_S_DRIVER_OK)))
		die("DRIVER_OK", ret);
}

static void req_free(struct fdev *f, struct fdev_req *r);

/* Reset (status 0) and bring the device up again. */
static void reset(struct fdev *f, uint64_t features)
{
	int ret = sim_transport_set_status(f->t, 0);

	if (ret)
		die("reset", ret);
	for (unsigned q = 0; q < 2; q++) {
		/* Whatever the device did not hand back is gone with the
		 * reset; the driver end frees its bookkeeping. */
		sim_vqd_destroy(f->vq[q]);
		f->vq[q] = NULL;
	}
	while (f->reqs)
		req_free(f, f->reqs);
	bring_up(f, features);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fdev *f = calloc(1, sizeof(*f));
	int ret;

	(void)argc;
	(void)argv;
	if (!f)
		die("calloc", ENOMEM);
	/* Guest errors are the point here: keep stderr for findings. */
	sim_log_set_quiet(true);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if ((ret = sim_ram_create(RAM_SIZE, 0, 1, &f->ram)) ||
	    (ret = sim_transport_create(&f->t)) ||
	    (ret = sim_hostmem_create(HOSTMEM_SIZE, &f->hostmem)))
		die("machine", ret);
	struct host_options ho = {
		.vmm = HOST_VMM_STRICT,	/* offers every feature of the spec */
		.features = ALL_FEATURES,
		.virgl = true,
		.venus = true,
		/* virglrenderer >= 1.0 has venus only in its render server. */
		.render_server = host_venus_needs_render_server(),
		.num_scanouts = 2,
		.hostmem = f->hostmem,
	};
	if ((ret = host_device_create(f->ram, f->t, &ho, &f->dev)))
		die("host_device_create", ret);
	sim_transport_bind_driver(f->t, &driver_ops, f);
	bring_up(f, ALL_FEATURES);
	/* The scratch area comes right after the rings (the allocator is
	 * lowest-first), so that anything reaching past it goes up, into
	 * command buffers, never down into the rings. */
	if ((ret = sim_ram_alloc_contig(f->ram, SCRATCH_SIZE, &f->scratch)))
		die("scratch", ret);
	f->free_pages = sim_ram_free_pages(f->ram);
	fuzz_machine = f;
	return 0;
}

static struct fdev_req *req_new(struct fdev *f)
{
	struct fdev_req *r = calloc(1, sizeof(*r));

	if (!r)
		die("calloc", ENOMEM);
	r->next = f->reqs;
	if (r->next)
		r->next->pprev = &r->next;
	r->pprev = &f->reqs;
	f->reqs = r;
	return r;
}

static void req_free(struct fdev *f, struct fdev_req *r)
{
	*r->pprev = r->next;
	if (r->next)
		r->next->pprev = r->pprev;
	if (r->cmd_gpa)
		sim_ram_release_contig(f->ram, r->cmd_gpa, r->cmd_len);
	if (r->resp_gpa)
		sim_ram_release_contig(f->ram, r->resp_gpa, r->resp_len);
	free(r);
}

/* Take back whatever the device handed back; true when nothing is
 * outstanding any more. */
static bool reap(struct fdev *f)
{
	for (unsigned q = 0; q < 2; q++) {
		uint32_t written;
		struct fdev_req *r;

		while ((r = sim_vqd_get_used(f->vq[q], &written))) {
			if (written > r->resp_len && r->resp_gpa) {
				fprintf(stderr, "fuzz_device: the device wrote "
					"%u bytes into a %zu-byte response\n",
					written, r->resp_len);
				abort();
			}
			req_free(f, r);
			f->outstanding[q]--;
		}
	}
	return !f->outstanding[0] && !f->outstanding[1];
}

static void kick(struct fdev *f, unsigned q)
{
	if (sim_vqd_should_notify(f->vq[q]))
		sim_transport_notify(f->t, q);
}

/*
 * Wait until the device handed every chain back.  Not answering is a bug
 * (a fence that never signals, a lost chain) unless raw descriptors may
 * have pointed the device's writes at the rings, or the device declared
 * itself broken (DEVICE_NEEDS_RESET); then the reset cleans up.
 */
static void wait_all(struct fdev *f)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ANSWER_TIMEOUT_S;
	for (;;) {
		pthread_mutex_lock(&f->lock);
		unsigned seen = f->irqs;
		pthread_mutex_unlock(&f->lock);
		if (reap(f))
			return;
		if (sim_transport_get_status(f->t) &
		    VIRTIO_CONFIG_S_NEEDS_RESET)
			return;
		pthread_mutex_lock(&f->lock);
		int ret = 0;
		while (f->irqs == seen && ret == 0)
			ret = pthread_cond_timedwait(&f->cond, &f->lock,
						     &deadline);
		pthread_mutex_unlock(&f->lock);
		if (ret == ETIMEDOUT) {
			if (reap(f) || f->raw_used)
				return;
			fprintf(stderr, "fuzz_device: %u controlq and %u cursorq "
				"chains not answered within %d s\n",
				f->outstanding[0], f->outstanding[1],
				ANSWER_TIMEOUT_S);
			hold_for_gdb();
			abort();
		}
	}
}

/*
 * 5.7.6.8 RESOURCE_ATTACH_BACKING and RESOURCE_CREATE_BLOB carry mem
 * entries after their fixed struct: move those inside RAM into scratch.
 */
static void confine_mem_entries(struct fdev *f, uint8_t *cmd, size_t len)
{
	struct virtio_gpu_ctrl_hdr hdr;
	size_t off;

	if (len < sizeof(hdr))
		return;
	memcpy(&hdr, cmd, sizeof(hdr));
	switch (le32toh(hdr.type)) {
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		off = sizeof(struct virtio_gpu_resource_attach_backing);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB:
		off = sizeof(struct virtio_gpu_resource_create_blob);
		break;
	default:
		return;
	}
	for (; off + sizeof(struct virtio_gpu_mem_entry) <= len;
	     off += sizeof(struct virtio_gpu_mem_entry)) {
		struct virtio_gpu_mem_entry e;

		memcpy(&e, cmd + off, sizeof(e));
		uint64_t addr = le64toh(e.addr);
		/* Page 0 is reserved and never RAM the device may use: keep
		 * it, it tests the device's check. */
		if (addr < SIM_PAGE_SIZE || addr >= RAM_SIZE)
			continue;
		e.addr = htole64(f->scratch + addr % SCRATCH_SIZE);
		memcpy(cmd + off, &e, sizeof(e));
	}
}

/* Queue one chain [command | response]; false when the queue is full. */
static bool queue_cmd(struct fdev *f, unsigned q, struct fuzz_in *in)
{
	size_t cmd_len = fuzz_u16(in) % (MAX_CMD + 1);
	size_t resp_len = fuzz_u16(in) % (MAX_RESP + 1);
	uint8_t cmd[MAX_CMD];
	struct fdev_req *r;

	fuzz_bytes(in, cmd, cmd_len);
	if (cmd_len == 0)
		cmd_len = 1;	/* a chain needs a readable byte at least */
	if (q == 0)
		confine_mem_entries(f, cmd, cmd_len);
	r = req_new(f);
	r->cmd_len = cmd_len;
	r->resp_len = resp_len;
	if (sim_ram_alloc_contig(f->ram, cmd_len, &r->cmd_gpa) ||
	    (resp_len && sim_ram_alloc_contig(f->ram, resp_len, &r->resp_gpa)))
		die("guest buffers", ENOMEM);
	sim_ram_write(f->ram, r->cmd_gpa, cmd, cmd_len);
	struct sim_vq_buf out = { r->cmd_gpa, (uint32_t)cmd_len };
	struct sim_vq_buf resp = { r->resp_gpa, (uint32_t)resp_len };
	if (sim_vqd_add(f->vq[q], &out, 1, &resp, resp_len ? 1 : 0, r)) {
		req_free(f, r);
		return false;
	}
	f->outstanding[q]++;
	return true;
}

static void op_raw(struct fdev *f, struct fuzz_in *in)
{
	unsigned q = fuzz_u8(in) & 1;
	const uint16_t size = qsize(f, q);
	uint16_t first = fuzz_u8(in) % size;
	uint16_t head = fuzz_u8(in);
	unsigned n = fuzz_u8(in) % MAX_RAW + 1;
	struct sim_vq_raw_desc d[MAX_RAW];

	for (unsigned i = 0; i < n; i++) {
		uint8_t where = fuzz_u8(in);
		uint32_t offset = fuzz_u32(in);

		switch (where % 4) {
		case 0: d[i].addr = f->scratch + offset % SCRATCH_SIZE; break;
		case 1: d[i].addr = 0; break;
		case 2: d[i].addr = RAM_SIZE - offset % (2 * SIM_PAGE_SIZE); break;
		default: d[i].addr = (uint64_t)offset << 32; break;
		}
		d[i].len = fuzz_u32(in);
		d[i].flags = fuzz_u16(in);
		d[i].next = fuzz_u16(in);
	}
	/* The head is one of the slots written, or out of range. */
	if (n > size)
		n = size;
	if (first + n > size)
		first = (uint16_t)(size - n);
	head = head < 0x80 ? (uint16_t)(first + head % n)
			   : (uint16_t)(size + head);
	struct fdev_req *r = req_new(f);
	if (sim_vqd_add_raw(f->vq[q], first, d, n, head, r)) {
		req_free(f, r);
		return;
	}
	f->raw_used = true;
	f->outstanding[q]++;
	kick(f, q);
	wait_all(f);
}

static void op_batch(struct fdev *f, struct fuzz_in *in)
{
	unsigned n = fuzz_u8(in) % MAX_BATCH + 1;
	bool used[2] = { false, false };

	for (unsigned i = 0; i < n && fuzz_more(in); i++) {
		unsigned q = fuzz_u8(in) & 1;

		used[q] |= queue_cmd(f, q, in);
	}
	for (unsigned q = 0; q < 2; q++)
		if (used[q])
			kick(f, q);
	wait_all(f);
}

static void run(struct fdev *f, struct fuzz_in *in)
{
	while (fuzz_more(in)) {
		uint8_t op = fuzz_u8(in) % FUZZ_DEV_NOPS;

		switch ((enum fuzz_dev_op)op) {
		case FUZZ_DEV_CTRL:
		case FUZZ_DEV_CURSOR:
			if (queue_cmd(f, op, in))
				kick(f, op);
			wait_all(f);
			break;
		case FUZZ_DEV_BATCH:
			op_batch(f, in);
			break;
		case FUZZ_DEV_SCRATCH: {
			uint8_t buf[SCRATCH_SIZE > 65536 ? 65536 : SCRATCH_SIZE];
			uint32_t off = fuzz_u16(in) % SCRATCH_SIZE;
			size_t len = fuzz_u16(in);

			if (len > SCRATCH_SIZE - off)
				len = SCRATCH_SIZE - off;
			if (len > sizeof(buf))
				len = sizeof(buf);
			len = fuzz_bytes(in, buf, len);
			sim_ram_write(f->ram, f->scratch + off, buf, len);
			break;
		}
		case FUZZ_DEV_RAW:
			op_raw(f, in);
			break;
		case FUZZ_DEV_RESET:
			reset(f, (uint64_t)fuzz_u8(in) & ALL_FEATURES);
			break;
		case FUZZ_DEV_NOPS:
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdev *f = fuzz_machine;
	struct fuzz_in in = { data, size };

	f->raw_used = false;
	run(f, &in);
	/* Back to a fresh device: the reset must release everything the
	 * input made the device hold. */
	reset(f, ALL_FEATURES);
	uint64_t free_pages = sim_ram_free_pages(f->ram);
	unsigned windows = sim_hostmem_windows(f->hostmem);
	if (free_pages != f->free_pages || windows) {
		fprintf(stderr, "fuzz_device: after a reset %llu guest pages "
			"are free (expected %llu) and %u host-visible windows "
			"are mapped (expected 0)\n",
			(unsigned long long)free_pages,
			(unsigned long long)f->free_pages, windows);
		hold_for_gdb();
		abort();
	}
	/* The scratch area starts zeroed for every input. */
	static const uint8_t zero[4096];
	for (uint64_t o = 0; o < SCRATCH_SIZE; o += sizeof(zero))
		sim_ram_write(f->ram, f->scratch + o, zero, sizeof(zero));
	return 0;
}

void fuzz_target_fini(void)
{
	struct fdev *f = fuzz_machine;

	sim_transport_set_status(f->t, 0);
	for (unsigned q = 0; q < 2; q++)
		sim_vqd_destroy(f->vq[q]);
	while (f->reqs)
		req_free(f, f->reqs);
	host_device_destroy(f->dev);
	sim_hostmem_destroy(f->hostmem);
	sim_transport_destroy(f->t);
	sim_ram_destroy(f->ram);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
	fuzz_machine = NULL;
}
