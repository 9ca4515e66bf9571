// SPDX-License-Identifier: MIT
/*
 * Fault injection for testing guest drivers (host_options.inject).  A spec
 * is a ';'-separated list of faults, each a ','-separated list of
 * KEY=VALUE items whose first item names the fault:
 *
 *   cmd=NAME[,resp=RESP][,ctx=ID][,skip=N][,count=N]
 *       Answer matching commands with RESP (default ERR_UNSPEC) instead
 *       of running them.  NAME is a VIRTIO_GPU_CMD_* name without the
 *       prefix (SUBMIT_3D) or a number; RESP a VIRTIO_GPU_RESP_* name
 *       without the prefix (ERR_OUT_OF_MEMORY) or a number.  A fenced
 *       command is still answered in its timeline's order.
 *   fence=delay,ms=N[,ctx=ID][,ring=R]
 *       Hold the renderer's completion of matching timelines for N ms
 *       (ctx=0 is the device-global timeline; no ctx: every timeline).
 *   fence=reorder[,ms=N]
 *       Collect completions for N ms (default 10) and then release them
 *       timeline by timeline, the timeline that signalled last first.
 *   hostmem=SIZE
 *       The device can back only the first SIZE bytes (K/M/G suffix) of
 *       the host-visible region: RESOURCE_MAP_BLOB of a window ending
 *       beyond answers ERR_OUT_OF_MEMORY.
 *   ctx_create=fail[,capset=ID][,ctx=ID][,skip=N][,count=N]
 *       The renderer refuses matching contexts: CTX_CREATE takes the
 *       device's renderer-failure path and answers ERR_UNSPEC.
 *   worker=kill[,ctx=ID][,skip=N][,count=N]
 *       Under the render server: SIGKILL the worker process of a venus
 *       context right before its (skip+1)th SUBMIT_3D; count bounds the
 *       number of contexts whose worker is killed.
 *
 * skip=N lets the first N matching events through; count=N fires on the
 * next N (default: every one after the skipped).
 *
 * What the spec allows for fences (virtio 1.2 5.7.6.7 "Device Operation:
 * Request header"): completion is ordered within a timeline only, so
 * timelines may complete in any order with respect to each other.  Held
 * completions are released in their arrival order within each timeline,
 * never reordered inside one.
 *
 * Everything here runs on the device thread, except host__inject_parse
 * (host_device_create's caller thread, before the device thread starts).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "host/internal.h"
#include "sim/log.h"

#define RENDER_SERVER_PATH "/usr/libexec/virgl_render_server"
#define REORDER_DEFAULT_MS 10
#define INJECT_KIND_ANY UINT32_MAX

enum host_fault_kind {
	HOST_FAULT_CMD,
	HOST_FAULT_FENCE_DELAY,
	HOST_FAULT_FENCE_REORDER,
	HOST_FAULT_HOSTMEM,
	HOST_FAULT_CTX_CREATE,
	HOST_FAULT_WORKER_KILL,
};

struct host_fault {
	enum host_fault_kind kind;
	char text[96];			/* the spec item, for log lines */
	uint32_t cmd_type;		/* cmd */
	uint32_t resp;			/* cmd */
	uint32_t ctx_id;		/* INJECT_KIND_ANY: every context */
	uint32_t ring_idx;		/* fence=delay; INJECT_KIND_ANY: all */
	uint32_t capset_id;		/* ctx_create; INJECT_KIND_ANY: all */
	uint64_t ms;			/* fence */
	uint64_t bytes;			/* hostmem */
	uint64_t skip, count;		/* count UINT64_MAX: unbounded */
	uint64_t seen, fired;
	/* While parsing: where BAD() writes what is wrong, or NULL to log
	 * it (host_inject_check asks for the text). */
	char *err;
	size_t errlen;
};

/* A renderer completion held back by a fence fault. */
struct host_held {
	struct host_fence_signal sig;
	uint64_t due;			/* uv_now() in ms */
	uint64_t order;			/* reorder: first arrival of its timeline */
};

/* Submits per venus context, for worker=kill's skip. */
struct host_worker_count {
	uint32_t ctx_id;
	uint64_t submits;
	bool killed;
};

struct host_inject {
	struct host_fault *faults;
	unsigned nfaults;
	bool holds_fences;		/* a fence= fault is configured */
	/* only touched on the device thread (the timer) or under
	 * dev->state_lock */
	uv_timer_t timer;
	bool timer_live;
	struct host_held *held;
	unsigned held_len, held_cap;
	uint64_t reorder_seq;
	struct host_worker_count *workers;
	unsigned nworkers;
};

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

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	uint64_t v = strtoull(s, &end, 10), mult = 1;
	if (errno)
		return -EINVAL;
	if (*end) {
		const char *units = "KMG", *u = strchr(units, toupper(*end));
		if (!u || end[1])
			return -EINVAL;
		mult = 1ull << (10 * (u - units + 1));
	}
	if (v > UINT64_MAX / mult)
		return -EINVAL;
	*out = v * mult;
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
	for (size_t i = 0; i < sizeof(resp_names) / sizeof(resp_names[0]); i++)
		if (strcasecmp(s, resp_names[i].name) == 0) {
			*out = resp_names[i].value;
			return 0;
		}
	return -EINVAL;
}

static const char *resp_name(uint32_t resp)
{
	for (size_t i = 0; i < sizeof(resp_names) / sizeof(resp_names[0]); i++)
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
		if (parse_size(val, &f->bytes))
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

static bool ctx_matches(const struct host_fault *f, uint32_t ctx_id)
{
	return f->ctx_id == INJECT_KIND_ANY || f->ctx_id == ctx_id;
}

/* One more matching event: does the fault fire on it? */
static bool fires(struct host_fault *f)
{
	if (f->seen++ < f->skip || f->fired >= f->count)
		return false;
	f->fired++;
	return true;
}

bool host__inject_cmd(struct host_cmd *cmd)
{
	struct host_inject *inj = cmd->dev->inject;
	if (!inj)
		return false;
	for (unsigned i = 0; i < inj->nfaults; i++) {
		struct host_fault *f = &inj->faults[i];
		if (f->kind != HOST_FAULT_CMD || f->cmd_type != cmd->hdr.type ||
		    !ctx_matches(f, cmd->hdr.ctx_id) || !fires(f))
			continue;
		SIM_ERROR(HOST_LAYER, "inject '%s': %s (ctx %u fence %llu) "
			  "answered %s (0x%x) without running", f->text,
			  sim_gpu_cmd_name(cmd->hdr.type), cmd->hdr.ctx_id,
			  (unsigned long long)cmd->hdr.fence_id,
			  resp_name(f->resp), f->resp);
		cmd->error = f->resp;
		return true;
	}
	return false;
}

int host__inject_ctx_create(struct host_device *dev, uint32_t ctx_id,
			    uint32_t capset_id)
{
	struct host_inject *inj = dev->inject;
	if (!inj)
		return 0;
	for (unsigned i = 0; i < inj->nfaults; i++) {
		struct host_fault *f = &inj->faults[i];
		if (f->kind != HOST_FAULT_CTX_CREATE || !ctx_matches(f, ctx_id) ||
		    (f->capset_id != INJECT_KIND_ANY &&
		     f->capset_id != capset_id) || !fires(f))
			continue;
		SIM_ERROR(HOST_LAYER, "inject '%s': the renderer refuses context "
			  "%u (capset %u)", f->text, ctx_id, capset_id);
		return -EIO;
	}
	return 0;
}

bool host__inject_hostmem_ok(struct host_device *dev, uint64_t offset,
			     uint64_t len)
{
	struct host_inject *inj = dev->inject;
	if (!inj)
		return true;
	for (unsigned i = 0; i < inj->nfaults; i++) {
		const struct host_fault *f = &inj->faults[i];
		/* offset + len cannot wrap: map_args_ok checked both against
		 * the region's size first. */
		if (f->kind == HOST_FAULT_HOSTMEM && offset + len > f->bytes) {
			SIM_ERROR(HOST_LAYER, "inject '%s': window 0x%llx+0x%llx "
				  "is beyond the 0x%llx bytes the host can "
				  "back", f->text, (unsigned long long)offset,
				  (unsigned long long)len,
				  (unsigned long long)f->bytes);
			return false;
		}
	}
	return true;
}

/* --- worker=kill --- */

static pid_t parent_of(pid_t pid, char *comm, size_t comm_len)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	char *line = fgets(buf, sizeof(buf), fp);
	fclose(fp);
	/* "pid (comm) state ppid ...": comm may hold spaces and ')'. */
	char *open = line ? strchr(line, '(') : NULL;
	char *close = line ? strrchr(line, ')') : NULL;
	int ppid = -1;
	if (!open || !close || close < open ||
	    sscanf(close + 1, " %*c %d", &ppid) != 1)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (n >= comm_len)
		n = comm_len - 1;
	memcpy(comm, open + 1, n);
	comm[n] = '\0';
	return ppid;
}

static bool is_render_server(pid_t pid)
{
	char path[64], exe[256];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	return strcmp(exe, RENDER_SERVER_PATH) == 0;
}

/*
 * virglrenderer 0.10.4's render server forks one worker per context and
 * names it "virgl-<ctx_id>-<debug name>" (comm, cut at 15 bytes).  The
 * server is our child; its worker is the server's child with that name.
 */
static pid_t find_worker(uint32_t ctx_id)
{
	char want[32];
	int wn = snprintf(want, sizeof(want), "virgl-%u", ctx_id);
	pid_t found = -1, self = getpid();
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	struct dirent *e;
	while (found < 0 && (e = readdir(d))) {
		char comm[64];
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		pid_t ppid = parent_of(pid, comm, sizeof(comm));
		if (ppid <= 0 || strncmp(comm, want, (size_t)wn) != 0 ||
		    (comm[wn] != '-' && comm[wn] != '\0'))
			continue;
		char pcomm[64];
		if (parent_of(ppid, pcomm, sizeof(pcomm)) == self &&
		    is_render_server(ppid))
			found = pid;
	}
	closedir(d);
	return found;
}

static struct host_worker_count *worker_count(struct host_inject *inj,
					      uint32_t ctx_id)
{
	for (unsigned i = 0; i < inj->nworkers; i++)
		if (inj->workers[i].ctx_id == ctx_id)
			return &inj->workers[i];
	void *n = realloc(inj->workers,
			  (inj->nworkers + 1) * sizeof(*inj->workers));
	if (!n)
		return NULL;
	inj->workers = n;
	inj->workers[inj->nworkers] = (struct host_worker_count){ ctx_id, 0, false };
	return &inj->workers[inj->nworkers++];
}

void host__inject_submit(struct host_device *dev,
			 const struct host_context *ctx)
{
	struct host_inject *inj = dev->inject;
	if (!inj || !dev->opts.render_server ||
	    ctx->capset_id != 4 /* VIRTIO_GPU_CAPSET_VENUS */)
		return;
	for (unsigned i = 0; i < inj->nfaults; i++) {
		struct host_fault *f = &inj->faults[i];
		if (f->kind != HOST_FAULT_WORKER_KILL || !ctx_matches(f, ctx->id))
			continue;
		struct host_worker_count *w = worker_count(inj, ctx->id);
		if (!w || w->killed || w->submits++ < f->skip ||
		    f->fired >= f->count)
			continue;
		f->fired++;
		w->killed = true;
		pid_t pid = find_worker(ctx->id);
		if (pid < 0) {
			SIM_ERROR(HOST_LAYER, "inject '%s': no render-server "
				  "worker for context %u found", f->text, ctx->id);
			return;
		}
		SIM_ERROR(HOST_LAYER, "inject '%s': SIGKILL to render-server "
			  "worker %d of context %u", f->text, (int)pid, ctx->id);
		kill(pid, SIGKILL);
		return;
	}
}

void host__inject_ctx_destroyed(struct host_device *dev, uint32_t ctx_id)
{
	struct host_inject *inj = dev->inject;
	if (!inj)
		return;
	/* A new context may get the id again: count from 0 for it. */
	for (unsigned i = 0; i < inj->nworkers; i++)
		if (inj->workers[i].ctx_id == ctx_id) {
			inj->workers[i] = inj->workers[--inj->nworkers];
			return;
		}
}

/* --- fence=delay / fence=reorder --- */

static bool timeline_matches(const struct host_fault *f,
			     const struct host_timeline *tl)
{
	if (f->ctx_id == INJECT_KIND_ANY)
		return true;
	if (f->ctx_id == 0)
		return !tl->per_context;
	return tl->per_context && tl->ctx_id == f->ctx_id &&
	       (f->ring_idx == INJECT_KIND_ANY || f->ring_idx == tl->ring_idx);
}

static bool same_timeline(const struct host_timeline *a,
			  const struct host_timeline *b)
{
	return a->per_context == b->per_context && a->ctx_id == b->ctx_id &&
	       a->ring_idx == b->ring_idx;
}

static void timer_cb(uv_timer_t *t);

static void arm_timer(struct host_device *dev)
{
	struct host_inject *inj = dev->inject;
	if (!inj->held_len) {
		uv_timer_stop(&inj->timer);
		return;
	}
	uint64_t due = inj->held[0].due;
	for (unsigned i = 1; i < inj->held_len; i++)
		if (inj->held[i].due < due)
			due = inj->held[i].due;
	uint64_t now = uv_now(&dev->loop);
	uv_timer_start(&inj->timer, timer_cb, due > now ? due - now : 0, 0);
}

/*
 * Release what is due.  Held signals are kept in arrival order; within a
 * timeline every signal has the same delay, so "due" never reorders a
 * timeline.  With reorder, the due ones go out timeline by timeline, the
 * one whose first signal came last first.
 */
static void release_due(struct host_device *dev)
{
	struct host_inject *inj = dev->inject;
	uint64_t now = uv_now(&dev->loop);
	for (;;) {
		/* The due timeline released next: highest reorder order
		 * (0 for plain delays, so those go in arrival order). */
		int pick = -1;
		for (unsigned i = 0; i < inj->held_len; i++)
			if (inj->held[i].due <= now &&
			    (pick < 0 || inj->held[i].order > inj->held[pick].order))
				pick = (int)i;
		if (pick < 0)
			break;
		struct host_timeline tl = inj->held[pick].sig.timeline;
		unsigned keep = 0;
		for (unsigned i = 0; i < inj->held_len; i++) {
			struct host_held h = inj->held[i];
			if (h.due <= now && same_timeline(&h.sig.timeline, &tl)) {
				SIM_DEBUG(SIM_DEBUG_FENCE, HOST_LAYER, "inject: "
					  "releasing seq %llu of ctx %u ring %u",
					  (unsigned long long)h.sig.seq,
					  tl.ctx_id, tl.ring_idx);
				host__fence_retire(dev, &h.sig.timeline, h.sig.seq);
			} else {
				inj->held[keep++] = h;
			}
		}
		inj->held_len = keep;
	}
	arm_timer(dev);
	host__report_idle(dev);
}

static void timer_cb(uv_timer_t *t)
{
	struct host_device *dev = t->data;
	pthread_mutex_lock(&dev->state_lock);
	release_due(dev);
	pthread_mutex_unlock(&dev->state_lock);
}

bool host__inject_holds_fences(const struct host_device *dev)
{
	return dev->inject && dev->inject->holds_fences;
}

bool host__inject_hold_signal(struct host_device *dev,
			      const struct host_fence_signal *sig)
{
	struct host_inject *inj = dev->inject;
	if (!inj || !inj->timer_live || !inj->holds_fences)
		return false;
	uint64_t now = uv_now(&dev->loop);
	struct host_held h = { .sig = *sig, .due = 0, .order = 0 };
	bool hold = false;

	/* A signal queued behind a held one of its timeline waits for it:
	 * completions never overtake each other within a timeline. */
	for (unsigned i = 0; i < inj->held_len; i++)
		if (same_timeline(&inj->held[i].sig.timeline, &sig->timeline)) {
			hold = true;
			h.due = inj->held[i].due;
			h.order = inj->held[i].order;
		}
	for (unsigned i = 0; i < inj->nfaults && !hold; i++) {
		const struct host_fault *f = &inj->faults[i];
		if (f->kind == HOST_FAULT_FENCE_DELAY &&
		    timeline_matches(f, &sig->timeline)) {
			hold = true;
			h.due = now + f->ms;
		} else if (f->kind == HOST_FAULT_FENCE_REORDER) {
			hold = true;
			/* One window: every timeline held now is due together. */
			h.due = inj->held_len ? inj->held[0].due : now + f->ms;
			h.order = ++inj->reorder_seq;
		}
	}
	if (!hold)
		return false;
	if (inj->held_len == inj->held_cap) {
		unsigned ncap = inj->held_cap ? inj->held_cap * 2 : 16;
		void *n = realloc(inj->held, ncap * sizeof(*inj->held));
		if (!n) {
			SIM_ERROR(HOST_LAYER, "inject: out of memory holding a "
				  "fence; completing it now");
			return false;
		}
		inj->held = n;
		inj->held_cap = ncap;
	}
	inj->held[inj->held_len++] = h;
	arm_timer(dev);
	return true;
}

void host__inject_release_context(struct host_device *dev, uint32_t ctx_id)
{
	struct host_inject *inj = dev->inject;
	if (!inj)
		return;
	unsigned keep = 0;
	for (unsigned i = 0; i < inj->held_len; i++) {
		struct host_held h = inj->held[i];
		if (h.sig.timeline.per_context && h.sig.timeline.ctx_id == ctx_id)
			host__fence_retire(dev, &h.sig.timeline, h.sig.seq);
		else
			inj->held[keep++] = h;
	}
	inj->held_len = keep;
	if (inj->timer_live)
		arm_timer(dev);
}

int host__inject_start(struct host_device *dev)
{
	struct host_inject *inj = dev->inject;
	if (!inj)
		return 0;
	int ret = uv_timer_init(&dev->loop, &inj->timer);
	if (ret)
		return ret;
	inj->timer.data = dev;
	inj->timer_live = true;
	return 0;
}

void host__inject_reset(struct host_device *dev)
{
	struct host_inject *inj = dev->inject;
	if (!inj)
		return;
	/* The commands the held signals would complete are gone. */
	inj->held_len = 0;
	inj->nworkers = 0;
	if (inj->timer_live)
		uv_timer_stop(&inj->timer);
}

static void timer_closed_cb(uv_handle_t *h)
{
	(void)h;
}

void host__inject_stop(struct host_device *dev)
{
	struct host_inject *inj = dev->inject;
	if (!inj || !inj->timer_live)
		return;
	host__inject_reset(dev);
	inj->timer_live = false;
	uv_close((uv_handle_t *)&inj->timer, timer_closed_cb);
}
