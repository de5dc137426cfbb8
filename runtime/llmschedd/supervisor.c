// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd's supervisor: the host's capacity to the module, the cgroup
 * tree, one agent process per configured agent kept alive, and an orderly
 * end on SIGTERM.  See llmschedd.h for the layout.
 *
 * Every agent process is started again when it dies; before that its
 * agent's folder is killed whole, which is what the module's fence waits
 * for: a task of a dead agent runs elsewhere only once nothing of it runs
 * here.  A hung agent (the module declared it lost, yet it lives) is killed
 * the same way.  Agents found registered at start whose cgroup is ours are
 * adopted: they kept running their tasks while no supervisor was there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/history.h"
#include "../lib/libllmsched.h"
#include "capacity.h"
#include "config.h"
#include "estimator.h"
#include "fence.h"
#include "gpu.h"
#include "loadprobe.h"
#include "llmschedd.h"
#include "log.h"
#include "supervisor.h"

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

/* How often the supervisor looks for hung agents. */
#define SCAN_INTERVAL_MS	250
/* How long after an agent's death its ended tasks are reconciled. */
#define RECONCILE_DELAY_MS	1000
#define RECONCILE_MAX		64
/* How often the estimator learns from the tasks that ended. */
#define ESTIMATOR_INTERVAL_MS	2000
/* Restarts of one agent: the first at once, then doubling up to the cap. */
#define RESTART_DELAY_MIN_MS	100
#define RESTART_DELAY_MAX_MS	10000
/* How long a dead agent's folder may take to empty and go. */
#define FENCE_TIMEOUT_MS	10000
/* Past the drain timeout, how long agents get to leave before SIGKILL. */
#define SHUTDOWN_GRACE_MS	10000
/* How long start-up waits for every agent to register. */
#define READY_TIMEOUT_MS	30000
/* How often start-up looks for the agent it waits for. */
#define START_POLL_MS		5

/* One configured agent: its process, while it runs. */
struct slot {
	char name[LLMSD_NAME_MAX + 16];
	struct llmsd_agent_spec spec;
	struct llms_child child;	/* pidfd -1 when no process */
	bool ours;			/* our child, which we reap */
	bool retiring;			/* gone from the configuration */
	uint32_t agent_id;		/* 0 until seen registered */
	unsigned int instance;		/* K of NAME-K */
	unsigned int restarts;
	uint64_t next_start;
};

struct supervisor {
	struct llmsd_config *cfg;
	const char *self_exe;
	int fd, sig_fd;
	struct llms_cgroup mount;	/* the cgroup2 mount */
	struct llms_cgroup root;	/* the configured root */
	char *rel;			/* the root below the mount */
	struct slot *slots;
	size_t nslots;
	bool stopping;
	int ready_fd;			/* told once every agent is up */
	bool started;			/* every agent was up once */
	char *const *overrides;		/* --set, after the file */
	size_t noverrides;
	struct llmsd_estimator *est;
	/* The host's GPUs; the fence, NULL when off; /dev/llmsched's number. */
	struct llmsd_gpu_inventory *inv;
	struct llmsd_fence *fence;
	struct llmsd_dev extra[1];
	size_t nextra;
	struct llmsd_load *load;	/* NULL: not measured */
	uint64_t next_load, last_decide;
	/* Dead agents whose ended tasks the history must have. */
	struct {
		uint32_t agent_id;
		uint64_t due;
	} reconcile[RECONCILE_MAX];
	unsigned int nreconcile;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static bool slot_running(const struct slot *s)
{
	return s->child.pidfd >= 0;
}

/* ------------------------------------------------------------ cgroups */

static const char *const agent_controllers[] = { "cpu", "memory", "pids",
						 NULL };
static const char *const pinned_controllers[] = { "cpu", "memory", "pids",
						  "cpuset", NULL };

static int layout_root(struct supervisor *sv, struct llms_error **err)
{
	const char *root = sv->cfg->cgroup_root;
	char *mount = NULL;
	size_t len;
	int ret;

	ret = llms_cgroup_mount(&mount, err);
	if (ret)
		return ret;
	len = strlen(mount);
	if (strncmp(root, mount, len) || root[len] != '/' || !root[len + 1]) {
		ret = llms_error_set(err, EINVAL,
				     "cgroup_root %s is not below the cgroup2 mount %s: set [daemon] cgroup_root to a folder below it",
				     root, mount);
		free(mount);
		return ret;
	}
	ret = llms_cgroup_open(&sv->mount, mount, err);
	free(mount);
	if (ret)
		return ret;
	sv->rel = strdup(root + len + 1);
	if (!sv->rel)
		return llms_error_set(err, ENOMEM, "cgroup root");
	return llms_cgroup_create(&sv->root, &sv->mount, sv->rel, err);
}

/*
 * Kill whatever runs in the agent's folder and remove it.  ENOENT (there
 * was none) is fine.
 */
static int fence_slot(struct supervisor *sv, const struct slot *s,
		      struct llms_error **err)
{
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", sv->root.path, s->name);
	ret = llms_cgroup_open(&cg, path, err);
	if (ret == -ENOENT) {
		llms_error_free(err);
		return 0;
	}
	if (ret)
		return ret;
	ret = llms_cgroup_kill(&cg, FENCE_TIMEOUT_MS, err);
	if (!ret && llmsd_fence_detach_all(cg.fd, cg.path, err) < 0) {
		/* Removing the folder detaches it all the same. */
		llmsd_log_error(LLMSD_WARN, err, "agent %s", s->name);
	}
	llms_cgroup_close(&cg);
	if (!ret)
		ret = llms_cgroup_remove(&sv->root, s->name, FENCE_TIMEOUT_MS,
					 err);
	return ret;
}

/* The agent's folder with its reservation, and its process's leaf. */
static int layout_slot(struct supervisor *sv, const struct slot *s,
		       struct llms_cgroup *leaf, struct llms_error **err)
{
	const struct llmsd_agent_spec *sp = &s->spec;
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	char rel[4096];
	int ret;

	ret = llms_cgroup_create(&cg, &sv->root, s->name, err);
	if (ret)
		return ret;
	snprintf(rel, sizeof(rel), "%s/%s/%s", sv->rel, s->name,
		 LLMSD_AGENT_LEAF);
	ret = llms_cgroup_create(leaf, &sv->root, rel + strlen(sv->rel) + 1,
				 err);
	if (!ret)
		ret = llms_cgroup_enable_controllers(
			&sv->mount, rel,
			sp->cpuset[0] ? pinned_controllers : agent_controllers,
			err);
	if (!ret)
		ret = llms_cgroup_set_cpu_max(&cg, sp->cpu, 0, err);
	if (!ret)
		ret = llms_cgroup_set_cpu_weight(&cg, sp->cpu_weight, err);
	if (!ret && sp->cpuset[0])
		ret = llms_cgroup_set_cpuset_cpus(&cg, sp->cpuset, err);
	if (!ret)
		ret = llms_cgroup_set_limit(&cg, LLMS_MEMORY_MAX, sp->mem, err);
	if (!ret)
		ret = llms_cgroup_set_limit(&cg, LLMS_MEMORY_HIGH,
					    sp->mem_high ? sp->mem_high :
							   sp->mem, err);
	if (!ret)
		ret = llms_cgroup_set_limit(&cg, LLMS_MEMORY_SWAP_MAX,
					    sp->swap_max, err);
	if (!ret)
		ret = llms_cgroup_set_limit(&cg, LLMS_PIDS_MAX, sp->pids_max,
					    err);
	llms_cgroup_close(&cg);
	if (ret)
		llms_cgroup_close(leaf);
	return ret;
}

/* --------------------------------------------------------------- GPUs */

/*
 * The GPUs at start: the inventory (main() planned the configuration on
 * one just like it), and the fence when it is on.
 */
static int gpus_setup(struct supervisor *sv, struct llms_error **err)
{
	struct llmsd_capacity cap;
	struct stat st;
	bool on;
	int ret;

	sv->inv = calloc(1, sizeof(*sv->inv));
	if (!sv->inv)
		return llms_error_set(err, ENOMEM, "GPU inventory");
	ret = llmsd_gpu_prepare(sv->cfg, &cap, sv->inv, err);
	if (ret)
		return ret;
	if (!stat("/dev/" LLMSCHED_DEVICE_NAME, &st) && S_ISCHR(st.st_mode)) {
		/* Tasks may submit tasks: the module checks who asks. */
		sv->extra[0].major = major(st.st_rdev);
		sv->extra[0].minor = minor(st.st_rdev);
		sv->nextra = 1;
	}
	on = sv->cfg->gpu_fence == LLMSD_GPU_FENCE_ON ||
	     (sv->cfg->gpu_fence == LLMSD_GPU_FENCE_AUTO && sv->inv->ngpus);
	if (!on) {
		if (sv->cfg->gpu_fence == LLMSD_GPU_FENCE_OFF)
			llmsd_warn("GPU fence off ([daemon] gpu_fence = off): tasks may open every device node, every GPU included");
		else
			llmsd_info("GPU fence: off, the host has no GPU ([daemon] gpu_fence = on fences all the same)");
		return 0;
	}
	ret = llmsd_fence_open(&sv->fence, err);
	if (!ret)
		llmsd_info("GPU fence: on, %zu GPU(s)%s", sv->inv->ngpus,
			   sv->inv->configured ? " from the configuration" :
						 " found");
	return ret;
}

/*
 * What agent @s holds, for its --agent-gpus, and its folder fenced to
 * those GPUs and the ordinary nodes.
 */
static int slot_gpus(struct supervisor *sv, const struct slot *s,
		     char *buf, size_t size, struct llms_error **err)
{
	struct llmsd_dev devs[LLMSD_AGENT_GPUS_MAX * LLMSD_GPU_NODES_MAX];
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	struct llmsd_gpu_set *set;
	char path[4096];
	size_t i, j, n = 0;
	int ret;

	set = calloc(1, sizeof(*set));
	if (!set)
		return llms_error_set(err, ENOMEM, "agent %s: GPUs", s->name);
	ret = llmsd_gpu_set_for(sv->cfg, &s->spec, s->instance, sv->inv,
				sv->extra, sv->nextra, set, err);
	set->fence = sv->fence != NULL;
	if (!ret && (size_t)llmsd_gpu_encode(set, buf, size) >= size)
		ret = llms_error_set(err, E2BIG, "agent %s: its GPUs",
				     s->name);
	if (ret || !sv->fence)
		goto out;
	for (i = 0; i < set->ngpus; i++)
		for (j = 0; j < set->gpus[i].ndevs; j++)
			devs[n++] = set->gpus[i].devs[j];
	snprintf(path, sizeof(path), "%s/%s", sv->root.path, s->name);
	ret = llms_cgroup_open(&cg, path, err);
	if (!ret)
		ret = llmsd_fence_attach(sv->fence, cg.fd, path, set->allow,
					 set->nallow, devs, n, err);
	llms_cgroup_close(&cg);
out:
	free(set);
	return ret;
}

/* ------------------------------------------------------------- agents */

static int slot_start(struct supervisor *sv, struct slot *s)
{
	const struct llmsd_agent_spec *sp = &s->spec;
	struct llms_cgroup leaf = LLMS_CGROUP_INIT;
	struct llms_spawn_attr attr = { 0 };
	struct llms_error *err = NULL;
	char cg[4096], cpu[24], mem[24], gpu[24], gmem[24], slots[16],
		tags[24], hb[24], drain[24], gpus[8192];
	char *argv[34];
	int ret, n = 0;

	/* Whatever a dead agent left runs no more: the module's fence. */
	ret = fence_slot(sv, s, &err);
	if (!ret)
		ret = layout_slot(sv, s, &leaf, &err);
	if (!ret)
		ret = slot_gpus(sv, s, gpus, sizeof(gpus), &err);
	if (ret) {
		llms_cgroup_close(&leaf);
		goto fail;
	}
	snprintf(cg, sizeof(cg), "%s/%s", sv->root.path, s->name);
	snprintf(cpu, sizeof(cpu), "%llu", (unsigned long long)sp->cpu);
	snprintf(mem, sizeof(mem), "%llu", (unsigned long long)sp->mem);
	snprintf(gpu, sizeof(gpu), "%llu", (unsigned long long)sp->gpu);
	snprintf(gmem, sizeof(gmem), "%llu", (unsigned long long)sp->gpu_mem);
	snprintf(slots, sizeof(slots), "%u", sp->slots);
	snprintf(tags, sizeof(tags), "%llu", (unsigned long long)sp->tags);
	snprintf(hb, sizeof(hb), "%llu",
		 (unsigned long long)sv->cfg->heartbeat_interval_ns);
	snprintf(drain, sizeof(drain), "%llu",
		 (unsigned long long)sv->cfg->drain_timeout_ns);
	argv[n++] = (char *)sv->self_exe;
	argv[n++] = "--agent";
	argv[n++] = s->name;
	argv[n++] = "--agent-cgroup";
	argv[n++] = cg;
	argv[n++] = "--agent-cpu";
	argv[n++] = cpu;
	argv[n++] = "--agent-memory";
	argv[n++] = mem;
	argv[n++] = "--agent-gpu";
	argv[n++] = gpu;
	argv[n++] = "--agent-gpu-memory";
	argv[n++] = gmem;
	argv[n++] = "--agent-slots";
	argv[n++] = slots;
	argv[n++] = "--agent-tags";
	argv[n++] = tags;
	argv[n++] = "--agent-heartbeat-ns";
	argv[n++] = hb;
	argv[n++] = "--agent-drain-ns";
	argv[n++] = drain;
	argv[n++] = "--agent-state-dir";
	argv[n++] = sv->cfg->state_dir;
	argv[n++] = "--agent-log-dir";
	argv[n++] = sv->cfg->log_dir;
	argv[n++] = "--agent-gpus";
	argv[n++] = gpus;
	argv[n] = NULL;

	attr.argv = argv;
	attr.envp = (char *const[]){ "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				     NULL };
	attr.cgroup_fd = leaf.fd;
	attr.new_session = true;
	attr.inherit_output = true;
	ret = llms_spawn(&attr, &s->child, &err);
	llms_cgroup_close(&leaf);
	if (ret)
		goto fail;
	s->ours = true;
	s->agent_id = 0;
	llmsd_info("agent %s: started (pid %d)", s->name, (int)s->child.pid);
	return 0;
fail:
	llmsd_log_error(LLMSD_ERR, &err, "agent %s: cannot start it", s->name);
	s->child.pidfd = -1;
	return ret;
}

/* When @s may start again: at once the first time, then backing off. */
static void slot_backoff(struct slot *s)
{
	uint64_t delay = RESTART_DELAY_MIN_MS;
	unsigned int i;

	for (i = 1; i < s->restarts && delay < RESTART_DELAY_MAX_MS; i++)
		delay *= 2;
	if (delay > RESTART_DELAY_MAX_MS)
		delay = RESTART_DELAY_MAX_MS;
	s->restarts++;
	s->next_start = mono_ns() + delay * NSEC_PER_MSEC;
}

/* The module's times are CLOCK_MONOTONIC; the history's are wall times. */
static uint64_t to_wall_ns(uint64_t mono)
{
	struct timespec w;
	uint64_t mnow = mono_ns(), wnow;

	clock_gettime(CLOCK_REALTIME, &w);
	wnow = (uint64_t)w.tv_sec * NSEC_PER_SEC + w.tv_nsec;
	if (!mono)
		return 0;
	return mono <= mnow ? wnow - (mnow - mono) : wnow;
}

/*
 * The ended tasks of a dead agent that its history rows may lack: those it
 * reported and then died before writing, and those that failed with it
 * (AGENT_LOST).  Each is recorded from what the module still holds of it
 * (no cgroup figures, no command); a row the agent wrote stays as it was.
 */
static void reconcile_agent(struct supervisor *sv, uint32_t agent_id)
{
	struct llmsched_task_info *tasks = NULL;
	struct llms_history *h = NULL;
	struct llms_error *err = NULL;
	char path[4096 + 32], *instance = NULL;
	size_t count = 0, i;
	int added = 0, ret;

	snprintf(path, sizeof(path), "%s/%s", sv->cfg->state_dir,
		 LLMSD_HISTORY_FILE);
	if (llms_sysfs_read_string("instance", &instance, &err) ||
	    llms_task_list_all(sv->fd, LLMSCHED_LIST_ALL_USERS, 0, &tasks,
			       &count, &err) ||
	    llms_history_open(&h, path, 0, &err)) {
		llmsd_log_error(LLMSD_WARN, &err,
				"recording the ended tasks of agent %u",
				agent_id);
		goto out;
	}
	for (i = 0; i < count; i++) {
		const struct llmsched_task_info *t = &tasks[i];
		struct llms_history_row row = { 0 };

		if (t->agent_id != agent_id ||
		    (t->state != LLMSCHED_TASK_SUCCEEDED &&
		     t->state != LLMSCHED_TASK_FAILED &&
		     t->state != LLMSCHED_TASK_CANCELLED))
			continue;
		row.task_id = t->task_id;
		memcpy(row.label, t->label, sizeof(row.label));
		row.uid = t->owner_uid;
		row.agent_id = agent_id;
		row.submit_ns = to_wall_ns(t->submit_ns);
		row.start_ns = to_wall_ns(t->start_ns);
		row.end_ns = to_wall_ns(t->end_ns);
		memcpy(row.demand, t->demand, sizeof(row.demand));
		row.est_ns = t->est_runtime_ns;
		row.runtime_ns = t->runtime_ns;
		row.state = t->state;
		row.reason = t->reason;
		row.exit_status = t->exit_status;
		snprintf(row.instance, sizeof(row.instance), "%s", instance);
		ret = llms_history_record(h, &row, &err);
		if (ret < 0)
			llmsd_log_error(LLMSD_WARN, &err, "recording task %llu",
					(unsigned long long)t->task_id);
		added += ret > 0;
	}
	if (added)
		llmsd_info("agent %u: %d ended task(s) it had not recorded are in the history now",
			   agent_id, added);
out:
	if (h)
		llms_history_close(h);
	free(tasks);
	free(instance);
}

/* The reconciliations due (all of them with @all). */
static void reconcile_due(struct supervisor *sv, bool all)
{
	uint64_t now = mono_ns();
	unsigned int i = 0;

	while (i < sv->nreconcile) {
		if (!all && sv->reconcile[i].due > now) {
			i++;
			continue;
		}
		reconcile_agent(sv, sv->reconcile[i].agent_id);
		sv->reconcile[i] = sv->reconcile[--sv->nreconcile];
	}
}

static void slot_exited(struct supervisor *sv, struct slot *s)
{
	struct llms_error *err = NULL;
	siginfo_t si = { 0 };
	char how[64] = "exited";

	if (s->ours &&
	    !waitid((idtype_t)P_PIDFD, s->child.pidfd, &si, WEXITED)) {
		if (si.si_code == CLD_EXITED)
			snprintf(how, sizeof(how), "exited with status %d",
				 si.si_status);
		else
			snprintf(how, sizeof(how), "was killed by signal %d",
				 si.si_status);
	}
	close(s->child.pidfd);
	s->child.pidfd = -1;
	if (sv->stopping || s->retiring) {
		llmsd_info("agent %s: %s", s->name, how);
	} else if (s->ours && si.si_code == CLD_EXITED &&
		   si.si_status == LLMSD_AGENT_EXIT_LOST) {
		llmsd_warn("agent %s: the module declared it lost; starting a new one",
			   s->name);
		slot_backoff(s);
	} else {
		llmsd_warn("agent %s (pid %d): %s; its tasks run again elsewhere, and a new agent starts",
			   s->name, (int)s->child.pid, how);
		slot_backoff(s);
	}
	/* The fence: nothing of the dead agent may run on. */
	if (fence_slot(sv, s, &err))
		llmsd_log_error(LLMSD_ERR, &err, "agent %s: clearing its cgroup",
				s->name);
	if (s->agent_id && sv->nreconcile < RECONCILE_MAX) {
		sv->reconcile[sv->nreconcile].agent_id = s->agent_id;
		sv->reconcile[sv->nreconcile++].due =
			mono_ns() + RECONCILE_DELAY_MS * NSEC_PER_MSEC;
	}
	s->agent_id = 0;
	/* A resize was for the agent that died: the next starts as configured. */
	if (!s->retiring) {
		const struct llmsd_agent_spec *base =
			llmsd_config_agent(sv->cfg, s->spec.name);

		if (base)
			s->spec.cpu = base->cpu;
	}
}

/*
 * At start, an agent below our root that the configuration no longer has
 * (it was edited while no supervisor ran): it would keep its reservation
 * for ever.  Its process and its folder are killed; the module lets its
 * tasks run elsewhere.
 */
static void fence_stray(struct supervisor *sv,
			const struct llmsched_agent_info *info,
			const char *path)
{
	size_t rl = strlen(sv->rel);
	struct llms_error *err = NULL;
	struct slot stray = { 0 };
	int pidfd;

	if (path[0] != '/' || strncmp(path + 1, sv->rel, rl) ||
	    path[rl + 1] != '/' || strchr(path + rl + 2, '/') ||
	    strlen(path + rl + 2) >= sizeof(stray.name))
		return;
	strcpy(stray.name, path + rl + 2);
	llmsd_warn("agent %u (%s, pid %d) is no longer configured: killing it",
		   info->agent_id, stray.name, (int)info->pid);
	if (info->pid > 0) {
		pidfd = (int)syscall(SYS_pidfd_open, info->pid, 0);
		if (pidfd >= 0) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			close(pidfd);
		}
	}
	if (fence_slot(sv, &stray, &err))
		llmsd_log_error(LLMSD_WARN, &err, "agent %s", stray.name);
}

/*
 * Registered agents: which of ours are up (their ids), which are lost but
 * still alive (hung: killed here).  At start, @adopt takes in the live
 * agents whose folders are ours.
 */
static void scan_agents(struct supervisor *sv, bool adopt)
{
	struct llmsched_agent_info *info = NULL;
	struct llms_error *err = NULL;
	size_t count = 0, i, j;
	char rel[96], *path;

	if (llms_agent_list_all(sv->fd, &info, &count, &err)) {
		llmsd_log_error(LLMSD_WARN, &err, "listing agents");
		return;
	}
	for (i = 0; i < count; i++) {
		bool ours = false;

		snprintf(rel, sizeof(rel), "agents/%u/cgroup", info[i].agent_id);
		if (llms_sysfs_read_string(rel, &path, NULL))
			continue;
		for (j = 0; j < sv->nslots; j++) {
			struct slot *s = &sv->slots[j];
			size_t rl = strlen(sv->rel);

			if (path[0] != '/' || strncmp(path + 1, sv->rel, rl) ||
			    path[rl + 1] != '/' || strcmp(path + rl + 2, s->name))
				continue;
			ours = true;
			if (adopt && !slot_running(s) && info[i].pid > 0 &&
			    info[i].state != LLMSCHED_AGENT_FENCING) {
				int pidfd = (int)syscall(SYS_pidfd_open,
							 info[i].pid, 0);

				if (pidfd >= 0) {
					s->child.pid = info[i].pid;
					s->child.pidfd = pidfd;
					s->ours = false;
					llmsd_info("agent %s: adopted agent %u (pid %d, %u task(s))",
						   s->name, info[i].agent_id,
						   (int)info[i].pid,
						   info[i].used_slots);
				}
			}
			if (info[i].state == LLMSCHED_AGENT_FENCING &&
			    slot_running(s) && s->child.pid == info[i].pid) {
				llmsd_warn("agent %s (pid %d) missed its heartbeats: killing it",
					   s->name, (int)s->child.pid);
				llms_child_signal(&s->child, SIGKILL, NULL);
			} else if (slot_running(s) &&
				   s->child.pid == info[i].pid) {
				if (!s->agent_id)
					s->restarts = 0;
				s->agent_id = info[i].agent_id;
			}
		}
		if (adopt && !ours)
			fence_stray(sv, &info[i], path);
		free(path);
	}
	free(info);
}

static size_t count_up(const struct supervisor *sv)
{
	size_t i, n = 0;

	for (i = 0; i < sv->nslots; i++)
		n += sv->slots[i].agent_id != 0;
	return n;
}

static bool all_up(const struct supervisor *sv)
{
	size_t i;

	for (i = 0; i < sv->nslots; i++)
		if (!sv->slots[i].retiring && !sv->slots[i].agent_id)
			return false;
	return true;
}

/* -------------------------------------------------------- configuration */

static int slots_from_config(const struct llmsd_config *cfg,
			     struct slot **out, size_t *count)
{
	struct slot *slots;
	size_t i, n = 0;
	unsigned int k;

	for (i = 0; i < cfg->nagents; i++)
		n += cfg->agents[i].count;
	slots = calloc(n ? n : 1, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0, n = 0; i < cfg->nagents; i++)
		for (k = 0; k < cfg->agents[i].count; k++, n++) {
			snprintf(slots[n].name, sizeof(slots[n].name), "%s-%u",
				 cfg->agents[i].name, k);
			slots[n].spec = cfg->agents[i];
			slots[n].instance = k;
			slots[n].child.pidfd = -1;
		}
	*out = slots;
	*count = n;
	return 0;
}

/* Give the module the host's capacity and the configured policy. */
static int setup_module(struct supervisor *sv, const struct llmsd_capacity *cap,
			struct llms_error **err)
{
	struct llmsched_capacity c = { 0 };
	struct llmsched_policy p = { 0 };
	struct llmsched_limits l = { 0 };
	size_t i;
	int ret;

	c.capacity[LLMSCHED_RES_CPU] = cap->cpu;
	c.capacity[LLMSCHED_RES_MEM] = cap->mem;
	c.capacity[LLMSCHED_RES_GPU] = cap->gpu;
	c.capacity[LLMSCHED_RES_GPU_MEM] = cap->gpu_mem;
	/* Agents that heartbeat too rarely would be declared lost. */
	ret = llms_get_limits(sv->fd, &l, err);
	if (!ret)
		ret = llmsd_config_check_heartbeat(sv->cfg,
						   l.heartbeat_timeout_ms, err);
	if (!ret)
		ret = llms_set_capacity(sv->fd, &c, err);
	if (ret)
		return ret;
	llmsd_info("host capacity: %llu millicores (CPUs %s), %llu MiB, %llu GPU(s)",
		   (unsigned long long)cap->cpu, cap->cpus,
		   (unsigned long long)(cap->mem >> 20),
		   (unsigned long long)cap->gpu);
	if (!sv->cfg->policy[0])
		return 0;
	ret = llms_get_policy(sv->fd, &p, err);
	if (ret)
		return ret;
	/* The configuration checked the name; its index is the uAPI's. */
	for (i = 0; llmsd_policy_names[i]; i++)
		if (!strcmp(llmsd_policy_names[i], sv->cfg->policy))
			break;
	if (!llmsd_policy_names[i])
		return llms_error_set(err, EINVAL, "policy %s: unknown",
				      sv->cfg->policy);
	p.policy = (uint32_t)i;
	return llms_set_policy(sv->fd, &p, err);
}

/*
 * A running agent's new shape: the module's ledger and the cgroup's
 * limits, in the order that never lets the cgroup hold less than the
 * ledger promises: limits that grow before the ledger, limits that shrink
 * after it.  The module refuses a shrink below what the agent's tasks hold
 * (EBUSY) and a growth past the host's free capacity (ENOSPC); then
 * nothing changes.
 */
static int slot_resize(struct supervisor *sv, struct slot *s,
		       const struct llmsd_agent_spec *next,
		       struct llms_error **err)
{
	struct llmsched_agent_resize r = { 0 };
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	const struct llmsd_agent_spec *cur = &s->spec;
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", sv->root.path, s->name);
	ret = llms_cgroup_open(&cg, path, err);
	if (ret)
		return ret;
	if (next->cpu > cur->cpu)
		ret = llms_cgroup_set_cpu_max(&cg, next->cpu, 0, err);
	if (!ret && next->mem > cur->mem)
		ret = llms_cgroup_set_limit(&cg, LLMS_MEMORY_MAX, next->mem, err);
	if (!ret) {
		r.agent_id = s->agent_id;
		r.slots = next->slots;
		r.capacity[LLMSCHED_RES_CPU] = next->cpu;
		r.capacity[LLMSCHED_RES_MEM] = next->mem;
		r.capacity[LLMSCHED_RES_GPU] = next->gpu;
		r.capacity[LLMSCHED_RES_GPU_MEM] = next->gpu_mem;
		ret = llms_agent_resize(sv->fd, &r, err);
	}
	if (ret) {
		/* Back to what the ledger still says. */
		llms_cgroup_set_cpu_max(&cg, cur->cpu, 0, NULL);
		llms_cgroup_set_limit(&cg, LLMS_MEMORY_MAX, cur->mem, NULL);
		llms_cgroup_close(&cg);
		return ret;
	}
	if (next->cpu < cur->cpu)
		ret = llms_cgroup_set_cpu_max(&cg, next->cpu, 0, err);
	if (!ret && next->mem < cur->mem)
		ret = llms_cgroup_set_limit(&cg, LLMS_MEMORY_MAX, next->mem, err);
	if (!ret)
		ret = llms_cgroup_set_limit(&cg, LLMS_MEMORY_HIGH,
					    next->mem_high ? next->mem_high :
							     next->mem, err);
	if (!ret)
		ret = llms_cgroup_set_cpu_weight(&cg, next->cpu_weight, err);
	if (!ret)
		ret = llms_cgroup_set_limit(&cg, LLMS_MEMORY_SWAP_MAX,
					    next->swap_max, err);
	if (!ret)
		ret = llms_cgroup_set_limit(&cg, LLMS_PIDS_MAX, next->pids_max,
					    err);
	llms_cgroup_close(&cg);
	if (!ret)
		llmsd_info("agent %s: resized to %llu millicores, %llu MiB, %u slot(s)",
			   s->name, (unsigned long long)next->cpu,
			   (unsigned long long)(next->mem >> 20), next->slots);
	return ret;
}

/* ------------------------------------------------------------ load */

/* The agents up now, for the load measurement; @slots[i] is a[i]'s. */
static size_t load_agents(struct supervisor *sv, struct llmsd_load_agent *a,
			  struct slot **slots)
{
	size_t i, n = 0;

	for (i = 0; i < sv->nslots; i++) {
		struct slot *s = &sv->slots[i];
		const struct llmsd_agent_spec *base;

		if (!slot_running(s) || !s->agent_id || s->retiring)
			continue;
		base = llmsd_config_agent(sv->cfg, s->spec.name);
		a[n].name = s->name;
		a[n].agent_id = s->agent_id;
		a[n].cpu = s->spec.cpu;
		a[n].base_cpu = base ? base->cpu : s->spec.cpu;
		slots[n++] = s;
	}
	return n;
}

/*
 * resize = on: the CPU reservations the measurement asks for, through the
 * same path as a reload's (slot_resize(): cgroup and ledger in the uAPI's
 * order).  The module refusing (EBUSY: its tasks hold more; ENOSPC: the
 * host has no more free) leaves the agent as it was.
 */
static void load_resize(struct supervisor *sv, struct llmsd_load_agent *a,
			struct slot **slots, size_t n, uint64_t now)
{
	struct llmsd_load_resize r[n ? n : 1];
	struct llmsched_capacity cap = { 0 };
	struct llms_error *err = NULL;
	uint64_t free_cpu = 0;
	size_t i, m;

	if (sv->cfg->resize) {
		if (llms_get_capacity(sv->fd, &cap, &err))
			llmsd_log_error(LLMSD_DEBUG, &err, "load: capacity");
		else if (cap.capacity[LLMSCHED_RES_CPU] >
			 cap.reserved[LLMSCHED_RES_CPU])
			free_cpu = cap.capacity[LLMSCHED_RES_CPU] -
				   cap.reserved[LLMSCHED_RES_CPU];
	}
	m = llmsd_load_decide(sv->load, a, n, free_cpu, now, r, n);
	for (i = 0; i < m; i++) {
		struct slot *s = slots[r[i].index];
		struct llmsd_agent_spec next = s->spec;
		bool grow = r[i].cpu > s->spec.cpu;
		int ret;

		next.cpu = r[i].cpu;
		ret = slot_resize(sv, s, &next, &err);
		llmsd_load_resized(sv->load, s->agent_id, grow, ret);
		if (ret) {
			llmsd_log_error(ret == -EBUSY || ret == -ENOSPC ?
						LLMSD_INFO : LLMSD_WARN,
					&err, "agent %s: not %s to %llu millicores",
					s->name, grow ? "grown" : "shrunk",
					(unsigned long long)next.cpu);
			continue;
		}
		s->spec.cpu = next.cpu;
		llmsd_info("agent %s: %s (resize = on)", s->name,
			   grow ? "throttled while the host has idle CPU: grown" :
				  "idle: shrunk back toward its configured size");
	}
}

/* One load interval, and a decision every LLMSD_LOAD_DECIDE_MS. */
static void load_step(struct supervisor *sv, uint64_t now)
{
	struct llmsd_load_agent a[sv->nslots ? sv->nslots : 1];
	struct slot *slots[sv->nslots ? sv->nslots : 1];
	size_t n = load_agents(sv, a, slots);

	llmsd_load_step(sv->load, sv->fd, a, n, now);
	if (now - sv->last_decide >= LLMSD_LOAD_DECIDE_MS * NSEC_PER_MSEC) {
		load_resize(sv, a, slots, n, now);
		sv->last_decide = now;
	}
	sv->next_load += sv->cfg->load_interval_ns;
	if (sv->next_load <= now)
		sv->next_load = now + sv->cfg->load_interval_ns;
}

/*
 * The [daemon] keys on SIGHUP: the policy applies at once; the folders,
 * the cgroup root and the timings are the running agents' and need a
 * restart, which the log says.
 */
static void reload_daemon_keys(struct supervisor *sv,
			       const struct llmsd_config *next)
{
	struct llmsd_config *cur = sv->cfg;
	struct llmsched_policy p = { 0 };
	struct llms_error *err = NULL;
	size_t i;

	if (strcmp(cur->cgroup_root, next->cgroup_root) ||
	    strcmp(cur->state_dir, next->state_dir) ||
	    strcmp(cur->log_dir, next->log_dir) ||
	    cur->heartbeat_interval_ns != next->heartbeat_interval_ns ||
	    cur->drain_timeout_ns != next->drain_timeout_ns ||
	    cur->mem_reserve != next->mem_reserve ||
	    cur->load_probe != next->load_probe ||
	    cur->load_interval_ns != next->load_interval_ns ||
	    cur->load_window_ns != next->load_window_ns ||
	    cur->load_wait_weight != next->load_wait_weight ||
	    cur->resize != next->resize ||
	    cur->resize_step != next->resize_step)
		llmsd_warn("reloading: cgroup_root, state_dir, log_dir, heartbeat_interval, drain_timeout, memory_reserve and the load_ and resize keys take effect only when llmschedd restarts");
	if (!strcmp(cur->policy, next->policy) || !next->policy[0])
		return;
	for (i = 0; llmsd_policy_names[i]; i++)
		if (!strcmp(llmsd_policy_names[i], next->policy))
			break;
	if (!llmsd_policy_names[i] || llms_get_policy(sv->fd, &p, &err))
		goto fail;
	p.policy = (uint32_t)i;
	if (llms_set_policy(sv->fd, &p, &err))
		goto fail;
	snprintf(cur->policy, sizeof(cur->policy), "%s", next->policy);
	llmsd_info("policy: %s", cur->policy);
	return;
fail:
	llmsd_log_error(LLMSD_ERR, &err, "reloading: policy %s", next->policy);
}

static bool same_shape(const struct llmsd_agent_spec *a,
		       const struct llmsd_agent_spec *b)
{
	return a->cpu == b->cpu && a->mem == b->mem && a->gpu == b->gpu &&
	       a->gpu_mem == b->gpu_mem && a->slots == b->slots &&
	       a->mem_high == b->mem_high && a->cpu_weight == b->cpu_weight &&
	       a->swap_max == b->swap_max && a->pids_max == b->pids_max;
}

/*
 * Whether @next's GPUs differ from what the running agents hold: the
 * inventory, or an agent's holding.  A running agent's GPUs are in its
 * command line and its fence, so such a change needs a restart.
 */
static bool gpus_changed(const struct supervisor *sv,
			 const struct llmsd_gpu_inventory *inv,
			 const struct slot *next, size_t n)
{
	size_t i, j;

	if (inv->ngpus != sv->inv->ngpus)
		return true;
	for (i = 0; i < inv->ngpus; i++)
		if (strcmp(inv->gpus[i].name, sv->inv->gpus[i].name) ||
		    memcmp(inv->gpus[i].devs, sv->inv->gpus[i].devs,
			   sizeof(inv->gpus[i].devs)))
			return true;
	for (i = 0; i < sv->nslots; i++) {
		const struct llmsd_agent_spec *a = &sv->slots[i].spec;

		for (j = 0; j < n; j++) {
			const struct llmsd_agent_spec *b = &next[j].spec;

			if (strcmp(next[j].name, sv->slots[i].name))
				continue;
			if (a->gpu != b->gpu || a->gpu_mem != b->gpu_mem ||
			    a->gpu_compute != b->gpu_compute ||
			    a->ngpu_hold != b->ngpu_hold ||
			    memcmp(a->gpu_hold, b->gpu_hold,
				   a->ngpu_hold * sizeof(a->gpu_hold[0])))
				return true;
		}
	}
	return false;
}

/*
 * SIGHUP: read the configuration again.  Agents that are gone drain and
 * leave, new ones start, running ones whose shape changed are resized
 * (tags and pinning take effect when the agent next starts).  A bad file
 * changes nothing.
 */
static void reload(struct supervisor *sv)
{
	struct llmsd_config next;
	struct llmsd_capacity cap;
	struct llms_error *err = NULL;
	struct slot *slots, *grown;
	struct llmsd_gpu_inventory *inv;
	size_t n, i, j;

	inv = calloc(1, sizeof(*inv));
	if (!inv)
		return;
	llmsd_config_init(&next);
	if (sv->cfg->path && llmsd_config_load(&next, sv->cfg->path, &err))
		goto bad;
	for (i = 0; i < sv->noverrides; i++)
		if (llmsd_config_set(&next, sv->overrides[i], &err))
			goto bad;
	if (llmsd_capacity_discover(&next, &cap, &err) ||
	    llmsd_gpu_prepare(&next, &cap, inv, &err) ||
	    llmsd_config_check(&next, &cap, &err))
		goto bad;
	if (slots_from_config(&next, &slots, &n)) {
		llmsd_config_free(&next);
		free(inv);
		return;
	}
	if (gpus_changed(sv, inv, slots, n)) {
		llmsd_err("reloading: the GPUs or an agent's holding of them changed ([gpu NAME], gpus, gpu, gpu_memory, gpu_compute): restart llmschedd for that; keeping the running configuration");
		free(slots);
		llmsd_config_free(&next);
		free(inv);
		return;
	}
	free(inv);
	reload_daemon_keys(sv, &next);
	for (i = 0; i < sv->nslots; i++) {
		struct slot *s = &sv->slots[i];

		for (j = 0; j < n; j++)
			if (!strcmp(slots[j].name, s->name))
				break;
		if (j < n) {
			if (!same_shape(&s->spec, &slots[j].spec) &&
			    slot_running(s) && s->agent_id &&
			    slot_resize(sv, s, &slots[j].spec, &err)) {
				llmsd_log_error(LLMSD_ERR, &err,
						"agent %s: keeping its shape",
						s->name);
			} else {
				s->spec = slots[j].spec;
			}
			s->retiring = false;
			slots[j].name[0] = '\0';
		} else if (!s->retiring) {
			s->retiring = true;
			llmsd_info("agent %s: no longer configured: draining it",
				   s->name);
			if (slot_running(s))
				llms_child_signal(&s->child, SIGTERM, NULL);
		}
	}
	for (j = 0; j < n; j++) {
		if (!slots[j].name[0])
			continue;
		grown = realloc(sv->slots, (sv->nslots + 1) * sizeof(*grown));
		if (!grown)
			break;
		sv->slots = grown;
		sv->slots[sv->nslots++] = slots[j];
		llmsd_info("agent %s: newly configured", slots[j].name);
	}
	free(slots);
	llmsd_config_free(&next);
	return;
bad:
	llmsd_log_error(LLMSD_ERR, &err,
			"reloading: keeping the running configuration");
	llmsd_config_free(&next);
	free(inv);
}

/* ------------------------------------------------------------ shutdown */

static void shutdown_agents(struct supervisor *sv)
{
	uint64_t deadline = mono_ns() + sv->cfg->drain_timeout_ns +
			    SHUTDOWN_GRACE_MS * NSEC_PER_MSEC;
	struct llms_error *err = NULL;
	bool killed = false;
	size_t i;

	sv->stopping = true;
	llmsd_info("stopping: draining every agent");
	for (i = 0; i < sv->nslots; i++)
		if (slot_running(&sv->slots[i]))
			llms_child_signal(&sv->slots[i].child, SIGTERM, NULL);
	for (;;) {
		struct pollfd pfd[sv->nslots ? sv->nslots : 1];
		size_t n = 0;

		for (i = 0; i < sv->nslots; i++)
			if (slot_running(&sv->slots[i])) {
				pfd[n].fd = sv->slots[i].child.pidfd;
				pfd[n++].events = POLLIN;
			}
		if (!n)
			break;
		if (!killed && mono_ns() > deadline) {
			llmsd_warn("agents still there past the drain timeout: killing them");
			for (i = 0; i < sv->nslots; i++)
				if (slot_running(&sv->slots[i]))
					llms_child_signal(&sv->slots[i].child,
							  SIGKILL, NULL);
			killed = true;
		}
		poll(pfd, n, 200);
		for (i = 0; i < sv->nslots; i++) {
			struct pollfd one = { .fd = sv->slots[i].child.pidfd,
					      .events = POLLIN };

			if (slot_running(&sv->slots[i]) &&
			    poll(&one, 1, 0) == 1)
				slot_exited(sv, &sv->slots[i]);
		}
	}
	for (i = 0; i < sv->nslots; i++)
		if (fence_slot(sv, &sv->slots[i], &err))
			llmsd_log_error(LLMSD_WARN, &err, "agent %s",
					sv->slots[i].name);
	reconcile_due(sv, true);
	llms_cgroup_close(&sv->root);
	if (llms_cgroup_remove(&sv->mount, sv->rel, FENCE_TIMEOUT_MS, &err))
		llmsd_log_error(LLMSD_WARN, &err, "removing %s",
				sv->cfg->cgroup_root);
}

/* ---------------------------------------------------------------- main */

static int setup_signals(struct supervisor *sv)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	sv->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return sv->sig_fd < 0 ? -errno : 0;
}

static void tell_ready(struct supervisor *sv)
{
	if (sv->ready_fd < 0)
		return;
	if (write(sv->ready_fd, "r", 1) < 0) {
		/* The parent went away: nobody to tell. */
	}
	close(sv->ready_fd);
	sv->ready_fd = -1;
	llmsd_info("ready: %zu agent(s) up", sv->nslots);
}

int llmsd_supervise(struct llmsd_config *cfg, const struct llmsd_capacity *cap,
		    const char *self_exe, int ready_fd,
		    char *const *overrides, size_t noverrides)
{
	struct supervisor sv = { .cfg = cfg, .self_exe = self_exe, .fd = -1,
				 .sig_fd = -1, .mount = LLMS_CGROUP_INIT,
				 .root = LLMS_CGROUP_INIT,
				 .ready_fd = ready_fd,
				 .overrides = overrides,
				 .noverrides = noverrides };
	uint64_t last_scan = 0, last_fit = 0, ready_deadline;
	size_t up, last_up = 0;
	bool waiting;
	struct llms_error *err = NULL;
	struct llmsched_version v;
	size_t i;
	int ret = 1;

	if (setup_signals(&sv)) {
		llmsd_err("signals: %s", strerror(errno));
		goto out;
	}
	sv.fd = llms_open(0, &err);
	if (sv.fd < 0 || llms_version(sv.fd, &v, &err) ||
	    setup_module(&sv, cap, &err) || layout_root(&sv, &err) ||
	    gpus_setup(&sv, &err)) {
		llmsd_log_error(LLMSD_ERR, &err, "cannot start");
		goto out;
	}
	if (slots_from_config(cfg, &sv.slots, &sv.nslots))
		goto out;
	if (llmsd_estimator_open(&sv.est, cfg->state_dir, &err))
		llmsd_log_error(LLMSD_WARN, &err, "the estimator is off");
	if (llmsd_load_open(&sv.load, cfg, &sv.root, &err))
		llmsd_log_error(LLMSD_WARN, &err, "load: not measured");
	scan_agents(&sv, true);
	ready_deadline = mono_ns() + READY_TIMEOUT_MS * NSEC_PER_MSEC;

	for (;;) {
		struct pollfd pfd[sv.nslots + 1];
		struct signalfd_siginfo si;
		uint64_t now = mono_ns();
		int timeout = SCAN_INTERVAL_MS / 5, ready;
		bool measuring;
		size_t n = 1;

		/*
		 * At start-up the agents register one after the other, in the
		 * configuration's order, so that the module's agent ids follow
		 * it (agent 1 is the first section's first agent): an
		 * operator's notes and scripts can rely on that.  Each waits
		 * for the one before it to register, which is quick (a fork,
		 * an exec and two ioctls), so the scan runs every pass meanwhile.
		 */
		waiting = false;
		for (i = 0; i < sv.nslots && !waiting; i++) {
			struct slot *s = &sv.slots[i];

			if (!slot_running(s) && !s->retiring &&
			    s->next_start <= now && slot_start(&sv, s))
				slot_backoff(s);
			waiting = !sv.started && slot_running(s) && !s->agent_id;
		}
		if (waiting ||
		    now - last_scan >= SCAN_INTERVAL_MS * NSEC_PER_MSEC) {
			scan_agents(&sv, false);
			last_scan = now;
		}
		reconcile_due(&sv, false);
		if (sv.est &&
		    now - last_fit >= ESTIMATOR_INTERVAL_MS * NSEC_PER_MSEC) {
			llmsd_estimator_step(sv.est, sv.fd);
			last_fit = now;
		}
		if (!sv.started && all_up(&sv)) {
			sv.started = true;
			tell_ready(&sv);
		}
		/*
		 * The deadline runs from the last agent that registered: they
		 * come one after the other, and many on a slow host take
		 * longer in all than one that never comes.
		 */
		up = count_up(&sv);
		if (up > last_up) {
			last_up = up;
			ready_deadline = now + READY_TIMEOUT_MS * NSEC_PER_MSEC;
		}
		if (sv.ready_fd >= 0 && !sv.started && now > ready_deadline) {
			/* Said to start or not at all: nothing half-up. */
			llmsd_err("no agent registered in the last %d s (%zu of %zu up): stopping",
				  READY_TIMEOUT_MS / 1000, up, sv.nslots);
			shutdown_agents(&sv);
			goto out;
		}

		pfd[0].fd = sv.sig_fd;
		pfd[0].events = POLLIN;
		for (i = 0; i < sv.nslots; i++)
			if (slot_running(&sv.slots[i])) {
				pfd[n].fd = sv.slots[i].child.pidfd;
				pfd[n++].events = POLLIN;
			}
		/*
		 * Measured from when every agent is up: before, the agents
		 * start one after the other and the loop would only take
		 * the CPU they start on.  An agent that never comes up
		 * holds it back no longer than the start-up's deadline.
		 */
		measuring = sv.load && (sv.started || now > ready_deadline);
		if (measuring) {
			now = mono_ns();
			if (sv.next_load <= now)
				timeout = 0;
			else if ((sv.next_load - now + NSEC_PER_MSEC - 1) /
					 NSEC_PER_MSEC <
				 (uint64_t)timeout)
				timeout = (int)((sv.next_load - now +
						 NSEC_PER_MSEC - 1) /
						NSEC_PER_MSEC);
		}
		if (waiting && timeout > START_POLL_MS)
			timeout = START_POLL_MS;
		ready = poll(pfd, n, timeout);
		if (ready < 0 && errno != EINTR)
			break;
		/*
		 * A timeout (the load interval's, 100 times a second) has
		 * nothing to read: no system call per agent for it.
		 */
		while (ready > 0 &&
		       read(sv.sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				llmsd_info("SIGHUP: reloading %s",
					   cfg->path ? cfg->path : "(no file)");
				reload(&sv);
			} else {
				llmsd_info("%s: stopping",
					   strsignal((int)si.ssi_signo));
				shutdown_agents(&sv);
				ret = 0;
				goto out;
			}
		}
		for (i = 0; ready > 0 && i < sv.nslots; i++) {
			struct pollfd one = { .fd = sv.slots[i].child.pidfd,
					      .events = POLLIN };

			if (slot_running(&sv.slots[i]) && poll(&one, 1, 0) == 1)
				slot_exited(&sv, &sv.slots[i]);
		}
		now = mono_ns();
		if (measuring && now >= sv.next_load)
			load_step(&sv, now);
	}
out:
	/* Nothing of the probe outlives the daemon. */
	llmsd_load_close(sv.load);
	if (sv.ready_fd >= 0)
		close(sv.ready_fd);
	for (i = 0; i < sv.nslots; i++)
		if (slot_running(&sv.slots[i]))
			llms_child_release(&sv.slots[i].child);
	llmsd_estimator_close(sv.est);
	llmsd_fence_close(sv.fence);
	free(sv.inv);
	free(sv.slots);
	free(sv.rel);
	llms_cgroup_close(&sv.root);
	llms_cgroup_close(&sv.mount);
	if (sv.fd >= 0)
		close(sv.fd);
	if (sv.sig_fd >= 0)
		close(sv.sig_fd);
	return ret;
}
