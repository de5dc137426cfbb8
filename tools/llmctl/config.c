// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl: what the live views and the history take from the runtime's
 * configuration (its state and log folders), and user names (llmctl.h).
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>

#include "llmctl.h"

int llmctl_config(const struct llmctl *ctx, struct llmsd_config *c)
{
	const char *path = ctx->config ? ctx->config : LLMSD_DEFAULT_CONFIG;
	struct llms_error *err = NULL;
	int ret;

	llmsd_config_init(c);
	ret = llmsd_config_load(c, path, &err);
	if (ret == -ENOENT && !ctx->config) {
		llms_error_free(&err);
		return 0;
	}
	if (ret) {
		llms_error_prefix(&err, "the runtime's configuration (--config "
				  "FILE) says where its folders are");
		/* Exit 3 is for tasks and agents, not a missing file. */
		llmctl_fail(ctx, &err);
		return LLMCTL_EXIT_FAILURE;
	}
	return 0;
}

int llmctl_parse_user(const struct llmctl *ctx, const char *opt,
		      const char *s, uint32_t *uid)
{
	struct passwd *pw;
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s && !*end && !errno && *s != '-' && v < UINT32_MAX) {
		*uid = (uint32_t)v;
		return 0;
	}
	pw = getpwnam(s);
	if (pw) {
		*uid = (uint32_t)pw->pw_uid;
		return 0;
	}
	llmctl_usage_error(ctx, "%s '%s': no such user; give a user name or "
			   "a numeric uid", opt, s);
	return -1;
}
