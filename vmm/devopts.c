// SPDX-License-Identifier: MIT
/*
 * The device option table (vmm/devopts.h) and what reads and writes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/virtio_gpu.h>

#include "host/host.h"
#include "kernelmock/km.h"
#include "sim/gpu_config.h"
#include "vmm/devopts.h"
#include "vmm/record.h"

#define FIELD(f) offsetof(struct vmm_machine_options, f), \
	sizeof(((struct vmm_machine_options *)0)->f)
#define K 1024ull
#define M (1024ull * K)
#define G (1024ull * M)

_Static_assert(HOST_POLL_LIMIT_NS == 10000000u,
	       "the poll-max-ns row's limit is HOST_POLL_LIMIT_NS");

const struct vmm_devopt vmm_devopts[] = {
	{ "ram", VMM_DEVOPT_SIZE, "SIZE", "256M", 1 * M, 64 * G, 4 * K,
	  false, "VGS_SHIM_RAM", FIELD(ram_size),
	  "guest RAM, a sparse memfd: only pages the guest touches cost "
	  "host memory" },
	{ "hostmem", VMM_DEVOPT_SIZE, "SIZE", NULL, 0, 64 * G, 4 * K,
	  false, "VGS_SHIM_HOSTMEM", FIELD(hostmem_size),
	  "the host-visible memory region for mapped blobs, 0 for none; "
	  "by default the --vmm's (qemu: none, crosvm: 8G)" },
	{ "vmm", VMM_DEVOPT_CHOICES, "NAME", "qemu", 0, 0, 0, false,
	  "VGS_SHIM_VMM", FIELD(vmms),
	  "whose virtio-gpu device to answer as: " HOST_VMM_NAMES
	  " (its features, queue sizes, config and error answers; strict "
	  "also logs every driver rule broken; docs/device-answers.md); run "
	  "takes a comma-separated list or all and runs each script once "
	  "per personality" },
	{ "features", VMM_DEVOPT_FEATURES, "LIST", NULL, 0,
	  0, 0, false, "VGS_SHIM_FEATURES", FIELD(features),
	  "exactly the device features to offer, comma-separated: "
	  VMM_FEATURE_NAMES "; by default what the --vmm's device offers" },
	{ "no-virgl", VMM_DEVOPT_FLAG, NULL, "1", 0, 0, 0, false,
	  "VGS_SHIM_VIRGL", FIELD(virgl),
	  "do not enable the virgl (GL) renderer" },
	{ "venus", VMM_DEVOPT_FLAG, NULL, "0", 0, 0, 0, true,
	  "VGS_SHIM_VENUS", FIELD(venus),
	  "enable the venus (Vulkan) renderer" },
	{ "render-server", VMM_DEVOPT_FLAG, NULL, "0", 0, 0, 0, true,
	  "VGS_SHIM_RENDER_SERVER", FIELD(render_server),
	  "run venus in virglrenderer's render server (implies venus)" },
	{ "blob-alignment", VMM_DEVOPT_POW2, "N", "4096", 1, 1u << 31, 0,
	  false, "VGS_SHIM_BLOB_ALIGNMENT", FIELD(blob_alignment),
	  "the config field blob_alignment in bytes, offered with the "
	  "feature blob_alignment (virtio 1.4 5.7.4)" },
	{ "scanouts", VMM_DEVOPT_NUMBER, "N", "1", 1, 16, 0, false,
	  "VGS_SHIM_SCANOUTS", FIELD(num_scanouts),
	  "number of scanouts, at most 16 (virtio 1.2 5.7.4)" },
	{ "scanout-dir", VMM_DEVOPT_DIR, "DIR", NULL, 0, 0, 0, false,
	  "VGS_SHIM_SCANOUT_DIR", FIELD(scanout_dir),
	  "write a PNG of each flushed scanout and cursor image to DIR "
	  "(an existing, writable directory)" },
	{ "scatter", VMM_DEVOPT_FLAG, NULL, "0", 0, 0, 0, true,
	  "VGS_SHIM_SCATTER", FIELD(scatter),
	  "hand out guest pages in a scattered order" },
	{ "seed", VMM_DEVOPT_NUMBER, "N", "1", 0, UINT64_MAX, 0, false,
	  "VGS_SHIM_SEED", FIELD(seed), "the seed of --scatter" },
	{ "lockstep", VMM_DEVOPT_FLAG, NULL, "0", 0, 0, 0, true,
	  "VGS_SHIM_LOCKSTEP", FIELD(lockstep),
	  "each guest call waits until the device is idle (reproducible "
	  "runs, predictable gdb stepping)" },
	{ "poll-max-ns", VMM_DEVOPT_NUMBER, "NS", "128000", 0,
	  HOST_POLL_LIMIT_NS, 0, false, "VGS_SHIM_POLL_MAX_NS",
	  FIELD(poll_max_ns),
	  "the device polls its queues up to NS after a drain before it "
	  "sleeps, 0 for never (docs/performance.md)" },
	{ "placement", VMM_DEVOPT_FLAG, NULL, "0", 0, 0, 0, true,
	  "VGS_SHIM_PLACEMENT", FIELD(follow_cpu),
	  "keep the device thread and the renderer's fence thread on the CPU "
	  "of a guest thread that waits for each frame (off by default: "
	  "docs/performance.md, \"Placement\")" },
	{ "max-contexts", VMM_DEVOPT_NUMBER, "N", "1024", 1, UINT32_MAX, 0,
	  false, "VGS_SHIM_MAX_CONTEXTS", FIELD(max_contexts),
	  "contexts the guest may have at once; one more is refused with "
	  "ERR_OUT_OF_MEMORY (a virgl context costs llvmpipe some 4.5 MB)" },
	{ "max-resources", VMM_DEVOPT_NUMBER, "N", "262144", 1, UINT32_MAX,
	  0, false, "VGS_SHIM_MAX_RESOURCES", FIELD(max_resources),
	  "resources the guest may have at once, likewise" },
	{ "max-renderer-mem", VMM_DEVOPT_SIZE, "SIZE", "16G", 1 * M, 1024 * G,
	  4 * K, false, "VGS_SHIM_MAX_RENDERER_MEM", FIELD(max_renderer_bytes),
	  "estimated renderer memory of 3D resources and host blobs "
	  "together, likewise (host/host.h says how it is estimated)" },
	{ "record", VMM_DEVOPT_FILE, "FILE", NULL, 0, 0, 0, false,
	  VMM_RECORD_ENV, FIELD(record),
	  "record every chain, response, fence and the guest memory the "
	  "device read into FILE, for decode and replay (docs/capture.md)" },
	{ "trace", VMM_DEVOPT_FILE, "FILE.json", NULL, 0, 0, 0, false,
	  VMM_TRACE_ENV, FIELD(trace),
	  "write a timeline of guest ioctls, queue transit, device and "
	  "renderer work and fences as Chrome trace-event JSON for "
	  "Perfetto (docs/capture.md)" },
	{ "inject", VMM_DEVOPT_INJECT, "SPEC", NULL, 0, 0, 0, false,
	  "VGS_SHIM_INJECT", FIELD(inject),
	  "inject device faults (repeatable), e.g. "
	  "cmd=SUBMIT_3D,resp=ERR_OUT_OF_MEMORY,count=1; see "
	  "docs/reliability.md" },
	{ "kernel", VMM_DEVOPT_CHOICES, "VERSION", "6.12", 0, 0, 0, false,
	  "VGS_SHIM_KERNEL", FIELD(kernels),
	  "the guest kernel's Linux version (docs/kernel-versions.md); run "
	  "takes a comma-separated list or all and runs each script once "
	  "per version" },
};
const unsigned vmm_ndevopts = SIM_COUNT(vmm_devopts);

/* The kernel row's names: kernelmock's version table. */
static const char *kernel_version_name(unsigned i)
{
	const struct km_kversion *kv = km_kversion_at(i);
	return kv ? kv->name : NULL;
}

/* The vmm row's names: host/'s personality table. */
static const char *vmm_name(unsigned i)
{
	return i < HOST_VMM_COUNT ? host_vmm_name((enum host_vmm)i) : NULL;
}

/* Where each CHOICES row's names come from, by its field: a new
 * list-valued option (a uint64_t set in struct vmm_machine_options, kind
 * VMM_DEVOPT_CHOICES) is its row above plus its line here; run, the
 * device line, the environment, --help and the TAP labels follow. */
static const struct {
	size_t offset;
	const char *(*name)(unsigned i);
} choice_lists[] = {
	{ offsetof(struct vmm_machine_options, kernels), kernel_version_name },
	{ offsetof(struct vmm_machine_options, vmms), vmm_name },
};

const char *vmm_devopt_choice(const struct vmm_devopt *o, unsigned i)
{
	for (size_t k = 0; k < SIM_COUNT(choice_lists); k++)
		if (choice_lists[k].offset == o->offset)
			return i < 64 ? choice_lists[k].name(i) : NULL;
	return NULL;
}

static const struct {
	const char *name;
	unsigned bit;
} features[] = {
#define FEATURE(N, n, bit) { #n, bit },
	SIM_GPU_FEATURES(FEATURE)
#undef FEATURE
};
#define NFEATURES SIM_COUNT(features)

void vmm_format_features(uint64_t f, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NFEATURES && o < len; i++)
		if (f & (1ull << features[i].bit))
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      o ? "," : "", features[i].name);
	if (!o)
		snprintf(buf, len, "none");
}

/* A command-line name and a device key are the same but for '-'/'_'. */
static bool name_matches(const char *name, const char *s, size_t len)
{
	if (strlen(name) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] != s[i] && !(name[i] == '-' && s[i] == '_'))
			return false;
	return true;
}

const struct vmm_devopt *vmm_devopt_find(const char *name, size_t len)
{
	for (unsigned i = 0; i < vmm_ndevopts; i++)
		if (name_matches(vmm_devopts[i].name, name, len))
			return &vmm_devopts[i];
	return NULL;
}

void vmm_devopt_key(const struct vmm_devopt *o, char *buf, size_t len)
{
	snprintf(buf, len, "%s", o->name);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
}

static void *field(const struct vmm_devopt *o, struct vmm_machine_options *m)
{
	return (char *)m + o->offset;
}

static void store_uint(const struct vmm_devopt *o,
		       struct vmm_machine_options *m, uint64_t v)
{
	if (o->size == sizeof(uint32_t)) {
		uint32_t v32 = (uint32_t)v;
		memcpy(field(o, m), &v32, sizeof(v32));
	} else {
		memcpy(field(o, m), &v, sizeof(v));
	}
}

static uint64_t load_uint(const struct vmm_devopt *o,
			  const struct vmm_machine_options *m)
{
	const char *p = (const char *)m + o->offset;
	if (o->size == sizeof(uint32_t)) {
		uint32_t v32;
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static int set_number(const struct vmm_devopt *o, const char *value,
		      struct vmm_machine_options *m, char *err, size_t errlen)
{
	char lo[32], hi[32];
	uint64_t v;
	int ret = o->kind == VMM_DEVOPT_SIZE ? sim_parse_size(value, &v)
					     : vmm_parse_u64(value, &v);

	if (o->kind == VMM_DEVOPT_SIZE) {
		sim_format_size(o->min, lo, sizeof(lo));
		sim_format_size(o->max, hi, sizeof(hi));
	} else {
		snprintf(lo, sizeof(lo), "%" PRIu64, o->min);
		snprintf(hi, sizeof(hi), "%" PRIu64, o->max);
	}
	if (ret || v < o->min || v > o->max ||
	    (o->align && v % o->align) ||
	    (o->kind == VMM_DEVOPT_POW2 && (v & (v - 1)))) {
		if (o->kind != VMM_DEVOPT_SIZE)
			snprintf(err, errlen, "a %s from %s to %s",
				 o->kind == VMM_DEVOPT_POW2 ? "power of two"
							    : "number", lo, hi);
		else
			snprintf(err, errlen, "a size from %s to %s in whole "
				 "%lluK pages (bytes, or with a K, M or "
				 "G suffix)", lo, hi, (unsigned long long)(o->align / K));
		return -EINVAL;
	}
	store_uint(o, m, v);
	return 0;
}

static int set_features(const char *value, uint64_t *out, char *err,
			size_t errlen)
{
	uint64_t f = 0;

	for (const char *p = value;;) {
		size_t len = strcspn(p, ","), i;
		bool none = len == 4 && strncmp(p, "none", 4) == 0;

		for (i = 0; !none && i < NFEATURES; i++)
			if (strlen(features[i].name) == len &&
			    strncmp(features[i].name, p, len) == 0)
				break;
		if (!none && i == NFEATURES) {
			snprintf(err, errlen, "a list of features (%s); '%.*s' "
				 "is not one", VMM_FEATURE_NAMES, (int)len, p);
			return -EINVAL;
		}
		if (!none)
			f |= 1ull << features[i].bit;
		p += len;
		if (!*p)
			break;
		p++;
	}
	*out = f;
	return 0;
}

/* "NAME[,NAME...]" or "all" into a set, bit i for choice(i). */
static int set_choices(const struct vmm_devopt *o, const char *value,
		       uint64_t *out, char *err, size_t errlen)
{
	uint64_t set = 0;
	unsigned n = 0;

	while (n < 64 && vmm_devopt_choice(o, n))
		n++;
	if (!strcmp(value, "all")) {
		*out = n == 64 ? ~0ull : (1ull << n) - 1;
		return 0;
	}
	for (const char *p = value;;) {
		size_t len = strcspn(p, ",");
		unsigned i = 0;

		while (i < n && (strlen(vmm_devopt_choice(o, i)) != len ||
				 strncmp(vmm_devopt_choice(o, i), p, len)))
			i++;
		if (i == n) {
			size_t w = (size_t)snprintf(err, errlen, "one of ");
			for (unsigned k = 0; k < n && w < errlen; k++)
				w += (size_t)snprintf(err + w, errlen - w,
						      "%s, ", vmm_devopt_choice(o, k));
			if (w < errlen)
				snprintf(err + w, errlen - w, "a comma-separated "
					 "list of them or all; '%.*s' is not "
					 "one", (int)len, p);
			return -EINVAL;
		}
		set |= 1ull << i;
		p += len;
		if (!*p)
			break;
		p++;
	}
	*out = set;
	return 0;
}

/* Host-side output goes to DIR: checked here, so that a run does not
 * start only to fail its first flush (issue 16). */
static int set_dir(const char *value, char *out, size_t size, char *err,
		   size_t errlen)
{
	struct stat st;

	if (!*value || strlen(value) >= size) {
		snprintf(err, errlen, "a directory path of 1 to %zu bytes",
			 size - 1);
		return -EINVAL;
	}
	errno = 0;
	if (stat(value, &st) || !S_ISDIR(st.st_mode) ||
	    access(value, W_OK | X_OK)) {
		snprintf(err, errlen, "an existing directory this process can "
			 "write to (%s)", errno ? strerror(errno)
					       : "not a directory");
		return -EINVAL;
	}
	strcpy(out, value);
	return 0;
}

/* A file the machine creates (a capture): absolute, so that the exec
 * shim's process finds the same file whatever its working directory. */
static int set_file(const char *value, char *out, size_t size, char *err,
		    size_t errlen)
{
	char cwd[PATH_MAX] = "";

	if (*value != '/' && !getcwd(cwd, sizeof(cwd)))
		cwd[0] = 0;
	if (!*value || strlen(cwd) + 1 + strlen(value) >= size) {
		snprintf(err, errlen, "a file path of 1 to %zu bytes",
			 size - 1 - strlen(cwd));
		return -EINVAL;
	}
	snprintf(out, size, "%s%s%s", cwd, *cwd ? "/" : "", value);
	return 0;
}

/* Repeated specs join with ';', as host_options.inject takes them; each
 * is checked with the device's own parser before a machine exists. */
static int set_inject(const char *value, char *out, size_t size, char *err,
		      size_t errlen)
{
	char why[200];
	size_t old = strlen(out);
	int ret = host_inject_check(value, why, sizeof(why));

	if (ret == -ENOMEM) {
		snprintf(err, errlen, "a spec (out of memory checking it)");
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "a fault spec (docs/reliability.md): %s",
			 why);
		return -EINVAL;
	}
	if (old + 1 + strlen(value) >= size) {
		snprintf(err, errlen, "at most %zu bytes of fault specs in all",
			 size - 1);
		return -EINVAL;
	}
	snprintf(out + old, size - old, "%s%s", old ? ";" : "", value);
	return 0;
}

int vmm_devopt_set(const struct vmm_devopt *o, const char *value,
		   struct vmm_machine_options *m, char *err, size_t errlen)
{
	bool b;

	switch (o->kind) {
	case VMM_DEVOPT_FLAG:
		if (!value) {
			b = o->flag_value;
		} else if (!strcmp(value, "0") || !strcmp(value, "1")) {
			b = value[0] == '1';
		} else {
			snprintf(err, errlen, "no value, or 0 or 1");
			return -EINVAL;
		}
		memcpy(field(o, m), &b, sizeof(b));
		return 0;
	case VMM_DEVOPT_SIZE:
	case VMM_DEVOPT_NUMBER:
	case VMM_DEVOPT_POW2:
		if (!value)
			break;
		if (o->offset == offsetof(struct vmm_machine_options,
					  hostmem_size))
			m->hostmem_given = true;
		return set_number(o, value, m, err, errlen);
	case VMM_DEVOPT_FEATURES:
		if (!value)
			break;
		m->features_given = true;
		return set_features(value, field(o, m), err, errlen);
	case VMM_DEVOPT_DIR:
		if (value)
			return set_dir(value, field(o, m), o->size, err, errlen);
		break;
	case VMM_DEVOPT_INJECT:
		if (value)
			return set_inject(value, field(o, m), o->size, err,
					  errlen);
		break;
	case VMM_DEVOPT_CHOICES:
		if (value)
			return set_choices(o, value, field(o, m), err, errlen);
		break;
	case VMM_DEVOPT_FILE:
		if (value)
			return set_file(value, field(o, m), o->size, err,
					errlen);
		break;
	}
	snprintf(err, errlen, "a value (%s=%s)", o->name, o->metavar);
	return -EINVAL;
}

void vmm_devopt_format(const struct vmm_devopt *o,
		       const struct vmm_machine_options *m, char *buf,
		       size_t len)
{
	const char *p = (const char *)m + o->offset;

	switch (o->kind) {
	case VMM_DEVOPT_FLAG:
		snprintf(buf, len, "%d", *(const bool *)p);
		return;
	case VMM_DEVOPT_SIZE:
		sim_format_size(load_uint(o, m), buf, len);
		return;
	case VMM_DEVOPT_NUMBER:
	case VMM_DEVOPT_POW2:
		snprintf(buf, len, "%" PRIu64, load_uint(o, m));
		return;
	case VMM_DEVOPT_FEATURES:
		vmm_format_features(*(const uint64_t *)p, buf, len);
		return;
	case VMM_DEVOPT_DIR:
	case VMM_DEVOPT_INJECT:
	case VMM_DEVOPT_FILE:
		snprintf(buf, len, "%s", p);
		return;
	case VMM_DEVOPT_CHOICES: {
		uint64_t set = *(const uint64_t *)p;
		size_t w = 0;

		buf[0] = '\0';
		for (unsigned i = 0; i < 64 && vmm_devopt_choice(o, i) && w < len; i++)
			if (set & (1ull << i))
				w += (size_t)snprintf(buf + w, len - w, "%s%s",
						      w ? "," : "",
						      vmm_devopt_choice(o, i));
		return;
	}
	}
}

unsigned vmm_devopts_runs(const struct vmm_machine_options *m)
{
	unsigned runs = 1;

	for (unsigned i = 0; i < vmm_ndevopts; i++)
		if (vmm_devopts[i].kind == VMM_DEVOPT_CHOICES)
			runs *= (unsigned)__builtin_popcountll(
				*(const uint64_t *)((const char *)m +
						    vmm_devopts[i].offset));
	return runs;
}

void vmm_devopts_run(const struct vmm_machine_options *m, unsigned i,
		     struct vmm_machine_options *out, char *label,
		     size_t len)
{
	unsigned runs = vmm_devopts_runs(m);
	size_t w = 0;

	*out = *m;
	label[0] = '\0';
	for (unsigned r = 0; r < vmm_ndevopts; r++) {
		const struct vmm_devopt *o = &vmm_devopts[r];
		uint64_t set, one;
		unsigned n, k;

		if (o->kind != VMM_DEVOPT_CHOICES)
			continue;
		memcpy(&set, (const char *)m + o->offset, sizeof(set));
		n = (unsigned)__builtin_popcountll(set);
		if (!n)
			continue;
		/* Mixed radix: this row's digit of @i, first row slowest. */
		runs /= n;
		k = (i / runs) % n;
		one = set;
		while (k--)
			one &= one - 1;
		one &= -one;
		memcpy(field(o, out), &one, sizeof(one));
		if (n > 1 && w < len) {
			char key[64], value[32];

			vmm_devopt_key(o, key, sizeof(key));
			vmm_devopt_format(o, out, value, sizeof(value));
			w += (size_t)snprintf(label + w, len - w, "%s%s=%s",
					      w ? " " : "", key, value);
		}
	}
	vmm_devopts_finish(out);	/* the one personality's defaults */
}

void vmm_devopts_defaults(struct vmm_machine_options *m)
{
	char err[160];

	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < vmm_ndevopts; i++) {
		const struct vmm_devopt *o = &vmm_devopts[i];

		/* A bad default is a bug in the table, caught by the
		 * tests that print every option's default. */
		if (o->def && vmm_devopt_set(o, o->def, m, err, sizeof(err)))
			fprintf(stderr, "virtgpu-sim: bad default of --%s: "
				"expected %s\n", o->name, err);
	}
	vmm_devopts_finish(m);
}

void vmm_devopts_finish(struct vmm_machine_options *m)
{
	if (m->render_server)
		m->venus = true;	/* the render server serves venus */
	/* The personality of a machine: the first of the set (a run with
	 * several has vmm_devopts_run make one machine's options each). */
	m->vmm = m->vmms ? (uint32_t)__builtin_ctzll(m->vmms) : HOST_VMM_QEMU;
	/* Without --features the device offers what its VMM offers, with
	 * a 3D renderer when virgl or venus is on (so that a script's vmm=,
	 * no_virgl or venus changes it too). */
	if (!m->features_given)
		m->features = host_vmm_default_features(m->vmm,
							m->virgl || m->venus);
	/* crosvm's device always has its region (issue 18). */
	if (!m->hostmem_given)
		m->hostmem_size = host_vmm_default_hostmem(m->vmm);
}
