// SPDX-License-Identifier: MIT
/*
 * The replay driver: a main() for a fuzz target built without libFuzzer
 * (any compiler, no sanitizer needed), which runs each file named on the
 * command line, or every regular file under each directory named (sorted,
 * recursively), through the target's LLVMFuzzerTestOneInput once.  This
 * is how `meson test` replays tests/fuzz-regressions/TARGET/ and how a
 * crash found by the fuzzer is reproduced under gdb or valgrind:
 *
 *   build/tests/fuzz/fuzz-replay-device tests/fuzz-regressions/device/
 *
 * A crash is a crash of this process; the exit status is 0 when every
 * input ran, 2 for a usage error or an unreadable path.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int replay_file(const char *path, unsigned *count)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			uint8_t *n = realloc(buf, cap);
			if (!n) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(fp);
				return -1;
			}
			buf = n;
		}
		size_t r = fread(buf + len, 1, cap - len, fp);
		len += r;
		if (r == 0)
			break;
	}
	int err = ferror(fp);
	fclose(fp);
	if (err) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		return -1;
	}
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	/* A copy of exactly @len bytes, as libFuzzer hands it, so that
	 * ASan or valgrind sees reads past the end of the input. */
	uint8_t *input = malloc(len ? len : 1);
	if (!input) {
		free(buf);
		return -1;
	}
	memcpy(input, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(input, len);
	free(input);
	(*count)++;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay_path(const char *path, unsigned *count)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? replay_file(path, count) : 0;
	struct dirent **names;
	int n = scandir(path, &names, NULL, by_name), ret = 0;
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (!ret && name[0] != '.') {
			char *sub;
			if (asprintf(&sub, "%s/%s", path, name) < 0) {
				ret = -1;
			} else {
				ret = replay_path(sub, count);
				free(sub);
			}
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count)) {
			fuzz_target_fini();
			return 2;
		}
	fuzz_target_fini();
	printf("replayed %u inputs\n", count);
	return 0;
}
