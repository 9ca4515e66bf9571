/* SPDX-License-Identifier: MIT */
/*
 * `virtgpu-sim info`: what a simulated virtio-gpu device offers, learned
 * the way a guest learns it (the stack's vulkaninfo).  Everything comes
 * through kernelmock: DRM_IOCTL_VERSION, GETPARAM 1..8 and GET_CAPS on
 * the render node, and GET_CAPSET_INFO, GET_DISPLAY_INFO and GET_EDID as
 * raw virtio commands on the controlq (km_raw_command), never from host
 * state.  The capsets are decoded by guest/virgl/caps_virgl.h and
 * guest/venus/caps_venus.h.
 */
#ifndef GUEST_INFO_H
#define GUEST_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct km_device;

struct guest_info_options {
	bool json;		/* JSON instead of the text summary */
	/*
	 * The transport's feature bits, when the caller can see them (the
	 * CLI reads them from the machine's transport).  Without them only
	 * the guest's view is shown, and EDID support is found by sending
	 * GET_EDID (a device without VIRTIO_GPU_F_EDID refuses it and logs
	 * a guest error).
	 */
	bool have_transport;
	uint64_t offered;
	uint64_t acked;
	/* The host stack, when the caller knows it (the VMM asks the device
	 * model): virglrenderer's version and the host GL driver's
	 * GL_VERSION, GL_RENDERER.  NULL leaves the line out. */
	const char *host_virglrenderer;
	const char *host_gl;
};

/* What the EDID base block (VESA E-EDID 1.4, 128 bytes) says. */
struct guest_edid_summary {
	bool header_ok;		/* 00 ff ff ff ff ff ff 00 */
	char manufacturer[4];	/* three letters, e.g. "VGS" */
	uint16_t product;
	uint32_t serial;
	unsigned week, year;
	unsigned version, revision;
	bool has_preferred;	/* the first detailed timing descriptor */
	uint32_t width, height;	/* its active pixels */
	uint32_t clock_khz;	/* its pixel clock */
	uint32_t refresh_mhz;	/* its refresh rate in millihertz */
	char name[14];		/* display product name, or "" */
	unsigned extensions;	/* extension blocks that follow */
	uint8_t checksum;	/* byte 127 */
	bool checksum_ok;	/* all 128 bytes sum to 0 mod 256 */
};

/* -EINVAL when @len < 128. */
int guest_edid_summarize(const uint8_t *edid, size_t len,
			 struct guest_edid_summary *out);

#define GUEST_INFO_MAX_CAPSETS 16u
#define GUEST_INFO_MAX_SCANOUTS 16u	/* VIRTIO_GPU_MAX_SCANOUTS */
#define GUEST_INFO_NUM_PARAMS 9u	/* VIRTGPU_PARAM_3D_FEATURES .. 9 */
#define GUEST_INFO_KERNEL_ROWS 12u

/* The answer to one raw virtio command. */
struct guest_info_answer {
	int ret;		/* 0, or -errno when there was no answer */
	uint32_t type;		/* VIRTIO_GPU_RESP_* when ret is 0 */
};

struct guest_info_capset {
	uint32_t index;		/* GET_CAPSET_INFO capset_index */
	struct guest_info_answer info;
	uint32_t id, max_version, max_size;
	int caps_ret;		/* GET_CAPS ioctl: 0 or -errno */
	uint8_t *data;		/* max_size bytes when caps_ret is 0 */
};

struct guest_info_scanout {
	uint32_t index;
	bool enabled;
	uint32_t x, y, width, height, flags;
	bool edid_asked;
	struct guest_info_answer edid;
	uint32_t edid_size;
	uint8_t edid_data[1024];
};

struct guest_info {
	int version_ret;	/* DRM_IOCTL_VERSION */
	int version_major, version_minor, version_patchlevel;
	char driver_name[32], driver_date[32], driver_desc[64];

	int param_ret[GUEST_INFO_NUM_PARAMS];	/* [param - 1] */
	int param_value[GUEST_INFO_NUM_PARAMS];

	unsigned num_capsets;
	struct guest_info_capset capsets[GUEST_INFO_MAX_CAPSETS];

	struct guest_info_answer display;	/* GET_DISPLAY_INFO */
	unsigned num_scanouts;			/* the enabled ones */
	struct guest_info_scanout scanouts[GUEST_INFO_MAX_SCANOUTS];

	/* The guest kernel: its Linux version and what that version
	 * offers, as key/value lines (info_kernel.c). */
	unsigned kernel_rows;
	struct {
		const char *key;
		char value[200];
	} kernel[GUEST_INFO_KERNEL_ROWS];
};

/*
 * Ask the device through @kd (a driver that finished probing) and fill
 * *out, which the caller frees with guest_info_free().  @opts may be
 * NULL.  Returns 0, -ENOMEM, or the errno of opening the render node;
 * failures of single questions are recorded in the result, not returned.
 */
int guest_info_collect(struct km_device *kd,
		       const struct guest_info_options *opts,
		       struct guest_info **out);
void guest_info_free(struct guest_info *info);

/* info_kernel.c: fill info->kernel for the driver behind @kd and @f. */
struct km_file;
void guest__info_ask_kernel(struct km_device *kd, struct km_file *f,
			    struct guest_info *info);

/* Write @info as text or JSON (@opts->json).  -EIO on a write error. */
int guest_info_write(const struct guest_info *info, FILE *out,
		     const struct guest_info_options *opts);

/* guest_info_collect + guest_info_write + guest_info_free. */
int guest_info_print(struct km_device *kd, FILE *out,
		     const struct guest_info_options *opts);

/* "VIRGL", "VIRGL2", "VENUS", ... or NULL for an unknown capset id. */
const char *guest_info_capset_name(uint32_t id);

#endif
