/* SPDX-License-Identifier: MIT */
/*
 * The virtio transport (sim/transport.h): the registers of virtio-pci's
 * common configuration (virtio 1.2 section 4.1.4.3) as plain calls.  The
 * device and the driver each see only their half.
 *
 * Callbacks are called after the lock is dropped (config_write excepted,
 * as documented), so they may call back into the transport; the ops
 * structs are copied once and never change afterwards, except the driver
 * binding, which is read under the lock.
 */
#include "sim/transport.h"

#include <errno.h>
#include <linux/virtio_config.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"
#include "sim/trace.h"
#include "sim/virtqueue.h"

/* Status bits a driver may set; DEVICE_NEEDS_RESET belongs to the device
 * (2.1 "Device Status Field"). */
#define DRIVER_STATUS_BITS                                          \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |     \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK |  \
	 VIRTIO_CONFIG_S_FAILED)

struct tp_queue {
	bool ready;
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
};

struct sim_transport {
	pthread_mutex_t lock;	/* protects everything below */

	bool plugged;
	struct sim_device_info info;	/* info.config is not kept */
	struct sim_device_ops dev_ops;
	void *dev_opaque;
	uint8_t config[SIM_TRANSPORT_MAX_CONFIG];

	bool bound;
	struct sim_driver_ops drv_ops;
	void *drv_opaque;

	uint8_t status;
	uint64_t driver_features;
	struct tp_queue queues[SIM_TRANSPORT_MAX_QUEUES];

	/* lockstep: kicks counted by the driver, the last one the device
	 * reported finished; idle_cond signals progress */
	bool lockstep;
	uint64_t kicks;
	uint64_t idle_upto;
	pthread_cond_t idle_cond;

	unsigned long guest_call;	/* atomic, not under lock */
	int guest_cpu;			/* atomic: sim_transport_set_guest_cpu */
	bool want_guest_cpu;		/* atomic */
};

int sim_transport_create(struct sim_transport **out)
{
	struct sim_transport *t;
	int ret;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	ret = pthread_mutex_init(&t->lock, NULL);
	if (ret) {
		free(t);
		return -ret;
	}
	ret = pthread_cond_init(&t->idle_cond, NULL);
	if (ret) {
		pthread_mutex_destroy(&t->lock);
		free(t);
		return -ret;
	}
	*out = t;
	return 0;
}

void sim_transport_destroy(struct sim_transport *t)
{
	if (!t)
		return;
	pthread_cond_destroy(&t->idle_cond);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* ---- device side ---- */

int sim_transport_plug_device(struct sim_transport *t,
			      const struct sim_device_info *info,
			      const struct sim_device_ops *ops, void *opaque)
{
	uint16_t qmax = info->queue_max_size;

	if (info->num_queues == 0 ||
	    info->num_queues > SIM_TRANSPORT_MAX_QUEUES ||
	    info->config_len > SIM_TRANSPORT_MAX_CONFIG ||
	    (info->config_len && !info->config) || qmax == 0 ||
	    qmax > SIM_VQ_MAX_SIZE || (qmax & (qmax - 1)))
		return -EINVAL;
	for (unsigned q = 0; q < SIM_TRANSPORT_MAX_QUEUES; q++) {
		uint16_t n = info->queue_sizes[q];
		if (n > qmax || (n & (n - 1)))
			return -EINVAL;
	}
	/* 6.2 "Device Requirements: Reserved Feature Bits": a device MUST
	 * offer VIRTIO_F_VERSION_1; we model no legacy devices. */
	if (!(info->features & (UINT64_C(1) << VIRTIO_F_VERSION_1)))
		return -EINVAL;

	pthread_mutex_lock(&t->lock);
	if (t->plugged) {
		pthread_mutex_unlock(&t->lock);
		return -EBUSY;
	}
	t->plugged = true;
	t->info = *info;
	t->info.config = NULL;
	if (info->config_len)
		memcpy(t->config, info->config, info->config_len);
	if (ops)
		t->dev_ops = *ops;
	t->dev_opaque = opaque;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

uint64_t sim_transport_acked_features(struct sim_transport *t)
{
	uint64_t features = 0;

	/* Only what the device accepted counts (3.1.1 step 5-6): before
	 * FEATURES_OK the driver may still change its mind. */
	pthread_mutex_lock(&t->lock);
	if (t->status & VIRTIO_CONFIG_S_FEATURES_OK)
		features = t->driver_features;
	pthread_mutex_unlock(&t->lock);
	return features;
}

int sim_transport_get_queue(struct sim_transport *t, unsigned queue,
			    uint16_t *size, uint64_t *desc_gpa,
			    uint64_t *avail_gpa, uint64_t *used_gpa)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&t->lock);
	if (queue < t->info.num_queues && t->queues[queue].ready) {
		const struct tp_queue *q = &t->queues[queue];

		*size = q->size;
		*desc_gpa = q->desc_gpa;
		*avail_gpa = q->avail_gpa;
		*used_gpa = q->used_gpa;
		ret = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

static bool config_range_ok_locked(const struct sim_transport *t,
				   uint32_t offset, uint32_t len)
{
	return len != 0 && (uint64_t)offset + len <= t->info.config_len;
}

int sim_transport_set_config(struct sim_transport *t, uint32_t offset,
			     const void *data, uint32_t len)
{
	int ret = -EINVAL;

	pthread_mutex_lock(&t->lock);
	if (config_range_ok_locked(t, offset, len)) {
		memcpy(t->config + offset, data, len);
		ret = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

void sim_transport_interrupt(struct sim_transport *t, uint32_t isr)
{
	void (*cb)(void *opaque, uint32_t isr) = NULL;
	void *opaque = NULL;

	pthread_mutex_lock(&t->lock);
	if (t->bound) {
		cb = t->drv_ops.interrupt;
		opaque = t->drv_opaque;
	}
	pthread_mutex_unlock(&t->lock);
	if (cb)
		cb(opaque, isr);
}

void sim_transport_needs_reset(struct sim_transport *t)
{
	bool notify;

	/* 2.1.2 "Device Requirements: Device Status Field": set
	 * DEVICE_NEEDS_RESET, and if DRIVER_OK is set, send a configuration
	 * change notification. */
	pthread_mutex_lock(&t->lock);
	t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	notify = t->status & VIRTIO_CONFIG_S_DRIVER_OK;
	pthread_mutex_unlock(&t->lock);
	if (notify)
		sim_transport_interrupt(t, SIM_ISR_CONFIG);
}

/* ---- driver side ---- */

void sim_transport_bind_driver(struct sim_transport *t,
			       const struct sim_driver_ops *ops, void *opaque)
{
	pthread_mutex_lock(&t->lock);
	t->bound = ops != NULL;
	if (ops)
		t->drv_ops = *ops;
	t->drv_opaque = opaque;
	pthread_mutex_unlock(&t->lock);
}

uint32_t sim_transport_device_id(struct sim_transport *t)
{
	uint32_t id;

	/* 0 ("reserved (invalid)", section 5) when nothing is plugged. */
	pthread_mutex_lock(&t->lock);
	id = t->plugged ? t->info.device_id : 0;
	pthread_mutex_unlock(&t->lock);
	return id;
}

uint8_t sim_transport_get_status(struct sim_transport *t)
{
	uint8_t status;

	pthread_mutex_lock(&t->lock);
	status = t->status;
	pthread_mutex_unlock(&t->lock);
	return status;
}

/* 2.4 "Device Reset": back to the state after plugging. */
static void reset_locked(struct sim_transport *t)
{
	t->status = 0;
	t->driver_features = 0;
	memset(t->queues, 0, sizeof(t->queues));
}

/*
 * 3.1.1 "Driver Requirements: Device Initialization", steps 1-8, and 2.2.1
 * "Driver Requirements: Feature Bits".  Returns the status to store, or -1
 * when the write is refused.  FEATURES_OK may be dropped from @status: the
 * device refusing the features is not an error of the write itself.
 */
static int check_status_locked(struct sim_transport *t, uint8_t status)
{
	uint64_t version_1 = UINT64_C(1) << VIRTIO_F_VERSION_1;
	uint8_t old = t->status;
	uint8_t added = status & ~old;

	/* 2.1.1 "Driver Requirements: Device Status Field": the driver
	 * MUST NOT clear a device status bit. */
	if (old & ~status) {
		SIM_GUEST_ERROR("transport", "status 0x%02x clears bits of 0x%02x",
				status, old);
		return -1;
	}
	if (added & ~DRIVER_STATUS_BITS) {
		SIM_GUEST_ERROR("transport", "status 0x%02x sets device-owned bits",
				status);
		return -1;
	}
	if ((status & VIRTIO_CONFIG_S_DRIVER) &&
	    !(status & VIRTIO_CONFIG_S_ACKNOWLEDGE)) {
		SIM_GUEST_ERROR("transport", "DRIVER without ACKNOWLEDGE");
		return -1;
	}
	if ((added & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(status & VIRTIO_CONFIG_S_DRIVER)) {
		SIM_GUEST_ERROR("transport", "FEATURES_OK without DRIVER");
		return -1;
	}
	/* Step 6: the device accepts the feature subset or leaves
	 * FEATURES_OK clear for the driver to read back. */
	if ((added & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    ((t->driver_features & ~t->info.features) ||
	     !(t->driver_features & version_1))) {
		SIM_GUEST_ERROR("transport",
				"features 0x%llx refused (offered 0x%llx, VERSION_1 required)",
				(unsigned long long)t->driver_features,
				(unsigned long long)t->info.features);
		status &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		SIM_GUEST_ERROR("transport", "DRIVER_OK without FEATURES_OK");
		return -1;
	}
	return status;
}

int sim_transport_set_status(struct sim_transport *t, uint8_t status)
{
	void (*cb)(void *opaque, uint8_t old, uint8_t status);
	uint8_t old;
	int next;

	pthread_mutex_lock(&t->lock);
	if (!t->plugged) {
		pthread_mutex_unlock(&t->lock);
		return -ENODEV;
	}
	old = t->status;
	if (status == 0) {
		reset_locked(t);
		next = 0;
	} else {
		next = check_status_locked(t, status);
		if (next < 0) {
			pthread_mutex_unlock(&t->lock);
			return -EINVAL;
		}
		t->status = (uint8_t)next;
	}
	cb = t->dev_ops.status_changed;
	pthread_mutex_unlock(&t->lock);

	/* The device hears about the two transitions that change what it
	 * may do with the queues: DRIVER_OK (start) and reset (stop). */
	if (cb && (next == 0 || ((next & ~old) & VIRTIO_CONFIG_S_DRIVER_OK)))
		cb(t->dev_opaque, old, (uint8_t)next);
	return 0;
}

uint64_t sim_transport_offered_features(struct sim_transport *t)
{
	uint64_t features;

	pthread_mutex_lock(&t->lock);
	features = t->plugged ? t->info.features : 0;
	pthread_mutex_unlock(&t->lock);
	return features;
}

int sim_transport_set_driver_features(struct sim_transport *t,
				      uint64_t features)
{
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	if (!t->plugged) {
		ret = -ENODEV;
	} else if (t->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		/* 3.1.1 step 5: features are fixed once FEATURES_OK is set. */
		SIM_GUEST_ERROR("transport", "features written after FEATURES_OK");
		ret = -EINVAL;
	} else if (features & ~t->info.features) {
		/* 2.2.1: the driver MUST NOT accept a feature which the
		 * device did not offer. */
		SIM_GUEST_ERROR("transport", "features 0x%llx were not offered",
				(unsigned long long)(features & ~t->info.features));
		ret = -EINVAL;
	} else {
		t->driver_features = features;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

int sim_transport_read_config(struct sim_transport *t, uint32_t offset,
			      void *data, uint32_t len)
{
	int ret = -EINVAL;

	pthread_mutex_lock(&t->lock);
	if (config_range_ok_locked(t, offset, len)) {
		memcpy(data, t->config + offset, len);
		ret = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

uint32_t sim_transport_config_size(struct sim_transport *t)
{
	pthread_mutex_lock(&t->lock);
	uint32_t n = t->info.config_len;
	pthread_mutex_unlock(&t->lock);
	return n;
}

int sim_transport_write_config(struct sim_transport *t, uint32_t offset,
			       const void *data, uint32_t len)
{
	int ret = -EINVAL;

	/* The one callback run under the lock (sim/transport.h): the device
	 * reacts to the write (e.g. write-to-clear) before any other access
	 * can see the raw value. */
	pthread_mutex_lock(&t->lock);
	if (config_range_ok_locked(t, offset, len)) {
		memcpy(t->config + offset, data, len);
		if (t->dev_ops.config_write)
			t->dev_ops.config_write(t->dev_opaque, t->config,
						offset, len);
		ret = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

unsigned sim_transport_num_queues(struct sim_transport *t)
{
	unsigned n;

	pthread_mutex_lock(&t->lock);
	n = t->plugged ? t->info.num_queues : 0;
	pthread_mutex_unlock(&t->lock);
	return n;
}

uint16_t sim_transport_queue_max_size(struct sim_transport *t)
{
	uint16_t n;

	pthread_mutex_lock(&t->lock);
	n = t->plugged ? t->info.queue_max_size : 0;
	pthread_mutex_unlock(&t->lock);
	return n;
}

uint16_t sim_transport_queue_size_of(struct sim_transport *t, unsigned queue)
{
	uint16_t n = 0;

	pthread_mutex_lock(&t->lock);
	if (t->plugged && queue < t->info.num_queues)
		n = t->info.queue_sizes[queue] ? t->info.queue_sizes[queue]
					       : t->info.queue_max_size;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void sim_transport_set_guest_call(struct sim_transport *t, unsigned long req)
{
	__atomic_store_n(&t->guest_call, req, __ATOMIC_RELAXED);
}

unsigned long sim_transport_guest_call(struct sim_transport *t)
{
	return __atomic_load_n(&t->guest_call, __ATOMIC_RELAXED);
}

void sim_transport_set_guest_cpu(struct sim_transport *t, int cpu,
				 bool waited)
{
	/* One word, (cpu + 1) << 1 | waited, stored only when it changes:
	 * the line stays shared (read by the device's threads) while the
	 * guest keeps to one CPU. */
	int v = (cpu < 0 ? 0 : (cpu + 1) << 1) | waited;
	if (__atomic_load_n(&t->guest_cpu, __ATOMIC_RELAXED) != v)
		__atomic_store_n(&t->guest_cpu, v, __ATOMIC_RELAXED);
}

void sim_transport_want_guest_cpu(struct sim_transport *t, bool want)
{
	__atomic_store_n(&t->want_guest_cpu, want, __ATOMIC_RELAXED);
}

bool sim_transport_wants_guest_cpu(struct sim_transport *t)
{
	return __atomic_load_n(&t->want_guest_cpu, __ATOMIC_RELAXED);
}

int sim_transport_guest_cpu(struct sim_transport *t, bool *waited)
{
	int v = __atomic_load_n(&t->guest_cpu, __ATOMIC_RELAXED);
	*waited = v & 1;
	return (v >> 1) - 1;
}

int sim_transport_setup_queue(struct sim_transport *t, unsigned queue,
			      uint16_t size, uint64_t desc_gpa,
			      uint64_t avail_gpa, uint64_t used_gpa)
{
	uint8_t st;
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	st = t->status;
	/* 3.1.1 step 7: queues are set up after FEATURES_OK and before
	 * DRIVER_OK.  4.1.4.3.2: queue_size is a power of 2, at most the
	 * device's maximum. */
	if (queue >= t->info.num_queues || size == 0 ||
	    (size & (size - 1)) || size > t->info.queue_max_size ||
	    (t->info.queue_sizes[queue] && size > t->info.queue_sizes[queue])) {
		SIM_GUEST_ERROR("transport", "queue %u: bad queue or size %u",
				queue, size);
		ret = -EINVAL;
	} else if (!(st & VIRTIO_CONFIG_S_FEATURES_OK) ||
		   (st & VIRTIO_CONFIG_S_DRIVER_OK)) {
		SIM_GUEST_ERROR("transport", "queue %u: set up in status 0x%02x",
				queue, st);
		ret = -EINVAL;
	} else if (t->queues[queue].ready) {
		ret = -EBUSY;
	} else {
		struct tp_queue *q = &t->queues[queue];

		q->size = size;
		q->desc_gpa = desc_gpa;
		q->avail_gpa = avail_gpa;
		q->used_gpa = used_gpa;
		q->ready = true;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

int sim_transport_notify(struct sim_transport *t, unsigned queue)
{
	void (*cb)(void *opaque, unsigned queue) = NULL;
	void *opaque;
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	if (queue >= t->info.num_queues) {
		ret = -EINVAL;
	} else if (!(t->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		/* 3.1.1: the driver MUST NOT notify before DRIVER_OK. */
		ret = -EIO;
	} else if (!t->queues[queue].ready) {
		ret = -EINVAL;
	}
	cb = t->dev_ops.notify;
	opaque = t->dev_opaque;
	if (!ret)
		t->kicks++;
	pthread_mutex_unlock(&t->lock);

	if (ret) {
		SIM_GUEST_ERROR("transport", "notify queue %u refused (%d)",
				queue, ret);
		return ret;
	}
	if (sim_trace_on())	/* the kick, on the driver's thread */
		sim_trace_event(SIM_TRACE_KICK, NULL, sim_trace_now(), 0, 0,
				queue, 0);
	if (cb)
		cb(opaque, queue);
	return 0;
}

struct sim_hostmem *sim_transport_get_shm(struct sim_transport *t,
					  uint8_t shm_id)
{
	struct sim_hostmem *shm = NULL;

	pthread_mutex_lock(&t->lock);
	if (t->plugged && t->info.shm && t->info.shm_id == shm_id)
		shm = t->info.shm;
	pthread_mutex_unlock(&t->lock);
	return shm;
}

void sim_transport_set_lockstep(struct sim_transport *t, bool on)
{
	pthread_mutex_lock(&t->lock);
	t->lockstep = on;
	pthread_mutex_unlock(&t->lock);
}

bool sim_transport_lockstep(struct sim_transport *t)
{
	pthread_mutex_lock(&t->lock);
	bool on = t->lockstep;
	pthread_mutex_unlock(&t->lock);
	return on;
}

uint64_t sim_transport_kicks(struct sim_transport *t)
{
	pthread_mutex_lock(&t->lock);
	uint64_t n = t->kicks;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void sim_transport_device_idle(struct sim_transport *t, uint64_t upto)
{
	pthread_mutex_lock(&t->lock);
	if (upto > t->idle_upto)
		t->idle_upto = upto;
	pthread_cond_broadcast(&t->idle_cond);
	pthread_mutex_unlock(&t->lock);
}

void sim_transport_wait_idle(struct sim_transport *t)
{
	pthread_mutex_lock(&t->lock);
	uint64_t target = t->kicks;
	while (t->lockstep && t->plugged && t->idle_upto < target)
		pthread_cond_wait(&t->idle_cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}
