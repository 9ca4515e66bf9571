// SPDX-License-Identifier: MIT
/*
 * Fuzz target: kernelmock (the guest kernel driver) fed sequences of
 * ioctls with random arguments on device files of one whole machine, as a
 * hostile program would issue them on /dev/dri/renderD128, plus mmap,
 * munmap, read, sync_file ioctls, fd closes and file closes in between.
 * The input format is enum fuzz_km_op in tests/fuzz/fuzz.h.
 *
 * Pointers inside argument structs never reach arbitrary memory: each is a
 * selector (enum fuzz_ptr_kind) that becomes NULL, a place in the input's
 * data buffer (which ends at a PROT_NONE guard page), the guard page, a
 * kernel-half address or a low unmapped address.  kernelmock must answer
 * -EFAULT for the bad ones, never crash.  File descriptors in structs are
 * selectors too: one the stack returned (fence fds, dma-bufs), -1, an fd
 * that is no sync_file or dma-buf (/dev/null), or a raw number.
 *
 * One machine per process, reused: after each input every file and fd is
 * closed, and then kernelmock must have released every GEM object, every
 * in-flight command and every guest page; anything left is a leak and
 * aborts the run.  "Every fd" includes fence fds and dma-bufs the program
 * never learnt the number of (a PRIME_HANDLE_TO_FD with a struct too short
 * for the fd field installs one, as on Linux): all read ends of pipes the
 * input's calls created are closed, as process exit would.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/sync_file.h>
#include <linux/virtio_gpu.h>

#include "host/host.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "sim/log.h"
#include "vmm/machine.h"
#include "sim/ram.h"
#include "tests/fuzz/fuzz.h"

#define DATA_SIZE (64u << 10)
#define MAX_FILES 3
#define MAX_FDS 32
#define MAX_MAPS 16
#define ARG_SIZE 256
#define DRAIN_TRIES 15000	/* 1 ms each */

struct fkm_ioctl {
	unsigned long request;
	size_t size;
	/* offsets of pointer fields (0 terminates; no struct has one at 0) */
	size_t ptrs[4];
	int fd_in;		/* offset of an fd selector, or -1 */
	int fd_out;		/* offset of an fd the call returns, or -1 */
};

#define OFF(type, field) offsetof(struct type, field)
static const struct fkm_ioctl ioctls[FUZZ_KM_NIOCTLS] = {
	[FUZZ_KM_VIRTGPU_MAP] = { DRM_IOCTL_VIRTGPU_MAP,
		sizeof(struct drm_virtgpu_map), { 0 }, -1, -1 },
	[FUZZ_KM_VIRTGPU_EXECBUFFER] = { DRM_IOCTL_VIRTGPU_EXECBUFFER,
		sizeof(struct drm_virtgpu_execbuffer),
		{ OFF(drm_virtgpu_execbuffer, command),
		  OFF(drm_virtgpu_execbuffer, bo_handles),
		  OFF(drm_virtgpu_execbuffer, in_syncobjs),
		  OFF(drm_virtgpu_execbuffer, out_syncobjs) },
		OFF(drm_virtgpu_execbuffer, fence_fd),
		OFF(drm_virtgpu_execbuffer, fence_fd) },
	[FUZZ_KM_VIRTGPU_GETPARAM] = { DRM_IOCTL_VIRTGPU_GETPARAM,
		sizeof(struct drm_virtgpu_getparam),
		{ OFF(drm_virtgpu_getparam, value) }, -1, -1 },
	[FUZZ_KM_VIRTGPU_RESOURCE_CREATE] = { DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
		sizeof(struct drm_virtgpu_resource_create), { 0 }, -1, -1 },
	[FUZZ_KM_VIRTGPU_RESOURCE_INFO] = { DRM_IOCTL_VIRTGPU_RESOURCE_INFO,
		sizeof(struct drm_virtgpu_resource_info), { 0 }, -1, -1 },
	[FUZZ_KM_VIRTGPU_TRANSFER_FROM_HOST] = {
		DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST,
		sizeof(struct drm_virtgpu_3d_transfer_from_host), { 0 }, -1, -1 },
	[FUZZ_KM_VIRTGPU_TRANSFER_TO_HOST] = {
		DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST,
		sizeof(struct drm_virtgpu_3d_transfer_to_host), { 0 }, -1, -1 },
	[FUZZ_KM_VIRTGPU_WAIT] = { DRM_IOCTL_VIRTGPU_WAIT,
		sizeof(struct drm_virtgpu_3d_wait), { 0 }, -1, -1 },
	[FUZZ_KM_VIRTGPU_GET_CAPS] = { DRM_IOCTL_VIRTGPU_GET_CAPS,
		sizeof(struct drm_virtgpu_get_caps),
		{ OFF(drm_virtgpu_get_caps, addr) }, -1, -1 },
	[FUZZ_KM_VIRTGPU_RESOURCE_CREATE_BLOB] = {
		DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB,
		sizeof(struct drm_virtgpu_resource_create_blob),
		{ OFF(drm_virtgpu_resource_create_blob, cmd) }, -1, -1 },
	[FUZZ_KM_VIRTGPU_CONTEXT_INIT] = { DRM_IOCTL_VIRTGPU_CONTEXT_INIT,
		sizeof(struct drm_virtgpu_context_init),
		{ OFF(drm_virtgpu_context_init, ctx_set_params) }, -1, -1 },
	[FUZZ_KM_VERSION] = { DRM_IOCTL_VERSION, sizeof(struct drm_version),
		{ OFF(drm_version, name), OFF(drm_version, date),
		  OFF(drm_version, desc) }, -1, -1 },
	[FUZZ_KM_GET_CAP] = { DRM_IOCTL_GET_CAP, sizeof(struct drm_get_cap),
		{ 0 }, -1, -1 },
	[FUZZ_KM_GEM_CLOSE] = { DRM_IOCTL_GEM_CLOSE,
		sizeof(struct drm_gem_close), { 0 }, -1, -1 },
	[FUZZ_KM_GEM_FLINK] = { DRM_IOCTL_GEM_FLINK,
		sizeof(struct drm_gem_flink), { 0 }, -1, -1 },
	[FUZZ_KM_GEM_OPEN] = { DRM_IOCTL_GEM_OPEN,
		sizeof(struct drm_gem_open), { 0 }, -1, -1 },
	[FUZZ_KM_PRIME_HANDLE_TO_FD] = { DRM_IOCTL_PRIME_HANDLE_TO_FD,
		sizeof(struct drm_prime_handle), { 0 }, -1,
		OFF(drm_prime_handle, fd) },
	[FUZZ_KM_PRIME_FD_TO_HANDLE] = { DRM_IOCTL_PRIME_FD_TO_HANDLE,
		sizeof(struct drm_prime_handle), { 0 },
		OFF(drm_prime_handle, fd), -1 },
};

struct fkm_map {
	struct km_file *file;
	void *addr;
	size_t len;
};

struct fkm {
	struct vmm_machine *m;
	struct km_device *kd;
	uint64_t free_pages;		/* guest pages free when idle */
	uint8_t *data;			/* DATA_SIZE bytes, then a guard page */
	uint8_t *guard;
	int devnull;
	/* What was open when the input began: the inode of each fd below
	 * 1024, 0 for none.  Numbers alone are not enough: kernelmock closes
	 * its ends of sync_files and dma-bufs lazily, during a later input,
	 * and the number may then come back as an fd of the program's. */
	uint64_t baseline_ino[1024];
	struct km_file *files[MAX_FILES];
	unsigned nfiles;
	int fds[MAX_FDS];
	unsigned nfds;
	uint64_t offsets[MAX_MAPS];	/* what MAP returned */
	unsigned noffsets;
	struct fkm_map maps[MAX_MAPS];
	unsigned nmaps;
};

/* libFuzzer's entry points take no context: the one machine of this
 * process lives here. */
static struct fkm *fuzz_machine;

static void die(const char *what, int err)
{
	fprintf(stderr, "fuzz_ioctl: %s: %s\n", what, strerror(err < 0 ? -err : err));
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fkm *k = calloc(1, sizeof(*k));
	struct vmm_machine_options o;
	int ret;

	(void)argc;
	(void)argv;
	if (!k)
		die("calloc", ENOMEM);
	sim_log_set_quiet(true);
	vmm_machine_default_options(&o);
	o.ram_size = 32ull << 20;
	o.venus = true;
	o.hostmem_size = 16ull << 20;
	o.vmm = HOST_VMM_STRICT;	/* offers RESOURCE_UUID */
	o.features = (1ull << VIRTIO_GPU_F_VIRGL) | (1ull << VIRTIO_GPU_F_EDID) |
		     (1ull << VIRTIO_GPU_F_RESOURCE_UUID) |
		     (1ull << VIRTIO_GPU_F_RESOURCE_BLOB) |
		     (1ull << VIRTIO_GPU_F_CONTEXT_INIT);
	if ((ret = vmm_machine_create(&o, &k->m)))
		die("vmm_machine_create", ret);
	k->kd = vmm_machine_kernel(k->m);
	k->free_pages = sim_ram_free_pages(vmm_machine_ram(k->m));
	/* The data buffer ends exactly where an inaccessible page begins,
	 * so a struct or array reaching past it faults in kernelmock's
	 * copy_from_user, which must say -EFAULT. */
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *area = mmap(NULL, DATA_SIZE + page, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		die("mmap", errno);
	k->guard = area + DATA_SIZE;
	if (mprotect(k->guard, page, PROT_NONE))
		die("mprotect", errno);
	k->data = area;
	k->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (k->devnull < 0)
		die("/dev/null", errno);
	fuzz_machine = k;
	return 0;
}

static uint64_t resolve_ptr(const struct fkm *k, uint64_t sel)
{
	uint64_t off = sel >> 3;

	switch ((enum fuzz_ptr_kind)(sel & 7)) {
	case FUZZ_PTR_NULL:
		return 0;
	case FUZZ_PTR_DATA:
	default:
		return (uintptr_t)k->data + off % DATA_SIZE;
	case FUZZ_PTR_DATA_END:
		return (uintptr_t)k->guard - 1 - off % 64;
	case FUZZ_PTR_GUARD:
		return (uintptr_t)k->guard + off % 4096;
	case FUZZ_PTR_KERNEL:
		return 0xffff800000000000ull | (off & 0xffffffffull);
	case FUZZ_PTR_LOW:
		return off % 65536;
	}
}

/* Is [p, p + len) inside the data buffer? */
static bool in_data(const struct fkm *k, uint64_t p, size_t len)
{
	uintptr_t b = (uintptr_t)k->data;

	return p >= b && p <= b + DATA_SIZE && len <= b + DATA_SIZE - p;
}

static int resolve_fd(const struct fkm *k, uint32_t sel)
{
	uint32_t n = sel % (k->nfds + 3);

	if (n < k->nfds)
		return k->fds[n];
	if (n == k->nfds)
		return -1;
	if (n == k->nfds + 1)
		return k->devnull;
	return (int)(sel >> 8);	/* a raw number: fstat'ed, never used */
}

/* Remember an fd the stack returned, for later selectors (the sweep at
 * the end of the input closes it). */
static void keep_fd(struct fkm *k, int fd)
{
	if (fd >= 0 && fd != k->devnull && k->nfds < MAX_FDS)
		k->fds[k->nfds++] = fd;
}

static void get32(const uint8_t *arg, size_t off, uint32_t *v)
{
	memcpy(v, arg + off, sizeof(*v));
}

static void put64(uint8_t *arg, size_t off, uint64_t v)
{
	memcpy(arg + off, &v, sizeof(v));
}

static uint64_t get64(const uint8_t *arg, size_t off)
{
	uint64_t v;

	memcpy(&v, arg + off, sizeof(v));
	return v;
}

/* CONTEXT_INIT: a DEBUG_NAME parameter's value is a pointer too. */
static void fix_context_params(struct fkm *k, uint64_t params,
			       uint32_t num)
{
	for (uint32_t i = 0; i < num && i < 8; i++) {
		uint64_t p = params + i * sizeof(struct drm_virtgpu_context_set_param);
		struct drm_virtgpu_context_set_param cp;

		if (!in_data(k, p, sizeof(cp)))
			return;
		memcpy(&cp, (void *)(uintptr_t)p, sizeof(cp));
		if (cp.param == VIRTGPU_CONTEXT_PARAM_DEBUG_NAME) {
			cp.value = resolve_ptr(k, cp.value);
			memcpy((void *)(uintptr_t)p, &cp, sizeof(cp));
		}
	}
}

static struct km_file *pick_file(struct fkm *k, struct fuzz_in *in)
{
	return k->files[fuzz_u8(in) % k->nfiles];
}

static void op_ioctl(struct fkm *k, struct fuzz_in *in)
{
	struct km_file *file = pick_file(k, in);
	uint8_t which = fuzz_u8(in);
	uint16_t size_sel = fuzz_u16(in);
	uint8_t arg_sel = fuzz_u8(in);
	uint8_t arg[ARG_SIZE];
	unsigned long request;
	const struct fkm_ioctl *t = NULL;
	size_t len;

	if (which < FUZZ_KM_NIOCTLS) {
		t = &ioctls[which];
		len = t->size;
		request = t->request;
	} else {
		/* A raw request number: any DRM nr, driver ones included. */
		len = 64;
		request = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
			       which, len);
	}
	fuzz_bytes(in, arg, len);
	memset(arg + len, 0, sizeof(arg) - len);
	if (size_sel) {
		/* Another struct size (older or newer userspace), or another
		 * ioctl type altogether. */
		unsigned type = size_sel & 0x8000 ? 'e' : DRM_IOCTL_BASE;
		request = _IOC(_IOC_DIR(request), type, _IOC_NR(request),
			       size_sel & _IOC_SIZEMASK);
	}
	if (t) {
		for (unsigned i = 0; i < 4 && t->ptrs[i]; i++)
			put64(arg, t->ptrs[i], resolve_ptr(k, get64(arg, t->ptrs[i])));
		if (t->fd_in >= 0) {
			uint32_t sel;

			get32(arg, (size_t)t->fd_in, &sel);
			int fd = resolve_fd(k, sel);
			memcpy(arg + t->fd_in, &fd, sizeof(fd));
		}
		if (which == FUZZ_KM_VIRTGPU_CONTEXT_INIT) {
			struct drm_virtgpu_context_init ci;

			memcpy(&ci, arg, sizeof(ci));
			fix_context_params(k, ci.ctx_set_params, ci.num_params);
		}
	}
	void *argp = arg_sel ? (void *)(uintptr_t)resolve_ptr(k, arg_sel) : arg;
	int ret = km_ioctl(file, request, argp);

	if (ret || !t || argp != arg)
		return;
	/* An fd is returned only when the struct size the call named covers
	 * the field: with a shorter one the kernel copies back only that
	 * much, and what lies there is the input's own bytes.  Keeping those
	 * as an fd let a later FUZZ_KM_CLOSE_FD close a descriptor kernelmock
	 * owns (a dma-buf's write end), which looked like a leaked object. */
	if (t->fd_out >= 0 &&
	    (size_t)t->fd_out + sizeof(int) <= _IOC_SIZE(request)) {
		int fd;

		memcpy(&fd, arg + t->fd_out, sizeof(fd));
		/* EXECBUFFER returns a fence fd only with FENCE_FD_OUT. */
		if (which != FUZZ_KM_VIRTGPU_EXECBUFFER ||
		    (((struct drm_virtgpu_execbuffer *)(void *)arg)->flags &
		     VIRTGPU_EXECBUF_FENCE_FD_OUT))
			keep_fd(k, fd);
	}
	if (which == FUZZ_KM_VIRTGPU_MAP && k->noffsets < MAX_MAPS)
		k->offsets[k->noffsets++] = ((struct drm_virtgpu_map *)(void *)arg)->offset;
}

static void op_mmap(struct fkm *k, struct fuzz_in *in)
{
	struct km_file *file = pick_file(k, in);
	uint8_t which = fuzz_u8(in);
	size_t len = fuzz_u32(in);
	uint64_t offset = which < k->noffsets ? k->offsets[which]
					      : (uint64_t)which << 12;
	void *addr;

	if (k->nmaps == MAX_MAPS || km_mmap(file, offset, len, &addr))
		return;
	/* The mapping must be usable to its last byte. */
	volatile uint8_t *p = addr;
	p[0] = p[0];
	p[len - 1] = p[len - 1];
	k->maps[k->nmaps++] = (struct fkm_map){ file, addr, len };
}

static void drop_map(struct fkm *k, unsigned i)
{
	k->maps[i] = k->maps[--k->nmaps];
}

static void op_munmap(struct fkm *k, struct fuzz_in *in)
{
	uint8_t which = fuzz_u8(in);

	if (which >= k->nmaps)
		return;
	struct fkm_map *mp = &k->maps[which];
	volatile uint8_t *p = mp->addr;
	p[0] = p[0];	/* still mapped until munmap */
	if (km_munmap(mp->file, mp->addr, mp->len) == 0)
		drop_map(k, which);
}

static void op_sync(struct fkm *k, struct fuzz_in *in)
{
	uint8_t req = fuzz_u8(in);
	int fd = resolve_fd(k, fuzz_u32(in));
	uint8_t arg[64];
	unsigned long request;

	fuzz_bytes(in, arg, sizeof(arg));
	switch (req % 3) {
	case 0: {
		struct sync_merge_data md;

		request = SYNC_IOC_MERGE;
		memcpy(&md, arg, sizeof(md));
		md.fd2 = resolve_fd(k, (uint32_t)md.fd2);
		memcpy(arg, &md, sizeof(md));
		break;
	}
	case 1: {
		struct sync_file_info fi;

		request = SYNC_IOC_FILE_INFO;
		memcpy(&fi, arg, sizeof(fi));
		fi.sync_fence_info = resolve_ptr(k, fi.sync_fence_info);
		memcpy(arg, &fi, sizeof(fi));
		break;
	}
	default:
		request = _IOWR(SYNC_IOC_MAGIC, req, struct sync_merge_data);
		break;
	}
	int ret = km_sync_ioctl(k->kd, fd, request, arg);
	if (ret == 0 && request == SYNC_IOC_MERGE) {
		struct sync_merge_data md;

		memcpy(&md, arg, sizeof(md));
		keep_fd(k, md.fence);
	}
}

static int open_file(struct fkm *k, unsigned i, bool primary)
{
	return primary ? km_open_primary(k->kd, &k->files[i])
		       : km_open(k->kd, &k->files[i]);
}

static void close_file(struct fkm *k, unsigned i)
{
	/* km_close unmaps the file's mappings. */
	for (unsigned m = 0; m < k->nmaps;)
		if (k->maps[m].file == k->files[i])
			drop_map(k, m);
		else
			m++;
	km_close(k->files[i]);
	k->files[i] = NULL;
}

static void run(struct fkm *k, struct fuzz_in *in)
{
	uint8_t hdr = fuzz_u8(in);
	int ret;

	k->nfiles = hdr % MAX_FILES + 1;
	for (unsigned i = 0; i < k->nfiles; i++)
		if ((ret = open_file(k, i, hdr & (0x10 << i))))
			die("km_open", ret);
	while (fuzz_more(in)) {
		uint8_t op = fuzz_u8(in) % FUZZ_KM_NOPS;

		switch ((enum fuzz_km_op)op) {
		case FUZZ_KM_IOCTL:
			op_ioctl(k, in);
			break;
		case FUZZ_KM_DATA: {
			size_t off = fuzz_u16(in) % DATA_SIZE;
			size_t len = fuzz_u16(in);

			fuzz_bytes(in, k->data + off,
				   len < DATA_SIZE - off ? len : DATA_SIZE - off);
			break;
		}
		case FUZZ_KM_MMAP:
			op_mmap(k, in);
			break;
		case FUZZ_KM_MUNMAP:
			op_munmap(k, in);
			break;
		case FUZZ_KM_READ: {
			struct km_file *file = pick_file(k, in);
			size_t len = fuzz_u16(in);

			km_read(file, k->data, len < DATA_SIZE ? len : DATA_SIZE,
				true);
			break;
		}
		case FUZZ_KM_SYNC:
			op_sync(k, in);
			break;
		case FUZZ_KM_CLOSE_FD: {
			uint8_t which = fuzz_u8(in);

			if (which < k->nfds) {
				int fd = k->fds[which];

				close(fd);
				/* The same number may have been returned
				 * twice: forget every copy. */
				for (unsigned i = 0; i < k->nfds;)
					if (k->fds[i] == fd)
						k->fds[i] = k->fds[--k->nfds];
					else
						i++;
			}
			break;
		}
		case FUZZ_KM_REOPEN: {
			unsigned i = fuzz_u8(in) % k->nfiles;

			close_file(k, i);
			if ((ret = open_file(k, i, false)))
				die("km_open", ret);
			break;
		}
		case FUZZ_KM_NOPS:
			break;
		}
	}
}

static bool in_baseline(const struct fkm *k, int fd, const struct stat *st)
{
	return fd < 1024 && k->baseline_ino[fd] == (uint64_t)st->st_ino;
}

/* A sync_file fd of the program's (kernelmock's own ends of its socket
 * pairs are not sync_files to SYNC_IOC_FILE_INFO). */
static bool is_sync_file(struct fkm *k, int fd)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	return km_sync_ioctl(k->kd, fd, SYNC_IOC_FILE_INFO, &info) == 0;
}

/*
 * The input's program exits: close every fd kernelmock gave it that was
 * not open when the input began: dma-bufs (read ends of pipes) and fence
 * fds (sync_files: copies of kernelmock's eventfds).  kernelmock's own
 * copies stay, as they belong to the "kernel" (km_sync_ioctl does not
 * take them for the program's).  With @record, just remember what is
 * open now.
 */
static void sweep_fds(struct fkm *k, bool record)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		die("/proc/self/fd", errno);
	if (record)
		memset(k->baseline_ino, 0, sizeof(k->baseline_ino));
	while ((e = readdir(d))) {
		struct stat st;
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d) || fd <= 2 ||
		    fstat(fd, &st))
			continue;
		if (record) {
			if (fd < 1024)
				k->baseline_ino[fd] = (uint64_t)st.st_ino;
			continue;
		}
		if (in_baseline(k, fd, &st))
			continue;
		if (S_ISFIFO(st.st_mode) &&
		    (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY)
			close(fd);	/* a dma-buf */
		else if (is_sync_file(k, fd))
			close(fd);	/* a fence fd */
	}
	closedir(d);
}

/* Everything closed: kernelmock must give back every object, command and
 * guest page once the device has answered what is in flight. */
static void check_released(struct fkm *k)
{
	struct sim_ram *ram = vmm_machine_ram(k->m);
	struct km_stats st;
	uint64_t free_pages = 0;

	for (int i = 0; i < DRAIN_TRIES; i++) {
		km_device_stats(k->kd, &st);
		free_pages = sim_ram_free_pages(ram);
		if (!st.inflight && !st.objects && !st.files &&
		    free_pages == k->free_pages)
			return;
		usleep(1000);
	}
	fprintf(stderr, "fuzz_ioctl: after closing everything: %u objects, "
		"%u commands in flight, %u files, %llu guest pages free "
		"(expected 0, 0, 0, %llu)\n", st.objects, st.inflight, st.files,
		(unsigned long long)free_pages,
		(unsigned long long)k->free_pages);
	/* FUZZ_HOLD=1: stay alive so that gdb can look at the machine
	 * (docs/reliability.md, "Reproducing a finding"). */
	if (getenv("FUZZ_HOLD")) {
		fprintf(stderr, "fuzz_ioctl: holding for gdb -p %d\n", (int)getpid());
		sleep(3600);
	}
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fkm *k = fuzz_machine;
	struct fuzz_in in = { data, size };

	memset(k->data, 0, DATA_SIZE);
	k->nfds = k->noffsets = k->nmaps = 0;
	sweep_fds(k, true);
	run(k, &in);
	for (unsigned i = 0; i < k->nfiles; i++)
		close_file(k, i);
	k->nfds = 0;
	sweep_fds(k, false);
	check_released(k);
	return 0;
}

void fuzz_target_fini(void)
{
	struct fkm *k = fuzz_machine;

	vmm_machine_destroy(k->m);
	close(k->devnull);
	munmap(k->data, DATA_SIZE + (size_t)sysconf(_SC_PAGESIZE));
	free(k);
	fuzz_machine = NULL;
}
