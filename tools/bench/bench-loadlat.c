// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-bench-loadlat: load-to-decision latency, from a load change in
 * an agent's folder to the module's balancer acting on it, through the
 * whole loop (the probe or the cgroups, llmschedd's step, the report, the
 * balancer pass).  Root, in the VM (tools/bench/loadbench runs it).
 *
 * Two agents of 1 CPU each; their agent processes are frozen (cgroup.freeze
 * on their leaves), so that a task the module assigns stays assigned and
 * unstarted, which is what the balancer may move.  Each trial:
 *   1. both agents idle (their module-side load under 20 per mille);
 *   2. one task of 500m is submitted; the module assigns it to agent X;
 *      with both idle a move would not lower the imbalance, so it stays;
 *   3. t0: a busy loop is in X's folder (X/hog);
 *   4. t1: the module's stats/migrated has grown: the balancer moved the
 *      task to the other agent, on a load it measured;
 *   5. the loop is killed and the task cancelled.
 * Also t_seen: when X's load in sysfs first moved by the report band,
 * i.e. the first report that carried the change.  Printed: p50, p99 and the largest of t1 - t0
 * and t_seen - t0, in ms and in load intervals.  Figures only: it fails
 * only when its setup does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../runtime/lib/libllmsched.h"
#include "../../selftests/llmsched/daemon_util.h"
#include "../../selftests/llmsched/llmsched_util.h"
#include "../../selftests/llmsched/tool_util.h"

#define ROOT		"/sys/fs/cgroup/llmsched-loadlat"
#define IDLE_BELOW	20
#define POLL_NS		500000ULL	/* how often the module is looked at */
#define GIVE_UP_NS	3000000000ULL
/* llmschedd's report band (LLMSD_LOAD_REPORT_DELTA): what a report moves. */
#define SEEN_DELTA	10

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: llmsched-bench-loadlat [--trials N] [--interval MS] [--probe on|off] [--verbose]\n"
		"\n"
		"  --trials N     trials (default 40)\n"
		"  --interval MS  llmschedd's load_interval (default 10)\n"
		"  --probe on|off load_probe (default on)\n"
		"  --verbose      each trial's figures\n"
		"Root, in the VM, with the module loaded: tools/bench/loadbench runs it.\n");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void nap_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ULL),
			       .tv_nsec = (long)(ns % 1000000000ULL) };

	nanosleep(&ts, NULL);
}

static int agent_load(__u32 id, __u64 *v)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "agents/%u/load", id);
	return ls_sysfs_u64(rel, v);
}

static int freeze(const char *agent, int on)
{
	char path[160];

	snprintf(path, sizeof(path), ROOT "/%s/agent/cgroup.freeze", agent);
	return tu_write_text(path, on ? "1" : "0");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The @p-th percentile of the @n sorted values (nearest rank). */
static uint64_t pct(const uint64_t *v, size_t n, unsigned int p)
{
	size_t k = (n * p + 99) / 100;

	return v[k ? k - 1 : 0];
}

static void print_row(const char *what, uint64_t *v, size_t n,
		      uint64_t interval_ns)
{
	double iv = (double)interval_ns;

	if (!n) {
		printf("%s: no trial\n", what);
		return;
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	/* Nearest rank: under 100 trials the p99 is the largest. */
	printf("%s (%zu trials): p50 %.1f ms (%.2f intervals), p99%s %.1f ms (%.2f intervals), max %.1f ms\n",
	       what, n, pct(v, n, 50) / 1e6, pct(v, n, 50) / iv,
	       n < 100 ? " (the largest, under 100 trials)" : "",
	       pct(v, n, 99) / 1e6, pct(v, n, 99) / iv, v[n - 1] / 1e6);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trials", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, 'i' },
		{ "probe", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *const task[] = { "/bin/true", NULL };
	static const char *const names[2] = { "a-0", "a-1" };
	unsigned int trials = 40, interval_ms = 10, done = 0, voided = 0;
	unsigned int missed = 0, t;
	char dir[64], conf[128], keys[160];
	const char *probe = "on";
	bool verbose = false;
	uint64_t *moved, *seen;
	size_t nmoved = 0, nseen = 0;
	__u32 ids[2];
	pid_t daemon = 0;
	int fd = -1, c, ret = 1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			trials = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			interval_ms = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			probe = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!trials || trials > 10000 || !interval_ms || interval_ms > 1000 ||
	    (strcmp(probe, "on") && strcmp(probe, "off"))) {
		fprintf(stderr, "llmsched-bench-loadlat: --trials 1..10000, --interval 1..1000, --probe on|off\n");
		return 2;
	}
	moved = calloc(trials, sizeof(*moved));
	seen = calloc(trials, sizeof(*seen));
	if (!moved || !seen || du_module_ready(&fd) ||
	    du_dir_make(dir, sizeof(dir), "loadlat", conf, sizeof(conf))) {
		fprintf(stderr, "llmsched-bench-loadlat: no module or no folder\n");
		return 1;
	}
	snprintf(keys, sizeof(keys),
		 "load_interval = %ums\nload_probe = %s\nload_wait_weight = 0\n",
		 interval_ms, probe);
	if (du_daemon_start(dir, conf, ROOT, keys,
			    "[agent a]\ncount = 2\ncpu = 1\nmemory = 256M\n",
			    &daemon)) {
		fprintf(stderr, "llmsched-bench-loadlat: llmschedd did not start\n");
		du_daemon_log(dir);
		goto out;
	}
	/* The frozen agents send no heartbeat: the module waits an hour. */
	ids[0] = du_agent_id(fd, ROOT, names[0]);
	ids[1] = du_agent_id(fd, ROOT, names[1]);
	if (!ids[0] || !ids[1] || ls_set_limits(fd, 0, 0, 3600000) ||
	    freeze(names[0], 1) || freeze(names[1], 1)) {
		fprintf(stderr, "llmsched-bench-loadlat: cannot find or freeze the agents\n");
		goto out;
	}
	for (t = 0; t < trials; t++) {
		struct llmsched_task_info info;
		uint64_t t0, now, deadline;
		__u64 v0, v1, m0, m, load, before;
		char leaf[160];
		pid_t hog = 0;
		__u64 id;
		int x;

		deadline = now_ns() + 10 * GIVE_UP_NS;
		do {
			nap_ns(20 * POLL_NS);
			if (agent_load(ids[0], &v0) || agent_load(ids[1], &v1))
				goto out;
		} while ((v0 >= IDLE_BELOW || v1 >= IDLE_BELOW) &&
			 now_ns() < deadline);
		if (v0 >= IDLE_BELOW || v1 >= IDLE_BELOW) {
			/* Never idle: no trial to make from here. */
			voided++;
			continue;
		}
		if (du_submit(fd, task, 100, 0, 0, 500, 0, 0, &id) ||
		    ls_query(fd, id, &info) ||
		    info.state != LLMSCHED_TASK_ASSIGNED) {
			fprintf(stderr, "llmsched-bench-loadlat: the task was not left assigned\n");
			goto out;
		}
		x = info.agent_id == ids[0] ? 0 : 1;
		snprintf(leaf, sizeof(leaf), ROOT "/%s/hog", names[x]);
		if (ls_sysfs_u64("stats/migrated", &m0) ||
		    agent_load(ids[x], &before) || du_busy_start(leaf, 1, &hog))
			goto out;
		t0 = now_ns();
		if (ls_sysfs_u64("stats/migrated", &m) || m != m0) {
			/* Moved before the load changed: not this. */
			voided++;
		} else {
			uint64_t t_seen = 0, t_moved = 0;

			deadline = t0 + GIVE_UP_NS;
			do {
				nap_ns(POLL_NS);
				now = now_ns();
				/*
				 * Either way: the report raises it, the move
				 * that may come in the same call lowers it.
				 */
				if (!t_seen && !agent_load(ids[x], &load) &&
				    (load >= before + SEEN_DELTA ||
				     load + SEEN_DELTA <= before))
					t_seen = now;
				if (!t_moved && !ls_sysfs_u64("stats/migrated", &m) &&
				    m > m0)
					t_moved = now;
			} while ((!t_seen || !t_moved) && now < deadline);
			if (verbose)
				printf("trial %u: agent %u, report %.1f ms, move %.1f ms\n",
				       t, ids[x],
				       t_seen ? (t_seen - t0) / 1e6 : -1.0,
				       t_moved ? (t_moved - t0) / 1e6 : -1.0);
			if (t_seen)
				seen[nseen++] = t_seen - t0;
			if (t_moved)
				moved[nmoved++] = t_moved - t0;
			else
				missed++;
			done++;
		}
		du_busy_stop(leaf, 1, &hog);
		ls_cancel(fd, id);
	}
	printf("load_probe = %s, load_interval = %u ms: %u trials, %u voided (moved before the load changed, or never idle), %u with no move within %.0f s\n",
	       probe, interval_ms, done, voided, missed, GIVE_UP_NS / 1e9);
	print_row("load change to the first report carrying it", seen, nseen,
		  interval_ms * 1000000ULL);
	print_row("load change to the balancer's move", moved, nmoved,
		  interval_ms * 1000000ULL);
	ret = 0;
out:
	if (fd >= 0)
		ls_cancel_all(fd);
	freeze(names[0], 0);
	freeze(names[1], 0);
	if (daemon > 0 && du_daemon_stop(&daemon))
		du_daemon_log(dir);
	if (fd >= 0)
		close(fd);
	du_dir_remove(dir);
	free(moved);
	free(seen);
	return ret;
}
