// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched: /sys/kernel/llmsched readers.  See sysfs.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "sysfs.h"

static int check_rel(const char *rel, struct llms_error **err)
{
	const char *p;

	if (rel[0] == '/' || !rel[0])
		return llms_error_set(err, EINVAL,
				      "sysfs: \"%s\" is not a path below %s",
				      rel, LLMS_SYSFS_ROOT);
	for (p = rel; (p = strstr(p, "..")); p += 2)
		if ((p == rel || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return llms_error_set(err, EINVAL,
					      "sysfs: \"%s\" leaves %s", rel,
					      LLMS_SYSFS_ROOT);
	return 0;
}

static int no_module(const char *rel, struct llms_error **err)
{
	return llms_error_set_code(
		err, ENOENT, LLMS_SYSFS_NO_MODULE,
		"reading %s/%s: the llmsched module is not loaded "
		"(there is no %s)",
		LLMS_SYSFS_ROOT, rel, LLMS_SYSFS_ROOT);
}

/*
 * @rel was not there in the module's folder @root_fd (ENOENT, *@err set):
 * replace the error by what that means.
 */
static int not_there(int root_fd, const char *rel, struct llms_error **err)
{
	char agent_dir[32];
	unsigned int id;
	int len = 0;

	llms_error_free(err);
	/* Unloaded since the folder was opened: it has no parent any more. */
	if (faccessat(root_fd, "version", F_OK, 0))
		return no_module(rel, err);
	if (sscanf(rel, "agents/%u%n", &id, &len) == 1 &&
	    (rel[len] == '/' || !rel[len])) {
		snprintf(agent_dir, sizeof(agent_dir), "agents/%u", id);
		if (faccessat(root_fd, agent_dir, F_OK, 0))
			return llms_error_set_code(
				err, ENOENT, LLMS_SYSFS_NO_AGENT,
				"reading %s/%s: agent %u is not registered",
				LLMS_SYSFS_ROOT, rel, id);
	}
	return llms_error_set_code(
		err, ENOENT, LLMS_SYSFS_NO_FILE,
		"reading %s/%s: this llmsched module has no such file",
		LLMS_SYSFS_ROOT, rel);
}

/* The module's folder, opened; ENOENT with NO_MODULE when not loaded. */
static int open_root(const char *rel, struct llms_error **err)
{
	int fd = open(LLMS_SYSFS_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return no_module(rel, err);
	return llms_error_set(err, errno, "opening %s", LLMS_SYSFS_ROOT);
}

static int sysfs_read(const char *rel, char **text, struct llms_error **err)
{
	int ret = check_rel(rel, err), root_fd;

	if (ret)
		return ret;
	root_fd = open_root(rel, err);
	if (root_fd < 0)
		return root_fd;
	ret = llms_read_text_at(root_fd, LLMS_SYSFS_ROOT, rel, text, NULL, err);
	if (ret == -ENOENT)
		ret = not_there(root_fd, rel, err);
	close(root_fd);
	return ret;
}

int llms_sysfs_read_string(const char *rel, char **text,
			   struct llms_error **err)
{
	size_t len;
	int ret;

	ret = sysfs_read(rel, text, err);
	if (ret)
		return ret;
	len = strlen(*text);
	if (len && (*text)[len - 1] == '\n')
		(*text)[len - 1] = '\0';
	return 0;
}

int llms_sysfs_read_u64(const char *rel, uint64_t *val, struct llms_error **err)
{
	char *text;
	int ret;

	ret = sysfs_read(rel, &text, err);
	if (ret)
		return ret;
	if (llms_parse_u64(text, val))
		ret = llms_error_set(err, EPROTO,
				     "reading %s/%s: not a number: \"%.32s\"",
				     LLMS_SYSFS_ROOT, rel, text);
	free(text);
	return ret;
}

void llms_sysfs_pairs_free(struct llms_sysfs_pair *pairs, size_t count)
{
	while (count)
		free(pairs[--count].key);
	free(pairs);
}

int llms_sysfs_read_pairs(const char *rel, struct llms_sysfs_pair **pairs,
			  size_t *count, struct llms_error **err)
{
	struct llms_sysfs_pair *list = NULL, *grown;
	char *text, *line, *end, *next, *space;
	size_t n = 0, cap = 0;
	int ret;

	ret = sysfs_read(rel, &text, err);
	if (ret)
		return ret;
	for (line = text; *line; line = next) {
		end = strchrnul(line, '\n');
		next = *end ? end + 1 : end;
		*end = '\0';
		space = strchr(line, ' ');
		if (space)
			*space = '\0';
		if (!space || space == line ||
		    llms_parse_u64(space + 1, &(uint64_t){ 0 })) {
			if (space)
				*space = ' ';
			ret = llms_error_set(
				err, EPROTO,
				"reading %s/%s: not \"KEY VALUE\": \"%.40s\"",
				LLMS_SYSFS_ROOT, rel, line);
			goto fail;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				goto nomem;
			list = grown;
		}
		list[n].key = strdup(line);
		if (!list[n].key)
			goto nomem;
		llms_parse_u64(space + 1, &list[n].value);
		n++;
	}
	free(text);
	*pairs = list;
	*count = n;
	return 0;
nomem:
	ret = llms_error_set(err, ENOMEM, "reading %s/%s", LLMS_SYSFS_ROOT,
			     rel);
fail:
	free(text);
	llms_sysfs_pairs_free(list, n);
	return ret;
}

static int compare_ids(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int llms_sysfs_agent_ids(uint32_t **ids, size_t *count, struct llms_error **err)
{
	uint32_t *list = NULL, *grown;
	size_t n = 0, cap = 0;
	struct dirent *de;
	unsigned int id;
	int root_fd, fd, len, ret = 0;
	DIR *dir;

	root_fd = open_root("agents", err);
	if (root_fd < 0)
		return root_fd;
	fd = openat(root_fd, "agents", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = llms_error_set(err, errno, "listing %s/agents",
				     LLMS_SYSFS_ROOT);
		if (ret == -ENOENT)
			ret = not_there(root_fd, "agents", err);
		close(root_fd);
		return ret;
	}
	close(root_fd);
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return llms_error_set(err, errno, "listing %s/agents",
				      LLMS_SYSFS_ROOT);
	}
	while ((errno = 0, de = readdir(dir))) {
		if (sscanf(de->d_name, "%u%n", &id, &len) != 1 ||
		    de->d_name[len] || de->d_name[0] < '0' ||
		    de->d_name[0] > '9')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				ret = llms_error_set(err, ENOMEM,
						     "listing %s/agents",
						     LLMS_SYSFS_ROOT);
				break;
			}
			list = grown;
		}
		list[n++] = id;
	}
	if (!ret && errno)
		ret = llms_error_set(err, errno, "listing %s/agents",
				     LLMS_SYSFS_ROOT);
	closedir(dir);
	if (ret) {
		free(list);
		return ret;
	}
	if (n)
		qsort(list, n, sizeof(*list), compare_ids);
	*ids = list;
	*count = n;
	return 0;
}

void llms_sysfs_agent_free(struct llms_sysfs_agent *agent)
{
	free(agent->cgroup);
	free(agent->state);
	free(agent->tasks);
	agent->cgroup = agent->state = NULL;
	agent->tasks = NULL;
	agent->ntasks = 0;
}

/*
 * One line of an agent's "tasks" file, "ID STATE [LABEL]" without its
 * newline, into @t: false when it has another shape.  The label is the
 * rest of the line: labels are printable ASCII and may hold spaces.
 */
static bool parse_task_line(const char *line, size_t len,
			    struct llms_sysfs_agent_task *t)
{
	const char *p = line, *end = line + len, *word;
	char *num_end;

	memset(t, 0, sizeof(*t));
	if (p == end || *p < '0' || *p > '9')
		return false;
	errno = 0;
	t->id = strtoull(p, &num_end, 10);
	if (errno || num_end == end || *num_end != ' ')
		return false;
	word = num_end + 1;
	for (p = word; p < end && *p != ' '; p++)
		if (*p < 'a' || *p > 'z')
			return false;
	if (p == word || (size_t)(p - word) >= sizeof(t->state))
		return false;
	memcpy(t->state, word, p - word);
	if (p == end)
		return true;
	word = p + 1;
	if (word == end || (size_t)(end - word) >= sizeof(t->label))
		return false;
	for (p = word; p < end; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	memcpy(t->label, word, end - word);
	return true;
}

/* An agent's "tasks" file: one task a line. */
static int parse_tasks(const char *rel, const char *text,
		       struct llms_sysfs_agent *a, struct llms_error **err)
{
	const char *line = text, *nl;
	struct llms_sysfs_agent_task *grown;
	size_t cap = 0;

	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			goto bad;
		if (a->ntasks == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(a->tasks, cap * sizeof(*a->tasks));
			if (!grown)
				return llms_error_set(err, ENOMEM,
						      "reading %s/%s",
						      LLMS_SYSFS_ROOT, rel);
			a->tasks = grown;
		}
		if (!parse_task_line(line, nl - line, &a->tasks[a->ntasks]))
			goto bad;
		a->ntasks++;
	}
	return 0;
bad:
	return llms_error_set(err, EPROTO,
			      "reading %s/%s: not an \"ID STATE [LABEL]\" line: \"%.*s\"",
			      LLMS_SYSFS_ROOT, rel,
			      (int)strcspn(line, "\n") > 60 ? 60 :
			      (int)strcspn(line, "\n"), line);
}

int llms_sysfs_read_agent(uint32_t id, struct llms_sysfs_agent *agent,
			  struct llms_error **err)
{
	struct llms_sysfs_agent a = { .id = id };
	const struct {
		const char *name;
		uint64_t *val;
	} numbers[] = {
		{ "cgroup_id", &a.cgroup_id },
		{ "capacity_cpu", &a.capacity_cpu },
		{ "capacity_mem", &a.capacity_mem },
		{ "capacity_gpu", &a.capacity_gpu },
		{ "capacity_gpu_mem", &a.capacity_gpu_mem },
		{ "load", &a.load },
		{ "slots", &a.slots },
	};
	char rel[64], *text;
	uint64_t pid;
	size_t i;
	int ret;

	snprintf(rel, sizeof(rel), "agents/%u/pid", id);
	ret = llms_sysfs_read_u64(rel, &pid, err);
	a.pid = (pid_t)pid;
	for (i = 0; !ret && i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		snprintf(rel, sizeof(rel), "agents/%u/%s", id, numbers[i].name);
		ret = llms_sysfs_read_u64(rel, numbers[i].val, err);
	}
	if (!ret) {
		snprintf(rel, sizeof(rel), "agents/%u/cgroup", id);
		ret = llms_sysfs_read_string(rel, &a.cgroup, err);
	}
	if (!ret) {
		snprintf(rel, sizeof(rel), "agents/%u/state", id);
		ret = llms_sysfs_read_string(rel, &a.state, err);
	}
	if (!ret) {
		snprintf(rel, sizeof(rel), "agents/%u/tasks", id);
		ret = sysfs_read(rel, &text, err);
		if (!ret) {
			a.tasks_read = true;
			ret = parse_tasks(rel, text, &a, err);
			free(text);
		} else if (ret == -EACCES) {
			/* Root's only: the ids are other users' tasks. */
			llms_error_free(err);
			ret = 0;
		}
	}
	if (ret) {
		llms_sysfs_agent_free(&a);
		return ret;
	}
	*agent = a;
	return 0;
}
