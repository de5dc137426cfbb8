// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-bench-kernel: the baseline, a plain userspace broker.
 *
 * This is what a user would build without the module: a broker process
 * listening on an AF_UNIX SOCK_SEQPACKET socket.  A client connects and
 * sends a submission (the same struct llmsched_task_submit and the same
 * payload as the kernel path); the broker copies it into a task record,
 * gives it an id, hands it at once to an agent that is waiting on its own
 * connection (the fetch reply carries a struct llmsched_agent_fetch and the
 * payload, as AGENT_FETCH does), then acknowledges the client with the id.
 * The agent completes each task and asks for the next.  The broker blocks
 * in poll(); nothing sleeps or spins on purpose, and each message is one
 * send() and one recv().
 *
 * The round trip measured is the same as the kernel's: the client takes a
 * CLOCK_MONOTONIC time stamp just before it sends the submission, the agent
 * takes one when its receive returns.  Before each round the client waits
 * until both the broker and the agent are asleep, so the agent is really
 * waiting when the submission comes.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/llmsched.h>

#include "kbench.h"

enum kb_msg_type {
	KB_MSG_HELLO_CLIENT = 1,
	KB_MSG_HELLO_AGENT,
	KB_MSG_SUBMIT,		/* client -> broker: a task */
	KB_MSG_ACK,		/* broker -> client: its id, or an error */
	KB_MSG_FETCH,		/* agent -> broker: I wait for a task */
	KB_MSG_TASK,		/* broker -> agent: a task */
	KB_MSG_COMPLETE,	/* agent -> broker: it ended */
	KB_MSG_QUIT,		/* client -> broker: stop */
};

struct kb_msg {
	uint32_t type;
	int32_t error;
	uint64_t task_id;
	union {
		struct llmsched_task_submit submit;
		struct llmsched_agent_fetch task;
		struct llmsched_agent_complete complete;
	};
	/* the payload follows a SUBMIT or a TASK */
};

#define KB_MSG_MAX	(sizeof(struct kb_msg) + LLMSCHED_PAYLOAD_MAX)
#define KB_IO_TIMEOUT_MS 5000

/* The broker's own copy of a task. */
struct kb_btask {
	struct kb_btask *next;
	uint64_t id;
	uint32_t uid;
	struct llmsched_task_submit desc;
	uint32_t payload_len;
	unsigned char payload[];
};

struct kb_bstate {
	int client, agent;
	struct kb_btask *head, *tail;	/* FIFO of tasks not handed out */
	struct kb_btask *running;	/* the task the agent holds */
	bool agent_waiting;
	uint64_t next_id;
	unsigned char *out;		/* send buffer */
};

static void broker_dispatch(struct kb_bstate *b)
{
	struct kb_msg *m = (struct kb_msg *)b->out;
	struct kb_btask *t = b->head;

	if (!b->agent_waiting || !t || b->running)
		return;
	b->head = t->next;
	if (!b->head)
		b->tail = NULL;
	memset(m, 0, sizeof(*m));
	m->type = KB_MSG_TASK;
	m->task_id = t->id;
	m->task.size = sizeof(m->task);
	m->task.task_id = t->id;
	m->task.est_runtime_ns = t->desc.est_runtime_ns;
	memcpy(m->task.demand, t->desc.demand, sizeof(m->task.demand));
	m->task.owner_uid = t->uid;
	m->task.submit_flags = t->desc.flags;
	m->task.payload_len = t->payload_len;
	memcpy(m + 1, t->payload, t->payload_len);
	if (send(b->agent, m, sizeof(*m) + t->payload_len, 0) < 0)
		_exit(3);
	b->agent_waiting = false;
	b->running = t;
}

static void broker_submit(struct kb_bstate *b, const struct kb_msg *m,
			  size_t len, uint32_t uid)
{
	struct kb_msg ack = { .type = KB_MSG_ACK };
	uint32_t plen = m->submit.payload_len;
	struct kb_btask *t = NULL;

	if (len != sizeof(*m) + plen || plen > LLMSCHED_PAYLOAD_MAX)
		ack.error = EINVAL;
	else
		t = malloc(sizeof(*t) + plen);
	if (!t && !ack.error)
		ack.error = ENOMEM;
	if (t) {
		t->next = NULL;
		t->id = ++b->next_id;
		t->uid = uid;
		t->desc = m->submit;
		t->payload_len = plen;
		memcpy(t->payload, m + 1, plen);
		if (b->tail)
			b->tail->next = t;
		else
			b->head = t;
		b->tail = t;
		ack.task_id = t->id;
		broker_dispatch(b);
	}
	if (send(b->client, &ack, sizeof(ack), 0) < 0)
		_exit(3);
}

static void broker_complete(struct kb_bstate *b, const struct kb_msg *m)
{
	if (b->running && b->running->id == m->complete.task_id) {
		free(b->running);
		b->running = NULL;
	}
	broker_dispatch(b);
}

static int broker_accept_one(int lfd, struct kb_bstate *b,
			     unsigned char *buf)
{
	struct kb_msg *m = (struct kb_msg *)buf;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = recv(fd, buf, KB_MSG_MAX, 0);
	if (n < (ssize_t)sizeof(*m))
		return -1;
	if (m->type == KB_MSG_HELLO_CLIENT)
		b->client = fd;
	else if (m->type == KB_MSG_HELLO_AGENT)
		b->agent = fd;
	else
		return -1;
	return 0;
}

static void __attribute__((noreturn)) broker_main(int lfd)
{
	struct kb_bstate b = { .client = -1, .agent = -1 };
	unsigned char *in = malloc(KB_MSG_MAX);
	struct kb_msg *m = (struct kb_msg *)in;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	uint32_t uid = 0;

	b.out = malloc(KB_MSG_MAX);
	if (!in || !b.out)
		_exit(2);
	if (broker_accept_one(lfd, &b, in) || broker_accept_one(lfd, &b, in) ||
	    b.client < 0 || b.agent < 0)
		_exit(2);
	close(lfd);
	/* The owner of the tasks, as the kernel takes it from the caller. */
	if (!getsockopt(b.client, SOL_SOCKET, SO_PEERCRED, &cred, &cl))
		uid = cred.uid;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = b.client, .events = POLLIN },
			{ .fd = b.agent, .events = POLLIN },
		};
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(2);
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			while ((n = recv(b.agent, in, KB_MSG_MAX,
					 MSG_DONTWAIT)) > 0) {
				if (m->type == KB_MSG_FETCH) {
					b.agent_waiting = true;
					broker_dispatch(&b);
				} else if (m->type == KB_MSG_COMPLETE) {
					broker_complete(&b, m);
				}
			}
			if (n == 0)
				_exit(0);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			while ((n = recv(b.client, in, KB_MSG_MAX,
					 MSG_DONTWAIT)) > 0) {
				if (m->type == KB_MSG_SUBMIT)
					broker_submit(&b, m, n, uid);
				else if (m->type == KB_MSG_QUIT)
					_exit(0);
			}
			if (n == 0)
				_exit(0);
		}
	}
}

static int connect_as(const struct sockaddr_un *addr, socklen_t alen,
		      uint32_t hello)
{
	struct kb_msg m = { .type = hello };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)addr, alen) ||
	    send(fd, &m, sizeof(m), 0) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Receive one message, giving up after KB_IO_TIMEOUT_MS. */
static ssize_t recv_timed(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do {
		r = poll(&p, 1, KB_IO_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	if (r <= 0)
		return -1;
	return recv(fd, buf, len, 0);
}

/*
 * The agent: ask for a task, take the time stamp when it arrives, complete
 * it, ask for the next, then tell the client over @ctl that the round is
 * over.  Exits 0 when the broker goes away.
 */
static void __attribute__((noreturn))
agent_main(const struct sockaddr_un *addr, socklen_t alen, int ctl,
	   struct kb_stamps *st)
{
	struct kb_msg fetch = { .type = KB_MSG_FETCH };
	struct kb_msg done = { .type = KB_MSG_COMPLETE };
	unsigned char *in = malloc(KB_MSG_MAX);
	struct kb_msg *m = (struct kb_msg *)in;
	unsigned int idx;
	int fd;

	fd = connect_as(addr, alen, KB_MSG_HELLO_AGENT);
	if (fd < 0 || !in)
		_exit(2);
	if (send(fd, &fetch, sizeof(fetch), 0) < 0)
		_exit(2);
	for (;;) {
		ssize_t n = recv(fd, in, KB_MSG_MAX, 0);
		uint64_t t = kb_now_ns();

		if (n == 0)
			_exit(0);
		if (n < (ssize_t)sizeof(*m) || m->type != KB_MSG_TASK ||
		    m->task.payload_len < sizeof(idx))
			_exit(3);
		memcpy(&idx, m + 1, sizeof(idx));
		if (idx < st->cap)
			st->t_fetch[idx] = t;
		done.complete.size = sizeof(done.complete);
		done.complete.task_id = m->task_id;
		done.complete.runtime_ns = kb_now_ns() - t;
		if (send(fd, &done, sizeof(done), 0) < 0 ||
		    send(fd, &fetch, sizeof(fetch), 0) < 0)
			_exit(3);
		if (send(ctl, &idx, sizeof(idx), 0) < 0)
			_exit(3);
	}
}

static pid_t fork_child(void)
{
	pid_t pid = fork();

	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

struct kb_broker {
	pid_t broker, agent;
	int cfd, ctl;
	int bstat, astat;	/* /proc/PID/stat of broker and agent */
	unsigned int payload_len;
	struct kb_stamps *st;
	unsigned char *buf;	/* one submission */
};

static void session_free(struct kb_broker *b)
{
	if (b->cfd >= 0)
		close(b->cfd);
	if (b->ctl >= 0)
		close(b->ctl);
	if (b->bstat >= 0)
		close(b->bstat);
	if (b->astat >= 0)
		close(b->astat);
	free(b->buf);
	free(b);
}

struct kb_broker *kb_broker_start(struct kb_stamps *st,
				  unsigned int payload_len, char *err,
				  size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct kb_broker *b = calloc(1, sizeof(*b));
	int lfd = -1, ctl[2] = { -1, -1 };
	socklen_t alen;

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->cfd = b->ctl = b->bstat = b->astat = -1;
	b->st = st;
	b->payload_len = payload_len;
	if (payload_len < sizeof(uint32_t) ||
	    payload_len > LLMSCHED_PAYLOAD_MAX) {
		snprintf(err, errlen, "bad payload size");
		goto fail;
	}
	b->buf = calloc(1, KB_MSG_MAX);
	if (!b->buf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}

	/* An abstract address: nothing to clean up in the file system. */
	snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1,
		 "llmsched-kbench-broker-%d", (int)getpid());
	alen = offsetof(struct sockaddr_un, sun_path) + 1 +
	       strlen(addr.sun_path + 1);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, alen) ||
	    listen(lfd, 4)) {
		snprintf(err, errlen, "broker socket: %s", strerror(errno));
		goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		goto fail;
	}

	b->broker = fork_child();
	if (b->broker == 0) {
		close(ctl[0]);
		close(ctl[1]);
		broker_main(lfd);
	}
	b->agent = b->broker < 0 ? -1 : fork_child();
	if (b->agent == 0) {
		close(lfd);
		close(ctl[0]);
		agent_main(&addr, alen, ctl[1], st);
	}
	if (b->broker < 0 || b->agent < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	close(lfd);
	lfd = -1;
	close(ctl[1]);
	ctl[1] = -1;
	b->ctl = ctl[0];
	b->bstat = kb_stat_open(b->broker);
	b->astat = kb_stat_open(b->agent);

	b->cfd = connect_as(&addr, alen, KB_MSG_HELLO_CLIENT);
	if (b->cfd < 0) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		goto fail;
	}
	return b;

fail:
	if (lfd >= 0)
		close(lfd);
	if (ctl[1] >= 0)
		close(ctl[1]);
	if (ctl[0] >= 0 && ctl[0] != b->ctl)
		close(ctl[0]);
	if (b->agent > 0)
		kill(b->agent, SIGKILL);
	if (b->broker > 0)
		kill(b->broker, SIGKILL);
	if (b->agent > 0)
		waitpid(b->agent, NULL, 0);
	if (b->broker > 0)
		waitpid(b->broker, NULL, 0);
	session_free(b);
	return NULL;
}

int kb_broker_rounds(struct kb_broker *b, unsigned int first, unsigned int n,
		     unsigned int *not_idle, char *err, size_t errlen)
{
	struct kb_msg *m = (struct kb_msg *)b->buf;
	char *payload = (char *)(m + 1);
	unsigned int i;

	if (first + n > b->st->cap) {
		snprintf(err, errlen, "round %u past the stamps", first + n);
		return -1;
	}
	memset(payload, 'x', b->payload_len);
	for (i = first; i < first + n; i++) {
		struct kb_msg ack;
		unsigned int idx;
		ssize_t r;
		uint64_t t0;

		/* Both must be waiting, as the kernel's agent is. */
		if (!kb_wait_asleep(b->astat, 2000))
			(*not_idle)++;
		else if (!kb_wait_asleep(b->bstat, 2000))
			(*not_idle)++;

		memset(m, 0, sizeof(*m));
		m->type = KB_MSG_SUBMIT;
		m->submit.size = sizeof(m->submit);
		m->submit.priority = LLMSCHED_PRIO_DEFAULT;
		m->submit.est_runtime_ns = 1000000;
		m->submit.demand[LLMSCHED_RES_CPU] = 100;
		m->submit.payload_len = b->payload_len;
		memcpy(payload, &i, sizeof(i));

		t0 = kb_now_ns();
		b->st->t_submit[i] = t0;
		if (send(b->cfd, m, sizeof(*m) + b->payload_len, 0) < 0) {
			snprintf(err, errlen, "send: %s", strerror(errno));
			return -1;
		}
		r = recv_timed(b->cfd, &ack, sizeof(ack));
		if (r != sizeof(ack) || ack.error) {
			snprintf(err, errlen, "no ack from the broker (%s)",
				 r < 0 ? strerror(errno) :
				 strerror(ack.error));
			return -1;
		}
		r = recv_timed(b->ctl, &idx, sizeof(idx));
		if (r != sizeof(idx) || idx != i) {
			snprintf(err, errlen, "agent lost round %u (%s)", i,
				 r < 0 ? strerror(errno) : "bad index");
			return -1;
		}
	}
	return 0;
}

int kb_broker_pin(struct kb_broker *b, int cpu)
{
	int ret = kb_pin(b->broker, cpu);

	return ret ? ret : kb_pin(b->agent, cpu);
}

int kb_broker_stop(struct kb_broker *b)
{
	struct kb_msg quit = { .type = KB_MSG_QUIT };
	int bs = -1, as = -1, i, ret = 0;

	send(b->cfd, &quit, sizeof(quit), 0);
	close(b->cfd);
	b->cfd = -1;
	/* The broker exits on QUIT, then the agent on the broker's close. */
	for (i = 0; i < 500; i++) {
		if (bs == -1 && waitpid(b->broker, &bs, WNOHANG) != b->broker)
			bs = -1;
		if (as == -1 && waitpid(b->agent, &as, WNOHANG) != b->agent)
			as = -1;
		if (bs != -1 && as != -1)
			break;
		usleep(10000);
	}
	if (bs == -1) {
		kill(b->broker, SIGKILL);
		waitpid(b->broker, &bs, 0);
	}
	if (as == -1) {
		kill(b->agent, SIGKILL);
		waitpid(b->agent, &as, 0);
	}
	if (!WIFEXITED(bs) || WEXITSTATUS(bs) || !WIFEXITED(as) ||
	    WEXITSTATUS(as))
		ret = -1;
	session_free(b);
	return ret;
}
