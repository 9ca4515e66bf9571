// SPDX-License-Identifier: MIT
/*
 * Whole processes: a way's workloads in a forked child, start-up children
 * (this program re-executed), the scenario suite (virtgpu-sim run) and the
 * GLES frame loop natively, under `virtgpu-sim exec` and on vtest.  Every
 * process started here is waited for; a child that overstays its time is
 * killed with its process group.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"

/* Read a child's lines from @fd until EOF or @timeout_s, handing each to
 * @line; then reap @pid.  Returns the exit status, or -ETIME after
 * killing it. */
static int collect(pid_t pid, int fd, int timeout_s,
		   void (*line)(void *, const char *), void *arg)
{
	uint64_t deadline = bench_now_ns() + (uint64_t)timeout_s * 1000000000u;
	char buf[4096];
	size_t have = 0;
	int status, ret = 0;

	for (;;) {
		int64_t left = (int64_t)(deadline - bench_now_ns()) / 1000000;
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			fprintf(stderr, "bench: child %d took more than %d s; "
				"killed\n", (int)pid, timeout_s);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			ret = -ETIME;
			break;
		}
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		char *start = buf, *nl;
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			line(arg, start);
			start = nl + 1;
		}
		have = (size_t)(buf + have - start);
		memmove(buf, start, have);
		if (have == sizeof(buf) - 1)
			have = 0;	/* an absurd line: drop it */
	}
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret)
		return ret;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void results_line_cb(void *arg, const char *line)
{
	bench_results_line(arg, line);
}

int bench_in_child(struct bench_results *res, int (*fn)(void *), void *arg,
		   int timeout_s)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setpgid(0, 0);
		close(p[0]);
		FILE *out = fdopen(p[1], "w");
		bench_report_to(out);
		int ret = fn(arg);
		fflush(out);
		_exit(ret ? 1 : 0);
	}
	setpgid(pid, pid);
	close(p[1]);
	return collect(pid, p[0], timeout_s, results_line_cb, res);
}

/* fork + exec with stdout on a new pipe (returned in *out_fd), stderr on
 * /dev/null unless @keep_stderr; @exec_fd >= 0 runs that file instead of
 * argv[0] (fexecve). */
static pid_t spawn(char *const argv[], int exec_fd, bool keep_stderr,
		   const char *const *setenvs, int *out_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(p[1], STDOUT_FILENO);
		if (!keep_stderr) {
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0)
				dup2(null, STDERR_FILENO);
		}
		for (size_t i = 0; setenvs && setenvs[i]; i += 2)
			setenv(setenvs[i], setenvs[i + 1], 1);
		if (exec_fd >= 0)
			fexecve(exec_fd, argv, environ);
		else
			execv(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	close(p[1]);
	*out_fd = p[0];
	return pid;
}

/* --- start-up --- */

static const struct bench_way_ops *const micro_ways[BENCH_NWAYS] = {
	&bench_direct_ops, &bench_sim_ops, &bench_vtest_ops,
};

void bench_startup(const struct bench_cfg *cfg, struct bench_results *res)
{
	for (unsigned r = 0; r < cfg->startup_reps; r++) {
		for (int w = 0; w < BENCH_NWAYS; w++) {
			char way[64], t0[64], sock[160];
			char *argv[] = {
				(char *)cfg->self, way, t0, sock,
				cfg->scatter ? "--scatter" : "--no-scatter",
				NULL,
			};
			int fd;

			snprintf(way, sizeof(way), "--startup-child=%s",
				 micro_ways[w]->name);
			snprintf(sock, sizeof(sock), "--socket=%s",
				 cfg->socket_path);
			uint64_t start = bench_now_ns();
			snprintf(t0, sizeof(t0), "--t0=%" PRIu64, start);
			pid_t pid = spawn(argv, -1, true, NULL, &fd);
			if (pid < 0)
				continue;
			int st = collect(pid, fd, 60, results_line_cb, res);
			if (st)
				bench_results_note(res, "startup",
						   micro_ways[w]->name,
						   "a start-up child failed");
		}
	}
}

/* --- the scenario suite --- */

struct script_list {
	char **paths;
	size_t n, cap;
};

/* nftw has no user pointer: the walk's list lives here for its duration. */
static struct script_list *walk_list;

static int add_script(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	size_t len = strlen(path);

	if (type != FTW_F || len < 4 || strcmp(path + len - 4, ".vgs"))
		return 0;
	/* reliability/ scripts each need their own --inject (as
	 * scenarios/reliability/meson.build registers them): not part of
	 * one plain run. */
	if (strstr(path, "/reliability/"))
		return 0;
	if (walk_list->n == walk_list->cap) {
		size_t cap = walk_list->cap ? walk_list->cap * 2 : 64;
		char **p = realloc(walk_list->paths, cap * sizeof(*p));
		if (!p)
			return -1;
		walk_list->paths = p;
		walk_list->cap = cap;
	}
	walk_list->paths[walk_list->n] = strdup(path);
	return walk_list->paths[walk_list->n++] ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void count_failures(void *arg, const char *line)
{
	unsigned *failed = arg;

	if (strncmp(line, "not ok", 6) == 0)
		(*failed)++;
}

void bench_suite(const struct bench_cfg *cfg, struct bench_results *res)
{
	struct script_list list = { 0 };

	walk_list = &list;
	if (nftw(cfg->scenarios, add_script, 16, FTW_PHYS) || !list.n) {
		bench_results_note(res, "suite", "sim", "no scenarios found");
		goto out;
	}
	qsort(list.paths, list.n, sizeof(*list.paths), cmp_str);
	char **argv = calloc(list.n + 3, sizeof(*argv));
	if (!argv)
		goto out;
	argv[0] = (char *)cfg->sim_bin;
	argv[1] = "run";
	memcpy(argv + 2, list.paths, list.n * sizeof(*argv));
	for (unsigned r = 0; r < cfg->suite_reps; r++) {
		unsigned failed = 0;
		int fd;
		uint64_t t = bench_now_ns();
		pid_t pid = spawn(argv, -1, false, NULL, &fd);

		if (pid < 0)
			break;
		int st = collect(pid, fd, 100, count_failures, &failed);
		double s = (double)(bench_now_ns() - t) / 1e9;
		if (st || failed) {
			char why[96];
			snprintf(why, sizeof(why), "%u of %zu scripts failed "
				 "(status %d)", failed, list.n, st);
			bench_results_note(res, "suite", "sim", why);
		}
		bench_results_add(res, "suite", "sim", s);
	}
	char text[64];
	snprintf(text, sizeof(text), "%zu scripts; reliability/ left out",
		 list.n);
	bench_results_note(res, "suite", "sim", text);
	free(argv);
out:
	for (size_t i = 0; i < list.n; i++)
		free(list.paths[i]);
	free(list.paths);
	walk_list = NULL;
}

/* --- the GLES frame loop --- */

struct frames_run {
	struct bench_results *res;
	const char *way;
	const char *metric;	/* "frame" (2 in flight) or "frame_sync" */
	bool want_virgl;
	bool renderer_ok;
	bool seen_renderer;
	double samples[256];
	unsigned n;
	double first_ms;	/* < 0: not seen */
	long long counts[4];	/* frames_count.h order; -1: missing */
	unsigned counted;	/* frames the counts cover */
};

static void frames_line(void *arg, const char *line)
{
	struct frames_run *fr = arg;
	unsigned frames;
	unsigned long long ns;
	long long c[4];

	if (strncmp(line, "renderer ", 9) == 0) {
		fr->seen_renderer = true;
		fr->renderer_ok = (strstr(line, "virgl") != NULL) ==
				  fr->want_virgl;
		if (!fr->renderer_ok) {
			char why[256];
			snprintf(why, sizeof(why), "wrong driver: %s", line);
			bench_results_note(fr->res, fr->metric, fr->way, why);
		}
	} else if (strncmp(line, "error ", 6) == 0) {
		bench_results_note(fr->res, fr->metric, fr->way, line + 6);
	} else if (sscanf(line, "chunk %u %llu", &frames, &ns) == 2 &&
		   frames && fr->n < 256) {
		fr->samples[fr->n++] = (double)ns / frames / 1e6;
	} else if (sscanf(line, "first %llu", &ns) == 1) {
		fr->first_ms = (double)ns / 1e6;
	} else if (sscanf(line, "counts %u %lld %lld %lld %lld", &frames,
			  &c[0], &c[1], &c[2], &c[3]) == 5 && frames) {
		memcpy(fr->counts, c, sizeof(c));
		fr->counted = frames;
	}
}

/* Per-frame counts of the run, under "<metric>_<what>" (report.c). */
static void frames_counts(struct frames_run *fr)
{
	static const char *const what[4] = {
		"sys_guest", "sys_all", "csw_guest", "csw_all",
	};
	char metric[32];

	for (int i = 0; i < 4; i++) {
		snprintf(metric, sizeof(metric), "%s_%s", fr->metric, what[i]);
		if (!fr->counted || fr->counts[i] < 0)
			bench_results_note(fr->res, metric, fr->way,
					   "no perf counters here");
		else
			bench_results_add(fr->res, metric, fr->way,
					  (double)fr->counts[i] / fr->counted);
	}
}

static void frames_finish(struct frames_run *fr, int status)
{
	if (status || !fr->seen_renderer || !fr->renderer_ok) {
		char why[96];
		snprintf(why, sizeof(why), "run failed (status %d)", status);
		bench_results_note(fr->res, fr->metric, fr->way, why);
		return;
	}
	for (unsigned i = 0; i < fr->n; i++)
		bench_results_add(fr->res, fr->metric, fr->way, fr->samples[i]);
	if (fr->first_ms >= 0)
		bench_results_add(fr->res, "first_frame", fr->way, fr->first_ms);
	frames_counts(fr);
}

/* @way: "native", "exec" or "exec-follow" (exec with --placement). */
static void frames_direct(const struct bench_cfg *cfg,
			  struct bench_results *res, const char *way, bool sync)
{
	static const char *const env[] = {
		"MESA_SHADER_CACHE_DISABLE", "true", NULL,
	};
	bool exec = strcmp(way, "native") != 0;
	char n[32], *mode = sync ? "--sync" : "--warmup=50";
	char *argv[10];
	int a = 0;
	struct frames_run fr = {
		.res = res, .way = way, .want_virgl = exec,
		.metric = sync ? "frame_sync" : "frame", .first_ms = -1,
	};
	int fd;

	if (exec) {
		argv[a++] = (char *)cfg->sim_bin;
		argv[a++] = "exec";
		if (!strcmp(way, "exec-follow"))
			argv[a++] = "--placement";
		argv[a++] = "--";
	}
	argv[a++] = (char *)cfg->frames_bin;
	argv[a++] = "--frames";
	argv[a++] = n;
	argv[a++] = mode;
	argv[a] = NULL;
	snprintf(n, sizeof(n), "%u", cfg->frames);
	pid_t pid = spawn(argv, -1, false, env, &fd);
	if (pid < 0)
		return;
	frames_finish(&fr, collect(pid, fd, 90, frames_line, &fr));
}

/*
 * The exec frame loop with --record (issue 20): what recording costs a
 * frame, and the capture's size per frame as a note.
 */
static void frames_exec_record(const struct bench_cfg *cfg,
			       struct bench_results *res)
{
	static const char *const env[] = {
		"MESA_SHADER_CACHE_DISABLE", "true", NULL,
	};
	char n[32], path[64], opt[80], note[96];
	char *argv[] = {
		(char *)cfg->sim_bin, "exec", opt, "--",
		(char *)cfg->frames_bin, "--frames", n, "--warmup=50", NULL,
	};
	struct frames_run fr = {
		.res = res, .way = "exec-record", .want_virgl = true,
		.metric = "frame", .first_ms = -1,
	};
	struct stat st;
	int fd;

	snprintf(n, sizeof(n), "%u", cfg->frames);
	snprintf(path, sizeof(path), "/tmp/virtgpu-bench-%d.vgscap",
		 (int)getpid());
	snprintf(opt, sizeof(opt), "--record=%s", path);
	pid_t pid = spawn(argv, -1, false, env, &fd);
	if (pid < 0)
		return;
	frames_finish(&fr, collect(pid, fd, 60, frames_line, &fr));
	if (stat(path, &st) == 0) {
		snprintf(note, sizeof(note), "capture %.1f KiB per frame",
			 st.st_size / 1024.0 / cfg->frames);
		bench_results_note(res, "frame", "exec-record", note);
	}
	unlink(path);
}

/*
 * Mesa's virpipe always connects to /tmp/.virgl_test.  So the vtest
 * frame loop runs in a private mount namespace with its own tmpfs on
 * /tmp: its server and its client see nothing of other engineers' (or
 * our own micro-benchmark) servers.  The frames program is opened before
 * /tmp is covered and run from that descriptor.  Runs in a forked child;
 * reports the frames program's lines on stdout.
 */
static int frames_vtest_ns(const struct bench_cfg *cfg, int frames_fd,
			   bool sync)
{
	char n[32];
	char *srv_argv[] = {
		(char *)cfg->server_bin, "--use-egl-surfaceless", NULL,
	};
	char *argv[] = {
		(char *)cfg->frames_bin, "--frames", n,
		sync ? "--sync" : "--warmup=50", NULL,
	};
	struct stat st;
	pid_t server;
	int ret = 1;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		  "size=16m,mode=1777")) {
		printf("error no private /tmp for virpipe (needs root or a "
		       "user namespace): %s\n", strerror(errno));
		return 1;
	}
	server = fork();
	if (server < 0)
		return 1;
	if (server == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(srv_argv[0], srv_argv);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		if (stat("/tmp/.virgl_test", &st) == 0)
			break;
		usleep(10000);
	}
	snprintf(n, sizeof(n), "%u", cfg->frames);
	pid_t client = fork();
	if (client == 0) {
		setenv("GALLIUM_DRIVER", "virpipe", 1);
		setenv("MESA_SHADER_CACHE_DISABLE", "true", 1);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		fexecve(frames_fd, argv, environ);
		_exit(127);
	}
	if (client > 0) {
		int status;
		while (waitpid(client, &status, 0) < 0 && errno == EINTR)
			;
		ret = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	/* The server forks a worker per client; end both. */
	pid_t worker = bench_first_child(server);
	if (worker > 0)
		kill(worker, SIGTERM);
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	return ret;
}

static void frames_vtest(const struct bench_cfg *cfg,
			 struct bench_results *res, bool sync)
{
	struct frames_run fr = {
		.res = res, .way = "vtest", .want_virgl = true,
		.metric = sync ? "frame_sync" : "frame", .first_ms = -1,
	};
	int fd = open(cfg->frames_bin, O_RDONLY | O_CLOEXEC), p[2];

	if (fd < 0 || pipe2(p, O_CLOEXEC)) {
		bench_results_note(res, "frame", "vtest", "cannot open the "
				   "frames program");
		if (fd >= 0)
			close(fd);
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(p[1], STDOUT_FILENO);
		_exit(frames_vtest_ns(cfg, fd, sync));
	}
	setpgid(pid, pid);
	close(p[1]);
	close(fd);
	if (pid < 0) {
		close(p[0]);
		return;
	}
	frames_finish(&fr, collect(pid, p[0], 90, frames_line, &fr));
}

/* Both loops, the ways taking turns, so that a change of load during the
 * run touches every way alike. */
void bench_frames(const struct bench_cfg *cfg, struct bench_results *res)
{
	for (unsigned r = 0; r < cfg->frame_reps; r++) {
		for (int sync = 0; sync < 2; sync++) {
			/* placement off and on, in turn first */
			bool on_first = r % 2;
			frames_direct(cfg, res, "native", sync);
			frames_direct(cfg, res, on_first ? "exec-follow" : "exec",
				      sync);
			frames_direct(cfg, res, on_first ? "exec" : "exec-follow",
				      sync);
			frames_vtest(cfg, res, sync);
		}
		frames_exec_record(cfg, res);
	}
}

/* --- --load --- */

pid_t bench_hog_start(int *cpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	*cpu = n > 1 ? (int)n - 1 : 0;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		CPU_ZERO(&set);
		CPU_SET(*cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
		for (volatile unsigned long x = 0;; x++)
			;
	}
	return pid;
}

void bench_hog_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
