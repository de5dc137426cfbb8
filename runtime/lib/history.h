/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: the history of ended tasks, an SQLite database.
 *
 * Every task that ends is recorded once, by the agent process that ran
 * it, into one database file in the state folder
 * (/var/lib/llmsched/history.db by default); `llmctl history` reads it.
 * Slurm's accounting (sacct) is the model: one row per task with who,
 * where, when, how much it asked for and how much it used, and how it
 * ended.
 *
 *	struct llms_history *h = NULL;
 *	struct llms_error *err = NULL;
 *
 *	if (llms_history_open(&h, path, 0, &err) < 0 ||
 *	    llms_history_record(h, &row, &err) < 0) {
 *		llms_error_print(stderr, "llmschedd", err);
 *		llms_error_free(&err);
 *	}
 *	llms_history_close(h);
 *
 * Link with $(LIBLLMSCHED_HISTORY_SRCS) and $(LIBLLMSCHED_HISTORY_LDLIBS)
 * (-lsqlite3), besides $(LIBLLMSCHED_SRCS): this header is not included
 * by libllmsched.h, so that programs without a history neither include
 * sqlite3.h's world nor link libsqlite3.  (This header itself does not
 * include sqlite3.h; the handle is opaque.)
 *
 * Many writers at once.  Each agent process opens the file and writes its
 * own tasks, so the database is in WAL mode (readers never block writers,
 * nor writers readers) and every record is one short transaction of one
 * INSERT.  Writers wait for each other for up to
 * LLMS_HISTORY_BUSY_TIMEOUT_MS (sqlite3_busy_timeout()); past it a call
 * fails with EBUSY and the code LLMS_HISTORY_BUSY, and changed nothing.
 *
 * Durability.  Writers run with PRAGMA synchronous=FULL: the WAL is
 * fsync()ed at every commit, so a row for which llms_history_record()
 * returned >= 0 survives the process's crash, the daemon's, and a power
 * loss or reboot of the host.  NORMAL (sync only at checkpoints) would
 * survive a process crash but could lose the last rows to a power loss,
 * and the runtime's issue asks for the history to survive a reboot.  The
 * cost is one fsync() per ended task.
 *
 * Permissions.  The file holds every user's tasks (their command lines
 * too), so when this library creates it, it is created mode 0640 (less
 * the umask): its owner (the daemon, root) writes it, its group (the state
 * folder's, e.g. an operators' group) may read it, others may not.
 * SQLite gives the -wal and -shm files the same mode and owner.  A user
 * who may not read the file gets EACCES from llms_history_open(); showing
 * each user their own tasks is for a program that may read it all.
 * Writers keep the -wal and -shm files after they close
 * (SQLITE_FCNTL_PERSIST_WAL), so that a read-only reader that may not
 * create files in the state folder can still open the database.
 *
 * Schema.  One table, "tasks", one row per (instance, task_id), and the
 * schema's version in PRAGMA user_version (LLMS_HISTORY_SCHEMA_VERSION),
 * with PRAGMA application_id LLMS_HISTORY_APPLICATION_ID ("LLMH") saying
 * the file is ours.  A file of a newer version is refused (a newer
 * llmschedd wrote it; this one could misread or corrupt it).  An older
 * one is brought up to date by the first writer that opens it (version
 * 2 added the column gpu_names, '' in older rows); a reader reads it as
 * it is.  Values are
 * always bound to prepared statements, never written into SQL text.
 *
 * Errors: every function returns a negative errno and sets *@err (see
 * error.h), whose message says what was being done, on which file, and
 * SQLite's own message; the error's code is an enum llms_history_fault.
 *
 * Thread safety: a handle is used by one thread at a time (the caller
 * locks, or each thread opens its own); different handles, in one process
 * or many, may be used at once.  A handle must not cross a fork(): the
 * child opens its own.
 */
#ifndef LLMSCHED_LIB_HISTORY_H
#define LLMSCHED_LIB_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/llmsched.h>

#include "error.h"

/* The schema version this library writes, and the newest it reads. */
#define LLMS_HISTORY_SCHEMA_VERSION 2
/* PRAGMA application_id of a history database: "LLMH". */
#define LLMS_HISTORY_APPLICATION_ID 0x4c4c4d48
/* How long a call waits for other writers before EBUSY. */
#define LLMS_HISTORY_BUSY_TIMEOUT_MS 5000
/* Mode of a database file this library creates (less the umask). */
#define LLMS_HISTORY_FILE_MODE 0640

/* Lengths of the strings of a row, NUL included. */
#define LLMS_HISTORY_COMMAND_MAX 256
#define LLMS_HISTORY_INSTANCE_MAX 40
#define LLMS_HISTORY_GPUS_MAX 256

/* llms_history_open() flags. */
/*
 * Open for reading only (llmctl): the file must exist and hold the schema;
 * nothing is created or changed.
 */
#define LLMS_HISTORY_READONLY (1U << 0)

/* What went wrong, beyond the errno: the code of an llms_history error. */
enum llms_history_fault {
	LLMS_HISTORY_OK = 0,
	/*
	 * EINVAL: a bad argument or row field; the message names it.
	 * EBADF: llms_history_record() on a read-only handle.
	 */
	LLMS_HISTORY_BAD_ARGUMENT,
	/* ENOENT: read-only open of a file that is not there. */
	LLMS_HISTORY_MISSING,
	/*
	 * EBADMSG: the file is not an SQLite database, is corrupt, or is
	 * another program's database: "FILE is not an llmsched history
	 * database".  Also a read-only open of a file without the schema
	 * yet, and a file that is not a regular one (EISDIR for a folder).
	 */
	LLMS_HISTORY_NOT_HISTORY,
	/* EPROTONOSUPPORT: a schema newer than this library's. */
	LLMS_HISTORY_NEWER_SCHEMA,
	/* EBUSY: other writers held the database past the busy timeout. */
	LLMS_HISTORY_BUSY,
	/*
	 * Any other SQLite failure; the errno follows SQLite's result:
	 * ENOMEM, EACCES (permission, or a read-only file), ENOSPC (disk
	 * full), the system's errno for I/O errors and can't-open, else EIO.
	 */
	LLMS_HISTORY_SQLITE,
};

/*
 * One ended task.  Every integer must fit in an SQLite integer (at most
 * INT64_MAX): EINVAL otherwise.  Strings are NUL-terminated within their
 * arrays.
 *
 * @task_id: the module's id, never 0.
 * @label: the task's label (LLMSCHED_LABEL_MAX, NUL included), "" for
 *	none.
 * @uid: its submitter.
 * @agent_id: the agent that ran it last; 0 when it never ran.
 * @submit_ns, @start_ns, @end_ns: CLOCK_REALTIME nanoseconds since the
 *	epoch; @start_ns is 0 for a task that never started.  Queries sort
 *	and filter on @end_ns.
 * @demand: what it asked for, indexed by enum llmsched_resource: CPU in
 *	millicores, memory in bytes, GPUs, GPU memory in bytes.
 * @est_ns: the run time it was scheduled with (given or estimated).
 * @runtime_ns: how long it actually ran (0 when it never started).
 * @mem_peak: its cgroup's memory.peak, in bytes (0 when unknown).
 * @cpu_usec: its cgroup's cpu.stat usage_usec.
 * @state: enum llmsched_task_state; one of the terminal ones,
 *	LLMSCHED_TASK_SUCCEEDED, _FAILED or _CANCELLED.
 * @reason: enum llmsched_task_reason.
 * @exit_status: the command's exit status, or the signal number for
 *	%LLMSCHED_REASON_SIGNAL, as the module has it.
 * @nfeatures, @features: the estimator's features the task was submitted
 *	with (at most LLMSCHED_FEATURES_MAX, finite), kept so that the
 *	estimator can be refitted from the history.
 * @command: argv joined with spaces, cut to fit, for people to read.
 * @instance: which load of the module issued @task_id, since ids start
 *	again when the module is reloaded: (@instance, @task_id) names one
 *	task for ever.  Not empty; printable ASCII.
 */
struct llms_history_row {
	uint64_t task_id;
	char label[LLMSCHED_LABEL_MAX];
	uint32_t uid;
	uint32_t agent_id;
	uint64_t submit_ns;
	uint64_t start_ns;
	uint64_t end_ns;
	uint64_t demand[LLMSCHED_RES_KNOWN];
	uint64_t est_ns;
	uint64_t runtime_ns;
	uint64_t mem_peak;
	uint64_t cpu_usec;
	uint32_t state;
	uint32_t reason;
	int32_t exit_status;
	uint32_t nfeatures;
	double features[LLMSCHED_FEATURES_MAX];
	char command[LLMS_HISTORY_COMMAND_MAX];
	char instance[LLMS_HISTORY_INSTANCE_MAX];
	/* The GPUs the task was handed ("gpu0,gpu1"; "" none); since v2. */
	char gpus[LLMS_HISTORY_GPUS_MAX];
};

struct llms_history;

/*
 * Open the database at @path into *@h.
 *
 * Without LLMS_HISTORY_READONLY (a writer): create the file when it is not
 * there (mode LLMS_HISTORY_FILE_MODE; its folder must exist), set WAL mode
 * and synchronous=FULL, and create the schema when the file has none, all
 * safe against other processes opening it at the same moment.
 * With LLMS_HISTORY_READONLY (a reader): open it as it is.
 *
 * Errors: EINVAL for unknown @flags or a NULL or empty @path; ENOENT
 * (LLMS_HISTORY_MISSING) for a read-only open of a missing file; EBADMSG
 * (LLMS_HISTORY_NOT_HISTORY) for a file that is not an llmsched history
 * database (EISDIR for a folder); EPROTONOSUPPORT
 * (LLMS_HISTORY_NEWER_SCHEMA) for a newer schema; EBUSY; the system's
 * errno for a file that cannot be created (ENOENT for a missing folder,
 * EACCES); EACCES and others (LLMS_HISTORY_SQLITE).
 */
int llms_history_open(struct llms_history **h, const char *path,
		      unsigned int flags, struct llms_error **err);

/*
 * Record @r, in one transaction; returns 1 when the row was added, 0 when
 * a row for (@r->instance, @r->task_id) was already there, which is kept
 * as it was: an agent that restarts may report a task again, and the
 * first report is what was seen when the task ended.  Either way the row
 * is on disk when it returns (see Durability).
 *
 * Errors: EINVAL (LLMS_HISTORY_BAD_ARGUMENT) for a bad field, naming it;
 * EBADF (LLMS_HISTORY_BAD_ARGUMENT) for a handle opened
 * LLMS_HISTORY_READONLY, as write() on a read-only descriptor; EBUSY;
 * others from SQLite.  On error nothing was recorded.
 */
int llms_history_record(struct llms_history *h,
			const struct llms_history_row *r,
			struct llms_error **err);

/*
 * Which rows a query takes; all zero (or NULL) takes every row.
 *
 * @uid, @by_uid: only this user's tasks.
 * @state, @by_state: only tasks that ended in this state.
 * @agent_id, @by_agent: only tasks run by this agent.
 * @since_ns: only tasks that ended at or after it (0: no bound).
 * @until_ns: only tasks that ended before it (0: no bound).
 * @label_glob: only tasks whose label matches this glob (SQLite's GLOB:
 *	*, ?, [...], case-sensitive); NULL for any.
 * @limit: at most this many rows (0: no limit); the newest ones, or the
 *	oldest with @oldest_first.
 * @oldest_first: order by end time, oldest first (as sacct prints); the
 *	default is newest first.  Ties go by instance and task id.
 * @task_id, @by_task: only this task id (of any load of the module, unless
 *	@instance says which).
 * @instance: only rows of this load of the module (its
 *	/sys/kernel/llmsched/instance); NULL for any.
 */
struct llms_history_filter {
	uint32_t uid;
	bool by_uid;
	uint32_t state;
	bool by_state;
	uint32_t agent_id;
	bool by_agent;
	uint64_t since_ns;
	uint64_t until_ns;
	const char *label_glob;
	size_t limit;
	bool oldest_first;
	uint64_t task_id;
	bool by_task;
	const char *instance;
};

/*
 * Call @cb with each row that @f takes (@f NULL: every row), in the
 * order @f asks for, all read in one transaction (one consistent view,
 * while writers go on).  The row belongs to the query: copy what should
 * be kept.  @cb must not use @h.  @cb returns 0 to go on; a value > 0
 * stops the query, which then returns the number of rows handed over so
 * far; a negative errno stops it too and is returned, with *@err set to
 * "stopped by the caller" with that errno (@cb's own context is for @arg
 * to carry).
 *
 * Returns the number of rows handed to @cb.  Errors: EINVAL for bad
 * filter values (@since_ns or @until_ns past INT64_MAX, @limit past
 * INT64_MAX, an empty @label_glob); EBUSY; EBADMSG for a row that does
 * not fit struct llms_history_row (a damaged or hand-edited database);
 * others from SQLite.
 */
int llms_history_query(struct llms_history *h,
		       const struct llms_history_filter *f,
		       int (*cb)(const struct llms_history_row *r, void *arg),
		       void *arg, struct llms_error **err);

/*
 * The number of rows @f takes, in *@count (@f's @limit and
 * @oldest_first are ignored).  Errors as for llms_history_query().
 */
int llms_history_count(struct llms_history *h,
		       const struct llms_history_filter *f, uint64_t *count,
		       struct llms_error **err);

/*
 * One user's figures over the rows a filter takes (llmctl history's
 * summaries).
 *
 * @uid: the user.
 * @count: their tasks; @succeeded, @failed, @cancelled by end state.
 * @started: those that started (@start_ns != 0).
 * @mean_wait_ns: mean of start - submit over the started tasks.
 * @mean_runtime_ns: mean of @runtime_ns over the started tasks.
 * @estimated: started tasks with an estimate (@est_ns != 0).
 * @mean_est_error_ns: mean of |runtime - estimate| over those.
 * Means are 0 when there is nothing to take the mean of.
 */
struct llms_history_summary {
	uint32_t uid;
	uint64_t count;
	uint64_t succeeded;
	uint64_t failed;
	uint64_t cancelled;
	uint64_t started;
	double mean_wait_ns;
	double mean_runtime_ns;
	uint64_t estimated;
	double mean_est_error_ns;
};

/*
 * Call @cb with one summary per user among the rows @f takes, by
 * increasing uid (@f's @limit and @oldest_first are ignored).  @cb as for
 * llms_history_query(); returns the number of summaries handed over.
 */
int llms_history_summarize(struct llms_history *h,
			   const struct llms_history_filter *f,
			   int (*cb)(const struct llms_history_summary *s,
				     void *arg),
			   void *arg, struct llms_error **err);

/*
 * Join @argv (NULL-terminated) with spaces into @r->command, cut with
 * "..." at the end when it does not fit; bytes outside printable ASCII
 * become '?', so that the row prints as one line.
 */
void llms_history_set_command(struct llms_history_row *r,
			      const char *const *argv);

/*
 * Close @h (NULL is fine).  Nothing is lost: every record was committed
 * when it returned.
 */
void llms_history_close(struct llms_history *h);

#endif /* LLMSCHED_LIB_HISTORY_H */
