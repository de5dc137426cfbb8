/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd: the parts of the daemon that talk to each other.
 *
 * The daemon is two kinds of process.  The supervisor (supervisor.c) reads
 * the configuration, registers the host's capacity, lays out the cgroup
 * tree and keeps one agent process per configured agent alive.  Each agent
 * process (agent.c) is the daemon's own program started again with
 * --agent, inside its agent's cgroup and in a session of its own: it holds
 * its own file of /dev/llmsched, so it and its tasks outlive a supervisor
 * that crashed, and a restarted supervisor finds it again (adoption).
 *
 * The cgroup tree, below the configured root (default
 * /sys/fs/cgroup/llmsched):
 *
 *	NAME/		the agent's reservation: cpu.max, memory.max, ...
 *	NAME/agent/	the agent process (no internal processes in NAME/)
 *	NAME/task-ID/	each task, with its own limits, OOM and kill
 *
 * The agent registers NAME/ with the module, so the module's fence (a lost
 * agent's tasks run elsewhere only once nothing of it runs) covers every
 * task of the agent.
 */
#ifndef LLMSCHEDD_H
#define LLMSCHEDD_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/llmsched.h>

/* An agent process's exit status, which its supervisor acts on. */
enum llmsd_agent_exit {
	/* Drained (SIGTERM) and unregistered: nothing left to do. */
	LLMSD_AGENT_EXIT_DONE = 0,
	/* It could not start (a bad parameter, no module): do not retry at once. */
	LLMSD_AGENT_EXIT_FAILED = 1,
	/* The module declared it lost: its tasks were killed; start a new one. */
	LLMSD_AGENT_EXIT_LOST = 3,
};

/* What an agent process is started with: its command line, parsed. */
struct llmsd_agent_params {
	const char *name;
	const char *cgroup;		/* absolute path of NAME/ */
	uint64_t capacity[LLMSCHED_RES_MAX];
	uint32_t slots;
	uint64_t tags;
	uint64_t heartbeat_ns;
	uint64_t drain_timeout_ns;
	const char *state_dir;
	const char *log_dir;
	const char *gpus;		/* --agent-gpus (gpu.h), NULL: none */
};

/* agent.c: the agent process; returns its exit status. */
int llmsd_agent_main(const struct llmsd_agent_params *p);

/* The folder of NAME/'s task: "task-ID". */
#define LLMSD_TASK_CGROUP_FMT	"task-%llu"
/* The agent process's leaf. */
#define LLMSD_AGENT_LEAF	"agent"
/* In the state folder: the running daemon's pid, under flock(2). */
#define LLMSD_LOCK_FILE		"llmschedd.lock"
/* The history database, in the state folder. */
#define LLMSD_HISTORY_FILE	"history.db"
/* Task logs: LOG_DIR/tasks/UID/task-ID.out and .err: runtime/lib/tasklog.h. */

#endif /* LLMSCHEDD_H */
