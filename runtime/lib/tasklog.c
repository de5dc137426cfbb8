// SPDX-License-Identifier: GPL-2.0
/* libllmsched: a task's output files (tasklog.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ioctl.h"
#include "tasklog.h"

int llms_tasklog_path(char *buf, size_t size, const char *log_dir,
		      uint32_t uid, uint64_t task_id,
		      enum llms_tasklog_stream s, struct llms_error **err)
{
	int n;

	if (!log_dir || !*log_dir)
		return llms_error_set(err, EINVAL, "task log: no log folder");
	n = snprintf(buf, size, "%s/" LLMS_TASKLOG_DIR "/%u/task-%llu.%s",
		     log_dir, (unsigned int)uid, (unsigned long long)task_id,
		     s == LLMS_TASKLOG_STDERR ? "err" : "out");
	if (n < 0 || (size_t)n >= size)
		return llms_error_set(err, ENAMETOOLONG,
				      "task %llu's log under %s",
				      (unsigned long long)task_id, log_dir);
	return 0;
}

int llms_tasklog_pump(struct llms_tasklog *l, bool must_exist,
		      struct llms_error **err)
{
	char buf[65536];
	ssize_t n;
	int total = 0;

	if (l->done)
		return 0;
	if (l->fd < 0) {
		/* O_NONBLOCK: a FIFO put there must not hang the reader. */
		l->fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
			     O_NOCTTY);
		if (l->fd < 0) {
			if (errno == ENOENT && !must_exist)
				return 0;
			l->done = true;
			return llms_error_set(err, errno, "opening %s",
					      l->path);
		}
	}
	while ((n = read(l->fd, buf, sizeof(buf))) > 0) {
		if (fwrite(buf, 1, (size_t)n, l->out) != (size_t)n) {
			l->done = true;
			return llms_error_set(err, EIO, "copying %s",
					      l->path);
		}
		l->copied += (uint64_t)n;
		/* What one call returns stays below INT_MAX. */
		if (total < (1 << 30))
			total += (int)n;
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		l->done = true;
		return llms_error_set(err, errno, "reading %s", l->path);
	}
	if (fflush(l->out) == EOF) {
		l->done = true;
		return llms_error_set(err, EIO, "copying %s", l->path);
	}
	return total;
}

void llms_tasklog_close(struct llms_tasklog *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

static bool running_state(uint32_t state)
{
	return state == LLMSCHED_TASK_RUNNING ||
	       state == LLMSCHED_TASK_FROZEN ||
	       state == LLMSCHED_TASK_STOPPING;
}

static void pump_all(struct llms_tasklog *logs, size_t n, bool ended,
		     const char *prog)
{
	struct llms_error *e = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (llms_tasklog_pump(&logs[i], ended, &e) < 0) {
			llms_error_print(stderr, prog, e);
			llms_error_free(&e);
		}
}

int llms_tasklog_follow(int fd, uint64_t id, struct llms_tasklog *logs,
			size_t n, const char *prog,
			struct llmsched_task_wait *w, struct llms_error **err)
{
	struct llmsched_task_info info;
	bool started = false;
	size_t i;
	int ret;

	for (;;) {
		memset(w, 0, sizeof(*w));
		w->task_id = id;
		w->timeout_ns = LLMS_TASKLOG_STEP_NS;
		ret = llms_task_wait(fd, w, err);
		if (ret && ret != -ETIMEDOUT && ret != -EINTR)
			break;
		llms_error_free(err);
		if (!started && ret) {
			started = running_state(w->state);
		} else if (!started) {
			/* It ended: did it ever start (else no log)? */
			if (llms_task_query(fd, id, &info, err))
				llms_error_free(err);
			else
				started = info.start_ns != 0;
		}
		if (started)
			pump_all(logs, n, !ret, prog);
		if (!ret)
			break;
	}
	for (i = 0; i < n; i++)
		llms_tasklog_close(&logs[i]);
	return ret;
}
