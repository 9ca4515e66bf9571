// SPDX-License-Identifier: MIT
/*
 * km_raw_command: raw bytes on a queue, for conformance scripts that must
 * reach the device with commands no ioctl would produce; km_raw_config:
 * the device's config space as the driver reads it.
 */
#include <errno.h>
#include <string.h>

#include "kernelmock/km_internal.h"
#include "sim/transport.h"

int km_raw_command(struct km_device *dev, unsigned queue, const void *cmd,
		   size_t cmd_len, void *resp, size_t resp_len, int timeout_ms)
{
	if (queue > 1 || cmd_len == 0 || resp_len == 0 ||
	    cmd_len > UINT32_MAX || resp_len > UINT32_MAX)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	struct km_vbuf *vbuf;
	int ret = km__vbuf_alloc(dev, cmd_len, 0, resp_len, &vbuf);
	if (ret)
		goto out;
	memcpy(vbuf->buf, cmd, cmd_len);
	vbuf->waited = true;
	ret = queue ? km__queue_cursor_locked(dev, vbuf)
		    : km__queue_ctrl_locked(dev, vbuf, NULL);
	if (ret)
		goto out;
	km__notify_locked(dev);
	ret = km__vbuf_wait_locked(dev, vbuf, timeout_ms);
	if (ret == -ETIME) {
		/* The device may still answer: leave the vbuf to the interrupt
		 * handler, which frees it then. */
		vbuf->waited = false;
		goto out;
	}
	memcpy(resp, km__vbuf_resp(vbuf), resp_len);
	ret = (int)vbuf->written;
	km__vbuf_free(dev, vbuf);
out:
	pthread_mutex_unlock(&dev->lock);
	sim_transport_wait_idle(dev->transport);
	return ret;
}

int km_raw_config(struct km_device *dev, void *buf, size_t len)
{
	uint32_t size = sim_transport_config_size(dev->transport);
	uint32_t n = len < size ? (uint32_t)len : size;

	if (n == 0)
		return 0;
	int ret = sim_transport_read_config(dev->transport, 0, buf, n);
	return ret ? ret : (int)n;
}
