/* SPDX-License-Identifier: MIT */
/*
 * The virtio transport between one driver (kernelmock) and one device
 * (host): device status, feature negotiation, device config space, queue
 * set-up, driver -> device notification and device -> driver interrupt.
 * It plays the part of virtio-pci's common configuration structure
 * (virtio 1.2 section 4.1.4.3) without the PCI encoding.
 *
 * Threads: every call may come from any thread; the transport's own state
 * is protected by an internal mutex, which is never held while a callback
 * runs.
 */
#ifndef SIM_TRANSPORT_H
#define SIM_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_hostmem;

#define SIM_TRANSPORT_MAX_QUEUES 8u
#define SIM_TRANSPORT_MAX_CONFIG 256u

/* Interrupt causes, as in the virtio-pci ISR status (section 4.1.4.5). */
#define SIM_ISR_QUEUE  (1u << 0)
#define SIM_ISR_CONFIG (1u << 1)

struct sim_transport;

/* What the device offers.  Copied at plug time. */
struct sim_device_info {
	uint32_t device_id;		/* 16 = GPU device (section 5) */
	uint64_t features;		/* offered feature bits */
	unsigned num_queues;		/* <= SIM_TRANSPORT_MAX_QUEUES */
	uint16_t queue_max_size;	/* power of 2 */
	/* Per-queue maximum where a device's queues differ (virtio-gpu:
	 * controlq 256, cursorq 16 on QEMU), or 0: queue_max_size. */
	uint16_t queue_sizes[SIM_TRANSPORT_MAX_QUEUES];
	struct sim_hostmem *shm;	/* shared memory region, or NULL */
	uint8_t shm_id;			/* its shmid (2.10) */
	const void *config;		/* initial device config space */
	uint32_t config_len;		/* <= SIM_TRANSPORT_MAX_CONFIG */
};

struct sim_device_ops {
	/* The driver kicked @queue.  Runs on the driver's thread: must not
	 * block (a device thread wakes itself, e.g. uv_async_send). */
	void (*notify)(void *opaque, unsigned queue);
	/* The driver wrote @len bytes at @offset of config space.  @config is
	 * the whole space, already updated, and may be changed here (e.g.
	 * virtio-gpu's write-to-clear events_clear).  Runs with the transport
	 * lock held: only touch @config. */
	void (*config_write)(void *opaque, void *config, uint32_t offset,
			     uint32_t len);
	/* Status changed from @old to @status: DRIVER_OK set, or a reset
	 * (status 0).  The device starts or stops using the queues here. */
	void (*status_changed)(void *opaque, uint8_t old, uint8_t status);
};

struct sim_driver_ops {
	/* The device raised an interrupt with the SIM_ISR_* bits in @isr.
	 * Runs on the device's thread that answered (host/: the device
	 * thread or a renderer fence thread), like a hard interrupt handler:
	 * it must not wait for the device. */
	void (*interrupt)(void *opaque, uint32_t isr);
};

int sim_transport_create(struct sim_transport **out);
void sim_transport_destroy(struct sim_transport *t);

/* ---- device side ---- */
/* -EINVAL for a bad @info (VIRTIO_F_VERSION_1 not offered, 0 or too many
 * queues, config too big), -EBUSY when a device is already plugged. */
int sim_transport_plug_device(struct sim_transport *t,
			      const struct sim_device_info *info,
			      const struct sim_device_ops *ops, void *opaque);
/* The driver's features once the device accepted them (FEATURES_OK set);
 * 0 before that. */
uint64_t sim_transport_acked_features(struct sim_transport *t);
/* Queue as the driver set it up; -ENOENT when not set up / not enabled. */
int sim_transport_get_queue(struct sim_transport *t, unsigned queue,
			    uint16_t *size, uint64_t *desc_gpa,
			    uint64_t *avail_gpa, uint64_t *used_gpa);
/* Device-side update of config space; -EINVAL when out of range. */
int sim_transport_set_config(struct sim_transport *t, uint32_t offset,
			     const void *data, uint32_t len);
/* Raise an interrupt to the driver (no-op when no driver is bound). */
void sim_transport_interrupt(struct sim_transport *t, uint32_t isr);
/* Set DEVICE_NEEDS_RESET (section 2.1.2) and, when DRIVER_OK is set,
 * raise a config interrupt (before that the driver is not listening). */
void sim_transport_needs_reset(struct sim_transport *t);

/* ---- driver side (section 3.1.1 "Driver Requirements: Device
 * Initialization") ---- */
void sim_transport_bind_driver(struct sim_transport *t,
			       const struct sim_driver_ops *ops, void *opaque);
uint32_t sim_transport_device_id(struct sim_transport *t);
uint8_t sim_transport_get_status(struct sim_transport *t);
/*
 * Write the status register.  0 resets the device.  Otherwise bits may only
 * be added (-EINVAL when one is cleared).  FEATURES_OK is refused (the bit
 * stays clear, return 0: the driver must re-read, section 3.1.1 step 6)
 * when the accepted features are not a subset of the offered ones or lack
 * VIRTIO_F_VERSION_1.  DRIVER_OK without FEATURES_OK is -EINVAL, and so
 * are the other steps out of order (DRIVER without ACKNOWLEDGE,
 * FEATURES_OK without DRIVER) and setting DEVICE_NEEDS_RESET, which only
 * the device sets.  -ENODEV when no device is plugged.
 */
int sim_transport_set_status(struct sim_transport *t, uint8_t status);
uint64_t sim_transport_offered_features(struct sim_transport *t);
/* -EINVAL after FEATURES_OK was set, or when a bit was not offered. */
int sim_transport_set_driver_features(struct sim_transport *t,
				      uint64_t features);
/* -EINVAL when [offset, offset + len) is outside config space. */
int sim_transport_read_config(struct sim_transport *t, uint32_t offset,
			      void *data, uint32_t len);
/* Bytes of the plugged device's config space (0 without a device). */
uint32_t sim_transport_config_size(struct sim_transport *t);
int sim_transport_write_config(struct sim_transport *t, uint32_t offset,
			       const void *data, uint32_t len);
unsigned sim_transport_num_queues(struct sim_transport *t);
uint16_t sim_transport_queue_max_size(struct sim_transport *t);
/* The maximum size of queue @queue (4.1.4.3 queue_size as the device
 * first shows it), 0 for a queue the device does not have. */
uint16_t sim_transport_queue_size_of(struct sim_transport *t, unsigned queue);
/* The guest call (an ioctl request number) the driver is running, for a
 * device to name what caused a command it finds wrong; 0 between calls.
 * Any thread.  Only exact when each call waits for the device (lockstep):
 * otherwise the device may see a command after its call returned. */
void sim_transport_set_guest_call(struct sim_transport *t, unsigned long req);
unsigned long sim_transport_guest_call(struct sim_transport *t);
/* The CPU the driver's thread ran on when it last submitted work or
 * started to wait (sched_getcpu), -1 when not known, and whether that
 * thread slept (waited for the device) since its previous submit: a VMM
 * knows which vCPU exited and whether it was halted, and a device may
 * place its threads next to a guest that waits for it (host/placement.c).
 * Any thread, lock-free; a hint only, never a condition of correctness. */
void sim_transport_set_guest_cpu(struct sim_transport *t, int cpu,
				 bool waited);
int sim_transport_guest_cpu(struct sim_transport *t, bool *waited);
/* Whether the device uses that hint (set by the device at plug time):
 * a driver that is not asked spends nothing on it. */
void sim_transport_want_guest_cpu(struct sim_transport *t, bool want);
bool sim_transport_wants_guest_cpu(struct sim_transport *t);
/*
 * Set up queue @queue (after FEATURES_OK, before DRIVER_OK): -EINVAL for an
 * unknown queue, a size that is 0, not a power of 2 or above the maximum,
 * or a wrong status; -EBUSY when already set up.
 */
int sim_transport_setup_queue(struct sim_transport *t, unsigned queue,
			      uint16_t size, uint64_t desc_gpa,
			      uint64_t avail_gpa, uint64_t used_gpa);
/* The device's shared memory region @shm_id (virtio 1.2 2.10), or NULL
 * when it has none with that id. */
struct sim_hostmem *sim_transport_get_shm(struct sim_transport *t,
					  uint8_t shm_id);
/* Kick: calls the device's notify (only after DRIVER_OK; -EIO before). */
int sim_transport_notify(struct sim_transport *t, unsigned queue);

/*
 * Lockstep mode, for reproducible runs and predictable gdb stepping: the
 * driver waits after each operation until the device has finished
 * everything kicked so far (sim_transport_wait_idle, called by the driver
 * without its own locks held); the device reports progress with
 * sim_transport_device_idle(t, n), n being sim_transport_kicks() as read
 * before it drained its queues, once those commands are all answered.
 * Outside lockstep, wait_idle returns at once.
 */
void sim_transport_set_lockstep(struct sim_transport *t, bool on);
bool sim_transport_lockstep(struct sim_transport *t);
uint64_t sim_transport_kicks(struct sim_transport *t);
void sim_transport_device_idle(struct sim_transport *t, uint64_t upto);
void sim_transport_wait_idle(struct sim_transport *t);

#endif
