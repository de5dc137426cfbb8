// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: skeleton (implementation in progress).
 */
#include "engine.h"

void lsc_default_tunables(struct lsc_tunables *tun)
{
	tun->backfill_depth = 64;
	tun->agent_scan = 64;
	tun->age_ns = 10ULL * 1000000000ULL;
	tun->default_est_ns = 60ULL * 1000000000ULL;
	tun->est_max_ns = 1ULL << 46;
	tun->balance_threshold = 200;
	tun->max_migrations = 16;
}

void lsc_engine_init(struct lsc_engine *eng, const struct lsc_ops *ops,
		     void *priv)
{
	memset(eng, 0, sizeof(*eng));
	eng->ops = ops;
	eng->priv = priv;
	lsc_default_tunables(&eng->tun);
	lsc_tree_init(&eng->runq);
	lsc_tree_init(&eng->users);
	lsc_tree_init(&eng->loads);
	lsc_list_init(&eng->classes);
}

int lsc_set_tunables(struct lsc_engine *eng, const struct lsc_tunables *tun)
{
	return -LSC_EINVAL;
}

int lsc_set_policy(struct lsc_engine *eng, u32 policy)
{
	return -LSC_EINVAL;
}

int lsc_set_agent_choice(struct lsc_engine *eng, u32 choice)
{
	return -LSC_EINVAL;
}

int lsc_set_host_capacity(struct lsc_engine *eng, const u64 *cap)
{
	return -LSC_EINVAL;
}

int lsc_set_estimator(struct lsc_engine *eng, const s64 *coef, u32 nr)
{
	return -LSC_EINVAL;
}

u64 lsc_estimate(const struct lsc_engine *eng, const u64 *features, u32 nr)
{
	return 0;
}

void lsc_user_init(struct lsc_user *user, u32 uid)
{
	memset(user, 0, sizeof(*user));
	user->uid = uid;
	lsc_tree_init(&user->runq);
}

int lsc_user_add(struct lsc_engine *eng, struct lsc_user *user)
{
	return -LSC_EINVAL;
}

int lsc_user_remove(struct lsc_engine *eng, struct lsc_user *user)
{
	return -LSC_EINVAL;
}

void lsc_task_init(struct lsc_task *task, u64 id)
{
	memset(task, 0, sizeof(*task));
	task->id = id;
	task->prio = LSC_PRIO_DEFAULT;
	lsc_list_init(&task->dependents);
	lsc_list_init(&task->alink);
}

int lsc_task_submit(struct lsc_engine *eng, struct lsc_task *task,
		    struct lsc_user *user, struct lsc_dep *deps, u32 nr_deps,
		    const u64 *features, u32 nr_features, u64 now)
{
	return -LSC_EINVAL;
}

bool lsc_task_can_ever_fit(const struct lsc_engine *eng,
			   const struct lsc_task *task)
{
	return false;
}

int lsc_task_start(struct lsc_engine *eng, struct lsc_task *task, u64 now)
{
	return -LSC_EINVAL;
}

int lsc_task_complete(struct lsc_engine *eng, struct lsc_task *task,
		      s32 exit_status, u64 now)
{
	return -LSC_EINVAL;
}

int lsc_task_cancel(struct lsc_engine *eng, struct lsc_task *task, u64 now)
{
	return -LSC_EINVAL;
}

const char *lsc_task_state_name(u32 state)
{
	return "?";
}

const char *lsc_fail_reason_name(u32 reason)
{
	return "?";
}

void lsc_agent_init(struct lsc_agent *agent, u32 id)
{
	memset(agent, 0, sizeof(*agent));
	agent->id = id;
	agent->slots = 1;
}

int lsc_agent_add(struct lsc_engine *eng, struct lsc_agent *agent, u64 now)
{
	return -LSC_EINVAL;
}

int lsc_agent_set_health(struct lsc_engine *eng, struct lsc_agent *agent,
			 u32 health, u64 now)
{
	return -LSC_EINVAL;
}

int lsc_agent_remove(struct lsc_engine *eng, struct lsc_agent *agent,
		     u64 now)
{
	return -LSC_ENOENT;
}

int lsc_agent_set_measured(struct lsc_engine *eng, struct lsc_agent *agent,
			   u32 permille)
{
	return -LSC_ENOENT;
}

int lsc_agent_resize(struct lsc_engine *eng, struct lsc_agent *agent,
		     const u64 *cap)
{
	return -LSC_ENOENT;
}

u32 lsc_dispatch(struct lsc_engine *eng, u64 now)
{
	return 0;
}

u64 lsc_imbalance(const struct lsc_engine *eng)
{
	return 0;
}

u32 lsc_balance(struct lsc_engine *eng, u64 now)
{
	return 0;
}
