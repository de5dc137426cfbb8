// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: the "llmsched" generic netlink family, which streams task state
 * changes and agent arrivals and departures to its "events" multicast group.
 *
 * The group is for administrators (CAP_SYS_ADMIN to join): its events name
 * every user's tasks.  A user follows their own tasks through read() on the
 * file they submitted through.
 *
 * A change is recorded under llmsched.lock, right where it happens, into a
 * ring of small records with its sequence number; a work item builds and
 * sends the messages later, in ring order, without the lock and with
 * allocations that may sleep.  So listeners see events in the order they
 * happened, and a state change costs the same however many sockets listen.
 * Nothing is recorded while nobody listens.  When the ring is full the
 * event is dropped: the gap in LLMSCHED_A_SEQ tells the listener.
 *
 * Dump requests (LLMSCHED_CMD_GET_TASK, LLMSCHED_CMD_GET_AGENT; for
 * administrators) resync a listener: every task and agent the module holds,
 * a bounded number per lock hold, as messages of the event commands with
 * the sequence number of the last event recorded when the dump began.
 */

#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "llmsched.h"

/* Events waiting to be sent; a power of two. */
#define LLMS_NL_RING		8192
/* Records taken off the ring per lock hold by the sender. */
#define LLMS_NL_BATCH		8

enum llms_mcgrp {
	LLMS_MCGRP_EVENTS,
};

static const struct genl_multicast_group llms_mcgrps[] = {
	[LLMS_MCGRP_EVENTS] = {
		.name = LLMSCHED_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static int llms_nl_dump_tasks(struct sk_buff *skb, struct netlink_callback *cb);
static int llms_nl_dump_agents(struct sk_buff *skb,
			       struct netlink_callback *cb);

/* No request takes attributes: the core rejects any (strict validation). */
static const struct genl_small_ops llms_genl_ops[] = {
	{
		.cmd	= LLMSCHED_CMD_GET_TASK,
		.dumpit	= llms_nl_dump_tasks,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= LLMSCHED_CMD_GET_AGENT,
		.dumpit	= llms_nl_dump_agents,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family llms_genl_family __ro_after_init = {
	.name		= LLMSCHED_GENL_NAME,
	.version	= LLMSCHED_GENL_VERSION,
	.maxattr	= LLMSCHED_A_MAX,
	.module		= THIS_MODULE,
	.small_ops	= llms_genl_ops,
	.n_small_ops	= ARRAY_SIZE(llms_genl_ops),
	.mcgrps		= llms_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(llms_mcgrps),
	.netnsok	= false,
};

/* One event between the change and its message. */
struct llms_nl_rec {
	u64 task_id;
	u64 time_ns;
	u64 seq;
	u8 cmd;
	u32 state;
	u32 old_state;
	u32 reason;
	u32 agent_id;
	u32 uid;
	s32 exit_status;
	char label[LLMSCHED_LABEL_MAX];
};

/*
 * The ring (under llmsched.lock): @head is the next record to send, @tail
 * the next to fill, @seq the last sequence number given.
 */
static struct {
	struct llms_nl_rec *ring;
	u32 head;
	u32 tail;
	u64 seq;
	u64 dropped;
	struct work_struct work;
} llms_nl;

/* Room for the largest event: 64-bit, 32-bit attributes and a label. */
static size_t llms_event_size(void)
{
	return 4 * nla_total_size_64bit(sizeof(u64)) +
	       10 * nla_total_size(sizeof(u32)) +
	       nla_total_size(LLMSCHED_LABEL_MAX);
}

static int llms_nl_put(struct sk_buff *skb, const struct llms_nl_rec *r)
{
	if (r->cmd == LLMSCHED_CMD_AGENT_EVENT)
		return nla_put_u32(skb, LLMSCHED_A_AGENT_ID, r->agent_id) ||
		       nla_put_u32(skb, LLMSCHED_A_STATE, r->state) ||
		       nla_put_u64_64bit(skb, LLMSCHED_A_TIME_NS, r->time_ns,
					 LLMSCHED_A_PAD) ||
		       nla_put_u64_64bit(skb, LLMSCHED_A_SEQ, r->seq,
					 LLMSCHED_A_PAD);
	return nla_put_u64_64bit(skb, LLMSCHED_A_TASK_ID, r->task_id,
				 LLMSCHED_A_PAD) ||
	       nla_put_u32(skb, LLMSCHED_A_STATE, r->state) ||
	       nla_put_u32(skb, LLMSCHED_A_OLD_STATE, r->old_state) ||
	       nla_put_u32(skb, LLMSCHED_A_REASON, r->reason) ||
	       nla_put_u32(skb, LLMSCHED_A_AGENT_ID, r->agent_id) ||
	       nla_put_u32(skb, LLMSCHED_A_UID, r->uid) ||
	       nla_put_u64_64bit(skb, LLMSCHED_A_TIME_NS, r->time_ns,
				 LLMSCHED_A_PAD) ||
	       nla_put_u64_64bit(skb, LLMSCHED_A_SEQ, r->seq, LLMSCHED_A_PAD) ||
	       nla_put_s32(skb, LLMSCHED_A_EXIT_STATUS, r->exit_status) ||
	       (r->label[0] &&
		nla_put_string(skb, LLMSCHED_A_LABEL, r->label));
}

static void llms_nl_send(const struct llms_nl_rec *r)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(llms_event_size(), GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &llms_genl_family, 0, r->cmd);
	if (!hdr || llms_nl_put(skb, r)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&llms_genl_family, skb, 0, LLMS_MCGRP_EVENTS,
			  GFP_KERNEL);
}

/* The sender: one work item, so records go out in ring order. */
static void llms_nl_work_fn(struct work_struct *work)
{
	struct llms_nl_rec recs[LLMS_NL_BATCH];
	u32 n, i;

	do {
		spin_lock(&llmsched.lock);
		n = min_t(u32, llms_nl.tail - llms_nl.head, LLMS_NL_BATCH);
		for (i = 0; i < n; i++)
			recs[i] = llms_nl.ring[(llms_nl.head + i) %
					       LLMS_NL_RING];
		llms_nl.head += n;
		spin_unlock(&llmsched.lock);

		for (i = 0; i < n; i++)
			llms_nl_send(&recs[i]);
		cond_resched();
	} while (n);
}

/*
 * Under llmsched.lock: a record to fill for a new event with its sequence
 * number, or NULL when nobody listens or the ring is full.
 */
static struct llms_nl_rec *llms_nl_record(u8 cmd, u64 now)
{
	struct llms_nl_rec *r;

	lockdep_assert_held(&llmsched.lock);
	if (!genl_has_listeners(&llms_genl_family, &init_net,
				LLMS_MCGRP_EVENTS))
		return NULL;
	llms_nl.seq++;
	if (llms_nl.tail - llms_nl.head == LLMS_NL_RING) {
		llms_nl.dropped++;
		return NULL;
	}
	r = &llms_nl.ring[llms_nl.tail++ % LLMS_NL_RING];
	memset(r, 0, sizeof(*r));
	r->cmd = cmd;
	r->time_ns = now;
	r->seq = llms_nl.seq;
	queue_work(system_wq, &llms_nl.work);
	return r;
}

/* Called under llmsched.lock. */
void llms_netlink_task_event(const struct llms_task *task, u32 from, u32 to,
			     u64 now)
{
	struct llms_nl_rec *r = llms_nl_record(LLMSCHED_CMD_TASK_EVENT, now);

	if (!r)
		return;
	r->task_id = task->core.id;
	r->state = to;
	r->old_state = from;
	r->reason = task->reason;
	r->agent_id = task->agent_id;
	r->uid = from_kuid_munged(&init_user_ns, task->owner);
	r->exit_status = task->exit_status;
	memcpy(r->label, task->label, sizeof(r->label));
}

/*
 * Called under llmsched.lock: @agent arrived, drains, is fencing or left
 * (@state enum llmsched_agent_state, 0 when it left).
 */
void llms_netlink_agent_event(const struct llms_agent *agent, u32 state,
			      u64 now)
{
	struct llms_nl_rec *r = llms_nl_record(LLMSCHED_CMD_AGENT_EVENT, now);

	if (!r)
		return;
	r->agent_id = agent->core.id;
	r->state = state;
}

/* Messages put in a dump buffer per lock hold. */
#define LLMS_NL_DUMP_BATCH	128

/*
 * The state of a dump across its calls: the next id to look at and the
 * sequence number it reports (taken on its first call).
 */
struct llms_nl_dump {
	unsigned long next;
	u64 seq;
	bool started;
};

static struct llms_nl_dump *llms_nl_dump_state(struct netlink_callback *cb)
{
	struct llms_nl_dump *d = (struct llms_nl_dump *)cb->ctx;

	BUILD_BUG_ON(sizeof(*d) > sizeof(cb->ctx));
	if (!d->started) {
		d->started = true;
		d->next = 1;
		d->seq = llms_nl.seq;
	}
	return d;
}

static void *llms_nl_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			      u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, &llms_genl_family, NLM_F_MULTI,
			   cmd);
}

/* Under the lock: one task of a dump. */
static int llms_nl_put_task(struct sk_buff *skb, struct netlink_callback *cb,
			    const struct llms_task *task, u64 seq)
{
	void *hdr = llms_nl_dump_put(skb, cb, LLMSCHED_CMD_TASK_EVENT);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, LLMSCHED_A_TASK_ID, task->core.id,
			      LLMSCHED_A_PAD) ||
	    nla_put_u32(skb, LLMSCHED_A_STATE,
			llms_uapi_state(task->core.state)) ||
	    nla_put_u32(skb, LLMSCHED_A_REASON, task->reason) ||
	    nla_put_u32(skb, LLMSCHED_A_AGENT_ID, task->agent_id) ||
	    nla_put_u32(skb, LLMSCHED_A_UID,
			from_kuid_munged(&init_user_ns, task->owner)) ||
	    nla_put_u32(skb, LLMSCHED_A_PRIORITY, task->core.prio) ||
	    nla_put_u32(skb, LLMSCHED_A_WAIT,
			lsc_task_wait(&llmsched.eng, &task->core)) ||
	    nla_put_u64_64bit(skb, LLMSCHED_A_TIME_NS, task->submit_ns,
			      LLMSCHED_A_PAD) ||
	    nla_put_u64_64bit(skb, LLMSCHED_A_SEQ, seq, LLMSCHED_A_PAD) ||
	    nla_put_s32(skb, LLMSCHED_A_EXIT_STATUS, task->exit_status) ||
	    (task->label[0] &&
	     nla_put_string(skb, LLMSCHED_A_LABEL, task->label))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int llms_nl_dump_tasks(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct llms_task *task;
	struct llms_nl_dump *d;
	unsigned long index;
	u32 n = 0;

	spin_lock(&llmsched.lock);
	d = llms_nl_dump_state(cb);
	index = d->next;
	xa_for_each_start(&llmsched.tasks, index, task, index) {
		if (task->core.state == LSC_TASK_NEW)
			continue;
		if (n == LLMS_NL_DUMP_BATCH ||
		    llms_nl_put_task(skb, cb, task, d->seq))
			break;
		n++;
	}
	/* @index is the first task not put (or past the last one). */
	d->next = task ? index : ULONG_MAX;
	spin_unlock(&llmsched.lock);
	return n ? skb->len : 0;
}

/* Under the lock: one agent of a dump. */
static int llms_nl_put_agent(struct sk_buff *skb, struct netlink_callback *cb,
			     const struct llms_agent *agent, u64 seq)
{
	void *hdr = llms_nl_dump_put(skb, cb, LLMSCHED_CMD_AGENT_EVENT);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, LLMSCHED_A_AGENT_ID, agent->core.id) ||
	    nla_put_u32(skb, LLMSCHED_A_STATE, llms_agent_uapi_state(agent)) ||
	    nla_put_u32(skb, LLMSCHED_A_SLOTS, agent->core.slots) ||
	    nla_put_u32(skb, LLMSCHED_A_USED_SLOTS, agent->core.used_slots) ||
	    nla_put_u32(skb, LLMSCHED_A_LOAD, lsc_agent_load(&agent->core)) ||
	    nla_put_u64_64bit(skb, LLMSCHED_A_CGROUP_ID, agent->cgroup_id,
			      LLMSCHED_A_PAD) ||
	    nla_put_u64_64bit(skb, LLMSCHED_A_SEQ, seq, LLMSCHED_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int llms_nl_dump_agents(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	struct llms_agent *agent;
	struct llms_nl_dump *d;
	unsigned long index;
	u32 n = 0;

	spin_lock(&llmsched.lock);
	d = llms_nl_dump_state(cb);
	index = d->next;
	xa_for_each_start(&llmsched.agents, index, agent, index) {
		if (n == LLMS_NL_DUMP_BATCH ||
		    llms_nl_put_agent(skb, cb, agent, d->seq))
			break;
		n++;
	}
	d->next = agent ? index : ULONG_MAX;
	spin_unlock(&llmsched.lock);
	return n ? skb->len : 0;
}

int llms_netlink_init(void)
{
	int ret;

	llms_nl.ring = kvcalloc(LLMS_NL_RING, sizeof(*llms_nl.ring),
				GFP_KERNEL);
	if (!llms_nl.ring)
		return -ENOMEM;
	INIT_WORK(&llms_nl.work, llms_nl_work_fn);
	ret = genl_register_family(&llms_genl_family);
	if (ret)
		kvfree(llms_nl.ring);
	return ret;
}

/* No file is open, so nothing records any more. */
void llms_netlink_exit(void)
{
	cancel_work_sync(&llms_nl.work);
	genl_unregister_family(&llms_genl_family);
	kvfree(llms_nl.ring);
	llms_nl.ring = NULL;
}
