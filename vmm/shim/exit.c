// SPDX-License-Identifier: MIT
/*
 * How the process ends, and what happens to the machine then
 * (docs/realdriver.md, "How a program ends").
 *
 * exit().  glibc runs the exit handlers, last registered first, then
 * _dl_fini runs every library's destructors.  The device thread must not
 * render while Mesa's and LLVM's handlers free llvmpipe's state: it
 * crashed in host_vr_submit (FACTS.md, "Exit order").  And the program's
 * own handlers (piglit's framework tears its EGL context down in one)
 * still need a working device.  So the shim registers its exit handler in
 * its constructor, before the program and libEGL register theirs: it
 * runs after them, finishes the device's work (kernelmock waits for what
 * is in flight and its fences), releases every node and stops the
 * device thread (vmm_shim_shutdown).  The handlers of the libraries the
 * machine loaded (Mesa's driver, LLVM) are held back until glibc
 * finalizes those libraries, after that (__cxa_atexit below).  The ELF
 * destructor only catches a machine started during exit itself.
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
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/conformance.h"
#include "vmm/shim/options.h"
#include "vmm/shim/shim.h"
#include "vmm/machine.h"

int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);
void __cxa_finalize(void *dso);

/* Run and forget the deferred handlers of @dso (all with @all), last
 * registered first, without the lock held while one runs. */
static void run_deferred(void *dso, bool all)
{
	for (;;) {
		struct vmm_shim_exit_fn f = { 0 };
		bool found = false;
		pthread_mutex_lock(&vmm_shim.exit_lock);
		for (unsigned i = vmm_shim.ndeferred; i-- > 0;) {
			if (all || vmm_shim.deferred[i].dso == dso) {
				f = vmm_shim.deferred[i];
				memmove(&vmm_shim.deferred[i],
					&vmm_shim.deferred[i + 1],
					(vmm_shim.ndeferred - i - 1) *
						sizeof(f));
				vmm_shim.ndeferred--;
				found = true;
				break;
			}
		}
		pthread_mutex_unlock(&vmm_shim.exit_lock);
		if (!found)
			return;
		f.fn(f.arg);
	}
}

static void exit_handler(void *unused)
{
	vmm_shim_shutdown("exit");
	/* Handlers the machine registered without a library to finalize
	 * them with. */
	run_deferred(NULL, false);
}

int vmm_shim_exit_register(void)
{
	if (REAL(__cxa_atexit)(exit_handler, NULL, NULL))
		return -ENOMEM;
	return 0;
}

static bool machine_dso_locked(void *dso)
{
	for (unsigned i = 0; dso && i < vmm_shim.ndsos; i++)
		if (vmm_shim.dsos[i] == dso)
			return true;
	return false;
}

/* Keep @fn for later; false when out of memory (then glibc keeps it). */
static bool defer_locked(void (*fn)(void *), void *arg, void *dso)
{
	if (vmm_shim.ndeferred == vmm_shim.deferred_cap) {
		unsigned cap = vmm_shim.deferred_cap ? 2 * vmm_shim.deferred_cap
						     : 64;
		void *p = realloc(vmm_shim.deferred,
				  cap * sizeof(*vmm_shim.deferred));
		if (!p)
			return false;
		vmm_shim.deferred = p;
		vmm_shim.deferred_cap = cap;
	}
	if (dso && !machine_dso_locked(dso) &&
	    vmm_shim.ndsos < sizeof(vmm_shim.dsos) / sizeof(vmm_shim.dsos[0]))
		vmm_shim.dsos[vmm_shim.ndsos++] = dso;
	vmm_shim.deferred[vmm_shim.ndeferred++] =
		(struct vmm_shim_exit_fn){ .fn = fn, .arg = arg, .dso = dso };
	return true;
}

/*
 * Exit handlers of the libraries the machine loaded run after the
 * machine is gone.  The host's EGL set-up loads Mesa's driver and LLVM
 * while the machine is created (on a host thread, or inside the shim):
 * their handlers (C++ static destructors, Mesa's util_queue and GLSL
 * type handlers) free what the device thread renders with.  Handlers
 * registered from there, and any later one of the same library (the
 * guest's driver is the same Mesa), are kept here instead of glibc's
 * list and run when glibc finalizes that library (__cxa_finalize, from
 * its destructors in _dl_fini or at dlclose), after the shim's own exit
 * handler has stopped the machine.  A library's atexit is glibc's stub
 * calling __cxa_atexit, so this one entry point sees them all.
 */
/*
 * Mesa 24 and later (Debian 13's 25.0) build every gallium driver into
 * one libgallium-VERSION.so linked to libLLVM: the guest's libEGL_mesa
 * loads both before any machine exists, so their handlers (LLVM's static
 * destructors) were registered on the program's thread and ran at exit
 * before the shim's, while the device thread still compiled shaders in
 * the same LLVM (SIGSEGV in llvm::PMTopLevelManager, found on the
 * Debian 13 row).  The renderer's own libraries are held back whoever
 * loads them.
 */
static bool renderer_dso_lookup(void *dso)
{
	Dl_info info;

	if (!dso || !dladdr(dso, &info) || !info.dli_fname)
		return false;
	const char *base = strrchr(info.dli_fname, '/');
	base = base ? base + 1 : info.dli_fname;
	return strncmp(base, "libLLVM", 7) == 0 ||
	       strncmp(base, "libgallium", 10) == 0;
}

/* dladdr walks the library's symbol table, and libLLVM's constructors
 * register thousands of handlers (4 s per program start without this):
 * the answer per dso handle is kept.  dladdr runs without exit_lock (it
 * takes the loader's lock, which a constructor calling us holds). */
static bool renderer_dso(void *dso)
{
	static struct {
		void *dso;
		bool renderer;
	} known[16];
	static unsigned nknown, next;
	bool found = false, renderer = false;

	pthread_mutex_lock(&vmm_shim.exit_lock);
	for (unsigned i = 0; i < nknown && !found; i++)
		if (known[i].dso == dso) {
			found = true;
			renderer = known[i].renderer;
		}
	pthread_mutex_unlock(&vmm_shim.exit_lock);
	if (found)
		return renderer;
	renderer = renderer_dso_lookup(dso);
	pthread_mutex_lock(&vmm_shim.exit_lock);
	known[next].dso = dso;
	known[next].renderer = renderer;
	next = (next + 1) % 16;
	if (nknown < 16)
		nknown++;
	pthread_mutex_unlock(&vmm_shim.exit_lock);
	return renderer;
}

int __cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
	if (!vmm_shim.configured || vmm_shim.inert)
		return REAL(__cxa_atexit)(fn, arg, dso);
	bool renderer = renderer_dso(dso);
	pthread_mutex_lock(&vmm_shim.exit_lock);
	bool deferred = (vmm_shim_in_machine() || renderer ||
			 machine_dso_locked(dso)) &&
			defer_locked(fn, arg, dso);
	pthread_mutex_unlock(&vmm_shim.exit_lock);
	return deferred ? 0 : REAL(__cxa_atexit)(fn, arg, dso);
}

void __cxa_finalize(void *dso)
{
	run_deferred(dso, dso == NULL);
	REAL(__cxa_finalize)(dso);
}

/* The machine stops: its conformance report, when asked for, and the
 * MUST flag for `exec --conformance-fatal` (always). */
static void report_conformance(struct vmm_machine *m)
{
	const char *path = getenv(VMM_SHIM_ENV_CONFORMANCE);
	struct vmm_conformance c = { 0 };

	if (path && *path)
		vmm_conformance_open(&c, path);	/* a message if it fails */
	if (vmm_conformance_add(&c, m, program_invocation_name))
		vmm_shim_note_must_violated();
	vmm_conformance_close(&c);
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
	report_conformance(m);
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
