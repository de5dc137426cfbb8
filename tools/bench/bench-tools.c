// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-bench-tools: what a user pays per submission with llmsub, as a
 * whole process (fork, exec, dynamic linking, opening the device, SUBMIT,
 * printing the id), beside two baselines started the same way in the same
 * boot: `true` (the price of any process) and a client of a userspace
 * broker on a Unix socket doing the same round trip (what a user would
 * otherwise build: connect, send the task, read its id back).  Then llmsub
 * -f of a 4,096-task JSON-lines file, per task, beside one llmsub per task.
 *
 * Runs as root with llmschedd up (the VM: tools/bench/run-tbench starts it
 * with one agent).  The agents are drained while it measures, so that the
 * tasks submitted stay queued (they are cancelled as it goes) and no task
 * competes for the CPU with what is measured; they are undrained at the
 * end.  Figures only: it never fails on slowness.
 * Documentation/admin-guide/benchmarks.rst, "The tools".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/lib/libllmsched.h"
#include "kbench.h"

extern char **environ;

static struct {
	unsigned int reps;	/* interleaved repetitions */
	unsigned int runs;	/* processes per repetition and kind */
	unsigned int batch;	/* tasks in the llmsub -f file */
	bool json;
} opt = { .reps = 7, .runs = 40, .batch = 4096 };

static char self_path[PATH_MAX];
static char llmsub_path[PATH_MAX];
static char sock_path[108];

/*
 * The broker's side of a round trip: read the task (a length, then that
 * many bytes, as llmsub's SUBMIT carries its payload), answer an 8-byte id.
 * One connection at a time, as llmsub's processes come one at a time.
 */
static int broker_main(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t next_id = 1;
	int ls, c;

	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(ls, 64))
		return 1;
	for (;;) {
		char buf[LLMSCHED_PAYLOAD_MAX];
		uint32_t len;
		size_t got = 0;
		ssize_t n;

		c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		if (read(c, &len, sizeof(len)) == (ssize_t)sizeof(len) &&
		    len <= sizeof(buf)) {
			while (got < len &&
			       (n = read(c, buf + got, len - got)) > 0)
				got += (size_t)n;
			if (got == len &&
			    write(c, &next_id, sizeof(next_id)) ==
				    (ssize_t)sizeof(next_id))
				next_id++;
		}
		close(c);
	}
}

/*
 * The client: argv after "--" is the task, encoded as llmsub encodes its
 * payload (runtime/lib/payload.h), sent, and the id printed as llmsub
 * prints it.
 */
static int client_main(const char *path, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct llms_error *err = NULL;
	struct llms_payload p = { 0 };
	uint64_t id;
	uint32_t len;
	void *buf = NULL;
	size_t size = 0;
	int s;

	char cwd[PATH_MAX];

	p.argv = argv;
	while (argv[p.argc])
		p.argc++;
	p.envp = environ;
	while (environ[p.envc])
		p.envc++;
	p.cwd = getcwd(cwd, sizeof(cwd));
	if (llms_payload_encode(&p, &buf, &size, &err))
		return 1;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	len = (uint32_t)size;
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(s, &len, sizeof(len)) != (ssize_t)sizeof(len) ||
	    write(s, buf, size) != (ssize_t)size ||
	    read(s, &id, sizeof(id)) != (ssize_t)sizeof(id))
		return 1;
	printf("%llu\n", (unsigned long long)id);
	free(buf);
	return 0;
}

/* Start @argv with stdout to /dev/null, wait; its exit status or -1. */
static int run_quiet(char *const *argv)
{
	posix_spawn_file_actions_t fa;
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Drain (or with LLMSCHED_DRAIN_UNDO undrain) every agent; their number. */
static int drain_agents(int fd, uint32_t flags)
{
	struct llmsched_agent_info *a = NULL;
	struct llms_error *err = NULL;
	size_t n = 0, i;

	if (llms_agent_list_all(fd, &a, &n, &err)) {
		llms_error_print(stderr, "bench-tools", err);
		llms_error_free(&err);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (llms_agent_drain(fd, a[i].agent_id, flags, &err)) {
			llms_error_print(stderr, "bench-tools", err);
			llms_error_free(&err);
			free(a);
			return -1;
		}
	free(a);
	return (int)n;
}

/* Cancel every task the module holds, so that the limits never bind. */
static void cancel_all(int fd)
{
	struct llmsched_task_info *t = NULL;
	size_t n = 0, i;

	if (llms_task_list_all(fd, LLMSCHED_LIST_ALL_USERS, 0, &t, &n, NULL))
		return;
	for (i = 0; i < n; i++)
		llms_cancel(fd, t[i].task_id, 0, NULL);
	free(t);
}

/*
 * llmsub --version starts the same program and does nothing else: the
 * difference from it is the submission itself.
 */
enum kind { K_TRUE, K_CLIENT, K_VERSION, K_LLMSUB, NKINDS };
static const char *const kind_name[NKINDS] = {
	"true", "unix-socket client", "llmsub --version", "llmsub -- true",
};

static double per_run_us[NKINDS][64];

static int measure_one(enum kind k, unsigned int rep, int fd)
{
	char *true_argv[] = { "/bin/true", NULL };
	char *client_argv[] = { self_path, "--client", sock_path, "--",
				"true", NULL };
	char *sub_argv[] = { llmsub_path, "--", "true", NULL };
	char *version_argv[] = { llmsub_path, "--version", NULL };
	char *const *argv = k == K_TRUE ? true_argv :
			    k == K_CLIENT ? client_argv :
			    k == K_VERSION ? version_argv : sub_argv;
	uint64_t t0 = kb_now_ns();
	unsigned int i;

	for (i = 0; i < opt.runs; i++)
		if (run_quiet(argv)) {
			fprintf(stderr, "bench-tools: %s failed\n",
				kind_name[k]);
			return -1;
		}
	per_run_us[k][rep] = (double)(kb_now_ns() - t0) / opt.runs / 1000.0;
	if (k == K_LLMSUB)
		cancel_all(fd);
	return 0;
}

static int write_batch(const char *path, unsigned int n)
{
	FILE *f = fopen(path, "we");
	unsigned int i;

	if (!f)
		return -1;
	for (i = 0; i < n; i++)
		fprintf(f, "{\"command\": [\"true\"], \"est\": \"1s\"}\n");
	return fclose(f);
}

static double batch_per_task_us(int fd, const char *file, unsigned int n)
{
	char *argv[] = { llmsub_path, "-f", (char *)file, NULL };
	uint64_t t0 = kb_now_ns();
	int ret = run_quiet(argv);
	double us = (double)(kb_now_ns() - t0) / n / 1000.0;

	cancel_all(fd);
	return ret ? -1 : us;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: llmsched-bench-tools [--reps N] [--runs N] [--batch N] [--json]\n"
		"The cost of llmsub per submission as a whole process, beside\n"
		"`true` and a Unix-socket client; llmsub -f per task.  As root, in\n"
		"the VM (tools/bench/run-tbench).\n"
		"  --reps N   interleaved repetitions, 1 to 64 (default 7)\n"
		"  --runs N   processes per repetition and kind (default 40)\n"
		"  --batch N  tasks in the llmsub -f file (default 4096)\n"
		"  --json     one JSON object instead of the table\n");
}

static int parse_uint(const char *s, unsigned int lo, unsigned int hi,
		      unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x < lo || x > hi)
		return -1;
	*v = (unsigned int)x;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "runs", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	double med[NKINDS], batch_us[3], batch_med;
	char dir[] = "/tmp/llmsched-bench-tools.XXXXXX", file[128];
	struct llms_error *err = NULL;
	unsigned int r, k;
	pid_t broker;
	int c, fd;
	char *slash;

	if (argc >= 3 && !strcmp(argv[1], "--broker"))
		return broker_main(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "--client") &&
	    !strcmp(argv[3], "--"))
		return client_main(argv[2], argv + 4);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (parse_uint(optarg, 1, 64, &opt.reps))
				goto bad;
			break;
		case 'n':
			if (parse_uint(optarg, 1, 100000, &opt.runs))
				goto bad;
			break;
		case 'b':
			if (parse_uint(optarg, 1, 65536, &opt.batch))
				goto bad;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;

	if (readlink("/proc/self/exe", self_path, sizeof(self_path) - 1) < 0)
		return 1;
	snprintf(llmsub_path, sizeof(llmsub_path), "%s", self_path);
	slash = strrchr(llmsub_path, '/');
	snprintf(slash + 1, sizeof(llmsub_path) - (slash + 1 - llmsub_path),
		 "llmsub");
	if (access(llmsub_path, X_OK)) {
		fprintf(stderr, "bench-tools: %s: not found; run make\n",
			llmsub_path);
		return 1;
	}
	fd = llms_open(0, &err);
	if (fd < 0) {
		llms_error_print(stderr, "bench-tools", err);
		return 1;
	}
	/* The module refuses tasks when no agent could ever run them. */
	c = drain_agents(fd, 0);
	if (c <= 0) {
		if (!c)
			fprintf(stderr, "bench-tools: no agent is registered: "
				"start llmschedd first (tools/bench/run-tbench does)\n");
		return 1;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(sock_path, sizeof(sock_path), "%s/broker.sock", dir);
	broker = fork();
	if (broker == 0)
		_exit(broker_main(sock_path));
	while (access(sock_path, F_OK))
		usleep(1000);

	/* Warm the page cache and the dynamic linker's for each kind. */
	for (k = 0; k < NKINDS; k++)
		if (measure_one(k, 0, fd))
			goto fail;
	for (r = 0; r < opt.reps; r++)
		for (k = 0; k < NKINDS; k++)
			if (measure_one(k, r, fd))
				goto fail;
	for (k = 0; k < NKINDS; k++)
		med[k] = kb_median(per_run_us[k], opt.reps);

	snprintf(file, sizeof(file), "%s/batch.jsonl", dir);
	if (write_batch(file, opt.batch))
		goto fail;
	for (r = 0; r < 3; r++) {
		batch_us[r] = batch_per_task_us(fd, file, opt.batch);
		if (batch_us[r] < 0) {
			fprintf(stderr, "bench-tools: llmsub -f failed\n");
			goto fail;
		}
	}
	batch_med = kb_median(batch_us, 3);

	if (opt.json) {
		printf("{\"runs\": %u, \"reps\": %u, \"true_us\": %.1f, "
		       "\"unix_client_us\": %.1f, \"llmsub_version_us\": %.1f, "
		       "\"llmsub_us\": %.1f, "
		       "\"batch_tasks\": %u, \"llmsub_file_per_task_us\": %.2f}\n",
		       opt.runs, opt.reps, med[K_TRUE], med[K_CLIENT],
		       med[K_VERSION], med[K_LLMSUB], opt.batch, batch_med);
	} else {
		printf("One submission as a whole process (median of %u "
		       "interleaved repetitions of %u runs):\n", opt.reps,
		       opt.runs);
		for (k = 0; k < NKINDS; k++)
			printf("  %-20s %9.1f us  %5.2fx true\n", kind_name[k],
			       med[k], med[k] / med[K_TRUE]);
		printf("  llmsub over the unix-socket client: %.2fx\n",
		       med[K_LLMSUB] / med[K_CLIENT]);
		printf("llmsub -f of %u tasks (one batch, median of 3): "
		       "%.2f us per task; one llmsub per task costs %.1fx that\n",
		       opt.batch, batch_med, med[K_LLMSUB] / batch_med);
	}
	kill(broker, SIGTERM);
	waitpid(broker, NULL, 0);
	drain_agents(fd, LLMSCHED_DRAIN_UNDO);
	unlink(sock_path);
	unlink(file);
	rmdir(dir);
	close(fd);
	return 0;
fail:
	kill(broker, SIGTERM);
	waitpid(broker, NULL, 0);
	cancel_all(fd);
	drain_agents(fd, LLMSCHED_DRAIN_UNDO);
	return 1;
bad:
	usage(stderr);
	return 2;
}
