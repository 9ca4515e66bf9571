// SPDX-License-Identifier: MIT
/*
 * Blob resources through the device's virtqueues: RESOURCE_CREATE_BLOB
 * (guest and host3d memory), RESOURCE_MAP_BLOB / UNMAP_BLOB into the
 * host-visible region (bytes visible through sim_hostmem_translate),
 * SET_SCANOUT_BLOB with flush to PNG, and the blob rules of backing,
 * transfers and UUIDs.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/hostmem.h"
#include "sim/gpu_config.h"
#include "sim/log.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "tests/test_host_util.h"

#define OK VIRTIO_GPU_RESP_OK_NODATA
#define OK_MAP VIRTIO_GPU_RESP_OK_MAP_INFO
#define E_UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC
#define E_SCANOUT VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID
#define E_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define E_CTX VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID
#define E_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define NO(f) (TH_ALL_FEATURES & ~(1ull << VIRTIO_GPU_F_##f))
#define GUEST VIRTIO_GPU_BLOB_MEM_GUEST
#define HOST3D VIRTIO_GPU_BLOB_MEM_HOST3D
#define HOST3D_GUEST VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST
#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define SHAREABLE VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE
#define CROSS VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE
#define REGION (1u << 20)

static struct th *make_device(uint64_t hostmem)
{
	struct th_options o = {
		.virgl = true, .scanout_pngs = true, .hostmem_size = hostmem,
	};
	return th_create(&o);
}

/* cmocka hands each test a copy of the group state; the device lives
 * here instead, so that a test may replace it. */
static struct th *device;

static int group_setup(void **state)
{
	sim_log_set_quiet(getenv("VGS_TEST_VERBOSE") == NULL);
	device = make_device(REGION);
	return 0;
}

static int group_teardown(void **state)
{
	th_destroy(device);
	return 0;
}

static int setup(void **state)
{
	*state = device;
	return 0;
}

static int teardown(void **state)
{
	th_reset(device, TH_ALL_FEATURES);
	return 0;
}

/* A virgl buffer of @size bytes in context @ctx, created for blob_id
 * @blob_id with PIPE_RESOURCE_CREATE (FACTS.md: only buffers with flags
 * MAP_PERSISTENT|MAP_COHERENT map). */
static uint32_t pipe_buffer(struct th *h, uint32_t ctx, uint32_t size,
			    uint32_t blob_id)
{
	const uint32_t dw[12] = {
		11u << 16 | 48,		/* VIRGL_CCMD_PIPE_RESOURCE_CREATE */
		0,			/* PIPE_BUFFER */
		64,			/* R8_UNORM */
		0x10,			/* VIRGL_BIND_VERTEX_BUFFER */
		size, 1, 1, 1, 0, 0,
		0x6,			/* MAP_PERSISTENT | MAP_COHERENT */
		blob_id,
	};
	return th_submit_3d(h, ctx, dw, 12);
}

static void test_host_blob_create_guest(void **state)
{
	struct th *h = *state;
	uint64_t gpa = th_alloc(h, 16384);
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, MAPPABLE, 0, 16384, gpa), OK);
	assert_int_equal(th_create_blob(h, 0, 2, GUEST, 0, 0, 100, gpa), OK);
	/* No entries (row BL12): QEMU's virgl device and crosvm hand the
	 * entries to virglrenderer with the create, which refuses fewer
	 * bytes than size; Linux sends them in the same command. */
	assert_int_equal(th_create_blob(h, 0, 3, GUEST, 0, 0, 4096, 0), E_UNSPEC);
	/* no such resource: QEMU's virgl device answers OK (row R5B) */
	assert_int_equal(th_attach(h, 3, gpa, 4096), OK);
	assert_int_equal(th_create_blob(h, 0, 3, GUEST, 0, 0, 4096, gpa), OK);
	static const struct {
		const char *desc;
		uint32_t id, mem, flags;
		uint64_t blob_id, size;
		uint32_t want;
	} bad[] = {
		{ "resource_id 0", 0, GUEST, 0, 0, 4096, E_RES },
		{ "resource_id in use", 1, GUEST, 0, 0, 4096, E_RES },
		/* rows BL1, BL3: virglrenderer refuses (QEMU, crosvm) */
		{ "blob_mem 0", 9, 0, 0, 0, 4096, E_UNSPEC },
		{ "blob_mem 4", 9, 4, 0, 0, 4096, E_UNSPEC },
		/* row BL2: undefined flags are not looked at: created */
		{ "blob_flags 8", 11, GUEST, 8, 0, 4096, OK },
		{ "size 0", 9, GUEST, 0, 0, 0, E_UNSPEC },
		{ "size 2^64 - 1", 9, GUEST, 0, 0, ~0ull, E_PARAM },
		/* row BL8: not looked at */
		{ "blob_id of a guest blob", 10, GUEST, 0, 5, 4096, OK },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t got = th_create_blob(h, 0, bad[i].id, bad[i].mem,
					      bad[i].flags, bad[i].blob_id,
					      bad[i].size, gpa);
		if (got != bad[i].want)
			fail_msg("%s: got 0x%x, want 0x%x", bad[i].desc, got,
				 bad[i].want);
	}
	assert_int_equal(th_unref(h, 10), OK);
	assert_int_equal(th_unref(h, 11), OK);
	/* entries holding less than size: virglrenderer refuses (row BL9) */
	struct {
		struct virtio_gpu_resource_create_blob b;
		struct virtio_gpu_mem_entry e;
	} c = {
		.b.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, 0),
		.b.resource_id = htole32(9), .b.blob_mem = htole32(GUEST),
		.b.size = htole64(8192), .b.nr_entries = htole32(1),
		.e.addr = htole64(gpa), .e.length = htole32(4096),
	};
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), E_UNSPEC);
	c.b.nr_entries = htole32(2);		/* one follows: row B3 */
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), E_UNSPEC);
	c.b.nr_entries = htole32(1);
	c.e.addr = htole64(1ull << 40);
	c.e.length = htole32(8192);
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), E_UNSPEC);	/* row B3 */
	/* Offered, not negotiated: QEMU's virgl device runs it, its 2D
	 * device does not (row F0). */
	th_renegotiate(h, NO(RESOURCE_BLOB));
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, 0, 0, 4096, gpa), OK);
	th_renegotiate(h, NO(RESOURCE_BLOB) & NO(VIRGL) & NO(CONTEXT_INIT));
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, 0, 0, 4096, gpa), E_UNSPEC);
	/* QEMU's 2D device and Rutabaga2D keep a guest blob without
	 * entries until ATTACH_BACKING (row BL12, 2D column). */
	th_renegotiate(h, NO(VIRGL) & NO(CONTEXT_INIT));
	assert_int_equal(th_create_blob(h, 0, 3, GUEST, 0, 0, 4096, 0), OK);
	assert_int_equal(th_attach(h, 3, gpa, 4096), OK);
	th_release(h, gpa, 16384);
}

static void test_host_blob_create_host3d(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	assert_int_equal(pipe_buffer(h, 1, 8192, 7), OK);
	assert_int_equal(th_create_blob(h, 1, 1, HOST3D, MAPPABLE, 7, 8192, 0), OK);
	assert_int_equal(pipe_buffer(h, 1, 8192, 8), OK);
	uint64_t gpa = th_alloc(h, 8192);
	/* blob_mem HOST3D takes no guest memory: QEMU and crosvm do not
	 * read the entries (row BL7) */
	assert_int_equal(pipe_buffer(h, 1, 8192, 9), OK);
	assert_int_equal(th_create_blob(h, 1, 3, HOST3D, 0, 9, 8192, gpa), OK);
	assert_int_equal(th_unref(h, 3), OK);
	/* unknown blob_id: the renderer refuses (row BL10) */
	assert_int_equal(th_create_blob(h, 1, 2, HOST3D, 0, 99, 8192, 0), E_UNSPEC);
	/* HOST3D needs a context (row BL6) */
	assert_int_equal(th_create_blob(h, 0, 2, HOST3D, 0, 8, 8192, 0), E_UNSPEC);
	assert_int_equal(th_create_blob(h, 5, 2, HOST3D, 0, 8, 8192, 0), E_UNSPEC);
	assert_int_equal(th_create_blob(h, 1, 2, HOST3D_GUEST, 0, 8, 8192, gpa), OK);
	/* ... and F_VIRGL (5.7.6.8) */
	th_renegotiate(h, NO(VIRGL) & NO(CONTEXT_INIT));
	assert_int_equal(th_create_blob(h, 1, 2, HOST3D, 0, 8, 8192, 0), E_PARAM);
	th_release(h, gpa, 8192);
}

static void fill(struct th *h, uint64_t gpa, size_t len, uint8_t seed)
{
	uint8_t *b = malloc(len);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seed + i * 7);
	assert_int_equal(sim_ram_write(h->ram, gpa, b, len), 0);
	free(b);
}

/* GUEST blob (row M6): neither QEMU nor crosvm can map one (virglrenderer
 * has no memory of an iovec resource to map); the guest maps its own
 * pages instead.  The refusal leaves the region and the pages alone. */
static void test_host_blob_map_guest(void **state)
{
	struct th *h = *state;
	uint64_t gpa = th_alloc(h, 3 * 4096);
	fill(h, gpa, 3 * 4096, 3);
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, MAPPABLE, 0, 10000, gpa), OK);
	assert_int_equal(th_map_blob(h, 1, 0x20000, NULL), E_UNSPEC);
	assert_int_equal(sim_hostmem_windows(h->hostmem), 0);
	assert_null(sim_hostmem_translate(h->hostmem, 0x20000, 1));
	assert_int_equal(th_unmap_blob(h, 1), OK);	/* not mapped: U1 */
	assert_int_equal(th_unmap_blob(h, 2), E_RES);
	assert_int_equal(th_detach(h, 1), OK);
	th_release(h, gpa, 3 * 4096);
	/* the same in every personality and on QEMU's 2D device */
	th_destroy(device);
	struct th_options o = {
		.virgl = true, .hostmem_size = REGION, .crosvm = true,
	};
	h = th_create(&o);
	gpa = th_alloc(h, 4096);
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, MAPPABLE, 0, 4096, gpa), OK);
	assert_int_equal(th_map_blob(h, 1, 0, NULL), E_UNSPEC);
	th_renegotiate(h, NO(VIRGL) & NO(CONTEXT_INIT));
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, MAPPABLE, 0, 4096, gpa), OK);
	assert_int_equal(th_map_blob(h, 1, 0, NULL), E_UNSPEC);
	assert_int_equal(sim_hostmem_windows(h->hostmem), 0);
	th_release(h, gpa, 4096);
	th_destroy(h);
	device = make_device(REGION);
}

/* HOST3D blob: the renderer's memory; bytes written through the region
 * stay in the blob across an unmap and a map elsewhere. */
static void test_host_blob_map_host3d(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	assert_int_equal(pipe_buffer(h, 1, 8192, 7), OK);
	assert_int_equal(th_create_blob(h, 1, 1, HOST3D, MAPPABLE, 7, 8192, 0), OK);
	uint32_t info = 0xff;
	assert_int_equal(th_map_blob(h, 1, 0x10000, &info), OK_MAP);
	assert_in_range(info, VIRTIO_GPU_MAP_CACHE_CACHED, VIRTIO_GPU_MAP_CACHE_WC);
	uint8_t *p = sim_hostmem_translate(h->hostmem, 0x10000, 8192);
	assert_non_null(p);
	for (int i = 0; i < 8192; i++)
		p[i] = (uint8_t)(i ^ 0xa5);
	assert_int_equal(th_unmap_blob(h, 1), OK);
	assert_null(sim_hostmem_translate(h->hostmem, 0x10000, 1));
	assert_int_equal(th_map_blob(h, 1, 0xf0000, NULL), OK_MAP);
	p = sim_hostmem_translate(h->hostmem, 0xf0000, 8192);
	assert_non_null(p);
	for (int i = 0; i < 8192; i++)
		if (p[i] != (uint8_t)(i ^ 0xa5))
			fail_msg("byte %d is 0x%02x", i, p[i]);
	/* RESOURCE_UNREF of a mapped blob unmaps it */
	assert_int_equal(th_unref(h, 1), OK);
	assert_int_equal(sim_hostmem_windows(h->hostmem), 0);
	/* Without USE_MAPPABLE (driver rule BLOB_FLAGS): QEMU and crosvm
	 * map what the renderer can map, whatever the flags (row M1M). */
	assert_int_equal(pipe_buffer(h, 1, 4096, 8), OK);
	assert_int_equal(th_create_blob(h, 1, 2, HOST3D, 0, 8, 4096, 0), OK);
	assert_int_equal(th_map_blob(h, 2, 0x20000, NULL), OK_MAP);
	assert_non_null(sim_hostmem_translate(h->hostmem, 0x20000, 4096));
	struct host_violation v[8];
	unsigned n = host_device_violations(h->dev, v, 8), i = 0;
	while (i < n && strcmp(v[i].rule, "BLOB_FLAGS"))
		i++;
	assert_true(i < n);
	assert_string_equal(v[i].command, "RESOURCE_MAP_BLOB");
	assert_int_equal(th_unref(h, 2), OK);
	/* The region is the device's shared memory region shmid 1. */
	assert_ptr_equal(sim_transport_get_shm(h->t, SIM_SHM_ID_HOST_VISIBLE),
			 h->hostmem);
	assert_null(sim_transport_get_shm(h->t, 2));
}

/* A blob the renderer cannot map (0.10.4: HOST3D virgl textures) is an
 * ERR_UNSPEC for the map, not a crash; the region stays untouched. */
static void test_host_blob_map_renderer_refuses(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	const uint32_t dw[12] = {
		11u << 16 | 48, 2 /* PIPE_TEXTURE_2D */,
		VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 2 /* RENDER_TARGET */,
		64, 64, 1, 1, 0, 0, 0, 5,
	};
	assert_int_equal(th_submit_3d(h, 1, dw, 12), OK);
	assert_int_equal(th_create_blob(h, 1, 1, HOST3D, MAPPABLE, 5,
					64 * 64 * 4, 0), OK);
	assert_int_equal(th_map_blob(h, 1, 0, NULL), E_UNSPEC);
	assert_int_equal(sim_hostmem_windows(h->hostmem), 0);
	assert_int_equal(th_unmap_blob(h, 1), OK);	/* not mapped: U1 */
}

static void test_host_blob_map_refusals(void **state)
{
	struct th *h = *state;
	uint64_t gpa = th_alloc(h, 3 * 4096);
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	assert_int_equal(pipe_buffer(h, 1, 8192, 7), OK);
	assert_int_equal(th_create_blob(h, 1, 1, HOST3D, MAPPABLE, 7, 8192, 0), OK);
	assert_int_equal(pipe_buffer(h, 1, 4096, 8), OK);
	assert_int_equal(th_create_blob(h, 1, 2, HOST3D, MAPPABLE, 8, 4096, 0), OK);
	assert_int_equal(th_create_blob(h, 0, 3, GUEST, 0, 0, 4096, gpa), OK);
	/* an entry that does not start on a page */
	assert_int_equal(th_create_blob(h, 0, 4, GUEST, MAPPABLE, 0, 4096,
					gpa + 16), OK);
	assert_int_equal(th_create_2d(h, 5, 1, 16, 16), OK);
	static const struct {
		const char *desc;
		uint32_t id;
		uint64_t offset;
		uint32_t want;
	} bad[] = {
		{ "unknown resource", 9, 0, E_RES },
		{ "offset not page aligned", 1, 0x800, E_PARAM },
		{ "past the region", 1, REGION - 4096, E_PARAM },
		{ "offset past the region", 1, REGION + 4096, E_PARAM },
		{ "offset wraps", 1, ~0ull - 4095, E_PARAM },
		/* row M6: guest blobs, whatever their flags and entries */
		{ "guest blob, not MAPPABLE", 3, 0, E_UNSPEC },
		{ "2D resource", 5, 0, E_UNSPEC },	/* row M1 */
		{ "guest blob, unaligned mem entry", 4, 0, E_UNSPEC },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t got = th_map_blob(h, bad[i].id, bad[i].offset, NULL);
		if (got != bad[i].want)
			fail_msg("%s: got 0x%x, want 0x%x", bad[i].desc, got,
				 bad[i].want);
	}
	assert_int_equal(th_map_blob(h, 1, 0x4000, NULL), OK_MAP);
	assert_int_equal(th_map_blob(h, 1, 0x8000, NULL), E_UNSPEC);	/* M2 */
	/* overlapping the first window from either side */
	assert_int_equal(th_map_blob(h, 2, 0x5000, NULL), E_PARAM);
	assert_int_equal(th_map_blob(h, 2, 0x3000, NULL), OK_MAP);
	assert_int_equal(sim_hostmem_windows(h->hostmem), 2);
	/* without F_VIRGL the 3D commands are not there */
	th_renegotiate(h, NO(VIRGL) & NO(CONTEXT_INIT));
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, MAPPABLE, 0, 8192, gpa), OK);
	assert_int_equal(th_map_blob(h, 1, 0, NULL), E_UNSPEC);
	assert_int_equal(th_unmap_blob(h, 1), E_UNSPEC);
	th_release(h, gpa, 3 * 4096);
}

/* A device without a host-visible region cannot map (5.7.6.9). */
static void test_host_blob_no_region(void **state)
{
	th_destroy(device);
	struct th *h = make_device(0);
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	assert_int_equal(pipe_buffer(h, 1, 4096, 7), OK);
	assert_int_equal(th_create_blob(h, 1, 1, HOST3D, MAPPABLE, 7, 4096, 0), OK);
	assert_int_equal(th_map_blob(h, 1, 0, NULL), E_UNSPEC);
	th_destroy(h);
	device = make_device(REGION);
}

/* virtio 1.4 VIRTIO_GPU_F_BLOB_ALIGNMENT: the config field reads back,
 * a blob size and a map offset off the alignment are refused, aligned
 * ones work; without the feature the old 16-byte config and page rules. */
static void test_host_blob_alignment(void **state)
{
	struct sim_gpu_config cfg;
	struct th_options o = {
		.virgl = true, .hostmem_size = REGION, .blob_alignment = 65536,
	};

	th_destroy(device);
	struct th *h = th_create(&o);
	assert_int_equal(sim_transport_read_config(h->t, 0, &cfg, sizeof(cfg)),
			 0);
	assert_int_equal(le32toh(cfg.blob_alignment), 65536);
	uint64_t gpa = th_alloc(h, 65536);
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, MAPPABLE, 0, 4096, gpa),
			 E_PARAM);
	/* a mappable host blob for the offset rule (guest blobs: row M6) */
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	assert_int_equal(pipe_buffer(h, 1, 65536, 7), OK);
	assert_int_equal(th_create_blob(h, 1, 1, HOST3D, MAPPABLE, 7, 65536, 0),
			 OK);
	assert_int_equal(th_map_blob(h, 1, 4096, NULL), E_PARAM);
	assert_int_equal(th_map_blob(h, 1, 65536, NULL), OK_MAP);
	assert_int_equal(th_unmap_blob(h, 1), OK);
	assert_int_equal(th_unref(h, 1), OK);
	/* Both are driver rules (virtio 1.4 5.7.6.8.1, 5.7.6.9.1): the
	 * conformance report has them, once each; and so the write to
	 * events_read (5.7.4.1 "The driver MUST NOT write to this field"). */
	uint32_t zero = 0;
	assert_int_equal(sim_transport_write_config(h->t, 0, &zero, 4), 0);
	struct host_violation v[8];
	assert_int_equal(host_device_violations(h->dev, v, 8), 3);
	assert_string_equal(v[0].rule, "EVENTS_READ");
	assert_string_equal(v[0].command, "config write");
	assert_string_equal(v[1].rule, "BLOB_SIZE_ALIGN");
	assert_string_equal(v[1].command, "RESOURCE_CREATE_BLOB");
	assert_string_equal(v[1].fields,
			    "resource_id 1, size 4096, blob_alignment 65536");
	assert_string_equal(v[2].rule, "MAP_OFFSET_ALIGN");
	for (unsigned i = 0; i < 3; i++) {
		assert_string_equal(v[i].level, "MUST");
		assert_int_equal(v[i].count, 1);
	}
	assert_true(v[2].first_cmd > v[1].first_cmd);
	th_release(h, gpa, 65536);
	th_destroy(h);

	/* crosvm (2023-08 to 2026-07) offers bit 5 as its FENCE_PASSING:
	 * negotiated by a guest that takes it for BLOB_ALIGNMENT, it brings
	 * no blob_alignment field and no alignment rule (docs/device-
	 * answers.md, section 3). */
	o.crosvm = true;
	h = th_create(&o);
	assert_true(sim_transport_acked_features(h->t) &
		    (1ull << SIM_GPU_F_BLOB_ALIGNMENT));
	assert_int_equal(sim_transport_config_size(h->t), 16);
	assert_int_equal(sim_transport_read_config(h->t, 16, &cfg, 4), -EINVAL);
	gpa = th_alloc(h, 4096);
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, MAPPABLE, 0, 4096, gpa),
			 OK);
	assert_int_equal(th_unref(h, 1), OK);
	assert_int_equal(host_device_violations(h->dev, v, 8), 0);
	th_release(h, gpa, 4096);
	th_destroy(h);

	device = make_device(REGION);
	h = device;
	assert_int_equal(sim_transport_read_config(h->t, 16, &cfg, 4), -EINVAL);
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	assert_int_equal(pipe_buffer(h, 1, 4096, 7), OK);
	assert_int_equal(th_create_blob(h, 1, 1, HOST3D, MAPPABLE, 7, 4096, 0),
			 OK);
	assert_int_equal(th_map_blob(h, 1, 4096, NULL), OK_MAP);
	assert_int_equal(th_unmap_blob(h, 1), OK);
	assert_int_equal(th_unref(h, 1), OK);
}

/* Transfers: a mapped blob is refused (virglrenderer 0.10.4 would kill
 * the context), an unmapped guest blob goes to the renderer. */
static void test_host_blob_transfers(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, 0), OK);
	uint64_t gpa = th_alloc(h, 8192);
	assert_int_equal(th_create_blob(h, 1, 1, GUEST, MAPPABLE, 0, 8192, gpa), OK);
	assert_int_equal(th_ctx_attach(h, 1, 1), OK);
	assert_int_equal(pipe_buffer(h, 1, 4096, 4), OK);
	assert_int_equal(th_create_blob(h, 1, 3, HOST3D, MAPPABLE, 4, 4096, 0), OK);
	assert_int_equal(th_ctx_attach(h, 1, 3), OK);
	assert_int_equal(th_map_blob(h, 3, 0, NULL), OK_MAP);
	assert_int_equal(th_transfer_3d(h, false, 1, 3, 16, 1, 0), E_UNSPEC);
	assert_int_equal(th_transfer_3d(h, true, 1, 3, 16, 1, 0), E_UNSPEC);
	assert_int_equal(th_unmap_blob(h, 3), OK);
	/* no 2D image in a blob: OK, nothing done (row T4) */
	assert_int_equal(th_transfer_2d(h, 1, 0, 0, 1, 1, 0), OK);
	/* HOST3D blobs take no backing; others may */
	assert_int_equal(pipe_buffer(h, 1, 4096, 3), OK);
	assert_int_equal(th_create_blob(h, 1, 2, HOST3D, 0, 3, 4096, 0), OK);
	/* QEMU ignores virglrenderer's refusal: OK (row B8) */
	assert_int_equal(th_attach(h, 2, gpa, 4096), OK);
	th_release(h, gpa, 8192);
}

static uint32_t uuid_of(struct th *h, uint32_t id)
{
	struct virtio_gpu_resource_assign_uuid c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID, 0),
		.resource_id = htole32(id),
	};
	struct virtio_gpu_resp_resource_uuid r;
	return th_cmd(h, TH_CTRLQ, &c, sizeof(c), &r, sizeof(r));
}

static void test_host_blob_uuid_needs_cross_device(void **state)
{
	struct th *h = *state;
	uint64_t gpa = th_alloc(h, 4096);
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, SHAREABLE, 0, 4096, gpa), OK);
	assert_int_equal(th_create_blob(h, 0, 2, GUEST, SHAREABLE | CROSS, 0,
					4096, gpa), OK);
	assert_int_equal(uuid_of(h, 1), E_UNSPEC);	/* QEMU: row A1 */
	assert_int_equal(uuid_of(h, 2), VIRTIO_GPU_RESP_OK_RESOURCE_UUID);
	th_release(h, gpa, 4096);
}

static uint32_t scanout_blob(struct th *h, uint32_t scanout, uint32_t id,
			     uint32_t w, uint32_t hgt, uint32_t format,
			     uint32_t stride, uint32_t offset,
			     const struct virtio_gpu_rect *r, uint32_t stride1)
{
	struct virtio_gpu_set_scanout_blob c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, 0),
		.r = { htole32(r->x), htole32(r->y), htole32(r->width),
		       htole32(r->height) },
		.scanout_id = htole32(scanout), .resource_id = htole32(id),
		.width = htole32(w), .height = htole32(hgt),
		.format = htole32(format),
		.strides = { htole32(stride), htole32(stride1) },
		.offsets = { htole32(offset) },
	};
	return th_cmd0(h, &c, sizeof(c));
}

/* A guest blob holding a 16x16 R8G8B8A8 image (QEMU shows nothing
 * smaller than 16x16, row S9) at offset 256 with rows of
 * 128 bytes; the scanout shows its 8x4 part at 4,2. */
static void test_host_blob_scanout_guest(void **state)
{
	struct th *h = *state;
	const uint32_t size = 256 + 16 * 128;
	uint64_t gpa = th_alloc(h, size);
	uint8_t *img = calloc(1, size);
	for (uint32_t y = 0; y < 16; y++)
		for (uint32_t x = 0; x < 16; x++) {
			uint8_t *p = img + 256 + y * 128 + x * 4;
			p[0] = (uint8_t)x, p[1] = (uint8_t)y, p[2] = 9, p[3] = 0x77;
		}
	assert_int_equal(sim_ram_write(h->ram, gpa, img, size), 0);
	free(img);
	assert_int_equal(th_create_blob(h, 0, 1, GUEST, 0, 0, size, gpa), OK);
	const uint32_t rgba = VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM;
	struct virtio_gpu_rect r = { 4, 2, 8, 4 };
	assert_int_equal(scanout_blob(h, 0, 1, 16, 16, rgba, 128, 256, &r, 0), OK);
	assert_int_equal(th_flush(h, 1, 0, 0, 16, 16), OK);
	char path[128];
	uint32_t w, hgt;
	snprintf(path, sizeof(path), "%s/scanout0-0000.png", h->png_dir);
	uint8_t *px = th_png_read(path, &w, &hgt);
	assert_non_null(px);
	assert_int_equal(w, 8);
	assert_int_equal(hgt, 4);
	for (uint32_t y = 0; y < hgt; y++)
		for (uint32_t x = 0; x < w; x++) {
			const uint8_t *p = px + (y * w + x) * 4;
			const uint8_t want[4] = { (uint8_t)(x + 4), (uint8_t)(y + 2),
						  9, 0x77 };
			assert_memory_equal(p, want, 4);
		}
	free(px);
	/* past the framebuffer but touching the scanout: no VMM checks
	 * a blob's flush rect against it (row L2 is a rect touching none) */
	assert_int_equal(th_flush(h, 1, 0, 0, 17, 16), OK);

	static const struct {
		const char *desc;
		uint32_t scanout, id, w, hgt, format, stride, offset, stride1;
		struct virtio_gpu_rect r;
		uint32_t want;
	} bad[] = {
		{ "scanout 1 of 1", 1, 1, 16, 16, 67, 128, 256, 0, { 0, 0, 16, 16 }, E_SCANOUT },
		{ "unknown resource", 0, 9, 16, 16, 67, 128, 256, 0, { 0, 0, 16, 16 }, E_RES },
		{ "format 0", 0, 1, 16, 16, 0, 128, 256, 0, { 0, 0, 16, 16 }, E_PARAM },
		/* neither VMM compares them (row S9S) */
		{ "stride below width * 4", 0, 1, 16, 16, 67, 60, 256, 0, { 0, 0, 16, 16 }, OK },
		{ "width 0", 0, 1, 0, 16, 67, 128, 256, 0, { 0, 0, 0, 16 }, E_PARAM },
		{ "past the blob", 0, 1, 16, 16, 67, 128, 400, 0, { 0, 0, 16, 16 }, E_PARAM },
		{ "rows past the blob", 0, 1, 16, 17, 67, 128, 256, 0, { 0, 0, 16, 16 }, E_PARAM },
		{ "rect outside", 0, 1, 16, 16, 67, 128, 256, 0, { 1, 0, 16, 16 }, E_PARAM },
		{ "empty rect", 0, 1, 16, 16, 67, 128, 256, 0, { 0, 0, 0, 16 }, E_PARAM },
		/* not looked at (row S12) */
		{ "a second plane", 0, 1, 16, 16, 67, 128, 256, 64, { 0, 0, 16, 16 }, OK },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t got = scanout_blob(h, bad[i].scanout, bad[i].id, bad[i].w,
					    bad[i].hgt, bad[i].format, bad[i].stride,
					    bad[i].offset, &bad[i].r, bad[i].stride1);
		if (got != bad[i].want)
			fail_msg("%s: got 0x%x, want 0x%x", bad[i].desc, got,
				 bad[i].want);
	}
	/* not a blob; and resource 0 disables */
	assert_int_equal(th_create_2d(h, 2, 1, 16, 16), OK);
	/* QEMU's virgl device: no dmabuf, ERR_UNSPEC (row S7) */
	assert_int_equal(scanout_blob(h, 0, 2, 16, 16, rgba, 128, 0, &r, 0),
			 E_UNSPEC);
	assert_int_equal(th_set_scanout(h, 0, 1, 0, 0, 16, 8), E_PARAM);
	assert_int_equal(scanout_blob(h, 0, 0, 0, 0, 0, 0, 0, &r, 0), OK);
	th_release(h, gpa, size);
}

/* A HOST3D buffer blob on a scanout: pixels written through the region
 * are what the flush shows, mapped or not. */
static void test_host_blob_scanout_host3d(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, 0), OK);
	assert_int_equal(pipe_buffer(h, 1, 4096, 1), OK);
	assert_int_equal(th_create_blob(h, 1, 1, HOST3D, MAPPABLE, 1, 4096, 0), OK);
	assert_int_equal(th_map_blob(h, 1, 0, NULL), OK_MAP);
	uint32_t *p = sim_hostmem_translate(h->hostmem, 0, 4096);
	for (int i = 0; i < 1024; i++)
		p[i] = htole32(0xff0000ff);	/* B8G8R8A8: blue */
	struct virtio_gpu_rect r = { 0, 0, 32, 32 };
	assert_int_equal(scanout_blob(h, 0, 1, 32, 32, 1, 128, 0, &r, 0), OK);
	assert_int_equal(th_flush(h, 1, 0, 0, 32, 32), OK);
	assert_int_equal(th_unmap_blob(h, 1), OK);
	assert_int_equal(th_flush(h, 1, 0, 0, 32, 32), OK);
	for (int n = 0; n < 2; n++) {
		char path[128];
		uint32_t w, hgt;
		snprintf(path, sizeof(path), "%s/scanout0-%04d.png", h->png_dir, n);
		uint8_t *px = th_png_read(path, &w, &hgt);
		assert_non_null(px);
		const uint8_t want[4] = { 0, 0, 0xff, 0xff };
		for (uint32_t i = 0; i < w * hgt; i++)
			assert_memory_equal(px + i * 4, want, 4);
		free(px);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_host_blob_create_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_create_host3d, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_map_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_map_host3d, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_map_renderer_refuses,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_map_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_no_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_transfers, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_host_blob_uuid_needs_cross_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_scanout_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_blob_scanout_host3d, setup, teardown),
	};
	return cmocka_run_group_tests_name("host_blob", tests, group_setup,
					   group_teardown);
}
