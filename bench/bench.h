/* SPDX-License-Identifier: MIT */
/*
 * virtgpu-bench: the simulated stack against direct virglrenderer calls
 * and vtest (docs/performance.md).
 *
 * Every workload runs three ways in one run: "direct" (virglrenderer
 * called on the bench thread, no transport: the floor), "sim" (the whole
 * stack: vmm_machine + km_ioctl) and "vtest" (virgl_test_server and our
 * own minimal vtest client).  The GLES frame loop runs "native" (Mesa
 * llvmpipe), "exec" (virtgpu-sim exec) and "vtest" (virpipe).
 *
 * Each way runs in a child process of its own, so that virglrenderer's
 * process-wide state and RSS figures never mix; children report samples
 * to the parent as text lines on a pipe ("sample METRIC WAY VALUE",
 * "note METRIC WAY TEXT"), and the parent summarises and prints.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The ways of the micro workloads; the frame loop has its own names. */
enum bench_way_id { BENCH_DIRECT, BENCH_SIM, BENCH_VTEST, BENCH_NWAYS };

/* The micro workloads, for --workloads (profiling one of them). */
#define BENCH_W_MEMORY (1u << 0)
#define BENCH_W_FENCE (1u << 1)
#define BENCH_W_CLEAR (1u << 2)
#define BENCH_W_XFER (1u << 3)
#define BENCH_W_MAP (1u << 4)
#define BENCH_W_ALL 0x1fu

/* What a run is asked to do (main.c fills it from the command line). */
struct bench_cfg {
	bool json;
	bool scatter;		/* sim: scattered guest pages */
	bool quick;		/* fewer repetitions (a smoke run) */
	unsigned workloads;	/* BENCH_W_* bits of the micro workloads */
	unsigned fence_iters;	/* no-op round trips per way */
	unsigned clear_iters;	/* clears per way */
	unsigned xfer_reps;	/* 64 MiB transfers per direction */
	unsigned bw_procs;	/* processes per way the xfer_reps of the
				 * bandwidth workloads are spread over */
	unsigned startup_reps;	/* start-up children per way */
	unsigned suite_reps;	/* scenario suite runs */
	unsigned frame_reps;	/* frame loop runs per way */
	unsigned frames;	/* frames per run */
	int load_cpu;		/* --load: the CPU the hog runs on; -1 none */
	const char *self;	/* this executable, for start-up children */
	const char *sim_bin;	/* virtgpu-sim */
	const char *frames_bin;	/* virtgpu-bench-frames */
	const char *scenarios;	/* the scenarios/ folder */
	const char *server_bin;	/* virgl_test_server */
	char socket_path[108];	/* our vtest server's socket */
};

/* --- stats.c: time, samples, RSS, the child-to-parent protocol --- */

uint64_t bench_now_ns(void);
/* VmRSS of @pid (0 = ourselves) in KiB, or -1. */
long bench_rss_kib(pid_t pid);
/* Sum of VmRSS over @pid's children (a forking server's workers). */
long bench_children_rss_kib(pid_t pid);
pid_t bench_first_child(pid_t pid);

struct bench_summary {
	size_t n;
	double median, p10, p90, mad, min, max;
};
/* Sorts @v in place. */
void bench_summarize(double *v, size_t n, struct bench_summary *s);

/* Where a child writes its results (the pipe to the parent). */
void bench_report_to(FILE *out);
void bench_sample(const char *metric, const char *way, double value);
void bench_note(const char *metric, const char *way, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- a way of running the micro workloads (way_*.c) --- */

/* A texture or buffer the workloads use, with CPU-visible memory behind
 * it: the guest pages (sim), the attached iovec (direct) or the shm
 * (vtest). */
struct bench_res {
	uint32_t id;		/* the renderer's resource id */
	uint32_t handle;	/* sim: GEM handle */
	uint32_t width, height;
	uint64_t size;
	void *cpu;		/* backing or mapping, size bytes */
	bool blob;
};

struct bench_tex_desc {
	uint32_t target, format, bind;
	uint32_t width, height;
	bool backing;		/* give it CPU-visible memory */
};

struct bench_way;
struct bench_way_ops {
	const char *name;
	int (*open)(const struct bench_cfg *cfg, struct bench_way **out);
	void (*close)(struct bench_way *w);
	int (*tex_create)(struct bench_way *w, const struct bench_tex_desc *d,
			  struct bench_res **out);
	void (*res_destroy)(struct bench_way *w, struct bench_res *r);
	/* Submit @ndw dwords that use @r (or NULL) and wait for a fence
	 * after them: the caller is woken once it has signalled. */
	int (*submit_wait)(struct bench_way *w, const uint32_t *dw,
			   uint32_t ndw, struct bench_res *r);
	/* Optional: the same, waiting on @r itself (sim: DRM WAIT on the
	 * bo instead of a sync_file); reported as way "<name>-wait". */
	int (*submit_wait_bo)(struct bench_way *w, const uint32_t *dw,
			      uint32_t ndw, struct bench_res *r);
	/* Transfer all of level 0 of @r between its memory and the
	 * renderer, then wait until done. */
	int (*transfer_wait)(struct bench_way *w, struct bench_res *r,
			     bool to_host);
	/* A mappable HOST3D buffer blob of @size bytes made from a
	 * PIPE_RESOURCE_CREATE with @blob_id; r->cpu is the mapping.
	 * -EOPNOTSUPP (and a note saying why) when the way cannot. */
	int (*blob_create_map)(struct bench_way *w, uint64_t size,
			       uint32_t blob_id, struct bench_res **out);
	/* The processes whose RSS the way costs: ourselves, plus a server. */
	long (*rss_kib)(struct bench_way *w);
};

extern const struct bench_way_ops bench_direct_ops;
extern const struct bench_way_ops bench_sim_ops;
/* sim with --placement (host/placement.c): the fence round trip only */
extern const struct bench_way_ops bench_sim_follow_ops;
extern const struct bench_way_ops bench_vtest_ops;

/* --- workloads.c --- */

/* Run the micro workloads and the memory figures on @ops, reporting
 * samples; 0 or -errno of the first failure that stopped the way. */
int bench_run_way(const struct bench_cfg *cfg,
		  const struct bench_way_ops *ops);
/* Start-up child: open @ops, one fenced no-op, report the time since
 * @t0_ns (CLOCK_MONOTONIC of the parent before fork). */
int bench_startup_child(const struct bench_cfg *cfg,
			const struct bench_way_ops *ops, uint64_t t0_ns);
/* The virgl streams the workloads send, made with guest/virgl/virgl_enc.h
 * (the known-good stream of FACTS.md); 0 or -ENOMEM. */
struct guest_virgl_stream;
int bench_stream_setup(struct guest_virgl_stream *s, uint32_t res_id);
int bench_stream_clear(struct guest_virgl_stream *s);
int bench_stream_noop(struct guest_virgl_stream *s);
int bench_stream_pipe_buffer(struct guest_virgl_stream *s, uint32_t size,
			     uint32_t blob_id);

/* --- way_vtest.c: our own virgl_test_server --- */
int bench_vtest_server_start(struct bench_cfg *cfg, pid_t *pid);
void bench_vtest_server_stop(struct bench_cfg *cfg, pid_t pid);

/* --- procs.c: whole processes --- */
/* Run @fn in a forked child whose reports come back into @results. */
struct bench_results;
int bench_in_child(struct bench_results *res, int (*fn)(void *), void *arg,
		   int timeout_s);
void bench_startup(const struct bench_cfg *cfg, struct bench_results *res);
void bench_suite(const struct bench_cfg *cfg, struct bench_results *res);
void bench_frames(const struct bench_cfg *cfg, struct bench_results *res);
/* --load: a process spinning on the last CPU for the whole run; returns
 * its pid (and the CPU in *cpu), or -errno. */
pid_t bench_hog_start(int *cpu);
void bench_hog_stop(pid_t pid);

/* --- report.c: collected results and their printing --- */
struct bench_results *bench_results_new(void);
void bench_results_free(struct bench_results *res);
/* Parse one protocol line from a child. */
void bench_results_line(struct bench_results *res, const char *line);
void bench_results_add(struct bench_results *res, const char *metric,
		       const char *way, double value);
void bench_results_note(struct bench_results *res, const char *metric,
			const char *way, const char *text);
void bench_print_text(const struct bench_cfg *cfg, struct bench_results *res,
		      const char *machine, const char *load_start,
		      const char *load_end);
void bench_print_json(const struct bench_cfg *cfg, struct bench_results *res,
		      const char *machine, const char *load_start,
		      const char *load_end);

#endif
