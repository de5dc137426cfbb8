/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsched-bench-kernel: shared pieces of the kernel-path benchmark (timing,
 * statistics, waiting for a process to sleep) and the userspace broker
 * baseline it is compared against.
 */
#ifndef LLMSCHED_KBENCH_H
#define LLMSCHED_KBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

static inline uint64_t kb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Timestamps of one round-trip series, in memory shared between the
 * submitter and the agent (MAP_SHARED, set up before fork): the submitter
 * writes t_submit[i] just before it submits task i, the agent writes
 * t_fetch[i] as soon as its fetch of task i returns.
 */
struct kb_stamps {
	unsigned int cap;
	uint64_t *t_submit;
	uint64_t *t_fetch;
};

int kb_stamps_map(struct kb_stamps *st, unsigned int cap);
void kb_stamps_unmap(struct kb_stamps *st);

/* Summary of a latency series. */
struct kb_lat {
	bool ok;
	unsigned int n;		/* samples kept (warm-up dropped) */
	unsigned int not_idle;	/* rounds where the peer never looked asleep */
	double p50_ns, p90_ns, p99_ns, min_ns, max_ns, mean_ns;
	char err[160];		/* why !ok */
};

/*
 * Fill @out from the round trips [@warmup, @total) of @st.  Returns 0, or
 * -1 with out->err set when a sample is missing or negative.
 */
int kb_lat_summarize(const struct kb_stamps *st, unsigned int warmup,
		     unsigned int total, struct kb_lat *out);

/* Median of @n doubles (sorts them). */
double kb_median(double *v, size_t n);

/*
 * Wait until @pid is asleep (state S or D in /proc/PID/stat), so that the
 * next message finds it blocked in its receive or fetch call.  @fd is an
 * open descriptor of /proc/PID/stat (kb_stat_open).  Returns true when it
 * was seen asleep within @timeout_ms.
 */
int kb_stat_open(pid_t pid);
bool kb_wait_asleep(int fd, unsigned int timeout_ms);

/*
 * Round trips through a userspace broker: this process is the client; a
 * forked broker accepts it and a forked agent on a listening AF_UNIX
 * SOCK_SEQPACKET socket and hands each submission to the waiting agent.
 * The session stays up between calls of kb_broker_rounds() so that its
 * rounds can be interleaved with the kernel's.
 */
struct kb_broker;

/*
 * Start a broker and its agent; the agent stamps st->t_fetch[i] for the
 * task whose payload (@payload_len bytes) starts with the index i.
 * Returns NULL with @err filled on failure.
 */
struct kb_broker *kb_broker_start(struct kb_stamps *st,
				  unsigned int payload_len, char *err,
				  size_t errlen);

/*
 * Rounds @first to @first + @n - 1: wait until broker and agent sleep,
 * stamp st->t_submit[i], submit, take the broker's acknowledgement, wait
 * for the agent's word that it completed the task.  Counts in *@not_idle
 * the rounds where one of them was never seen asleep.  0, or -1 with @err.
 */
int kb_broker_rounds(struct kb_broker *b, unsigned int first, unsigned int n,
		     unsigned int *not_idle, char *err, size_t errlen);

/* Pin the broker and its agent to @cpu, or let them run anywhere (-1). */
int kb_broker_pin(struct kb_broker *b, int cpu);

/* Pin @pid (0: the caller) to @cpu, or let it run anywhere (-1). */
int kb_pin(pid_t pid, int cpu);

/* Stop the session; 0, or -1 when the broker or agent did not exit 0. */
int kb_broker_stop(struct kb_broker *b);

#endif /* LLMSCHED_KBENCH_H */
