// SPDX-License-Identifier: MIT
/*
 * Decoding the venus capset (guest/venus/caps_venus.h).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "guest/venus/caps_venus.h"

int guest_venus_caps_decode(const void *buf, size_t len,
			    struct guest_venus_caps *out)
{
	uint32_t *w = (uint32_t *)&out->w;
	size_t n;

	if (!buf || len < sizeof(uint32_t))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	n = len < sizeof(out->w) ? len : sizeof(out->w);
	out->size = len;
	memcpy(&out->w, buf, n);
	for (size_t i = 0; i < sizeof(out->w) / sizeof(*w); i++)
		w[i] = le32toh(w[i]);
	return 0;
}

bool guest_venus_caps_extension_mask_valid(const struct guest_venus_caps *c)
{
	return GUEST_VENUS_CAPS_HAS(c, vk_extension_mask1) &&
	       (c->w.vk_extension_mask1[0] & 1u);
}

unsigned guest_venus_caps_extension_count(const struct guest_venus_caps *c)
{
	unsigned n = 0;

	if (!guest_venus_caps_extension_mask_valid(c))
		return 0;
	for (size_t i = 0; i < 32; i++)
		n += (unsigned)__builtin_popcount(c->w.vk_extension_mask1[i]);
	return n - 1;	/* bit 0 is the "valid" flag, not an extension */
}
