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
 * Everything here runs on the device thread; parsing (inject_parse.c)
 * runs on host_device_create's caller thread, before it starts.
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

#include "host/inject_int.h"
#include "sim/log.h"

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
			  host__inject_resp_name(f->resp), f->resp);
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
	/* virglrenderer 1.x execs the server RENDER_SERVER_EXEC_PATH names
	 * when set (its proxy_server.c; tools/debian13-row sets it). */
	const char *want = getenv("RENDER_SERVER_EXEC_PATH");
	return strcmp(exe, want && *want ? want : RENDER_SERVER_PATH) == 0;
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
