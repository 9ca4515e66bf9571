// SPDX-License-Identifier: MIT
/*
 * The conformance report: JSON that joins what the device saw (host/,
 * host_device_violations) with what the guest kernel calls the ioctl
 * that was running then (kernelmock/, km_ioctl_name).  Only vmm/ may
 * know both layers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/host.h"
#include "kernelmock/km.h"
#include "vmm/conformance.h"
#include "vmm/machine.h"

#define MAX_VIOLATIONS 64

/* @s as a JSON string (our own ASCII text, but quotes and control
 * characters are escaped all the same). */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

int vmm_conformance_open(struct vmm_conformance *c, const char *path)
{
	c->runs = 0;
	c->path = path;
	c->f = fopen(path, "w");
	if (!c->f) {
		int err = -errno;
		fprintf(stderr, "virtgpu-sim: --conformance=%s: %s\n", path,
			strerror(errno));
		return err;
	}
	fprintf(c->f, "{\n  \"format\": \"virtgpu-sim conformance 1\",\n"
		"  \"spec\": \"virtio 1.4, section 5.7 GPU Device\",\n"
		"  \"runs\": [");
	return 0;
}

static void put_violation(FILE *f, const struct host_violation *v,
			  bool first)
{
	const char *call = v->guest_call ? km_ioctl_name(v->guest_call) : NULL;

	fprintf(f, "%s\n        {\"rule\": ", first ? "" : ",");
	put_string(f, v->rule);
	fprintf(f, ", \"section\": ");
	put_string(f, v->section);
	fprintf(f, ", \"level\": ");
	put_string(f, v->level);
	fprintf(f, ",\n         \"command\": ");
	put_string(f, v->command);
	fprintf(f, ", \"fields\": ");
	put_string(f, v->fields);
	fprintf(f, ",\n         \"first_command\": %llu, \"count\": %llu, "
		"\"guest_ioctl\": ", (unsigned long long)v->first_cmd,
		(unsigned long long)v->count);
	if (call)
		put_string(f, call);
	else if (v->guest_call)
		fprintf(f, "\"0x%lx\"", v->guest_call);
	else
		fprintf(f, "null");
	fprintf(f, ",\n         \"text\": ");
	put_string(f, v->text);
	fprintf(f, "}");
}

unsigned vmm_conformance_add(struct vmm_conformance *c, struct vmm_machine *m,
			     const char *name)
{
	struct host_violation v[MAX_VIOLATIONS];
	unsigned n, must = 0;

	n = host_device_violations(vmm_machine_host(m), v, MAX_VIOLATIONS);
	if (n > MAX_VIOLATIONS)
		n = MAX_VIOLATIONS;	/* more rules than the table has */
	for (unsigned i = 0; i < n; i++)
		must += strcmp(v[i].level, "MUST") == 0;
	if (!c->f)
		return must;
	fprintf(c->f, "%s\n    {\"name\": ", c->runs++ ? "," : "");
	put_string(c->f, name);
	fprintf(c->f, ", \"vmm\": ");
	put_string(c->f, host_vmm_name((enum host_vmm)vmm_machine_vmm(m)));
	fprintf(c->f, ",\n      \"violations\": [");
	for (unsigned i = 0; i < n; i++)
		put_violation(c->f, &v[i], i == 0);
	fprintf(c->f, "%s],\n      \"must\": %u, \"should\": %u}",
		n ? "\n      " : "", must, n - must);
	fflush(c->f);
	return must;
}

int vmm_conformance_close(struct vmm_conformance *c)
{
	if (!c->f)
		return 0;
	fprintf(c->f, "%s]\n}\n", c->runs ? "\n  " : "");
	int bad = ferror(c->f);
	if (fclose(c->f) || bad) {
		fprintf(stderr, "virtgpu-sim: --conformance=%s: write failed\n",
			c->path);
		c->f = NULL;
		return -EIO;
	}
	c->f = NULL;
	return 0;
}
