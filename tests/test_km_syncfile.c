// SPDX-License-Identifier: MIT
/*
 * Which of the program's fds are kernelmock's sync_files (fence.c): copies
 * of an eventfd, told from the program's other fds by the open file they
 * name (kcmp), not by number or inode (every eventfd shares one).  A
 * sync_file lives while a copy the program holds is known: the number
 * handed out, one handed back, one km_sync_file_dup was told of.
 *
 * With --deny-kcmp a seccomp filter refuses kcmp(2) with EPERM before the
 * first sync_file, as a container's policy may: kernelmock then compares
 * the eventfd-id of /proc/self/fdinfo, and every test must pass the same.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <cmocka.h>
#include <linux/sync_file.h>
#include <sys/eventfd.h>

#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "tests/machine_fixture.h"
#include "vmm/machine.h"

struct fixture {
	struct vmm_machine *m;
	struct km_device *kd;
	struct km_file *f;
};

/* As test_kernel.c: 64 MiB of RAM, one render node open. */
static int setup(void **state)
{
	static struct fixture fx;
	struct vmm_machine_options o;

	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	fx.m = test_machine_start(&o);
	fx.kd = vmm_machine_kernel(fx.m);
	if (km_open(fx.kd, &fx.f))
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	test_machine_finish(fx->m, &fx->f, 1);
	return 0;
}

/* An empty EXECBUFFER with FENCE_FD_OUT (and FENCE_FD_IN @in_fd >= 0). */
static int submit(struct fixture *fx, int in_fd, int *out_fd)
{
	uint32_t nop = 0;
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT |
			 (in_fd >= 0 ? VIRTGPU_EXECBUF_FENCE_FD_IN : 0),
		.command = (uintptr_t)&nop, .fence_fd = in_fd,
	};
	int ret = km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);
	*out_fd = eb.fence_fd;
	return ret;
}

static void assert_signals(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 10000), 1);
	assert_true(p.revents & POLLIN);
}

static bool is_sync_file(struct fixture *fx, int fd)
{
	struct sync_file_info info = { .num_fences = 0 };
	return km_sync_ioctl(fx->kd, fd, SYNC_IOC_FILE_INFO, &info) == 0;
}

/* Copies told of, copies handed back, and a reused number. */
static void test_km_syncfile_copies_and_reuse(void **state)
{
	struct fixture *fx = *state;
	int a, c;
	assert_int_equal(submit(fx, -1, &a), 0);
	assert_signals(a);
	int told = dup(a);
	assert_int_equal(km_sync_file_dup(fx->kd, a, told), 1);
	/* Not told of, but handed back while a known copy is open. */
	int untold = dup(a);
	assert_true(is_sync_file(fx, untold));
	assert_int_equal(close(a), 0);
	/* @a's number now names another eventfd: not a sync_file. */
	int fresh = eventfd(1, EFD_CLOEXEC);
	assert_true(fresh >= 0);
	assert_int_equal(dup2(fresh, a), a);
	assert_int_equal(close(fresh), 0);
	assert_false(is_sync_file(fx, a));
	assert_int_equal(submit(fx, a, &c), -EINVAL);
	/* Many sync_files later (the closed ones collected in batches),
	 * both copies still name the first. */
	for (int i = 0; i < 40; i++) {
		assert_int_equal(submit(fx, -1, &c), 0);
		assert_int_equal(close(c), 0);
	}
	assert_true(is_sync_file(fx, told));
	assert_true(is_sync_file(fx, untold));
	assert_int_equal(submit(fx, untold, &c), 0);
	assert_signals(c);
	/* A copy of an fd that is no sync_file is not remembered. */
	int d = dup(a);
	assert_int_equal(km_sync_file_dup(fx->kd, a, d), 0);
	close(c);
	close(d);
	close(a);
	close(told);
	close(untold);
}

/* Once every known copy is closed the sync_file is released: a copy made
 * behind kernelmock's back is no longer recognised (Linux would still
 * take it: the documented limit). */
static void test_km_syncfile_unknown_copy_after_close(void **state)
{
	struct fixture *fx = *state;
	int a, c;
	assert_int_equal(submit(fx, -1, &a), 0);
	int untold = dup(a);
	assert_int_equal(close(a), 0);
	/* Each waited for: only signalled ones are released. */
	for (int i = 0; i < 40; i++) {
		assert_int_equal(submit(fx, -1, &c), 0);
		assert_signals(c);
		assert_int_equal(close(c), 0);
	}
	assert_false(is_sync_file(fx, untold));
	/* Still an eventfd that the fence signalled. */
	assert_signals(untold);
	close(untold);
}

/* kcmp(2) refused with EPERM for this process and its threads to come. */
static int deny_kcmp(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_kcmp, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]), .filter = insns,
	};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("test_km_syncfile: seccomp");
		return -1;
	}
	if (syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0) != -1 ||
	    errno != EPERM) {
		fprintf(stderr, "test_km_syncfile: kcmp is not refused\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--deny-kcmp") && deny_kcmp())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_km_syncfile_copies_and_reuse,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_km_syncfile_unknown_copy_after_close, setup,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
