// SPDX-License-Identifier: MIT
/*
 * The machine's options from the environment (options.h): what
 * `virtgpu-sim exec` passes down, or what a person sets by hand.  Unset
 * variables keep sim_machine_default_options().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/shim/options.h"
#include "guest/shim/shim.h"

/* Decimal bytes with an optional K, M or G (binary) suffix. */
static int parse_size(const char *s, bool zero_ok, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p) {
		const char *units = "KMG", *u = strchr(units, *p);
		if (!u || p[1])
			return -EINVAL;
		mult = 1ull << (10 * (u - units + 1));
	}
	if ((!v && !zero_ok) || v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

/* "virgl,context_init" or "none"; an unknown entry is copied to @bad. */
static int parse_features(const char *list, uint64_t *out, char *bad,
			  size_t badlen)
{
	uint64_t f = 0;

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		size_t i;
		if (len == 4 && strncmp(p, "none", 4) == 0)
			i = GUEST_SHIM_NFEATURES + 1;
		else
			for (i = 0; i < GUEST_SHIM_NFEATURES; i++)
				if (strlen(guest_shim_features[i].name) == len &&
				    strncmp(guest_shim_features[i].name, p,
					    len) == 0)
					break;
		if (i == GUEST_SHIM_NFEATURES) {
			snprintf(bad, badlen, "%.*s", (int)len, p);
			return -EINVAL;
		}
		if (i < GUEST_SHIM_NFEATURES)
			f |= 1ull << guest_shim_features[i].bit;
		p += len;
		if (*p)
			p++;
	}
	*out = f;
	return 0;
}

static int parse_bool(const char *name, bool *out, char *err, size_t errlen)
{
	const char *v = getenv(name);

	if (!v)
		return 0;
	if (strcmp(v, "0") && strcmp(v, "1")) {
		snprintf(err, errlen, "%s=%s: expected 0 or 1", name, v);
		return -EINVAL;
	}
	*out = v[0] == '1';
	return 0;
}

static int parse_size_var(const char *name, bool zero_ok, uint64_t *out,
			  char *err, size_t errlen)
{
	const char *v = getenv(name);

	if (!v)
		return 0;
	if (parse_size(v, zero_ok, out)) {
		snprintf(err, errlen, "%s=%s: expected a size in bytes%s, with "
			 "an optional K, M or G suffix", name, v,
			 zero_ok ? "" : " above 0");
		return -EINVAL;
	}
	return 0;
}

static int parse_u64_var(const char *name, uint64_t *out, char *err,
			 size_t errlen)
{
	const char *v = getenv(name);
	char *end;

	if (!v)
		return 0;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 0);
	if (*v < '0' || *v > '9' || *end || errno) {
		snprintf(err, errlen, "%s=%s: expected a non-negative integer",
			 name, v);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

int guest_shim_config_parse(struct sim_machine_options *opts, bool *trace,
			    char *err, size_t errlen)
{
	const char *features = getenv(GUEST_SHIM_ENV_FEATURES);
	char bad[64];
	int ret;

	err[0] = '\0';
	*trace = false;
	sim_machine_default_options(opts);
	if (features && parse_features(features, &opts->features, bad,
				       sizeof(bad))) {
		snprintf(err, errlen, "%s=%s: unknown feature '%s' (known: "
			 "virgl, edid, resource_uuid, resource_blob, "
			 "context_init, none)", GUEST_SHIM_ENV_FEATURES,
			 features, bad);
		return -EINVAL;
	}
	ret = parse_bool(GUEST_SHIM_ENV_VIRGL, &opts->virgl, err, errlen);
	if (!ret)
		ret = parse_bool(GUEST_SHIM_ENV_VENUS, &opts->venus, err,
				 errlen);
	if (!ret)
		ret = parse_bool(GUEST_SHIM_ENV_RENDER_SERVER,
				 &opts->render_server, err, errlen);
	if (!ret)
		ret = parse_bool(GUEST_SHIM_ENV_SCATTER, &opts->scatter, err,
				 errlen);
	if (!ret)
		ret = parse_u64_var(GUEST_SHIM_ENV_SEED, &opts->seed, err, errlen);
	if (!ret)
		ret = parse_bool(GUEST_SHIM_ENV_LOCKSTEP, &opts->lockstep, err,
				 errlen);
	if (!ret)
		ret = parse_bool(GUEST_SHIM_ENV_TRACE, trace, err, errlen);
	if (!ret)
		ret = parse_size_var(GUEST_SHIM_ENV_RAM, false, &opts->ram_size,
				     err, errlen);
	if (!ret)
		ret = parse_size_var(GUEST_SHIM_ENV_HOSTMEM, true,
				     &opts->hostmem_size, err, errlen);
	if (!ret && opts->render_server)
		opts->venus = true;	/* the render server serves venus */
	return ret;
}
