// SPDX-License-Identifier: MIT
/*
 * virtgpu-bench: runs every workload three ways in one run and prints
 * medians, spread and ratios (text, or JSON with --json).  See
 * docs/performance.md for what each figure means and what dominates it.
 *
 *   virtgpu-bench [--json] [--quick] [--no-scatter] [--only=LIST] [--load]
 *                 [--way=WAY] [--sim=PATH] [--frames-bin=PATH]
 *                 [--scenarios=DIR] [--server=PATH]
 *
 * --only takes a comma list of: micro (workloads 1-4 and 6), startup,
 * suite, frames.  For profiling one piece: --way=direct|sim|sim-follow|
 * vtest runs the micro workloads on that way alone (sim-follow: sim with
 * --placement, the fence round trip only), --workloads=LIST (memory, fence,
 * clear, xfer, map) only those micro workloads.  --load runs a process
 * spinning on the last CPU for the whole run (the loaded-machine
 * figures).  Paths default to the build tree this program was built
 * in.  Exit status 0 once the report is printed (a way that could not
 * run shows "n/a" with the reason), 1 when the run could not start, 2
 * for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"

#ifndef BENCH_SIM_BIN
#define BENCH_SIM_BIN "virtgpu-sim"
#endif
#ifndef BENCH_FRAMES_BIN
#define BENCH_FRAMES_BIN "virtgpu-bench-frames"
#endif
#ifndef BENCH_SCENARIOS
#define BENCH_SCENARIOS "scenarios"
#endif

enum { ONLY_MICRO = 1, ONLY_STARTUP = 2, ONLY_SUITE = 4, ONLY_FRAMES = 8 };

struct bench_main {
	struct bench_cfg cfg;
	unsigned only;
	const char *way;	/* --way: run the micro workloads on one way */
	const char *startup_child;
	uint64_t t0;
	char self[4096];
};

/* The vtest server and the --load hog, for the signal handler (the
 * process state here: a handler gets no pointer). */
static volatile pid_t server_pid, hog_pid;

static void on_signal(int sig)
{
	if (server_pid > 0)
		kill(server_pid, SIGTERM);
	if (hog_pid > 0)
		kill(hog_pid, SIGKILL);
	_exit(128 + sig);
}

static const struct bench_way_ops *way_by_name(const char *name)
{
	if (!strcmp(name, "direct"))
		return &bench_direct_ops;
	if (!strcmp(name, "sim"))
		return &bench_sim_ops;
	if (!strcmp(name, "sim-follow"))
		return &bench_sim_follow_ops;
	if (!strcmp(name, "vtest"))
		return &bench_vtest_ops;
	return NULL;
}

static int parse_only(const char *list, unsigned *out)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	*out = 0;
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "micro"))
			*out |= ONLY_MICRO;
		else if (!strcmp(t, "startup"))
			*out |= ONLY_STARTUP;
		else if (!strcmp(t, "suite"))
			*out |= ONLY_SUITE;
		else if (!strcmp(t, "frames"))
			*out |= ONLY_FRAMES;
		else
			return -1;
	}
	return *out ? 0 : -1;
}

static int parse_workloads(const char *list, unsigned *out)
{
	static const char *const names[] = {
		"memory", "fence", "clear", "xfer", "map",
	};
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	*out = 0;
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (i < 5 && strcmp(t, names[i]))
			i++;
		if (i == 5)
			return -1;
		*out |= 1u << i;
	}
	return *out ? 0 : -1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: virtgpu-bench [--json] [--quick] [--no-scatter] "
		"[--only=micro,startup,suite,frames]\n"
		"                     [--way=direct|sim|sim-follow|vtest] "
		"[--workloads=memory,fence,clear,xfer,map]\n"
		"                     [--sim=PATH] [--frames-bin=PATH] "
		"[--scenarios=DIR] [--server=PATH]\n"
		"                     [--load]   (a CPU hog on the last CPU "
		"for the whole run)\n");
}

/* Repetitions sized so that a whole run stays well under 2 min. */
static void size_runs(struct bench_cfg *c)
{
	c->fence_iters = c->quick ? 200 : 2000;
	c->clear_iters = c->quick ? 100 : 1000;
	c->xfer_reps = c->quick ? 3 : 9;
	c->bw_procs = c->quick ? 1 : 3;
	c->startup_reps = c->quick ? 2 : 5;
	c->suite_reps = c->quick ? 1 : 3;
	c->frame_reps = c->quick ? 1 : 4;	/* even: placement off first in half */
	c->frames = 1000;
}

static int parse(int argc, char **argv, struct bench_main *bm)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "scatter", no_argument, NULL, 's' },
		{ "no-scatter", no_argument, NULL, 'S' },
		{ "only", required_argument, NULL, 'o' },
		{ "sim", required_argument, NULL, 'm' },
		{ "frames-bin", required_argument, NULL, 'f' },
		{ "scenarios", required_argument, NULL, 'c' },
		{ "server", required_argument, NULL, 'v' },
		{ "way", required_argument, NULL, 'w' },
		{ "workloads", required_argument, NULL, 'W' },
		{ "startup-child", required_argument, NULL, 'C' },
		{ "t0", required_argument, NULL, 'T' },
		{ "socket", required_argument, NULL, 'k' },
		{ "load", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bench_cfg *c = &bm->cfg;
	int opt;

	c->scatter = true;
	c->load_cpu = -1;
	c->workloads = BENCH_W_ALL;
	c->sim_bin = BENCH_SIM_BIN;
	c->frames_bin = BENCH_FRAMES_BIN;
	c->scenarios = BENCH_SCENARIOS;
	c->server_bin = "/usr/bin/virgl_test_server";
	bm->only = ONLY_MICRO | ONLY_STARTUP | ONLY_SUITE | ONLY_FRAMES;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': c->json = true; break;
		case 'q': c->quick = true; break;
		case 's': c->scatter = true; break;
		case 'S': c->scatter = false; break;
		case 'o':
			if (parse_only(optarg, &bm->only)) {
				fprintf(stderr, "virtgpu-bench: bad --only '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'm': c->sim_bin = optarg; break;
		case 'f': c->frames_bin = optarg; break;
		case 'c': c->scenarios = optarg; break;
		case 'v': c->server_bin = optarg; break;
		case 'w':
			if (!way_by_name(optarg)) {
				fprintf(stderr, "virtgpu-bench: bad --way '%s'\n",
					optarg);
				return -1;
			}
			bm->way = optarg;
			break;
		case 'W':
			if (parse_workloads(optarg, &c->workloads)) {
				fprintf(stderr, "virtgpu-bench: bad --workloads "
					"'%s'\n", optarg);
				return -1;
			}
			break;
		case 'C': bm->startup_child = optarg; break;
		case 'T': bm->t0 = strtoull(optarg, NULL, 10); break;
		case 'k':
			snprintf(c->socket_path, sizeof(c->socket_path), "%s",
				 optarg);
			break;
		case 'L': c->load_cpu = 0; break;	/* chosen at start */
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	size_runs(c);
	return 0;
}

static void describe_machine(char *buf, size_t len)
{
	char model[128] = "unknown CPU", line[256], date[64];
	struct utsname u;
	time_t now = time(NULL);
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "model name : %127[^\n]", model) == 1)
			break;
	if (f)
		fclose(f);
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	snprintf(buf, len, "%s; %s, %ld cores; Linux %s %s", date, model,
		 sysconf(_SC_NPROCESSORS_ONLN), u.release, u.machine);
}

static void loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "re");
	double a = 0, b = 0, c = 0;

	if (f) {
		if (fscanf(f, "%lf %lf %lf", &a, &b, &c) != 3)
			a = b = c = 0;
		fclose(f);
	}
	snprintf(buf, len, "%.2f %.2f %.2f", a, b, c);
}

struct way_job {
	const struct bench_cfg *cfg;
	const struct bench_way_ops *ops;
};

static int way_child(void *arg)
{
	struct way_job *job = arg;

	return bench_run_way(job->cfg, job->ops);
}

/* Each way in a child of its own, one after the other, with @cfg. */
static void run_micro_pass(struct bench_main *bm, const struct bench_cfg *cfg,
			   struct bench_results *res)
{
	static const struct bench_way_ops *const ways[] = {
		&bench_direct_ops, &bench_sim_ops, &bench_sim_follow_ops,
		&bench_vtest_ops,
	};

	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		struct bench_cfg only_fence = *cfg;
		struct way_job job = { cfg, ways[i] };
		int st;

		if (bm->way && strcmp(bm->way, ways[i]->name))
			continue;
		/* sim with placement: the round trip only, for the
		 * follow / off ratio (docs/performance.md) */
		if (ways[i] == &bench_sim_follow_ops) {
			only_fence.workloads &= BENCH_W_FENCE;
			if (!only_fence.workloads)
				continue;
			job.cfg = &only_fence;
		}
		if (ways[i] == &bench_vtest_ops && server_pid <= 0) {
			bench_results_note(res, "fence_rt", "vtest",
					   "virgl_test_server did not start");
			continue;
		}
		st = bench_in_child(res, way_child, &job, 100);
		if (st)
			bench_results_note(res, "fence_rt", ways[i]->name,
					   "the way stopped early (see stderr)");
	}
}

/*
 * Memory bandwidth on this machine kind differs between processes far
 * more than within one: six processes of the direct way alone moved
 * TRANSFER_TO_HOST at 2.4 to 3.5 GB/s, each with a spread of 1-2%
 * (docs/performance.md, "Noise").  So the bandwidth workloads (transfers,
 * mapped writes) are spread over bw_procs processes per way, the ways
 * taking turns, and their samples pooled.
 */
static void run_micro(struct bench_main *bm, struct bench_results *res)
{
	const unsigned bw = BENCH_W_XFER | BENCH_W_MAP;
	struct bench_cfg cfg = bm->cfg;
	unsigned procs = bm->cfg.bw_procs ? bm->cfg.bw_procs : 1;

	if (procs > cfg.xfer_reps)
		procs = cfg.xfer_reps;
	cfg.workloads &= ~bw;
	if (cfg.workloads)
		run_micro_pass(bm, &cfg, res);
	cfg.workloads = bm->cfg.workloads & bw;
	for (unsigned p = 0; cfg.workloads && p < procs; p++) {
		/* The repetitions divided as evenly as they go. */
		cfg.xfer_reps = bm->cfg.xfer_reps / procs +
				(p < bm->cfg.xfer_reps % procs);
		run_micro_pass(bm, &cfg, res);
	}
}

int main(int argc, char **argv)
{
	struct bench_main bm = { 0 };
	char machine[512], load_start[64], load_end[64];
	struct bench_results *res;
	pid_t pid = 0;

	if (parse(argc, argv, &bm))
		return 2;
	setenv("MESA_SHADER_CACHE_DISABLE", "true", 1);
	if (bm.startup_child) {
		const struct bench_way_ops *ops = way_by_name(bm.startup_child);
		if (!ops)
			return 2;
		bench_report_to(stdout);
		return bench_startup_child(&bm.cfg, ops, bm.t0) ? 1 : 0;
	}
	ssize_t n = readlink("/proc/self/exe", bm.self, sizeof(bm.self) - 1);
	if (n <= 0) {
		perror("virtgpu-bench: /proc/self/exe");
		return 1;
	}
	bm.self[n] = '\0';
	bm.cfg.self = bm.self;
	describe_machine(machine, sizeof(machine));
	loadavg(load_start, sizeof(load_start));
	res = bench_results_new();
	if (!res)
		return 1;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	pid_t hog = 0;
	if (bm.cfg.load_cpu >= 0) {
		hog = bench_hog_start(&bm.cfg.load_cpu);
		if (hog < 0) {
			fprintf(stderr, "virtgpu-bench: --load: %s\n",
				strerror((int)-hog));
			return 1;
		}
		hog_pid = hog;
	}
	if (bm.only & (ONLY_MICRO | ONLY_STARTUP)) {
		int ret = bench_vtest_server_start(&bm.cfg, &pid);
		if (ret)
			fprintf(stderr, "virtgpu-bench: %s did not start: %s\n",
				bm.cfg.server_bin, strerror(-ret));
		server_pid = pid;
		char s[32];
		snprintf(s, sizeof(s), "%d", (int)pid);
		setenv("BENCH_VTEST_SERVER_PID", s, 1);
	}
	if (bm.only & ONLY_MICRO)
		run_micro(&bm, res);
	if (bm.only & ONLY_STARTUP)
		bench_startup(&bm.cfg, res);
	if (pid > 0 || bm.cfg.socket_path[0])
		bench_vtest_server_stop(&bm.cfg, pid);
	server_pid = 0;
	if (bm.only & ONLY_SUITE)
		bench_suite(&bm.cfg, res);
	if (bm.only & ONLY_FRAMES)
		bench_frames(&bm.cfg, res);
	loadavg(load_end, sizeof(load_end));
	bench_hog_stop(hog);
	hog_pid = 0;

	if (bm.cfg.json)
		bench_print_json(&bm.cfg, res, machine, load_start, load_end);
	else
		bench_print_text(&bm.cfg, res, machine, load_start, load_end);
	bench_results_free(res);
	return 0;
}
