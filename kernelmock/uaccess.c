// SPDX-License-Identifier: MIT
/*
 * copy_from_user / copy_to_user for a "user space" that is this very
 * process.  A bad pointer in an ioctl argument must give the program
 * -EFAULT, as the kernel would, and never a crash.
 *
 * Linux copies with plain loads and stores and fixes a fault up through
 * its exception table (arch/x86/lib/copy_user_64.S, ex_handler_copy).
 * kernelmock does the same: the copy runs with a per-thread recovery
 * point armed, and our SIGSEGV/SIGBUS handler, finding it armed, jumps
 * back to it, so the copy returns -EFAULT; no system call on the way
 * (docs/performance.md: 4.5 process_vm_readv/writev per fenced submit
 * before).  A fault outside a copy goes to whatever handler was there
 * before ours, or to the default action, as if we had never been there.
 *
 * The handler only works while it stays installed: a program that sets
 * its own later (cmocka does, around every test) would take the fault
 * itself.  So this is opt-in, for a VMM that routes the program's
 * sigaction and signal calls to km_uaccess_sigaction, which keeps ours
 * first and chains to theirs (the exec shim does: vmm/shim/signals.c):
 * km_uaccess_fast_enable.  Everywhere else, and where a fault cannot
 * reach our handler, the copy goes through process_vm_readv/writev on
 * ourselves, which check every page in the kernel instead: under
 * valgrind (memcheck would report the fault as an invalid access first),
 * when the handler could not be installed, and on a thread that said it
 * blocks SIGSEGV (km_uaccess_thread_blocks_faults: a blocked synchronous
 * SIGSEGV kills the process).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#define RUNNING_ON_VALGRIND 0
#endif

/*
 * Our own pid, for process_vm_*v and kcmp(2) (fence.c).  glibc's getpid()
 * is a system call, and on this machine kind each costs 1-2 us.  The pid
 * is a fact of the process, not of a device, hence one cache per process;
 * a forked child must not copy from its parent, so the child handler of
 * pthread_atfork forgets it.
 */
static _Atomic pid_t self_pid;

/* The fault handler's state: one per process, as a signal disposition
 * is.  prev_lock protects prev (readers in the handler take no lock:
 * each slot is written before `ready` is set and only under it after). */
static struct {
	pthread_once_t once;
	atomic_bool ready;		/* our handler is installed */
	pthread_mutex_t prev_lock;
	struct sigaction prev[2];	/* SIGSEGV, SIGBUS: what we chain to */
} fault = {
	.once = PTHREAD_ONCE_INIT,
	.prev_lock = PTHREAD_MUTEX_INITIALIZER,
};

/* The recovery point of the copy running on this thread, or NULL. */
static __thread sigjmp_buf *tls_fixup __attribute__((tls_model("initial-exec")));
static __thread bool tls_blocks_faults
	__attribute__((tls_model("initial-exec")));

static int slot(int sig)
{
	return sig == SIGBUS ? 1 : 0;
}

/* The default action back, by the raw system call: sigaction() may be a
 * VMM's wrapper that routes to km_uaccess_sigaction and so would leave
 * this handler in place (the fault would then come back forever). */
static void reset_default(int sig)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} ksa = { .handler = SIG_DFL };

	syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
}

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *fixup = tls_fixup;

	if (fixup) {
		tls_fixup = NULL;
		siglongjmp(*fixup, 1);
	}
	/* Not ours: what was there before.  SIG_DFL (or SIG_IGN, which the
	 * kernel does not honour for a fault either): put it back and
	 * return, so the faulting instruction runs again and takes it. */
	const struct sigaction *prev = &fault.prev[slot(sig)];
	if (prev->sa_flags & SA_SIGINFO) {
		prev->sa_sigaction(sig, si, uc);
	} else if (prev->sa_handler != SIG_DFL &&
		   prev->sa_handler != SIG_IGN) {
		prev->sa_handler(sig);
	} else {
		reset_default(sig);
	}
}

static void self_pid_forget(void)
{
	atomic_store(&self_pid, 0);
}

static void fault_install(void)
{
	struct sigaction sa;

	if (RUNNING_ON_VALGRIND)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	/* SA_NODEFER: the handler leaves with siglongjmp from a jump
	 * buffer that saved no mask (no system call per copy), so the
	 * signal must not be blocked while it runs. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &fault.prev[0]) ||
	    sigaction(SIGBUS, &sa, &fault.prev[1])) {
		SIM_ERROR(KM_LAYER, "cannot install the user-copy fault "
			  "handler (%s): copies go through process_vm_readv",
			  strerror(errno));
		sigaction(SIGSEGV, &fault.prev[0], NULL);
		return;
	}
	atomic_store(&fault.ready, true);
}

static pthread_once_t self_pid_once = PTHREAD_ONCE_INIT;

static void self_pid_register(void)
{
	pthread_atfork(NULL, NULL, self_pid_forget);
}

pid_t km__self_pid(void)
{
	pid_t pid = atomic_load_explicit(&self_pid, memory_order_relaxed);

	if (pid == 0) {
		pthread_once(&self_pid_once, self_pid_register);
		pid = getpid();
		atomic_store_explicit(&self_pid, pid, memory_order_relaxed);
	}
	return pid;
}

static int checked_copy(void *local, uint64_t uptr, size_t len,
			bool to_user)
{
	struct iovec l = { .iov_base = local, .iov_len = len };
	struct iovec r = { .iov_base = (void *)(uintptr_t)uptr, .iov_len = len };
	ssize_t n = to_user ? process_vm_writev(km__self_pid(), &l, 1, &r, 1, 0)
			    : process_vm_readv(km__self_pid(), &l, 1, &r, 1, 0);
	if (n != (ssize_t)len)
		return -EFAULT;
	/* memcheck does not model process_vm_*v on its own process: tell it
	 * the destination now holds data. */
	VALGRIND_MAKE_MEM_DEFINED(to_user ? r.iov_base : local, len);
	return 0;
}

/* Word by word, in our own loop: no sanitizer interceptor between the
 * load and the fault (an ASan memcpy would report a wild pointer as its
 * own error instead of letting the handler turn it into -EFAULT). */
__attribute__((noinline, no_sanitize("address")))
static void plain_copy(void *dst, const void *src, size_t len)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	for (; len >= 8; len -= 8, d += 8, s += 8) {
		uint64_t w;
		__builtin_memcpy(&w, s, 8);
		__builtin_memcpy(d, &w, 8);
	}
	for (; len; len--)
		*d++ = *s++;
}

/* The copy with the recovery point armed: -EFAULT when it faulted (the
 * handler disarmed it and jumped back here). */
static int guarded_copy(void *dst, const void *src, size_t len)
{
	void *volatile d = dst;
	const void *volatile s = src;
	volatile size_t n = len;
	sigjmp_buf env;

	if (sigsetjmp(env, 0))
		return -EFAULT;
	tls_fixup = &env;
	atomic_signal_fence(memory_order_seq_cst);
	plain_copy(d, s, n);
	atomic_signal_fence(memory_order_seq_cst);
	tls_fixup = NULL;
	return 0;
}

static int self_copy(void *local, uint64_t uptr, size_t len, bool to_user)
{
	if (len == 0)
		return 0;
	if (uptr == 0 || uptr + len < uptr)
		return -EFAULT;
	if (!atomic_load_explicit(&fault.ready, memory_order_acquire) ||
	    tls_blocks_faults)
		return checked_copy(local, uptr, len, to_user);
	void *user = (void *)(uintptr_t)uptr;
	return to_user ? guarded_copy(user, local, len)
		       : guarded_copy(local, user, len);
}

int km__copy_from_user(void *dst, uint64_t uptr, size_t len)
{
	return self_copy(dst, uptr, len, false);
}

int km__copy_to_user(uint64_t uptr, const void *src, size_t len)
{
	return self_copy((void *)src, uptr, len, true);
}

int km_uaccess_fast_enable(void)
{
	pthread_once(&fault.once, fault_install);
	return atomic_load(&fault.ready) ? 0 : -ENOSYS;
}

int km_uaccess_sigaction(int sig, const struct sigaction *act,
			 struct sigaction *old)
{
	if (sig != SIGSEGV && sig != SIGBUS)
		return -EINVAL;
	if (!atomic_load(&fault.ready))
		return -ENOSYS;	/* not installed: the caller goes to libc */
	pthread_mutex_lock(&fault.prev_lock);
	if (old)
		*old = fault.prev[slot(sig)];
	if (act)
		fault.prev[slot(sig)] = *act;
	pthread_mutex_unlock(&fault.prev_lock);
	return 0;
}

void km_uaccess_thread_blocks_faults(bool blocked)
{
	tls_blocks_faults = blocked;
}
