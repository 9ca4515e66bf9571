/* SPDX-License-Identifier: MIT */
/*
 * realdriver-vk's memory export/import check (vk_share.c).
 */
#ifndef TESTS_REALDRIVER_VK_SHARE_H
#define TESTS_REALDRIVER_VK_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

/*
 * Two devices of @pdev (queues of @family): memory exported by one as a
 * dma_buf and imported by the other, the bytes checked both ways.
 * 1 when they match; 0 on a failure, -1 when the driver lacks what the
 * check needs; either way @why (@len bytes) says what.
 */
int vk_share_check(VkPhysicalDevice pdev, uint32_t family, char *why,
		   size_t len);

#endif
