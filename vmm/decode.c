// SPDX-License-Identifier: MIT
/*
 * `virtgpu-sim decode [OPTIONS] FILE`: a capture (docs/capture.md), one
 * line per record, with every field named as the virtio-gpu spec and
 * <linux/virtio_gpu.h> name it; SUBMIT_3D streams follow the chain, one
 * command a line.  --json gives one JSON object a line instead; --ctx,
 * --cmd, --resource, --from and --to keep only the matching records.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_gpu.h>

#include "sim/capture.h"
#include "sim/gpu_cmds.h"
#include "vmm/decode.h"
#include "vmm/devopts.h"
#include "vmm/record.h"

#define VENUS_CAPSET 4u	/* VIRTIO_GPU_CAPSET_VENUS */

struct decode_filter {
	bool ctx_set, res_set;
	uint32_t ctx, res;
	const struct sim_gpu_cmd *cmd;
	uint64_t from_ns, to_ns;
};

/* What a chain was, for its response's filters and stream decoding. */
struct seq_info {
	uint32_t type, ctx;
	bool res_hit;		/* it names --resource's, or its stream does */
};

struct decoder {
	struct decode_filter filter;
	bool json;
	struct seq_info *seqs;
	uint32_t nseqs;
	uint32_t nchains;		/* CHAIN records read so far */
	uint32_t ctx_capset[4096];	/* capset of context ids below 4096 */
	struct vmm_decode_res res;	/* --resource: what is tied to it */
	FILE *out;			/* the lines (stdout) */
	bool quiet;			/* no message for a bad capture */
};

/* ------------------------------------------------------------------ */
/* Output                                                              */

static void put_json_string(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void key(struct vmm_decode_out *o, const char *k)
{
	if (o->json)
		fprintf(o->f, "%s\"%s\":", o->first ? "" : ",", k);
	else
		fprintf(o->f, " %s=", k);
	o->first = false;
}

void vmm_decode_put_s(struct vmm_decode_out *o, const char *k,
		      const char *value)
{
	key(o, k);
	if (o->json)
		put_json_string(o->f, value, strlen(value));
	else
		fputs(value, o->f);
}

void vmm_decode_put_u(struct vmm_decode_out *o, const char *k, uint64_t v)
{
	key(o, k);
	fprintf(o->f, "%" PRIu64, v);
}

void vmm_decode_put_x(struct vmm_decode_out *o, const char *k, uint64_t v)
{
	key(o, k);
	fprintf(o->f, o->json ? "\"0x%" PRIx64 "\"" : "0x%" PRIx64, v);
}

void vmm_decode_sub_begin(struct vmm_decode_out *o)
{
	if (o->json) {
		fprintf(o->f, "%s{", o->any_sub ? "," : ",\"stream\":[");
		o->any_sub = true;
	} else {
		fputs("\n   ", o->f);
	}
	o->first = true;
	o->in_sub = true;
}

void vmm_decode_sub_end(struct vmm_decode_out *o)
{
	if (o->json)
		fputc('}', o->f);
	o->in_sub = false;
	o->first = false;
}

void vmm_decode_put_undecodable(struct vmm_decode_out *o, size_t offset,
				const char *why)
{
	if (!o->json) {
		fprintf(o->f, " undecodable from offset %zu: %s", offset, why);
		return;
	}
	vmm_decode_put_u(o, "undecodable", offset);
	vmm_decode_put_s(o, "reason", why);
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

static void decode_info(struct vmm_decode_out *o,
			const struct sim_capture_info *i)
{
	char k[256];
	snprintf(k, sizeof(k), "%.*s", (int)i->key_len, i->key);
	vmm_decode_put_s(o, "key", k);
	bool text = true;
	for (uint32_t n = 0; n < i->value_len; n++)
		text &= i->value[n] >= 0x20 && i->value[n] < 0x7f;
	key(o, "value");
	if (!text) {		/* config space: hex bytes */
		fputs(o->json ? "\"" : "", o->f);
		for (uint32_t n = 0; n < i->value_len; n++)
			fprintf(o->f, "%02x", (unsigned char)i->value[n]);
		fputs(o->json ? "\"" : "", o->f);
	} else if (o->json) {
		put_json_string(o->f, i->value, i->value_len);
	} else {
		fprintf(o->f, "\"%.*s\"", (int)i->value_len, i->value);
	}
}

/* What a chain was, for the records that name its seq later.  A
 * recorder numbers chains 0, 1, ... (sim_capture_next_seq), so a seq past
 * the chains read so far is a corrupt capture's: not remembered (its
 * responses then decode without it), and never sizes an allocation (a
 * fuzzed seq of 2^32 - 1 asked for 23 GB). */
static int remember(struct decoder *d, uint32_t seq, struct seq_info si)
{
	uint32_t read_before = d->nchains++;

	if (seq > read_before)
		return 0;
	if (seq >= d->nseqs) {
		uint32_t n = seq + 1024;
		struct seq_info *s = realloc(d->seqs, n * sizeof(*s));
		if (!s)
			return -ENOMEM;
		memset(s + d->nseqs, 0, (n - d->nseqs) * sizeof(*s));
		d->seqs = s;
		d->nseqs = n;
	}
	d->seqs[seq] = si;
	return 0;
}

static bool keep_cmd(const struct decoder *d, const struct seq_info *si)
{
	const struct decode_filter *f = &d->filter;
	if (f->ctx_set && (!si || si->ctx != f->ctx))
		return false;
	if (f->res_set && (!si || !si->res_hit))
		return false;
	if (f->cmd && (!si || si->type != f->cmd->type))
		return false;
	return true;
}

static bool any_cmd_filter(const struct decoder *d)
{
	return d->filter.ctx_set || d->filter.res_set || d->filter.cmd;
}

/* A record of no context and no command (guest memory, a checksum):
 * kept with no such filter, or by --resource alone when @tied to it. */
static bool keep_other(const struct decoder *d, bool tied)
{
	if (d->filter.ctx_set || d->filter.cmd)
		return false;
	return !d->filter.res_set || tied;
}

/* The chain: queue, layout, the request's fields, its stream.  Returns
 * whether it passes the filters. */
static bool decode_chain(struct decoder *d, struct vmm_decode_out *o,
			 const struct sim_capture_chain *c)
{
	vmm_decode_put_u(o, "seq", c->seq);
	vmm_decode_put_s(o, "queue", c->queue ? "cursorq" : "controlq");
	vmm_decode_put_u(o, "head", c->head);
	vmm_decode_put_u(o, "out_len", c->out_len);
	vmm_decode_put_u(o, "in_len", c->in_len);
	vmm_decode_put_u(o, "buffers", (uint64_t)c->out_num + c->in_num);
	vmm_decode_request(o, c->data, c->out_len);

	struct seq_info si = { 0 };
	if (c->out_len >= sizeof(struct virtio_gpu_ctrl_hdr)) {
		si.type = sim_capture_le32(c->data);
		si.ctx = sim_capture_le32(c->data + 16);
	}
	vmm_decode_res_chain(&d->res, c->data, c->out_len, o->resource);
	if (si.type == VIRTIO_GPU_CMD_CTX_CREATE &&
	    c->out_len >= sizeof(struct virtio_gpu_ctx_create) &&
	    si.ctx < SIM_COUNT(d->ctx_capset))
		d->ctx_capset[si.ctx] = sim_capture_le32(c->data + 28) & 0xff;
	if (si.type == VIRTIO_GPU_CMD_SUBMIT_3D &&
	    c->out_len > sizeof(struct virtio_gpu_cmd_submit)) {
		uint32_t size = sim_capture_le32(c->data + 24);
		uint64_t have = c->out_len - sizeof(struct virtio_gpu_cmd_submit);
		bool venus = si.ctx < SIM_COUNT(d->ctx_capset) &&
			     d->ctx_capset[si.ctx] == VENUS_CAPSET;
		vmm_decode_stream(o, c->data + sizeof(struct virtio_gpu_cmd_submit),
				  size < have ? size : have, venus);
	}
	si.res_hit = d->filter.res_set &&
		     (o->resource == d->filter.res || o->res_seen);
	if (remember(d, c->seq, si))
		return false;
	return keep_cmd(d, &si);
}

static bool decode_response(struct decoder *d, struct vmm_decode_out *o,
			    const struct sim_capture_response *r)
{
	vmm_decode_put_u(o, "seq", r->seq);
	vmm_decode_put_s(o, "queue", r->queue ? "cursorq" : "controlq");
	vmm_decode_put_u(o, "written", r->written);
	if (r->flags & SIM_CAPTURE_RESP_AT_ONCE) {
		/* An error answered before any fence (row N4). */
		vmm_decode_put_s(o, "retired", "none");
	} else if (r->flags & SIM_CAPTURE_RESP_FENCE) {
		/* 5.7.6.7: the fence of this timeline retired. */
		vmm_decode_put_s(o, "retired",
				 r->flags & SIM_CAPTURE_RESP_RING ? "ring"
								  : "global");
	}
	vmm_decode_response(o, r->data, r->written);
	return keep_cmd(d, r->seq < d->nseqs ? &d->seqs[r->seq] : NULL);
}

/* One record into @o; returns whether it passes the filters, or -EINVAL
 * with the reason in @err. */
static int decode_record(struct decoder *d, struct vmm_decode_out *o,
			 const struct sim_capture_rec *rec, char *err,
			 size_t errlen)
{
	const char *name = sim_capture_type_name(rec->type);
	const uint8_t *p = rec->payload;
	struct sim_capture_chain c;
	struct sim_capture_response r;
	struct sim_capture_mem m;
	struct sim_capture_info info;
	struct sim_capture_sum s;

	vmm_decode_put_u(o, "offset", rec->offset);
	vmm_decode_put_u(o, "time_ns", rec->time_ns);
	vmm_decode_put_s(o, "record", name ? name : "unknown");
	switch (rec->type) {
	case SIM_CAPTURE_INFO:
		if (sim_capture_parse_info(rec, &info, err, errlen))
			return -EINVAL;
		decode_info(o, &info);
		break;
	case SIM_CAPTURE_CAPSET:
		vmm_decode_put_u(o, "capset_id", sim_capture_le32(p));
		vmm_decode_put_u(o, "capset_max_version", sim_capture_le32(p + 4));
		vmm_decode_put_u(o, "capset_max_size", sim_capture_le32(p + 8));
		break;
	case SIM_CAPTURE_FEATURES:
		vmm_decode_put_x(o, "offered", sim_capture_le64(p));
		vmm_decode_put_x(o, "acked", sim_capture_le64(p + 8));
		break;
	case SIM_CAPTURE_CHAIN:
		if (sim_capture_parse_chain(rec, &c, err, errlen))
			return -EINVAL;
		return decode_chain(d, o, &c);
	case SIM_CAPTURE_RESPONSE:
		if (sim_capture_parse_response(rec, &r, err, errlen))
			return -EINVAL;
		return decode_response(d, o, &r);
	case SIM_CAPTURE_NOTIFY:
		vmm_decode_put_s(o, "queue", sim_capture_le32(p) ? "cursorq"
							       : "controlq");
		break;
	case SIM_CAPTURE_INTERRUPT:
		vmm_decode_put_x(o, "isr", sim_capture_le32(p));
		break;
	case SIM_CAPTURE_GUEST_MEM:
	case SIM_CAPTURE_HOST_MEM:
		if (sim_capture_parse_mem(rec, &m, err, errlen))
			return -EINVAL;
		vmm_decode_put_x(o, rec->type == SIM_CAPTURE_GUEST_MEM ? "gpa"
				 : "offset", m.addr);
		vmm_decode_put_u(o, "length", m.len);
		vmm_decode_put_s(o, "contents", m.data ? "bytes" : "zero");
		return keep_other(d, vmm_decode_res_mem(
			&d->res, rec->type == SIM_CAPTURE_HOST_MEM, m.addr, m.len));
	case SIM_CAPTURE_CHECKSUM:
		sim_capture_parse_sum(rec, &s);
		vmm_decode_put_u(o, "seq", s.seq);
		vmm_decode_put_s(o, "kind", s.kind == SIM_CAPTURE_SUM_SCANOUT
				 ? "scanout" : "readback");
		vmm_decode_put_u(o, s.kind == SIM_CAPTURE_SUM_SCANOUT
				 ? "scanout_id" : "resource_id", s.id);
		vmm_decode_put_u(o, "bytes", s.bytes);
		vmm_decode_put_x(o, "sum", s.sum);
		return keep_other(d, vmm_decode_res_sum(&d->res, s.kind, s.id));
	case SIM_CAPTURE_END:
		vmm_decode_put_u(o, "records", sim_capture_le64(p));
		break;
	case SIM_CAPTURE_STATUS:
		vmm_decode_put_x(o, "old", sim_capture_le32(p));
		vmm_decode_put_x(o, "status", sim_capture_le32(p + 4));
		break;
	default:	/* a later version's record: skipped */
		vmm_decode_put_u(o, "type", rec->type);
		vmm_decode_put_u(o, "length", rec->len);
		break;
	}
	return !any_cmd_filter(d);
}

static int decode_all(struct decoder *d, const char *path,
		      const uint8_t *buf, size_t len)
{
	struct sim_capture_reader rd;
	struct sim_capture_rec rec;
	char err[256];
	int ret = sim_capture_reader_init(&rd, buf, len, err, sizeof(err));

	while (ret == 0 && (ret = sim_capture_reader_next(&rd, &rec, err,
							  sizeof(err))) == 1) {
		struct vmm_decode_out o = { .json = d->json, .first = true,
					    .want_res = d->filter.res_set ?
							d->filter.res : 0 };
		char *line = NULL;
		size_t n = 0;
		o.f = open_memstream(&line, &n);
		if (!o.f)
			return -ENOMEM;
		if (d->json)
			fputc('{', o.f);
		ret = decode_record(d, &o, &rec, err, sizeof(err));
		if (d->json)
			fputs(o.any_sub ? "]}" : "}", o.f);
		fclose(o.f);
		bool in_time = rec.time_ns >= d->filter.from_ns &&
			       rec.time_ns <= d->filter.to_ns;
		if (ret > 0 && in_time)
			fprintf(d->out, "%s\n", d->json ? line : line + 1);
		free(line);
		if (ret < 0)
			break;
		ret = 0;
	}
	if (ret < 0 && !d->quiet) {
		fflush(d->out);
		fprintf(stderr, "virtgpu-sim decode: %s: %s\n", path, err);
	}
	return ret < 0 ? ret : 0;
}

int vmm_decode_capture(const uint8_t *buf, size_t len, bool json,
		       uint32_t res, FILE *out)
{
	struct decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->json = json;
	d->out = out;
	d->quiet = true;
	d->filter.to_ns = UINT64_MAX;
	if (res) {
		d->filter.res_set = true;
		d->filter.res = res;
		vmm_decode_res_init(&d->res, res);
	}
	int ret = decode_all(d, "", buf, len);
	free(d->seqs);
	vmm_decode_res_fini(&d->res);
	free(d);
	return ret;
}

static void decode_usage(FILE *out)
{
	fprintf(out,
		"Usage: virtgpu-sim decode [OPTIONS] FILE\n"
		"\n"
		"Print a capture of --record (docs/capture.md), one line per "
		"record.\n"
		"\n"
		"  --json           one JSON object per line\n"
		"  --ctx=N          only chains and responses of context N\n"
		"  --cmd=NAME       only chains and responses of command NAME "
		"(SUBMIT_3D, ...)\n"
		"  --resource=N     only records tied to resource N: requests "
		"naming it\n"
		"                   (in a field or a virgl stream), their "
		"responses, its\n"
		"                   backing's guest memory, its mapped window, "
		"its checksums\n"
		"  --from=NS        only records at NS ns or later\n"
		"  --to=NS          only records up to NS ns\n"
		"  -h, --help       this help\n"
		"\n"
		"Exit status: 0, 1 for a corrupt or truncated capture (the "
		"message names\nthe file offset and the record type), 2 for "
		"a usage error.\n");
}

static int parse_filter(struct decoder *d, int c, const char *arg)
{
	uint64_t v = 0;

	if (c != 'c' && vmm_parse_u64(arg, &v))
		return vmm_usage_error("decode", "expected a number: %s", arg);
	switch (c) {
	case 'x':
		d->filter.ctx_set = true;
		d->filter.ctx = (uint32_t)v;
		return 0;
	case 'r':
		d->filter.res_set = true;
		d->filter.res = (uint32_t)v;
		vmm_decode_res_init(&d->res, d->filter.res);
		return 0;
	case 'f':
		d->filter.from_ns = v;
		return 0;
	case 't':
		d->filter.to_ns = v;
		return 0;
	}
	for (unsigned i = 0; i < SIM_GPU_CMD_COUNT; i++)
		if (!strcmp(sim_gpu_cmds[i].name, arg))
			d->filter.cmd = &sim_gpu_cmds[i];
	if (!d->filter.cmd)
		return vmm_usage_error("decode", "--cmd=%s: not a virtio-gpu "
				       "command (e.g. SUBMIT_3D)", arg);
	return 0;
}

int vmm_cmd_decode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "ctx", required_argument, NULL, 'x' },
		{ "cmd", required_argument, NULL, 'c' },
		{ "resource", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct decoder *d = calloc(1, sizeof(*d));
	int c;

	if (!d)
		return 1;
	d->filter.to_ns = UINT64_MAX;
	d->out = stdout;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			decode_usage(stdout);
			free(d);
			return 0;
		}
		if (c == 'j') {
			d->json = true;
			continue;
		}
		if (c == '?' || parse_filter(d, c, optarg)) {
			free(d);
			return 2;
		}
	}
	if (optind != argc - 1) {
		free(d);
		vmm_usage_error("decode", "expected one FILE");
		return 2;
	}
	uint8_t *buf;
	size_t len;
	int ret = vmm_capture_load(argv[optind], &buf, &len);
	if (ret == 0) {
		ret = decode_all(d, argv[optind], buf, len);
		free(buf);
	}
	free(d->seqs);
	vmm_decode_res_fini(&d->res);
	free(d);
	return ret ? 1 : 0;
}
