// SPDX-License-Identifier: MIT
/*
 * Signals the guest kernel's user copies depend on (kernelmock/uaccess.c):
 * kernelmock turns a fault inside a copy into -EFAULT with its own
 * SIGSEGV/SIGBUS handler.  A program that sets a handler for those
 * signals gets it chained behind kernelmock's (km_uaccess_sigaction), so
 * a bad ioctl pointer stays EFAULT and the program's handler still sees
 * every other fault.  A thread that blocks SIGSEGV or SIGBUS (Mesa's
 * u_thread_create blocks every signal in its threads) is told to
 * kernelmock, whose copies on it then take the checked path: a blocked
 * fault signal kills the process.  Threads inherit that from their
 * creator (the pthread_create wrapper in shim.c).
 *
 * What a chained handler does not get: its own sa_mask and flags
 * (SA_RESETHAND, SA_NODEFER) as the kernel would apply them; it runs
 * under kernelmock's.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "vmm/shim/shim.h"
#include "kernelmock/km.h"

static __thread bool tls_blocks __attribute__((tls_model("initial-exec")));

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!is_fault_signal(sig) || vmm_shim_passthrough())
		return REAL(sigaction)(sig, act, old);
	int ret = km_uaccess_sigaction(sig, act, old);
	if (ret == -ENOSYS)
		return REAL(sigaction)(sig, act, old);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

/* glibc's signal() calls its internal sigaction, not the interposed one:
 * the BSD semantics it gives (SA_RESTART), through ours. */
sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction act, old;

	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	act.sa_flags = SA_RESTART;
	sigemptyset(&act.sa_mask);
	if (sigaction(sig, &act, &old))
		return SIG_ERR;
	return old.sa_handler;
}

/* The thread's mask now: tell kernelmock whether faults are blocked. */
static void mask_changed(void)
{
	sigset_t now;

	if (REAL(pthread_sigmask)(SIG_BLOCK, NULL, &now))
		return;
	vmm_shim_faults_blocked(sigismember(&now, SIGSEGV) == 1 ||
				sigismember(&now, SIGBUS) == 1);
}

static bool touches_faults(int how, const sigset_t *set)
{
	return set && (how == SIG_SETMASK || sigismember(set, SIGSEGV) == 1 ||
		       sigismember(set, SIGBUS) == 1);
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	int ret = REAL(pthread_sigmask)(how, set, old);
	if (!ret && touches_faults(how, set))
		mask_changed();
	return ret;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int ret = REAL(sigprocmask)(how, set, old);
	if (!ret && touches_faults(how, set))
		mask_changed();
	return ret;
}

void vmm_shim_faults_blocked(bool blocked)
{
	tls_blocks = blocked;
	km_uaccess_thread_blocks_faults(blocked);
}

bool vmm_shim_faults_blocked_now(void)
{
	return tls_blocks;
}
