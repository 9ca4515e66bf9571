/* SPDX-License-Identifier: MIT */
/*
 * host: the virtio-gpu device model.  It plugs into a sim_transport, reads
 * commands from the virtqueues in guest RAM on its own thread (a libuv
 * loop that owns virglrenderer for its whole life) and answers them in
 * guest RAM.  It never looks at guest kernel state.
 */
#ifndef HOST_H
#define HOST_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_ram;
struct sim_hostmem;
struct sim_transport;
struct host_device;
struct sim_capture;

/* Whose virtio-gpu device the model answers as (host/personality.c,
 * docs/device-answers.md). */
enum host_vmm {
	HOST_VMM_QEMU,		/* the default */
	HOST_VMM_CROSVM,
	HOST_VMM_STRICT,	/* QEMU's answers, driver rules logged */
	HOST_VMM_COUNT
};
#define HOST_VMM_NAMES "qemu, crosvm, strict"

struct host_options {
	enum host_vmm vmm;
	uint64_t features;	/* VIRTIO_GPU_F_* bits to offer */
	/* The config field blob_alignment when SIM_GPU_F_BLOB_ALIGNMENT is
	 * offered (sim/gpu_config.h): a power of two. */
	uint32_t blob_alignment;
	bool virgl;		/* virgl renderer (capsets VIRGL, VIRGL2) */
	bool venus;		/* venus renderer (capset VENUS) */
	bool render_server;	/* venus in virglrenderer's render server */
	uint32_t num_scanouts;	/* 1..16 */
	/* Preferred mode of each scanout (GET_DISPLAY_INFO, GET_EDID); a
	 * zero entry means 1024x768.  It must fit an EDID detailed timing at
	 * 60 Hz: sides up to 4095, pixel clock up to 655.35 MHz (3840x2160
	 * fits). */
	struct {
		uint32_t width, height;
	} modes[16];
	/* The host-visible region blobs are mapped into (shmid 1), or NULL
	 * for none; owned by the caller, outlives the device. */
	struct sim_hostmem *hostmem;
	/* Directory that RESOURCE_FLUSH and cursor updates write PNGs to, or
	 * NULL for none: each flush that touches scanout N writes
	 * DIR/scanoutN-SEQ.png of the scanout's rectangle, each UPDATE_CURSOR
	 * with a resource DIR/cursor-SEQ.png of the 64x64 image; SEQ counts
	 * from 0000 per scanout (per device for the cursor).  RGBA, 8 bits. */
	const char *scanout_dir;
	/* Faults to inject for testing guest drivers, or NULL for none: a
	 * ';'-separated list such as
	 * "cmd=SUBMIT_3D,resp=ERR_OUT_OF_MEMORY,count=1;fence=delay,ms=50".
	 * The syntax is in host/inject.c and docs/reliability.md; a bad spec
	 * makes host_device_create fail with -EINVAL and a message.  Copied:
	 * the caller's string need not outlive the call. */
	const char *inject;
	/* Longest window, in ns, the device thread keeps polling its queues
	 * after a drain before it sleeps (host/poll.c; QEMU's poll-max-ns):
	 * up to HOST_POLL_LIMIT_NS, 0 for never.  Ignored in lockstep and
	 * under valgrind. */
	uint64_t poll_max_ns;
	/* Keep the device thread and the renderer's fence thread on the CPU
	 * of the guest thread that submits and waits while its frames are
	 * synchronous (host/placement.c, docs/performance.md); never with
	 * one CPU or under valgrind. */
	bool follow_guest_cpu;
	/* What one guest may make the host allocate, as a VMM bounds it
	 * (issue 16: every virgl context costs llvmpipe some 4.5 MB, and
	 * 10,000 of them met the OOM killer).  Beyond a limit the command
	 * that would cross it answers ERR_OUT_OF_MEMORY, with a log line
	 * naming the limit.  0 for none.
	 *  - max_contexts: contexts alive at once;
	 *  - max_resources: resources alive at once;
	 *  - max_renderer_bytes: what 3D resources and HOST3D blobs are
	 *    estimated to cost the renderer (4 bytes a texel of every layer
	 *    and slice, a third more with mip levels, a buffer's width in
	 *    bytes, a blob's size). */
	uint32_t max_contexts;
	uint32_t max_resources;
	uint64_t max_renderer_bytes;
	/* Record what the device sees and answers into this capture
	 * (sim/capture.h, docs/capture.md), or NULL; owned by the caller,
	 * which closes it after host_device_destroy. */
	struct sim_capture *record;
};
#define HOST_POLL_LIMIT_NS 10000000u	/* 10 ms */

/* host/placement.c: where the device's threads run, decided from what a
 * device knows (a pure function, for tests). */
/* Fenced commands in a row that found nothing outstanding (the guest
 * waited for each) before the threads follow the guest's CPU. */
#define HOST_PLACEMENT_SYNC_MIN 4u
/* Run-queue wait per timeslice of the pinned device thread beyond which
 * its CPU counts as busy with other work: about one cross-CPU wake-up,
 * what following saves. */
#define HOST_PLACEMENT_BUSY_NS 25000u
struct host_placement_in {
	bool follow;			/* host_options.follow_guest_cpu */
	const cpu_set_t *allowed;	/* the process's CPUs */
	int guest_cpu;			/* -1: not known */
	unsigned sync_streak;		/* capped at HOST_PLACEMENT_SYNC_MIN */
	bool contended;			/* the followed CPU was found busy */
	bool device_polls;		/* the device's poll window is open */
};
/* The one CPU each thread keeps to, or -1 for all of in->allowed. */
struct host_placement {
	int fence_cpu;			/* the renderer's fence thread */
	int device_cpu;			/* the device thread, while it sleeps */
};
struct host_placement host_placement_decide(const struct host_placement_in *in);
/* Whether @run_delay_ns waited on a run queue over @timeslices means a
 * CPU shared with other work. */
bool host_placement_contended(uint64_t run_delay_ns, uint64_t timeslices);

/* host/personality.c: the personalities before a device exists. */
/* 0 and *out for a name of HOST_VMM_NAMES (@len bytes), else -EINVAL. */
int host_vmm_find(const char *name, size_t len, enum host_vmm *out);
const char *host_vmm_name(enum host_vmm vmm);
/* Which VMM version the personality follows, in a few words. */
const char *host_vmm_models(enum host_vmm vmm);
/* The features the VMM offers by default with (@virgl) or without a 3D
 * renderer, and all it can offer (host_device_create refuses others). */
uint64_t host_vmm_default_features(enum host_vmm vmm, bool virgl);
uint64_t host_vmm_offerable_features(enum host_vmm vmm);
/* The host-visible region the VMM's device has without being asked: 0
 * for none (docs/device-answers.md 5.2). */
uint64_t host_vmm_default_hostmem(enum host_vmm vmm);
void host_vmm_queue_sizes(enum host_vmm vmm, bool virgl, uint16_t *ctrlq,
			  uint16_t *cursorq);
/* Every personality answers every row: 0, or -EINVAL naming the gap. */
int host_vmm_check_table(char *err, size_t errlen);

/* One driver rule of virtio 1.4 5.7 the driver broke (host/personality.h
 * HOST_RULES), as the device saw it: the first time and how often. */
struct host_violation {
	const char *rule;		/* "MAP_TWICE" */
	const char *section;		/* "5.7.6.9 Device Operation: ..." */
	const char *level;		/* "MUST" or "SHOULD" */
	const char *text;		/* the spec's sentence */
	uint64_t count;
	uint64_t first_cmd;		/* the command's number (from 1), 0
					 * for a config write */
	unsigned long guest_call;	/* ioctl request running when the
					 * device saw it first, or 0 */
	char command[32];		/* "RESOURCE_MAP_BLOB" */
	char fields[160];		/* the offending fields, first time */
};
/* Copy up to @max violations seen so far into @out; returns how many
 * rules were broken (any thread). */
unsigned host_device_violations(struct host_device *dev,
				struct host_violation *out, unsigned max);

/* Check a fault spec (host_options.inject) without a device: 0, or
 * -EINVAL with what is wrong in @err, or -ENOMEM. */
int host_inject_check(const char *spec, char *err, size_t errlen);

/*
 * Start the device thread, bring up EGL and virglrenderer on it and plug
 * the device into @t (with opts->hostmem as its host-visible shared memory
 * region, shmid 1).  Returns 0, -EINVAL for bad options, -EBUSY while
 * another device exists in the process (virglrenderer is a process-wide
 * singleton), or the error of the renderer's initialisation (with a
 * message naming the step).
 */
int host_device_create(struct sim_ram *ram, struct sim_transport *t,
		       const struct host_options *opts,
		       struct host_device **out);
/* Stop the thread after tearing down every context and resource, unmapping
 * every blob from the host-visible region and ending virglrenderer (and
 * with it the render server and its workers). */
void host_device_destroy(struct host_device *dev);

/* The host stack (host/vr_version.c): the virglrenderer version the
 * device model was built against ("1.1.0"), and the GL driver under it
 * as GL_VERSION and GL_RENDERER name it, or NULL when not known. */
const char *host_renderer_version(void);
const char *host_device_gl_version(const struct host_device *dev);
/* True when this virglrenderer runs venus only in its render server
 * (1.0 and later; host/vr_venus_server.c). */
bool host_venus_needs_render_server(void);
/* Blob windows the renderer placed at their own address in the
 * host-visible region so far (virgl_renderer_resource_map_fixed, 1.3;
 * host/vr_map_fixed.c), or -1 when this virglrenderer cannot
 * (host/vr_map_plain.c).  Any thread. */
int64_t host_device_fixed_maps(struct host_device *dev);

#endif
