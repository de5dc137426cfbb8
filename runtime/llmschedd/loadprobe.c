// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd's load measurement: the figure is defined in loadprobe.h.
 *
 * The probe's maps hold growing counters per agent; each step takes their
 * difference since the last.  An agent's count is what its line of
 * "loads" holds, plus what each CPU has charged it and not yet added
 * there, plus the time each CPU has run it since its last switch (the
 * "oncpu" map): a task that runs without a switch is charged only when
 * it leaves the CPU, and this keeps a busy loop's figure steady between
 * switches.
 *
 * The loop runs 100 times a second, so its cost is kept down: the probe's
 * maps are read through mmap(2), with no system call; the cgroup
 * fallback's files stay open and are read with one pread(2) each; and a
 * report carries only the agents whose figure moved by
 * LLMSD_LOAD_REPORT_DELTA since they were last reported, or were last
 * reported LLMSD_LOAD_KEEPALIVE_MS ago (which the report tells the module,
 * so that it takes them as fresh until four of those have passed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "../bpf/load_probe.h"
#include "../lib/ioctl.h"
#include "load_probe.skel.h"
#include "loadfigure.h"
#include "loadprobe.h"
#include "log.h"

/* The program and this file share the layout; the CPUs' records are lines. */
_Static_assert(sizeof(struct load_probe_cpu) % 64 == 0,
	       "struct load_probe_cpu is whole cache lines");
_Static_assert(sizeof(struct load_probe_stat) == 64,
	       "struct load_probe_stat is one cache line");

#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
/*
 * A refused resize (the module's EBUSY or ENOSPC) is not asked again for
 * this many decisions, doubling with each refusal in a row up to the cap:
 * 1 s, 2 s, ... 64 s.
 */
#define HOLD_MIN	4
#define HOLD_MAX	256

/* What is known of one agent between steps. */
struct agent_state {
	uint32_t agent_id;
	bool seen;		/* in this step's list */
	char name[LLMSD_NAME_MAX + 16];
	struct llms_cgroup cg;	/* ROOT/NAME-I */
	uint64_t cgid;		/* its inode number */
	uint32_t slot;		/* in the probe's "loads" */
	/* The cgroup source's open cpu.stat and cpu.pressure, or -1. */
	int stat_fd, psi_fd;
	uint64_t cpu;		/* reservation at the last step */
	uint64_t base_cpu;
	/* Counters at the last step (ns), and the figures. */
	uint64_t run_ns, wait_ns, switches;
	uint64_t at_ns;		/* when they were read */
	bool primed;
	/* This step's reading. */
	uint64_t cur_run, cur_wait, cur_switches;
	bool cur_ok;
	uint64_t raw;		/* per mille */
	uint64_t smooth;	/* per mille x LLMSD_LOAD_SCALE */
	/* What the module was last told, and when (0: never). */
	uint32_t reported;
	uint64_t reported_ns;
	/* This step's figure, and whether it is due in the report. */
	uint32_t load;
	bool has_load, in_report;
	/* Totals since the agent was first seen (ns). */
	uint64_t run_total, wait_total;
	/* cpu.stat at the last decision. */
	uint64_t usage_usec, throttled_usec;
	uint64_t period_usage, period_throttled; /* in the last period */
	bool stat_primed;
	unsigned int grown, shrunk, refused;
	/* After refusals in a row: decisions to let pass, doubling. */
	unsigned int hold, streak;
};

struct llmsd_load {
	bool bpf;
	struct load_probe_bpf *skel;
	int agents_fd;
	int ncpus;
	/*
	 * The probe's "loads", mapped read-only, and "oncpu", of which
	 * the loader writes each CPU's gen.
	 */
	const struct load_probe_stat *loads;
	struct load_probe_cpu *oncpu;
	uint32_t gen;
	size_t loads_len, oncpu_len;
	/* Slots of "loads" given to an agent; the next one to try. */
	bool slot_used[LOAD_PROBE_MAX_AGENTS + 1];
	uint32_t next_slot;
	struct llms_cgroup root;
	char file[4096 + 32];
	uint64_t interval_ns, window_ns;
	/* Each agent is reported at least this often (the report says so). */
	uint64_t keepalive_ns;
	uint32_t wait_weight;
	bool resize;
	uint64_t resize_step;
	bool psi_missing_told;
	struct agent_state *agents;
	size_t nagents, room;
	struct llmsched_load_entry *entries;
	size_t nentries;
	uint64_t last_ns;
	uint64_t last_decide_ns;
	/* /proc/stat's idle ticks at the last decision. */
	uint64_t idle_ticks;
	uint64_t idle_cpu;	/* millicores idle in the last period */
	unsigned long reports, report_errors, resizes;
	/*
	 * The daemon's own CPU time in the steps (ns, its thread's clock),
	 * sampled every LOAD_TIMED_EVERY steps (the clock is a system call):
	 * measuring, and the report's ioctl, which includes the module's
	 * balancer pass that follows it.  Each span is taken less
	 * @timer_ns, what two reads of the clock in a row span (the
	 * least of a few, measured at open), which is the timing's own
	 * cost.  Reported entries, to compare.
	 */
	uint64_t steps, timed_steps, measure_cpu_ns, report_cpu_ns;
	uint64_t timer_ns;
	uint64_t reported_entries;
};

/* One step in this many is timed. */
#define LOAD_TIMED_EVERY	8

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* What two reads of the thread's clock in a row span, the least of 16. */
static uint64_t timer_cost_ns(void)
{
	uint64_t least = UINT64_MAX, a, b;
	int i;

	for (i = 0; i < 16; i++) {
		a = thread_cpu_ns();
		b = thread_cpu_ns();
		if (b >= a && b - a < least)
			least = b - a;
	}
	return least == UINT64_MAX ? 0 : least;
}

/* The span @t0 to @t1 of the thread's clock, less the timing's own cost. */
static uint64_t timed_span(const struct llmsd_load *lp, uint64_t t0,
			   uint64_t t1)
{
	return t1 > t0 + lp->timer_ns ? t1 - t0 - lp->timer_ns : 0;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	char line[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	llmsd_debug("libbpf: %s", line);
	return 0;
}

/* The level of @path below the cgroup2 mount (its "level" in the kernel). */
static int cgroup_level(const char *path, uint32_t *level)
{
	char *mount = NULL;
	const char *p;
	uint32_t n = 0;
	size_t len;

	if (llms_cgroup_mount(&mount, NULL))
		return -ENOENT;
	len = strlen(mount);
	if (strncmp(path, mount, len)) {
		free(mount);
		return -EINVAL;
	}
	for (p = path + len; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	free(mount);
	*level = n;
	return 0;
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (uint64_t)st.st_ino;
}

/* The bytes an mmap(2) of an array map of @n values of @size spans. */
static size_t map_len(size_t n, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n * size + page - 1) / page * page;
}

static void unmap_probe(struct llmsd_load *lp)
{
	if (lp->loads && lp->loads != MAP_FAILED)
		munmap((void *)lp->loads, lp->loads_len);
	if (lp->oncpu && lp->oncpu != MAP_FAILED)
		munmap(lp->oncpu, lp->oncpu_len);
	lp->loads = NULL;
	lp->oncpu = NULL;
}

static int open_probe(struct llmsd_load *lp, struct llms_error **err)
{
	struct load_probe_bpf *skel;
	uint32_t level;
	int ret;

	ret = cgroup_level(lp->root.path, &level);
	if (ret)
		return llms_error_set(err, -ret,
				      "%s: cannot tell its level below the cgroup2 mount",
				      lp->root.path);
	lp->ncpus = libbpf_num_possible_cpus();
	if (lp->ncpus <= 0)
		return llms_error_set(err, -lp->ncpus, "counting the CPUs");
	libbpf_set_print(libbpf_log);
	skel = load_probe_bpf__open();
	if (!skel)
		return llms_error_set(err, errno, "opening the load probe");
	skel->rodata->root_cgid = inode_of(lp->root.fd);
	skel->rodata->agent_level = level + 1;
	ret = bpf_map__set_max_entries(skel->maps.oncpu, (__u32)lp->ncpus);
	if (!ret)
		ret = load_probe_bpf__load(skel);
	if (ret == -ESRCH) {
		/* libbpf's word for "no kernel BTF found". */
		load_probe_bpf__destroy(skel);
		return llms_error_set(err, ENOENT,
				      "loading the load probe: the kernel's BTF (/sys/kernel/btf/vmlinux) is missing or unreadable; the probe needs a kernel built with CONFIG_DEBUG_INFO_BTF");
	}
	if (ret) {
		load_probe_bpf__destroy(skel);
		return llms_error_set(err, -ret,
				      "loading the load probe (it needs root or CAP_BPF with CAP_PERFMON, and the kernel's BTF in /sys/kernel/btf/vmlinux)");
	}
	ret = load_probe_bpf__attach(skel);
	if (ret) {
		load_probe_bpf__destroy(skel);
		return llms_error_set(err, -ret,
				      "attaching the load probe to the scheduler's tracepoints");
	}
	lp->loads_len = map_len(LOAD_PROBE_MAX_AGENTS + 1, sizeof(*lp->loads));
	lp->oncpu_len = map_len((size_t)lp->ncpus, sizeof(*lp->oncpu));
	lp->loads = mmap(NULL, lp->loads_len, PROT_READ, MAP_SHARED,
			 bpf_map__fd(skel->maps.loads), 0);
	lp->oncpu = mmap(NULL, lp->oncpu_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 bpf_map__fd(skel->maps.oncpu), 0);
	if (lp->loads == MAP_FAILED || lp->oncpu == MAP_FAILED) {
		ret = errno;
		unmap_probe(lp);
		load_probe_bpf__destroy(skel);
		return llms_error_set(err, ret, "mapping the load probe's maps");
	}
	lp->skel = skel;
	lp->agents_fd = bpf_map__fd(skel->maps.agents);
	lp->next_slot = 1;
	lp->bpf = true;
	return 0;
}

int llmsd_load_open(struct llmsd_load **out, const struct llmsd_config *cfg,
		    const struct llms_cgroup *root, struct llms_error **err)
{
	struct llms_error *why = NULL;
	struct llmsd_load *lp;
	int ret;

	lp = calloc(1, sizeof(*lp));
	if (!lp)
		return llms_error_set(err, ENOMEM, "the load measurement");
	lp->agents_fd = -1;
	lp->root.fd = -1;
	lp->timer_ns = timer_cost_ns();
	lp->interval_ns = cfg->load_interval_ns;
	/* A whole number of steps: the report says it is the longest gap. */
	lp->keepalive_ns = LLMSD_LOAD_KEEPALIVE_MS * NSEC_PER_MSEC;
	if (lp->keepalive_ns < lp->interval_ns)
		lp->keepalive_ns = lp->interval_ns;
	lp->keepalive_ns = (lp->keepalive_ns + lp->interval_ns - 1) /
			   lp->interval_ns * lp->interval_ns;
	lp->window_ns = cfg->load_window_ns;
	lp->wait_weight = cfg->load_wait_weight;
	lp->resize = cfg->resize;
	lp->resize_step = cfg->resize_step;
	snprintf(lp->file, sizeof(lp->file), "%s/%s", cfg->state_dir,
		 LLMSD_LOAD_FILE);
	ret = llms_cgroup_open(&lp->root, root->path, err);
	if (ret) {
		free(lp);
		return ret;
	}
	if (!cfg->load_probe) {
		llmsd_info("load: from the cgroups' cpu.stat and cpu.pressure (load_probe = off)");
	} else if (open_probe(lp, &why)) {
		llmsd_log_error(LLMSD_WARN, &why,
				"load: the BPF probe is off, measuring from the cgroups' cpu.stat and cpu.pressure instead");
	} else {
		llmsd_info("load: from the BPF probe, every %llu us",
			   (unsigned long long)(lp->interval_ns / NSEC_PER_USEC));
	}
	*out = lp;
	return 0;
}

const char *llmsd_load_source(const struct llmsd_load *lp)
{
	return lp->bpf ? "bpf" : "cgroup";
}

static void close_state(struct agent_state *s)
{
	if (s->stat_fd >= 0)
		close(s->stat_fd);
	if (s->psi_fd >= 0)
		close(s->psi_fd);
	llms_cgroup_close(&s->cg);
}

/*
 * "agents" changed: the CPUs' tables of leaves look their agents up
 * again.  After the change, which the system call has made visible.
 */
static void agents_changed(struct llmsd_load *lp)
{
	int c;

	lp->gen++;
	for (c = 0; c < lp->ncpus; c++)
		__atomic_store_n(&lp->oncpu[c].gen, lp->gen, __ATOMIC_RELEASE);
}

/*
 * A slot of "loads" for @s, listed in the probe's "agents".  Slots are
 * handed out round the table, so that one let go is taken again last:
 * a run the probe still charged to its old agent is then long counted.
 */
static int give_slot(struct llmsd_load *lp, struct agent_state *s,
		     struct llms_error **err)
{
	uint32_t i, slot = lp->next_slot;

	for (i = 0; i < LOAD_PROBE_MAX_AGENTS && lp->slot_used[slot]; i++)
		slot = slot % LOAD_PROBE_MAX_AGENTS + 1;
	if (lp->slot_used[slot])
		return llms_error_set(err, ENOSPC,
				      "the probe measures at most %d agents",
				      LOAD_PROBE_MAX_AGENTS);
	if (bpf_map_update_elem(lp->agents_fd, &s->cgid, &slot, BPF_ANY))
		return llms_error_set(err, errno,
				      "listing the agent in the load probe");
	agents_changed(lp);
	lp->slot_used[slot] = true;
	lp->next_slot = slot % LOAD_PROBE_MAX_AGENTS + 1;
	s->slot = slot;
	return 0;
}

/* The state of @a, made when first seen; NULL when it cannot be had. */
static struct agent_state *state_of(struct llmsd_load *lp,
				    const struct llmsd_load_agent *a)
{
	struct llms_error *err = NULL;
	struct agent_state *s;
	char path[8192];
	size_t i;

	for (i = 0; i < lp->nagents; i++)
		if (lp->agents[i].agent_id == a->agent_id)
			return &lp->agents[i];
	if (lp->nagents == lp->room) {
		size_t room = lp->room ? lp->room * 2 : 16;
		struct agent_state *grown;

		grown = realloc(lp->agents, room * sizeof(*grown));
		if (!grown)
			return NULL;
		lp->agents = grown;
		lp->room = room;
	}
	s = &lp->agents[lp->nagents];
	memset(s, 0, sizeof(*s));
	s->cg.fd = -1;
	s->stat_fd = s->psi_fd = -1;
	snprintf(path, sizeof(path), "%s/%s", lp->root.path, a->name);
	if (llms_cgroup_open(&s->cg, path, &err)) {
		llmsd_log_error(LLMSD_DEBUG, &err, "load: agent %s", a->name);
		return NULL;
	}
	s->agent_id = a->agent_id;
	snprintf(s->name, sizeof(s->name), "%s", a->name);
	s->cgid = inode_of(s->cg.fd);
	if (llms_cgroup_open_file(&s->cg, "cpu.stat", &s->stat_fd, &err) ||
	    (lp->bpf && give_slot(lp, s, &err))) {
		llmsd_log_error(LLMSD_DEBUG, &err, "load: agent %s", a->name);
		close_state(s);
		return NULL;
	}
	/* Without it the figure lacks the waiting, which read_cgroup() says. */
	if (!lp->bpf &&
	    llms_cgroup_open_file(&s->cg, "cpu.pressure", &s->psi_fd, &err))
		llms_error_free(&err);
	lp->nagents++;
	return s;
}

/* Agents no longer listed: their state goes. */
static void forget_unseen(struct llmsd_load *lp)
{
	size_t i = 0;

	while (i < lp->nagents) {
		if (lp->agents[i].seen) {
			lp->agents[i++].seen = false;
			continue;
		}
		/* Its folder goes with it (a new agent gets a new one)... */
		if (lp->bpf) {
			__u32 listed;

			/*
			 * ...but for a folder that came back under a new id,
			 * whose new state holds the entry now.
			 */
			if (!bpf_map_lookup_elem(lp->agents_fd,
						 &lp->agents[i].cgid, &listed) &&
			    listed == lp->agents[i].slot &&
			    !bpf_map_delete_elem(lp->agents_fd,
						 &lp->agents[i].cgid))
				agents_changed(lp);
			lp->slot_used[lp->agents[i].slot] = false;
		}
		close_state(&lp->agents[i]);
		lp->agents[i] = lp->agents[--lp->nagents];
	}
}

/*
 * The probe's counters of @s as "loads" holds them: runs that ended and
 * that their CPU has added there.  What the CPUs hold yet, and the runs
 * going on, are added after (add_current()).  Each counter
 * is one aligned 64-bit word that the program adds to atomically.
 */
static void read_probe(const struct llmsd_load *lp, struct agent_state *s)
{
	const struct load_probe_stat *st = &lp->loads[s->slot];

	s->cur_run = __atomic_load_n(&st->run_ns, __ATOMIC_ACQUIRE);
	s->cur_wait = __atomic_load_n(&st->wait_ns, __ATOMIC_ACQUIRE);
	s->cur_switches = __atomic_load_n(&st->nr_switches, __ATOMIC_ACQUIRE);
}

/* What one CPU holds for the agents (struct load_probe_cpu), at one time. */
struct cpu_view {
	uint32_t slot, pend_slot;
	uint64_t since_ns, clock_ns, mono_ns;
	uint64_t pend_run, pend_wait, pend_switches;
};

/*
 * A consistent view of @cpu, false when it stayed in the middle of an
 * update for all the tries (its charges then wait for the next step).
 * The program writes each field with one store, all between two bumps of
 * @seq, and x86 keeps stores and loads in order: the fences only keep the
 * compiler from moving the reads across the two reads of @seq.
 */
static bool read_cpu(const struct load_probe_cpu *cpu, struct cpu_view *v)
{
	uint32_t seq;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		seq = __atomic_load_n(&cpu->seq, __ATOMIC_ACQUIRE);
		if (seq & 1)
			continue;
		v->pend_slot = __atomic_load_n(&cpu->pend_slot, __ATOMIC_RELAXED);
		v->pend_run = __atomic_load_n(&cpu->pend_run_ns, __ATOMIC_RELAXED);
		v->pend_wait = __atomic_load_n(&cpu->pend_wait_ns,
					       __ATOMIC_RELAXED);
		v->pend_switches = __atomic_load_n(&cpu->pend_switches,
						   __ATOMIC_RELAXED);
		v->slot = __atomic_load_n(&cpu->slot, __ATOMIC_ACQUIRE);
		v->since_ns = __atomic_load_n(&cpu->since_ns, __ATOMIC_RELAXED);
		v->clock_ns = __atomic_load_n(&cpu->clock_ns, __ATOMIC_RELAXED);
		v->mono_ns = __atomic_load_n(&cpu->mono_ns, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&cpu->seq, __ATOMIC_RELAXED) == seq)
			return true;
	}
	return false;
}

/* The agent that holds @slot in this step's reading, or NULL. */
static struct agent_state *reading_slot(struct llmsd_load *lp, uint32_t slot)
{
	size_t i;

	if (!slot)
		return NULL;
	for (i = 0; i < lp->nagents; i++)
		if (lp->agents[i].cur_ok && lp->agents[i].slot == slot)
			return &lp->agents[i];
	return NULL;
}

/*
 * Each CPU's charges not yet in "loads", and its run going on, to the
 * agents they are for, read after "loads": an amount that moves to
 * "loads", or a run that ends, between the two reads is then missing
 * from this step (and counted in the next), never counted twice.
 */
static void add_current(struct llmsd_load *lp, uint64_t now_ns)
{
	struct agent_state *s;
	struct cpu_view v;
	uint64_t since;
	int c;

	for (c = 0; c < lp->ncpus; c++) {
		if (!read_cpu(&lp->oncpu[c], &v))
			continue;
		s = reading_slot(lp, v.pend_slot);
		if (s) {
			s->cur_run += v.pend_run;
			s->cur_wait += v.pend_wait;
			s->cur_switches += v.pend_switches;
		}
		s = reading_slot(lp, v.slot);
		if (!s || !v.since_ns || !v.clock_ns)
			continue;
		/* The run's start in CLOCK_MONOTONIC, by the CPU's pair. */
		since = v.mono_ns + (int64_t)(v.since_ns - v.clock_ns);
		if ((int64_t)(now_ns - since) > 0)
			s->cur_run += now_ns - since;
	}
}

/* The cgroups' counters of @s now (ns); the switches are not known. */
static int read_cgroup(struct llmsd_load *lp, struct agent_state *s,
		       uint64_t *run, uint64_t *wait)
{
	struct llms_error *err = NULL;
	struct llms_cpu_stat st;
	struct llms_pressure psi;
	int ret;

	ret = llms_cgroup_cpu_stat_fd(&s->cg, s->stat_fd, &st, &err);
	if (ret) {
		llmsd_log_error(LLMSD_DEBUG, &err, "load: agent %s", s->name);
		return ret;
	}
	*run = st.usage_usec * NSEC_PER_USEC;
	/*
	 * Without PSI (or when it stops answering) the waiting stands
	 * still: a 0 after figures would read as counters going back, and
	 * the agent would never be measured again.
	 */
	*wait = s->wait_ns;
	ret = s->psi_fd >= 0 ?
		      llms_cgroup_cpu_pressure_fd(&s->cg, s->psi_fd, &psi, &err) :
		      llms_cgroup_cpu_pressure(&s->cg, &psi, &err);
	if (!ret) {
		*wait = psi.some_total_usec * NSEC_PER_USEC;
	} else if (!lp->psi_missing_told) {
		llmsd_log_error(LLMSD_WARN, &err,
				"load: without run-queue waiting");
		lp->psi_missing_told = true;
	} else {
		llms_error_free(&err);
	}
	return 0;
}

void llmsd_load_step(struct llmsd_load *lp, int fd,
		     const struct llmsd_load_agent *agents, size_t n,
		     uint64_t now_ns)
{
	struct llms_error *err = NULL;
	int ret;
	uint64_t dt = lp->last_ns && now_ns > lp->last_ns ?
			      now_ns - lp->last_ns : 0;
	/* Not the first: it opens every agent's files, once. */
	bool timed = lp->steps++ % LOAD_TIMED_EVERY == LOAD_TIMED_EVERY - 1;
	bool sending = false;
	uint64_t t0 = timed ? thread_cpu_ns() : 0, t1;
	size_t i, count = 0;

	if (n > LOAD_PROBE_MAX_AGENTS)
		n = LOAD_PROBE_MAX_AGENTS;
	if (n > lp->nentries) {
		struct llmsched_load_entry *e;

		e = realloc(lp->entries, n * sizeof(*e));
		if (!e)
			return;
		lp->entries = e;
		lp->nentries = n;
	}
	/* First every agent's ended runs, then the runs going on. */
	for (i = 0; i < n; i++) {
		const struct llmsd_load_agent *a = &agents[i];
		struct agent_state *st;

		if (!a->agent_id)
			continue;
		st = state_of(lp, a);
		if (!st)
			continue;
		st->seen = true;
		st->cpu = a->cpu;
		st->base_cpu = a->base_cpu;
		st->cur_switches = 0;
		if (lp->bpf)
			read_probe(lp, st);
		st->cur_ok = lp->bpf || read_cgroup(lp, st, &st->cur_run,
						    &st->cur_wait) == 0;
	}
	if (lp->bpf)
		add_current(lp, now_ns);
	for (i = 0; i < lp->nagents; i++) {
		struct agent_state *s = &lp->agents[i];
		uint64_t d_run, d_wait, span;

		if (!s->seen || !s->cur_ok)
			continue;
		s->cur_ok = false;
		/*
		 * Less than last time: a run that ended between the two
		 * reads of the last step.  This agent waits for the next
		 * step, whose figure then spans both.
		 */
		if (s->primed &&
		    (s->cur_run < s->run_ns || s->cur_wait < s->wait_ns))
			continue;
		d_run = s->primed ? s->cur_run - s->run_ns : 0;
		d_wait = s->primed ? s->cur_wait - s->wait_ns : 0;
		span = s->primed && now_ns > s->at_ns ? now_ns - s->at_ns : 0;
		s->run_total += d_run;
		s->wait_total += d_wait;
		s->run_ns = s->cur_run;
		s->wait_ns = s->cur_wait;
		s->switches = s->cur_switches;
		s->at_ns = now_ns;
		if (span) {
			s->raw = llmsd_load_raw(d_run, d_wait, lp->wait_weight,
						s->cpu, span);
			s->smooth = llmsd_load_smooth(s->smooth, s->raw, span,
						      lp->window_ns);
		}
		s->primed = true;
		if (!span || !dt)
			continue;
		s->load = llmsd_load_value(s->smooth);
		s->has_load = true;
		s->in_report = llmsd_load_due(s->load, s->reported,
					      s->reported_ns, now_ns,
					      lp->interval_ns, lp->keepalive_ns);
		sending |= s->in_report;
	}
	/*
	 * A report goes out: it takes along every agent past half its
	 * keep-alive, so that the agents' keep-alives fall in step and a
	 * host whose loads hold still sends one report per keep-alive, not
	 * one per agent.
	 */
	count = 0;
	for (i = 0; i < lp->nagents; i++) {
		struct agent_state *s = &lp->agents[i];
		bool take;

		if (!s->has_load)
			continue;
		take = s->in_report ||
		       (sending &&
			now_ns - s->reported_ns >= lp->keepalive_ns / 2);
		s->has_load = false;
		s->in_report = false;
		if (!take)
			continue;
		s->reported = s->load;
		s->reported_ns = now_ns;
		lp->entries[count].agent_id = s->agent_id;
		lp->entries[count].load = s->load;
		count++;
	}
	forget_unseen(lp);
	lp->last_ns = now_ns;
	t1 = timed ? thread_cpu_ns() : 0;
	if (timed) {
		lp->timed_steps++;
		lp->measure_cpu_ns += timed_span(lp, t0, t1);
	}
	if (!count || !dt)
		return;
	/* Fresh for four keep-alives: each listed agent is sent that often. */
	ret = llms_load_report(fd, lp->entries, (uint32_t)count,
			       lp->keepalive_ns, &err);
	if (timed)
		lp->report_cpu_ns += timed_span(lp, t1, thread_cpu_ns());
	if (ret) {
		/* Every interval: say it once in a while, not each time. */
		if (!lp->report_errors++ || !(lp->report_errors % 1000))
			llmsd_log_error(LLMSD_WARN, &err,
					"load: reporting %zu agent(s) (%lu failure(s) so far)",
					count, lp->report_errors);
		else
			llms_error_free(&err);
		/* Told nothing: each is due again at the next step. */
		for (i = 0; i < lp->nagents; i++)
			if (lp->agents[i].reported_ns == now_ns)
				lp->agents[i].reported_ns = 0;
		return;
	}
	lp->reports++;
	lp->reported_entries += count;
}

/* The host's idle and iowait time, in ticks, from /proc/stat. */
static int idle_ticks(uint64_t *ticks)
{
	unsigned long long v[5];
	char line[256];
	FILE *f = fopen("/proc/stat", "re");
	int n;

	if (!f)
		return -errno;
	n = fgets(line, sizeof(line), f) ?
		    sscanf(line, "cpu %llu %llu %llu %llu %llu", &v[0], &v[1],
			   &v[2], &v[3], &v[4]) :
		    0;
	fclose(f);
	if (n != 5)
		return -EPROTO;
	*ticks = v[3] + v[4];
	return 0;
}

static void write_json(struct llmsd_load *lp)
{
	json_object *o = json_object_new_object(), *list, *e;
	char tmp[sizeof(lp->file) + 8];
	size_t i;

	json_object_object_add(o, "source",
			       json_object_new_string(llmsd_load_source(lp)));
	json_object_object_add(o, "interval_ns",
			       json_object_new_uint64(lp->interval_ns));
	json_object_object_add(o, "window_ns",
			       json_object_new_uint64(lp->window_ns));
	json_object_object_add(o, "wait_weight",
			       json_object_new_uint64(lp->wait_weight));
	json_object_object_add(o, "resize", json_object_new_boolean(lp->resize));
	json_object_object_add(o, "reports", json_object_new_uint64(lp->reports));
	json_object_object_add(o, "report_errors",
			       json_object_new_uint64(lp->report_errors));
	json_object_object_add(o, "resizes", json_object_new_uint64(lp->resizes));
	json_object_object_add(o, "keepalive_ns",
			       json_object_new_uint64(lp->keepalive_ns));
	json_object_object_add(o, "steps", json_object_new_uint64(lp->steps));
	json_object_object_add(o, "reported_entries",
			       json_object_new_uint64(lp->reported_entries));
	json_object_object_add(o, "timed_steps",
			       json_object_new_uint64(lp->timed_steps));
	json_object_object_add(o, "measure_cpu_ns",
			       json_object_new_uint64(lp->measure_cpu_ns));
	json_object_object_add(o, "report_cpu_ns",
			       json_object_new_uint64(lp->report_cpu_ns));
	json_object_object_add(o, "timer_cpu_ns",
			       json_object_new_uint64(lp->timer_ns));
	json_object_object_add(o, "idle_cpu",
			       json_object_new_uint64(lp->idle_cpu));
	list = json_object_new_array();
	for (i = 0; i < lp->nagents; i++) {
		const struct agent_state *s = &lp->agents[i];

		e = json_object_new_object();
		json_object_object_add(e, "name", json_object_new_string(s->name));
		json_object_object_add(e, "agent_id",
				       json_object_new_uint64(s->agent_id));
		json_object_object_add(e, "cgroup_id",
				       json_object_new_uint64(s->cgid));
		json_object_object_add(
			e, "load", json_object_new_uint64(llmsd_load_value(s->smooth)));
		json_object_object_add(e, "raw_load",
				       json_object_new_uint64(s->raw));
		json_object_object_add(e, "cpu", json_object_new_uint64(s->cpu));
		json_object_object_add(e, "configured_cpu",
				       json_object_new_uint64(s->base_cpu));
		json_object_object_add(
			e, "run_usec",
			json_object_new_uint64(s->run_total / NSEC_PER_USEC));
		json_object_object_add(
			e, "wait_usec",
			json_object_new_uint64(s->wait_total / NSEC_PER_USEC));
		json_object_object_add(
			e, "switches",
			lp->bpf ? json_object_new_uint64(s->switches) : NULL);
		json_object_object_add(e, "usage_usec",
				       json_object_new_uint64(s->usage_usec));
		json_object_object_add(e, "throttled_usec",
				       json_object_new_uint64(s->throttled_usec));
		json_object_object_add(e, "grown", json_object_new_uint64(s->grown));
		json_object_object_add(e, "shrunk",
				       json_object_new_uint64(s->shrunk));
		json_object_object_add(e, "refused",
				       json_object_new_uint64(s->refused));
		json_object_array_add(list, e);
	}
	json_object_object_add(o, "agents", list);
	snprintf(tmp, sizeof(tmp), "%s.tmp", lp->file);
	/* Written aside, then renamed: a reader sees one whole file. */
	if (json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_PLAIN) ||
	    rename(tmp, lp->file))
		llmsd_debug("load: writing %s: %s", lp->file, strerror(errno));
	json_object_put(o);
}

/* The resize @s calls for, 0 when none. */
static uint64_t want(const struct llmsd_load *lp, const struct agent_state *s,
		     uint64_t period_us, uint64_t free_cpu)
{
	struct llmsd_resize_in in = {
		.period_us = period_us,
		.usage_us = s->period_usage,
		.throttled_us = s->period_throttled,
		.cpu = s->cpu,
		.base_cpu = s->base_cpu,
		.step = lp->resize_step,
		.free_cpu = free_cpu,
		.idle_cpu = lp->idle_cpu,
	};

	if (!s->stat_primed || s->hold)
		return 0;
	return llmsd_resize_want(&in);
}

size_t llmsd_load_decide(struct llmsd_load *lp,
			 const struct llmsd_load_agent *agents, size_t n,
			 uint64_t free_cpu, uint64_t now_ns,
			 struct llmsd_load_resize *out, size_t room)
{
	uint64_t period_us = lp->last_decide_ns && now_ns > lp->last_decide_ns ?
				     (now_ns - lp->last_decide_ns) / NSEC_PER_USEC :
				     0;
	long ticks_per_s = sysconf(_SC_CLK_TCK);
	struct llms_error *err = NULL;
	size_t i, j, count = 0;
	uint64_t idle = 0;

	if (!idle_ticks(&idle)) {
		if (lp->idle_ticks && period_us && ticks_per_s > 0 &&
		    idle >= lp->idle_ticks)
			lp->idle_cpu = (idle - lp->idle_ticks) * 1000000000ULL /
				       (uint64_t)ticks_per_s / period_us;
		lp->idle_ticks = idle;
	}
	lp->last_decide_ns = now_ns;
	for (i = 0; i < lp->nagents; i++) {
		struct agent_state *s = &lp->agents[i];
		struct llms_cpu_stat st;

		if (llms_cgroup_cpu_stat_fd(&s->cg, s->stat_fd, &st, &err)) {
			llmsd_log_error(LLMSD_DEBUG, &err, "load: agent %s",
					s->name);
			continue;
		}
		if (s->stat_primed) {
			s->period_usage = st.usage_usec - s->usage_usec;
			s->period_throttled =
				st.throttled_usec - s->throttled_usec;
		}
		s->stat_primed = true;
		if (s->hold)
			s->hold--;
		s->usage_usec = st.usage_usec;
		s->throttled_usec = st.throttled_usec;
	}
	write_json(lp);
	if (!lp->resize)
		return 0;
	for (j = 0; j < n && count < room; j++) {
		struct agent_state *s = NULL;
		uint64_t cpu;

		for (i = 0; i < lp->nagents; i++)
			if (agents[j].agent_id &&
			    lp->agents[i].agent_id == agents[j].agent_id)
				s = &lp->agents[i];
		if (!s)
			continue;
		cpu = want(lp, s, period_us, free_cpu);
		if (!cpu)
			continue;
		if (cpu > s->cpu) {
			free_cpu -= cpu - s->cpu;
			lp->idle_cpu -= cpu - s->cpu;
		}
		out[count].index = j;
		out[count++].cpu = cpu;
	}
	return count;
}

void llmsd_load_resized(struct llmsd_load *lp, uint32_t agent_id, bool grow,
			int ret)
{
	size_t i;

	for (i = 0; i < lp->nagents; i++) {
		struct agent_state *s = &lp->agents[i];

		if (s->agent_id != agent_id)
			continue;
		if (ret) {
			s->refused++;
			s->hold = HOLD_MIN << (s->streak < 6 ? s->streak : 6);
			if (s->hold > HOLD_MAX)
				s->hold = HOLD_MAX;
			s->streak++;
		} else {
			s->streak = 0;
			lp->resizes++;
			if (grow)
				s->grown++;
			else
				s->shrunk++;
			/* Its throttling so far was under the old size. */
			s->stat_primed = false;
		}
	}
}

void llmsd_load_close(struct llmsd_load *lp)
{
	size_t i;

	if (!lp)
		return;
	/* Detaches every link and unloads the programs and maps. */
	unmap_probe(lp);
	load_probe_bpf__destroy(lp->skel);
	for (i = 0; i < lp->nagents; i++)
		close_state(&lp->agents[i]);
	llms_cgroup_close(&lp->root);
	unlink(lp->file);
	free(lp->agents);
	free(lp->entries);
	free(lp);
}
