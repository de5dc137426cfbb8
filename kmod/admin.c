// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: administration ioctls (capacity, policy, estimator, limits) and
 * the version handshake.  The dispatcher has checked CAP_SYS_ADMIN for the
 * SET_ calls; the GET_ calls show what sysfs shows to everyone.
 */

#include "llmsched.h"

#define LLMS_MAX_TASKS_LIMIT		10000000
#define LLMS_HEARTBEAT_MIN_MS		100
#define LLMS_HEARTBEAT_MAX_MS		3600000
#define LLMS_BACKFILL_DEPTH_DEFAULT	64

long llms_ioc_version(struct llms_file *lf, void *arg,
		      struct llms_ucmd *ucmd)
{
	struct llmsched_version *v = arg;

	if (v->flags)
		return -EINVAL;
	v->major = LLMSCHED_VERSION_MAJOR;
	v->minor = LLMSCHED_VERSION_MINOR;
	v->patch = LLMSCHED_VERSION_PATCH;
	v->res_known = LLMSCHED_RES_KNOWN;
	return 0;
}

long llms_ioc_set_capacity(struct llms_file *lf, void *arg,
			   struct llms_ucmd *ucmd)
{
	struct llmsched_capacity *req = arg;
	u64 cap[LSC_NR_RES];
	unsigned int i;
	int ret;

	if (req->flags)
		return -EINVAL;
	if (llms_res_vector_check(req->capacity, U64_MAX, false))
		return -EINVAL;
	for (i = 0; i < LSC_NR_RES; i++)
		cap[i] = req->capacity[i];

	spin_lock(&llmsched.lock);
	ret = lsc_set_host_capacity(&llmsched.eng, cap);
	spin_unlock(&llmsched.lock);
	return ret == -LSC_EOVERCOMMIT ? -EBUSY : ret;
}

long llms_ioc_get_capacity(struct llms_file *lf, void *arg,
			   struct llms_ucmd *ucmd)
{
	struct llmsched_capacity *req = arg;
	unsigned int i;

	if (req->flags)
		return -EINVAL;
	memset(req->capacity, 0, sizeof(req->capacity));
	memset(req->reserved, 0, sizeof(req->reserved));
	spin_lock(&llmsched.lock);
	for (i = 0; i < LSC_NR_RES; i++) {
		req->capacity[i] = llmsched.eng.host_cap[i];
		req->reserved[i] = llmsched.eng.reserved[i];
	}
	spin_unlock(&llmsched.lock);
	return 0;
}

long llms_ioc_set_policy(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd)
{
	struct llmsched_policy *req = arg;
	struct lsc_tunables tun;
	int ret;

	if (req->flags & ~LLMSCHED_POLICY_FLAGS)
		return -EINVAL;
	if (req->policy >= LSC_POLICY_NR || req->choice >= LSC_CHOOSE_NR)
		return -EINVAL;
	if (req->imbalance_threshold > U32_MAX)
		return -EINVAL;

	spin_lock(&llmsched.lock);
	tun = llmsched.eng.tun;
	if (req->aging_ns)
		tun.age_ns = req->aging_ns;
	if (req->imbalance_threshold)
		tun.balance_threshold = req->imbalance_threshold;
	if (req->flags & LLMSCHED_POLICY_NO_BACKFILL)
		tun.backfill_depth = 0;
	else if (!tun.backfill_depth)
		tun.backfill_depth = LLMS_BACKFILL_DEPTH_DEFAULT;
	tun.dag_rank = !!(req->flags & LLMSCHED_POLICY_DAG_RANK);
	/* Checked as a whole first, so a bad value changes nothing. */
	ret = lsc_set_tunables(&llmsched.eng, &tun);
	if (!ret) {
		/* A switch re-queues a batch here, the rest below. */
		lsc_set_policy(&llmsched.eng, req->policy);
		lsc_set_agent_choice(&llmsched.eng, req->choice);
		lsc_dispatch(&llmsched.eng, llms_now());
	}
	spin_unlock(&llmsched.lock);
	llms_finish_pending();
	return ret;
}

long llms_ioc_get_policy(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd)
{
	struct llmsched_policy *req = arg;

	if (req->flags)
		return -EINVAL;
	spin_lock(&llmsched.lock);
	req->policy = llmsched.eng.policy;
	req->choice = llmsched.eng.choice;
	req->aging_ns = llmsched.eng.tun.age_ns;
	req->imbalance_threshold = llmsched.eng.tun.balance_threshold;
	if (!llmsched.eng.tun.backfill_depth)
		req->flags |= LLMSCHED_POLICY_NO_BACKFILL;
	if (llmsched.eng.tun.dag_rank)
		req->flags |= LLMSCHED_POLICY_DAG_RANK;
	spin_unlock(&llmsched.lock);
	return 0;
}

long llms_ioc_get_estimator(struct llms_file *lf, void *arg,
			    struct llms_ucmd *ucmd)
{
	struct llmsched_estimator *req = arg;
	unsigned int i;

	if (req->flags || req->__reserved)
		return -EINVAL;
	memset(req->coeff, 0, sizeof(req->coeff));
	spin_lock(&llmsched.lock);
	req->nr_coeffs = llmsched.eng.est_nr ? llmsched.eng.est_nr + 1 : 0;
	for (i = 0; i < req->nr_coeffs; i++)
		req->coeff[i] = llmsched.eng.est_coef[i];
	spin_unlock(&llmsched.lock);
	return 0;
}

long llms_ioc_set_estimator(struct llms_file *lf, void *arg,
			    struct llms_ucmd *ucmd)
{
	struct llmsched_estimator *req = arg;
	unsigned int i;
	int ret;

	if (req->flags || req->__reserved)
		return -EINVAL;
	if (!req->nr_coeffs || req->nr_coeffs > LLMSCHED_FEATURES_MAX + 1)
		return -EINVAL;
	for (i = req->nr_coeffs; i < LLMSCHED_FEATURES_MAX + 1; i++)
		if (req->coeff[i])
			return -EINVAL;

	spin_lock(&llmsched.lock);
	ret = lsc_set_estimator(&llmsched.eng, req->coeff, req->nr_coeffs - 1);
	spin_unlock(&llmsched.lock);
	return ret;
}

#define LLMS_RETAIN_MAX			1000000
/* A uid's memory limit: from one largest task to 64 GiB. */
#define LLMS_BYTES_MAX			(64ULL << 30)

/*
 * Change the limits: each non-zero field of @changes replaces the current
 * value (for max_user_priority, whose 0 is meaningful, each value but
 * LLMS_LIMIT_KEEP); the result is checked as a whole before anything
 * changes.
 */
int llms_apply_limits(const struct llms_limits *changes)
{
	struct llms_limits want;
	int ret = 0;

	spin_lock(&llmsched.lock);
	want = llmsched.limits;
	if (changes->max_tasks)
		want.max_tasks = changes->max_tasks;
	if (changes->max_tasks_per_user)
		want.max_tasks_per_user = changes->max_tasks_per_user;
	if (changes->heartbeat_timeout_ms)
		want.heartbeat_timeout_ms = changes->heartbeat_timeout_ms;
	if (changes->retain_ended)
		want.retain_ended = changes->retain_ended;
	if (changes->max_bytes_per_user)
		want.max_bytes_per_user = changes->max_bytes_per_user;
	if (changes->max_user_priority != LLMS_LIMIT_KEEP)
		want.max_user_priority = changes->max_user_priority;
	if (want.max_tasks > LLMS_MAX_TASKS_LIMIT ||
	    want.max_tasks_per_user > want.max_tasks ||
	    want.heartbeat_timeout_ms < LLMS_HEARTBEAT_MIN_MS ||
	    want.heartbeat_timeout_ms > LLMS_HEARTBEAT_MAX_MS ||
	    want.retain_ended > LLMS_RETAIN_MAX ||
	    want.max_bytes_per_user <
	    llms_task_bytes(LLMSCHED_PAYLOAD_MAX, LLMSCHED_DEPS_MAX) ||
	    want.max_bytes_per_user > LLMS_BYTES_MAX ||
	    want.max_user_priority > LLMSCHED_PRIO_MAX)
		ret = -EINVAL;
	else
		llmsched.limits = want;
	spin_unlock(&llmsched.lock);
	if (ret)
		return ret;
	llms_watchdog_kick();
	if (changes->retain_ended)
		llms_evict_all_users();
	return 0;
}

long llms_ioc_set_limits(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd)
{
	struct llmsched_limits *req = arg;
	struct llms_limits changes = {
		.max_tasks = req->max_tasks,
		.max_tasks_per_user = req->max_tasks_per_user,
		.heartbeat_timeout_ms = req->heartbeat_timeout_ms,
		.retain_ended = req->retain_ended,
		.max_bytes_per_user = req->max_bytes_per_user,
		.max_user_priority = LLMS_LIMIT_KEEP,
	};

	if (req->flags & ~LLMSCHED_LIMITS_FLAGS || req->__reserved)
		return -EINVAL;
	if (req->flags & LLMSCHED_LIMITS_USER_PRIORITY)
		changes.max_user_priority = req->max_user_priority;
	else if (req->max_user_priority)
		return -EINVAL;
	return llms_apply_limits(&changes);
}

long llms_ioc_get_limits(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd)
{
	struct llmsched_limits *req = arg;

	if (req->flags || req->__reserved)
		return -EINVAL;
	spin_lock(&llmsched.lock);
	req->max_tasks = llmsched.limits.max_tasks;
	req->max_tasks_per_user = llmsched.limits.max_tasks_per_user;
	req->heartbeat_timeout_ms = llmsched.limits.heartbeat_timeout_ms;
	req->retain_ended = llmsched.limits.retain_ended;
	req->max_bytes_per_user = llmsched.limits.max_bytes_per_user;
	req->max_user_priority = llmsched.limits.max_user_priority;
	spin_unlock(&llmsched.lock);
	return 0;
}
