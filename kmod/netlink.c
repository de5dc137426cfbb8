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

static struct genl_family llms_genl_family __ro_after_init = {
	.name		= LLMSCHED_GENL_NAME,
	.version	= LLMSCHED_GENL_VERSION,
	.maxattr	= LLMSCHED_A_MAX,
	.module		= THIS_MODULE,
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

/* Room for the largest event: three 64-bit and six 32-bit attributes. */
static size_t llms_event_size(void)
{
	return 3 * nla_total_size_64bit(sizeof(u64)) +
	       6 * nla_total_size(sizeof(u32));
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
	       nla_put_s32(skb, LLMSCHED_A_EXIT_STATUS, r->exit_status);
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
}

/* Called under llmsched.lock. */
void llms_netlink_agent_event(u32 agent_id, bool up, u64 now)
{
	struct llms_nl_rec *r = llms_nl_record(LLMSCHED_CMD_AGENT_EVENT, now);

	if (!r)
		return;
	r->agent_id = agent_id;
	r->state = up;
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
