/* SPDX-License-Identifier: MIT */
/*
 * Checks on memory the script can see: "expect uN BUF[i]", "expect
 * pixels", "fill", and waiting on an out-fence fd ("wait_fence").
 * Guest memory is little-endian (virtio), so values are read and written
 * byte by byte in that order.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario_int.h"

bool guest__cmp(enum guest_cmp cmp, uint64_t a, uint64_t b, bool is_signed)
{
	int64_t sa = (int64_t)a, sb = (int64_t)b;

	switch (cmp) {
	case GUEST_CMP_EQ:
		return a == b;
	case GUEST_CMP_NE:
		return a != b;
	case GUEST_CMP_LT:
		return is_signed ? sa < sb : a < b;
	case GUEST_CMP_LE:
		return is_signed ? sa <= sb : a <= b;
	case GUEST_CMP_GT:
		return is_signed ? sa > sb : a > b;
	case GUEST_CMP_GE:
		return is_signed ? sa >= sb : a >= b;
	}
	return false;
}

const char *guest__cmp_text(enum guest_cmp cmp)
{
	switch (cmp) {
	case GUEST_CMP_EQ:
		return "==";
	case GUEST_CMP_NE:
		return "!=";
	case GUEST_CMP_LT:
		return "<";
	case GUEST_CMP_LE:
		return "<=";
	case GUEST_CMP_GT:
		return ">";
	case GUEST_CMP_GE:
		return ">=";
	}
	return "?";
}

static uint64_t load_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;

	for (unsigned i = width; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void store_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Bytes a script can read: a GET_CAPS buffer, a mapping, or a bo that
 * has a live mapping.  *bo is set when the name leads to a bo. */
static int view(struct guest_run *r, const char *name, uint8_t **data,
		size_t *size, struct guest_obj **bo)
{
	struct guest_obj *o = guest__obj_find(r, name);

	*bo = NULL;
	if (o && o->kind == GUEST_OBJ_BO) {
		if (!o->u.bo.map)
			return guest__fail(r, "bo '%s' has no mapping; map it "
					   "with 'ioctl FILE MAP handle=%s -> "
					   "NAME'", name, name);
		*bo = o;
		o = o->u.bo.map;
	}
	if (!o || (o->kind != GUEST_OBJ_BUFFER && o->kind != GUEST_OBJ_MAPPING))
		return guest__fail(r, "no buffer, mapping or mapped bo named "
				   "'%s'", name);
	if (o->dead)
		return guest__fail(r, "mapping '%s' (line %u) is unmapped",
				   o->name, o->line);
	if (o->kind == GUEST_OBJ_BUFFER) {
		*data = o->u.buf.data;
		*size = o->u.buf.size;
		return 0;
	}
	*data = o->u.map.addr;
	*size = o->u.map.len;
	if (!*bo)
		*bo = o->u.map.bo;
	return 0;
}

int guest__run_expect_mem(struct guest_run *r, const struct guest_mem_stmt *m)
{
	struct guest_obj *bo = NULL;
	uint8_t *data = NULL;
	size_t size = 0;
	uint64_t v;
	char got[48];
	int ret = view(r, m->buf, &data, &size, &bo);

	if (ret)
		return ret;
	if (m->index >= size / m->width)
		return guest__fail(r, "index %" PRIu64 " is past the end of "
				   "'%s' (%zu bytes, %zu u%u elements)",
				   m->index, m->buf, size, size / m->width,
				   m->width * 8);
	v = load_le(data + m->index * m->width, m->width);
	if (m->cond.has_mask)
		v &= m->cond.mask;
	if (guest__cmp(m->cond.cmp, v, m->cond.value, false))
		return 0;
	guest__format_value(v, false, got, sizeof(got));
	return guest__fail(r, "expected %s, got %s", m->cond.text, got);
}

struct rect {
	uint32_t x, y, w, h, stride;
};

static int pixel_rect(struct guest_run *r, const struct guest_pixels_stmt *p,
		      const struct guest_obj *bo, size_t size, struct rect *rc)
{
	uint64_t end;

	if (bo && bo->u.bo.bpp && bo->u.bo.bpp != 4)
		return guest__fail(r, "pixels are 32-bit; bo '%s' has %u bytes "
				   "per pixel", bo->name, bo->u.bo.bpp);
	if (p->has_rect) {
		rc->x = p->rect[0];
		rc->y = p->rect[1];
		rc->w = p->rect[2];
		rc->h = p->rect[3];
	} else if (bo && bo->u.bo.width && bo->u.bo.height) {
		*rc = (struct rect){ 0, 0, bo->u.bo.width, bo->u.bo.height, 0 };
	} else {
		return guest__fail(r, "the size of '%s' is unknown; give "
				   "rect=X,Y,W,H", p->target);
	}
	if (p->has_stride)
		rc->stride = p->stride;
	else if (bo && bo->u.bo.stride)
		rc->stride = bo->u.bo.stride;
	else
		rc->stride = (bo && bo->u.bo.width ? bo->u.bo.width : rc->w) * 4;
	if ((uint64_t)rc->stride < ((uint64_t)rc->x + rc->w) * 4)
		return guest__fail(r, "stride %u is shorter than a row ending "
				   "at x=%" PRIu64, rc->stride,
				   (uint64_t)rc->x + rc->w);
	end = (uint64_t)(rc->y + (uint64_t)rc->h - 1) * rc->stride +
	      ((uint64_t)rc->x + rc->w) * 4;
	if (end > size)
		return guest__fail(r, "rect %u,%u,%u,%u with stride %u needs "
				   "%" PRIu64 " bytes; '%s' has %zu", rc->x,
				   rc->y, rc->w, rc->h, rc->stride, end,
				   p->target, size);
	return 0;
}

static bool pixel_matches(uint32_t a, uint32_t b, uint32_t tolerance)
{
	for (unsigned shift = 0; shift < 32; shift += 8) {
		int d = (int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff);

		if ((uint32_t)abs(d) > tolerance)
			return false;
	}
	return true;
}

static int compare_pixels(struct guest_run *r,
			  const struct guest_pixels_stmt *p,
			  const uint8_t *data, const struct rect *rc)
{
	uint64_t bad = 0, total = (uint64_t)rc->w * rc->h;
	uint32_t fx = 0, fy = 0, fv = 0;
	char tol[32] = "";

	for (uint32_t y = rc->y; y < rc->y + rc->h; y++) {
		const uint8_t *row = data + (uint64_t)y * rc->stride;

		for (uint32_t x = rc->x; x < rc->x + rc->w; x++) {
			uint32_t v = (uint32_t)load_le(row + 4 * (uint64_t)x, 4);

			if (pixel_matches(v, p->value, p->tolerance))
				continue;
			if (bad++ == 0) {
				fx = x;
				fy = y;
				fv = v;
			}
		}
	}
	if (!bad)
		return 0;
	if (p->tolerance)
		snprintf(tol, sizeof(tol), " (tolerance %u)", p->tolerance);
	return guest__fail(r, "pixel (%u,%u) is 0x%08x, expected 0x%08x%s; "
			   "%" PRIu64 " of %" PRIu64 " pixels differ",
			   fx, fy, fv, p->value, tol, bad, total);
}

int guest__run_pixels(struct guest_run *r, const struct guest_pixels_stmt *p,
		      bool fill)
{
	struct guest_obj *bo = NULL;
	struct rect rc = { 0 };
	uint8_t *data = NULL;
	size_t size = 0;
	int ret = view(r, p->target, &data, &size, &bo);

	if (!ret)
		ret = pixel_rect(r, p, bo, size, &rc);
	if (ret)
		return ret;
	if (!fill)
		return compare_pixels(r, p, data, &rc);
	for (uint32_t y = rc.y; y < rc.y + rc.h; y++) {
		uint8_t *row = data + (uint64_t)y * rc.stride;

		for (uint32_t x = rc.x; x < rc.x + rc.w; x++)
			store_le32(row + 4 * (uint64_t)x, p->value);
	}
	return 0;
}

int guest__run_wait_fence(struct guest_run *r, const struct guest_wait_stmt *w)
{
	int timeout = w->timeout_ms > INT_MAX ? INT_MAX : (int)w->timeout_ms;
	struct guest_obj *f;
	struct pollfd pfd;
	int n, ret = guest__obj_get(r, w->fence, GUEST_OBJ_FENCE, true, &f);

	if (ret)
		return ret;
	pfd = (struct pollfd){ .fd = f->u.fence_fd, .events = POLLIN };
	do {
		n = poll(&pfd, 1, timeout);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return guest__fail(r, "poll of fence '%s' (fd %d) failed: %s",
				   w->fence, f->u.fence_fd, strerror(errno));
	if (n == 0)
		return w->expect_timeout ? 0
			: guest__fail(r, "fence '%s' did not signal within "
				      "%d ms", w->fence, timeout);
	if (pfd.revents & (POLLNVAL | POLLERR))
		return guest__fail(r, "poll of fence '%s' (fd %d) gave revents "
				   "0x%x, not POLLIN", w->fence,
				   f->u.fence_fd, (unsigned)pfd.revents);
	if (w->expect_timeout)
		return guest__fail(r, "expected fence '%s' to stay unsignaled "
				   "for %d ms, but it signaled", w->fence,
				   timeout);
	return 0;
}

int guest__run_expect_string(struct guest_run *r,
			     const struct guest_string_stmt *ss)
{
	struct guest_obj *bo = NULL;
	uint8_t *data = NULL;
	size_t size = 0, n;
	bool eq;
	int ret = view(r, ss->buf, &data, &size, &bo);

	if (ret)
		return ret;
	if (ss->offset > size)
		return guest__fail(r, "offset %" PRIu64 " is past the end of "
				   "'%s' (%zu bytes)", ss->offset, ss->buf,
				   size);
	n = strnlen((const char *)data + ss->offset, size - ss->offset);
	eq = n == strlen(ss->str) &&
	     memcmp(data + ss->offset, ss->str, n) == 0;
	if (eq == ss->equal)
		return 0;
	return guest__fail(r, "expected %s[%" PRIu64 "] %s \"%s\", got \"%.*s\"",
			   ss->buf, ss->offset, ss->equal ? "==" : "!=",
			   ss->str, (int)(n > 200 ? 200 : n),
			   (const char *)data + ss->offset);
}
