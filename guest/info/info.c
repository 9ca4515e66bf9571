// SPDX-License-Identifier: MIT
/*
 * `virtgpu-sim info`, the questions (guest/info/info.h): what the driver and
 * the device answer, asked through kernelmock as a guest program would.
 * The answers are written by guest/info/info_print.c.
 *
 * virtio is little-endian (virtio 1.2 5.7.6 "Device Operation": "All
 * fields are little endian"): commands are built and answers read with
 * htole32/le32toh.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_gpu.h>

#include "guest/info/info.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

/* Linux waits 5 s for capset answers (virtio_gpu_get_caps_ioctl); a
 * device that needs longer for anything here is broken. */
#define GUEST_INFO_TIMEOUT_MS 5000
/* A capset bigger than this is not believed (0.10.4's largest is 1376). */
#define GUEST_INFO_MAX_CAPSET_SIZE (1u << 20)

const char *guest_info_capset_name(uint32_t id)
{
	switch (id) {
	case VIRTGPU_DRM_CAPSET_VIRGL: return "VIRGL";
	case VIRTGPU_DRM_CAPSET_VIRGL2: return "VIRGL2";
	case VIRTGPU_DRM_CAPSET_GFXSTREAM_VULKAN: return "GFXSTREAM_VULKAN";
	case VIRTGPU_DRM_CAPSET_VENUS: return "VENUS";
	case VIRTGPU_DRM_CAPSET_CROSS_DOMAIN: return "CROSS_DOMAIN";
	case VIRTGPU_DRM_CAPSET_DRM: return "DRM";
	}
	return NULL;
}

/* ---- EDID (VESA E-EDID Release A, Revision 2: the 1.4 base block) ---- */

/* The first detailed timing descriptor (bytes 54..71) is the preferred
 * mode when its pixel clock is not 0 (a display descriptor has 0). */
static void edid_preferred(const uint8_t *d, struct guest_edid_summary *s)
{
	uint32_t clock = (uint32_t)d[0] | (uint32_t)d[1] << 8; /* 10 kHz */
	uint32_t hblank, vblank;
	uint64_t total;

	if (!clock)
		return;
	s->has_preferred = true;
	s->clock_khz = clock * 10;
	s->width = d[2] | (uint32_t)(d[4] >> 4) << 8;
	hblank = d[3] | (uint32_t)(d[4] & 0xf) << 8;
	s->height = d[5] | (uint32_t)(d[7] >> 4) << 8;
	vblank = d[6] | (uint32_t)(d[7] & 0xf) << 8;
	total = (uint64_t)(s->width + hblank) * (s->height + vblank);
	if (total)
		s->refresh_mhz = (uint32_t)(((uint64_t)s->clock_khz * 1000000 +
					     total / 2) / total);
}

/* Display product name: descriptor tag 0xfc, up to 13 characters ended
 * by 0x0a. */
static void edid_name(const uint8_t *e, struct guest_edid_summary *s)
{
	for (unsigned d = 54; d < 126; d += 18) {
		const uint8_t *p = e + d;
		size_t n = 0;

		if (p[0] || p[1] || p[3] != 0xfc)
			continue;
		while (n < 13 && p[5 + n] != 0x0a) {
			uint8_t c = p[5 + n];

			s->name[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
		s->name[n] = '\0';
		return;
	}
}

int guest_edid_summarize(const uint8_t *e, size_t len,
			 struct guest_edid_summary *s)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0 };
	uint16_t mfg;
	uint8_t sum = 0;

	if (!e || len < 128)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->header_ok = memcmp(e, header, sizeof(header)) == 0;
	/* Three 5-bit letters, 1 = 'A', big endian, bit 15 reserved. */
	mfg = (uint16_t)(e[8] << 8 | e[9]);
	for (int i = 0; i < 3; i++) {
		unsigned c = (mfg >> (10 - 5 * i)) & 0x1f;

		s->manufacturer[i] = c >= 1 && c <= 26 ? (char)('A' + c - 1)
						       : '?';
	}
	s->product = (uint16_t)(e[10] | e[11] << 8);
	s->serial = (uint32_t)e[12] | (uint32_t)e[13] << 8 |
		    (uint32_t)e[14] << 16 | (uint32_t)e[15] << 24;
	s->week = e[16];
	s->year = 1990u + e[17];
	s->version = e[18];
	s->revision = e[19];
	edid_preferred(e + 54, s);
	edid_name(e, s);
	s->extensions = e[126];
	s->checksum = e[127];
	for (int i = 0; i < 128; i++)
		sum = (uint8_t)(sum + e[i]);
	s->checksum_ok = sum == 0;
	return 0;
}

/* ---- questions ---- */

/*
 * Send one command on the controlq and wait for the answer.  Returns 0
 * when the device answered @want with at least @min_len bytes; otherwise
 * a->ret or a->type says what happened instead.
 */
static int ask(struct km_device *kd, const void *cmd, size_t cmd_len,
	       void *resp, size_t resp_len, uint32_t want, size_t min_len,
	       struct guest_info_answer *a)
{
	const struct virtio_gpu_ctrl_hdr *hdr = resp;
	int ret = km_raw_command(kd, 0, cmd, cmd_len, resp, resp_len,
				 GUEST_INFO_TIMEOUT_MS);

	a->type = 0;
	if (ret >= 0 && (size_t)ret < sizeof(*hdr))
		ret = -EPROTO;		/* not even a header */
	a->ret = ret < 0 ? ret : 0;
	if (ret < 0)
		return ret;
	a->type = le32toh(hdr->type);
	if (a->type != want)
		return -EIO;
	if ((size_t)ret < min_len) {
		a->ret = -EPROTO;	/* the right type, but cut short */
		return -EPROTO;
	}
	return 0;
}

static void ask_version(struct km_file *f, struct guest_info *info)
{
	struct drm_version v = {
		.name_len = sizeof(info->driver_name) - 1,
		.name = info->driver_name,
		.date_len = sizeof(info->driver_date) - 1,
		.date = info->driver_date,
		.desc_len = sizeof(info->driver_desc) - 1,
		.desc = info->driver_desc,
	};

	info->version_ret = km_ioctl(f, DRM_IOCTL_VERSION, &v);
	info->version_major = v.version_major;
	info->version_minor = v.version_minor;
	info->version_patchlevel = v.version_patchlevel;
}

static void ask_params(struct km_file *f, struct guest_info *info)
{
	for (unsigned i = 0; i < GUEST_INFO_NUM_PARAMS; i++) {
		/* The kernel writes an int, whatever the u64 field suggests. */
		int value = 0;
		struct drm_virtgpu_getparam gp = {
			.param = i + 1,
			.value = (uintptr_t)&value,
		};

		info->param_ret[i] = km_ioctl(f, DRM_IOCTL_VIRTGPU_GETPARAM,
					      &gp);
		info->param_value[i] = value;
	}
}

/* GET_CAPSET_INFO for @cs->index, then GET_CAPS at its max_version with
 * its max_size. */
static int ask_capset(struct km_device *kd, struct km_file *f,
		      struct guest_info_capset *cs)
{
	struct virtio_gpu_get_capset_info cmd = {
		.hdr.type = htole32(VIRTIO_GPU_CMD_GET_CAPSET_INFO),
		.capset_index = htole32(cs->index),
	};
	struct virtio_gpu_resp_capset_info resp;

	cs->caps_ret = -ENODATA;
	memset(&resp, 0, sizeof(resp));
	if (ask(kd, &cmd, sizeof(cmd), &resp, sizeof(resp),
		VIRTIO_GPU_RESP_OK_CAPSET_INFO, sizeof(resp), &cs->info))
		return 0;
	cs->id = le32toh(resp.capset_id);
	cs->max_version = le32toh(resp.capset_max_version);
	cs->max_size = le32toh(resp.capset_max_size);
	if (cs->max_size == 0 || cs->max_size > GUEST_INFO_MAX_CAPSET_SIZE) {
		/* GET_CAPS refuses size 0 ("don't allow userspace to pass
		 * 0"), and a huge capset is a device bug. */
		cs->caps_ret = cs->max_size ? -E2BIG : -ENODATA;
		return 0;
	}
	cs->data = calloc(1, cs->max_size);
	if (!cs->data)
		return -ENOMEM;
	struct drm_virtgpu_get_caps gc = {
		.cap_set_id = cs->id,
		.cap_set_ver = cs->max_version,
		.addr = (uintptr_t)cs->data,
		.size = cs->max_size,
	};
	cs->caps_ret = km_ioctl(f, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc);
	return 0;
}

/*
 * Userspace cannot read num_capsets from config space; the driver asked
 * GET_CAPSET_INFO for each index and put each id in
 * SUPPORTED_CAPSET_IDs, so with distinct ids there are as many capsets
 * as bits.  Asking only that many also spares the device an index it
 * would refuse.
 */
static int ask_capsets(struct km_device *kd, struct km_file *f,
		       struct guest_info *info)
{
	const unsigned p = VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs - 1;
	uint32_t mask = (uint32_t)info->param_value[p];
	unsigned n;

	if (info->param_ret[p])
		return 0;
	n = (unsigned)__builtin_popcount(mask);
	if (n > GUEST_INFO_MAX_CAPSETS)
		n = GUEST_INFO_MAX_CAPSETS;
	for (unsigned i = 0; i < n; i++) {
		struct guest_info_capset *cs = &info->capsets[i];

		cs->index = i;
		info->num_capsets = i + 1;
		int ret = ask_capset(kd, f, cs);
		if (ret)
			return ret;
	}
	return 0;
}

static int ask_display(struct km_device *kd, struct guest_info *info)
{
	struct virtio_gpu_ctrl_hdr cmd = {
		.type = htole32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO),
	};
	struct virtio_gpu_resp_display_info *resp = calloc(1, sizeof(*resp));

	if (!resp)
		return -ENOMEM;
	if (ask(kd, &cmd, sizeof(cmd), resp, sizeof(*resp),
		VIRTIO_GPU_RESP_OK_DISPLAY_INFO, sizeof(*resp),
		&info->display) == 0) {
		for (unsigned i = 0; i < VIRTIO_GPU_MAX_SCANOUTS &&
				     i < GUEST_INFO_MAX_SCANOUTS; i++) {
			const struct virtio_gpu_display_one *m =
				&resp->pmodes[i];
			struct guest_info_scanout *s =
				&info->scanouts[info->num_scanouts];

			if (!le32toh(m->enabled))
				continue;
			s->index = i;
			s->enabled = true;
			s->x = le32toh(m->r.x);
			s->y = le32toh(m->r.y);
			s->width = le32toh(m->r.width);
			s->height = le32toh(m->r.height);
			s->flags = le32toh(m->flags);
			info->num_scanouts++;
		}
	}
	free(resp);
	return 0;
}

static int ask_edid(struct km_device *kd, struct guest_info_scanout *s)
{
	struct virtio_gpu_cmd_get_edid cmd = {
		.hdr.type = htole32(VIRTIO_GPU_CMD_GET_EDID),
		.scanout = htole32(s->index),
	};
	struct virtio_gpu_resp_edid *resp = calloc(1, sizeof(*resp));

	if (!resp)
		return -ENOMEM;
	s->edid_asked = true;
	if (ask(kd, &cmd, sizeof(cmd), resp, sizeof(*resp),
		VIRTIO_GPU_RESP_OK_EDID, offsetof(typeof(*resp), edid),
		&s->edid) == 0) {
		s->edid_size = le32toh(resp->size);
		if (s->edid_size > sizeof(s->edid_data)) {
			/* more than the field holds */
			s->edid.ret = -EPROTO;
			s->edid_size = 0;
		}
		memcpy(s->edid_data, resp->edid, s->edid_size);
	}
	free(resp);
	return 0;
}

int guest_info_collect(struct km_device *kd,
		       const struct guest_info_options *opts,
		       struct guest_info **out)
{
	struct guest_info *info = calloc(1, sizeof(*info));
	struct km_file *f;
	bool want_edid = !opts || !opts->have_transport ||
			 (opts->acked & (1ull << VIRTIO_GPU_F_EDID));
	int ret;

	if (!info)
		return -ENOMEM;
	ret = km_open(kd, &f);
	if (ret) {
		free(info);
		return ret;
	}
	ask_version(f, info);
	ask_params(f, info);
	guest__info_ask_kernel(kd, f, info);
	ret = ask_capsets(kd, f, info);
	if (!ret)
		ret = ask_display(kd, info);
	for (unsigned i = 0; !ret && want_edid && i < info->num_scanouts; i++)
		ret = ask_edid(kd, &info->scanouts[i]);
	km_close(f);
	if (ret) {
		guest_info_free(info);
		return ret;
	}
	*out = info;
	return 0;
}

void guest_info_free(struct guest_info *info)
{
	if (!info)
		return;
	for (unsigned i = 0; i < info->num_capsets; i++)
		free(info->capsets[i].data);
	free(info);
}

int guest_info_print(struct km_device *kd, FILE *out,
		     const struct guest_info_options *opts)
{
	struct guest_info *info;
	int ret = guest_info_collect(kd, opts, &info);

	if (ret)
		return ret;
	ret = guest_info_write(info, out, opts);
	guest_info_free(info);
	return ret;
}
