// SPDX-License-Identifier: MIT
/*
 * realdriver-lifecycle-check EXPECT -- COMMAND...
 *
 * Runs COMMAND (`virtgpu-sim exec ... -- realdriver-lifecycle ...`) as a
 * child subreaper, so that every process the run leaves behind (the
 * program's children, virglrenderer's render server) becomes our child
 * when its parent dies, and checks, as TAP:
 *   1 COMMAND ended as EXPECT says: "exit:N" or "signal:NAME" (TERM,
 *     ABRT), so a crash of the simulator (SIGSEGV) fails
 *   2 no process of the run remains within 10 s of its end (the deadline
 *     only bounds the wait; a leftover is reported with its name and
 *     killed)
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int parse_expect(const char *s, bool *by_signal)
{
	if (strncmp(s, "exit:", 5) == 0) {
		*by_signal = false;
		return atoi(s + 5);
	}
	*by_signal = true;
	if (strcmp(s, "signal:TERM") == 0)
		return SIGTERM;
	if (strcmp(s, "signal:ABRT") == 0)
		return SIGABRT;
	return -1;
}

static void describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "wait status 0x%x", status);
}

/* Our remaining children (leftovers reparented to us), as "pid (comm)"
 * in @buf; how many. */
static int children(char *buf, size_t len, pid_t *first)
{
	char path[64], line[512];
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", getpid(),
		 getpid());
	FILE *f = fopen(path, "r");
	buf[0] = '\0';
	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n")) {
		char comm[64] = "?";
		snprintf(path, sizeof(path), "/proc/%s/comm", tok);
		FILE *c = fopen(path, "r");
		if (c) {
			if (fgets(comm, sizeof(comm), c))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(c);
		}
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s (%s)", n ? ", " : "",
			 tok, comm);
		if (!n)
			*first = atoi(tok);
		n++;
	}
	return n;
}

/* Reap what exits, until no child is left or 10 s have passed. */
static int leftovers(char *buf, size_t len)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	pid_t first = 0;

	for (int i = 0; i < 500; i++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!children(buf, len, &first))
			return 0;
		nanosleep(&pause, NULL);
	}
	int n = children(buf, len, &first);
	/* Ours to stop: each one is our child now. */
	char list[1024];
	snprintf(list, sizeof(list), "%s", buf);
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
		kill((pid_t)atoi(tok), SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return n;
}

int main(int argc, char **argv)
{
	bool want_signal;
	char got[128], left[1024];
	int status;

	if (argc < 4 || strcmp(argv[2], "--")) {
		fprintf(stderr, "usage: %s exit:N|signal:TERM|signal:ABRT -- "
			"COMMAND...\n", argv[0]);
		return 2;
	}
	int want = parse_expect(argv[1], &want_signal);
	if (want < 0) {
		fprintf(stderr, "%s: bad expectation '%s'\n", argv[0], argv[1]);
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		perror("PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	printf("1..2\n");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		/* abort() must not leave a core file in the build tree */
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	describe(status, got, sizeof(got));
	bool ok = want_signal ? WIFSIGNALED(status) && WTERMSIG(status) == want
			      : WIFEXITED(status) && WEXITSTATUS(status) == want;
	printf("%s 1 - the run ended as expected (%s): %s\n",
	       ok ? "ok" : "not ok", argv[1], got);
	int n = leftovers(left, sizeof(left));
	if (n)
		printf("not ok 2 - no process of the run remains\n"
		       "# %d left after 10 s (killed): %s\n", n, left);
	else
		printf("ok 2 - no process of the run remains\n");
	return ok && !n ? 0 : 1;
}
