/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsched-demo: the runtime's part of the project's reference example,
 * played against the real module.  main.c submits and watches, agent.c is
 * the agent process.  Everything they do to the module, the cgroups and the
 * processes goes through libllmsched (runtime/lib/); sys.c holds the few
 * helpers of the demo's own.
 */
#ifndef LLMDEMO_H
#define LLMDEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include <linux/llmsched.h>

#include "../../runtime/lib/libllmsched.h"

#define DEMO_PROG	"llmsched-demo"
/* The demo's folder, below the cgroup2 mount. */
#define DEMO_CG_NAME	"llmsched-demo"
/* How long killed processes may take to leave a folder being removed. */
#define DEMO_CG_TIMEOUT_MS	2000

#define DEMO_NSEC_PER_MSEC	1000000ULL
#define DEMO_NSEC_PER_SEC	1000000000ULL
#define DEMO_CPUS(n)		((__u64)(n) * 1000)	/* millicores */
#define DEMO_GB(n)		((__u64)(n) << 30)

#define DEMO_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------- sys.c */

/*
 * Print "llmsched-demo: WHAT: strerror(err)" on stderr (without the errno
 * text when @err is 0), then @hint on its own line when not NULL.
 */
void demo_fail(int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Print the library's error *@err as "llmsched-demo: WHAT: strerror", then
 * @hint on its own line when not NULL, and free it.
 */
void demo_error(struct llms_error **err, const char *hint);

/* CLOCK_MONOTONIC, in nanoseconds. */
__u64 demo_now_ns(void);

/* /proc/@pid/comm into @buf, without its newline; 0 or -errno. */
int demo_read_comm(pid_t pid, char *buf, size_t len);

/* ----------------------------------------------------------- agent.c */

struct demo_agent_conf {
	unsigned int num;	/* the demo's numbering: 1, 2 */
	__u64 cpu;		/* reservation, millicores */
	__u64 mem;		/* reservation, bytes */
	const struct llms_cgroup *cg;
	pid_t parent;		/* the submitter's pid */
};

/*
 * The agent process, in its cgroup: open /dev/llmsched, register (the
 * demo sees it in the module's list of agents), then fetch, start, run,
 * complete until SIGTERM (or the parent's death); unregister.  Returns the
 * process's exit status.
 */
int demo_agent_main(const struct demo_agent_conf *conf);

/*
 * main() of "llmsched-demo --agent NUM CGROUP MILLICORES BYTES PARENT",
 * the command line the demo starts each agent with: demo_agent_main() with
 * that configuration, CGROUP being the agent's folder (an absolute path)
 * and PARENT the demo's pid.  Not for people: the help does not show it.
 */
int demo_agent_exec_main(int argc, char **argv);

#endif /* LLMDEMO_H */
