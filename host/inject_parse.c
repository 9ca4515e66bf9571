// SPDX-License-Identifier: MIT
/*
 * Parsing fault specs (host/inject.c describes the syntax) into the
 * faults host/inject.c fires; host_inject_check reads one without a
 * device, for the VMM's option checks.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host/inject_int.h"
#include "sim/log.h"
#include "sim/units.h"

/* --- names --- */

static const struct {
	const char *name;
	uint32_t value;
} resp_names[] = {
#define R(x) { #x, VIRTIO_GPU_RESP_##x }
	R(OK_NODATA), R(OK_DISPLAY_INFO), R(OK_CAPSET_INFO), R(OK_CAPSET),
	R(OK_EDID), R(OK_RESOURCE_UUID), R(OK_MAP_INFO),
	R(ERR_UNSPEC), R(ERR_OUT_OF_MEMORY), R(ERR_INVALID_SCANOUT_ID),
	R(ERR_INVALID_RESOURCE_ID), R(ERR_INVALID_CONTEXT_ID),
	R(ERR_INVALID_PARAMETER),
#undef R
};

static const char *skip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncasecmp(s, prefix, n) == 0 ? s + n : s;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return *end || errno ? -EINVAL : 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	if (parse_u64(s, &v) || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_cmd_name(const char *s, uint32_t *out)
{
	if (parse_u32(s, out) == 0)
		return 0;
	s = skip_prefix(s, "VIRTIO_GPU_CMD_");
	for (size_t i = 0; i < SIM_GPU_CMD_COUNT; i++)
		if (strcasecmp(s, sim_gpu_cmds[i].name) == 0) {
			*out = sim_gpu_cmds[i].type;
			return 0;
		}
	return -EINVAL;
}

static int parse_resp_name(const char *s, uint32_t *out)
{
	if (parse_u32(s, out) == 0)
		return 0;
	s = skip_prefix(s, "VIRTIO_GPU_RESP_");
	for (size_t i = 0; i < SIM_COUNT(resp_names); i++)
		if (strcasecmp(s, resp_names[i].name) == 0) {
			*out = resp_names[i].value;
			return 0;
		}
	return -EINVAL;
}

const char *host__inject_resp_name(uint32_t resp)
{
	for (size_t i = 0; i < SIM_COUNT(resp_names); i++)
		if (resp_names[i].value == resp)
			return resp_names[i].name;
	return "(number)";
}

/* --- parsing --- */

/* Which keys each fault takes after its first item. */
static const char *fault_keys(enum host_fault_kind kind)
{
	switch (kind) {
	case HOST_FAULT_CMD: return "resp, ctx, skip, count";
	case HOST_FAULT_FENCE_DELAY: return "ms, ctx, ring";
	case HOST_FAULT_FENCE_REORDER: return "ms";
	case HOST_FAULT_HOSTMEM: return "(none)";
	case HOST_FAULT_CTX_CREATE: return "capset, ctx, skip, count";
	case HOST_FAULT_WORKER_KILL: return "ctx, skip, count";
	}
	return "";
}

static bool key_allowed(enum host_fault_kind kind, const char *key)
{
	const char *list = fault_keys(kind);
	size_t n = strlen(key);
	for (const char *p = strstr(list, key); p; p = strstr(p + 1, key))
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* Log what is wrong with fault @f and fail the parse. */
#define BAD(f, fmt, ...)                                                 \
	do {                                                             \
		if ((f)->err)                                            \
			snprintf((f)->err, (f)->errlen, "'%s': " fmt,    \
				 (f)->text, ##__VA_ARGS__);              \
		else                                                     \
			SIM_ERROR(HOST_LAYER, "inject '%s': " fmt,       \
				  (f)->text, ##__VA_ARGS__);             \
		return -EINVAL;                                          \
	} while (0)

/* The first item: which fault this is. */
static int parse_kind(struct host_fault *f, const char *key, const char *val)
{
	if (strcmp(key, "cmd") == 0) {
		f->kind = HOST_FAULT_CMD;
		if (parse_cmd_name(val, &f->cmd_type))
			BAD(f, "unknown command '%s' (a VIRTIO_GPU_CMD_* "
			    "name such as SUBMIT_3D, or a number)", val);
	} else if (strcmp(key, "fence") == 0) {
		if (strcmp(val, "delay") == 0)
			f->kind = HOST_FAULT_FENCE_DELAY;
		else if (strcmp(val, "reorder") == 0)
			f->kind = HOST_FAULT_FENCE_REORDER;
		else
			BAD(f, "fence=%s: expected delay or reorder", val);
	} else if (strcmp(key, "hostmem") == 0) {
		f->kind = HOST_FAULT_HOSTMEM;
		if (sim_parse_size(val, &f->bytes))
			BAD(f, "hostmem=%s: expected a size in bytes with "
			    "an optional K, M or G suffix", val);
	} else if (strcmp(key, "ctx_create") == 0) {
		f->kind = HOST_FAULT_CTX_CREATE;
		if (strcmp(val, "fail") != 0)
			BAD(f, "ctx_create=%s: expected fail", val);
	} else if (strcmp(key, "worker") == 0) {
		f->kind = HOST_FAULT_WORKER_KILL;
		if (strcmp(val, "kill") != 0)
			BAD(f, "worker=%s: expected kill", val);
	} else {
		BAD(f, "unknown fault '%s' (expected cmd, fence, "
		    "hostmem, ctx_create or worker)", key);
	}
	return 0;
}

static int parse_key(struct host_fault *f, const char *key, const char *val,
		     bool *has_ms)
{
	int ret = 0;
	if (!key_allowed(f->kind, key))
		BAD(f, "'%s' does not apply here (keys: %s)", key,
		    fault_keys(f->kind));
	if (strcmp(key, "resp") == 0) {
		if (parse_resp_name(val, &f->resp))
			BAD(f, "unknown response '%s' (a "
			    "VIRTIO_GPU_RESP_* name such as ERR_OUT_OF_MEMORY, "
			    "or a number)", val);
	} else if (strcmp(key, "ctx") == 0) {
		ret = parse_u32(val, &f->ctx_id);
	} else if (strcmp(key, "ring") == 0) {
		ret = parse_u32(val, &f->ring_idx);
		if (!ret && f->ring_idx >= HOST_MAX_RINGS)
			BAD(f, "ring=%s: rings are 0..63", val);
	} else if (strcmp(key, "capset") == 0) {
		ret = parse_u32(val, &f->capset_id);
	} else if (strcmp(key, "ms") == 0) {
		ret = parse_u64(val, &f->ms);
		if (!ret && f->ms > 600000)
			BAD(f, "ms=%s: at most 600000", val);
		*has_ms = true;
	} else if (strcmp(key, "skip") == 0) {
		ret = parse_u64(val, &f->skip);
	} else if (strcmp(key, "count") == 0) {
		ret = parse_u64(val, &f->count);
		if (!ret && f->count == 0)
			BAD(f, "count=0 never fires; leave the fault "
			    "out instead");
	}
	if (ret)
		BAD(f, "%s=%s: expected a non-negative number", key, val);
	return 0;
}

/* One fault: "KEY=VALUE[,KEY=VALUE...]" (modified in place). */
static int parse_fault(char *item, struct host_fault *f)
{
	char *save = NULL;
	bool first = true, has_ms = false;

	snprintf(f->text, sizeof(f->text), "%s", item);
	f->resp = VIRTIO_GPU_RESP_ERR_UNSPEC;
	f->ctx_id = f->ring_idx = f->capset_id = INJECT_KIND_ANY;
	f->count = UINT64_MAX;
	for (char *kv = strtok_r(item, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq || eq == kv || !eq[1])
			BAD(f, "'%s' is not KEY=VALUE", kv);
		*eq = '\0';
		int ret = first ? parse_kind(f, kv, eq + 1)
				: parse_key(f, kv, eq + 1, &has_ms);
		if (ret)
			return ret;
		first = false;
	}
	if (first)
		BAD(f, "empty fault");
	if (f->kind == HOST_FAULT_FENCE_DELAY && !has_ms)
		BAD(f, "fence=delay needs ms=N");
	if (f->kind == HOST_FAULT_FENCE_REORDER && !has_ms)
		f->ms = REORDER_DEFAULT_MS;
	if (f->kind == HOST_FAULT_FENCE_DELAY && f->ctx_id == 0 &&
	    f->ring_idx != INJECT_KIND_ANY)
		BAD(f, "ctx=0 (the global timeline) has no rings");
	return 0;
}

static int inject_parse(const char *spec, struct host_inject **out,
			char *err, size_t errlen)
{
	*out = NULL;
	if (!spec || !*spec)
		return 0;
	struct host_inject *inj = calloc(1, sizeof(*inj));
	char *copy = strdup(spec), *save = NULL;
	int ret = 0;
	if (!inj || !copy) {
		ret = -ENOMEM;
		goto out;
	}
	for (char *item = strtok_r(copy, ";", &save); item && !ret;
	     item = strtok_r(NULL, ";", &save)) {
		while (isspace((unsigned char)*item))
			item++;
		if (!*item)
			continue;
		void *n = realloc(inj->faults,
				  (inj->nfaults + 1) * sizeof(*inj->faults));
		if (!n) {
			ret = -ENOMEM;
			break;
		}
		inj->faults = n;
		struct host_fault *f = &inj->faults[inj->nfaults++];
		memset(f, 0, sizeof(*f));
		f->err = err;
		f->errlen = errlen;
		ret = parse_fault(item, f);
		f->err = NULL;
		if (f->kind == HOST_FAULT_FENCE_DELAY ||
		    f->kind == HOST_FAULT_FENCE_REORDER)
			inj->holds_fences = true;
	}
out:
	free(copy);
	if (ret || (inj && !inj->nfaults)) {
		host__inject_free(inj);
		return ret;
	}
	*out = inj;
	return 0;
}

int host__inject_parse(const char *spec, struct host_inject **out)
{
	return inject_parse(spec, out, NULL, 0);
}

int host_inject_check(const char *spec, char *err, size_t errlen)
{
	struct host_inject *inj;
	int ret = inject_parse(spec, &inj, err, errlen);

	host__inject_free(inj);
	return ret;
}

void host__inject_free(struct host_inject *inj)
{
	if (!inj)
		return;
	free(inj->faults);
	free(inj->held);
	free(inj->workers);
	free(inj);
}

/* --- matching --- */
