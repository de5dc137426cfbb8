// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-bench-fence: what the GPU fence (runtime/bpf/gpu_fence.bpf.c)
 * adds to open(), beside open() without it, in the same boot.
 *
 * Runs as root (it loads the program and makes cgroups) and times N
 * open()+close() of /dev/null:
 *
 *	outside	in the caller's cgroup, no device program;
 *	one	in a cgroup fenced once (an agent's folder);
 *	two	in a child fenced again (a task below its agent: both run);
 *
 * with an allow list of LLMSD_FENCE_RULES_MAX / 3 rules that names
 * /dev/null last (the program walks the list: the slow case; the daemon's
 * lists name it first).  It prints the figures and the ratios, and never
 * judges them: exit status 1 only when the setup failed.  See
 * Documentation/admin-guide/benchmarks.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../runtime/lib/libllmsched.h"
#include "../../runtime/llmschedd/fence.h"

#define FB_RULES	(LLMSD_FENCE_RULES_MAX / 3)
#define FB_ROUNDS	7

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds per open()+close() of /dev/null, @iters of them. */
static double time_opens(unsigned long iters)
{
	uint64_t t0 = now_ns();
	unsigned long i;

	for (i = 0; i < iters; i++) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror("llmsched-bench-fence: /dev/null");
			exit(1);
		}
		close(fd);
	}
	return (double)(now_ns() - t0) / iters;
}

/* Move this process into @cg. */
static int enter(const struct llms_cgroup *cg)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->path);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) ? -errno : 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: llmsched-bench-fence [--iters N]\n"
		"Time open()+close() of /dev/null outside a cgroup fenced by\n"
		"llmschedd's GPU fence, inside one fenced once, and inside one fenced\n"
		"twice (a task below its agent); print ns per open and the ratios.\n"
		"Runs as root.\n"
		"\n"
		"  --iters N   opens per round, 7 rounds of the three in turn, the\n"
		"              best of each kept [200000]\n"
		"  -h, --help  this text\n"
		"\n"
		"Exit status: 0, or 1 when the setup failed.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iters", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct llms_cgroup mount = LLMS_CGROUP_INIT, top = LLMS_CGROUP_INIT,
			   one = LLMS_CGROUP_INIT, two = LLMS_CGROUP_INIT,
			   back = LLMS_CGROUP_INIT;
	struct llmsd_dev rules[FB_RULES];
	struct llmsd_fence *fence = NULL;
	struct llms_error *err = NULL;
	unsigned long iters = 200000;
	char name[64], *mpath = NULL, *self_cg = NULL, here[4200];
	double outside = 0, t1 = 0, t2 = 0;
	int c, i, status = 1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'i') {
			iters = strtoul(optarg, NULL, 10);
			if (!iters) {
				fprintf(stderr, "llmsched-bench-fence: --iters '%s': a whole number above 0\n",
					optarg);
				return 2;
			}
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	/* Rules that do not match first, /dev/null (1:3) last. */
	for (i = 0; i < FB_RULES - 1; i++) {
		rules[i].major = 200 + (uint32_t)i;
		rules[i].minor = (uint32_t)i;
	}
	rules[FB_RULES - 1].major = 1;
	rules[FB_RULES - 1].minor = 3;

	snprintf(name, sizeof(name), "llmsched-fbench-%d", (int)getpid());
	if (llms_cgroup_mount(&mpath, &err) ||
	    llms_cgroup_open(&mount, mpath, &err) ||
	    llms_cgroup_create(&top, &mount, name, &err) ||
	    llms_cgroup_create(&one, &top, "one", &err) ||
	    llms_cgroup_create(&two, &top, "two", &err) ||
	    llmsd_fence_open(&fence, &err) ||
	    llmsd_fence_attach(fence, top.fd, top.path, rules, FB_RULES, NULL,
			       0, &err) ||
	    llmsd_fence_attach(fence, two.fd, two.path, rules, FB_RULES, NULL,
			       0, &err))
		goto out;
	/* Where we were, to go back to before the folders are removed. */
	{
		FILE *f = fopen("/proc/self/cgroup", "re");
		bool found = false;

		/* The cgroup2 line; a hybrid host lists v1 ones first. */
		while (f && !found && fgets(here, sizeof(here), f))
			found = !strncmp(here, "0::", 3);
		if (f)
			fclose(f);
		if (!found) {
			llms_error_set(&err, EIO,
				       "/proc/self/cgroup: no cgroup2 line");
			goto out;
		}
		here[strcspn(here, "\n")] = '\0';
		if (asprintf(&self_cg, "%s%s", mpath, here + 3) < 0 ||
		    llms_cgroup_open(&back, self_cg, &err))
			goto out;
	}

	/*
	 * The three in turn, round after round, the best of each kept: a
	 * noisy host then slows all three alike rather than one.
	 */
	for (i = 0; i < FB_ROUNDS; i++) {
		const struct llms_cgroup *where[3] = { &back, &one, &two };
		double *best[3] = { &outside, &t1, &t2 };
		int k;

		for (k = 0; k < 3; k++) {
			double t;

			if (enter(where[k])) {
				llms_error_set(&err, errno, "entering %s",
					       where[k]->path);
				goto out;
			}
			t = time_opens(iters);
			if (!i || t < *best[k])
				*best[k] = t;
		}
	}
	enter(&back);

	printf("llmsched-bench-fence: open()+close() of /dev/null, %lu per round, best of %d\n",
	       iters, FB_ROUNDS);
	printf("  %-28s %9.1f ns\n", "outside (no device program)", outside);
	printf("  %-28s %9.1f ns  x%.2f\n", "fenced once (agent)", t1,
	       t1 / outside);
	printf("  %-28s %9.1f ns  x%.2f\n", "fenced twice (task)", t2,
	       t2 / outside);
	printf("  allow list: %d rules, /dev/null last; added per open: %.1f ns (once), %.1f ns (twice)\n",
	       FB_RULES, t1 - outside, t2 - outside);
	status = 0;
out:
	if (err) {
		llms_error_print(stderr, "llmsched-bench-fence", err);
		llms_error_free(&err);
	}
	if (back.fd >= 0)
		enter(&back);
	llmsd_fence_close(fence);
	llms_cgroup_close(&one);
	llms_cgroup_close(&two);
	if (top.fd >= 0) {
		llms_cgroup_remove(&top, "one", 1000, NULL);
		llms_cgroup_remove(&top, "two", 1000, NULL);
		llms_cgroup_close(&top);
		llms_cgroup_remove(&mount, name, 1000, NULL);
	}
	llms_cgroup_close(&back);
	llms_cgroup_close(&mount);
	free(self_cg);
	free(mpath);
	return status;
}
