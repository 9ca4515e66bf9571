// SPDX-License-Identifier: MIT
/*
 * SYNC_IOC_MERGE and SYNC_IOC_FILE_INFO on our sync_file fds, with the
 * argument checks of drivers/dma-buf/sync_file.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "kernelmock/km_internal.h"

static int merge(struct km_device *dev, struct km_sync_file *a, void *arg)
{
	struct sync_merge_data data;
	int ret = km__copy_from_user(&data, (uintptr_t)arg, sizeof(data));
	if (ret)
		return ret;
	if (data.flags || data.pad)
		return -EINVAL;
	struct km_sync_file *b = km__sync_file_lookup_locked(dev, data.fd2);
	if (!b)
		return -ENOENT;	/* sync_file_fdget failed */
	unsigned n = a->nfences + b->nfences;
	struct km_fence **all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	/* One fence per timeline: the later of the two (sync_file_merge
	 * keeps the newest fence of each context). */
	unsigned k = 0;
	for (unsigned i = 0; i < a->nfences + b->nfences; i++) {
		struct km_fence *f = i < a->nfences ? a->fences[i]
						    : b->fences[i - a->nfences];
		unsigned j;
		for (j = 0; j < k; j++)
			if (all[j]->timeline == f->timeline)
				break;
		if (j == k)
			all[k++] = f;
		else if (f->id > all[j]->id)
			all[j] = f;
	}
	data.name[sizeof(data.name) - 1] = '\0';
	int fd = km__sync_file_create_locked(dev, all, k, data.name);
	free(all);
	if (fd < 0)
		return fd;
	data.fence = fd;
	ret = km__copy_to_user((uintptr_t)arg, &data, sizeof(data));
	if (ret) {
		close(fd);
		return ret;
	}
	return 0;
}

static int file_info(struct km_sync_file *sf, void *arg)
{
	struct sync_file_info info;
	int ret = km__copy_from_user(&info, (uintptr_t)arg, sizeof(info));
	if (ret)
		return ret;
	if (info.flags || info.pad)
		return -EINVAL;
	int status = 1;
	for (unsigned i = 0; i < sf->nfences; i++)
		if (!sf->fences[i]->signaled)
			status = 0;
	/* num_fences 0 asks only for the count (sync_file_ioctl_fence_info) */
	if (info.num_fences) {
		if (info.num_fences < sf->nfences)
			return -EINVAL;
		for (unsigned i = 0; i < sf->nfences; i++) {
			struct sync_fence_info fi;
			memset(&fi, 0, sizeof(fi));
			/* virtio_gpu's dma_fence_ops names */
			snprintf(fi.obj_name, sizeof(fi.obj_name), "controlq");
			snprintf(fi.driver_name, sizeof(fi.driver_name),
				 "virtio_gpu");
			fi.status = sf->fences[i]->signaled ? 1 : 0;
			fi.timestamp_ns = sf->fences[i]->signaled
						  ? sf->fences[i]->signal_ns : 0;
			ret = km__copy_to_user(info.sync_fence_info +
						       i * sizeof(fi),
					       &fi, sizeof(fi));
			if (ret)
				return ret;
		}
	}
	memcpy(info.name, sf->name, sizeof(info.name));
	info.status = status;
	info.num_fences = sf->nfences;
	return km__copy_to_user((uintptr_t)arg, &info, sizeof(info));
}

int km_sync_ioctl(struct km_device *dev, int fd, unsigned long request,
		  void *arg)
{
	pthread_mutex_lock(&dev->lock);
	struct km_sync_file *sf = km__sync_file_lookup_locked(dev, fd);
	int ret;
	if (!sf)
		ret = -EINVAL;
	else if (request == SYNC_IOC_MERGE)
		ret = merge(dev, sf, arg);
	else if (request == SYNC_IOC_FILE_INFO)
		ret = file_info(sf, arg);
	else
		ret = -ENOTTY;
	pthread_mutex_unlock(&dev->lock);
	return ret;
}
