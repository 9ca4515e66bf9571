// SPDX-License-Identifier: MIT
/*
 * The "vtest" way: virgl_test_server (virglrenderer's own test transport,
 * a Unix socket and shared memory, no kernel and no virtio layers) and a
 * minimal vtest client written here from the protocol's message layouts
 * (virglrenderer's vtest/vtest_protocol.h, protocol version 4).
 *
 * Every message is a header of two u32, [length, command], then length
 * dwords (VCMD_CREATE_RENDERER alone counts bytes).  What the client uses:
 *  - CREATE_RENDERER (8): the client's name; the server forks a worker for
 *    the connection and initialises virglrenderer in it.
 *  - PROTOCOL_VERSION (11): [version] -> [version], after a
 *    PING_PROTOCOL_VERSION (10) that the server echoes.
 *  - RESOURCE_CREATE2 (12): [0, target, format, bind, width, height, depth,
 *    array_size, last_level, nr_samples, data_size] -> [res_id]; with
 *    data_size the server then passes a shm fd (SCM_RIGHTS) that is the
 *    resource's backing.
 *  - RESOURCE_UNREF (3): [res_id].
 *  - SUBMIT_CMD (6): the virgl stream; the server adds an implicit fence.
 *  - RESOURCE_BUSY_WAIT (7): [handle, flags], flag 1 = wait -> [busy]; it
 *    waits for the implicit fences, so SUBMIT_CMD + BUSY_WAIT is a fenced
 *    round trip, as Mesa's virpipe does it.
 *  - TRANSFER_PUT2 / TRANSFER_GET2 (14 / 13): [res_id, level, x, y, z, w,
 *    h, d, data_size, offset], to and from the shm backing; the server
 *    answers nothing, so a BUSY_WAIT after it marks completion.
 *
 * The server runs with --socket-path=PATH (the "=" form, FACTS.md) in a
 * private directory, so parallel runs and other engineers' servers never
 * meet ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"

#define VCMD_RESOURCE_UNREF 3
#define VCMD_SUBMIT_CMD 6
#define VCMD_RESOURCE_BUSY_WAIT 7
#define VCMD_CREATE_RENDERER 8
#define VCMD_PING_PROTOCOL_VERSION 10
#define VCMD_PROTOCOL_VERSION 11
#define VCMD_RESOURCE_CREATE2 12
#define VCMD_TRANSFER_GET2 13
#define VCMD_TRANSFER_PUT2 14
#define VTEST_VERSION 4
#define VTEST_IO_TIMEOUT_MS 20000

struct bench_way {
	int fd;
	pid_t server;	/* the listening server (parent of our worker) */
};

static int io_wait(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int ret;

	do
		ret = poll(&p, 1, VTEST_IO_TIMEOUT_MS);
	while (ret < 0 && errno == EINTR);
	return ret == 1 ? 0 : -ETIME;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (io_wait(fd, POLLOUT))
				return -ETIME;
			continue;
		}
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		if (io_wait(fd, POLLIN))
			return -ETIME;
		ssize_t n = read(fd, p, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One command: header then @ndw dwords of payload. */
static int send_cmd(struct bench_way *w, uint32_t cmd, const uint32_t *dw,
		    uint32_t ndw)
{
	uint32_t hdr[2] = { ndw, cmd };
	int ret = write_all(w->fd, hdr, sizeof(hdr));

	return ret || !ndw ? ret : write_all(w->fd, dw, ndw * 4u);
}

/* An answer to @cmd with exactly @ndw dwords of payload. */
static int recv_reply(struct bench_way *w, uint32_t cmd, uint32_t *dw,
		      uint32_t ndw)
{
	uint32_t hdr[2];
	int ret = read_all(w->fd, hdr, sizeof(hdr));

	if (ret)
		return ret;
	if (hdr[1] != cmd || hdr[0] != ndw) {
		fprintf(stderr, "bench vtest: answer [%u, %u], expected [%u, %u]\n",
			hdr[0], hdr[1], ndw, cmd);
		return -EPROTO;
	}
	return ndw ? read_all(w->fd, dw, ndw * 4u) : 0;
}

/* The fd the server passes after some answers (one byte of payload). */
static int recv_fd(struct bench_way *w)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	int fd;

	if (io_wait(w->fd, POLLIN) || recvmsg(w->fd, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -EPROTO;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static int busy_wait(struct bench_way *w)
{
	uint32_t args[2] = { 0, 1 /* VCMD_BUSY_WAIT_FLAG_WAIT */ }, busy;
	int ret = send_cmd(w, VCMD_RESOURCE_BUSY_WAIT, args, 2);

	return ret ? ret : recv_reply(w, VCMD_RESOURCE_BUSY_WAIT, &busy, 1);
}

static int handshake(struct bench_way *w)
{
	static const char name[] = "virtgpu-bench";
	uint32_t hdr[2] = { sizeof(name), VCMD_CREATE_RENDERER };
	uint32_t version = VTEST_VERSION;
	int ret = write_all(w->fd, hdr, sizeof(hdr));

	if (!ret)
		ret = write_all(w->fd, name, sizeof(name));
	if (!ret)
		ret = send_cmd(w, VCMD_PING_PROTOCOL_VERSION, NULL, 0);
	if (!ret)
		ret = recv_reply(w, VCMD_PING_PROTOCOL_VERSION, NULL, 0);
	if (!ret)
		ret = send_cmd(w, VCMD_PROTOCOL_VERSION, &version, 1);
	if (!ret)
		ret = recv_reply(w, VCMD_PROTOCOL_VERSION, &version, 1);
	if (!ret && version < 3) {
		fprintf(stderr, "bench vtest: server speaks version %u\n",
			version);
		ret = -EPROTO;
	}
	return ret;
}

static void vtest_close(struct bench_way *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

static int vtest_open(const struct bench_cfg *cfg, struct bench_way **out)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct bench_way *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", cfg->socket_path);
	if (w->fd < 0 ||
	    connect(w->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		ret = -errno;
		fprintf(stderr, "bench vtest: connect %s: %s\n",
			cfg->socket_path, strerror(errno));
		vtest_close(w);
		return ret;
	}
	ret = handshake(w);
	if (ret) {
		vtest_close(w);
		return ret;
	}
	*out = w;
	return 0;
}

static int vtest_tex_create(struct bench_way *w,
			    const struct bench_tex_desc *d,
			    struct bench_res **out)
{
	struct bench_res *r = calloc(1, sizeof(*r));
	uint64_t size = (uint64_t)d->width * d->height * 4;
	uint32_t args[11] = {
		0, d->target, d->format, d->bind, d->width, d->height, 1, 1,
		0, 0, d->backing ? (uint32_t)size : 0,
	};
	int ret;

	if (!r)
		return -ENOMEM;
	ret = send_cmd(w, VCMD_RESOURCE_CREATE2, args, 11);
	if (!ret)
		ret = recv_reply(w, VCMD_RESOURCE_CREATE2, &r->id, 1);
	if (ret) {
		free(r);
		return ret;
	}
	r->width = d->width;
	r->height = d->height;
	r->size = size;
	if (d->backing) {
		int fd = recv_fd(w);
		if (fd < 0) {
			free(r);
			return fd;
		}
		r->cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			      fd, 0);
		close(fd);
		if (r->cpu == MAP_FAILED) {
			free(r);
			return -ENOMEM;
		}
	}
	*out = r;
	return 0;
}

static void vtest_res_destroy(struct bench_way *w, struct bench_res *r)
{
	if (r->cpu)
		munmap(r->cpu, r->size);
	send_cmd(w, VCMD_RESOURCE_UNREF, &r->id, 1);
	free(r);
}

static int vtest_submit_wait(struct bench_way *w, const uint32_t *dw,
			     uint32_t ndw, struct bench_res *r)
{
	int ret = send_cmd(w, VCMD_SUBMIT_CMD, dw, ndw);

	return ret ? ret : busy_wait(w);
}

static int vtest_transfer_wait(struct bench_way *w, struct bench_res *r,
			       bool to_host)
{
	uint32_t args[10] = {
		r->id, 0, 0, 0, 0, r->width, r->height, 1, (uint32_t)r->size, 0,
	};
	int ret = send_cmd(w, to_host ? VCMD_TRANSFER_PUT2 : VCMD_TRANSFER_GET2,
			   args, 10);

	return ret ? ret : busy_wait(w);
}

static int vtest_blob_create_map(struct bench_way *w, uint64_t size,
				 uint32_t blob_id, struct bench_res **out)
{
	/* The server exports every HOST3D blob it creates and closes the
	 * connection when that fails, and virglrenderer 0.10.4 cannot export
	 * virgl blobs (FACTS.md, "Blobs"). */
	bench_note("map_write", "vtest", "not possible: virgl_test_server "
		   "exports HOST3D blobs and virglrenderer 0.10.4 cannot "
		   "export virgl ones");
	return -EOPNOTSUPP;
}

static long vtest_rss_kib(struct bench_way *w)
{
	/* Our worker is the child the listening server forked for us; the
	 * pid is passed down by the parent (BENCH_VTEST_SERVER_PID). */
	const char *s = getenv("BENCH_VTEST_SERVER_PID");
	long server = s ? bench_children_rss_kib((pid_t)atoi(s)) : 0;

	return bench_rss_kib(0) + server;
}

const struct bench_way_ops bench_vtest_ops = {
	.name = "vtest",
	.open = vtest_open,
	.close = vtest_close,
	.tex_create = vtest_tex_create,
	.res_destroy = vtest_res_destroy,
	.submit_wait = vtest_submit_wait,
	.transfer_wait = vtest_transfer_wait,
	.blob_create_map = vtest_blob_create_map,
	.rss_kib = vtest_rss_kib,
};

/* --- the server --- */

int bench_vtest_server_start(struct bench_cfg *cfg, pid_t *pid)
{
	char dir[] = "/tmp/virtgpu-bench.XXXXXX", opt[160];
	struct stat st;

	if (!mkdtemp(dir))
		return -errno;
	snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%s/vtest", dir);
	snprintf(opt, sizeof(opt), "--socket-path=%s", cfg->socket_path);
	*pid = fork();
	if (*pid < 0)
		return -errno;
	if (*pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl(cfg->server_bin, cfg->server_bin,
		      "--use-egl-surfaceless", opt, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		if (stat(cfg->socket_path, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		if (waitpid(*pid, NULL, WNOHANG) == *pid) {
			*pid = 0;
			return -ENOENT;
		}
		usleep(10000);
	}
	bench_vtest_server_stop(cfg, *pid);
	*pid = 0;
	return -ETIME;
}

void bench_vtest_server_stop(struct bench_cfg *cfg, pid_t pid)
{
	char dir[sizeof(cfg->socket_path)];
	char *slash;

	if (pid > 0) {
		/* Workers the server forked for clients end with their
		 * connection; one still running is ended here too. */
		pid_t worker;
		while ((worker = bench_first_child(pid)) > 0) {
			kill(worker, SIGKILL);
			usleep(1000);
			if (bench_first_child(pid) == worker)
				break;
		}
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	unlink(cfg->socket_path);
	snprintf(dir, sizeof(dir), "%s", cfg->socket_path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		rmdir(dir);
	}
}
