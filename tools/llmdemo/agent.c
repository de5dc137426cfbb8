// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-demo: the agent process.  It runs inside its cgroup (the parent
 * started it there with llms_spawn(), which clones straight into it, as
 * "llmsched-demo --agent ..."), holds its own file of /dev/llmsched and
 * plays the protocol: fetch, start, run, complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "llmdemo.h"

/* How long one FETCH blocks; every agent call is also a heartbeat. */
#define AGENT_FETCH_NS		DEMO_NSEC_PER_SEC
/* While a payload runs, a heartbeat this often (ms). */
#define AGENT_HEARTBEAT_MS	1000

struct agent {
	const struct demo_agent_conf *conf;
	int fd;
	__u32 id;
};

static volatile sig_atomic_t agent_stop;

static void agent_on_term(int sig)
{
	agent_stop = 1;
}

/* Print the library's error, with the agent's number in front. */
static void agent_lib_err(const struct agent *a, struct llms_error **err)
{
	llms_error_prefix(err, "agent %u", a->conf->num);
	demo_error(err, NULL);
}

static void agent_heartbeat(const struct agent *a)
{
	struct llms_error *err = NULL;

	if (llms_agent_heartbeat(a->fd, &err))
		agent_lib_err(a, &err);
}

/* memory.events' oom_kill of the agent's cgroup; 0 when unreadable. */
static unsigned long long agent_oom_kills(const struct agent *a)
{
	struct llms_memory_events ev;
	struct llms_error *err = NULL;

	if (llms_cgroup_memory_events(a->conf->cg, &ev, &err)) {
		llms_error_free(&err);
		return 0;
	}
	return ev.oom_kill;
}

/*
 * Wait for the payload @child, heartbeating while it runs (a payload may
 * outlast heartbeat_timeout_ms).  Its wait status, or -errno.
 */
static int agent_wait_payload(const struct agent *a, struct llms_child *child)
{
	struct llms_error *err = NULL;
	int status, ret;

	for (;;) {
		ret = llms_child_wait(child, AGENT_HEARTBEAT_MS, &status, &err);
		if (!ret)
			return status;
		if (ret != -ETIMEDOUT && ret != -EINTR) {
			agent_lib_err(a, &err);
			return ret;
		}
		llms_error_free(&err);
		if (ret == -ETIMEDOUT)
			agent_heartbeat(a);
	}
}

/* Run one fetched task and report how it ended. */
static void agent_run(struct agent *a, __u64 task_id, const char *payload)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)payload, NULL };
	struct llms_spawn_attr attr = { 0 };
	struct llms_error *err = NULL;
	struct llmsched_agent_complete c;
	struct llms_child child;
	unsigned long long ooms;
	__u64 t0;
	int ret;

	ret = llms_agent_start(a->fd, task_id, &err);
	if (ret) {
		/* ECANCELED: cancelled since it was fetched; drop it. */
		if (ret != -ECANCELED)
			agent_lib_err(a, &err);
		llms_error_free(&err);
		return;
	}

	memset(&c, 0, sizeof(c));
	c.task_id = task_id;
	ooms = agent_oom_kills(a);
	/* In the agent's cgroup, so its reservation; the agent's output. */
	attr.argv = argv;
	attr.envp = environ;
	attr.cgroup_fd = -1;
	attr.inherit_output = true;
	t0 = demo_now_ns();
	ret = llms_spawn(&attr, &child, &err);
	if (ret) {
		c.reason = LLMSCHED_REASON_LAUNCH;
		c.exit_status = -ret;
		llms_error_prefix(&err, "task %llu", (unsigned long long)task_id);
		agent_lib_err(a, &err);
		goto report;
	}
	ret = agent_wait_payload(a, &child);
	c.runtime_ns = demo_now_ns() - t0;
	if (ret < 0) {
		c.reason = LLMSCHED_REASON_LAUNCH;
		c.exit_status = -ret;
		llms_child_release(&child);
	} else if (WIFEXITED(ret)) {
		c.exit_status = WEXITSTATUS(ret);
		c.reason = c.exit_status ? LLMSCHED_REASON_EXIT :
			   LLMSCHED_REASON_NONE;
	} else {
		c.exit_status = WTERMSIG(ret);
		c.reason = LLMSCHED_REASON_SIGNAL;
		if (c.exit_status == SIGKILL && agent_oom_kills(a) > ooms)
			c.reason = LLMSCHED_REASON_OOM;
	}
report:
	ret = llms_agent_complete(a->fd, &c, &err);
	if (ret && ret != -ECANCELED)
		agent_lib_err(a, &err);
	llms_error_free(&err);
}

static int agent_register(struct agent *a)
{
	const struct demo_agent_conf *conf = a->conf;
	struct llmsched_agent_register r;
	struct llms_error *err = NULL;
	int ret;

	a->fd = llms_open(0, &err);
	if (a->fd < 0) {
		agent_lib_err(a, &err);
		return a->fd;
	}
	memset(&r, 0, sizeof(r));
	r.pid = 0;			/* this process, inside the cgroup */
	r.cgroup_fd = conf->cg->fd;
	r.slots = 1;
	r.capacity[LLMSCHED_RES_CPU] = conf->cpu;
	r.capacity[LLMSCHED_RES_MEM] = conf->mem;
	ret = llms_agent_register(a->fd, &r, &err);
	if (ret) {
		llms_error_prefix(&err, "agent %u", conf->num);
		demo_error(&err, ret == -ENOSPC ?
			   "the host capacity is taken: are agents of another runtime registered?" :
			   NULL);
		return ret;
	}
	a->id = r.agent_id;
	return 0;
}

int demo_agent_main(const struct demo_agent_conf *conf)
{
	static char payload[LLMSCHED_PAYLOAD_MAX + 1];
	struct agent a = { .conf = conf, .fd = -1 };
	struct llms_error *err = NULL;
	struct llmsched_agent_fetch f;
	struct sigaction sa;
	char name[16];
	int ret;

	/* No SA_RESTART: SIGTERM interrupts a blocking FETCH (EINTR). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = agent_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != conf->parent)
		return 1;
	snprintf(name, sizeof(name), "llmdemo-agent%u", conf->num);
	prctl(PR_SET_NAME, name);

	/* The demo sees the registration in the module's list of agents. */
	if (agent_register(&a))
		return 1;

	while (!agent_stop) {
		memset(&f, 0, sizeof(f));
		f.timeout_ns = AGENT_FETCH_NS;
		f.payload_ptr = (uintptr_t)payload;
		f.payload_len = LLMSCHED_PAYLOAD_MAX;
		ret = llms_agent_fetch(a.fd, &f, &err);
		if (ret == -ETIMEDOUT || ret == -EINTR || ret == -EAGAIN) {
			llms_error_free(&err);
			continue;
		}
		if (ret) {
			llms_error_prefix(&err, "agent %u", conf->num);
			demo_error(&err, ret == -EBADFD ?
				   "the module declared the agent lost" : NULL);
			return 1;
		}
		payload[f.payload_len] = '\0';
		agent_run(&a, f.task_id, payload);
	}

	/* Told to stop: leave the module's books clean. */
	ret = llms_agent_unregister(a.fd, &err);
	if (ret) {
		agent_lib_err(&a, &err);
		return 1;
	}
	close(a.fd);
	return 0;
}

/* "--agent NUM CGROUP MILLICORES BYTES PARENT": see llmdemo.h. */
int demo_agent_exec_main(int argc, char **argv)
{
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	struct llms_error *err = NULL;
	struct demo_agent_conf conf = { .cg = &cg };
	static const int num_arg[] = { 2, 4, 5, 6 };	/* the numbers */
	unsigned long long v[4];
	const char *arg;
	char *end;
	int i, ret;

	if (argc != 7 || strcmp(argv[1], "--agent")) {
		demo_fail(0, "it is started by llmsched-demo itself",
			  "--agent wants NUM CGROUP MILLICORES BYTES PARENT");
		return 2;
	}
	for (i = 0; i < 4; i++) {
		arg = argv[num_arg[i]];
		errno = 0;
		v[i] = strtoull(arg, &end, 10);
		if (errno || *end || end == arg) {
			demo_fail(0, NULL, "--agent: '%s' is not a number",
				  arg);
			return 2;
		}
	}
	conf.num = (unsigned int)v[0];
	conf.cpu = v[1];
	conf.mem = v[2];
	conf.parent = (pid_t)v[3];
	ret = llms_cgroup_open(&cg, argv[3], &err);
	if (ret) {
		demo_error(&err, NULL);
		return 1;
	}
	ret = demo_agent_main(&conf);
	llms_cgroup_close(&cg);
	return ret;
}
