// SPDX-License-Identifier: MIT
/*
 * Time, order statistics, RSS from /proc, and the line protocol a child
 * uses to hand its samples to the parent (bench/bench.h).
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long bench_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Children of @pid from /proc/PID/task/PID/children (space separated). */
static int children_of(pid_t pid, pid_t *out, int max)
{
	char path[64];
	int n = 0, c;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
		 (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (n < max && fscanf(f, "%d", &c) == 1)
		out[n++] = c;
	fclose(f);
	return n;
}

long bench_children_rss_kib(pid_t pid)
{
	pid_t kids[16];
	int n = children_of(pid, kids, 16);
	long sum = 0;

	for (int i = 0; i < n; i++) {
		long k = bench_rss_kib(kids[i]);
		if (k > 0)
			sum += k;
	}
	return sum;
}

pid_t bench_first_child(pid_t pid)
{
	pid_t kid;

	return children_of(pid, &kid, 1) == 1 ? kid : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Linear interpolation between closest ranks (the usual "type 7"). */
static double quantile(const double *sorted, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)floor(pos);
	size_t hi = lo + 1 < n ? lo + 1 : lo;
	double frac = pos - (double)lo;

	return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

void bench_summarize(double *v, size_t n, struct bench_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	s->median = quantile(v, n, 0.5);
	s->p10 = quantile(v, n, 0.1);
	s->p90 = quantile(v, n, 0.9);
	s->min = v[0];
	s->max = v[n - 1];

	double *dev = malloc(n * sizeof(*dev));
	if (!dev)
		return;
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(v[i] - s->median);
	qsort(dev, n, sizeof(*dev), cmp_double);
	s->mad = quantile(dev, n, 0.5);
	free(dev);
}

/* The stream a child reports into; NULL in the parent (no reports). */
static FILE *report_out;

/*
 * Samples stay in the stream's buffer until the child exits: a write to
 * the parent's pipe after every sample woke the parent between two round
 * trips, and its reading then competed with the next one for a CPU (perf
 * sched showed one parent wake-up per sample).  1 MiB holds a whole run.
 */
void bench_report_to(FILE *out)
{
	static char buf[1 << 20];

	report_out = out;
	setvbuf(out, buf, _IOFBF, sizeof(buf));
}

void bench_sample(const char *metric, const char *way, double value)
{
	if (!report_out)
		return;
	fprintf(report_out, "sample %s %s %.9g\n", metric, way, value);
}

void bench_note(const char *metric, const char *way, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (!report_out)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* One line per note: the protocol is line based. */
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	fprintf(report_out, "note %s %s %s\n", metric, way, text);
	fflush(report_out);
}
