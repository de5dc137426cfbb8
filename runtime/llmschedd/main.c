// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd: the llmsched agent runtime.  Reads its configuration, finds
 * the host's capacity, and supervises the agent processes that run the
 * tasks the module hands them.  See Documentation/admin-guide/llmschedd.rst.
 *
 * Exit status: 0 after an orderly stop (or --check-config found nothing
 * wrong), 1 when it could not start or failed while running, 2 for a bad
 * command line or configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/libllmsched.h"
#include "capacity.h"
#include "config.h"
#include "gpu.h"
#include "llmschedd.h"
#include "log.h"
#include "supervisor.h"

enum {
	OPT_AGENT = 0x100,
	OPT_AGENT_CGROUP,
	OPT_AGENT_CPU,
	OPT_AGENT_MEM,
	OPT_AGENT_GPU,
	OPT_AGENT_GPU_MEM,
	OPT_AGENT_SLOTS,
	OPT_AGENT_TAGS,
	OPT_AGENT_HEARTBEAT,
	OPT_AGENT_DRAIN,
	OPT_AGENT_STATE_DIR,
	OPT_AGENT_LOG_DIR,
	OPT_CHECK_CONFIG,
	OPT_AGENT_GPUS,
};

static const struct option options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "set", required_argument, NULL, 's' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	/* Internal: how the supervisor starts an agent process. */
	{ "agent", required_argument, NULL, OPT_AGENT },
	{ "agent-cgroup", required_argument, NULL, OPT_AGENT_CGROUP },
	{ "agent-cpu", required_argument, NULL, OPT_AGENT_CPU },
	{ "agent-memory", required_argument, NULL, OPT_AGENT_MEM },
	{ "agent-gpu", required_argument, NULL, OPT_AGENT_GPU },
	{ "agent-gpu-memory", required_argument, NULL, OPT_AGENT_GPU_MEM },
	{ "agent-slots", required_argument, NULL, OPT_AGENT_SLOTS },
	{ "agent-tags", required_argument, NULL, OPT_AGENT_TAGS },
	{ "agent-heartbeat-ns", required_argument, NULL, OPT_AGENT_HEARTBEAT },
	{ "agent-drain-ns", required_argument, NULL, OPT_AGENT_DRAIN },
	{ "agent-state-dir", required_argument, NULL, OPT_AGENT_STATE_DIR },
	{ "agent-log-dir", required_argument, NULL, OPT_AGENT_LOG_DIR },
	{ "agent-gpus", required_argument, NULL, OPT_AGENT_GPUS },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: llmschedd [OPTION]...\n"
		"Run llmsched's agents: the processes that run the tasks the llmsched\n"
		"module schedules, each agent in a cgroup v2 reservation of its own.\n"
		"\n"
		"  -c, --config FILE   the configuration (default " LLMSD_DEFAULT_CONFIG ")\n"
		"  -s, --set KEY=VALUE override one setting of the file, e.g.\n"
		"                      --set daemon.cgroup_root=/sys/fs/cgroup/l2 or\n"
		"                      --set agent.small.count=4 (repeatable)\n"
		"  -f, --foreground    stay in the foreground; without it llmschedd\n"
		"                      returns once every agent is registered\n"
		"  -v, --verbose       log debugging detail too\n"
		"      --check-config  read and check the configuration against this\n"
		"                      host, say what would run, and exit\n"
		"  -h, --help          this text\n"
		"  -V, --version       the version, and the module's when loaded\n"
		"\n"
		"Signals: SIGTERM or SIGINT drains (running tasks finish within the\n"
		"drain timeout) and stops, leaving no cgroup behind; SIGHUP reads the\n"
		"configuration again.\n"
		"Exit status: 0 stopped in order, 1 failed, 2 bad command line or\n"
		"configuration.\n");
}

static int parse_u64(const char *opt, const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "llmschedd: %s '%s': not a number\n", opt, s);
		return -1;
	}
	return 0;
}

static int agent_mode(int argc, char **argv, bool verbose)
{
	struct llmsd_agent_params p = { 0 };
	char who[96];
	uint64_t v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:fvhV", options, NULL)) != -1) {
		switch (c) {
		case OPT_AGENT:
			p.name = optarg;
			break;
		case OPT_AGENT_CGROUP:
			p.cgroup = optarg;
			break;
		case OPT_AGENT_STATE_DIR:
			p.state_dir = optarg;
			break;
		case OPT_AGENT_LOG_DIR:
			p.log_dir = optarg;
			break;
		case OPT_AGENT_GPUS:
			p.gpus = optarg;
			break;
		case OPT_AGENT_CPU:
		case OPT_AGENT_MEM:
		case OPT_AGENT_GPU:
		case OPT_AGENT_GPU_MEM:
		case OPT_AGENT_SLOTS:
		case OPT_AGENT_TAGS:
		case OPT_AGENT_HEARTBEAT:
		case OPT_AGENT_DRAIN:
			if (parse_u64(argv[optind - 2], optarg, &v))
				return 2;
			if (c == OPT_AGENT_CPU)
				p.capacity[LLMSCHED_RES_CPU] = v;
			else if (c == OPT_AGENT_MEM)
				p.capacity[LLMSCHED_RES_MEM] = v;
			else if (c == OPT_AGENT_GPU)
				p.capacity[LLMSCHED_RES_GPU] = v;
			else if (c == OPT_AGENT_GPU_MEM)
				p.capacity[LLMSCHED_RES_GPU_MEM] = v;
			else if (c == OPT_AGENT_SLOTS)
				p.slots = (uint32_t)v;
			else if (c == OPT_AGENT_TAGS)
				p.tags = v;
			else if (c == OPT_AGENT_HEARTBEAT)
				p.heartbeat_ns = v;
			else
				p.drain_timeout_ns = v;
			break;
		default:
			break;
		}
	}
	if (!p.name || !p.cgroup || !p.state_dir || !p.log_dir || !p.slots ||
	    !p.heartbeat_ns) {
		fprintf(stderr, "llmschedd: --agent is started by llmschedd itself, with every --agent-* option\n");
		return 2;
	}
	snprintf(who, sizeof(who), "llmschedd agent %s[%d]", p.name,
		 (int)getpid());
	llmsd_log_init(who, verbose);
	return llmsd_agent_main(&p);
}

static int make_dir(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* One supervisor per state folder: a second would fight the first. */
static int take_lock(const char *state_dir)
{
	char path[PATH_MAX + 32], pid[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/%s", state_dir, LLMSD_LOCK_FILE);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		llmsd_err("opening %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = (int)read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		llmsd_err("another llmschedd (pid %s) runs with the state folder %s: stop it first",
			  pid[0] ? pid : "?", state_dir);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (pwrite(fd, pid, n, 0) != n)
			llmsd_warn("writing %s: %s", path, strerror(errno));
	}
	return fd;
}

static void print_plan(const struct llmsd_config *cfg,
		       const struct llmsd_capacity *cap)
{
	size_t i;

	printf("host: %llu millicores (CPUs %s), %llu MiB for agents, %llu GPU(s)\n",
	       (unsigned long long)cap->cpu, cap->cpus,
	       (unsigned long long)(cap->mem >> 20),
	       (unsigned long long)cap->gpu);
	printf("cgroup root: %s\nstate: %s\nlogs: %s\n", cfg->cgroup_root,
	       cfg->state_dir, cfg->log_dir);
	for (i = 0; i < cfg->nagents; i++) {
		const struct llmsd_agent_spec *a = &cfg->agents[i];

		printf("agent %s: %u x %llu millicores, %llu MiB, %llu GPU(s)%s, %u slot(s)%s%s\n",
		       a->name, a->count, (unsigned long long)a->cpu,
		       (unsigned long long)(a->mem >> 20),
		       (unsigned long long)a->gpu,
		       a->gpu_compute < 100 ? " (a share)" : "", a->slots,
		       a->cpuset[0] ? ", CPUs " : "", a->cpuset);
	}
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	bool foreground = false, verbose = false, check = false, agent = false;
	struct llmsd_config cfg;
	struct llmsd_capacity cap;
	struct llmsd_gpu_inventory *gpus;
	struct llms_error *err = NULL;
	char self[PATH_MAX], config_abs[PATH_MAX], **overrides;
	size_t noverrides = 0;
	int c, ret, lock_fd, ready[2] = { -1, -1 };
	ssize_t n;

	llmsd_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "c:s:fvhV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 's':
			break;
		case 'f':
			foreground = true;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_CHECK_CONFIG:
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("llmschedd %d.%d.%d (uAPI)\n",
			       LLMSCHED_VERSION_MAJOR, LLMSCHED_VERSION_MINOR,
			       LLMSCHED_VERSION_PATCH);
			return 0;
		case OPT_AGENT:
			agent = true;
			break;
		case '?':
			fprintf(stderr, "Try 'llmschedd --help'.\n");
			return 2;
		default:
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "llmschedd: unexpected argument '%s'\nTry 'llmschedd --help'.\n",
			argv[optind]);
		return 2;
	}
	if (agent)
		return agent_mode(argc, argv, verbose);

	llmsd_log_init("llmschedd", verbose);
	/* Absolute: SIGHUP reads it again after the chdir("/") below. */
	if (config && realpath(config, config_abs))
		config = config_abs;
	if (llmsd_config_load(&cfg, config ? config : LLMSD_DEFAULT_CONFIG, &err)) {
		if (!config && err->errnum == ENOENT)
			llms_error_prefix(&err, "no configuration: write one (Documentation/admin-guide/llmschedd.conf.example) or give --config");
		llms_error_print(stderr, "llmschedd", err);
		llms_error_free(&err);
		return 2;
	}
	/* The overrides, in their order, after the file. */
	overrides = calloc(argc, sizeof(*overrides));
	if (!overrides)
		return 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:fvhV", options, NULL)) != -1) {
		if (c != 's')
			continue;
		overrides[noverrides++] = optarg;
		if (llmsd_config_set(&cfg, optarg, &err)) {
			llms_error_print(stderr, "llmschedd", err);
			llms_error_free(&err);
			return 2;
		}
	}
	if (llmsd_capacity_discover(&cfg, &cap, &err)) {
		llms_error_print(stderr, "llmschedd", err);
		llms_error_free(&err);
		return 1;
	}
	/* The GPUs: the host's capacity, and which agent holds which. */
	gpus = malloc(sizeof(*gpus));
	if (!gpus || llmsd_gpu_prepare(&cfg, &cap, gpus, &err)) {
		llms_error_print(stderr, "llmschedd", err);
		llms_error_free(&err);
		return 2;
	}
	free(gpus);
	if (llmsd_config_check(&cfg, &cap, &err)) {
		llms_error_print(stderr, "llmschedd", err);
		llms_error_free(&err);
		return 2;
	}
	if (check) {
		print_plan(&cfg, &cap);
		llmsd_config_free(&cfg);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		llmsd_err("/proc/self/exe: %s", strerror(errno));
		return 1;
	}
	self[n] = '\0';
	if (make_dir(cfg.state_dir) || make_dir(cfg.log_dir)) {
		llmsd_err("creating %s and %s: %s", cfg.state_dir, cfg.log_dir,
			  strerror(errno));
		return 1;
	}

	if (!foreground) {
		pid_t pid;
		char byte;

		if (pipe2(ready, O_CLOEXEC)) {
			llmsd_err("pipe: %s", strerror(errno));
			return 1;
		}
		pid = fork();
		if (pid < 0) {
			llmsd_err("fork: %s", strerror(errno));
			return 1;
		}
		if (pid) {
			/* Done once the daemon says every agent is up. */
			close(ready[1]);
			n = read(ready[0], &byte, 1);
			return n == 1 ? 0 : 1;
		}
		close(ready[0]);
		setsid();
		if (chdir("/"))
			return 1;
		c = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (c >= 0) {
			dup2(c, STDIN_FILENO);
			dup2(c, STDOUT_FILENO);
			close(c);
		}
	}
	lock_fd = take_lock(cfg.state_dir);
	if (lock_fd < 0)
		return 1;
	ret = llmsd_supervise(&cfg, &cap, self, ready[1], overrides,
			      noverrides);
	free(overrides);
	close(lock_fd);
	llmsd_config_free(&cfg);
	return ret;
}
