// SPDX-License-Identifier: MIT
/*
 * DRM events on the device file: a fence of a ring named in the context's
 * POLL_RINGS_MASK queues a VIRTGPU_EVENT_FENCE_SIGNALED event when it
 * signals; read(2) returns whole struct drm_event records and poll(2)
 * reports POLLIN while any are queued (drm_read / drm_poll semantics).
 * The pollable object is an eventfd whose counter mirrors the queue.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"

void km__event_queue_locked(struct km_file *file, uint32_t type)
{
	struct km_event *e = calloc(1, sizeof(*e));
	if (!e) {
		SIM_ERROR(KM_LAYER, "out of memory: event 0x%x for ctx %u lost",
			  type, file->ctx_id);
		return;
	}
	e->ev.type = type;
	e->ev.length = sizeof(e->ev);
	*file->events_tail = e;
	file->events_tail = &e->next;
	uint64_t one = 1;
	if (write(file->event_fd, &one, sizeof(one)) != sizeof(one))
		SIM_ERROR(KM_LAYER, "event eventfd write failed");
	pthread_cond_broadcast(&file->dev->cond);
}

void km__events_free_locked(struct km_file *file)
{
	while (file->events) {
		struct km_event *e = file->events;
		file->events = e->next;
		free(e);
	}
	file->events_tail = &file->events;
}

int km_file_poll_fd(struct km_file *file)
{
	return file->event_fd;
}

/* A closing file waits for its readers to be gone (km_close). */
static void leave_read_locked(struct km_file *file)
{
	file->dev->stats.readers--;
	if (--file->readers == 0 && file->closing)
		pthread_cond_broadcast(&file->dev->cond);
}

/*
 * drm_read: copy as many whole events as fit in @len and return the bytes
 * copied; when even the first does not fit it stays queued and the result
 * is 0, as in Linux.  With no event queued: -EAGAIN when @nonblock, else
 * sleep until one is.
 *
 * A sleeper whose file is closed meanwhile (km_close, or the device going
 * away, which closes what is left open) returns -EBADF.  On Linux the read
 * would hold the file open and sleep on until an event or a signal; here
 * the file is freed by km_close, so the read ends, with what read(2)
 * answers for an fd that is no longer open.
 */
ssize_t km_read(struct km_file *file, void *buf, size_t len, bool nonblock)
{
	struct km_device *dev = file->dev;
	size_t done = 0;
	pthread_mutex_lock(&dev->lock);
	file->readers++;
	dev->stats.readers++;
	while (!file->events && !file->closing) {
		if (nonblock) {
			leave_read_locked(file);
			pthread_mutex_unlock(&dev->lock);
			return -EAGAIN;
		}
		pthread_cond_wait(&dev->cond, &dev->lock);
	}
	if (file->closing) {
		leave_read_locked(file);
		pthread_mutex_unlock(&dev->lock);
		return -EBADF;
	}
	while (file->events && done + file->events->ev.length <= len) {
		struct km_event *e = file->events;
		memcpy((char *)buf + done, &e->ev, e->ev.length);
		done += e->ev.length;
		file->events = e->next;
		if (!file->events)
			file->events_tail = &file->events;
		free(e);
		uint64_t v;
		/* one count per event; the eventfd is non-blocking */
		if (read(file->event_fd, &v, sizeof(v)) == sizeof(v) && v > 1) {
			v--;
			if (write(file->event_fd, &v, sizeof(v)) != sizeof(v))
				SIM_ERROR(KM_LAYER, "event eventfd rewrite failed");
		}
	}
	leave_read_locked(file);
	pthread_mutex_unlock(&dev->lock);
	return (ssize_t)done;
}
