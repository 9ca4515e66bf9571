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
