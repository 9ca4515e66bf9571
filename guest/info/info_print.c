// SPDX-License-Identifier: MIT
/*
 * `virtgpu-sim info`, the answers (guest/info/info.h): one walk over what
 * info.c collected, written by a tiny emitter as a summary ("key = value"
 * lines in sections, like vulkaninfo --summary) or as JSON, same keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ring.h>

#include "guest/venus/caps_venus.h"
#include "guest/virgl/caps_virgl.h"
#include "guest/info/info.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

#define MAX_DEPTH 8
#define TEXT_EQ_COLUMN 40	/* where text mode puts " = " */
#define TEXT_WIDTH 78

/* ---- the emitter ---- */

struct out {
	FILE *f;
	bool json;
	int depth;
	bool first[MAX_DEPTH];	/* JSON: no comma before the next one */
	bool array[MAX_DEPTH];	/* JSON: members have no key */
};

static void json_string(struct out *o, const char *s, size_t max)
{
	fputc('"', o->f);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(o->f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(o->f, "\\u%04x", c);
		else
			fputc(c, o->f);
	}
	fputc('"', o->f);
}

/* Start a member: JSON comma, indentation and key; text indentation, key
 * and " = ". */
static void key(struct out *o, const char *k)
{
	int d = o->depth;

	if (o->json) {
		fputs(o->first[d] ? "\n" : ",\n", o->f);
		o->first[d] = false;
		fprintf(o->f, "%*s", 2 * (d + 1), "");
		if (!o->array[d]) {
			json_string(o, k, SIZE_MAX);
			fputs(": ", o->f);
		}
		return;
	}
	int n = fprintf(o->f, "%*s%s", 4 * d, "", k);
	fprintf(o->f, "%*s= ", n < TEXT_EQ_COLUMN ? TEXT_EQ_COLUMN - n : 1,
		"");
}

/* An object or array @k (JSON), a heading @title (text): underlined at
 * the top level, "title:" below it. */
static void begin(struct out *o, const char *k, const char *title,
		  bool array)
{
	if (o->json) {
		key(o, k);
		fputc(array ? '[' : '{', o->f);
	} else if (o->depth == 0) {
		size_t n = strlen(title);

		fprintf(o->f, "\n%s\n", title);
		while (n--)
			fputc('=', o->f);
		fputc('\n', o->f);
	} else {
		fprintf(o->f, "%*s%s:\n", 4 * o->depth, "", title);
	}
	if (o->depth + 1 < MAX_DEPTH) {
		o->depth++;
		o->first[o->depth] = true;
		o->array[o->depth] = array;
	}
}

static void end(struct out *o)
{
	bool array = o->array[o->depth], empty = o->first[o->depth];

	o->depth--;
	if (o->json) {
		if (!empty)
			fprintf(o->f, "\n%*s", 2 * (o->depth + 1), "");
		fputc(array ? ']' : '}', o->f);
	}
}

static void put_str(struct out *o, const char *k, const char *v, size_t max)
{
	key(o, k);
	if (o->json)
		json_string(o, v, max);
	else
		fprintf(o->f, "%.*s\n",
			(int)(max > INT32_MAX ? INT32_MAX : max), v);
}

static void put_fmt(struct out *o, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void put_fmt(struct out *o, const char *k, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put_str(o, k, buf, sizeof(buf));
}

static void put_u64(struct out *o, const char *k, uint64_t v)
{
	key(o, k);
	fprintf(o->f, o->json ? "%" PRIu64 : "%" PRIu64 "\n", v);
}

/* A number that reads better in hex; JSON has no hex, so a number. */
static void put_hex(struct out *o, const char *k, uint64_t v)
{
	key(o, k);
	fprintf(o->f, o->json ? "%" PRIu64 : "0x%" PRIx64 "\n", v);
}

/* yes/no (text, with an optional note saying where it came from) or
 * true/false (JSON). */
static void put_bool(struct out *o, const char *k, bool v, const char *note)
{
	key(o, k);
	if (o->json)
		fputs(v ? "true" : "false", o->f);
	else if (note)
		fprintf(o->f, "%-3s  (%s)\n", v ? "yes" : "no", note);
	else
		fprintf(o->f, "%s\n", v ? "yes" : "no");
}

/* A value that could not be had: text "(error ENOENT)", JSON
 * {"error": "ENOENT"}. */
static void put_error(struct out *o, const char *k, const char *why)
{
	key(o, k);
	if (o->json) {
		fputs("{\"error\": ", o->f);
		json_string(o, why, SIZE_MAX);
		fputc('}', o->f);
	} else {
		fprintf(o->f, "(error %s)\n", why);
	}
}

static const char *errno_name(int err, char *buf, size_t len)
{
	const char *n = strerrorname_np(err < 0 ? -err : err);

	if (n)
		return n;
	snprintf(buf, len, "errno %d", err < 0 ? -err : err);
	return buf;
}

static void put_errno(struct out *o, const char *k, int err)
{
	char buf[32];

	put_error(o, k, errno_name(err, buf, sizeof(buf)));
}

typedef const char *(*bit_name_fn)(unsigned bit);

/* Flag bits with their names: text "0x..." with the names wrapped on
 * the lines below, JSON {"value": N, "names": [...]}. */
static void put_flags(struct out *o, const char *k, uint64_t v,
		      unsigned nbits, bit_name_fn name)
{
	int indent = 4 * (o->depth + 1), col = TEXT_WIDTH;
	unsigned n = 0;

	key(o, k);
	if (o->json)
		fprintf(o->f, "{\"value\": %" PRIu64 ", \"names\": [", v);
	else
		fprintf(o->f, "0x%" PRIx64, v);
	for (unsigned b = 0; b < nbits; b++) {
		char unnamed[16];
		const char *s = name(b);

		if (!(v & (1ull << b)))
			continue;
		if (!s) {
			snprintf(unnamed, sizeof(unnamed), "bit%u", b);
			s = unnamed;
		}
		if (o->json) {
			fputs(n++ ? ", " : "", o->f);
			json_string(o, s, SIZE_MAX);
		} else if (col + 1 + (int)strlen(s) > TEXT_WIDTH) {
			col = fprintf(o->f, "\n%*s%s", indent, "", s) - 1;
		} else {
			col += fprintf(o->f, " %s", s);
		}
	}
	fputs(o->json ? "]}" : "\n", o->f);
}

/* ---- names ---- */

static const char *param_name(unsigned param)
{
	static const char *const names[GUEST_INFO_NUM_PARAMS] = {
		"3D_FEATURES", "CAPSET_QUERY_FIX", "RESOURCE_BLOB",
		"HOST_VISIBLE", "CROSS_DEVICE", "CONTEXT_INIT",
		"SUPPORTED_CAPSET_IDs", "EXPLICIT_DEBUG_NAME", "BLOB_ALIGNMENT",
	};

	return param >= 1 && param <= GUEST_INFO_NUM_PARAMS ? names[param - 1]
							    : NULL;
}

static const char *capset_bit_name(unsigned bit)
{
	return guest_info_capset_name(bit);
}

/* Device feature bits (virtio 1.2 5.7.3) and the reserved ones every
 * device may offer (6 "Reserved Feature Bits"). */
static const char *feature_name(unsigned bit)
{
	const char *gpu = sim_gpu_feature_name(bit);

	if (gpu)
		return gpu;
	switch (bit) {
	case VIRTIO_RING_F_INDIRECT_DESC: return "RING_INDIRECT_DESC";
	case VIRTIO_RING_F_EVENT_IDX: return "RING_EVENT_IDX";
	case VIRTIO_F_VERSION_1: return "VERSION_1";
	case VIRTIO_F_ACCESS_PLATFORM: return "ACCESS_PLATFORM";
	case VIRTIO_F_RING_PACKED: return "RING_PACKED";
	case VIRTIO_F_IN_ORDER: return "IN_ORDER";
	case VIRTIO_F_ORDER_PLATFORM: return "ORDER_PLATFORM";
	case VIRTIO_F_SR_IOV: return "SR_IOV";
	case 38: return "NOTIFICATION_DATA";
	case VIRTIO_F_RING_RESET: return "RING_RESET";
	}
	return NULL;
}

static const char *resp_name(uint32_t type)
{
	static const char *const ok[] = {
		"OK_NODATA", "OK_DISPLAY_INFO", "OK_CAPSET_INFO", "OK_CAPSET",
		"OK_EDID", "OK_RESOURCE_UUID", "OK_MAP_INFO",
	};
	static const char *const err[] = {
		"ERR_UNSPEC", "ERR_OUT_OF_MEMORY", "ERR_INVALID_SCANOUT_ID",
		"ERR_INVALID_RESOURCE_ID", "ERR_INVALID_CONTEXT_ID",
		"ERR_INVALID_PARAMETER",
	};
	uint32_t i = type - VIRTIO_GPU_RESP_OK_NODATA;
	uint32_t j = type - VIRTIO_GPU_RESP_ERR_UNSPEC;

	if (i < sizeof(ok) / sizeof(ok[0]))
		return ok[i];
	if (j < sizeof(err) / sizeof(err[0]))
		return err[j];
	return NULL;
}

/* A raw command that did not get the answer it wanted. */
static void put_bad_answer(struct out *o, const char *k,
			   const struct guest_info_answer *a)
{
	char buf[48];
	const char *n;

	if (a->ret) {
		put_errno(o, k, a->ret);
		return;
	}
	n = resp_name(a->type);
	if (!n) {
		snprintf(buf, sizeof(buf), "response 0x%x", a->type);
		n = buf;
	}
	put_error(o, k, n);
}

/* ---- sections ---- */

static void put_driver(struct out *o, const struct guest_info *info)
{
	begin(o, "driver", "Guest driver (DRM_IOCTL_VERSION)", false);
	if (info->version_ret) {
		put_errno(o, "version", info->version_ret);
	} else {
		put_str(o, "name", info->driver_name, SIZE_MAX);
		put_fmt(o, "version", "%d.%d.%d", info->version_major,
			info->version_minor, info->version_patchlevel);
		put_str(o, "date", info->driver_date, SIZE_MAX);
		put_str(o, "desc", info->driver_desc, SIZE_MAX);
	}
	end(o);
}

/* A GETPARAM value as a bool: 0 when the param failed. */
static bool param_on(const struct guest_info *info, unsigned param)
{
	return !info->param_ret[param - 1] && info->param_value[param - 1];
}

/* EDID: the driver's GETPARAMs do not show it; a scanout answering
 * GET_EDID does. */
static void put_edid_feature(struct out *o, const struct guest_info *info)
{
	bool asked = false, answered = false;

	for (unsigned i = 0; i < info->num_scanouts; i++) {
		const struct guest_info_scanout *s = &info->scanouts[i];

		asked |= s->edid_asked;
		answered |= s->edid_asked && !s->edid.ret &&
			    s->edid.type == VIRTIO_GPU_RESP_OK_EDID;
	}
	put_bool(o, "EDID", answered,
		 answered ? "GET_EDID answered OK_EDID"
		 : asked  ? "GET_EDID refused"
			  : "not negotiated: GET_EDID not sent");
}

static void put_features(struct out *o, const struct guest_info *info,
			 const struct guest_info_options *opts)
{
	begin(o, "features", "Device features", false);
	if (opts && opts->have_transport) {
		put_flags(o, "offered", opts->offered, 64, feature_name);
		put_flags(o, "acked", opts->acked, 64, feature_name);
	}
	put_bool(o, "VIRGL", param_on(info, VIRTGPU_PARAM_3D_FEATURES),
		 "GETPARAM 3D_FEATURES");
	put_edid_feature(o, info);
	put_bool(o, "RESOURCE_UUID", param_on(info, VIRTGPU_PARAM_CROSS_DEVICE),
		 "GETPARAM CROSS_DEVICE");
	put_bool(o, "RESOURCE_BLOB",
		 param_on(info, VIRTGPU_PARAM_RESOURCE_BLOB),
		 "GETPARAM RESOURCE_BLOB");
	put_bool(o, "CONTEXT_INIT", param_on(info, VIRTGPU_PARAM_CONTEXT_INIT),
		 "GETPARAM CONTEXT_INIT");
	put_bool(o, "host_visible_region",
		 param_on(info, VIRTGPU_PARAM_HOST_VISIBLE),
		 "GETPARAM HOST_VISIBLE");
	end(o);
}

static void put_kernel(struct out *o, const struct guest_info *info)
{
	begin(o, "kernel", "Guest kernel (--kernel, docs/kernel-versions.md)",
	      false);
	for (unsigned i = 0; i < info->kernel_rows; i++)
		put_str(o, info->kernel[i].key, info->kernel[i].value, SIZE_MAX);
	end(o);
}

/* The host stack, as the VMM told it; a guest cannot see it. */
static void put_host(struct out *o, const struct guest_info_options *opts)
{
	if (!opts || (!opts->host_virglrenderer && !opts->host_gl))
		return;
	begin(o, "host", "Host stack (told by the VMM)", false);
	if (opts->host_virglrenderer)
		put_str(o, "virglrenderer", opts->host_virglrenderer, SIZE_MAX);
	if (opts->host_gl)
		put_str(o, "GL driver", opts->host_gl, SIZE_MAX);
	end(o);
}

static void put_params(struct out *o, const struct guest_info *info)
{
	begin(o, "getparam", "GETPARAM (DRM_IOCTL_VIRTGPU_GETPARAM)", false);
	for (unsigned p = 1; p <= GUEST_INFO_NUM_PARAMS; p++) {
		int ret = info->param_ret[p - 1];
		int v = info->param_value[p - 1];
		char k[48];

		if (o->json)
			snprintf(k, sizeof(k), "%s", param_name(p));
		else
			snprintf(k, sizeof(k), "%u %s", p, param_name(p));
		if (ret)
			put_errno(o, k, ret);
		else if (p == VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs)
			put_flags(o, k, (uint32_t)v, 32, capset_bit_name);
		else
			put_u64(o, k, (uint32_t)v);
	}
	end(o);
}

static void put_edid(struct out *o, const struct guest_info_scanout *s)
{
	struct guest_edid_summary e;

	if (!s->edid_asked)
		return;
	if (s->edid.ret || s->edid.type != VIRTIO_GPU_RESP_OK_EDID) {
		put_bad_answer(o, "edid", &s->edid);
		return;
	}
	begin(o, "edid", "EDID (GET_EDID)", false);
	put_u64(o, "size", s->edid_size);
	if (guest_edid_summarize(s->edid_data, s->edid_size, &e)) {
		put_error(o, "base_block", "shorter than 128 bytes");
		end(o);
		return;
	}
	put_bool(o, "header_ok", e.header_ok, NULL);
	put_str(o, "manufacturer", e.manufacturer, SIZE_MAX);
	put_hex(o, "product", e.product);
	put_u64(o, "serial", e.serial);
	put_fmt(o, "made", "week %u of %u", e.week, e.year);
	put_fmt(o, "edid_version", "%u.%u", e.version, e.revision);
	put_str(o, "name", e.name, SIZE_MAX);
	if (e.has_preferred)
		put_fmt(o, "preferred_mode", "%ux%u @ %u.%03u Hz, %u kHz",
			e.width, e.height, e.refresh_mhz / 1000,
			e.refresh_mhz % 1000, e.clock_khz);
	else
		put_str(o, "preferred_mode", "none", SIZE_MAX);
	put_u64(o, "extensions", e.extensions);
	put_hex(o, "checksum", e.checksum);
	put_bool(o, "checksum_ok", e.checksum_ok, NULL);
	end(o);
}

static void put_scanouts(struct out *o, const struct guest_info *info)
{
	begin(o, "scanouts", "Scanouts (GET_DISPLAY_INFO)", true);
	if (info->display.ret ||
	    info->display.type != VIRTIO_GPU_RESP_OK_DISPLAY_INFO)
		put_bad_answer(o, "display_info", &info->display);
	else if (!info->num_scanouts && !o->json)
		put_str(o, "enabled", "none", SIZE_MAX);
	for (unsigned i = 0; i < info->num_scanouts; i++) {
		const struct guest_info_scanout *s = &info->scanouts[i];
		char title[32];

		snprintf(title, sizeof(title), "scanout %u", s->index);
		begin(o, NULL, title, false);
		put_u64(o, "index", s->index);
		put_fmt(o, "rect", "%ux%u+%u+%u", s->width, s->height, s->x,
			s->y);
		put_bool(o, "enabled", s->enabled, NULL);
		put_hex(o, "flags", s->flags);
		put_edid(o, s);
		end(o);
	}
	end(o);
}

/* ---- capsets ---- */

enum field_kind { F_U32, F_I32, F_F32, F_HEX, F_BOOL, F_VKVER };

/* A run of @count 32-bit words at @off of a decoded capset. */
struct field {
	const char *name;
	size_t off;
	unsigned count;
	enum field_kind kind;
};

#define FIELD(type, member, kind)                                        \
	{ #member, offsetof(type, member),                               \
	  sizeof(((type *)0)->member) / 4, kind }
#define VF(member, kind) FIELD(struct guest_virgl_caps_v2, member, kind)
#define V1F(member) \
	{ #member, offsetof(struct guest_virgl_caps_v2, v1.member), 1, F_U32 }
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static void put_word(struct out *o, uint32_t w, enum field_kind kind)
{
	float f;

	switch (kind) {
	case F_U32: fprintf(o->f, "%" PRIu32, w); break;
	case F_I32: fprintf(o->f, "%" PRId32, (int32_t)w); break;
	case F_F32:
		memcpy(&f, &w, sizeof(f));
		fprintf(o->f, "%g", (double)f);
		break;
	case F_HEX:
		fprintf(o->f, o->json ? "%" PRIu32 : "0x%" PRIx32, w);
		break;
	case F_BOOL:
		fputs(o->json ? (w ? "true" : "false") : (w ? "yes" : "no"),
		      o->f);
		break;
	case F_VKVER:
		fprintf(o->f, o->json ? "\"%u.%u.%u\"" : "%u.%u.%u",
			GUEST_VK_VERSION_MAJOR(w), GUEST_VK_VERSION_MINOR(w),
			GUEST_VK_VERSION_PATCH(w));
		break;
	}
}

/* The fields the capset reached (@size bytes of @base): text joins an
 * array's words with spaces, JSON makes it an array. */
static void put_fields(struct out *o, const void *base, size_t size,
		       const struct field *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct field *fl = &fields[i];
		const unsigned char *p = (const unsigned char *)base + fl->off;

		if (fl->off + 4 * (size_t)fl->count > size)
			continue;
		key(o, fl->name);
		if (o->json && fl->count > 1)
			fputc('[', o->f);
		for (unsigned j = 0; j < fl->count; j++) {
			uint32_t w;

			memcpy(&w, p + 4 * j, 4);
			if (j)
				fputs(o->json ? ", " : " ", o->f);
			put_word(o, w, fl->kind);
		}
		fputs(o->json ? (fl->count > 1 ? "]" : "") : "\n", o->f);
	}
}

static const struct field virgl_v1_fields[] = {
	V1F(max_texture_array_layers),
	V1F(max_streamout_buffers), V1F(max_dual_source_render_targets),
	V1F(max_render_targets), V1F(max_samples),
	{ "prim_mask", offsetof(struct guest_virgl_caps_v2, v1.prim_mask), 1,
	  F_HEX },
	V1F(max_tbo_size), V1F(max_uniform_blocks), V1F(max_viewports),
	V1F(max_texture_gather_components),
};

static const struct field virgl_v2_fields[] = {
	VF(max_texture_2d_size, F_U32), VF(max_texture_3d_size, F_U32),
	VF(max_texture_cube_size, F_U32), VF(max_texture_image_units, F_U32),
	VF(max_anisotropy, F_F32), VF(max_texture_lod_bias, F_F32),
	VF(max_image_samples, F_U32),
	VF(min_aliased_point_size, F_F32), VF(max_aliased_point_size, F_F32),
	VF(min_smooth_point_size, F_F32), VF(max_smooth_point_size, F_F32),
	VF(min_aliased_line_width, F_F32), VF(max_aliased_line_width, F_F32),
	VF(min_smooth_line_width, F_F32), VF(max_smooth_line_width, F_F32),
	VF(max_geom_output_vertices, F_U32),
	VF(max_geom_total_output_components, F_U32),
	VF(max_vertex_outputs, F_U32), VF(max_vertex_attribs, F_U32),
	VF(max_vertex_attrib_stride, F_U32),
	VF(max_shader_patch_varyings, F_U32),
	VF(min_texel_offset, F_I32), VF(max_texel_offset, F_I32),
	VF(min_texture_gather_offset, F_I32),
	VF(max_texture_gather_offset, F_I32),
	VF(texture_buffer_offset_alignment, F_U32),
	VF(uniform_buffer_offset_alignment, F_U32),
	VF(shader_buffer_offset_alignment, F_U32),
	VF(sample_locations, F_HEX),
	VF(max_shader_buffer_frag_compute, F_U32),
	VF(max_shader_buffer_other_stages, F_U32),
	VF(max_shader_image_frag_compute, F_U32),
	VF(max_shader_image_other_stages, F_U32),
	VF(max_combined_shader_buffers, F_U32),
	VF(max_atomic_counters, F_U32), VF(max_atomic_counter_buffers, F_U32),
	VF(max_combined_atomic_counters, F_U32),
	VF(max_combined_atomic_counter_buffers, F_U32),
	VF(max_compute_work_group_invocations, F_U32),
	VF(max_compute_shared_memory_size, F_U32),
	VF(max_compute_grid_size, F_U32), VF(max_compute_block_size, F_U32),
	VF(max_const_buffer_size, F_U32), VF(max_uniform_block_size, F_U32),
	VF(max_video_memory, F_U32), VF(num_video_caps, F_U32),
	VF(host_feature_check_version, F_U32),
};

/* How many formats each mask the capset reached marks supported. */
static void put_format_counts(struct out *o, const struct guest_virgl_caps *c)
{
	const struct guest_virgl_caps_v2 *v = &c->v2;
	static const struct {
		const char *name;
		size_t off;
	} masks[] = {
		{ "sampler", offsetof(struct guest_virgl_caps_v2, v1.sampler) },
		{ "render", offsetof(struct guest_virgl_caps_v2, v1.render) },
		{ "depthstencil",
		  offsetof(struct guest_virgl_caps_v2, v1.depthstencil) },
		{ "vertexbuffer",
		  offsetof(struct guest_virgl_caps_v2, v1.vertexbuffer) },
		{ "readback", offsetof(struct guest_virgl_caps_v2,
				       supported_readback_formats) },
		{ "scanout", offsetof(struct guest_virgl_caps_v2, scanout) },
		{ "multisample", offsetof(struct guest_virgl_caps_v2,
					  supported_multisample_formats) },
	};

	begin(o, "format_counts", "formats supported (of each mask)", false);
	for (size_t i = 0; i < NFIELDS(masks); i++) {
		const struct guest_virgl_format_mask *m =
			(const void *)((const char *)v + masks[i].off);

		if (masks[i].off + sizeof(*m) <= c->size)
			put_u64(o, masks[i].name, guest_virgl_format_count(m));
	}
	end(o);
}

/* "GLSL level 450" reads as GLSL 4.50, the GL 4.5 shading language. */
static void put_virgl_head(struct out *o, const struct guest_virgl_caps *c)
{
	const struct guest_virgl_caps_v2 *v = &c->v2;
	uint32_t glsl = v->v1.glsl_level;

	put_u64(o, "max_version", v->v1.max_version);
	if (GUEST_VIRGL_CAPS_HAS(c, renderer))
		put_str(o, "renderer", v->renderer, sizeof(v->renderer));
	if (o->json)
		put_u64(o, "glsl_level", glsl);
	else
		put_fmt(o, "glsl_level", "%" PRIu32 " (GLSL %" PRIu32
			".%02" PRIu32 ", %s host)", glsl, glsl / 100,
			glsl % 100,
			GUEST_VIRGL_CAPS_HAS(c, capability_bits) &&
					(v->capability_bits & (1u << 19))
				? "GLES" : "desktop GL");
}

static void put_virgl(struct out *o, const struct guest_virgl_caps *c)
{
	const struct guest_virgl_caps_v2 *v = &c->v2;

	begin(o, "virgl_caps", c->size >= sizeof(struct guest_virgl_caps_v2)
		? "caps (virgl_caps_v2)" : "caps (virgl_caps_v1)", false);
	put_virgl_head(o, c);
	put_fields(o, v, c->size, virgl_v1_fields, NFIELDS(virgl_v1_fields));
	put_fields(o, v, c->size, virgl_v2_fields, NFIELDS(virgl_v2_fields));
	put_format_counts(o, c);
	put_flags(o, "bool_set1", v->v1.bset, 32, guest_virgl_bset_name);
	if (GUEST_VIRGL_CAPS_HAS(c, capability_bits))
		put_flags(o, "capability_bits", v->capability_bits, 32,
			  guest_virgl_cap_name);
	if (GUEST_VIRGL_CAPS_HAS(c, capability_bits_v2))
		put_flags(o, "capability_bits_v2", v->capability_bits_v2, 32,
			  guest_virgl_cap_v2_name);
	end(o);
}

#define VNF(member, kind) FIELD(struct guest_venus_caps_wire, member, kind)

static const struct field venus_fields[] = {
	VNF(wire_format_version, F_U32),
	VNF(vk_xml_version, F_VKVER),
	VNF(vk_ext_command_serialization_spec_version, F_U32),
	VNF(vk_mesa_venus_protocol_spec_version, F_U32),
	VNF(supports_blob_id_0, F_BOOL),
	VNF(allow_vk_wait_syncs, F_BOOL),
	VNF(supports_multiple_timelines, F_BOOL),
	VNF(use_guest_vram, F_BOOL),
};

/* Text: "valid, N extensions"; JSON also lists their numbers. */
static void put_venus_extensions(struct out *o,
				 const struct guest_venus_caps *c)
{
	bool valid = guest_venus_caps_extension_mask_valid(c);
	unsigned n = guest_venus_caps_extension_count(c);

	if (!GUEST_VENUS_CAPS_HAS(c, vk_extension_mask1))
		return;
	if (!o->json) {
		put_fmt(o, "vk_extension_mask1", valid ?
			"valid, %u extensions" : "not valid (every extension "
			"assumed supported)", n);
		return;
	}
	key(o, "vk_extension_mask1");
	fprintf(o->f, "{\"valid\": %s, \"count\": %u, \"extensions\": [",
		valid ? "true" : "false", n);
	for (unsigned b = 1, k = 0; valid && b < 32 * 32; b++)
		if (c->w.vk_extension_mask1[b / 32] & (1u << (b % 32)))
			fprintf(o->f, "%s%u", k++ ? ", " : "", b);
	fputs("]}", o->f);
}

static void put_venus(struct out *o, const struct guest_venus_caps *c)
{
	begin(o, "venus_caps", "caps (virgl_renderer_capset_venus)", false);
	put_fields(o, &c->w, c->size, venus_fields, NFIELDS(venus_fields));
	put_venus_extensions(o, c);
	end(o);
}

static void put_capset_data(struct out *o, const struct guest_info_capset *cs)
{
	struct guest_virgl_caps vc;
	struct guest_venus_caps nc;

	switch (cs->id) {
	case VIRTGPU_DRM_CAPSET_VIRGL:
	case VIRTGPU_DRM_CAPSET_VIRGL2:
		if (guest_virgl_caps_decode(cs->data, cs->max_size, &vc))
			put_error(o, "virgl_caps",
				  "shorter than virgl_caps_v1");
		else
			put_virgl(o, &vc);
		break;
	case VIRTGPU_DRM_CAPSET_VENUS:
		if (guest_venus_caps_decode(cs->data, cs->max_size, &nc))
			put_error(o, "venus_caps", "too short");
		else
			put_venus(o, &nc);
		break;
	default:
		put_str(o, "caps", "(no decoder for this capset)", SIZE_MAX);
	}
}

static void put_capset(struct out *o, const struct guest_info_capset *cs)
{
	const char *name = guest_info_capset_name(cs->id);
	char title[64];

	if (cs->info.ret || cs->info.type != VIRTIO_GPU_RESP_OK_CAPSET_INFO) {
		snprintf(title, sizeof(title), "capset index %u", cs->index);
		begin(o, NULL, title, false);
		put_u64(o, "index", cs->index);
		put_bad_answer(o, "capset_info", &cs->info);
		end(o);
		return;
	}
	snprintf(title, sizeof(title), "capset %u %s", cs->id,
		 name ? name : "(unknown)");
	begin(o, NULL, title, false);
	put_u64(o, "id", cs->id);
	put_str(o, "name", name ? name : "unknown", SIZE_MAX);
	put_u64(o, "index", cs->index);
	put_u64(o, "max_version", cs->max_version);
	put_u64(o, "max_size", cs->max_size);
	if (cs->caps_ret)
		put_errno(o, "get_caps", cs->caps_ret);
	else
		put_capset_data(o, cs);
	end(o);
}

static void put_capsets(struct out *o, const struct guest_info *info)
{
	begin(o, "capsets",
	      "Capsets (GET_CAPSET_INFO, GET_CAPS at max_version)", true);
	if (!info->num_capsets && !o->json)
		put_str(o, "capsets", "none (SUPPORTED_CAPSET_IDs is 0)",
			SIZE_MAX);
	for (unsigned i = 0; i < info->num_capsets; i++)
		put_capset(o, &info->capsets[i]);
	end(o);
}

int guest_info_write(const struct guest_info *info, FILE *f,
		     const struct guest_info_options *opts)
{
	struct out o = { .f = f, .json = opts && opts->json };

	o.first[0] = true;
	if (o.json)
		fputc('{', f);
	else
		fputs("virtgpu-sim info: the simulated virtio-gpu device, as "
		      "its guest sees it\n", f);
	put_driver(&o, info);
	put_kernel(&o, info);
	put_host(&o, opts);
	put_features(&o, info, opts);
	put_params(&o, info);
	put_scanouts(&o, info);
	put_capsets(&o, info);
	fputs(o.json ? "\n}\n" : "", f);
	return fflush(f) || ferror(f) ? -EIO : 0;
}
