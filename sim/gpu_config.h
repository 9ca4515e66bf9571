/* SPDX-License-Identifier: MIT */
/*
 * What virtio 1.4 added to the GPU device that <linux/virtio_gpu.h> of
 * Debian 12 (Linux 6.1) does not have, declared from the specification:
 * oasis-tcs/virtio-spec commit f9abfd55cb66 "virtio-gpu: support blob
 * alignment information", in v1.4 (device-types/gpu/description.tex).
 *  - feature bit 5, VIRTIO_GPU_F_BLOB_ALIGNMENT: the config field
 *    blob_alignment is valid; it requires VIRTIO_GPU_F_RESOURCE_BLOB;
 *  - struct virtio_gpu_config gains a fifth le32, blob_alignment, the
 *    alignment in bytes (a power of two) that the driver MUST give a
 *    RESOURCE_CREATE_BLOB size and a RESOURCE_MAP_BLOB offset.
 * Linux 7.2 drives it (commit 7b5121c3374e, docs/kernel-versions.md).
 * crosvm uses bit 5 for a feature of its own that upstream does not have
 * (docs/device-answers.md).
 */
#ifndef SIM_GPU_CONFIG_H
#define SIM_GPU_CONFIG_H

#include <stdint.h>
#include <linux/virtio_gpu.h>

#define SIM_GPU_F_BLOB_ALIGNMENT 5

/*
 * The device feature bits (virtio 1.4 5.7.3 "Feature bits"), written
 * once: X(NAME, name, bit).  The device's gate messages, the option
 * parser and --help, the scenario language's feature names and `info`
 * all derive from it.
 */
#define SIM_GPU_FEATURES(X)                                             \
	X(VIRGL, virgl, VIRTIO_GPU_F_VIRGL)                             \
	X(EDID, edid, VIRTIO_GPU_F_EDID)                                \
	X(RESOURCE_UUID, resource_uuid, VIRTIO_GPU_F_RESOURCE_UUID)     \
	X(RESOURCE_BLOB, resource_blob, VIRTIO_GPU_F_RESOURCE_BLOB)     \
	X(CONTEXT_INIT, context_init, VIRTIO_GPU_F_CONTEXT_INIT)        \
	X(BLOB_ALIGNMENT, blob_alignment, SIM_GPU_F_BLOB_ALIGNMENT)

/* "RESOURCE_BLOB" for VIRTIO_GPU_F_RESOURCE_BLOB; NULL for a bit that is
 * not a virtio-gpu feature. */
const char *sim_gpu_feature_name(unsigned bit);

/* The device configuration layout (virtio 1.4 5.7.4), little endian. */
struct sim_gpu_config {
	uint32_t events_read;
	uint32_t events_clear;
	uint32_t num_scanouts;
	uint32_t num_capsets;
	uint32_t blob_alignment;	/* with SIM_GPU_F_BLOB_ALIGNMENT */
};
_Static_assert(sizeof(struct sim_gpu_config) == 20,
	       "virtio 1.4 5.7.4: five le32 fields");
_Static_assert(sizeof(struct virtio_gpu_config) == 16,
	       "the four fields before virtio 1.4");

#endif
