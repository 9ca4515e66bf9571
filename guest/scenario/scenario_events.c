/* SPDX-License-Identifier: MIT */
/*
 * What a guest process sees of the device file and its fds besides
 * ioctls: "read" of DRM events (drm_read: whole struct drm_event records,
 * VIRTGPU_EVENT_FENCE_SIGNALED for rings in POLL_RINGS_MASK) and "poll"
 * on a file (its event queue), a fence or a dma-buf fd.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario_int.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

/* poll(2) on one fd; 1 readable, 0 timed out, or a failure. */
static int poll_fd(struct guest_run *r, const char *name, int fd,
		   uint64_t timeout_ms)
{
	int timeout = timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n;

	do {
		n = poll(&pfd, 1, timeout);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return guest__fail(r, "poll of '%s' (fd %d) failed: %s", name,
				   fd, strerror(errno));
	if (n > 0 && (pfd.revents & (POLLNVAL | POLLERR)))
		return guest__fail(r, "poll of '%s' (fd %d) gave revents 0x%x, "
				   "not POLLIN", name, fd,
				   (unsigned)pfd.revents);
	return n > 0;
}

static int target_fd(struct guest_run *r, const char *name, int *fd)
{
	struct guest_obj *o = guest__obj_find(r, name);

	if (!o)
		return guest__fail(r, "no file, fence or dma-buf named '%s'",
				   name);
	if (o->dead)
		return guest__fail(r, "%s '%s' (line %u) is closed",
				   guest__obj_kind_name(o->kind), name, o->line);
	switch (o->kind) {
	case GUEST_OBJ_FILE:
		*fd = km_file_poll_fd(o->u.file);
		return 0;
	case GUEST_OBJ_FENCE:
		*fd = o->u.fence_fd;
		return 0;
	case GUEST_OBJ_DMABUF:
		*fd = o->u.dmabuf.fd;
		return 0;
	case GUEST_OBJ_SYNCOBJ_FD:
		*fd = o->u.syncobj_fd;
		return 0;
	case GUEST_OBJ_SYNCOBJ:
	case GUEST_OBJ_BO:
	case GUEST_OBJ_BUFFER:
	case GUEST_OBJ_MAPPING:
	case GUEST_OBJ_STREAM:
	case GUEST_OBJ_VALUE:
		break;
	}
	return guest__fail(r, "'%s' is a %s (line %u); poll takes a file, a "
			   "fence, a dma-buf or a syncobj fd", name,
			   guest__obj_kind_name(o->kind), o->line);
}

int guest__run_poll(struct guest_run *r, const struct guest_poll_stmt *ps)
{
	int fd = -1;
	int ret = target_fd(r, ps->target, &fd);

	if (ret)
		return ret;
	ret = poll_fd(r, ps->target, fd, ps->timeout_ms);
	if (ret < 0)
		return ret;
	if (ret == 0 && !ps->expect_timeout)
		return guest__fail(r, "'%s' did not become readable within "
				   "%llu ms", ps->target,
				   (unsigned long long)ps->timeout_ms);
	if (ret == 1 && ps->expect_timeout)
		return guest__fail(r, "expected '%s' to stay unreadable for "
				   "%llu ms, but it became readable",
				   ps->target,
				   (unsigned long long)ps->timeout_ms);
	return 0;
}

static int check_events(struct guest_run *r, const struct guest_read_stmt *rs,
			const uint8_t *buf, size_t n)
{
	uint64_t count = 0;
	size_t off = 0;

	while (off + sizeof(struct drm_event) <= n) {
		struct drm_event ev;

		memcpy(&ev, buf + off, sizeof(ev));
		if (ev.length < sizeof(ev) || off + ev.length > n)
			return guest__fail(r, "event %llu at byte %zu has length "
					   "%u, which does not fit the %zu "
					   "bytes read",
					   (unsigned long long)count, off,
					   ev.length, n);
		if (rs->has_type && ev.type != rs->type)
			return guest__fail(r, "event %llu has type 0x%x, "
					   "expected 0x%llx",
					   (unsigned long long)count, ev.type,
					   (unsigned long long)rs->type);
		off += ev.length;
		count++;
	}
	if (rs->has_events && count != rs->events)
		return guest__fail(r, "expected %llu events, read %llu (%zu "
				   "bytes)", (unsigned long long)rs->events,
				   (unsigned long long)count, n);
	if (rs->has_bytes && n != rs->bytes)
		return guest__fail(r, "expected %llu bytes, read %zu",
				   (unsigned long long)rs->bytes, n);
	return 0;
}

static int read_result(struct guest_run *r, const struct guest_read_stmt *rs,
		       ssize_t got, uint8_t *buf)
{
	char eb[32];
	struct guest_obj *o;
	int ret;

	if (got < 0 && rs->expect_errno == (int)-got)
		return 0;
	if (got < 0)
		return guest__fail(r, "read failed: %s",
				   guest__errno_name((int)got, eb, sizeof(eb)));
	if (rs->expect_errno)
		return guest__fail(r, "expected errno %s, read %zd bytes",
				   guest__errno_name(rs->expect_errno, eb,
						     sizeof(eb)), got);
	ret = check_events(r, rs, buf, (size_t)got);
	if (ret || !rs->bind)
		return ret;
	ret = guest__obj_new(r, rs->bind, GUEST_OBJ_BUFFER, &o);
	if (ret)
		return ret;
	o->u.buf.data = buf;
	o->u.buf.size = (size_t)got;
	return 1;	/* the buffer is the object's now */
}

/*
 * Wait up to timeout_ms for the file's event queue, then read(2) without
 * blocking: a read that would sleep forever cannot stop a script.
 */
int guest__run_read(struct guest_run *r, const struct guest_read_stmt *rs)
{
	struct guest_obj *f;
	uint8_t *buf;
	ssize_t got;
	int ret = guest__obj_get(r, rs->file, GUEST_OBJ_FILE, true, &f);

	if (ret)
		return ret;
	if (rs->timeout_ms) {
		ret = poll_fd(r, rs->file, km_file_poll_fd(f->u.file),
			      rs->timeout_ms);
		if (ret < 0)
			return ret;
	}
	buf = malloc(rs->size ? rs->size : 1);
	if (!buf)
		return guest__oom(r);
	got = km_read(f->u.file, buf, rs->size, true);
	ret = read_result(r, rs, got, buf);
	if (ret == 1)
		return 0;
	free(buf);
	return ret;
}
