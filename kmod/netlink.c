// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: the "llmsched" generic netlink family, which streams task state
 * changes and agent arrivals and departures to its "events" multicast group.
 *
 * Events are built and sent under llmsched.lock, right where the change
 * happens, so listeners see them in the order they happened; nothing is
 * built while nobody listens.
 */

#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "llmsched.h"

enum llms_mcgrp {
	LLMS_MCGRP_EVENTS,
};

static const struct genl_multicast_group llms_mcgrps[] = {
	[LLMS_MCGRP_EVENTS] = { .name = LLMSCHED_GENL_MCGRP_EVENTS, },
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

/* Room for the largest event: three 64-bit and six 32-bit attributes. */
static size_t llms_event_size(void)
{
	return 3 * nla_total_size_64bit(sizeof(u64)) +
	       6 * nla_total_size(sizeof(u32));
}

static bool llms_netlink_listening(void)
{
	return genl_has_listeners(&llms_genl_family, &init_net,
				  LLMS_MCGRP_EVENTS);
}

/* A new event message, or NULL when nobody listens or memory is short. */
static struct sk_buff *llms_netlink_begin(u8 cmd, void **hdr)
{
	struct sk_buff *skb;

	if (!llms_netlink_listening())
		return NULL;
	skb = genlmsg_new(llms_event_size(), GFP_ATOMIC);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &llms_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void llms_netlink_send(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&llms_genl_family, skb, 0, LLMS_MCGRP_EVENTS,
			  GFP_ATOMIC);
}

/* Called under llmsched.lock. */
void llms_netlink_task_event(const struct llms_task *task, u32 from, u32 to,
			     u64 now)
{
	struct sk_buff *skb;
	void *hdr;

	skb = llms_netlink_begin(LLMSCHED_CMD_TASK_EVENT, &hdr);
	if (!skb)
		return;
	if (nla_put_u64_64bit(skb, LLMSCHED_A_TASK_ID, task->core.id,
			      LLMSCHED_A_PAD) ||
	    nla_put_u32(skb, LLMSCHED_A_STATE, to) ||
	    nla_put_u32(skb, LLMSCHED_A_OLD_STATE, from) ||
	    nla_put_u32(skb, LLMSCHED_A_REASON, task->reason) ||
	    nla_put_u32(skb, LLMSCHED_A_AGENT_ID, task->agent_id) ||
	    nla_put_u32(skb, LLMSCHED_A_UID,
			from_kuid_munged(&init_user_ns, task->owner)) ||
	    nla_put_u64_64bit(skb, LLMSCHED_A_TIME_NS, now, LLMSCHED_A_PAD) ||
	    nla_put_u64_64bit(skb, LLMSCHED_A_SEQ, ++llmsched.seq,
			      LLMSCHED_A_PAD) ||
	    nla_put_s32(skb, LLMSCHED_A_EXIT_STATUS, task->exit_status))
		goto fail;
	llms_netlink_send(skb, hdr);
	return;
fail:
	nlmsg_free(skb);
}

/* Called under llmsched.lock. */
void llms_netlink_agent_event(u32 agent_id, bool up, u64 now)
{
	struct sk_buff *skb;
	void *hdr;

	skb = llms_netlink_begin(LLMSCHED_CMD_AGENT_EVENT, &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, LLMSCHED_A_AGENT_ID, agent_id) ||
	    nla_put_u32(skb, LLMSCHED_A_STATE, up) ||
	    nla_put_u64_64bit(skb, LLMSCHED_A_TIME_NS, now, LLMSCHED_A_PAD) ||
	    nla_put_u64_64bit(skb, LLMSCHED_A_SEQ, ++llmsched.seq,
			      LLMSCHED_A_PAD))
		goto fail;
	llms_netlink_send(skb, hdr);
	return;
fail:
	nlmsg_free(skb);
}

int llms_netlink_init(void)
{
	return genl_register_family(&llms_genl_family);
}

void llms_netlink_exit(void)
{
	genl_unregister_family(&llms_genl_family);
}
