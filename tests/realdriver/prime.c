// SPDX-License-Identifier: MIT
/*
 * PRIME between two opens of the render node, through Mesa's own GBM and
 * virgl winsys: a buffer made and written on one file is exported as a
 * dma-buf (DRM_IOCTL_PRIME_HANDLE_TO_FD), imported on the other
 * (DRM_IOCTL_PRIME_FD_TO_HANDLE, then RESOURCE_INFO) and read back there.
 * Each file is its own DRM client with its own GEM handle table and its
 * own virgl context on the device, so the pixels can only arrive through
 * the one host resource both handles name.  Closing everything afterwards
 * is GEM_CLOSE on both files.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/realdriver/realdriver.h"

#define NODE "/dev/dri/renderD128"

/* ARGB8888 pixel (x, row) of the pattern: little-endian 0xAARRGGBB. */
static uint32_t pattern(int x, int row)
{
	return 0xff000000u | (uint32_t)(x * 4) << 16 | (uint32_t)(row * 4) << 8 |
	       0x5a;
}

/* Write (@write) or compare the pattern through a CPU mapping of @bo. */
static int map_pattern(struct gbm_bo *bo, bool write, const char *who,
		       char *why, size_t len)
{
	uint32_t stride = 0;
	void *map_data = NULL;
	uint8_t *p = gbm_bo_map(bo, 0, 0, RD_SIZE, RD_SIZE,
				write ? GBM_BO_TRANSFER_WRITE
				      : GBM_BO_TRANSFER_READ,
				&stride, &map_data);
	int ret = 0;

	if (!p) {
		snprintf(why, len, "gbm_bo_map on the %s file failed", who);
		return -1;
	}
	for (int row = 0; row < RD_SIZE && !ret; row++)
		for (int x = 0; x < RD_SIZE && !ret; x++) {
			uint32_t want = pattern(x, row), got;

			if (write) {
				memcpy(p + row * stride + 4 * x, &want, 4);
				continue;
			}
			memcpy(&got, p + row * stride + 4 * x, 4);
			if (got != want) {
				snprintf(why, len, "imported buffer pixel (%d, "
					 "row %d) is %08x, expected %08x", x,
					 row, got, want);
				ret = -1;
			}
		}
	gbm_bo_unmap(bo, map_data);
	return ret;
}

int rd_test_prime(char *why, size_t len)
{
	int fd_a = open(NODE, O_RDWR | O_CLOEXEC);
	int fd_b = open(NODE, O_RDWR | O_CLOEXEC);
	struct gbm_device *ga = NULL, *gb = NULL;
	struct gbm_bo *bo_a = NULL, *bo_b = NULL;
	int dmabuf = -1, ret = -1;

	if (fd_a < 0 || fd_b < 0) {
		snprintf(why, len, "opening %s twice failed", NODE);
		goto out;
	}
	ga = gbm_create_device(fd_a);
	gb = gbm_create_device(fd_b);
	if (!ga || !gb) {
		snprintf(why, len, "gbm_create_device failed");
		goto out;
	}
	bo_a = gbm_bo_create(ga, RD_SIZE, RD_SIZE, GBM_FORMAT_ARGB8888,
			     GBM_BO_USE_RENDERING);
	if (!bo_a) {
		snprintf(why, len, "gbm_bo_create failed");
		goto out;
	}
	if (map_pattern(bo_a, true, "exporting", why, len))
		goto out;
	dmabuf = gbm_bo_get_fd(bo_a);
	if (dmabuf < 0) {
		snprintf(why, len, "gbm_bo_get_fd (PRIME_HANDLE_TO_FD) failed");
		goto out;
	}
	struct gbm_import_fd_data data = {
		.fd = dmabuf, .width = RD_SIZE, .height = RD_SIZE,
		.stride = gbm_bo_get_stride(bo_a),
		.format = GBM_FORMAT_ARGB8888,
	};
	bo_b = gbm_bo_import(gb, GBM_BO_IMPORT_FD, &data, GBM_BO_USE_RENDERING);
	if (!bo_b) {
		snprintf(why, len, "gbm_bo_import (PRIME_FD_TO_HANDLE) on the "
			 "second file failed");
		goto out;
	}
	ret = map_pattern(bo_b, false, "importing", why, len);
out:
	if (bo_b)
		gbm_bo_destroy(bo_b);
	if (bo_a)
		gbm_bo_destroy(bo_a);
	if (dmabuf >= 0)
		close(dmabuf);
	if (gb)
		gbm_device_destroy(gb);
	if (ga)
		gbm_device_destroy(ga);
	if (fd_b >= 0)
		close(fd_b);
	if (fd_a >= 0)
		close(fd_a);
	return ret;
}
