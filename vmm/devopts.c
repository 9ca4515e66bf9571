// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_gpu.h>

#include "vmm/devopts.h"
#include "host/host.h"

static const struct {
	const char *name;
	unsigned bit;
} features[] = {
	{ "virgl", VIRTIO_GPU_F_VIRGL },
	{ "edid", VIRTIO_GPU_F_EDID },
	{ "resource_uuid", VIRTIO_GPU_F_RESOURCE_UUID },
	{ "resource_blob", VIRTIO_GPU_F_RESOURCE_BLOB },
	{ "context_init", VIRTIO_GPU_F_CONTEXT_INIT },
};
#define NFEATURES (sizeof(features) / sizeof(features[0]))

int vmm_parse_size(const char *s, bool zero_ok, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p) {
		const char *units = "KMG", *u = strchr(units, *p);

		if (!u || p[1])
			return -EINVAL;
		mult = 1ull << (10 * (u - units + 1));
	}
	if ((!v && !zero_ok) || v > UINT64_MAX / mult)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

int vmm_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || errno)
		return -EINVAL;
	*out = v;
	return 0;
}

_Static_assert(HOST_POLL_LIMIT_NS == 10000000u,
	       "VMM_POLL_FORM names the limit; change both");

int vmm_parse_poll_ns(const char *s, uint64_t *out)
{
	uint64_t v;

	if (vmm_parse_u64(s, &v) || v > HOST_POLL_LIMIT_NS)
		return -EINVAL;
	*out = v;
	return 0;
}

int vmm_parse_features(const char *list, uint64_t *out, const char **bad,
			   size_t *bad_len)
{
	uint64_t f = 0;

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ","), i;
		bool none = len == 4 && strncmp(p, "none", 4) == 0;

		for (i = 0; !none && i < NFEATURES; i++)
			if (strlen(features[i].name) == len &&
			    strncmp(features[i].name, p, len) == 0)
				break;
		if (!none && i == NFEATURES) {
			*bad = p;
			*bad_len = len;
			return -EINVAL;
		}
		if (!none)
			f |= 1ull << features[i].bit;
		p += len;
		if (*p)
			p++;
	}
	*out = f;
	return 0;
}

void vmm_format_size(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "KMG";
	int u = -1;

	while (u < 2 && v && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%c", v, units[u]);
}

void vmm_format_features(uint64_t f, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NFEATURES && o < len; i++)
		if (f & (1ull << features[i].bit))
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      o ? "," : "", features[i].name);
	if (!o)
		snprintf(buf, len, "none");
}

int vmm_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "virtgpu-sim%s%s: ", command ? " " : "",
		command ? command : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'virtgpu-sim%s%s --help' for more information.\n",
		command ? " " : "", command ? command : "");
	return -EINVAL;
}
