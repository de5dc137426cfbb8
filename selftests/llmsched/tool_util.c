// SPDX-License-Identifier: GPL-2.0
/* Running the programs as commands from the selftests: see tool_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool_util.h"
#include "time_scale.h"

int tu_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

int tu_read_text(const char *path, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	if (n < 0)
		n = -errno;
	close(fd);
	buf[got] = '\0';
	return n < 0 ? (int)n : 0;
}

const char *tu_beside(const char *name)
{
	/*
	 * This program's folder, resolved once: after the caller enters a
	 * new mount namespace, /proc/self/exe no longer reads as the path.
	 */
	static char dir[4096];
	static char path[4][4096];
	static unsigned int which;
	char *p = path[which++ & 3], *slash;
	ssize_t n;

	if (!dir[0]) {
		n = readlink("/proc/self/exe", dir, sizeof(dir));
		if (n < 0 || (size_t)n >= sizeof(dir)) {
			dir[0] = '\0';
			return name;
		}
		dir[n] = '\0';
		slash = strrchr(dir, '/');
		if (!slash) {
			dir[0] = '\0';
			return name;
		}
		slash[1] = '\0';
	}
	if (strlen(dir) + strlen(name) >= sizeof(path[0]))
		return name;
	strcpy(p, dir);
	strcat(p, name);
	return p;
}

/* In the child: @path opened as @fd_to (O_WRONLY for output). */
static void redirect(const char *path, int flags, int fd_to)
{
	int fd = open(path, flags, 0644);

	if (fd >= 0 && fd != fd_to) {
		dup2(fd, fd_to);
		close(fd);
	}
}

pid_t tu_start(const char *const *argv, int uid, const char *in_path,
	       const char *out_path, const char *err_path)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid)
		return pid;
	redirect(in_path ? in_path : "/dev/null", O_RDONLY, STDIN_FILENO);
	if (out_path)
		redirect(out_path, O_WRONLY | O_CREAT | O_TRUNC, STDOUT_FILENO);
	/* One open file for both, or each would write over the other. */
	if (err_path && out_path && !strcmp(err_path, out_path))
		dup2(STDOUT_FILENO, STDERR_FILENO);
	else if (err_path)
		redirect(err_path, O_WRONLY | O_CREAT | O_TRUNC, STDERR_FILENO);
	if (uid != TU_SELF &&
	    (setgroups(0, NULL) || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) ||
	     setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) || chdir("/tmp")))
		_exit(126);
	execv(argv[0], (char **)argv);
	_exit(127);
}

int tu_finish(pid_t pid, int timeout_ms)
{
	int status, waited = 0;
	pid_t r;

	if (pid < 0)
		return pid;
	if (timeout_ms != TU_FOREVER)
		timeout_ms *= llms_test_time_scale();
	for (;;) {
		r = waitpid(pid, &status, timeout_ms == TU_FOREVER ? 0 : WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : TU_KILLED;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r < 0)
			continue;
		if (waited >= timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return TU_KILLED;
		}
		usleep(20000);
		waited += 20;
	}
}

int tu_run(const char *const *argv, int uid, const char *in_path,
	   const char *out_path, const char *err_path, int timeout_ms)
{
	return tu_finish(tu_start(argv, uid, in_path, out_path, err_path),
			 timeout_ms);
}

int tu_capture(const struct tu_capture *c, int uid, const char *in_text,
	       const char *const *argv)
{
	char in[160], out[160], err[160];
	int ret;

	snprintf(in, sizeof(in), "%s/stdin", c->dir);
	snprintf(out, sizeof(out), "%s/stdout", c->dir);
	snprintf(err, sizeof(err), "%s/stderr", c->dir);
	if (in_text && tu_write_text(in, in_text))
		return -EIO;
	ret = tu_run(argv, uid, in_text ? in : NULL, out, err, c->timeout_ms);
	if (tu_read_text(out, c->out, c->out_size))
		c->out[0] = '\0';
	if (tu_read_text(err, c->err, c->err_size))
		c->err[0] = '\0';
	return ret;
}

int tu_vtool(const struct tu_capture *c, const char *conf, const char *prog,
	     int uid, const char *in_text, va_list ap)
{
	const char *argv[64] = { tu_beside(prog), "-c", conf };
	int argc = 3;

	while (argc < 63 && (argv[argc] = va_arg(ap, const char *)))
		argc++;
	argv[argc] = NULL;
	return tu_capture(c, uid, in_text, argv);
}

int tu_read_ids(const char *text, __u64 *ids, int room)
{
	int n = 0;
	char *end;

	while (*text && n < room) {
		ids[n] = strtoull(text, &end, 10);
		if (end == text || *end != '\n')
			break;
		n++;
		text = end + 1;
	}
	return n;
}

int tu_schema_ok(const char *dir, const char *schema, const char *text,
		 bool lines)
{
	char sch[4096], doc[160], out[160], err[160], msg[4096];
	const int limit_s = 60;
	const char *argv[6];
	int n = 0, ret;

	snprintf(sch, sizeof(sch), "%s%s",
		 tu_beside("../../Documentation/admin-guide/llmctl-json/"),
		 schema);
	snprintf(doc, sizeof(doc), "%s/doc.json", dir);
	snprintf(out, sizeof(out), "%s/schema.out", dir);
	snprintf(err, sizeof(err), "%s/schema.err", dir);
	if (tu_write_text(doc, text))
		return -EIO;
	/* Through python3: the source tree's mode bits are not ours to trust. */
	argv[n++] = "/usr/bin/python3";
	argv[n++] = tu_beside("../../selftests/llmsched/check-json-schema");
	if (lines)
		argv[n++] = "--lines";
	argv[n++] = sch;
	argv[n++] = doc;
	argv[n] = NULL;
	ret = tu_run(argv, TU_SELF, NULL, out, err, limit_s * 1000);
	if (ret == TU_KILLED)
		fprintf(stderr,
			"# %s: check-json-schema was killed: it ran past %d s (LLMSCHED_TEST_TIME_SCALE %d), or died by a signal\n",
			schema, limit_s * llms_test_time_scale(),
			llms_test_time_scale());
	else if (ret && !tu_read_text(err, msg, sizeof(msg)))
		fprintf(stderr, "# %s: %s\n", schema, msg);
	return ret;
}
