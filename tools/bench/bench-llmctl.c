// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-bench-llmctl: what `llmctl tasks --json` costs with many tasks
 * held, beside reading the same tasks straight through TASK_LIST
 * (llms_task_list_all()) in the same boot, and beside starting a program
 * that does nothing (fork + exec of /bin/true): wall time and peak RSS of
 * each, every one measured in a child of its own (wait4()'s rusage).
 *
 * Runs as root where llmsched.ko can be loaded (in the VM:
 * tools/vmrun -- build/bin/llmsched-bench-llmctl).  It registers one agent
 * of one slot that never fetches, so that every task but the first stays
 * runnable, raises the limits for N tasks, submits them in batches, takes
 * the measurements, and cancels them and puts the limits back.
 * Documentation/admin-guide/benchmarks.rst describes the figures.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../runtime/lib/libllmsched.h"
#include "../../selftests/llmsched/llmsched_util.h"
#include "../../selftests/llmsched/module_util.h"

#define BATCH 4096

struct figure {
	double wall_s;		/* the best of the runs */
	long maxrss_kb;		/* of that run */
	int status;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The direct read, in a child: list every task, touch each, exit. */
static int direct_read(void)
{
	struct llmsched_task_info *v = NULL;
	struct llms_error *err = NULL;
	size_t n = 0, i;
	uint64_t sum = 0;
	int fd = llms_open(0, &err);

	if (fd < 0 || llms_task_list_all(fd, LLMSCHED_LIST_ALL_USERS, 0, &v,
					 &n, &err)) {
		llms_error_print(stderr, "bench-llmctl", err);
		return 1;
	}
	for (i = 0; i < n; i++)
		sum += v[i].task_id;
	printf("%zu %llu\n", n, (unsigned long long)sum);
	free(v);
	return 0;
}

/* One run of @argv (NULL: direct_read()) with stdout to /dev/null. */
static int measure_once(char *const *argv, double *wall, long *rss)
{
	struct rusage ru;
	double t0 = now_s();
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		if (!argv)
			_exit(direct_read());
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -errno;
	*wall = now_s() - t0;
	*rss = ru.ru_maxrss;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256;
}

static void measure(char *const *argv, int runs, struct figure *f)
{
	int i;

	f->wall_s = 1e30;
	f->status = 0;
	for (i = 0; i < runs; i++) {
		double w = 0;
		long r = 0;
		int st = measure_once(argv, &w, &r);

		if (st)
			f->status = st;
		if (w < f->wall_s) {
			f->wall_s = w;
			f->maxrss_kb = r;
		}
	}
}

static const char *beside(const char *name)
{
	static char path[4096];
	char *slash;
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 64);

	if (n < 0)
		return name;
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash + 1, name);
	return path;
}

static int submit_all(int fd, unsigned int ntasks)
{
	struct llmsched_task_submit *t = calloc(BATCH, sizeof(*t));
	unsigned int done = 0, i;
	int ret = 0;

	if (!t)
		return -ENOMEM;
	while (done < ntasks && !ret) {
		unsigned int n = ntasks - done < BATCH ? ntasks - done : BATCH;

		for (i = 0; i < n; i++) {
			ls_task_init(&t[i], 100, 100, 1 << 20, 1000000);
			snprintf(t[i].label, sizeof(t[i].label), "bench-%u",
				 done + i);
		}
		ret = ls_submit_batch(fd, t, n, NULL);
		done += n;
	}
	free(t);
	return ret;
}

static void usage(FILE *out)
{
	fputs("Usage: llmsched-bench-llmctl [--tasks N] [--runs R]\n"
	      "\n"
	      "Wall time and peak RSS of `llmctl tasks --json` (and of the\n"
	      "table and of --pretty, which builds the whole tree) with N tasks held (default 100000), beside reading them\n"
	      "through TASK_LIST directly and beside fork+exec of /bin/true;\n"
	      "the best of R runs each (default 3).  Root, in the VM.\n", out);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tasks", required_argument, NULL, 't' },
		{ "runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct llmsched_limits old, want;
	struct figure direct, json, pretty, table, floor_;
	unsigned int ntasks = 100000;
	struct ls_agent agent;
	int runs = 3, c, fd, ret = 1;
	char *llmctl_json[] = { NULL, "tasks", "--json", NULL };
	char *llmctl_table[] = { NULL, "tasks", NULL };
	char *llmctl_pretty[] = { NULL, "tasks", "--pretty", NULL };
	char *true_argv[] = { "/bin/true", NULL };

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			ntasks = (unsigned int)strtoul(optarg, NULL, 10);
			if (ntasks < 1 || ntasks > 1000000) {
				fprintf(stderr, "--tasks: 1 to 1000000\n");
				return 2;
			}
			break;
		case 'r':
			runs = atoi(optarg);
			if (runs < 1 || runs > 100) {
				fprintf(stderr, "--runs: 1 to 100\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	llmctl_json[0] = strdup(beside("llmctl"));
	llmctl_table[0] = llmctl_json[0];
	llmctl_pretty[0] = llmctl_json[0];
	if (llmsched_module_ensure_loaded()) {
		fprintf(stderr, "bench-llmctl: cannot load llmsched.ko\n");
		return 1;
	}
	fd = ls_open();
	if (fd < 0 || ls_reset(fd, LS_CPUS(2), LS_GB(2)) ||
	    ls_get_limits(fd, &old)) {
		fprintf(stderr, "bench-llmctl: cannot reset the module\n");
		return 1;
	}
	want = old;
	want.max_tasks = ntasks + 1000;
	want.max_tasks_per_user = ntasks + 1000;
	want.max_bytes_per_user = 4ULL << 30;
	/* The agent never calls: it must not be declared lost meanwhile. */
	want.heartbeat_timeout_ms = 3600 * 1000;
	if (ls_set_all_limits(fd, &want)) {
		fprintf(stderr, "bench-llmctl: cannot raise the limits\n");
		return 1;
	}
	if (ls_agent_spawn(&agent, 1, LS_CPUS(1), LS_GB(1), 0)) {
		fprintf(stderr, "bench-llmctl: cannot register an agent\n");
		goto out_limits;
	}
	if (submit_all(fd, ntasks)) {
		fprintf(stderr, "bench-llmctl: submitting %u tasks failed\n",
			ntasks);
		goto out_agent;
	}
	measure(true_argv, runs, &floor_);
	measure(NULL, runs, &direct);
	measure(llmctl_json, runs, &json);
	measure(llmctl_table, runs, &table);
	measure(llmctl_pretty, runs, &pretty);
	printf("llmctl with %u tasks held (best of %d runs; wall time, peak "
	       "RSS)\n", ntasks, runs);
	printf("  fork+exec /bin/true (floor)     %8.3f s  %7ld KiB\n",
	       floor_.wall_s, floor_.maxrss_kb);
	printf("  TASK_LIST directly (fork only)  %8.3f s  %7ld KiB%s\n",
	       direct.wall_s, direct.maxrss_kb,
	       direct.status ? "  (FAILED)" : "");
	printf("  llmctl tasks --json             %8.3f s  %7ld KiB%s  "
	       "%.1fx the direct read\n", json.wall_s, json.maxrss_kb,
	       json.status ? "  (FAILED)" : "", json.wall_s / direct.wall_s);
	printf("  llmctl tasks --pretty (tree)    %8.3f s  %7ld KiB%s  "
	       "%.1fx the direct read\n", pretty.wall_s, pretty.maxrss_kb,
	       pretty.status ? "  (FAILED)" : "",
	       pretty.wall_s / direct.wall_s);
	printf("  llmctl tasks (table)            %8.3f s  %7ld KiB%s  "
	       "%.1fx the direct read\n", table.wall_s, table.maxrss_kb,
	       table.status ? "  (FAILED)" : "", table.wall_s / direct.wall_s);
	printf("  per task: json %.2f us, %.2f KiB; direct %.2f us, "
	       "%.2f KiB\n", json.wall_s * 1e6 / ntasks,
	       (double)(json.maxrss_kb - floor_.maxrss_kb) / ntasks,
	       direct.wall_s * 1e6 / ntasks,
	       (double)(direct.maxrss_kb - floor_.maxrss_kb) / ntasks);
	ret = direct.status || json.status || table.status || pretty.status;
out_agent:
	ls_cancel_all(fd);
	ls_agent_destroy(&agent);
out_limits:
	ls_cancel_all(fd);
	old.flags = LLMSCHED_LIMITS_USER_PRIORITY;
	ls_set_all_limits(fd, &old);
	close(fd);
	return ret;
}
