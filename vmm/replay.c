// SPDX-License-Identifier: MIT
/*
 * `virtgpu-sim replay [OPTIONS] FILE`: drive a device and its renderer
 * from a capture (docs/capture.md), with no guest: each recorded chain
 * is written into guest RAM and kicked, each recorded piece of guest
 * memory written before the chain that needed it, in capture order.  The
 * replaying device records itself (host/record.c into a sink), and every
 * response, the order of fence retirements on each timeline and every
 * checksum (scanout images, transfer read-backs) is compared with the
 * capture's.  The first divergence ends the run (exit status 1) with the
 * record's file offset, its type and the field.
 *
 * Ordering: a chain is pushed when its CHAIN record comes; a response is
 * awaited when its RESPONSE record comes (where the recording's guest saw
 * it).  Before guest memory is written, and before a chain goes to the
 * other queue, the device must have taken every chain pushed so far (and
 * answered, for memory: the recorded guest wrote it after those answers
 * or without caring), so that it reads what the recording's device read.
 */
#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_gpu.h>

#include "sim/gpu_cmds.h"
#include "sim/hostmem.h"
#include "sim/ram.h"
#include "sim/virtqueue.h"
#include "guest/virgl/caps_virgl.h"
#include "host/host.h"
#include "vmm/decode.h"
#include "vmm/devopts.h"
#include "vmm/record.h"
#include "vmm/replay.h"

#define REPLAY_TIMEOUT_S 30

/* Report a divergence or a capture the replay cannot follow. */
static int diverge(struct replay *r, const struct sim_capture_rec *rec,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int diverge(struct replay *r, const struct sim_capture_rec *rec,
		   const char *fmt, ...)
{
	va_list ap;
	const char *name = sim_capture_type_name(rec->type);

	fprintf(stderr, "virtgpu-sim replay: %s: record at offset %zu (%s): ",
		r->path, rec->offset, name ? name : "unknown");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* The set-up: a first pass checks every record and reads the header.  */

static void setup_info(struct replay_setup *s, const struct sim_capture_info *i)
{
	char v[4096];
	snprintf(v, sizeof(v), "%.*s", (int)i->value_len, i->value);
#define KEY(k) (i->key_len == strlen(k) && !memcmp(i->key, k, i->key_len))
	if (KEY("ram_size"))
		vmm_parse_u64(v, &s->ram_size);
	else if (KEY("hostmem_size"))
		vmm_parse_u64(v, &s->hostmem_size);
	else if (KEY("features_offered"))
		vmm_parse_u64(v, &s->offered);
	else if (KEY("num_scanouts"))
		s->num_scanouts = (uint32_t)strtoul(v, NULL, 10);
	else if (KEY("limits"))
		sscanf(v, "max_contexts=%u max_resources=%u "
		       "max_renderer_bytes=%llu", &s->max_contexts,
		       &s->max_resources,
		       (unsigned long long *)&s->max_renderer_bytes);
	else if (KEY("inject"))
		snprintf(s->inject, sizeof(s->inject), "%s", v);
	else if (KEY("vmm")) {
		/* Captures from before --vmm say "default": that device
		 * offered every feature of the spec, as strict does. */
		enum host_vmm vmm = HOST_VMM_STRICT;
		host_vmm_find(v, strlen(v), &vmm);
		s->vmm = vmm;
	}
	else if (KEY("renderer")) {
		int a = 0, b = 0, c = 0;
		sscanf(v, "virgl=%d venus=%d render_server=%d", &a, &b, &c);
		s->virgl = a;
		s->venus = b;
		s->render_server = c;
	} else if (KEY("config") && i->value_len >= 20) {
		/* virtio 1.4 5.7.4: blob_alignment follows the four 1.2
		 * fields when the device offers it. */
		s->blob_alignment = sim_capture_le32((const uint8_t *)i->value + 16);
	}
#undef KEY
}

static int first_pass(struct replay *r, const uint8_t *buf, size_t len)
{
	struct sim_capture_reader rd;
	struct sim_capture_rec rec;
	char err[256];
	int ret = sim_capture_reader_init(&rd, buf, len, err, sizeof(err));

	r->cap_buf = buf;	/* replay_poll.c looks on from a record */
	r->cap_len = len;
	while (ret == 0 && (ret = sim_capture_reader_next(&rd, &rec, err,
							  sizeof(err))) == 1) {
		struct sim_capture_info info;
		struct sim_capture_chain c;
		struct sim_capture_response resp;
		struct sim_capture_mem m;
		ret = 0;
		switch (rec.type) {
		case SIM_CAPTURE_INFO:
			ret = sim_capture_parse_info(&rec, &info, err, sizeof(err));
			if (!ret)
				setup_info(&r->setup, &info);
			break;
		case SIM_CAPTURE_FEATURES:
			if (!r->setup.acked)
				r->setup.acked = sim_capture_le64(rec.payload + 8);
			break;
		case SIM_CAPTURE_CHAIN:
			ret = sim_capture_parse_chain(&rec, &c, err, sizeof(err));
			break;
		case SIM_CAPTURE_RESPONSE:
			ret = sim_capture_parse_response(&rec, &resp, err,
							 sizeof(err));
			if (ret)
				break;
			if (resp.seq >= r->nanswered) {
				uint32_t n = resp.seq + 4096;
				bool *a = realloc(r->answered_in_capture, n);
				if (!a)
					return -ENOMEM;
				memset(a + r->nanswered, 0, n - r->nanswered);
				r->answered_in_capture = a;
				r->nanswered = n;
			}
			r->answered_in_capture[resp.seq] = true;
			break;
		case SIM_CAPTURE_GUEST_MEM:
		case SIM_CAPTURE_HOST_MEM:
			ret = sim_capture_parse_mem(&rec, &m, err, sizeof(err));
			break;
		default:
			break;
		}
	}
	if (ret == -ENODATA && r->partial) {
		fprintf(stderr, "virtgpu-sim replay: %s: %s; replaying what "
			"there is (--partial)\n", r->path, err);
		ret = 0;
	}
	if (ret < 0) {
		fprintf(stderr, "virtgpu-sim replay: %s: %s\n", r->path, err);
		return ret;
	}
	const struct replay_setup *s = &r->setup;
	if (!s->ram_size || s->ram_size % SIM_PAGE_SIZE || !s->num_scanouts ||
	    (!s->virgl && !s->venus)) {
		fprintf(stderr, "virtgpu-sim replay: %s: the capture does not "
			"say what machine it was (INFO ram_size, num_scanouts, "
			"renderer)\n", r->path);
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Waiting for the replaying device                                    */

static bool all_popped(struct replay *r, uint64_t arg)
{
	(void)arg;
	return r->popped >= r->pushed;
}

/* Every chain pushed that the capture shows answered is answered. */
static bool all_answered(struct replay *r, uint64_t arg)
{
	(void)arg;
	for (uint32_t s = 0; s < r->pushed; s++)
		if (s < r->nanswered && r->answered_in_capture[s] &&
		    (s >= r->ngot || !r->got[s].has_resp))
			return false;
	return true;
}

static bool answered(struct replay *r, uint64_t seq)
{
	return seq < r->ngot && r->got[seq].has_resp;
}

/* @arg: queue << 32 | descriptors needed.  The driver end is only
 * touched by this thread, which also runs the wait. */
static bool room_for(struct replay *r, uint64_t arg)
{
	return sim_vqd_num_free(r->vq[arg >> 32]) >= (uint32_t)arg;
}

static const struct sim_capture_sum *find_sum(const struct replay *r,
					      const struct sim_capture_sum *want)
{
	for (unsigned i = 0; i < r->nsums; i++)
		if (r->sums[i].s.seq == want->seq &&
		    r->sums[i].s.kind == want->kind && r->sums[i].s.id == want->id)
			return &r->sums[i].s;
	return NULL;
}

/* @arg points to the checksum wanted: it came, or its command was
 * answered without it (checksums are written before the answer). */
static bool sum_or_answer(struct replay *r, uint64_t arg)
{
	const struct sim_capture_sum *want = (const void *)(uintptr_t)arg;
	return find_sum(r, want) || answered(r, want->seq);
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

static const char *const hdr_fields[] = {
	"type", "type", "type", "type", "flags", "flags", "flags", "flags",
	"fence_id", "fence_id", "fence_id", "fence_id", "fence_id",
	"fence_id", "fence_id", "fence_id", "ctx_id", "ctx_id", "ctx_id",
	"ctx_id", "ring_idx", "padding", "padding", "padding",
};

/*
 * The first byte where two responses differ, or @len.  A UUID of
 * RESOURCE_ASSIGN_UUID is drawn at random by the device (RFC 4122
 * version 4, host/resource.c): only its version and variant bits are
 * compared.
 */
static uint32_t first_difference(const uint8_t *a, const uint8_t *b,
				 uint32_t len)
{
	const size_t uuid = offsetof(struct virtio_gpu_resp_resource_uuid, uuid);
	bool is_uuid = len == sizeof(struct virtio_gpu_resp_resource_uuid) &&
		       sim_capture_le32(b) == VIRTIO_GPU_RESP_OK_RESOURCE_UUID;

	for (uint32_t i = 0; i < len; i++) {
		uint8_t mask = 0xff;
		if (is_uuid && i >= uuid && i < uuid + 16)
			mask = i == uuid + 6 ? 0xf0 : i == uuid + 8 ? 0xc0 : 0;
		if ((a[i] ^ b[i]) & mask)
			return i;
	}
	return len;
}

/*
 * What a renderer reports of its host rather than of the stream is no
 * divergence: VIRGL2's max_video_memory is llvmpipe's idea of free host
 * memory (virglrenderer 1.1.0 with Mesa 25 reports a different value in
 * each process, seen on the Debian 13 row).  The replayed bytes of such
 * fields are taken as recorded before comparing.
 */
static void take_host_fields(uint32_t type, uint8_t *got, const uint8_t *want,
			     uint32_t both)
{
	const uint32_t at = sizeof(struct virtio_gpu_resp_capset) +
		offsetof(struct guest_virgl_caps_v2, max_video_memory);

	/* Only VIRGL2's caps are that long (VIRGL's are 308 bytes, venus'
	 * fewer). */
	if (type == VIRTIO_GPU_CMD_GET_CAPSET && both >= at + 4)
		memcpy(got + at, want + at, 4);
}

static int check_response(struct replay *r, const struct sim_capture_rec *rec)
{
	struct sim_capture_response want;
	char err[160];

	sim_capture_parse_response(rec, &want, err, sizeof(err));
	if (vmm_replay_wait(r, answered, want.seq))
		return diverge(r, rec, "seq %u: the device did not answer "
			       "within %u s", want.seq, r->timeout_s);
	pthread_mutex_lock(&r->lock);
	const struct replay_got *g = &r->got[want.seq];
	const char *cmd = sim_gpu_cmd_name(g->type);
	int ret = 0;
	/* The first differing byte both wrote names the field best (a
	 * different hdr.type comes with a different length). */
	uint32_t both = g->resp.written < want.written ? g->resp.written
						       : want.written;
	take_host_fields(g->type, (uint8_t *)g->resp.data, want.data, both);
	uint32_t i = first_difference(g->resp.data, want.data, both);
	if (i < both) {
		char field[32];
		if (i < sizeof(hdr_fields) / sizeof(hdr_fields[0]))
			snprintf(field, sizeof(field), "hdr.%s", hdr_fields[i]);
		else
			snprintf(field, sizeof(field), "byte %u", i);
		if (i < 4 && both >= 4)
			ret = diverge(r, rec, "seq %u (%s): field 'hdr.type': "
				      "recorded %s, replayed %s", want.seq, cmd,
				      vmm_decode_resp_name(sim_capture_le32(want.data)),
				      vmm_decode_resp_name(sim_capture_le32(g->resp.data)));
		else
			ret = diverge(r, rec, "seq %u (%s): field '%s': "
				      "recorded 0x%02x at byte %u, replayed "
				      "0x%02x", want.seq, cmd, field,
				      want.data[i], i, g->resp.data[i]);
	} else if (g->resp.written != want.written) {
		ret = diverge(r, rec, "seq %u (%s): field 'written': recorded "
			      "%u bytes, replayed %u", want.seq, cmd,
			      want.written, g->resp.written);
	} else if (sim_capture_resp_retired(want.flags)) {
		/* 5.7.6.7: fences retire in order on each timeline. */
		bool ring = want.flags & SIM_CAPTURE_RESP_RING;
		uint32_t ctx = ring ? want.ctx_id : 0;
		uint32_t idx = ring ? want.ring_idx : 0;
		struct replay_timeline *t = NULL;
		for (unsigned i = 0; i < r->ntls; i++)
			if (r->tls[i].ctx == ctx && r->tls[i].ring == idx &&
			    r->tls[i].per_ring == ring)
				t = &r->tls[i];
		uint32_t n = t ? t->recorded++ : 0;
		if (!t || g->fence_order != n)
			ret = diverge(r, rec, "seq %u (%s): fence order: "
				      "fence_id %llu retired as number %u on "
				      "ctx %u ring %u, recorded as number %u",
				      want.seq, cmd,
				      (unsigned long long)want.fence_id,
				      g->fence_order, ctx, idx, n);
		r->checked_fences++;
	}
	r->checked_resps++;
	pthread_mutex_unlock(&r->lock);
	if (ret == 0 && (ret = vmm_replay_poll_settle(r, rec, want.seq)))
		ret = diverge(r, rec, "seq %u: vkGetFenceStatus: the recorded "
			      "guest saw the fence signalled; the replayed "
			      "renderer did not say VK_SUCCESS within %u s (%s)",
			      want.seq, r->timeout_s, strerror(-ret));
	return ret;
}

static int check_sum(struct replay *r, const struct sim_capture_rec *rec)
{
	struct sim_capture_sum want;

	sim_capture_parse_sum(rec, &want);
	if (vmm_replay_wait(r, sum_or_answer, (uintptr_t)&want))
		return diverge(r, rec, "seq %u: no checksum within %u s",
			       want.seq, r->timeout_s);
	pthread_mutex_lock(&r->lock);
	const struct sim_capture_sum *found = find_sum(r, &want);
	struct sim_capture_sum copy = found ? *found : want;
	pthread_mutex_unlock(&r->lock);
	const struct sim_capture_sum *got = found ? &copy : NULL;
	const char *what = want.kind == SIM_CAPTURE_SUM_SCANOUT
		? "scanout" : "read-back of resource";
	if (!got)
		return diverge(r, rec, "seq %u: field 'sum': the replay made "
			       "no %s %u checksum", want.seq, what, want.id);
	if (got->bytes != want.bytes || got->sum != want.sum)
		return diverge(r, rec, "seq %u: field 'sum': %s %u: recorded "
			       "0x%016llx over %llu bytes, replayed 0x%016llx "
			       "over %llu", want.seq, what, want.id,
			       (unsigned long long)want.sum,
			       (unsigned long long)want.bytes,
			       (unsigned long long)got->sum,
			       (unsigned long long)got->bytes);
	r->checked_sums++;
	return 0;
}

static int write_mem(struct replay *r, const struct sim_capture_rec *rec)
{
	struct sim_capture_mem m;
	char err[160];
	void *dst;

	sim_capture_parse_mem(rec, &m, err, sizeof(err));
	if (vmm_replay_wait(r, all_answered, 0))
		return diverge(r, rec, "the device did not answer the chains "
			       "before it within %u s", r->timeout_s);
	if (rec->type == SIM_CAPTURE_GUEST_MEM) {
		if (m.addr < SIM_PAGE_SIZE || m.addr + m.len > r->setup.ram_size)
			return diverge(r, rec, "field 'gpa': 0x%llx + %u is "
				       "outside the recorded RAM",
				       (unsigned long long)m.addr, m.len);
		dst = sim_ram_translate(r->ram, m.addr, m.len);
	} else {
		dst = r->hostmem ? sim_hostmem_translate(r->hostmem, m.addr,
							 m.len) : NULL;
		if (!dst)
			return diverge(r, rec, "field 'offset': 0x%llx + %u of "
				       "the host-visible region is not mapped "
				       "in the replay",
				       (unsigned long long)m.addr, m.len);
	}
	if (m.data)
		memcpy(dst, m.data, m.len);
	else
		memset(dst, 0, m.len);
	return 0;
}

static int push_chain(struct replay *r, const struct sim_capture_rec *rec)
{
	struct sim_capture_chain c;
	char err[160];

	sim_capture_parse_chain(rec, &c, err, sizeof(err));
	if (c.seq != r->pushed)
		return diverge(r, rec, "field 'seq': %u, expected %u (chains "
			       "are numbered in the order the device took "
			       "them)", c.seq, r->pushed);
	if (!r->live) {
		int ret = vmm_replay_bring_up(r);
		if (ret)
			return diverge(r, rec, "bringing the device up with "
				       "features 0x%llx failed: %s",
				       (unsigned long long)r->setup.acked,
				       strerror(-ret));
	}
	/* The device takes its queues in turn: what went to the other
	 * queue must be taken first to keep the recorded order. */
	if (r->last_queue >= 0 && r->last_queue != c.queue &&
	    vmm_replay_wait(r, all_popped, 0))
		return diverge(r, rec, "the device did not take the chains "
			       "before it within %u s", r->timeout_s);
	int ret = vmm_replay_poll_note(r, &c);
	if (ret)
		return diverge(r, rec, "seq %u: %s", c.seq, strerror(-ret));
	ret = vmm_replay_push(r, &c);
	if (ret == -ENOSPC) {
		/* The recorded guest waited for descriptors too. */
		uint64_t need = (uint64_t)c.queue << 32 | (c.out_num + c.in_num);
		if (vmm_replay_wait(r, room_for, need))
			return diverge(r, rec, "seq %u: no free descriptors "
				       "within %u s", c.seq, r->timeout_s);
		ret = vmm_replay_push(r, &c);
	}
	if (ret)
		return diverge(r, rec, "seq %u: cannot write the chain (%u + "
			       "%u buffers): %s", c.seq, c.out_num, c.in_num,
			       strerror(-ret));
	return 0;
}

static int replay_record(struct replay *r, const struct sim_capture_rec *rec)
{
	switch (rec->type) {
	case SIM_CAPTURE_CHAIN:
		return push_chain(r, rec);
	case SIM_CAPTURE_RESPONSE:
		return check_response(r, rec);
	case SIM_CAPTURE_CHECKSUM:
		return check_sum(r, rec);
	case SIM_CAPTURE_GUEST_MEM:
	case SIM_CAPTURE_HOST_MEM:
		return write_mem(r, rec);
	case SIM_CAPTURE_FEATURES:
		r->setup.acked = sim_capture_le64(rec->payload + 8);
		return 0;
	case SIM_CAPTURE_STATUS:
		if (sim_capture_le32(rec->payload + 4) != 0 || !r->live)
			return 0;
		/* A reset: what was answered before it was compared. */
		if (vmm_replay_wait(r, all_answered, 0))
			return diverge(r, rec, "the device did not answer the "
				       "chains before the reset");
		return vmm_replay_reset(r);
	default:
		return 0;	/* INFO, CAPSET, NOTIFY, INTERRUPT, END, ... */
	}
}

static int replay_all(struct replay *r, const uint8_t *buf, size_t len)
{
	struct sim_capture_reader rd;
	struct sim_capture_rec rec;
	char err[256];
	int ret = sim_capture_reader_init(&rd, buf, len, err, sizeof(err));

	while (ret == 0 && (ret = sim_capture_reader_next(&rd, &rec, err,
							  sizeof(err))) == 1)
		ret = replay_record(r, &rec);
	/* The first pass reported a missing END already. */
	return ret == -ENODATA && r->partial ? 0 : ret;
}

static void replay_usage(FILE *out)
{
	fprintf(out,
		"Usage: virtgpu-sim replay [OPTIONS] FILE\n"
		"\n"
		"Drive a virtio-gpu device and its renderer from a capture of "
		"--record,\nwith no guest, and compare every response, the "
		"fence order of every\ntimeline and the scanout and read-back "
		"checksums with the recorded ones.\nThe renderer is the "
		"libvirglrenderer the dynamic loader finds: set\n"
		"LD_LIBRARY_PATH to replay on another build "
		"(docs/capture.md).\n"
		"\n"
		"  --render-server     run venus in the render server\n"
		"  --in-process        run venus in this process\n"
		"  --vmm=NAME          answer as NAME's device (" HOST_VMM_NAMES ")\n"
		"                      instead of the recorded personality\n"
		"  --timeout=S         wait at most S seconds for an answer "
		"(default %u)\n"
		"  --partial           replay a capture that ends without its "
		"END record\n"
		"                      (its process died before closing it)\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit status: 0 when nothing diverged, 1 at the first "
		"divergence or for\na corrupt capture (the message names the "
		"file offset, the record and\nthe field), 2 for a usage "
		"error.\n", REPLAY_TIMEOUT_S);
}

/* --vmm, --render-server / --in-process over what the capture says. */
static void override_setup(struct replay *r, int vmm, int server)
{
	if (vmm >= 0)
		r->setup.vmm = (uint32_t)vmm;
	if (server >= 0) {
		r->setup.render_server = server;
		r->setup.venus |= server;
	}
}

static void print_summary(const struct replay *r)
{
	printf("replay: %u chains, %llu responses, %llu fences, %llu "
	       "checksums as recorded\n", r->pushed,
	       (unsigned long long)r->checked_resps,
	       (unsigned long long)r->checked_fences,
	       (unsigned long long)r->checked_sums);
	if (r->repeated_polls)
		printf("replay: %llu vkGetFenceStatus polls repeated until the "
		       "renderer said VK_SUCCESS, as the recorded guest saw\n",
		       (unsigned long long)r->repeated_polls);
}

int vmm_cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "render-server", no_argument, NULL, 's' },
		{ "in-process", no_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "partial", no_argument, NULL, 'P' },
		{ "vmm", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int server = -1, vmm = -1, c;
	bool partial = false;
	uint64_t timeout = REPLAY_TIMEOUT_S;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			replay_usage(stdout);
			return 0;
		case 's':
		case 'p':
			server = c == 's';
			break;
		case 'P':
			partial = true;
			break;
		case 'v': {
			enum host_vmm v;
			if (host_vmm_find(optarg, strlen(optarg), &v)) {
				vmm_usage_error("replay", "--vmm: expected one "
						"of %s", HOST_VMM_NAMES);
				return 2;
			}
			vmm = (int)v;
			break;
		}
		case 't':
			if (vmm_parse_u64(optarg, &timeout) || !timeout ||
			    timeout > 3600) {
				vmm_usage_error("replay", "--timeout: expected "
						"1 to 3600 seconds");
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		vmm_usage_error("replay", "expected one FILE");
		return 2;
	}
	struct replay *r = calloc(1, sizeof(*r));
	uint8_t *buf = NULL;
	size_t len;
	if (!r)
		return 1;
	r->path = argv[optind];
	r->timeout_s = (unsigned)timeout;
	r->partial = partial;
	int ret = vmm_capture_load(r->path, &buf, &len);
	if (ret == 0)
		ret = first_pass(r, buf, len);
	if (ret == 0) {
		override_setup(r, vmm, server);
		ret = vmm_replay_machine_create(r);
		if (ret == 0)
			ret = replay_all(r, buf, len);
		vmm_replay_machine_destroy(r);
	}
	if (ret == 0)
		print_summary(r);
	free(r->answered_in_capture);
	free(r);
	free(buf);
	return ret ? 1 : 0;
}
