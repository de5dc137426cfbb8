// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd's agent process: one registered agent, the tasks the module
 * hands it, each in a cgroup of its own below the agent's, run as its
 * submitter.
 *
 * One thread, one poll() loop over the agent's file (POLLIN: a task to
 * fetch; POLLPRI: a control record), a signalfd and the pidfd of every
 * running task.  Control records are taken before anything else, in the
 * order the module wrote them, because a kill or a freeze frees room the
 * module is waiting for.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/libllmsched.h"
#include "../lib/history.h"
#include "fence.h"
#include "gpu.h"
#include "llmschedd.h"
#include "log.h"

#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL

/*
 * How long one turn of the loop waits for a task's cgroup to empty, or to
 * freeze or thaw: short, so that a process slow to die does not cost the
 * agent its heartbeats; the wait goes on at the next turn.
 */
#define CGROUP_OP_TIMEOUT_MS	50
/* How long a task's folder may stay busy after its last process. */
#define CGROUP_REMOVE_TIMEOUT_MS 5000

/*
 * A fetched task, from its fetch to its report.  Two steps wait for its
 * cgroup to be empty, retried on every turn of the loop rather than
 * waited for at once (a process in uninterruptible sleep may take long to
 * die, and the agent must keep its heartbeats meanwhile): confirming a
 * kill (@kill_wanted) and reporting an end (@ended).
 */
struct run {
	uint64_t id;
	struct llmsched_agent_fetch fetch;
	struct llms_child child;	/* pidfd -1 when not running */
	struct llms_cgroup cg;
	uid_t uid;
	gid_t gid;
	uint64_t start_mono, frozen_since, frozen_ns;
	bool frozen;
	/* A kill was asked for and is not confirmed yet. */
	bool kill_wanted;
	/* A freeze or a thaw was asked for and is not done yet. */
	enum { FREEZE_WANTED = 1, THAW_WANTED } freeze_wanted;
	/* Its kill was confirmed: the module ended it, there is no report. */
	bool stopped;
	/* It ended (or never started): to report once nothing of it runs. */
	bool ended, requeue;
	uint32_t end_reason;
	int32_t end_status;
	uint64_t runtime_ns;
	char out_path[4096], err_path[4096];
	char command[256];
	/* Its GPUs: indexes into the agent's set, and their names. */
	unsigned int gpu_idx[LLMSD_AGENT_GPUS_MAX], ngpu;
	char gpu_names[512];
};

struct agent {
	const struct llmsd_agent_params *p;
	int fd, sig_fd;
	uint32_t id;
	struct llms_cgroup cg;
	struct llms_history *history;
	char instance[40];
	struct run **runs;
	size_t nruns, cap;
	void *payload;
	bool draining, lost;
	uint64_t drain_deadline, last_call;
	/* What the agent holds (--agent-gpus), who has which, the fence. */
	struct llmsd_gpu_set *gpus;
	struct llmsd_gpu_alloc alloc;
	struct llmsd_fence *fence;
};

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	return now_ns(CLOCK_MONOTONIC);
}

/* The module's times are CLOCK_MONOTONIC; the history's are wall times. */
static uint64_t to_wall_ns(uint64_t mono)
{
	uint64_t mnow = mono_ns(), wnow = now_ns(CLOCK_REALTIME);

	if (!mono)
		return 0;
	return mono <= mnow ? wnow - (mnow - mono) : wnow;
}

/* ------------------------------------------------------------ history */

/*
 * Which load of the module issued the task ids: they restart at 1 when the
 * module is loaded again, so the history keys rows by (instance, id).  The
 * module's own random number for this load.
 */
static int read_instance(struct agent *a, struct llms_error **err)
{
	char *text = NULL;
	int ret;

	ret = llms_sysfs_read_string("instance", &text, err);
	if (ret)
		return ret;
	snprintf(a->instance, sizeof(a->instance), "%s", text);
	free(text);
	return 0;
}

static void history_open(struct agent *a)
{
	struct llms_error *err = NULL;
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", a->p->state_dir,
		 LLMSD_HISTORY_FILE);
	if (llms_history_open(&a->history, path, 0, &err)) {
		llmsd_log_error(LLMSD_WARN, &err,
				"ended tasks will not be recorded");
		a->history = NULL;
	}
}

/*
 * Record @r's end.  @state, @reason: what the agent reported; the module's
 * own view wins when it has one (a stop decided the end, a report that did
 * not count).
 */
static void history_record(struct agent *a, const struct run *r,
			   uint32_t state, uint32_t reason, int32_t status,
			   uint64_t cpu_usec, uint64_t mem_peak)
{
	struct llms_history_row row = { 0 };
	struct llmsched_task_info info = { 0 };
	struct llms_error *err = NULL;
	uint32_t i;

	if (!a->history)
		return;
	row.task_id = r->id;
	memcpy(row.label, r->fetch.label, sizeof(row.label));
	row.uid = r->fetch.owner_uid;
	row.agent_id = a->id;
	memcpy(row.demand, r->fetch.demand, sizeof(row.demand));
	row.est_ns = r->fetch.est_runtime_ns;
	row.runtime_ns = r->runtime_ns;
	row.cpu_usec = cpu_usec;
	row.mem_peak = mem_peak;
	row.state = state;
	row.reason = reason;
	row.exit_status = status;
	row.nfeatures = r->fetch.nr_features <= LLMSCHED_FEATURES_MAX ?
			r->fetch.nr_features : 0;
	for (i = 0; i < row.nfeatures; i++)
		row.features[i] = (double)r->fetch.features[i];
	snprintf(row.command, sizeof(row.command), "%s", r->command);
	snprintf(row.gpus, sizeof(row.gpus), "%.*s", (int)sizeof(row.gpus) - 1,
		 r->gpu_names);
	memcpy(row.instance, a->instance, sizeof(row.instance));
	/* The module keeps the times; the task is still in its window. */
	if (!llms_task_query(a->fd, r->id, &info, NULL)) {
		row.submit_ns = to_wall_ns(info.submit_ns);
		row.start_ns = to_wall_ns(info.start_ns);
		row.end_ns = to_wall_ns(info.end_ns);
		if (info.state == LLMSCHED_TASK_SUCCEEDED ||
		    info.state == LLMSCHED_TASK_FAILED ||
		    info.state == LLMSCHED_TASK_CANCELLED) {
			row.state = info.state;
			row.reason = info.reason;
			row.exit_status = info.exit_status;
		}
	}
	if (!row.end_ns)
		row.end_ns = now_ns(CLOCK_REALTIME);
	if (llms_history_record(a->history, &row, &err) < 0)
		llmsd_log_error(LLMSD_WARN, &err, "recording task %llu",
				(unsigned long long)r->id);
}

/* --------------------------------------------------------------- runs */

static struct run *run_find(struct agent *a, uint64_t id)
{
	size_t i;

	for (i = 0; i < a->nruns; i++)
		if (a->runs[i]->id == id)
			return a->runs[i];
	return NULL;
}

static void run_forget(struct agent *a, struct run *r)
{
	size_t i;

	for (i = 0; i < a->nruns; i++)
		if (a->runs[i] == r) {
			a->runs[i] = a->runs[--a->nruns];
			break;
		}
	/* Whatever way it ended, its GPUs are free for the next task. */
	llmsd_gpu_release(&a->alloc, r->id);
	llms_cgroup_close(&r->cg);
	free(r);
}

/* Remove the task's folder; what is left of it was killed first. */
static void run_cgroup_remove(struct agent *a, struct run *r)
{
	struct llms_error *err = NULL;
	char name[64];

	if (r->cg.fd < 0)
		return;
	/* Removing the folder would detach it too; this says so at once. */
	if (a->fence && llmsd_fence_detach_all(r->cg.fd, r->cg.path, &err) < 0)
		llmsd_log_error(LLMSD_WARN, &err, "task %llu",
				(unsigned long long)r->id);
	llms_cgroup_close(&r->cg);
	snprintf(name, sizeof(name), LLMSD_TASK_CGROUP_FMT,
		 (unsigned long long)r->id);
	if (llms_cgroup_remove(&a->cg, name, CGROUP_REMOVE_TIMEOUT_MS, &err) &&
	    err->errnum != ENOENT)
		llmsd_log_error(LLMSD_WARN, &err, "task %llu",
				(unsigned long long)r->id);
	llms_error_free(&err);
}

/*
 * Append a line to the task's standard error file, for its owner to read;
 * the file is made (0600, the owner's) when the task never got to it.
 * The folder is root's (task_log_dir()), so nobody else can have put
 * anything at that name.
 */
static void run_note(const struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void run_note(const struct run *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int fd, n;

	if (!r->err_path[0])
		return;
	fd = open(r->err_path,
		  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		  O_NONBLOCK, 0600);
	if (fd < 0)
		return;
	if (fchown(fd, r->uid, r->gid)) {
		close(fd);
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(fd, line, n) < 0) {
		/* The log is the task's; nothing more to do. */
	}
	close(fd);
}

/*
 * @r ended (or never started): report it once nothing of it runs.
 * @reason, @status as the module takes them; @requeue when the fault was
 * the agent's.
 */
static void run_ended(struct run *r, uint32_t reason, int32_t status,
		      bool requeue)
{
	r->ended = true;
	r->end_reason = reason;
	r->end_status = status;
	r->requeue = requeue;
	if (r->start_mono) {
		r->runtime_ns = mono_ns() - r->start_mono - r->frozen_ns;
		if (r->frozen)
			r->runtime_ns -= mono_ns() - r->frozen_since;
	}
}

/*
 * Kill what is left of @r and see that nothing of it runs: true then.
 * False while its processes are still on their way out.
 */
static bool run_gone(struct run *r)
{
	struct llms_error *err = NULL;
	bool populated;

	if (r->cg.fd < 0)
		return true;
	if (!llms_cgroup_populated(&r->cg, &populated, NULL) && !populated)
		return true;
	if (!llms_cgroup_kill(&r->cg, CGROUP_OP_TIMEOUT_MS, &err))
		return true;
	if (err->errnum != ETIMEDOUT)
		llmsd_log_error(LLMSD_WARN, &err, "task %llu: killing it",
				(unsigned long long)r->id);
	llms_error_free(&err);
	return false;
}

/*
 * The report of an ended @r whose cgroup is empty: its figures, its folder
 * removed, the module told (unless its kill was confirmed: the module
 * ended it then), the history written; then it is forgotten.
 */
static void run_report(struct agent *a, struct run *r)
{
	struct llmsched_agent_complete c = { 0 };
	struct llms_cpu_stat cpu = { 0 };
	struct llms_error *err = NULL;
	uint32_t state, reason = r->end_reason;
	uint64_t peak = 0;
	bool record = !r->requeue;
	int ret;

	if (r->cg.fd >= 0) {
		if (llms_cgroup_cpu_stat(&r->cg, &cpu, NULL))
			cpu.usage_usec = 0;
		if (llms_cgroup_memory_peak(&r->cg, &peak, NULL) &&
		    llms_cgroup_memory_current(&r->cg, &peak, NULL))
			peak = 0;
	}
	run_cgroup_remove(a, r);
	state = reason ? LLMSCHED_TASK_FAILED : LLMSCHED_TASK_SUCCEEDED;
	if (r->stopped) {
		/* The module ended it with the kill: it says how. */
		state = LLMSCHED_TASK_CANCELLED;
		reason = LLMSCHED_REASON_CANCELLED;
	} else {
		c.task_id = r->id;
		c.reason = reason;
		c.exit_status = r->end_status;
		c.runtime_ns = r->runtime_ns;
		c.flags = r->requeue ? LLMSCHED_COMPLETE_REQUEUE : 0;
		ret = llms_agent_complete(a->fd, &c, &err);
		a->last_call = mono_ns();
		if (ret == -EBADFD) {
			/* Lost meanwhile: the module decides, nothing to keep. */
			a->lost = true;
			record = false;
		} else if (ret == -ECANCELED || ret == -EALREADY) {
			/* A stop decided its end: the history asks the module. */
			state = LLMSCHED_TASK_CANCELLED;
			reason = LLMSCHED_REASON_CANCELLED;
		} else if (ret) {
			llmsd_log_error(LLMSD_WARN, &err, "task %llu",
					(unsigned long long)r->id);
			record = false;
		}
		llms_error_free(&err);
	}
	llmsd_info("task %llu: %s%s%s, status %d, %.3f s",
		   (unsigned long long)r->id, llms_task_state_name(state),
		   reason ? " " : "",
		   reason ? llms_task_reason_name(reason) : "", r->end_status,
		   r->runtime_ns / 1e9);
	if (record)
		history_record(a, r, state, reason, r->end_status,
			       cpu.usage_usec, peak);
	run_forget(a, r);
}

/* ---------------------------------------------------------- launching */

/*
 * LOG_DIR/tasks/UID/: root's, mode 0711.  Root's, because the agent
 * creates files in it as root: a folder the user could write to would let
 * the user put a hard link or a FIFO where the agent is about to open a
 * log.  0711, because the user reads the files by name (they are 0600,
 * the user's) while nobody lists or opens another user's.
 */
static int task_log_dir(struct agent *a, const struct llms_user *u,
			char *dir, size_t size, struct llms_error **err)
{
	struct stat st;

	snprintf(dir, size, "%s/%s", a->p->log_dir, LLMS_TASKLOG_DIR);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return llms_error_set(err, errno, "creating %s", dir);
	if ((size_t)snprintf(dir, size, "%s/%s/%u", a->p->log_dir,
			     LLMS_TASKLOG_DIR, (unsigned int)u->uid) >= size)
		return llms_error_set(err, ENAMETOOLONG, "log folder %s",
				      a->p->log_dir);
	if (mkdir(dir, 0711) && errno != EEXIST)
		return llms_error_set(err, errno, "creating %s", dir);
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode))
		return llms_error_set(err, ENOTDIR, "%s is not a folder", dir);
	if ((st.st_uid || st.st_gid) && lchown(dir, 0, 0))
		return llms_error_set(err, errno, "giving %s to root", dir);
	if ((st.st_mode & 07777) != 0711 && chmod(dir, 0711))
		return llms_error_set(err, errno, "chmod 0711 %s", dir);
	return 0;
}

/*
 * What a submitter wrote, made fit for logs and the history: printable
 * ASCII only, so that an argument cannot forge a log line (a newline and
 * "<3>...") nor make its history row unwritable.
 */
static void make_printable(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}

static void run_command_line(struct run *r, const struct llms_payload *pl)
{
	size_t i, off = 0;

	r->command[0] = '\0';
	for (i = 0; i < pl->argc && off + 1 < sizeof(r->command); i++)
		off += snprintf(r->command + off, sizeof(r->command) - off,
				"%s%s", i ? " " : "", pl->argv[i]);
	make_printable(r->command);
}

/* The submitter's environment, and what the task needs to know. */
static char **task_env(struct agent *a, const struct run *r,
		       const struct llms_payload *pl)
{
	const __u64 *d = r->fetch.demand;
	char **env;
	size_t n = 0;
	uint32_t i;

	env = calloc(pl->envc + 8 + LLMSD_GPU_ENV_MAX, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < pl->envc; i++) {
		/* Ours win: a submitter cannot pose as another task. */
		if (!strncmp(pl->envp[i], "LLMSCHED_", 9))
			continue;
		env[n++] = strdup(pl->envp[i]);
	}
	if (asprintf(&env[n++], "LLMSCHED_TASK_ID=%llu",
		     (unsigned long long)r->id) < 0 ||
	    asprintf(&env[n++], "LLMSCHED_AGENT_ID=%u", a->id) < 0 ||
	    asprintf(&env[n++], "LLMSCHED_AGENT_NAME=%s", a->p->name) < 0 ||
	    asprintf(&env[n++], "LLMSCHED_CPU_MILLICORES=%llu",
		     (unsigned long long)d[LLMSCHED_RES_CPU]) < 0 ||
	    asprintf(&env[n++], "LLMSCHED_MEMORY_BYTES=%llu",
		     (unsigned long long)d[LLMSCHED_RES_MEM]) < 0 ||
	    asprintf(&env[n++], "LLMSCHED_GPUS=%llu",
		     (unsigned long long)d[LLMSCHED_RES_GPU]) < 0)
		env[n - 1] = NULL;
	else if (a->gpus && a->gpus->ngpus) {
		char names[512];
		int k = llmsd_gpu_env(a->gpus, r->gpu_idx, r->ngpu, env + n,
				      names, sizeof(names));

		if (k < 0)
			env[n++] = NULL;
		else
			n += (size_t)k;
	}
	for (i = 0; i < n; i++)
		if (!env[i]) {
			for (i = 0; i < n; i++)
				free(env[i]);
			free(env);
			return NULL;
		}
	return env;
}

static void env_free(char **env)
{
	size_t i;

	for (i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/*
 * The GPUs @r asked for (its demand), from those of the agent that no
 * running task has; their names in @r->gpu_names.
 */
static int task_gpus(struct agent *a, struct run *r, struct llms_error **err)
{
	const __u64 *d = r->fetch.demand;
	size_t off = 0;
	unsigned int i;

	r->ngpu = 0;
	r->gpu_names[0] = '\0';
	if (!a->gpus)
		return 0;
	if (llmsd_gpu_take(&a->alloc, r->id, d[LLMSCHED_RES_GPU],
			   d[LLMSCHED_RES_GPU_MEM], r->gpu_idx, &r->ngpu))
		return llms_error_set(err, EBUSY,
				      "%llu GPU(s) asked for, fewer free of the agent's %zu: the module's ledger and the agent disagree",
				      (unsigned long long)d[LLMSCHED_RES_GPU],
				      a->gpus->ngpus);
	for (i = 0; i < r->ngpu && off < sizeof(r->gpu_names); i++)
		off += (size_t)snprintf(r->gpu_names + off,
					sizeof(r->gpu_names) - off, "%s%s",
					i ? "," : "",
					a->gpus->gpus[r->gpu_idx[i]].name);
	return 0;
}

/* The task's folder fenced: its own GPUs and the ordinary nodes. */
static int task_fence(struct agent *a, struct run *r, struct llms_error **err)
{
	struct llmsd_dev devs[LLMSD_AGENT_GPUS_MAX * LLMSD_GPU_NODES_MAX];
	size_t n = 0;
	unsigned int i, j;

	for (i = 0; i < r->ngpu; i++) {
		const struct llmsd_gpu *g = &a->gpus->gpus[r->gpu_idx[i]];

		for (j = 0; j < g->ndevs; j++)
			devs[n++] = g->devs[j];
	}
	return llmsd_fence_attach(a->fence, r->cg.fd, r->cg.path,
				  a->gpus->allow, a->gpus->nallow, devs, n,
				  err);
}

/* The task's own folder, with its demand as its limits. */
static int task_cgroup(struct agent *a, struct run *r, struct llms_error **err)
{
	const __u64 *d = r->fetch.demand;
	char name[64];
	int ret;

	snprintf(name, sizeof(name), LLMSD_TASK_CGROUP_FMT,
		 (unsigned long long)r->id);
	ret = llms_cgroup_create(&r->cg, &a->cg, name, err);
	if (ret)
		return ret;
	if (d[LLMSCHED_RES_CPU])
		ret = llms_cgroup_set_cpu_max(&r->cg, d[LLMSCHED_RES_CPU], 0,
					      err);
	if (!ret && d[LLMSCHED_RES_MEM]) {
		ret = llms_cgroup_set_limit(&r->cg, LLMS_MEMORY_MAX,
					    d[LLMSCHED_RES_MEM], err);
		if (!ret)
			ret = llms_cgroup_set_limit(&r->cg,
						    LLMS_MEMORY_SWAP_MAX, 0,
						    err);
	}
	if (!ret && a->fence)
		ret = task_fence(a, r, err);
	return ret;
}

/*
 * Start what @r's payload says, as its submitter.  Whatever fails is the
 * task's LAUNCH failure, said in its log where there is one.
 */
static void run_launch(struct agent *a, struct run *r)
{
	struct llms_payload *pl = NULL;
	struct llms_user user = { 0 };
	struct llms_spawn_attr attr = { 0 };
	struct llms_error *err = NULL;
	char dir[3072], **env = NULL, text[800], header[700];
	int ret;

	r->uid = r->fetch.owner_uid;
	ret = llms_payload_decode(a->payload, r->fetch.payload_len, &pl, &err);
	if (!ret) {
		run_command_line(r, pl);
		ret = llms_user_lookup(r->fetch.owner_uid, &user, &err);
	}
	if (!ret) {
		r->gid = user.gid;
		ret = task_log_dir(a, &user, dir, sizeof(dir), &err);
	}
	if (!ret) {
		/* The names llmctl log and llmsub --follow read. */
		ret = llms_tasklog_path(r->out_path, sizeof(r->out_path),
					a->p->log_dir, r->uid, r->id,
					LLMS_TASKLOG_STDOUT, &err);
	}
	if (!ret)
		ret = llms_tasklog_path(r->err_path, sizeof(r->err_path),
					a->p->log_dir, r->uid, r->id,
					LLMS_TASKLOG_STDERR, &err);
	if (!ret)
		ret = task_gpus(a, r, &err);
	if (!ret)
		ret = task_cgroup(a, r, &err);
	if (!ret) {
		env = task_env(a, r, pl);
		if (!env)
			ret = llms_error_set(&err, ENOMEM, "environment");
	}
	if (!ret) {
		ret = llms_agent_start(a->fd, r->id, &err);
		a->last_call = mono_ns();
		if (ret == -ECANCELED) {
			/* Cancelled before it started: nothing to run. */
			llms_error_free(&err);
			llmsd_info("task %llu: cancelled before it started",
				   (unsigned long long)r->id);
			r->stopped = true;
			run_ended(r, LLMSCHED_REASON_CANCELLED, 0, false);
			goto out;
		}
	}
	if (!ret) {
		attr.argv = pl->argv;
		attr.envp = env;
		attr.cwd = pl->cwd && pl->cwd[0] ? pl->cwd : user.home;
		attr.cgroup_fd = r->cg.fd;
		attr.as_user = true;
		attr.uid = user.uid;
		attr.stdout_path = r->out_path;
		attr.stderr_path = r->err_path;
		if (r->ngpu) {
			snprintf(header, sizeof(header),
				 "llmschedd: task %llu holds GPU(s) %s of agent %s\n",
				 (unsigned long long)r->id, r->gpu_names,
				 a->p->name);
			attr.stderr_header = header;
		}
		attr.new_session = true;
		r->start_mono = mono_ns();
		ret = llms_spawn(&attr, &r->child, &err);
	}
	if (!ret) {
		llmsd_info("task %llu: started as uid %u (pid %d)%s%s: %s",
			   (unsigned long long)r->id, (unsigned int)user.uid,
			   (int)r->child.pid, r->ngpu ? " on GPUs " : "",
			   r->gpu_names, r->command);

		goto out;
	}
	r->child.pidfd = -1;
	llms_error_format(err, text, sizeof(text));
	make_printable(text);
	llmsd_warn("task %llu: could not launch it: %s",
		   (unsigned long long)r->id, text);
	run_note(r, "llmschedd: could not launch the task: %s", text);
	run_ended(r, LLMSCHED_REASON_LAUNCH, err ? err->errnum : EIO, false);
	llms_error_free(&err);
out:
	env_free(env);
	llms_user_free(&user);
	llms_payload_free(pl);
}

/* Fetch what the module handed us, and launch it. */
static int agent_fetch(struct agent *a)
{
	struct llms_error *err = NULL;
	struct run *r, **grown;
	int ret;

	for (;;) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		r->cg = (struct llms_cgroup)LLMS_CGROUP_INIT;
		r->child.pidfd = -1;
		r->fetch.timeout_ns = 0;
		r->fetch.payload_ptr = (uintptr_t)a->payload;
		r->fetch.payload_len = LLMSCHED_PAYLOAD_MAX;
		ret = llms_agent_fetch(a->fd, &r->fetch, &err);
		a->last_call = mono_ns();
		if (ret) {
			free(r);
			if (ret == -EAGAIN || ret == -ENOMSG || ret == -ETIMEDOUT) {
				llms_error_free(&err);
				return 0;
			}
			if (ret == -EBADFD) {
				llms_error_free(&err);
				a->lost = true;
				return 0;
			}
			llmsd_log_error(LLMSD_WARN, &err, "fetching a task");
			return ret;
		}
		r->id = r->fetch.task_id;
		if (a->nruns == a->cap) {
			size_t cap = a->cap ? 2 * a->cap : 16;

			grown = realloc(a->runs, cap * sizeof(*grown));
			if (!grown) {
				free(r);
				return -ENOMEM;
			}
			a->runs = grown;
			a->cap = cap;
		}
		a->runs[a->nruns++] = r;
		run_launch(a, r);
	}
}

/* ------------------------------------------------------------ control */

static void agent_confirm(struct agent *a, uint64_t id, uint32_t kind)
{
	struct llms_error *err = NULL;
	int ret;

	ret = llms_agent_confirm(a->fd, id, kind, &err);
	a->last_call = mono_ns();
	/* ENOENT: it ended on its own meanwhile; the module knows. */
	if (ret && ret != -ENOENT)
		llmsd_log_error(LLMSD_WARN, &err, "confirming for task %llu",
				(unsigned long long)id);
	llms_error_free(&err);
}

/*
 * A kill: the slot stays the task's until nothing of it runs, so it is
 * confirmed from agent_progress() once its cgroup is empty.
 */
static void control_kill(struct agent *a, const struct llmsched_agent_control *c)
{
	struct run *r = run_find(a, c->task_id);

	llmsd_info("task %llu: kill (%s)", (unsigned long long)c->task_id,
		   llms_task_reason_name(c->reason));
	if (r)
		r->kill_wanted = true;
	else
		/* Not ours any more: it ended; nothing of it runs. */
		agent_confirm(a, c->task_id, LLMSCHED_CONTROL_KILL);
}

static void control_freeze(struct agent *a,
			   const struct llmsched_agent_control *c, bool freeze)
{
	struct run *r = run_find(a, c->task_id);

	if (r)
		r->freeze_wanted = freeze ? FREEZE_WANTED : THAW_WANTED;
	else
		agent_confirm(a, c->task_id, freeze ? LLMSCHED_CONTROL_FREEZE :
						      LLMSCHED_CONTROL_THAW);
}

/* A freeze or thaw asked for: done and confirmed once the kernel says so. */
static void run_freeze_step(struct agent *a, struct run *r)
{
	bool freeze = r->freeze_wanted == FREEZE_WANTED;
	struct llms_error *err = NULL;
	int ret = 0;

	if (r->cg.fd >= 0)
		ret = freeze ? llms_cgroup_freeze(&r->cg, CGROUP_OP_TIMEOUT_MS,
						  &err) :
			       llms_cgroup_thaw(&r->cg, CGROUP_OP_TIMEOUT_MS,
						&err);
	if (ret) {
		/* ETIMEDOUT: still on its way; again at the next turn. */
		if (ret != -ETIMEDOUT)
			llmsd_log_error(LLMSD_ERR, &err, "task %llu: %s",
					(unsigned long long)r->id,
					freeze ? "freeze" : "thaw");
		llms_error_free(&err);
		return;
	}
	if (freeze != r->frozen) {
		if (freeze)
			r->frozen_since = mono_ns();
		else
			r->frozen_ns += mono_ns() - r->frozen_since;
		r->frozen = freeze;
	}
	r->freeze_wanted = 0;
	llmsd_info("task %llu: %s", (unsigned long long)r->id,
		   freeze ? "frozen" : "thawed");
	agent_confirm(a, r->id,
		      freeze ? LLMSCHED_CONTROL_FREEZE : LLMSCHED_CONTROL_THAW);
}

/* Take every control record waiting, in order. */
static void agent_control(struct agent *a)
{
	struct llmsched_agent_control c;
	struct llms_error *err = NULL;
	int ret;

	while (!a->lost) {
		memset(&c, 0, sizeof(c));
		c.timeout_ns = 0;
		ret = llms_agent_control(a->fd, &c, &err);
		a->last_call = mono_ns();
		if (ret) {
			if (ret == -EBADFD)
				a->lost = true;
			else if (ret != -EAGAIN && ret != -ETIMEDOUT)
				llmsd_log_error(LLMSD_WARN, &err,
						"reading control records");
			llms_error_free(&err);
			return;
		}
		switch (c.kind) {
		case LLMSCHED_CONTROL_KILL:
			control_kill(a, &c);
			break;
		case LLMSCHED_CONTROL_FREEZE:
			control_freeze(a, &c, true);
			break;
		case LLMSCHED_CONTROL_THAW:
			control_freeze(a, &c, false);
			break;
		case LLMSCHED_CONTROL_LOST:
			a->lost = true;
			break;
		default:
			llmsd_warn("control record %llu of unknown kind %u: ignored",
				   (unsigned long long)c.seq, c.kind);
			break;
		}
	}
}

/* ------------------------------------------------------------ reaping */

static void run_reap(struct run *r)
{
	struct llms_memory_events ev = { 0 };
	struct llms_error *err = NULL;
	uint32_t reason;
	int status, code;

	if (llms_child_wait(&r->child, 0, &status, &err)) {
		/* Not ours to wait for after all: count it as killed. */
		llms_error_free(&err);
		llms_child_release(&r->child);
		run_ended(r, LLMSCHED_REASON_SIGNAL, SIGKILL, false);
		return;
	}
	if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
		reason = code ? LLMSCHED_REASON_EXIT : LLMSCHED_REASON_NONE;
	} else {
		code = WTERMSIG(status);
		reason = LLMSCHED_REASON_SIGNAL;
	}
	/* Any process of the task killed for memory makes it an OOM. */
	if (reason != LLMSCHED_REASON_NONE && r->cg.fd >= 0 &&
	    !llms_cgroup_memory_events(&r->cg, &ev, NULL) && ev.oom_kill) {
		reason = LLMSCHED_REASON_OOM;
		run_note(r, "llmschedd: the task went past its memory (%llu bytes) and was killed",
			 (unsigned long long)r->fetch.demand[LLMSCHED_RES_MEM]);
	}
	run_ended(r, reason, code, false);
}

/*
 * One step for every task waiting on its cgroup: kills confirmed, freezes
 * and thaws done, ends reported, each once nothing of the task runs.  From
 * the last, as run_forget() moves the last into the place it frees.
 */
static void agent_progress(struct agent *a)
{
	size_t i;

	for (i = a->nruns; i-- > 0 && !a->lost;) {
		struct run *r = a->runs[i];

		if (r->kill_wanted && run_gone(r)) {
			r->kill_wanted = false;
			r->freeze_wanted = 0;
			r->stopped = true;
			agent_confirm(a, r->id, LLMSCHED_CONTROL_KILL);
		}
		if (r->freeze_wanted && !r->kill_wanted && !r->ended)
			run_freeze_step(a, r);
		if (r->ended && !r->kill_wanted && run_gone(r))
			run_report(a, r);
	}
}

/* ------------------------------------------------------------- leaving */

/*
 * Out of drain time: kill every task and report each as the agent's
 * failure, so that it runs elsewhere.  A task whose processes will not go
 * is left: once the agent has gone, the module's fence holds it until the
 * supervisor has emptied the agent's cgroup.
 */
static void agent_kill_all(struct agent *a)
{
	unsigned int tries;
	size_t i;

	for (tries = 0; tries < 20 && a->nruns && !a->lost; tries++) {
		for (i = a->nruns; i-- > 0;) {
			struct run *r = a->runs[i];
			int status;

			if (!run_gone(r))
				continue;
			if (r->child.pidfd >= 0 &&
			    llms_child_wait(&r->child, 100, &status, NULL))
				llms_child_release(&r->child);
			if (!r->ended)
				run_ended(r, LLMSCHED_REASON_SIGNAL, SIGKILL,
					  true);
			if (!r->kill_wanted)
				run_report(a, r);
		}
		agent_progress(a);
	}
}

/* Lost: the module takes no more calls; kill everything and go. */
static void agent_abandon(struct agent *a)
{
	while (a->nruns) {
		struct run *r = a->runs[a->nruns - 1];
		int status;

		if (r->cg.fd >= 0)
			llms_cgroup_kill(&r->cg, 1000, NULL);
		if (r->child.pidfd >= 0 &&
		    llms_child_wait(&r->child, 100, &status, NULL))
			llms_child_release(&r->child);
		run_cgroup_remove(a, r);
		run_forget(a, r);
	}
}

static int agent_unregister(struct agent *a)
{
	struct llms_error *err = NULL;
	int ret = llms_agent_unregister(a->fd, &err);

	if (ret)
		llmsd_log_error(LLMSD_WARN, &err, "unregistering");
	return ret;
}

static void agent_start_drain(struct agent *a)
{
	struct llms_error *err = NULL;

	if (a->draining)
		return;
	a->draining = true;
	a->drain_deadline = mono_ns() + a->p->drain_timeout_ns;
	llmsd_info("draining: %zu task(s) left to finish", a->nruns);
	if (llms_agent_drain(a->fd, a->id, 0, &err))
		llmsd_log_error(LLMSD_WARN, &err, "draining");
}

static void agent_signals(struct agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			agent_start_drain(a);
}

/* --------------------------------------------------------------- main */

static int agent_setup(struct agent *a)
{
	struct llmsched_agent_register reg = { 0 };
	struct llms_error *err = NULL;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	sigdelset(&set, SIGPIPE);
	sigdelset(&set, SIGHUP);
	a->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (a->sig_fd < 0)
		return -errno;
	a->payload = malloc(LLMSCHED_PAYLOAD_MAX);
	if (!a->payload)
		return -ENOMEM;

	if (llms_cgroup_open(&a->cg, a->p->cgroup, &err))
		goto fail;
	if (a->p->gpus) {
		a->gpus = calloc(1, sizeof(*a->gpus));
		if (!a->gpus) {
			llms_error_set(&err, ENOMEM, "GPUs");
			goto fail;
		}
		if (llmsd_gpu_decode(a->p->gpus, a->gpus, &err))
			goto fail;
		a->alloc.n = a->gpus->ngpus;
		a->alloc.share = a->gpus->share;
		if (a->gpus->fence && llmsd_fence_open(&a->fence, &err))
			goto fail;
	}
	a->fd = llms_open(O_NONBLOCK, &err);
	if (a->fd < 0)
		goto fail;
	reg.pid = getpid();
	reg.cgroup_fd = a->cg.fd;
	reg.slots = a->p->slots;
	reg.tags = a->p->tags;
	memcpy(reg.capacity, a->p->capacity, sizeof(reg.capacity));
	if (llms_agent_register(a->fd, &reg, &err))
		goto fail;
	a->id = reg.agent_id;
	a->last_call = mono_ns();
	llmsd_info("registered as agent %u (%s, %u slot(s))", a->id,
		   a->p->cgroup, a->p->slots);
	if (read_instance(a, &err))
		goto fail;
	history_open(a);
	return 0;
fail:
	llmsd_log_error(LLMSD_ERR, &err, "agent %s", a->p->name);
	return -EIO;
}

/* Whether a task waits on its cgroup: the loop then turns more often. */
static bool agent_waiting(const struct agent *a)
{
	size_t i;

	for (i = 0; i < a->nruns; i++)
		if (a->runs[i]->kill_wanted || a->runs[i]->freeze_wanted ||
		    a->runs[i]->ended)
			return true;
	return false;
}

int llmsd_agent_main(const struct llmsd_agent_params *p)
{
	struct agent a = { .p = p, .fd = -1, .sig_fd = -1,
			   .cg = LLMS_CGROUP_INIT };
	struct pollfd *pfd = NULL;
	int hb_ms = (int)(p->heartbeat_ns / NSEC_PER_MSEC);
	int status = LLMSD_AGENT_EXIT_FAILED;
	uint64_t fetch_pause_until = 0;
	size_t i, n;

	if (hb_ms < 1)
		hb_ms = 1;
	if (agent_setup(&a))
		goto out;

	for (;;) {
		struct llms_error *err = NULL;
		bool fetching;

		agent_control(&a);
		agent_progress(&a);
		fetching = !a.draining && mono_ns() >= fetch_pause_until;
		/* A call that keeps failing is retried, not spun on. */
		if (fetching && !a.lost && agent_fetch(&a) < 0)
			fetch_pause_until = mono_ns() + 100 * NSEC_PER_MSEC;
		if (a.lost)
			break;
		if (a.draining && !a.nruns)
			break;
		if (a.draining && mono_ns() > a.drain_deadline) {
			llmsd_warn("drain timeout: killing %zu task(s), they run again elsewhere",
				   a.nruns);
			agent_kill_all(&a);
			break;
		}
		if (mono_ns() - a.last_call >= p->heartbeat_ns) {
			if (llms_agent_heartbeat(a.fd, &err) == -EBADFD)
				a.lost = true;
			llms_error_free(&err);
			a.last_call = mono_ns();
			if (a.lost)
				break;
		}

		free(pfd);
		pfd = calloc(a.nruns + 2, sizeof(*pfd));
		if (!pfd)
			break;
		pfd[0].fd = a.fd;
		pfd[0].events = POLLPRI | (fetching ? POLLIN : 0);
		pfd[1].fd = a.sig_fd;
		pfd[1].events = POLLIN;
		for (i = 0, n = 2; i < a.nruns; i++) {
			pfd[n].fd = a.runs[i]->child.pidfd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, agent_waiting(&a) ? 20 : hb_ms) < 0 &&
		    errno != EINTR)
			break;
		if (pfd[1].revents)
			agent_signals(&a);
		if (pfd[0].revents & POLLHUP)
			a.lost = true;
		/* Ends are only marked here: nothing moves in a.runs. */
		for (i = 2; i < n; i++)
			if ((pfd[i].revents & POLLIN) &&
			    a.runs[i - 2]->child.pidfd == pfd[i].fd)
				run_reap(a.runs[i - 2]);
	}

	if (a.lost) {
		llmsd_warn("the module declared this agent lost: killing its %zu task(s)",
			   a.nruns);
		agent_abandon(&a);
		agent_unregister(&a);
		status = LLMSD_AGENT_EXIT_LOST;
	} else if (a.fd >= 0) {
		if (!agent_unregister(&a)) {
			llmsd_info("unregistered");
			status = LLMSD_AGENT_EXIT_DONE;
		}
	}
out:
	free(pfd);
	free(a.runs);
	free(a.payload);
	if (a.history)
		llms_history_close(a.history);
	llmsd_fence_close(a.fence);
	free(a.gpus);
	if (a.fd >= 0)
		close(a.fd);
	llms_cgroup_close(&a.cg);
	return status;
}
