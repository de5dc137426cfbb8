// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched: cgroup v2.  See cgroup.h; the interface files are those of
 * the kernel's Documentation/admin-guide/cgroup-v2.rst.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <mntent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cgroup.h"
#include "fileio.h"

/* How long to wait between two tries of what the kernel is still doing. */
#define RETRY_SLEEP_US 5000

/* -------------------------------------------------------------- files */

/* The controller whose interface file @file is, NULL for the core's. */
static const char *controller_of(const char *file)
{
	static const char *const controllers[] = { "cpuset", "cpu", "memory",
						   "pids",   "io",  "hugetlb" };
	size_t i, len;

	for (i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
		len = strlen(controllers[i]);
		if (!strncmp(file, controllers[i], len) && file[len] == '.')
			return controllers[i];
	}
	return NULL;
}

/*
 * A control file that is not there, said as what it means: its controller
 * is not enabled for the folder, rather than "no such file".
 */
static int missing_file(const struct llms_cgroup *cg, const char *file,
			struct llms_error **err)
{
	const char *controller = controller_of(file);

	llms_error_free(err);
	if (!controller)
		return llms_error_set(err, ENOENT, "%s/%s: no such file",
				      cg->path, file);
	return llms_error_set(
		err, ENOENT,
		"%s/%s: the %s controller is not enabled for this "
		"folder (in its parent's cgroup.subtree_control)",
		cg->path, file, controller);
}

static int cg_read(const struct llms_cgroup *cg, const char *file, char **text,
		   struct llms_error **err)
{
	int ret = llms_read_text_at(cg->fd, cg->path, file, text, NULL, err);

	if (ret == -ENOENT)
		return missing_file(cg, file, err);
	return ret;
}

static int cg_write(const struct llms_cgroup *cg, const char *file,
		    const char *text, struct llms_error **err)
{
	int ret = llms_write_text_at(cg->fd, cg->path, file, text, err);

	if (ret == -ENOENT)
		return missing_file(cg, file, err);
	return ret;
}

/* One number (or "max") from the file @file. */
static int cg_read_u64(const struct llms_cgroup *cg, const char *file,
		       bool max_allowed, uint64_t *val, struct llms_error **err)
{
	char *text;
	int ret;

	ret = cg_read(cg, file, &text, err);
	if (ret)
		return ret;
	ret = max_allowed ? llms_parse_u64_or_max(text, val)
			  : llms_parse_u64(text, val);
	if (ret)
		llms_error_set(err, EPROTO, "%s/%s: not a number: \"%.32s\"",
			       cg->path, file, text);
	free(text);
	return ret ? -EPROTO : 0;
}

static int cg_write_u64(const struct llms_cgroup *cg, const char *file,
			uint64_t val, struct llms_error **err)
{
	char text[32];

	if (val == LLMS_CGROUP_MAX)
		snprintf(text, sizeof(text), "max");
	else
		snprintf(text, sizeof(text), "%" PRIu64, val);
	return cg_write(cg, file, text, err);
}

/* The number of @key in the "KEY VALUE" lines of @file's @text. */
static int keyed(const struct llms_cgroup *cg, const char *file,
		 const char *text, const char *key, uint64_t *val,
		 struct llms_error **err)
{
	int ret = llms_keyed_u64(text, key, val);

	if (ret == -ENOENT)
		return llms_error_set(err, EPROTO, "%s/%s has no \"%s\" line",
				      cg->path, file, key);
	if (ret)
		return llms_error_set(
			err, EPROTO,
			"%s/%s: \"%s\" is not followed by a number", cg->path,
			file, key);
	return 0;
}

/* ------------------------------------------------------------ folders */

int llms_cgroup_mount(char **path, struct llms_error **err)
{
	char buf[4096], *found = NULL;
	struct mntent ent;
	FILE *mounts;

	mounts = setmntent("/proc/self/mounts", "re");
	if (!mounts)
		return llms_error_set(err, errno, "reading /proc/self/mounts");
	while (getmntent_r(mounts, &ent, buf, sizeof(buf))) {
		if (strcmp(ent.mnt_type, "cgroup2"))
			continue;
		/* Where systemd and the kernel's documentation put it. */
		if (!strcmp(ent.mnt_dir, "/sys/fs/cgroup") || !found) {
			free(found);
			found = strdup(ent.mnt_dir);
			if (!found)
				break;
		}
		if (!strcmp(ent.mnt_dir, "/sys/fs/cgroup"))
			break;
	}
	endmntent(mounts);
	if (!found)
		return llms_error_set(err, ENOENT,
				      "no cgroup2 file system is mounted "
				      "(mount -t cgroup2 none /sys/fs/cgroup)");
	*path = found;
	return 0;
}

int llms_cgroup_open(struct llms_cgroup *cg, const char *path,
		     struct llms_error **err)
{
	struct statfs fs;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return llms_error_set(err, errno, "opening cgroup %s", path);
	if (fstatfs(fd, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC) {
		close(fd);
		return llms_error_set(err, EINVAL,
				      "%s is not in a cgroup2 file system",
				      path);
	}
	cg->path = strdup(path);
	if (!cg->path) {
		close(fd);
		return llms_error_set(err, ENOMEM, "opening cgroup %s", path);
	}
	cg->fd = fd;
	return 0;
}

void llms_cgroup_close(struct llms_cgroup *cg)
{
	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
	free(cg->path);
	cg->path = NULL;
}

/*
 * A relative path of folder names: no empty, "." or ".." component, no
 * leading '/', each name short enough.  An empty @relpath is fine when
 * @empty_ok.
 */
static int check_relpath(const char *relpath, bool empty_ok,
			 struct llms_error **err)
{
	const char *name = relpath, *end;

	if (!*relpath) {
		if (empty_ok)
			return 0;
		return llms_error_set(err, EINVAL, "empty cgroup path");
	}
	for (;;) {
		end = strchrnul(name, '/');
		if (end == name || (end - name == 1 && name[0] == '.') ||
		    (end - name == 2 && name[0] == '.' && name[1] == '.'))
			return llms_error_set(err, EINVAL,
					      "cgroup path \"%s\": each "
					      "component must be a folder name",
					      relpath);
		if (end - name > NAME_MAX)
			return llms_error_set(err, ENAMETOOLONG,
					      "cgroup path \"%s\": a component "
					      "is longer than %d bytes",
					      relpath, NAME_MAX);
		if (!*end)
			return 0;
		name = end + 1;
	}
}

/* The component of @relpath at @name, as a string, in @buf. */
static const char *component(const char *name, char buf[NAME_MAX + 1],
			     const char **next)
{
	const char *end = strchrnul(name, '/');

	memcpy(buf, name, end - name);
	buf[end - name] = '\0';
	*next = *end ? end + 1 : NULL;
	return buf;
}

static int open_folder_at(int dirfd, const char *name)
{
	return openat(dirfd, name,
		      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int llms_cgroup_create(struct llms_cgroup *cg, const struct llms_cgroup *parent,
		       const char *relpath, struct llms_error **err)
{
	const char *name = relpath, *next;
	char buf[NAME_MAX + 1];
	int dirfd = parent->fd, fd, ret;
	char *path;

	ret = check_relpath(relpath, false, err);
	if (ret)
		return ret;
	for (; name; name = next) {
		component(name, buf, &next);
		if (mkdirat(dirfd, buf, 0755) && errno != EEXIST) {
			ret = llms_error_set(
				err, errno, "creating cgroup %s/%.*s: mkdir",
				parent->path,
				(int)(name - relpath + strlen(buf)), relpath);
			goto out;
		}
		fd = open_folder_at(dirfd, buf);
		if (fd < 0) {
			ret = llms_error_set(
				err, errno, "opening cgroup %s/%.*s",
				parent->path,
				(int)(name - relpath + strlen(buf)), relpath);
			goto out;
		}
		if (dirfd != parent->fd)
			close(dirfd);
		dirfd = fd;
	}
	if (asprintf(&path, "%s/%s", parent->path, relpath) < 0) {
		ret = llms_error_set(err, ENOMEM, "creating cgroup %s/%s",
				     parent->path, relpath);
		goto out;
	}
	cg->fd = dirfd;
	cg->path = path;
	return 0;
out:
	if (dirfd != parent->fd)
		close(dirfd);
	return ret;
}

/* Whether the space-separated @list (a controllers file) has @word. */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/* Whether processes live in @cg itself (not below it). */
static bool holds_processes(const struct llms_cgroup *cg)
{
	struct llms_error *err = NULL;
	size_t count = 0;
	pid_t *pids;

	if (llms_cgroup_procs(cg, &pids, &count, &err)) {
		llms_error_free(&err);
		return false;
	}
	free(pids);
	return count > 0;
}

/* Enable @controllers in the cgroup.subtree_control of the folder @dir. */
static int enable_in(const struct llms_cgroup *dir,
		     const char *const *controllers, struct llms_error **err)
{
	char *available = NULL, *enabled = NULL, plus[64];
	const char *const *c;
	int ret;

	ret = cg_read(dir, "cgroup.controllers", &available, err);
	if (!ret)
		ret = cg_read(dir, "cgroup.subtree_control", &enabled, err);
	for (c = controllers; !ret && *c; c++) {
		if (has_word(enabled, *c))
			continue;
		if (!has_word(available, *c)) {
			ret = llms_error_set(err, ENOENT,
					     "enabling the %s controller in "
					     "%s: not available there "
					     "(its cgroup.controllers has "
					     "\"%.*s\"): enable it in its "
					     "parent first, or the kernel has "
					     "no such controller",
					     *c, dir->path,
					     (int)strcspn(available, "\n"),
					     available);
			break;
		}
		snprintf(plus, sizeof(plus), "+%s", *c);
		ret = cg_write(dir, "cgroup.subtree_control", plus, err);
		/*
		 * The no-internal-process rule: a folder (the root aside) may
		 * hold processes or give domain controllers to its children,
		 * not both, so that every process is in a leaf of each
		 * controller's tree and competes only with its siblings.
		 */
		if (ret == -EBUSY && holds_processes(dir))
			llms_error_prefix(err,
					  "enabling the %s controller in %s: "
					  "the folder holds "
					  "processes, and a cgroup that gives "
					  "domain controllers to its "
					  "children may not (no internal "
					  "processes: move them to "
					  "a leaf folder)",
					  *c, dir->path);
	}
	free(available);
	free(enabled);
	return ret;
}

int llms_cgroup_enable_controllers(const struct llms_cgroup *root,
				   const char *relpath,
				   const char *const *controllers,
				   struct llms_error **err)
{
	struct llms_cgroup dir = { .fd = root->fd, .path = root->path };
	const char *name = relpath, *next;
	char buf[NAME_MAX + 1], *path;
	int fd, ret;

	if (!relpath)
		relpath = name = "";
	ret = check_relpath(relpath, true, err);
	if (ret)
		return ret;
	/* From the top down: a folder can only give what it was given. */
	ret = enable_in(&dir, controllers, err);
	for (next = *name ? name : NULL; !ret && next;) {
		name = next;
		component(name, buf, &next);
		/* The last folder is the leaf: it keeps its processes. */
		if (!next)
			break;
		fd = open_folder_at(dir.fd, buf);
		if (fd < 0) {
			ret = llms_error_set(
				err, errno,
				"enabling controllers for %s/%s: opening %s/%s",
				root->path, relpath, dir.path, buf);
			break;
		}
		if (asprintf(&path, "%s/%s", dir.path, buf) < 0) {
			close(fd);
			ret = llms_error_set(err, ENOMEM,
					     "enabling controllers for %s/%s",
					     root->path, relpath);
			break;
		}
		if (dir.fd != root->fd)
			llms_cgroup_close(&dir);
		dir.fd = fd;
		dir.path = path;
		ret = enable_in(&dir, controllers, err);
	}
	if (dir.fd != root->fd)
		llms_cgroup_close(&dir);
	return ret;
}

int llms_cgroup_id(const struct llms_cgroup *cg, uint64_t *id,
		   struct llms_error **err)
{
	struct stat st;

	if (fstat(cg->fd, &st))
		return llms_error_set(err, errno, "stat %s", cg->path);
	*id = st.st_ino;
	return 0;
}

/* Names of the folders in @dirfd, in *@names (a malloc()ed array). */
static int list_folders(int dirfd, const char *path, char ***names,
			size_t *count, struct llms_error **err)
{
	char **list = NULL, **grown;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd, ret = 0;
	DIR *dir;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return llms_error_set(err, errno, "listing %s", path);
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return llms_error_set(err, errno, "listing %s", path);
	}
	while ((errno = 0, de = readdir(dir))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				goto nomem;
			list = grown;
		}
		list[n] = strdup(de->d_name);
		if (!list[n])
			goto nomem;
		n++;
	}
	if (errno)
		ret = llms_error_set(err, errno, "listing %s", path);
	goto out;
nomem:
	ret = llms_error_set(err, ENOMEM, "listing %s", path);
out:
	closedir(dir);
	if (ret) {
		while (n)
			free(list[--n]);
		free(list);
		return ret;
	}
	*names = list;
	*count = n;
	return 0;
}

static void free_names(char **names, size_t count)
{
	while (count)
		free(names[--count]);
	free(names);
}

/* rmdir @name in @dirfd and all below it, deepest first, by @deadline. */
static int remove_tree(int dirfd, const char *dir_path, const char *name,
		       uint64_t deadline_ms, struct llms_error **err)
{
	char *path, **names = NULL;
	size_t count = 0, i;
	int fd, ret;

	if (asprintf(&path, "%s/%s", dir_path, name) < 0)
		return llms_error_set(err, ENOMEM, "removing %s/%s", dir_path,
				      name);
	fd = open_folder_at(dirfd, name);
	if (fd < 0) {
		ret = llms_error_set(err, errno, "removing cgroup %s", path);
		goto out;
	}
	ret = list_folders(fd, path, &names, &count, err);
	for (i = 0; !ret && i < count; i++) {
		ret = remove_tree(fd, path, names[i], deadline_ms, err);
		/* Gone meanwhile: someone else removed it, as wanted. */
		if (ret == -ENOENT) {
			llms_error_free(err);
			ret = 0;
		}
	}
	free_names(names, count);
	close(fd);
	while (!ret && unlinkat(dirfd, name, AT_REMOVEDIR)) {
		/*
		 * EBUSY: processes still in it (the killed ones leave a moment
		 * after the kill) or a folder created below meanwhile.
		 */
		if (errno != EBUSY || llms_now_ms() >= deadline_ms) {
			ret = llms_error_set(err, errno, "removing cgroup %s",
					     path);
			break;
		}
		usleep(RETRY_SLEEP_US);
	}
out:
	free(path);
	return ret;
}

int llms_cgroup_remove(const struct llms_cgroup *parent, const char *relpath,
		       unsigned int timeout_ms, struct llms_error **err)
{
	uint64_t deadline = llms_now_ms() + timeout_ms;
	char *dir_relpath, *dir_path, *last;
	int dirfd, ret;

	ret = check_relpath(relpath, false, err);
	if (ret)
		return ret;
	if (!strchr(relpath, '/'))
		return remove_tree(parent->fd, parent->path, relpath, deadline,
				   err);
	/* "a/b/c": remove c from the folder a/b below @parent. */
	dir_relpath = strdup(relpath);
	if (!dir_relpath)
		return llms_error_set(err, ENOMEM, "removing cgroup %s/%s",
				      parent->path, relpath);
	last = strrchr(dir_relpath, '/');
	*last++ = '\0';
	if (asprintf(&dir_path, "%s/%s", parent->path, dir_relpath) < 0) {
		free(dir_relpath);
		return llms_error_set(err, ENOMEM, "removing cgroup %s/%s",
				      parent->path, relpath);
	}
	dirfd = openat(parent->fd, dir_relpath,
		       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		ret = llms_error_set(err, errno, "removing cgroup %s/%s",
				     parent->path, relpath);
	} else {
		ret = remove_tree(dirfd, dir_path, last, deadline, err);
		close(dirfd);
	}
	free(dir_path);
	free(dir_relpath);
	return ret;
}

/* ---------------------------------------------------------- processes */

int llms_cgroup_attach(const struct llms_cgroup *cg, pid_t pid,
		       struct llms_error **err)
{
	char text[24];
	int ret;

	snprintf(text, sizeof(text), "%d", (int)pid);
	ret = cg_write(cg, "cgroup.procs", text, err);
	if (ret == -EBUSY)
		llms_error_prefix(
			err,
			"%s gives domain controllers (memory, io) to its "
			"children, so it may hold no "
			"process (no internal processes: use a leaf folder)",
			cg->path);
	return ret;
}

/* The pids, one a line, of the cgroup.procs @text. */
static int parse_pids(const struct llms_cgroup *cg, const char *text,
		      pid_t **pids, size_t *count, struct llms_error **err)
{
	size_t n = 0, cap = 0;
	pid_t *list = NULL, *grown;
	const char *p = text;
	unsigned long v;
	char *end;

	while (*p) {
		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || *p < '0' || *p > '9' || errno || v > INT_MAX ||
		    (*end && *end != '\n')) {
			free(list);
			return llms_error_set(
				err, EPROTO,
				"%s/cgroup.procs: not a pid at \"%.16s\"",
				cg->path, p);
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				free(list);
				return llms_error_set(err, ENOMEM,
						      "reading %s/cgroup.procs",
						      cg->path);
			}
			list = grown;
		}
		list[n++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	*pids = list;
	*count = n;
	return 0;
}

int llms_cgroup_procs(const struct llms_cgroup *cg, pid_t **pids, size_t *count,
		      struct llms_error **err)
{
	char *text;
	int ret;

	ret = cg_read(cg, "cgroup.procs", &text, err);
	if (ret)
		return ret;
	ret = parse_pids(cg, text, pids, count, err);
	free(text);
	return ret;
}

int llms_cgroup_of_pid(pid_t pid, char **path, struct llms_error **err)
{
	char dir[32], *text, *line, *end;
	int dirfd, ret;

	if (pid)
		snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	else
		snprintf(dir, sizeof(dir), "/proc/self");
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == ENOENT)
			return llms_error_set(err, ESRCH, "no process %d",
					      (int)pid);
		return llms_error_set(err, errno, "opening %s", dir);
	}
	ret = llms_read_text_at(dirfd, dir, "cgroup", &text, NULL, err);
	close(dirfd);
	if (ret)
		return ret;
	/* "0::PATH": the v2 hierarchy's line; v1 ones have a number first. */
	for (line = text; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (!strncmp(line, "0::", 3)) {
			*path = strdup(line + 3);
			free(text);
			if (!*path)
				return llms_error_set(err, ENOMEM,
						      "reading %s/cgroup", dir);
			return 0;
		}
	}
	free(text);
	return llms_error_set(
		err, ENOENT, "%s/cgroup: the process is in no cgroup v2 folder",
		dir);
}

int llms_cgroup_populated(const struct llms_cgroup *cg, bool *populated,
			  struct llms_error **err)
{
	uint64_t v;
	char *text;
	int ret;

	ret = cg_read(cg, "cgroup.events", &text, err);
	if (ret)
		return ret;
	ret = keyed(cg, "cgroup.events", text, "populated", &v, err);
	free(text);
	if (!ret)
		*populated = v != 0;
	return ret;
}

/*
 * Wait until cgroup.events says @key @want, at most @timeout_ms.  The
 * kernel notifies cgroupfs pollers of every change of the file: poll()
 * says POLLPRI once it changed since it was last read, so a change between
 * the read and the poll() is not missed.
 */
static int wait_event(const struct llms_cgroup *cg, const char *key,
		      uint64_t want, unsigned int timeout_ms, const char *what,
		      struct llms_error **err)
{
	uint64_t deadline = llms_now_ms() + timeout_ms, now, v;
	struct pollfd pfd = { .events = POLLPRI };
	char buf[256];
	ssize_t n;
	int ret;

	pfd.fd = openat(cg->fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (pfd.fd < 0)
		return llms_error_set(err, errno,
				      "%s %s: opening cgroup.events", what,
				      cg->path);
	for (;;) {
		n = pread(pfd.fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			ret = llms_error_set(err, errno,
					     "%s %s: reading cgroup.events",
					     what, cg->path);
			break;
		}
		buf[n] = '\0';
		ret = keyed(cg, "cgroup.events", buf, key, &v, err);
		if (ret || v == want)
			break;
		now = llms_now_ms();
		if (now >= deadline) {
			ret = llms_error_set(
				err, ETIMEDOUT,
				"%s %s: cgroup.events still says \"%s %" PRIu64
				"\" after %u ms",
				what, cg->path, key, v, timeout_ms);
			break;
		}
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 &&
		    errno != EINTR) {
			ret = llms_error_set(err, errno,
					     "%s %s: poll on cgroup.events",
					     what, cg->path);
			break;
		}
	}
	close(pfd.fd);
	return ret;
}

int llms_cgroup_wait_empty(const struct llms_cgroup *cg,
			   unsigned int timeout_ms, struct llms_error **err)
{
	return wait_event(cg, "populated", 0, timeout_ms,
			  "waiting for the processes to leave", err);
}

static int set_frozen(const struct llms_cgroup *cg, bool frozen,
		      unsigned int timeout_ms, struct llms_error **err)
{
	const char *what = frozen ? "freezing" : "thawing";
	int ret;

	ret = cg_write(cg, "cgroup.freeze", frozen ? "1" : "0", err);
	if (ret)
		return llms_error_prefix(err, "%s %s", what, cg->path);
	return wait_event(cg, "frozen", frozen, timeout_ms, what, err);
}

int llms_cgroup_freeze(const struct llms_cgroup *cg, unsigned int timeout_ms,
		       struct llms_error **err)
{
	return set_frozen(cg, true, timeout_ms, err);
}

int llms_cgroup_thaw(const struct llms_cgroup *cg, unsigned int timeout_ms,
		     struct llms_error **err)
{
	return set_frozen(cg, false, timeout_ms, err);
}

/* Milliseconds from now to @deadline, 0 once it has passed. */
static unsigned int ms_left(uint64_t deadline_ms)
{
	uint64_t now = llms_now_ms();

	return now < deadline_ms ? (unsigned int)(deadline_ms - now) : 0;
}

/*
 * SIGKILL every process of @cg and of the folders below it; how many were
 * signalled is added to *@signalled.
 */
static int kill_tree(const struct llms_cgroup *cg, size_t *signalled,
		     struct llms_error **err)
{
	struct llms_cgroup child = LLMS_CGROUP_INIT;
	char **names = NULL;
	size_t count = 0, i;
	pid_t *pids = NULL;
	int ret;

	ret = llms_cgroup_procs(cg, &pids, &count, err);
	if (ret)
		return ret;
	for (i = 0; i < count; i++) {
		if (kill(pids[i], SIGKILL) == 0) {
			(*signalled)++;
		} else if (errno != ESRCH) {
			ret = llms_error_set(err, errno,
					     "killing process %d of %s",
					     (int)pids[i], cg->path);
			break;
		}
	}
	free(pids);
	count = 0;
	if (!ret)
		ret = list_folders(cg->fd, cg->path, &names, &count, err);
	for (i = 0; !ret && i < count; i++) {
		child.fd = open_folder_at(cg->fd, names[i]);
		if (child.fd < 0) {
			/* Removed meanwhile: nothing left to kill in it. */
			if (errno == ENOENT)
				continue;
			ret = llms_error_set(err, errno, "opening %s/%s",
					     cg->path, names[i]);
			break;
		}
		if (asprintf(&child.path, "%s/%s", cg->path, names[i]) < 0) {
			child.path = NULL;
			ret = llms_error_set(err, ENOMEM, "killing %s/%s",
					     cg->path, names[i]);
		} else {
			ret = kill_tree(&child, signalled, err);
		}
		llms_cgroup_close(&child);
	}
	free_names(names, count);
	return ret;
}

int llms_cgroup_kill_each(const struct llms_cgroup *cg, unsigned int timeout_ms,
			  struct llms_error **err)
{
	uint64_t deadline = llms_now_ms() + timeout_ms;
	struct llms_error *thaw_err = NULL;
	size_t signalled;
	bool frozen;
	int ret, thaw_ret;

	/*
	 * Frozen, nothing forks behind the walk's back, and a frozen
	 * process still dies of SIGKILL.  Should freezing fail, the walk
	 * repeated until it finds nobody catches the forks anyway.
	 */
	frozen = llms_cgroup_freeze(cg, timeout_ms / 4, &thaw_err) == 0;
	llms_error_free(&thaw_err);
	for (;;) {
		signalled = 0;
		ret = kill_tree(cg, &signalled, err);
		if (ret || !signalled)
			break;
		if (!ms_left(deadline)) {
			ret = llms_error_set(err, ETIMEDOUT,
					     "killing the processes of %s: "
					     "still there after %u ms",
					     cg->path, timeout_ms);
			break;
		}
		usleep(RETRY_SLEEP_US);
	}
	/* Thawed whatever happened: a folder must not stay frozen by us. */
	if (frozen) {
		thaw_ret = llms_cgroup_thaw(cg, ms_left(deadline), &thaw_err);
		if (!ret && thaw_ret) {
			*err = thaw_err;
			return thaw_ret;
		}
		llms_error_free(&thaw_err);
	}
	if (ret)
		return ret;
	return llms_cgroup_wait_empty(cg, ms_left(deadline), err);
}

int llms_cgroup_kill(const struct llms_cgroup *cg, unsigned int timeout_ms,
		     struct llms_error **err)
{
	uint64_t deadline = llms_now_ms() + timeout_ms;
	int ret;

	ret = llms_write_text_at(cg->fd, cg->path, "cgroup.kill", "1", err);
	if (ret == -ENOENT && faccessat(cg->fd, "cgroup.procs", F_OK, 0) == 0) {
		/* Before Linux 5.14: a folder without cgroup.kill. */
		llms_error_free(err);
		return llms_cgroup_kill_each(cg, timeout_ms, err);
	}
	if (ret)
		return llms_error_prefix(err, "killing the processes of %s",
					 cg->path);
	return llms_cgroup_wait_empty(cg, ms_left(deadline), err);
}

/* ------------------------------------------------------------- limits */

int llms_cgroup_set_cpu_max(const struct llms_cgroup *cg, uint64_t millicores,
			    uint64_t period_us, struct llms_error **err)
{
	uint64_t quota_us;
	char text[48];

	if (!period_us)
		period_us = LLMS_CPU_PERIOD_US;
	if (period_us < LLMS_CPU_PERIOD_MIN_US ||
	    period_us > LLMS_CPU_PERIOD_MAX_US)
		return llms_error_set(err, EINVAL,
				      "%s/cpu.max: a period of %" PRIu64
				      " us, outside %u to %u",
				      cg->path, period_us,
				      LLMS_CPU_PERIOD_MIN_US,
				      LLMS_CPU_PERIOD_MAX_US);
	if (millicores == LLMS_CGROUP_MAX) {
		snprintf(text, sizeof(text), "max %" PRIu64, period_us);
		return cg_write(cg, "cpu.max", text, err);
	}
	if (!millicores)
		return llms_error_set(err, EINVAL,
				      "%s/cpu.max: 0 millicores "
				      "(LLMS_CGROUP_MAX sets no limit)",
				      cg->path);
	if (millicores > UINT64_MAX / period_us)
		return llms_error_set(err, EINVAL,
				      "%s/cpu.max: %" PRIu64
				      " millicores is too many",
				      cg->path, millicores);
	quota_us = millicores * period_us / 1000;
	if (quota_us < LLMS_CPU_QUOTA_MIN_US)
		return llms_error_set(err, EINVAL,
				      "%s/cpu.max: %" PRIu64
				      " millicores of a %" PRIu64
				      " us period is a quota of %" PRIu64
				      " us, below the kernel's least, %u us",
				      cg->path, millicores, period_us, quota_us,
				      LLMS_CPU_QUOTA_MIN_US);
	snprintf(text, sizeof(text), "%" PRIu64 " %" PRIu64, quota_us,
		 period_us);
	return cg_write(cg, "cpu.max", text, err);
}

int llms_cgroup_get_cpu_max(const struct llms_cgroup *cg, uint64_t *quota_us,
			    uint64_t *period_us, struct llms_error **err)
{
	char *text, *space;
	int ret;

	ret = cg_read(cg, "cpu.max", &text, err);
	if (ret)
		return ret;
	/* "QUOTA PERIOD", QUOTA a number or "max". */
	space = strchr(text, ' ');
	if (space)
		*space = '\0';
	if (!space || llms_parse_u64_or_max(text, quota_us) ||
	    llms_parse_u64(space + 1, period_us)) {
		if (space)
			*space = ' ';
		ret = llms_error_set(
			err, EPROTO,
			"%s/cpu.max: not \"QUOTA PERIOD\": \"%.48s\"", cg->path,
			text);
	}
	free(text);
	return ret;
}

int llms_cgroup_set_cpu_weight(const struct llms_cgroup *cg, uint64_t weight,
			       struct llms_error **err)
{
	if (weight < LLMS_CPU_WEIGHT_MIN || weight > LLMS_CPU_WEIGHT_MAX)
		return llms_error_set(err, EINVAL,
				      "%s/cpu.weight: %" PRIu64
				      " is outside %u to %u",
				      cg->path, weight, LLMS_CPU_WEIGHT_MIN,
				      LLMS_CPU_WEIGHT_MAX);
	return cg_write_u64(cg, "cpu.weight", weight, err);
}

int llms_cgroup_get_cpu_weight(const struct llms_cgroup *cg, uint64_t *weight,
			       struct llms_error **err)
{
	return cg_read_u64(cg, "cpu.weight", false, weight, err);
}

int llms_cgroup_set_cpuset_cpus(const struct llms_cgroup *cg, const char *cpus,
				struct llms_error **err)
{
	/* A CPU list: numbers, ranges and the kernel's "a-b:used/group". */
	size_t bad = strspn(cpus, "0123456789,-:/");

	if (cpus[bad])
		return llms_error_set(err, EINVAL,
				      "%s/cpuset.cpus: \"%s\" is not a list of "
				      "CPUs such as \"0-3,8\"",
				      cg->path, cpus);
	return cg_write(cg, "cpuset.cpus", cpus, err);
}

int llms_cgroup_get_cpuset_cpus(const struct llms_cgroup *cg, char **cpus,
				struct llms_error **err)
{
	char *text;
	int ret;

	ret = cg_read(cg, "cpuset.cpus", &text, err);
	if (ret)
		return ret;
	text[strcspn(text, "\n")] = '\0';
	*cpus = text;
	return 0;
}

static const struct {
	const char *file;
	uint64_t most; /* the largest number it takes, "max" aside */
	const char *unit;
} limit_files[] = {
	[LLMS_MEMORY_MAX] = { "memory.max", UINT64_MAX - 1, "bytes" },
	[LLMS_MEMORY_HIGH] = { "memory.high", UINT64_MAX - 1, "bytes" },
	[LLMS_MEMORY_SWAP_MAX] = { "memory.swap.max", UINT64_MAX - 1, "bytes" },
	[LLMS_PIDS_MAX] = { "pids.max", LLMS_PIDS_MAX_LIMIT, "pids" },
};

static int check_limit(const struct llms_cgroup *cg,
		       enum llms_cgroup_limit limit, struct llms_error **err)
{
	if ((unsigned int)limit >= sizeof(limit_files) / sizeof(limit_files[0]))
		return llms_error_set(err, EINVAL, "%s: unknown limit %d",
				      cg->path, (int)limit);
	return 0;
}

int llms_cgroup_set_limit(const struct llms_cgroup *cg,
			  enum llms_cgroup_limit limit, uint64_t value,
			  struct llms_error **err)
{
	int ret = check_limit(cg, limit, err);

	if (ret)
		return ret;
	if (value != LLMS_CGROUP_MAX && value > limit_files[limit].most)
		return llms_error_set(err, EINVAL,
				      "%s/%s: %" PRIu64
				      " %s, more than the kernel's %" PRIu64,
				      cg->path, limit_files[limit].file, value,
				      limit_files[limit].unit,
				      limit_files[limit].most);
	return cg_write_u64(cg, limit_files[limit].file, value, err);
}

int llms_cgroup_get_limit(const struct llms_cgroup *cg,
			  enum llms_cgroup_limit limit, uint64_t *value,
			  struct llms_error **err)
{
	int ret = check_limit(cg, limit, err);

	if (ret)
		return ret;
	return cg_read_u64(cg, limit_files[limit].file, true, value, err);
}

/* --------------------------------------------------------- accounting */

/* cpu.stat's @text, read from @cg, into @stat. */
static int parse_cpu_stat(const struct llms_cgroup *cg, const char *text,
			  struct llms_cpu_stat *stat, struct llms_error **err)
{
	struct llms_cpu_stat s = { 0 };
	int ret;

	ret = keyed(cg, "cpu.stat", text, "usage_usec", &s.usage_usec, err);
	if (!ret)
		ret = keyed(cg, "cpu.stat", text, "user_usec", &s.user_usec,
			    err);
	if (!ret)
		ret = keyed(cg, "cpu.stat", text, "system_usec", &s.system_usec,
			    err);
	/* The cpu controller's own lines, there when it is enabled. */
	if (!ret && llms_keyed_u64(text, "nr_periods", &s.nr_periods) == 0) {
		s.bandwidth = true;
		ret = keyed(cg, "cpu.stat", text, "nr_throttled",
			    &s.nr_throttled, err);
		if (!ret)
			ret = keyed(cg, "cpu.stat", text, "throttled_usec",
				    &s.throttled_usec, err);
	}
	if (!ret)
		*stat = s;
	return ret;
}

int llms_cgroup_cpu_stat(const struct llms_cgroup *cg,
			 struct llms_cpu_stat *stat, struct llms_error **err)
{
	char *text;
	int ret;

	ret = cg_read(cg, "cpu.stat", &text, err);
	if (ret)
		return ret;
	ret = parse_cpu_stat(cg, text, stat, err);
	free(text);
	return ret;
}

int llms_cgroup_open_file(const struct llms_cgroup *cg, const char *file,
			  int *fd, struct llms_error **err)
{
	*fd = openat(cg->fd, file, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	if (errno == ENOENT)
		return missing_file(cg, file, err);
	return llms_error_set(err, errno, "opening %s/%s", cg->path, file);
}

/*
 * @file's text now, from its open @fd: one pread(2) from the start, which
 * cgroupfs answers afresh each time.  The text must fit @buf.
 */
static int cg_reread(const struct llms_cgroup *cg, int fd, const char *file,
		     char *buf, size_t size, struct llms_error **err)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	if (n < 0)
		return llms_error_set(err, errno, "reading %s/%s", cg->path,
				      file);
	if ((size_t)n == size - 1)
		return llms_error_set(err, EPROTO,
				      "%s/%s: longer than the %zu bytes expected",
				      cg->path, file, size - 1);
	buf[n] = '\0';
	return 0;
}

int llms_cgroup_cpu_stat_fd(const struct llms_cgroup *cg, int fd,
			    struct llms_cpu_stat *stat,
			    struct llms_error **err)
{
	char text[1024];
	int ret = cg_reread(cg, fd, "cpu.stat", text, sizeof(text), err);

	return ret ? ret : parse_cpu_stat(cg, text, stat, err);
}

static int pressure_line(const char *text, const char *kind, uint32_t *avg10,
			 uint64_t *total)
{
	const char *line = text;
	unsigned int whole, frac;
	unsigned long long t;
	size_t n = strlen(kind);

	while (line && (strncmp(line, kind, n) || line[n] != ' ')) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!line)
		return -ENOENT;
	if (sscanf(line + n, " avg10=%u.%2u avg60=%*u.%*u avg300=%*u.%*u total=%llu",
		   &whole, &frac, &t) != 3)
		return -EPROTO;
	*avg10 = whole * 100 + frac;
	*total = t;
	return 0;
}

static int no_psi(const struct llms_cgroup *cg, struct llms_error **err)
{
	llms_error_free(err);
	return llms_error_set(err, EOPNOTSUPP,
			      "%s/cpu.pressure: this kernel keeps no pressure figures (PSI): boot it without psi=0, or with CONFIG_PSI",
			      cg->path);
}

/* cpu.pressure's @text, read from @cg, into @p. */
static int parse_pressure(const struct llms_cgroup *cg, const char *text,
			  struct llms_pressure *p, struct llms_error **err)
{
	struct llms_pressure r = { 0 };
	int ret;

	ret = pressure_line(text, "some", &r.some_avg10, &r.some_total_usec);
	/* "full" came to cpu.pressure in Linux 5.13: absent is no error. */
	if (!ret) {
		int full = pressure_line(text, "full", &r.full_avg10,
					 &r.full_total_usec);

		if (full == -EPROTO)
			ret = full;
	}
	if (ret)
		return llms_error_set(err, EPROTO,
				      "%s/cpu.pressure: not a pressure file: \"%.48s\"",
				      cg->path, text);
	*p = r;
	return 0;
}

int llms_cgroup_cpu_pressure(const struct llms_cgroup *cg,
			     struct llms_pressure *p, struct llms_error **err)
{
	char *text;
	int ret;

	ret = llms_read_text_at(cg->fd, cg->path, "cpu.pressure", &text, NULL,
				err);
	if (ret == -ENOENT || ret == -EOPNOTSUPP)
		return no_psi(cg, err);
	if (ret)
		return ret;
	ret = parse_pressure(cg, text, p, err);
	free(text);
	return ret;
}

int llms_cgroup_cpu_pressure_fd(const struct llms_cgroup *cg, int fd,
				struct llms_pressure *p,
				struct llms_error **err)
{
	char text[512];
	int ret = cg_reread(cg, fd, "cpu.pressure", text, sizeof(text), err);

	if (ret == -EOPNOTSUPP)
		return no_psi(cg, err);
	return ret ? ret : parse_pressure(cg, text, p, err);
}

int llms_cgroup_memory_events(const struct llms_cgroup *cg,
			      struct llms_memory_events *events,
			      struct llms_error **err)
{
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
		{ "low", offsetof(struct llms_memory_events, low) },
		{ "high", offsetof(struct llms_memory_events, high) },
		{ "max", offsetof(struct llms_memory_events, max) },
		{ "oom", offsetof(struct llms_memory_events, oom) },
		{ "oom_kill", offsetof(struct llms_memory_events, oom_kill) },
	};
	struct llms_memory_events e;
	char *text;
	size_t i;
	int ret;

	ret = cg_read(cg, "memory.events", &text, err);
	if (ret)
		return ret;
	for (i = 0; !ret && i < sizeof(keys) / sizeof(keys[0]); i++)
		ret = keyed(cg, "memory.events", text, keys[i].key,
			    (uint64_t *)((char *)&e + keys[i].offset), err);
	free(text);
	if (!ret)
		*events = e;
	return ret;
}

int llms_cgroup_memory_current(const struct llms_cgroup *cg, uint64_t *bytes,
			       struct llms_error **err)
{
	return cg_read_u64(cg, "memory.current", false, bytes, err);
}

int llms_cgroup_memory_peak(const struct llms_cgroup *cg, uint64_t *bytes,
			    struct llms_error **err)
{
	int ret = cg_read_u64(cg, "memory.peak", false, bytes, err);

	if (ret == -ENOENT &&
	    faccessat(cg->fd, "memory.current", F_OK, 0) == 0) {
		llms_error_free(err);
		return llms_error_set(err, EOPNOTSUPP,
				      "%s/memory.peak: not on this kernel "
				      "(Linux 5.19 has it)",
				      cg->path);
	}
	return ret;
}
