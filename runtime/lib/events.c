// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched: the generic netlink event listener.  See events.h.
 *
 * libnl-genl-3 sets the sockets up (connect, the controller's lookup of
 * the family and its group, the dump request) and parses the messages;
 * the datagrams themselves are received here with recv(), because libnl's
 * receive path turns ENOBUFS (the overflow a listener must see) into
 * NLE_NOMEM, the same code as its own allocation failures.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "events.h"

/*
 * Room for one datagram: the kernel puts dumps in buffers of at most
 * 32 KiB (less its overhead), and each event in a message of its own.
 */
#define EVENTS_BUF	(64 << 10)

struct llms_events {
	struct nl_sock *sk;
	int fd;
	int family;
	/* The last SEQ seen on the group, 0 before the first. */
	uint64_t last_seq;
	/* Events at or below this SEQ are in the caller's dump: dropped. */
	uint64_t floor;
	/* The datagram being handed over: @len bytes, @off of them done. */
	unsigned char *buf;
	size_t len;
	size_t off;
};

const char *llms_event_cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case LLMSCHED_CMD_TASK_EVENT:
		return "task-event";
	case LLMSCHED_CMD_AGENT_EVENT:
		return "agent-event";
	case LLMSCHED_CMD_GET_TASK:
		return "get-task";
	case LLMSCHED_CMD_GET_AGENT:
		return "get-agent";
	}
	return "unknown";
}

/* The errno a libnl error code stands for. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_PERM:
		return EPERM;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_INTR:
		return EINTR;
	case NLE_BAD_SOCK:
		return EBADF;
	case NLE_NOACCESS:
		return EACCES;
	}
	return EIO;
}

static int nle_error(struct llms_error **err, int nle, const char *what)
{
	return llms_error_set(err, nle_errno(nle), "%s (libnl: %s)", what,
			      nl_geterror(nle));
}

/* A socket connected to generic netlink, in *@sk. */
static int connect_sock(struct nl_sock **sk, struct llms_error **err)
{
	int ret;

	*sk = nl_socket_alloc();
	if (!*sk)
		return llms_error_set(err, ENOMEM,
				      "allocating a netlink socket");
	ret = genl_connect(*sk);
	if (ret < 0) {
		nl_socket_free(*sk);
		*sk = NULL;
		return nle_error(err, ret,
				 "connecting a generic netlink socket");
	}
	return 0;
}

/* The family's id, resolved on @sk. */
static int resolve_family(struct nl_sock *sk, struct llms_error **err)
{
	int family = genl_ctrl_resolve(sk, LLMSCHED_GENL_NAME);

	if (family == -NLE_OBJ_NOTFOUND)
		return llms_error_set(err, ENOENT,
				      "generic netlink family \"%s\" is not registered: is the llmsched module loaded?",
				      LLMSCHED_GENL_NAME);
	if (family < 0)
		return nle_error(err, family,
				 "resolving generic netlink family \""
				 LLMSCHED_GENL_NAME "\"");
	return family;
}

static int set_rcvbuf(int fd, size_t bytes, struct llms_error **err)
{
	int val;

	if (!bytes || bytes > INT_MAX / 2)
		return llms_error_set(err, EINVAL,
				      "events: a receive buffer of %zu bytes",
				      bytes);
	val = (int)bytes;
	/* Past net.core.rmem_max only with CAP_NET_ADMIN. */
	if (!setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &val, sizeof(val)))
		return 0;
	if (errno != EPERM)
		return llms_error_set(err, errno,
				      "events: setsockopt SO_RCVBUFFORCE %d",
				      val);
	if (!setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)))
		return 0;
	return llms_error_set(err, errno, "events: setsockopt SO_RCVBUF %d",
			      val);
}

int llms_events_set_rcvbuf(struct llms_events *ev, size_t bytes,
			   struct llms_error **err)
{
	return set_rcvbuf(ev->fd, bytes, err);
}

int llms_events_open(struct llms_events **evp, struct llms_error **err)
{
	struct llms_events *ev;
	int grp, ret;

	*evp = NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return llms_error_set(err, ENOMEM, "allocating a listener");
	ev->buf = malloc(EVENTS_BUF);
	if (!ev->buf) {
		ret = llms_error_set(err, ENOMEM, "allocating a listener");
		goto fail;
	}
	ret = connect_sock(&ev->sk, err);
	if (ret < 0)
		goto fail;
	ev->fd = nl_socket_get_fd(ev->sk);
	ret = resolve_family(ev->sk, err);
	if (ret < 0)
		goto fail;
	ev->family = ret;
	grp = genl_ctrl_resolve_grp(ev->sk, LLMSCHED_GENL_NAME,
				    LLMSCHED_GENL_MCGRP_EVENTS);
	if (grp == -NLE_OBJ_NOTFOUND) {
		ret = llms_error_set(err, ENOENT,
				     "generic netlink family \"%s\" has no multicast group \"%s\"",
				     LLMSCHED_GENL_NAME,
				     LLMSCHED_GENL_MCGRP_EVENTS);
		goto fail;
	}
	if (grp < 0) {
		ret = nle_error(err, grp,
				"resolving multicast group \""
				LLMSCHED_GENL_MCGRP_EVENTS "\"");
		goto fail;
	}
	/* Before joining: a burst right after the join must fit. */
	ret = set_rcvbuf(ev->fd, LLMS_EVENTS_RCVBUF_DEFAULT, err);
	if (ret < 0)
		goto fail;
	/* setsockopt() itself, for its errno: libnl would remap it. */
	if (setsockopt(ev->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp))) {
		if (errno == EPERM)
			ret = llms_error_set(err, EPERM,
					     "listening to llmsched events needs CAP_SYS_ADMIN: run as root");
		else
			ret = llms_error_set(err, errno,
					     "joining multicast group \"%s\" (%d)",
					     LLMSCHED_GENL_MCGRP_EVENTS, grp);
		goto fail;
	}
	ret = nl_socket_set_nonblocking(ev->sk);
	if (ret < 0) {
		ret = nle_error(err, ret, "making the listener non-blocking");
		goto fail;
	}
	*evp = ev;
	return 0;
fail:
	llms_events_close(ev);
	return ret;
}

int llms_events_fd(const struct llms_events *ev)
{
	return ev->fd;
}

void llms_events_close(struct llms_events *ev)
{
	if (!ev)
		return;
	if (ev->sk)
		nl_socket_free(ev->sk);
	free(ev->buf);
	free(ev);
}

void llms_events_resync(struct llms_events *ev, uint64_t seq)
{
	if (seq > ev->floor)
		ev->floor = seq;
	if (seq > ev->last_seq)
		ev->last_seq = seq;
}

/* Parse the family's message @nlh into @e; 0 or -EPROTO (*@err set). */
static int parse(struct nlmsghdr *nlh, struct llms_event *e,
		 struct llms_error **err)
{
	static const struct nla_policy policy[LLMSCHED_A_MAX + 1] = {
		[LLMSCHED_A_TASK_ID] = { .type = NLA_U64 },
		[LLMSCHED_A_STATE] = { .type = NLA_U32 },
		[LLMSCHED_A_OLD_STATE] = { .type = NLA_U32 },
		[LLMSCHED_A_REASON] = { .type = NLA_U32 },
		[LLMSCHED_A_AGENT_ID] = { .type = NLA_U32 },
		[LLMSCHED_A_UID] = { .type = NLA_U32 },
		[LLMSCHED_A_TIME_NS] = { .type = NLA_U64 },
		[LLMSCHED_A_SEQ] = { .type = NLA_U64 },
		[LLMSCHED_A_EXIT_STATUS] = { .type = NLA_U32 },
		[LLMSCHED_A_LABEL] = { .type = NLA_STRING,
				       .maxlen = LLMSCHED_LABEL_MAX },
		[LLMSCHED_A_PRIORITY] = { .type = NLA_U32 },
		[LLMSCHED_A_WAIT] = { .type = NLA_U32 },
		[LLMSCHED_A_SLOTS] = { .type = NLA_U32 },
		[LLMSCHED_A_USED_SLOTS] = { .type = NLA_U32 },
		[LLMSCHED_A_LOAD] = { .type = NLA_U32 },
		[LLMSCHED_A_CGROUP_ID] = { .type = NLA_U64 },
	};
	struct nlattr *a[LLMSCHED_A_MAX + 1];
	int i, ret;

	memset(e, 0, sizeof(*e));
	if (!genlmsg_valid_hdr(nlh, 0))
		return llms_error_set(err, EPROTO,
				      "events: a message of %u bytes without a generic netlink header",
				      nlh->nlmsg_len);
	e->cmd = genlmsg_hdr(nlh)->cmd;
	ret = genlmsg_parse(nlh, 0, a, LLMSCHED_A_MAX, policy);
	if (ret < 0)
		return llms_error_set(err, EPROTO,
				      "events: a %s message with bad attributes (libnl: %s)",
				      llms_event_cmd_name(e->cmd),
				      nl_geterror(ret));
	for (i = 1; i <= LLMSCHED_A_MAX; i++)
		if (a[i])
			e->attrs |= 1ULL << i;
#define U64(attr, field) \
	if (a[attr]) e->field = nla_get_u64(a[attr])
#define U32(attr, field) \
	if (a[attr]) e->field = nla_get_u32(a[attr])
	U64(LLMSCHED_A_TASK_ID, task_id);
	U64(LLMSCHED_A_TIME_NS, time_ns);
	U64(LLMSCHED_A_SEQ, seq);
	U64(LLMSCHED_A_CGROUP_ID, cgroup_id);
	U32(LLMSCHED_A_STATE, state);
	U32(LLMSCHED_A_OLD_STATE, old_state);
	U32(LLMSCHED_A_REASON, reason);
	U32(LLMSCHED_A_AGENT_ID, agent_id);
	U32(LLMSCHED_A_UID, uid);
	U32(LLMSCHED_A_PRIORITY, priority);
	U32(LLMSCHED_A_WAIT, wait);
	U32(LLMSCHED_A_SLOTS, slots);
	U32(LLMSCHED_A_USED_SLOTS, used_slots);
	U32(LLMSCHED_A_LOAD, load);
#undef U64
#undef U32
	if (a[LLMSCHED_A_EXIT_STATUS])
		e->exit_status = (int32_t)nla_get_u32(a[LLMSCHED_A_EXIT_STATUS]);
	if (a[LLMSCHED_A_LABEL])
		nla_strlcpy(e->label, a[LLMSCHED_A_LABEL], sizeof(e->label));
	return 0;
}

/*
 * The next message of the datagram in @buf (@len bytes, @off done), or
 * NULL at its end; -EPROTO in *@ret for a message cut short, which ends
 * the datagram.
 */
static struct nlmsghdr *next_msg(unsigned char *buf, size_t len, size_t *off,
				 int *ret, struct llms_error **err)
{
	struct nlmsghdr *nlh;
	int left;

	*ret = 0;
	if (*off >= len)
		return NULL;
	nlh = (struct nlmsghdr *)(buf + *off);
	left = (int)(len - *off);
	if (!nlmsg_ok(nlh, left)) {
		*off = len;
		*ret = llms_error_set(err, EPROTO,
				      "events: a message cut short (%d bytes left of the datagram)",
				      left);
		return NULL;
	}
	*off += NLMSG_ALIGN(nlh->nlmsg_len);
	if (*off > len)
		*off = len;
	return nlh;
}

/* @cb returned @ret, not 0: the errno it stands for (EIO if positive). */
static int cb_errno(int ret)
{
	return ret < 0 ? -ret : EIO;
}

int llms_events_read(struct llms_events *ev, llms_event_cb cb, void *arg,
		     struct llms_events_loss *loss, struct llms_error **err)
{
	struct llms_events_loss none;
	struct llms_event e;
	struct nlmsghdr *nlh;
	unsigned int msgs = 0;
	int n = 0, ret;
	ssize_t r;

	if (!loss)
		loss = &none;
	memset(loss, 0, sizeof(*loss));
	for (;;) {
		nlh = next_msg(ev->buf, ev->len, &ev->off, &ret, err);
		if (ret < 0)
			return ret;
		if (!nlh) {
			if (msgs == LLMS_EVENTS_READ_MAX)
				break;
			r = recv(ev->fd, ev->buf, EVENTS_BUF,
				 MSG_DONTWAIT | MSG_TRUNC);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					break;
				/* Reported once per overflow; reading goes on. */
				if (errno == ENOBUFS) {
					loss->overflows++;
					continue;
				}
				return llms_error_set(err, errno,
						      "events: recv");
			}
			msgs++;
			ev->off = 0;
			ev->len = 0;
			if ((size_t)r > EVENTS_BUF)
				return llms_error_set(err, EMSGSIZE,
						      "events: a datagram of %zd bytes, over %d",
						      r, EVENTS_BUF);
			ev->len = (size_t)r;
			continue;
		}
		/* NLMSG_NOOP and the like: not events. */
		if (nlh->nlmsg_type != ev->family)
			continue;
		ret = parse(nlh, &e, err);
		if (ret < 0)
			return ret;
		if (llms_event_has(&e, LLMSCHED_A_SEQ)) {
			if (e.seq <= ev->floor)
				continue;
			if (ev->last_seq && e.seq > ev->last_seq + 1) {
				e.gap = e.seq - ev->last_seq - 1;
				loss->missed += e.gap;
			}
			ev->last_seq = e.seq;
		}
		n++;
		ret = cb(&e, arg);
		if (ret)
			return llms_error_set(err, cb_errno(ret),
					      "reading events: the event callback stopped it");
	}
	return n;
}

/*
 * The end of a dump or the kernel's refusal: 1 for NLMSG_DONE, 0 for
 * another message, or -errno.
 */
static int dump_control(struct nlmsghdr *nlh, const char *what,
			struct llms_error **err)
{
	struct nlmsgerr *nle;
	int error;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* It may carry the dump's own error. */
		if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
			memcpy(&error, NLMSG_DATA(nlh), sizeof(error));
			if (error < 0)
				return llms_error_set(err, -error,
						      "dumping llmsched %s",
						      what);
		}
		return 1;
	}
	if (nlh->nlmsg_type != NLMSG_ERROR)
		return 0;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nle)))
		return llms_error_set(err, EPROTO,
				      "dumping llmsched %s: an error message cut short",
				      what);
	nle = NLMSG_DATA(nlh);
	if (!nle->error)
		return 0;	/* an acknowledgement */
	if (nle->error == -EPERM)
		return llms_error_set(err, EPERM,
				      "dumping llmsched %s needs CAP_SYS_ADMIN: run as root",
				      what);
	return llms_error_set(err, -nle->error, "dumping llmsched %s", what);
}

static int dump(struct llms_events *ev, uint8_t cmd, const char *what,
		llms_event_cb cb, void *arg, uint64_t *seqp,
		struct llms_error **err)
{
	struct nl_sock *sk = NULL;
	struct llms_event e;
	struct nlmsghdr *nlh;
	unsigned char *buf;
	uint64_t seq = 0;
	size_t len = 0, off = 0;
	int family, n = 0, ret;
	bool done = false;
	ssize_t r;

	if (seqp)
		*seqp = 0;
	buf = malloc(EVENTS_BUF);
	if (!buf)
		return llms_error_set(err, ENOMEM, "dumping llmsched %s",
				      what);
	ret = connect_sock(&sk, err);
	if (ret < 0)
		goto out;
	if (ev) {
		family = ev->family;
	} else {
		ret = resolve_family(sk, err);
		if (ret < 0)
			goto out;
		family = ret;
	}
	/* The dump ends in NLMSG_DONE; an ACK would only follow it. */
	nl_socket_disable_auto_ack(sk);
	ret = genl_send_simple(sk, family, cmd, LLMSCHED_GENL_VERSION,
			       NLM_F_DUMP);
	if (ret < 0) {
		ret = nle_error(err, ret, "sending the dump request");
		llms_error_prefix(err, "dumping llmsched %s", what);
		goto out;
	}
	while (!done) {
		nlh = next_msg(buf, len, &off, &ret, err);
		if (ret < 0)
			goto out;
		if (!nlh) {
			r = recv(nl_socket_get_fd(sk), buf, EVENTS_BUF,
				 MSG_TRUNC);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				ret = llms_error_set(err, errno,
						     "dumping llmsched %s: recv",
						     what);
				goto out;
			}
			if ((size_t)r > EVENTS_BUF) {
				ret = llms_error_set(err, EMSGSIZE,
						     "dumping llmsched %s: a datagram of %zd bytes, over %d",
						     what, r, EVENTS_BUF);
				goto out;
			}
			len = (size_t)r;
			off = 0;
			continue;
		}
		if (nlh->nlmsg_type != family) {
			ret = dump_control(nlh, what, err);
			if (ret < 0)
				goto out;
			done = ret;
			continue;
		}
		ret = parse(nlh, &e, err);
		if (ret < 0) {
			llms_error_prefix(err, "dumping llmsched %s", what);
			goto out;
		}
		e.from_dump = true;
		if (!n)
			seq = e.seq;
		n++;
		ret = cb(&e, arg);
		if (ret) {
			ret = llms_error_set(err, cb_errno(ret),
					     "dumping llmsched %s: the event callback stopped it",
					     what);
			goto out;
		}
	}
	if (seqp)
		*seqp = seq;
	ret = n;
out:
	if (sk)
		nl_socket_free(sk);
	free(buf);
	return ret;
}

int llms_events_dump_tasks(struct llms_events *ev, llms_event_cb cb,
			   void *arg, uint64_t *seq, struct llms_error **err)
{
	return dump(ev, LLMSCHED_CMD_GET_TASK, "tasks", cb, arg, seq, err);
}

int llms_events_dump_agents(struct llms_events *ev, llms_event_cb cb,
			    void *arg, uint64_t *seq, struct llms_error **err)
{
	return dump(ev, LLMSCHED_CMD_GET_AGENT, "agents", cb, arg, seq, err);
}
