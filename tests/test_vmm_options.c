// SPDX-License-Identifier: MIT
/*
 * The device option table (vmm/devopts.h) is the one place an option is
 * written: every row must reach run, exec and info's --help, the shim's
 * environment (both ways) and a scenario's "device" line, and bad values
 * must be refused with the option's rule and, from a script, file:line.
 * argv[1] is the virtgpu-sim executable.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <linux/virtio_gpu.h>

#include "guest/scenario/scenario.h"
#include "host/host.h"
#include "vmm/devopts.h"

static const char *sim_path;

/* A value the row accepts, in its own syntax (NULL: a bare flag). */
static const char *good_value(const struct vmm_devopt *o, char *buf,
			      size_t len)
{
	switch (o->kind) {
	case VMM_DEVOPT_FLAG:
		return NULL;
	case VMM_DEVOPT_SIZE:
		sim_format_size(o->min, buf, len);
		return buf;
	case VMM_DEVOPT_NUMBER:
	case VMM_DEVOPT_POW2:
		snprintf(buf, len, "%llu", (unsigned long long)o->max);
		return buf;
	case VMM_DEVOPT_FEATURES:
		return "none";
	case VMM_DEVOPT_DIR:
		return "/tmp";
	case VMM_DEVOPT_INJECT:
		return "cmd=SUBMIT_3D,resp=ERR_UNSPEC,count=1";
	case VMM_DEVOPT_CHOICES:
		return vmm_devopt_choice(o, 0);
	case VMM_DEVOPT_FILE:
		return "/tmp/capture.vgscap";
	}
	return NULL;
}

static char *help_of(const char *command)
{
	char cmd[4200], *out = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "'%s' %s --help", sim_path, command);
	f = popen(cmd, "r");
	assert_non_null(f);
	FILE *mem = open_memstream(&out, &len);
	assert_non_null(mem);
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, mem);
	fclose(mem);
	assert_int_equal(pclose(f), 0);
	return out;
}

static void test_vmm_options_every_row_in_help(void **state)
{
	static const char *const commands[] = { "run", "exec", "info" };

	(void)state;
	for (unsigned c = 0; c < 3; c++) {
		char *help = help_of(commands[c]);

		for (unsigned i = 0; i < vmm_ndevopts; i++) {
			char want[80];

			snprintf(want, sizeof(want), "  --%s%s",
				 vmm_devopts[i].name,
				 vmm_devopts[i].metavar ? "=" : "");
			if (!strstr(help, want))
				fail_msg("%s --help lacks '%s'", commands[c],
					 want);
		}
		free(help);
	}
}

/* exec writes every row's variable; the shim reads them all back. */
static void test_vmm_options_env_round_trip(void **state)
{
	struct vmm_machine_options a, b;
	char err[300];

	(void)state;
	vmm_devopts_defaults(&a);
	a.ram_size = 64ull << 20;
	a.venus = true;
	a.lockstep = true;
	a.num_scanouts = 3;
	a.poll_max_ns = 0;
	a.vmms = 1ull << HOST_VMM_CROSVM;
	a.vmm = HOST_VMM_CROSVM;
	a.features = 1ull << VIRTIO_GPU_F_EDID;
	a.features_given = true;
	a.hostmem_size = 64ull << 20;
	a.hostmem_given = true;
	snprintf(a.scanout_dir, sizeof(a.scanout_dir), "/tmp");
	snprintf(a.inject, sizeof(a.inject), "cmd=SUBMIT_3D,count=1");
	a.kernels = 0x5;	/* 6.1,6.8 */
	assert_int_equal(vmm_devopts_to_env(&a), 0);
	for (unsigned i = 0; i < vmm_ndevopts; i++)
		if (!getenv(vmm_devopts[i].env))
			fail_msg("%s not set", vmm_devopts[i].env);
	vmm_devopts_defaults(&b);
	assert_int_equal(vmm_devopts_from_env(&b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	for (unsigned i = 0; i < vmm_ndevopts; i++)
		unsetenv(vmm_devopts[i].env);
	/* Features and a region not given are not passed on: the
	 * program's side picks the same VMM's defaults. */
	a.features_given = false;
	a.hostmem_given = false;
	vmm_devopts_finish(&a);
	assert_int_equal(vmm_devopts_to_env(&a), 0);
	assert_null(getenv("VGS_SHIM_FEATURES"));
	assert_null(getenv("VGS_SHIM_HOSTMEM"));
	vmm_devopts_defaults(&b);
	assert_int_equal(vmm_devopts_from_env(&b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(b.features,
			 host_vmm_default_features(HOST_VMM_CROSVM, true));
	assert_int_equal(b.hostmem_size, 8ull << 30);	/* crosvm's region */
	for (unsigned i = 0; i < vmm_ndevopts; i++)
		unsetenv(vmm_devopts[i].env);
}

static void test_vmm_options_env_bad_value(void **state)
{
	struct vmm_machine_options m;
	char err[300];

	(void)state;
	vmm_devopts_defaults(&m);
	setenv("VGS_SHIM_RAM", "4096", 1);
	assert_int_equal(vmm_devopts_from_env(&m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "VGS_SHIM_RAM=4096: expected a size from 1M "
			    "to 64G in whole 4K pages (bytes, or with a K, M "
			    "or G suffix)");
	unsetenv("VGS_SHIM_RAM");
}

/* Every row is a device key, with '_' for '-'. */
static void test_vmm_options_every_row_a_device_key(void **state)
{
	(void)state;
	for (unsigned i = 0; i < vmm_ndevopts; i++) {
		const struct vmm_devopt *o = &vmm_devopts[i];
		char key[64], val[64], where[] = "t.vgs:1:8", err[400];
		struct vmm_machine_options m;
		struct guest_device_opt opt = { key, NULL, where };
		struct guest_device_line line = { &opt, 1 };

		vmm_devopt_key(o, key, sizeof(key));
		opt.value = (char *)good_value(o, val, sizeof(val));
		vmm_devopts_defaults(&m);
		if (vmm_devopts_apply_device(&line, &m, err, sizeof(err)))
			fail_msg("device %s=%s: %s", key,
				 opt.value ? opt.value : "", err);
	}
}

static const struct {
	const char *desc, *key, *value, *err;
} bad_cases[] = {
	{ "unknown key", "turbo", NULL,
	  "t.vgs:1:8: error: expected a device option (ram, hostmem, vmm, "
	  "features, no_virgl, venus, render_server, blob_alignment, "
	  "scanouts, scanout_dir, "
	  "scatter, seed, lockstep, poll_max_ns, placement, max_contexts, "
	  "max_resources, max_renderer_mem, record, trace, inject, kernel), got 'turbo'" },
	{ "ram not in pages", "ram", "4097",
	  "t.vgs:1:8: error: ram: expected a size from 1M to 64G in whole 4K "
	  "pages (bytes, or with a K, M or G suffix), got '4097'" },
	{ "unknown feature", "features", "virgl,warp",
	  "t.vgs:1:8: error: features: expected a list of features (virgl, "
	  "edid, resource_uuid, resource_blob, context_init, blob_alignment, "
	  "none); 'warp' is not one, got 'virgl,warp'" },
	{ "unknown personality", "vmm", "kvmtool",
	  "t.vgs:1:8: error: vmm: expected one of qemu, crosvm, strict, a "
	  "comma-separated list of them or all; 'kvmtool' is not one, got "
	  "'kvmtool'" },
	{ "too many scanouts", "scanouts", "17",
	  "t.vgs:1:8: error: scanouts: expected a number from 1 to 16, got "
	  "'17'" },
	{ "a size needs a value", "hostmem", NULL,
	  "t.vgs:1:8: error: hostmem: expected a value (hostmem=SIZE), got "
	  "'nothing'" },
	{ "no such directory", "scanout_dir", "/nonexistent/dir",
	  "t.vgs:1:8: error: scanout_dir: expected an existing directory "
	  "this process can write to (No such file or directory), got "
	  "'/nonexistent/dir'" },
	{ "a bad fault", "inject", "cmd=WARP",
	  "t.vgs:1:8: error: inject: expected a fault spec "
	  "(docs/reliability.md): 'cmd=WARP': unknown command 'WARP' (a "
	  "VIRTIO_GPU_CMD_* name such as SUBMIT_3D, or a number), got "
	  "'cmd=WARP'" },
	{ "unknown kernel version", "kernel", "6.12,5.4",
	  "t.vgs:1:8: error: kernel: expected one of 6.1, 6.6, 6.8, 6.12, "
	  "6.14, 7.2, a comma-separated list of them or all; '5.4' is not "
	  "one, got '6.12,5.4'" },
	{ "alignment not a power of two", "blob_alignment", "3000",
	  "t.vgs:1:8: error: blob_alignment: expected a power of two from 1 "
	  "to 2147483648, got '3000'" },
	{ "poll window over the limit", "poll_max_ns", "10000001",
	  "t.vgs:1:8: error: poll_max_ns: expected a number from 0 to "
	  "10000000, got '10000001'" },
};

static void test_vmm_options_device_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char where[] = "t.vgs:1:8", err[600];
		struct guest_device_opt opt = {
			(char *)bad_cases[i].key, (char *)bad_cases[i].value,
			where,
		};
		struct guest_device_line line = { &opt, 1 };
		struct vmm_machine_options m;

		vmm_devopts_defaults(&m);
		if (vmm_devopts_apply_device(&line, &m, err, sizeof(err)) !=
		    -EINVAL || strcmp(err, bad_cases[i].err))
			fail_msg("%s: got \"%s\"", bad_cases[i].desc, err);
	}
}

/* A list-valued (CHOICES) key makes one run per value, labelled for
 * TAP; "all" is every row; the default is one run without a label. */
static void test_vmm_options_runs_per_value(void **state)
{
	const struct vmm_devopt *k = vmm_devopt_find("kernel", 6);
	struct vmm_machine_options m, one;
	char err[300], label[64];
	unsigned rows = 0;

	(void)state;
	assert_non_null(k);
	while (vmm_devopt_choice(k, rows))
		rows++;
	vmm_devopts_defaults(&m);
	assert_int_equal(vmm_devopts_runs(&m), 1);
	vmm_devopts_run(&m, 0, &one, label, sizeof(label));
	assert_string_equal(label, "");
	assert_int_equal(__builtin_popcountll(one.kernels), 1);
	assert_string_equal(vmm_devopt_choice(k, (unsigned)
			    __builtin_ctzll(one.kernels)), "6.12");

	assert_int_equal(vmm_devopt_set(k, "7.2,6.1,6.12", &m, err,
					sizeof(err)), 0);
	assert_int_equal(vmm_devopts_runs(&m), 3);
	static const char *const want[] = { "kernel=6.1", "kernel=6.12",
					    "kernel=7.2" };
	for (unsigned i = 0; i < 3; i++) {
		vmm_devopts_run(&m, i, &one, label, sizeof(label));
		assert_string_equal(label, want[i]);
		assert_int_equal(__builtin_popcountll(one.kernels), 1);
	}
	assert_int_equal(vmm_devopt_set(k, "all", &m, err, sizeof(err)), 0);
	assert_int_equal(vmm_devopts_runs(&m), rows);
}

/* exec and info make one machine: a list is a usage error naming the
 * option. */
static void test_vmm_options_list_only_for_run(void **state)
{
	static const char *const commands[] = { "exec --kernel=6.1,7.2 -- true",
						"info --kernel=all" };

	(void)state;
	for (unsigned c = 0; c < 2; c++) {
		char cmd[4200], out[600] = { 0 };
		FILE *f;

		snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", sim_path,
			 commands[c]);
		f = popen(cmd, "r");
		assert_non_null(f);
		size_t n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = '\0';
		assert_int_equal(WEXITSTATUS(pclose(f)), 2);
		if (!strstr(out, "--kernel takes one value here (only run "
				 "takes a list)"))
			fail_msg("%s: %s", commands[c], out);
	}
}

/* A script's faults replace the command line's; render_server implies
 * venus. */
static void test_vmm_options_device_overrides(void **state)
{
	char k1[] = "inject", v1[] = "cmd=GET_EDID", k2[] = "render_server";
	char where[] = "t.vgs:1:8", err[300];
	struct guest_device_opt opts[] = {
		{ k1, v1, where }, { k2, NULL, where },
	};
	struct guest_device_line line = { opts, 2 };
	struct vmm_machine_options m;

	(void)state;
	vmm_devopts_defaults(&m);
	snprintf(m.inject, sizeof(m.inject), "cmd=SUBMIT_3D");
	assert_int_equal(vmm_devopts_apply_device(&line, &m, err, sizeof(err)),
			 0);
	assert_string_equal(m.inject, "cmd=GET_EDID");
	assert_true(m.render_server);
	assert_true(m.venus);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmm_options_every_row_in_help),
		cmocka_unit_test(test_vmm_options_env_round_trip),
		cmocka_unit_test(test_vmm_options_env_bad_value),
		cmocka_unit_test(test_vmm_options_every_row_a_device_key),
		cmocka_unit_test(test_vmm_options_device_errors),
		cmocka_unit_test(test_vmm_options_device_overrides),
		cmocka_unit_test(test_vmm_options_runs_per_value),
		cmocka_unit_test(test_vmm_options_list_only_for_run),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-OF-virtgpu-sim\n", argv[0]);
		return 2;
	}
	sim_path = argv[1];
	return cmocka_run_group_tests_name("vmm_options", tests, NULL, NULL);
}
