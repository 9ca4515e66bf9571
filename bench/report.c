// SPDX-License-Identifier: MIT
/*
 * Collected results: samples per (metric, way), notes, and their printing
 * as text or JSON with medians, spread (p10..p90 and the median absolute
 * deviation), ratios against each metric's baseline way and the issue's
 * targets.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

enum better { LOWER, HIGHER };
#define NWAYS 5

struct metric_info {
	const char *id;
	const char *title;
	const char *unit;
	enum better better;
	const char *ways[NWAYS];	/* print order; ways[0] is the baseline */
};

static const struct metric_info metrics[] = {
	{ "fence_rt", "1. fenced no-op submit round trip", "us", LOWER,
	  { "direct", "sim", "sim-follow", "sim-wait", "vtest" } },
	{ "clear_rate", "2. clear 64x64 + fence", "ops/s", HIGHER,
	  { "direct", "sim", "vtest" } },
	{ "xfer_to", "3. TRANSFER_TO_HOST 64 MiB", "MiB/s", HIGHER,
	  { "direct", "sim", "vtest" } },
	{ "xfer_from", "3. TRANSFER_FROM_HOST 64 MiB", "MiB/s", HIGHER,
	  { "direct", "sim", "vtest" } },
	{ "map_write", "4. memcpy of 64 MiB into a mapped HOST3D blob", "MiB/s",
	  HIGHER, { "memcpy", "direct", "sim", "vtest" } },
	{ "startup", "5. process start to first command answered", "ms",
	  LOWER, { "direct", "sim", "vtest" } },
	{ "suite", "5. scenario suite wall time (virtgpu-sim run)", "s",
	  LOWER, { "sim" } },
	{ "rss_idle", "6. RSS up and idle (sim: 4 GiB guest RAM)", "MiB",
	  LOWER, { "direct", "sim", "vtest" } },
	{ "rss_1000", "6. RSS added by 1000 64x64 textures", "MiB", LOWER,
	  { "direct", "sim", "vtest" } },
	{ "frame", "7. GLES frame loop (textured quad, 2 in flight)",
	  "ms/frame", LOWER,
	  { "native", "exec", "exec-follow", "vtest", "exec-record" } },
	{ "frame_sys_guest", "7. system calls per frame, GL thread",
	  "calls", LOWER, { "native", "exec", "vtest" } },
	{ "frame_sys_all", "7. system calls per frame, all threads",
	  "calls", LOWER, { "native", "exec", "vtest" } },
	{ "frame_csw_all", "7. context switches per frame, all threads",
	  "switches", LOWER, { "native", "exec", "exec-follow", "vtest" } },
	{ "frame_sync", "8. GLES frame loop, glFinish every frame (upload "
	  "64x64, textured quad)", "ms/frame", LOWER,
	  { "native", "exec", "exec-follow", "vtest" } },
	{ "first_frame", "8. first frame (the host translates and compiles "
	  "the shaders)", "ms", LOWER, { "native", "exec", "vtest" } },
	{ "frame_sync_sys_guest", "8. system calls per glFinish frame, GL "
	  "thread", "calls", LOWER, { "native", "exec", "vtest" } },
	{ "frame_sync_sys_all", "8. system calls per glFinish frame, all "
	  "threads", "calls", LOWER, { "native", "exec", "vtest" } },
	{ "frame_sync_csw_guest", "8. context switches per glFinish frame, "
	  "GL thread", "switches", LOWER, { "native", "exec", "vtest" } },
	{ "frame_sync_csw_all", "8. context switches per glFinish frame, "
	  "all threads", "switches", LOWER,
	  { "native", "exec", "exec-follow", "vtest" } },
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

struct series {
	char metric[32], way[16];

	double *v;
	size_t n, cap;
	char notes[512];
	struct series *next;
};

struct bench_results {
	struct series *list;
};

struct bench_results *bench_results_new(void)
{
	return calloc(1, sizeof(struct bench_results));
}

void bench_results_free(struct bench_results *res)
{
	if (!res)
		return;
	while (res->list) {
		struct series *s = res->list;
		res->list = s->next;
		free(s->v);
		free(s);
	}
	free(res);
}

static struct series *find(struct bench_results *res, const char *metric,
			   const char *way, bool create)
{
	struct series *s;

	for (s = res->list; s; s = s->next)
		if (!strcmp(s->metric, metric) && !strcmp(s->way, way))
			return s;
	if (!create || !(s = calloc(1, sizeof(*s))))
		return NULL;
	snprintf(s->metric, sizeof(s->metric), "%s", metric);
	snprintf(s->way, sizeof(s->way), "%s", way);
	s->next = res->list;
	res->list = s;
	return s;
}

void bench_results_add(struct bench_results *res, const char *metric,
		       const char *way, double value)
{
	struct series *s = find(res, metric, way, true);

	if (!s)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		double *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = value;
}

void bench_results_note(struct bench_results *res, const char *metric,
			const char *way, const char *text)
{
	struct series *s = find(res, metric, way, true);
	size_t len;

	if (!s || strstr(s->notes, text))
		return;
	len = strlen(s->notes);
	snprintf(s->notes + len, sizeof(s->notes) - len, "%s%s",
		 len ? "; " : "", text);
}

void bench_results_line(struct bench_results *res, const char *line)
{
	char metric[32], way[16];

	double v;
	int off = 0;

	if (sscanf(line, "sample %31s %15s %lf", metric, way, &v) == 3)
		bench_results_add(res, metric, way, v);
	else if (sscanf(line, "note %31s %15s %n", metric, way, &off) == 2 &&
		 off > 0)
		bench_results_note(res, metric, way, line + off);
}

static bool summary(struct bench_results *res, const char *metric,
		    const char *way, struct bench_summary *out)
{
	struct series *s = find(res, metric, way, false);

	if (!s || !s->n)
		return false;
	bench_summarize(s->v, s->n, out);
	return true;
}

static const char *notes(struct bench_results *res, const char *metric,
			 const char *way)
{
	struct series *s = find(res, metric, way, false);

	return s && s->notes[0] ? s->notes : NULL;
}

/* median(way) / median(base), or NAN. */
static double ratio(struct bench_results *res, const char *metric,
		    const char *way, const char *base)
{
	struct bench_summary a, b;

	if (!summary(res, metric, way, &a) || !summary(res, metric, base, &b) ||
	    b.median == 0)
		return NAN;
	return a.median / b.median;
}

static double median(struct bench_results *res, const char *metric,
		     const char *way)
{
	struct bench_summary s;

	return summary(res, metric, way, &s) ? s.median : NAN;
}

/* --- the targets --- */

struct target {
	const char *what;
	double value;
	const char *op;		/* "<=", ">=", "<" */
	double limit;
	const char *unit;
};

static bool target_met(const struct target *t)
{
	if (isnan(t->value))
		return false;
	if (!strcmp(t->op, "<="))
		return t->value <= t->limit;
	if (!strcmp(t->op, ">="))
		return t->value >= t->limit;
	return t->value < t->limit;
}

static size_t targets(struct bench_results *res, struct target *t)
{
	size_t n = 0;

	t[n++] = (struct target){
		"fence round trip: sim - direct",
		median(res, "fence_rt", "sim") - median(res, "fence_rt", "direct"),
		"<=", 20, "us" };
	t[n++] = (struct target){ "fence round trip: vtest / sim",
		ratio(res, "fence_rt", "vtest", "sim"), ">=", 3, "x" };
	t[n++] = (struct target){ "TRANSFER_TO_HOST: sim / direct",
		ratio(res, "xfer_to", "sim", "direct"), ">=", 0.8, "x" };
	t[n++] = (struct target){ "TRANSFER_FROM_HOST: sim / direct",
		ratio(res, "xfer_from", "sim", "direct"), ">=", 0.8, "x" };
	t[n++] = (struct target){ "mapped writes: sim / memcpy",
		ratio(res, "map_write", "sim", "memcpy"), ">=", 0.9, "x" };
	t[n++] = (struct target){ "4 GiB idle guest RAM: sim - direct RSS",
		median(res, "rss_idle", "sim") - median(res, "rss_idle", "direct"),
		"<", 64, "MiB" };
	t[n++] = (struct target){ "frame loop: exec / native",
		ratio(res, "frame", "exec", "native"), "<=", 1.15, "x" };
	t[n++] = (struct target){ "frame loop: exec / vtest",
		ratio(res, "frame", "exec", "vtest"), "<", 1.0, "x" };
	/* issue 21 */
	t[n++] = (struct target){ "glFinish loop: exec / native",
		ratio(res, "frame_sync", "exec", "native"), "<=", 1.10, "x" };
	t[n++] = (struct target){ "glFinish loop: exec / vtest",
		ratio(res, "frame_sync", "exec", "vtest"), "<=", 0.6, "x" };
	t[n++] = (struct target){ "pipelined loop: exec / native",
		ratio(res, "frame", "exec", "native"), "<=", 1.0, "x" };
	t[n++] = (struct target){ "fence round trip: sim / direct",
		ratio(res, "fence_rt", "sim", "direct"), "<=", 0.5, "x" };
	t[n++] = (struct target){ "system calls per glFinish frame (exec)",
		median(res, "frame_sync_sys_guest", "exec"), "<=", 12, "" };
	/* issue 20 */
	t[n++] = (struct target){ "frame loop: exec-record / exec",
		ratio(res, "frame", "exec-record", "exec"), "<=", 1.10, "x" };
	return n;
}

/*
 * Thread placement (issue 21): exec-follow and sim-follow run with
 * --placement, next to exec and sim (off, the default) in the same run,
 * the processes taking turns.
 */
static const struct {
	const char *what, *metric, *follow, *off, *base;
} placement[] = {
	{ "glFinish loop, exec / native", "frame_sync", "exec-follow",
	  "exec", "native" },
	{ "pipelined loop, exec / native", "frame", "exec-follow", "exec",
	  "native" },
	{ "fenced round trip, sim / direct", "fence_rt", "sim-follow", "sim",
	  "direct" },
};
#define NPLACEMENT (sizeof(placement) / sizeof(placement[0]))

static void print_placement_text(struct bench_results *res)
{
	printf("\nPlacement (issue 21): follow (--placement) against off "
	       "(the default), this run\n");
	for (size_t i = 0; i < NPLACEMENT; i++) {
		double f = ratio(res, placement[i].metric, placement[i].follow,
				 placement[i].base);
		double o = ratio(res, placement[i].metric, placement[i].off,
				 placement[i].base);
		double fo = ratio(res, placement[i].metric,
				  placement[i].follow, placement[i].off);
		if (isnan(fo)) {
			printf("  %-34s not measured in this run\n",
			       placement[i].what);
			continue;
		}
		printf("  %-34s follow %6.3fx  off %6.3fx  follow / off "
		       "%6.3fx\n", placement[i].what, f, o, fo);
	}
}

/* --- text --- */

static void print_metric_text(struct bench_results *res,
			      const struct metric_info *m)
{
	const char *base = m->ways[0];
	bool any = false;

	/* A workload this run left out (--only, --way, --workloads) has
	 * neither samples nor a note for any way: say nothing of it. */
	for (int i = 0; i < NWAYS && m->ways[i]; i++) {
		struct bench_summary s;

		if (summary(res, m->id, m->ways[i], &s) ||
		    notes(res, m->id, m->ways[i]))
			any = true;
	}
	if (!any)
		return;
	printf("\n%s [%s, %s is better]\n", m->title, m->unit,
	       m->better == LOWER ? "lower" : "higher");
	for (int i = 0; i < NWAYS && m->ways[i]; i++) {
		struct bench_summary s;
		const char *note = notes(res, m->id, m->ways[i]);

		if (!summary(res, m->id, m->ways[i], &s)) {
			printf("  %-8s %12s   %s\n", m->ways[i], "n/a",
			       note ? note : "no samples");
			continue;
		}
		printf("  %-8s %12.4g   p10 %-10.4g p90 %-10.4g MAD %-9.3g "
		       "n %-5zu", m->ways[i], s.median, s.p10, s.p90, s.mad,
		       s.n);
		if (i > 0) {
			double r = ratio(res, m->id, m->ways[i], base);
			if (!isnan(r))
				printf(" %.3fx %s", r, base);
		}
		if (note)
			printf("  (%s)", note);
		printf("\n");
	}
}

void bench_print_text(const struct bench_cfg *cfg, struct bench_results *res,
		      const char *machine, const char *load_start,
		      const char *load_end)
{
	struct target t[16];
	size_t nt = targets(res, t);

	printf("virtgpu-bench: the simulated stack against direct "
	       "virglrenderer calls and vtest\n");
	printf("%s\n", machine);
	printf("load average: %s at start, %s at end (2 cores; others may "
	       "be running builds)\n", load_start, load_end);
	if (cfg->load_cpu >= 0)
		printf("--load: a CPU hog pinned to CPU %d for the whole run\n",
		       cfg->load_cpu);
	printf("sim guest pages: %s; ratios are medians over the first way "
	       "listed\n", cfg->scatter ? "scattered (--scatter)"
					: "lowest first");
	for (size_t i = 0; i < NMETRICS; i++)
		print_metric_text(res, &metrics[i]);
	print_placement_text(res);
	printf("\nTargets (issues 8 and 21)\n");
	for (size_t i = 0; i < nt; i++) {
		if (isnan(t[i].value)) {
			printf("  %-42s %14s (target %s %g %s)  not measured "
			       "in this run\n", t[i].what, "", t[i].op,
			       t[i].limit, t[i].unit);
			continue;
		}
		printf("  %-42s %10.3f %-3s (target %s %g %s)  %s\n", t[i].what,
		       t[i].value, t[i].unit, t[i].op, t[i].limit, t[i].unit,
		       target_met(&t[i]) ? "MET" : "NOT MET");
	}
}

/* --- JSON --- */

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_number(double v)
{
	if (isnan(v) || isinf(v))
		printf("null");
	else
		printf("%.6g", v);
}

static void print_metric_json(struct bench_results *res,
			      const struct metric_info *m, bool last)
{
	printf("    {\"id\": \"%s\", \"title\": ", m->id);
	json_string(m->title);
	printf(", \"unit\": \"%s\", \"better\": \"%s\", \"baseline\": \"%s\","
	       " \"ways\": {", m->unit, m->better == LOWER ? "lower" : "higher",
	       m->ways[0]);
	for (int i = 0; i < NWAYS && m->ways[i]; i++) {
		struct bench_summary s;
		const char *note = notes(res, m->id, m->ways[i]);
		bool have = summary(res, m->id, m->ways[i], &s);

		printf("%s\n      \"%s\": {", i ? "," : "", m->ways[i]);
		if (have) {
			printf("\"median\": ");
			json_number(s.median);
			printf(", \"p10\": ");
			json_number(s.p10);
			printf(", \"p90\": ");
			json_number(s.p90);
			printf(", \"mad\": ");
			json_number(s.mad);
			printf(", \"n\": %zu, \"ratio_to_baseline\": ", s.n);
			json_number(ratio(res, m->id, m->ways[i], m->ways[0]));
		} else {
			printf("\"median\": null");
		}
		if (note) {
			printf(", \"note\": ");
			json_string(note);
		}
		printf("}");
	}
	printf("}}%s\n", last ? "" : ",");
}

static void print_placement_json(struct bench_results *res)
{
	printf("  \"placement\": [\n");
	for (size_t i = 0; i < NPLACEMENT; i++) {
		printf("    {\"what\": ");
		json_string(placement[i].what);
		printf(", \"follow\": ");
		json_number(ratio(res, placement[i].metric,
				  placement[i].follow, placement[i].base));
		printf(", \"off\": ");
		json_number(ratio(res, placement[i].metric, placement[i].off,
				  placement[i].base));
		printf(", \"follow_over_off\": ");
		json_number(ratio(res, placement[i].metric,
				  placement[i].follow, placement[i].off));
		printf("}%s\n", i + 1 == NPLACEMENT ? "" : ",");
	}
	printf("  ],\n");
}

void bench_print_json(const struct bench_cfg *cfg, struct bench_results *res,
		      const char *machine, const char *load_start,
		      const char *load_end)
{
	struct target t[16];
	size_t nt = targets(res, t);

	printf("{\n  \"machine\": ");
	json_string(machine);
	printf(",\n  \"load_start\": ");
	json_string(load_start);
	printf(",\n  \"load_end\": ");
	json_string(load_end);
	printf(",\n  \"scatter\": %s,\n  \"load_cpu\": %d,\n  \"metrics\": [\n",
	       cfg->scatter ? "true" : "false", cfg->load_cpu);
	for (size_t i = 0; i < NMETRICS; i++)
		print_metric_json(res, &metrics[i], i + 1 == NMETRICS);
	printf("  ],\n");
	print_placement_json(res);
	printf("  \"targets\": [\n");
	for (size_t i = 0; i < nt; i++) {
		printf("    {\"what\": ");
		json_string(t[i].what);
		printf(", \"value\": ");
		json_number(t[i].value);
		printf(", \"op\": \"%s\", \"limit\": %g, \"unit\": \"%s\", "
		       "\"met\": %s}%s\n", t[i].op, t[i].limit, t[i].unit,
		       isnan(t[i].value) ? "null"
		       : target_met(&t[i]) ? "true" : "false",
		       i + 1 == nt ? "" : ",");
	}
	printf("  ]\n}\n");
}
