// SPDX-License-Identifier: MIT
/*
 * The kernel worker: process context for what the interrupt handler must
 * not do itself.  When the device answers a command, the objects the
 * command used are dropped; the last reference of an object queues
 * RESOURCE_UNREF, which may wait for free control-queue descriptors, and
 * only the thread running the interrupt handler (the device thread, or a
 * renderer thread) frees those.  Linux hands the object array to the
 * system workqueue instead (virtio_gpu_dequeue_ctrl_func ->
 * virtio_gpu_array_put_free_delayed, drained by obj_free_work in
 * drivers/gpu/drm/virtio/virtgpu_gem.c); this thread is that worker.
 *
 * It lives from km_device_create to km_device_destroy; everything below
 * runs under dev->lock, which the worker drops while it sleeps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"

/* Interrupt context: only links the array in and wakes the worker. */
void km__objs_put_delayed_locked(struct km_device *dev, struct km_objs *objs)
{
	objs->next = NULL;
	*dev->free_delayed_tail = objs;
	dev->free_delayed_tail = &objs->next;
	pthread_cond_signal(&dev->worker_cond);
}

/* virtio_gpu_array_put_free: drop each reference, then the array. */
void km__objs_put_free_locked(struct km_device *dev, struct km_objs *objs)
{
	if (!objs)
		return;
	for (unsigned i = 0; i < objs->n; i++)
		km__bo_put_locked(dev, objs->bo[i]);
	free(objs);
}

static void *worker_main(void *opaque)
{
	struct km_device *dev = opaque;
	pthread_mutex_lock(&dev->lock);
	for (;;) {
		while (!dev->free_delayed && !dev->worker_stop)
			pthread_cond_wait(&dev->worker_cond, &dev->lock);
		if (!dev->free_delayed)
			break;	/* stopping, and nothing left to do */
		struct km_objs *list = dev->free_delayed;
		dev->free_delayed = NULL;
		dev->free_delayed_tail = &dev->free_delayed;
		dev->worker_busy = true;
		while (list) {
			struct km_objs *objs = list;
			list = objs->next;
			/* May sleep for queue room, with dev->lock dropped. */
			km__objs_put_free_locked(dev, objs);
		}
		km__notify_locked(dev);
		dev->worker_busy = false;
		pthread_cond_broadcast(&dev->cond);
	}
	pthread_mutex_unlock(&dev->lock);
	return NULL;
}

int km__worker_start(struct km_device *dev)
{
	dev->free_delayed = NULL;
	dev->free_delayed_tail = &dev->free_delayed;
	dev->worker_stop = false;
	int ret = pthread_create(&dev->worker, NULL, worker_main, dev);
	if (ret) {
		SIM_ERROR(KM_LAYER, "cannot start the kernel worker: %s",
			  strerror(ret));
		return -ret;
	}
	/* Named as Linux names its kworkers' job, for ps and gdb. */
	pthread_setname_np(dev->worker, "km-worker");
	return 0;
}

void km__worker_flush_locked(struct km_device *dev)
{
	while (dev->free_delayed || dev->worker_busy)
		pthread_cond_wait(&dev->cond, &dev->lock);
}

/* Called without dev->lock; the worker finishes what is queued first. */
void km__worker_stop(struct km_device *dev)
{
	pthread_mutex_lock(&dev->lock);
	dev->worker_stop = true;
	pthread_cond_signal(&dev->worker_cond);
	pthread_mutex_unlock(&dev->lock);
	pthread_join(dev->worker, NULL);
}

/* Teardown, after the reset (dev->unplugged): arrays handed over by
 * answers that came after the worker stopped (teardown gave up waiting
 * for a stalled device) are released here; their last puts free at once. */
void km__worker_put_left_locked(struct km_device *dev)
{
	while (dev->free_delayed) {
		struct km_objs *objs = dev->free_delayed;
		dev->free_delayed = objs->next;
		km__objs_put_free_locked(dev, objs);
	}
	dev->free_delayed_tail = &dev->free_delayed;
}
