// SPDX-License-Identifier: MIT
/*
 * How the process ends, and what happens to the machine then
 * (docs/realdriver.md, "How a program ends").
 *
 * exit().  glibc runs the atexit handlers in reverse order of
 * registration, then _dl_fini runs every library's ELF destructors,
 * the shim's among them.  A machine taken down in the shim's destructor
 * is taken down too late: Mesa's and LLVM's own exit handlers and
 * destructors have already run while the device thread was still
 * rendering in llvmpipe, which then crashes (FACTS.md, "Exit order").
 * So the shim registers an exit handler just before it creates the
 * machine, and again after every handler registered later (Mesa's and
 * LLVM's among them: __cxa_atexit below): it runs first, and it finishes the
 * device's work (kernelmock waits for what is in flight and its fences),
 * releases every node and stops the device thread
 * (vmm_shim_shutdown).  The ELF destructor only catches a machine
 * started during exit itself.
 *
 * exec.  The new image replaces every thread without running any exit
 * code: the device would stop in the middle of a command and whatever
 * the machine started (the render server) would lose it abruptly.  Each
 * exec function shuts the machine down first, as exit does; the new
 * image, which inherits LD_PRELOAD, starts a machine of its own on its
 * first open.  If exec fails the machine stays down: the nodes the
 * program holds are dead and a new open fails with ENODEV.
 *
 * fork.  The child has a copy of the machine's memory, shares its guest
 * RAM memfd (MAP_SHARED) and has none of its threads: it must not touch
 * it, and it must not take it down (the parent still runs it).  The
 * atfork handler (shim.c) marks the child, every call there on an
 * inherited node fails, a new open fails with ENODEV, and neither the
 * exit handler nor the destructor acts.  A vfork child (or
 * posix_spawn's) runs no atfork handler: the owner check is by pid.
 *
 * _exit, quick_exit, abort, a fatal signal.  No code of the process runs;
 * the kernel ends every thread at once, so nothing can run on freed
 * state, and the render server sees its socket close and exits.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmm/shim/shim.h"
#include "vmm/machine.h"

int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);

static void exit_handler(void *unused)
{
	vmm_shim_shutdown("exit");
}

int vmm_shim_exit_register(void)
{
	if (__atomic_load_n(&vmm_shim.exit_registered, __ATOMIC_ACQUIRE))
		return 0;
	if (REAL(__cxa_atexit)(exit_handler, NULL, NULL))
		return -ENOMEM;
	__atomic_store_n(&vmm_shim.exit_registered, true, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Every exit handler registered once the machine may exist is followed by
 * ours again, so that ours is always the last one registered and runs
 * first.  That matters: the host's EGL set-up loads Mesa's driver and
 * LLVM while the machine is created, and both register handlers then
 * (C++ static destructors, Mesa's util_queue and GLSL type handlers), as
 * does the guest's driver when the program creates its context; any of
 * them run with the device thread still in llvmpipe crashes it.  atexit
 * in a library is glibc's static stub calling __cxa_atexit, so this one
 * entry point sees them all.  Registrations are few (once per handler,
 * most at library load); the repeated handler costs a lock and a check.
 */
int __cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
	int ret = REAL(__cxa_atexit)(fn, arg, dso);

	if (!ret && fn != exit_handler &&
	    __atomic_load_n(&vmm_shim.exit_registered, __ATOMIC_ACQUIRE) &&
	    REAL(__cxa_atexit)(exit_handler, NULL, NULL))
		vmm_shim_error("exit", "cannot re-register the exit handler: "
				 "the device may still run when other "
				 "libraries' exit handlers do");
	return ret;
}

void vmm_shim_shutdown(const char *why)
{
	/* A host thread (virglrenderer or llvmpipe calling exit) cannot
	 * stop the device it runs on, nor can a signal handler that
	 * interrupted a call into the device: leave the machine as it is. */
	if (vmm_shim_in_machine())
		return;
	pthread_mutex_lock(&vmm_shim.lock);
	bool owner = vmm_shim.machine && !vmm_shim.forked &&
		     vmm_shim.machine_pid == getpid();
	pthread_mutex_unlock(&vmm_shim.lock);
	if (!owner)
		return;
	/* Nodes first: their files' objects are released through the
	 * device, which must still run.  A call still blocked on another
	 * thread keeps its node and the machine (reported by
	 * vmm_shim_nodes_release_all). */
	if (!vmm_shim_nodes_release_all()) {
		vmm_shim_error(why, "the simulated machine is left running");
		return;
	}
	pthread_mutex_lock(&vmm_shim.lock);
	struct vmm_machine *m = vmm_shim.machine;
	vmm_shim.machine = NULL;
	pthread_mutex_unlock(&vmm_shim.lock);
	vmm_shim_enter();
	vmm_machine_destroy(m);
	vmm_shim_leave();
	vmm_shim_fds_forget();
}

/* --- the exec family: every entry point, since glibc's execl, execvp and
 * friends call execve internally, not through the PLT --- */

int execve(const char *path, char *const argv[], char *const envp[])
{
	vmm_shim_shutdown("execve");
	return REAL(execve)(path, argv, envp);
}

int execv(const char *path, char *const argv[])
{
	vmm_shim_shutdown("execv");
	return REAL(execv)(path, argv);
}

int execvp(const char *file, char *const argv[])
{
	vmm_shim_shutdown("execvp");
	return REAL(execvp)(file, argv);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	vmm_shim_shutdown("execvpe");
	return REAL(execvpe)(file, argv, envp);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
	vmm_shim_shutdown("fexecve");
	return REAL(fexecve)(fd, argv, envp);
}

int execveat(int dirfd, const char *path, char *const argv[],
	     char *const envp[], int flags)
{
	vmm_shim_shutdown("execveat");
	return REAL(execveat)(dirfd, path, argv, envp, flags);
}

/* Arguments of execl, execlp and execle after @arg, up to the NULL. */
static size_t count_args(const char *arg, va_list ap)
{
	size_t n = 0;

	if (!arg)
		return 0;
	for (n = 1; va_arg(ap, const char *); n++)
		;
	return n;
}

/* Fill @argv (n + 1 slots) from @arg and @ap; returns what follows the
 * NULL (execle's envp) when @want_env. */
static char *const *fill_args(char **argv, size_t n, const char *arg,
			      va_list ap, bool want_env)
{
	argv[0] = (char *)arg;
	for (size_t i = 1; i <= n && arg; i++)
		argv[i] = va_arg(ap, char *);
	argv[n] = NULL;
	return want_env ? va_arg(ap, char *const *) : NULL;
}

int execl(const char *path, const char *arg, ...)
{
	va_list ap;

	va_start(ap, arg);
	size_t n = count_args(arg, ap);
	va_end(ap);
	char *argv[n + 1];
	va_start(ap, arg);
	fill_args(argv, n, arg, ap, false);
	va_end(ap);
	vmm_shim_shutdown("execl");
	return REAL(execv)(path, argv);
}

int execlp(const char *file, const char *arg, ...)
{
	va_list ap;

	va_start(ap, arg);
	size_t n = count_args(arg, ap);
	va_end(ap);
	char *argv[n + 1];
	va_start(ap, arg);
	fill_args(argv, n, arg, ap, false);
	va_end(ap);
	vmm_shim_shutdown("execlp");
	return REAL(execvp)(file, argv);
}

int execle(const char *path, const char *arg, ...)
{
	va_list ap;

	va_start(ap, arg);
	size_t n = count_args(arg, ap);
	va_end(ap);
	char *argv[n + 1];
	va_start(ap, arg);
	char *const *envp = fill_args(argv, n, arg, ap, true);
	va_end(ap);
	vmm_shim_shutdown("execle");
	return REAL(execve)(path, argv, envp);
}
