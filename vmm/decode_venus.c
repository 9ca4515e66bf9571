// SPDX-License-Identifier: MIT
/*
 * A venus command stream, every command: venus commands carry no length,
 * so the walk sizes each one from its parameters with the schema
 * generated from vk.xml (vmm/venus_schema.h holds the wire rules).  Each
 * command is printed by name with its flags and its top-level handles and
 * scalars; where the stream holds what the schema cannot size (a command
 * id not in the table, an extension struct vk.xml does not give, a
 * platform type) the walk stops with "undecodable from offset N: why",
 * N counted from the start of the stream: it never guesses.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/capture.h"
#include "vmm/decode.h"
#include "vmm/venus_schema.h"

/* Deeper than any pNext chain or struct nesting the registry has. */
#define MAX_DEPTH 64

struct walk {
	const uint8_t *p;
	size_t len, off;
	struct vmm_decode_out *o;	/* its want_res / res_seen */
	unsigned depth;
	size_t fail_off;
	char why[192];
};

static bool fail(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	if (w->why[0])
		return false;
	w->fail_off = w->off;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	return false;
}

static bool take(struct walk *w, uint64_t n, const char *what)
{
	if (n > w->len - w->off)
		return fail(w, "%s needs %" PRIu64 " bytes, the stream has %zu",
			    what, n, w->len - w->off);
	w->off += n;
	return true;
}

static bool read_u32(struct walk *w, uint32_t *v, const char *what)
{
	size_t at = w->off;

	if (!take(w, 4, what))
		return false;
	*v = sim_capture_le32(w->p + at);
	return true;
}

static bool read_u64(struct walk *w, uint64_t *v, const char *what)
{
	size_t at = w->off;

	if (!take(w, 8, what))
		return false;
	*v = sim_capture_le64(w->p + at);
	return true;
}

/* @n bytes padded to 4 (a string's or a byte array's). */
static bool take_padded(struct walk *w, uint64_t n, const char *what)
{
	if (n > w->len - w->off)	/* before padding: no overflow */
		return take(w, n, what);
	return take(w, (n + 3) & ~(uint64_t)3, what);
}

static bool walk_struct(struct walk *w, uint32_t row, bool partial,
			bool stype_read);
static bool walk_member(struct walk *w, const struct vmm_vn_member *m,
			bool partial);

static const struct vmm_vn_struct *struct_of_stype(uint32_t stype)
{
	for (uint32_t i = 0; i < vmm_vn_struct_count; i++)
		if (vmm_vn_structs[i].has_stype &&
		    vmm_vn_structs[i].stype == stype)
			return &vmm_vn_structs[i];
	return NULL;
}

/* A pNext chain: u64 presence, then the next struct, sType first. */
static bool walk_pnext(struct walk *w, bool partial)
{
	uint64_t present;
	uint32_t stype;

	if (!read_u64(w, &present, "pNext"))
		return false;
	if (present == 0)
		return true;
	if (present != 1)
		return fail(w, "pNext presence is %" PRIu64 ", not 0 or 1",
			    present);
	size_t at = w->off;
	if (!read_u32(w, &stype, "pNext sType"))
		return false;
	const struct vmm_vn_struct *s = struct_of_stype(stype);
	if (!s) {
		w->off = at;
		return fail(w, "pNext struct of sType %u is not in the "
			    "schema (vk.xml)", stype);
	}
	return walk_struct(w, (uint32_t)(s - vmm_vn_structs), partial, true);
}

/* One element of @m's type. */
static bool walk_elem(struct walk *w, const struct vmm_vn_member *m,
		      bool partial)
{
	uint64_t n;
	uint32_t tag;

	switch (m->kind) {
	case VMM_VN_U32:
		/* A virtio-gpu resource id (VK_MESA_venus_protocol's streams,
		 * rings and imports): --resource follows it. */
		if (w->o->want_res && w->off + 4 <= w->len &&
		    !strcmp(m->name, "resourceId") &&
		    sim_capture_le32(w->p + w->off) == w->o->want_res)
			w->o->res_seen = true;
		return take(w, 4, m->name);
	case VMM_VN_STYPE:
		return take(w, 4, m->name);
	case VMM_VN_U64:
	case VMM_VN_HANDLE:
		return take(w, 8, m->name);
	case VMM_VN_BYTE:
		return take(w, 1, m->name);
	case VMM_VN_STRUCT:
		return walk_struct(w, m->index, partial, false);
	case VMM_VN_UNION: {
		const struct vmm_vn_struct *u = &vmm_vn_structs[m->index];
		if (!read_u32(w, &tag, m->name))
			return false;
		if (tag >= u->count) {
			w->off -= 4;
			return fail(w, "%s tag %u: %s has %u members", m->name,
				    tag, u->name, u->count);
		}
		return walk_member(w, &vmm_vn_members[u->first + tag], partial);
	}
	case VMM_VN_STRING:
		return read_u64(w, &n, m->name) && take_padded(w, n, m->name);
	case VMM_VN_PNEXT:
		return walk_pnext(w, partial);
	}
	return fail(w, "%s (%s) cannot be sized by the protocol's rules",
		    m->name, m->type);
}

/* @n elements after their count; byte arrays are packed and padded. */
static bool walk_elems(struct walk *w, const struct vmm_vn_member *m,
		       uint64_t n, bool partial)
{
	if (m->kind == VMM_VN_BYTE)
		return take_padded(w, n, m->name);
	for (uint64_t i = 0; i < n; i++) {
		size_t before = w->off;
		if (!walk_elem(w, m, partial))
			return false;
		if (w->off == before)	/* empty partial structs: all alike */
			break;
	}
	return true;
}

/* A member of an output struct, partial: only what structs hold. */
static bool walk_partial_member(struct walk *w, const struct vmm_vn_member *m)
{
	uint64_t n;

	if (m->kind == VMM_VN_STYPE)
		return take(w, 4, "sType");
	if (m->kind == VMM_VN_PNEXT)
		return walk_pnext(w, true);
	if (m->kind != VMM_VN_STRUCT)
		return true;	/* scalars, handles, fixed scalar arrays */
	if (m->shape == VMM_VN_VALUE)
		return walk_struct(w, m->index, true, false);
	if (m->shape == VMM_VN_FIXED)
		return read_u64(w, &n, m->name) && walk_elems(w, m, n, true);
	return fail(w, "%s: a pointer in output struct %s", m->name, m->type);
}

static bool walk_member(struct walk *w, const struct vmm_vn_member *m,
			bool partial)
{
	uint64_t n;
	bool part = partial || (m->flags & VMM_VN_PARTIAL);

	if (m->kind == VMM_VN_OPAQUE)
		return fail(w, "%s (%s) cannot be sized by the protocol's "
			    "rules", m->name, m->type);
	if (partial)
		return walk_partial_member(w, m);
	switch (m->shape) {
	case VMM_VN_VALUE:
		return walk_elem(w, m, part);
	case VMM_VN_POINTER:
		if (!read_u64(w, &n, m->name))
			return false;
		if (n > 1) {
			w->off -= 8;
			return fail(w, "%s: pointer presence %" PRIu64, m->name, n);
		}
		return n == 0 || (m->flags & VMM_VN_PRESENCE) ||
		       walk_elem(w, m, part);
	default:	/* VMM_VN_ARRAY, VMM_VN_FIXED */
		if (!read_u64(w, &n, m->name))
			return false;
		return (m->flags & VMM_VN_PRESENCE) ||
		       walk_elems(w, m, n, part);
	}
}

static bool walk_struct(struct walk *w, uint32_t row, bool partial,
			bool stype_read)
{
	const struct vmm_vn_struct *s = &vmm_vn_structs[row];
	const struct vmm_vn_member *m = &vmm_vn_members[s->first];
	bool ok = true;

	if (++w->depth > MAX_DEPTH)
		return fail(w, "%s nested deeper than %d", s->name, MAX_DEPTH);
	for (uint32_t i = stype_read ? 1 : 0; ok && i < s->count; i++)
		ok = walk_member(w, &m[i], partial);
	w->depth--;
	return ok;
}

static const struct vmm_vn_command *find_command(uint32_t id)
{
	uint32_t lo = 0, hi = vmm_vn_command_count;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (vmm_vn_commands[mid].id == id)
			return &vmm_vn_commands[mid];
		if (vmm_vn_commands[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A top-level parameter: printed when it is a handle or a scalar (or a
 * pointer to one that travels), walked otherwise. */
static bool walk_param(struct walk *w, struct vmm_decode_out *o,
		       const struct vmm_vn_member *m)
{
	bool scalar = m->kind == VMM_VN_U32 || m->kind == VMM_VN_U64 ||
		      m->kind == VMM_VN_HANDLE;
	size_t at = w->off;
	uint64_t present = 1;

	if (!scalar || (m->flags & VMM_VN_PRESENCE) ||
	    (m->shape != VMM_VN_VALUE && m->shape != VMM_VN_POINTER))
		return walk_member(w, m, false);
	if (m->shape == VMM_VN_POINTER && !read_u64(w, &present, m->name))
		return false;
	if (present > 1) {
		w->off = at;
		return fail(w, "%s: pointer presence %" PRIu64, m->name,
			    present);
	}
	if (!present)
		return true;
	size_t v = w->off;
	if (!take(w, m->kind == VMM_VN_U32 ? 4 : 8, m->name))
		return false;
	vmm_decode_put_u(o, m->name, m->kind == VMM_VN_U32 ?
			 sim_capture_le32(w->p + v) : sim_capture_le64(w->p + v));
	return true;
}

static void put_undecodable(struct vmm_decode_out *o, size_t off,
			    const char *why)
{
	vmm_decode_sub_begin(o);
	vmm_decode_put_undecodable(o, off, why);
	vmm_decode_sub_end(o);
}

/* One command at w->off: false (with w->why) when it cannot be sized. */
static bool walk_command(struct walk *w, struct vmm_decode_out *o)
{
	uint32_t id = sim_capture_le32(w->p + w->off);
	uint32_t flags = sim_capture_le32(w->p + w->off + 4);
	const struct vmm_vn_command *c = find_command(id);

	if (!c)
		return fail(w, "command type %u is not in the table "
			    "(guest/venus/venus_cmd_ids.def)", id);
	if (!c->sized)
		return fail(w, "%s (command type %u): its parameters are not in "
			    "the vk.xml this build read", c->name, id);
	w->off += 8;
	vmm_decode_sub_begin(o);
	vmm_decode_put_s(o, "venus", c->name);
	vmm_decode_put_x(o, "flags", flags);
	bool ok = true;
	for (uint32_t i = 0; ok && i < c->count; i++)
		ok = walk_param(w, o, &vmm_vn_members[c->first + i]);
	vmm_decode_sub_end(o);
	return ok;
}

void vmm_decode_venus(struct vmm_decode_out *o, const uint8_t *p, size_t len)
{
	struct walk w = { .p = p, .len = len, .o = o };

	while (w.off < len) {
		if (len - w.off < 8) {
			fail(&w, "%zu bytes, less than a command header",
			     len - w.off);
			break;
		}
		if (!walk_command(&w, o))
			break;
	}
	if (w.why[0])
		put_undecodable(o, w.fail_off, w.why);
}
