/* SPDX-License-Identifier: MIT */
/*
 * virtgpu-sim: the command line.
 *
 *   virtgpu-sim run [OPTIONS] SCRIPT...   scenario scripts, TAP 13 on stdout
 *   virtgpu-sim run --list SCRIPT...      each script and what it needs
 *   virtgpu-sim help                      usage
 *
 * Every script runs on a machine of its own (vmm_machine_create, run,
 * vmm_machine_destroy), so scripts cannot affect each other.  The command
 * line's options are the defaults; a script's "device" line overrides
 * them for that script; a list of kernel versions there or in --kernel
 * runs it once per version, a TAP test each.  A Markdown file (*.md)
 * stands for its ```vgs
 * blocks, each run as a script.  Exit status: 0 when no script failed,
 * 1 when one did, 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <linux/virtio_gpu.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario.h"
#include "host/host.h"
#include "kernelmock/km.h"
#include "vmm/machine.h"
#include "vmm/devopts.h"
#include "vmm/conformance.h"
#include "vmm/exec.h"
#include "vmm/info.h"
#include "vmm/record.h"

#ifndef VIRTGPU_SIM_VERSION
#define VIRTGPU_SIM_VERSION "unknown"
#endif

#define EXIT_USAGE 2

struct vmm_cli {
	struct vmm_machine_options opts;
	bool verbose;
	bool list;
	bool summary;		/* the closing "scenarios: ..." line */
	const char *conformance_path;	/* --conformance=FILE, or NULL */
	bool conformance_fatal;	/* a MUST violation fails the script */
	struct vmm_conformance *report;
};

/* One TAP test: a script file, or one ```vgs block of a Markdown file. */
struct vmm_item {
	char *name;		/* for TAP: the path, or "doc.md:LINE" */
	const char *path;	/* the file, for messages and includes */
	char *text;		/* a Markdown block's text, or NULL */
	int error;		/* -errno: a Markdown file that could not be
				 * split into blocks, a failing item */
};

struct vmm_tally {
	unsigned passed, failed, skipped;
};

static void vmm_usage(FILE *out)
{
	fprintf(out,
		"Usage: virtgpu-sim COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"The virtio-gpu stack of a virtual machine (guest DRM ioctls, "
		"virtqueues,\nvirtio-gpu device, virglrenderer) in one "
		"process.\n"
		"\n"
		"Commands:\n"
		"  run [OPTIONS] SCRIPT...  run scenario scripts (.vgs), each "
		"on a fresh\n"
		"                           machine; TAP 13 on stdout; exit "
		"status 0 when\n"
		"                           no script failed, 1 otherwise\n"
		"  info [OPTIONS]           what the simulated device offers, "
		"as its guest\n"
		"                           learns it: features, scanouts and "
		"EDIDs, capsets\n"
		"                           decoded (info --help for its "
		"options)\n"
		"  exec [OPTIONS] [--] PROGRAM [ARGS...]\n"
		"                           run an unmodified program with "
		"the guest shim:\n"
		"                           Mesa's virtio_gpu driver renders "
		"through the\n"
		"                           simulated stack (see "
		"docs/realdriver.md;\n"
		"                           `virtgpu-sim exec --help`)\n"
		"  decode [OPTIONS] FILE    print a capture of --record, one "
		"line per record\n"
		"  replay [OPTIONS] FILE    drive a device from a capture and "
		"compare what it\n"
		"                           answers (docs/capture.md)\n"
		"  help                     show this help\n"
		"\n"
		"Options for run:\n"
		"  --list              print each script and what it needs (its "
		"device and\n"
		"                      require lines) instead of running it\n"
		"  --no-summary        leave out the closing \"scenarios: N "
		"passed, N failed,\n"
		"                      N skipped\" line (pure TAP, for meson)\n"
		"  -v, --verbose       echo each statement as a TAP comment\n"
		"  --conformance=FILE  write every rule of virtio 1.4 5.7 the "
		"driver broke,\n"
		"                      per script, to FILE as JSON "
		"(docs/device-answers.md)\n"
		"  --conformance-fatal a script whose driver broke a MUST rule "
		"fails\n"
		"  -h, --help          show this help\n"
		"  --version           print the version\n"
		"Device options (of run, exec and info; a script's \"device\" "
		"line takes\nthe same, with '_' for '-': \"device "
		"features=virgl,resource_blob hostmem=64M\nvenus\"):\n");
	vmm_devopts_usage(out, NULL);
	fprintf(out,
		"\n"
		"A script's \"device\" line overrides these options for that "
		"script.  A\nMarkdown file (*.md) stands for its ```vgs "
		"blocks.  The scenario language\nis described in "
		"docs/scenarios.md.\n");
}

enum {
	VMM_OPT_VERSION = 256,
	VMM_OPT_LIST,
	VMM_OPT_NO_SUMMARY,
	VMM_OPT_CONFORMANCE,
	VMM_OPT_CONFORMANCE_FATAL,
};

static const struct option vmm_run_options[] = {
	{ "list", no_argument, NULL, VMM_OPT_LIST },
	{ "no-summary", no_argument, NULL, VMM_OPT_NO_SUMMARY },
	{ "conformance", required_argument, NULL, VMM_OPT_CONFORMANCE },
	{ "conformance-fatal", no_argument, NULL, VMM_OPT_CONFORMANCE_FATAL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, VMM_OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* One of run's own options; 1 = stop and exit 0 (help, version). */
static int vmm_apply_option(void *ctx, int c, const char *arg)
{
	struct vmm_cli *cli = ctx;

	switch (c) {
	case VMM_OPT_LIST:
		cli->list = true;
		return 0;
	case VMM_OPT_NO_SUMMARY:
		cli->summary = false;
		return 0;
	case VMM_OPT_CONFORMANCE:
		cli->conformance_path = arg;
		return 0;
	case VMM_OPT_CONFORMANCE_FATAL:
		cli->conformance_fatal = true;
		return 0;
	case 'v':
		cli->verbose = true;
		return 0;
	case 'h':
		vmm_usage(stdout);
		return 1;
	case VMM_OPT_VERSION:
		printf("virtgpu-sim %s\n", VIRTGPU_SIM_VERSION);
		return 1;
	}
	return -EINVAL;
}

/* Returns the index of the first script in argv, 0 to exit successfully
 * (help, version), or -EINVAL after a usage message. */
static int vmm_parse_run_options(int argc, char **argv, struct vmm_cli *cli)
{
	int ret = vmm_cli_parse("run", argc, argv, vmm_run_options, ":hv",
				vmm_apply_option, cli, &cli->opts);

	if (ret > 0 && ret >= argc)
		return vmm_usage_error("run", "no SCRIPT given");
	return ret;
}

/* TAP diagnostics: every line of @msg as a "# " comment. */
static void vmm_tap_diag(const char *msg)
{
	while (msg && *msg) {
		const char *nl = strchr(msg, '\n');
		int len = nl ? (int)(nl - msg) : (int)strlen(msg);

		printf("# %.*s\n", len, msg);
		msg = nl ? nl + 1 : NULL;
	}
}

static void vmm_report(unsigned n, const char *name,
		       const struct guest_outcome *out, struct vmm_tally *t)
{
	switch (out->kind) {
	case GUEST_OUTCOME_PASS:
		printf("ok %u - %s\n", n, name);
		t->passed++;
		break;
	case GUEST_OUTCOME_SKIP:
		printf("ok %u - %s # SKIP %s\n", n, name, out->message);
		t->skipped++;
		break;
	case GUEST_OUTCOME_FAIL:
		printf("not ok %u - %s\n", n, name);
		vmm_tap_diag(out->message);
		t->failed++;
		break;
	}
}

static void vmm_fail(unsigned n, const char *name, const char *why,
		     struct vmm_tally *t)
{
	printf("not ok %u - %s\n", n, name);
	vmm_tap_diag(why);
	t->failed++;
}

static int vmm_load(const struct vmm_item *it, struct guest_script **script,
		    char **err)
{
	if (it->error) {
		const char *why = it->error == -EFBIG || it->error == -E2BIG
			? "it is larger than the scenario language reads "
			  "(docs/reliability.md, \"Limits of the scenario "
			  "language\")"
			: strerror(-it->error);
		if (asprintf(err, "%s: its ```vgs blocks cannot be read: %s",
			     it->path, why) < 0)
			*err = NULL;
		return -EINVAL;
	}
	if (it->text)
		return guest_script_parse(it->path, it->text, strlen(it->text),
					  script, err);
	return guest_script_load(it->path, script, err);
}

/* One run of a loaded script on a machine of @mopts; @name for TAP. */
static void vmm_run_machine(const struct vmm_cli *cli, unsigned n,
			    const char *name, struct guest_script *script,
			    const struct vmm_machine_options *mopts,
			    struct vmm_tally *t)
{
	struct guest_run_options ropts = { .trace = cli->verbose ? stdout : NULL };
	struct guest_outcome out = { 0 };
	struct vmm_machine *m;
	char why[160];
	int ret;

	ropts.features = mopts->features;
	fflush(stdout);
	ret = vmm_machine_create(mopts, &m);
	if (ret) {
		snprintf(why, sizeof(why), "could not create the machine: %s "
			 "(details on stderr)", strerror(-ret));
		vmm_fail(n, name, why, t);
	} else {
		ret = guest_script_run(script, vmm_machine_kernel(m), &ropts,
				       &out);
		unsigned must = vmm_conformance_add(cli->report, m, name);
		vmm_machine_destroy(m);
		if (ret)
			vmm_fail(n, name, "out of memory while running", t);
		else if (must && cli->conformance_fatal &&
			 out.kind != GUEST_OUTCOME_FAIL)
			vmm_fail(n, name, "--conformance-fatal: the driver "
				 "broke a MUST rule of virtio 1.4 5.7 (the "
				 "device's log names it)", t);
		else
			vmm_report(n, name, &out, t);
		guest_outcome_fini(&out);
	}
	fflush(stdout);
}

/* A script, once per run its options make (a list of kernel versions:
 * one run each, "[kernel=6.12]" after its name).  Returns how many TAP
 * tests it printed, numbered from @n. */
static unsigned vmm_run_one(const struct vmm_cli *cli, unsigned n,
			    const struct vmm_item *it, struct vmm_tally *t)
{
	struct vmm_machine_options mopts, one;
	struct guest_script *script;
	char *err, msg[700], label[200], name[1200];
	unsigned runs;
	int ret = vmm_load(it, &script, &err);

	if (ret) {
		vmm_fail(n, it->name, err ? err : "out of memory", t);
		free(err);
		return 1;
	}
	mopts = cli->opts;
	if (vmm_devopts_apply_device(guest_script_device(script), &mopts, msg,
				     sizeof(msg))) {
		vmm_fail(n, it->name, msg, t);
		guest_script_destroy(script);
		return 1;
	}
	runs = vmm_devopts_runs(&mopts);
	for (unsigned i = 0; i < runs; i++) {
		vmm_devopts_run(&mopts, i, &one, label, sizeof(label));
		snprintf(name, sizeof(name), label[0] ? "%s [%s]" : "%s",
			 it->name, label);
		vmm_run_machine(cli, n + i, name, script, &one, t);
	}
	guest_script_destroy(script);
	return runs;
}

/* --list: what each script needs, without running anything. */
static int vmm_list_one(const struct vmm_item *it)
{
	struct guest_script *script;
	char *err, *needs;
	int ret = vmm_load(it, &script, &err);

	if (ret) {
		printf("%s: cannot be parsed: %s\n", it->name,
		       err ? err : "out of memory");
		free(err);
		return 1;
	}
	needs = guest_script_needs(script);
	printf("%s: %s\n", it->name, needs ? needs : "(out of memory)");
	free(needs);
	guest_script_destroy(script);
	return 0;
}

static bool vmm_is_markdown(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && strcmp(path + n - 3, ".md") == 0;
}

static int vmm_push(struct vmm_item **items, unsigned *n, char *name,
		    const char *path, char *text)
{
	struct vmm_item *v = realloc(*items, (*n + 1) * sizeof(*v));

	if (!v || !name) {
		free(name);
		free(text);
		return -ENOMEM;
	}
	*items = v;
	v[(*n)++] = (struct vmm_item){ name, path, text, 0 };
	return 0;
}

/* A Markdown file's blocks; an unreadable one is one failing item. */
static int vmm_push_markdown(struct vmm_item **items, unsigned *n,
			     const char *path)
{
	char **texts, **names;
	unsigned *lines;
	int count = guest_markdown_blocks(path, &texts, &names, &lines);
	int ret = 0;

	if (count < 0) {
		ret = vmm_push(items, n, strdup(path), path, NULL);
		if (!ret)
			(*items)[*n - 1].error = count;
		return ret;
	}
	for (int i = 0; i < count; i++) {
		if (!ret)
			ret = vmm_push(items, n, names[i], path, texts[i]);
		else {
			free(names[i]);
			free(texts[i]);
		}
	}
	free(texts);
	free(names);
	free(lines);
	return ret;
}

static void vmm_free_items(struct vmm_item *items, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(items[i].name);
		free(items[i].text);
	}
	free(items);
}

static int vmm_cmd_run(int argc, char **argv)
{
	struct vmm_tally t = { 0 };
	struct vmm_cli cli = { 0 };
	struct vmm_item *items = NULL;
	unsigned n = 0;
	int first, ret = 0, status = EXIT_SUCCESS;

	vmm_machine_default_options(&cli.opts);
	cli.summary = true;
	first = vmm_parse_run_options(argc, argv, &cli);
	if (first <= 0)
		return first == 0 ? EXIT_SUCCESS : EXIT_USAGE;
	for (int i = first; i < argc && !ret; i++)
		ret = vmm_is_markdown(argv[i])
			      ? vmm_push_markdown(&items, &n, argv[i])
			      : vmm_push(&items, &n, strdup(argv[i]), argv[i],
					 NULL);
	if (ret) {
		fprintf(stderr, "virtgpu-sim: out of memory\n");
		vmm_free_items(items, n);
		return EXIT_FAILURE;
	}
	if ((cli.opts.record[0] || cli.opts.trace[0]) && n != 1) {
		/* Each script runs on a machine of its own: one capture or
		 * trace is one machine (docs/capture.md). */
		vmm_free_items(items, n);
		return vmm_usage_error("run", "--record and --trace take one "
				       "SCRIPT (each script is a machine of "
				       "its own), %u given", n) ? EXIT_USAGE : 0;
	}
	if (cli.list) {
		for (unsigned i = 0; i < n; i++)
			status |= vmm_list_one(&items[i]);
		vmm_free_items(items, n);
		return status;
	}
	/* Scripts' bad pointers fault in kernelmock's plain user copies and
	 * come back as EFAULT (kernelmock/uaccess.c); nothing here sets a
	 * SIGSEGV handler that could take them. */
	km_uaccess_fast_enable();
	struct vmm_conformance report = { 0 };
	cli.report = &report;
	if (cli.conformance_path &&
	    vmm_conformance_open(&report, cli.conformance_path)) {
		vmm_free_items(items, n);
		return EXIT_FAILURE;
	}
	/* The plan comes last (TAP 13 allows it): a script's device line
	 * may make it several tests, known only once it is read. */
	printf("TAP version 13\n");
	unsigned tests = 0;
	for (unsigned i = 0; i < n; i++)
		tests += vmm_run_one(&cli, tests + 1, &items[i], &t);
	printf("1..%u\n", tests);
	if (vmm_conformance_close(&report))
		t.failed++;
	if (cli.summary)
		printf("scenarios: %u passed, %u failed, %u skipped\n",
		       t.passed, t.failed, t.skipped);
	vmm_free_items(items, n);
	return t.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		vmm_usage_error(NULL, "no command given");
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "info") == 0)
		return vmm_cmd_info(argc - 1, argv + 1);
	if (strcmp(cmd, "exec") == 0)
		return vmm_cmd_exec(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return vmm_cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "decode") == 0)
		return vmm_cmd_decode(argc - 1, argv + 1);
	if (strcmp(cmd, "replay") == 0)
		return vmm_cmd_replay(argc - 1, argv + 1);
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "--help") == 0) {
		vmm_usage(stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("virtgpu-sim %s\n", VIRTGPU_SIM_VERSION);
		return EXIT_SUCCESS;
	}
	if (cmd[0] == '-')
		vmm_usage_error(NULL, "unknown option '%s' (options go after the "
				"command)", cmd);
	else
		vmm_usage_error(NULL, "unknown command '%s'", cmd);
	return EXIT_USAGE;
}
