// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched: the history of ended tasks, an SQLite database.
 * See history.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "history.h"

struct llms_history {
	sqlite3 *db;
	char *path;
	bool readonly;
	sqlite3_stmt *insert;		/* writers only */
	sqlite3_stmt *query_newest;
	sqlite3_stmt *query_oldest;
	sqlite3_stmt *count;
	sqlite3_stmt *summary;
	bool v1;			/* a reader of a version 1 file */
};

/*
 * The schema, version 1.  Integers are SQLite's signed 64-bit ones (every
 * value is checked to be at most INT64_MAX before it is bound); features
 * past nfeatures are NULL.  end_ns is what queries sort and filter on.
 */
static const char schema_v1[] =
	"CREATE TABLE tasks ("
	" instance TEXT NOT NULL,"
	" task_id INTEGER NOT NULL,"
	" label TEXT NOT NULL,"
	" uid INTEGER NOT NULL,"
	" agent_id INTEGER NOT NULL,"
	" submit_ns INTEGER NOT NULL,"
	" start_ns INTEGER NOT NULL,"
	" end_ns INTEGER NOT NULL,"
	" cpu_millicores INTEGER NOT NULL,"
	" mem_bytes INTEGER NOT NULL,"
	" gpus INTEGER NOT NULL,"
	" gpu_mem_bytes INTEGER NOT NULL,"
	" est_ns INTEGER NOT NULL,"
	" runtime_ns INTEGER NOT NULL,"
	" mem_peak_bytes INTEGER NOT NULL,"
	" cpu_usec INTEGER NOT NULL,"
	" state INTEGER NOT NULL,"
	" reason INTEGER NOT NULL,"
	" exit_status INTEGER NOT NULL,"
	" nfeatures INTEGER NOT NULL,"
	" feature0 REAL, feature1 REAL, feature2 REAL, feature3 REAL,"
	" feature4 REAL, feature5 REAL, feature6 REAL, feature7 REAL,"
	" command TEXT NOT NULL,"
	" PRIMARY KEY (instance, task_id));"
	"CREATE INDEX tasks_by_end ON tasks (end_ns);"
	"CREATE INDEX tasks_by_uid ON tasks (uid, end_ns);";

/* From version 1 to 2: the GPUs each task was handed. */
static const char schema_v2[] =
	"ALTER TABLE tasks ADD COLUMN gpu_names TEXT NOT NULL DEFAULT ''";

_Static_assert(LLMSCHED_FEATURES_MAX == 8,
	       "the schema has eight feature columns");
_Static_assert(LLMSCHED_RES_KNOWN == 4,
	       "the schema has four demand columns");

/* The columns of a row, in the order of struct llms_history_row's reader. */
#define ROW_COLUMNS							\
	"instance, task_id, label, uid, agent_id, submit_ns, start_ns,"	\
	" end_ns, cpu_millicores, mem_bytes, gpus, gpu_mem_bytes, est_ns,"\
	" runtime_ns, mem_peak_bytes, cpu_usec, state, reason,"		\
	" exit_status, nfeatures, feature0, feature1, feature2, feature3,"\
	" feature4, feature5, feature6, feature7, command"
/* Column 29; a reader of a version 1 file reads '' for it. */
#define GPU_COLUMN_V2 ", gpu_names"
#define GPU_COLUMN_V1 ", ''"

static const char insert_sql[] =
	"INSERT INTO tasks (" ROW_COLUMNS GPU_COLUMN_V2 ") VALUES (?1, ?2,"
	" ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	" ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)"
	" ON CONFLICT (instance, task_id) DO NOTHING";

/*
 * The filter, whose parameters are bound by bind_filter(): NULL leaves a
 * condition out.  One fixed text, so that no SQL is ever put together at
 * run time.
 */
#define FILTER_WHERE							\
	" WHERE (?1 IS NULL OR uid = ?1)"				\
	" AND (?2 IS NULL OR state = ?2)"				\
	" AND (?3 IS NULL OR agent_id = ?3)"				\
	" AND end_ns >= ?4"						\
	" AND (?5 IS NULL OR end_ns < ?5)"				\
	" AND (?6 IS NULL OR label GLOB ?6)"				\
	" AND (?11 IS NULL OR task_id = ?11)"				\
	" AND (?12 IS NULL OR instance = ?12)"

#define QUERY_NEWEST(gpu) "SELECT " ROW_COLUMNS gpu " FROM tasks"	\
	FILTER_WHERE " ORDER BY end_ns DESC, instance DESC, task_id DESC"	\
	" LIMIT ?7"
#define QUERY_OLDEST(gpu) "SELECT " ROW_COLUMNS gpu " FROM tasks"	\
	FILTER_WHERE " ORDER BY end_ns ASC, instance ASC, task_id ASC"	\
	" LIMIT ?7"
/* [0]: a version 1 file, read as it is; [1]: the current schema. */
static const char *const query_newest_sql[2] = {
	QUERY_NEWEST(GPU_COLUMN_V1), QUERY_NEWEST(GPU_COLUMN_V2),
};
static const char *const query_oldest_sql[2] = {
	QUERY_OLDEST(GPU_COLUMN_V1), QUERY_OLDEST(GPU_COLUMN_V2),
};
static const char count_sql[] = "SELECT COUNT(*) FROM tasks" FILTER_WHERE;
/* ?8, ?9, ?10: the SUCCEEDED, FAILED and CANCELLED states. */
static const char summary_sql[] =
	"SELECT uid, COUNT(*), TOTAL(state = ?8), TOTAL(state = ?9),"
	" TOTAL(state = ?10), TOTAL(start_ns != 0),"
	" AVG(CASE WHEN start_ns != 0 THEN start_ns - submit_ns END),"
	" AVG(CASE WHEN start_ns != 0 THEN runtime_ns END),"
	" TOTAL(start_ns != 0 AND est_ns != 0),"
	" AVG(CASE WHEN start_ns != 0 AND est_ns != 0"
	" THEN abs(runtime_ns - est_ns) END)"
	" FROM tasks" FILTER_WHERE " GROUP BY uid ORDER BY uid";

/*
 * An error for SQLite's result @rc while doing what @fmt says (which names
 * the file), with SQLite's message after it.  The errno follows the result
 * (history.h, enum llms_history_fault).
 */
static int sql_error(struct llms_history *h, sqlite3 *db, int rc,
		     struct llms_error **err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int sql_error(struct llms_history *h, sqlite3 *db, int rc,
		     struct llms_error **err, const char *fmt, ...)
{
	int code = LLMS_HISTORY_SQLITE, errnum, sys;
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	char *what = NULL;
	va_list ap;
	int ret;

	sys = db ? sqlite3_system_errno(db) : 0;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		errnum = EBUSY;
		code = LLMS_HISTORY_BUSY;
		break;
	case SQLITE_NOMEM:
		errnum = ENOMEM;
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		errnum = EACCES;
		break;
	case SQLITE_FULL:
		errnum = ENOSPC;
		break;
	case SQLITE_TOOBIG:
		errnum = E2BIG;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		errnum = EBADMSG;
		code = LLMS_HISTORY_NOT_HISTORY;
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		errnum = sys > 0 ? sys : EIO;
		break;
	default:
		errnum = EIO;
		break;
	}

	va_start(ap, fmt);
	ret = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return llms_error_set(err, ENOMEM, "out of memory");
	/* For a file that is not ours, what we were doing does not matter. */
	if (code == LLMS_HISTORY_NOT_HISTORY && h)
		ret = llms_error_set_code(err, errnum, code,
					  "%s is not an llmsched history database (sqlite: %s)",
					  h->path, msg);
	else
		ret = llms_error_set_code(err, errnum, code, "%s: sqlite: %s",
					  what, msg);
	free(what);
	return ret;
}

static void history_free(struct llms_history *h)
{
	if (!h)
		return;
	sqlite3_finalize(h->insert);
	sqlite3_finalize(h->query_newest);
	sqlite3_finalize(h->query_oldest);
	sqlite3_finalize(h->count);
	sqlite3_finalize(h->summary);
	/* Statements are finalized: close cannot be refused as busy. */
	sqlite3_close(h->db);
	free(h->path);
	free(h);
}

/*
 * Create the file, when it is not there, with the mode that the header
 * promises: SQLite would create it 0644 (less the umask), readable by
 * every user, and the history holds their command lines.  Its folder is
 * synced so that the new name survives a crash with the rows to come.
 */
static int create_file(const char *path, struct llms_error **err)
{
	char *dir, *slash;
	int fd, dfd, ret = 0;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		  LLMS_HISTORY_FILE_MODE);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return llms_error_set_code(err, errno, LLMS_HISTORY_SQLITE,
					   "creating history database %s",
					   path);
	}
	if (fsync(fd) < 0)
		ret = llms_error_set_code(err, errno, LLMS_HISTORY_SQLITE,
					  "creating history database %s: fsync",
					  path);
	close(fd);
	if (ret)
		return ret;

	dir = strdup(path);
	if (!dir)
		return llms_error_set(err, ENOMEM, "out of memory");
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		ret = llms_error_set_code(err, errno, LLMS_HISTORY_SQLITE,
					  "creating history database %s: syncing folder %s",
					  path, dir);
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return ret;
}

/* Run @sql, which returns no rows; @what says what it is for. */
static int exec_sql(struct llms_history *h, const char *sql, const char *what,
		    struct llms_error **err)
{
	int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sql_error(h, h->db, rc, err, "opening history database %s: %s",
				 h->path, what);
	return 0;
}

/* The one integer that the statement @sql returns, in *@val. */
static int pragma_int(struct llms_history *h, const char *sql,
		      int64_t *val, struct llms_error **err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*val = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK) {
		sql_error(h, h->db, rc, err,
			  "opening history database %s: reading its schema",
			  h->path);
		sqlite3_finalize(st);
		return -(*err)->errnum;
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * Put the database in WAL mode.  The mode is kept in the file, so this
 * changes something only the first time; "PRAGMA journal_mode" answers
 * with the mode it ended in, which is not WAL when it could not switch.
 */
#define WAL_RETRY_MS 5

static int set_wal(struct llms_history *h, struct llms_error **err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int rc, ret = 0, waited;

	rc = sqlite3_prepare_v2(h->db, "PRAGMA journal_mode=WAL", -1, &st,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	/*
	 * The switch needs the file to itself, and SQLite does not call the
	 * busy handler for it: a second process opening the new file at the
	 * same moment (agents starting together) gets SQLITE_BUSY at once.
	 * Wait for it as the busy timeout would, a few milliseconds a try.
	 */
	for (waited = 0; (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
	     waited < LLMS_HISTORY_BUSY_TIMEOUT_MS; waited += WAL_RETRY_MS) {
		sqlite3_reset(st);
		sqlite3_sleep(WAL_RETRY_MS);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_ROW) {
		ret = sql_error(h, h->db, rc, err,
				"opening history database %s: setting WAL mode",
				h->path);
	} else {
		mode = sqlite3_column_text(st, 0);
		if (!mode || strcmp((const char *)mode, "wal"))
			ret = llms_error_set_code(err, EIO, LLMS_HISTORY_SQLITE,
						  "opening history database %s: setting WAL mode: it stayed in mode %s",
						  h->path,
						  mode ? (const char *)mode : "?");
	}
	sqlite3_finalize(st);
	return ret;
}

/*
 * Check what the file holds, and give a writer's empty file the schema,
 * in one transaction: a writer's is IMMEDIATE, so that two daemons
 * opening a new file at once create the schema once (the second waits,
 * then finds it).
 */
static int check_schema(struct llms_history *h, struct llms_error **err)
{
	int64_t app = 0, version = 0, objects = 0;
	int ret;

	ret = exec_sql(h, h->readonly ? "BEGIN" : "BEGIN IMMEDIATE",
		       "starting a transaction", err);
	if (ret)
		return ret;
	ret = pragma_int(h, "PRAGMA application_id", &app, err);
	if (!ret)
		ret = pragma_int(h, "PRAGMA user_version", &version, err);
	if (!ret)
		ret = pragma_int(h, "SELECT COUNT(*) FROM sqlite_master",
				 &objects, err);
	if (ret)
		goto out;

	if (app == LLMS_HISTORY_APPLICATION_ID &&
	    version > LLMS_HISTORY_SCHEMA_VERSION) {
		ret = llms_error_set_code(err, EPROTONOSUPPORT,
					  LLMS_HISTORY_NEWER_SCHEMA,
					  "opening history database %s: its schema is version %lld, newer than this program's %d; use a newer llmsched",
					  h->path, (long long)version,
					  LLMS_HISTORY_SCHEMA_VERSION);
	} else if (app == LLMS_HISTORY_APPLICATION_ID &&
		   version == LLMS_HISTORY_SCHEMA_VERSION) {
		ret = 0;
	} else if (app == LLMS_HISTORY_APPLICATION_ID && version == 1) {
		if (h->readonly) {
			h->v1 = true;
			ret = 0;
		} else {
			/* Brought up to date, in this same transaction. */
			ret = exec_sql(h, schema_v2, "updating the schema to version 2",
				       err);
			if (!ret)
				ret = exec_sql(h, "PRAGMA user_version=2",
					       "writing the schema version", err);
		}
	} else if (app == 0 && version == 0 && objects == 0) {
		if (h->readonly) {
			ret = llms_error_set_code(err, EBADMSG,
						  LLMS_HISTORY_NOT_HISTORY,
						  "%s is not an llmsched history database (it is empty)",
						  h->path);
		} else {
			ret = exec_sql(h, schema_v1,
				       "creating the schema", err);
			if (!ret)
				ret = exec_sql(h, schema_v2,
					       "creating the schema", err);
			/* Pragmas take no parameters: the numbers are ours. */
			if (!ret) {
				char sql[96];

				snprintf(sql, sizeof(sql),
					 "PRAGMA application_id=%d;"
					 "PRAGMA user_version=%d",
					 LLMS_HISTORY_APPLICATION_ID,
					 LLMS_HISTORY_SCHEMA_VERSION);
				ret = exec_sql(h, sql,
					       "writing the schema version", err);
			}
		}
	} else {
		ret = llms_error_set_code(err, EBADMSG,
					  LLMS_HISTORY_NOT_HISTORY,
					  "%s is not an llmsched history database (it is an SQLite database with application_id %lld, user_version %lld)",
					  h->path, (long long)app,
					  (long long)version);
	}
out:
	if (ret) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	return exec_sql(h, "COMMIT", "committing the schema check", err);
}

static int prepare(struct llms_history *h, const char *sql,
		   sqlite3_stmt **st, struct llms_error **err)
{
	int rc = sqlite3_prepare_v3(h->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				    st, NULL);

	if (rc != SQLITE_OK)
		return sql_error(h, h->db, rc, err, "opening history database %s: preparing its statements",
				 h->path);
	return 0;
}

int llms_history_open(struct llms_history **hp, const char *path,
		      unsigned int flags, struct llms_error **err)
{
	struct llms_history *h;
	struct stat sb;
	int rc, ret, one = 1;

	if (!hp || !path || !*path)
		return llms_error_set_code(err, EINVAL,
					   LLMS_HISTORY_BAD_ARGUMENT,
					   "opening history database: no path");
	if (flags & ~LLMS_HISTORY_READONLY)
		return llms_error_set_code(err, EINVAL,
					   LLMS_HISTORY_BAD_ARGUMENT,
					   "opening history database %s: unknown flags %#x",
					   path, flags & ~LLMS_HISTORY_READONLY);

	h = calloc(1, sizeof(*h));
	if (h)
		h->path = strdup(path);
	if (!h || !h->path) {
		free(h);
		return llms_error_set(err, ENOMEM, "out of memory");
	}
	h->readonly = flags & LLMS_HISTORY_READONLY;

	if (h->readonly) {
		/* SQLite would only say "unable to open database file". */
		if (stat(path, &sb) < 0) {
			ret = llms_error_set_code(err, errno,
						  errno == ENOENT ?
						  LLMS_HISTORY_MISSING :
						  LLMS_HISTORY_SQLITE,
						  errno == ENOENT ?
						  "opening history database %s: it is not there (llmschedd creates it when it starts)" :
						  "opening history database %s",
						  path);
			goto fail;
		}
	} else {
		ret = create_file(path, err);
		if (ret)
			goto fail;
		if (stat(path, &sb) < 0) {
			ret = llms_error_set_code(err, errno,
						  LLMS_HISTORY_SQLITE,
						  "opening history database %s",
						  path);
			goto fail;
		}
	}
	/* SQLite would say "disk I/O error" for a folder. */
	if (!S_ISREG(sb.st_mode)) {
		ret = llms_error_set_code(err,
					  S_ISDIR(sb.st_mode) ? EISDIR : EBADMSG,
					  LLMS_HISTORY_NOT_HISTORY,
					  "%s is not an llmsched history database (it is %s)",
					  path, S_ISDIR(sb.st_mode) ? "a folder" :
					  "not a regular file");
		goto fail;
	}

	rc = sqlite3_open_v2(path, &h->db,
			     (h->readonly ? SQLITE_OPEN_READONLY :
			      SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		if (!h->db) {
			ret = llms_error_set(err, ENOMEM, "out of memory");
			goto fail;
		}
		ret = sql_error(h, h->db, rc, err,
				"opening history database %s", path);
		goto fail;
	}
	sqlite3_extended_result_codes(h->db, 1);
	sqlite3_busy_timeout(h->db, LLMS_HISTORY_BUSY_TIMEOUT_MS);

	if (!h->readonly) {
		/*
		 * Keep the -wal and -shm files when the last writer closes:
		 * a reader that may not create files in the folder can
		 * open a WAL database only when they are there.
		 */
		sqlite3_file_control(h->db, "main", SQLITE_FCNTL_PERSIST_WAL,
				     &one);
		ret = set_wal(h, err);
		if (ret)
			goto fail;
		/* Per connection, not kept in the file. */
		ret = exec_sql(h, "PRAGMA synchronous=FULL;"
			       "PRAGMA journal_size_limit=4194304",
			       "setting synchronous=FULL", err);
		if (ret)
			goto fail;
	}
	ret = check_schema(h, err);
	if (ret)
		goto fail;

	if (!h->readonly) {
		ret = prepare(h, insert_sql, &h->insert, err);
		if (ret)
			goto fail;
	}
	ret = prepare(h, query_newest_sql[!h->v1], &h->query_newest, err);
	if (!ret)
		ret = prepare(h, query_oldest_sql[!h->v1], &h->query_oldest,
			      err);
	if (!ret)
		ret = prepare(h, count_sql, &h->count, err);
	if (!ret)
		ret = prepare(h, summary_sql, &h->summary, err);
	if (ret)
		goto fail;
	*hp = h;
	return 0;
fail:
	history_free(h);
	return ret;
}

void llms_history_close(struct llms_history *h)
{
	history_free(h);
}

/*
 * Whether @s is NUL-terminated within @size bytes and printable ASCII
 * (and not empty, unless @empty_ok).
 */
static bool printable_string(const char *s, size_t size, bool empty_ok)
{
	size_t len = strnlen(s, size);

	if (len == size || (!len && !empty_ok))
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static int bad_row(const struct llms_history_row *r, struct llms_error **err,
		   const char *what)
{
	return llms_error_set_code(err, EINVAL, LLMS_HISTORY_BAD_ARGUMENT,
				   "recording task %llu: %s",
				   (unsigned long long)r->task_id, what);
}

static int check_row(const struct llms_history_row *r, struct llms_error **err)
{
	static const char *const demand_names[LLMSCHED_RES_KNOWN] = {
		"cpu demand", "memory demand", "gpu demand",
		"gpu memory demand",
	};
	const struct {
		const char *name;
		uint64_t val;
	} nums[] = {
		{ "task id", r->task_id },
		{ "submit time", r->submit_ns },
		{ "start time", r->start_ns },
		{ "end time", r->end_ns },
		{ "estimate", r->est_ns },
		{ "run time", r->runtime_ns },
		{ "peak memory", r->mem_peak },
		{ "cpu time", r->cpu_usec },
	};
	char msg[96];

	if (!r->task_id)
		return bad_row(r, err, "task id 0");
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (nums[i].val > INT64_MAX) {
			snprintf(msg, sizeof(msg), "%s %llu is past %lld",
				 nums[i].name,
				 (unsigned long long)nums[i].val,
				 (long long)INT64_MAX);
			return bad_row(r, err, msg);
		}
	}
	for (int i = 0; i < LLMSCHED_RES_KNOWN; i++) {
		if (r->demand[i] > INT64_MAX) {
			snprintf(msg, sizeof(msg), "%s %llu is past %lld",
				 demand_names[i],
				 (unsigned long long)r->demand[i],
				 (long long)INT64_MAX);
			return bad_row(r, err, msg);
		}
	}
	if (r->state != LLMSCHED_TASK_SUCCEEDED &&
	    r->state != LLMSCHED_TASK_FAILED &&
	    r->state != LLMSCHED_TASK_CANCELLED) {
		snprintf(msg, sizeof(msg),
			 "state %u is not an end state (succeeded %d, failed %d, cancelled %d)",
			 r->state, LLMSCHED_TASK_SUCCEEDED,
			 LLMSCHED_TASK_FAILED, LLMSCHED_TASK_CANCELLED);
		return bad_row(r, err, msg);
	}
	if (r->nfeatures > LLMSCHED_FEATURES_MAX) {
		snprintf(msg, sizeof(msg), "%u features, more than %d",
			 r->nfeatures, LLMSCHED_FEATURES_MAX);
		return bad_row(r, err, msg);
	}
	for (uint32_t i = 0; i < r->nfeatures; i++) {
		/* SQLite keeps a NaN as NULL: it would not come back. */
		if (!isfinite(r->features[i])) {
			snprintf(msg, sizeof(msg), "feature %u is not finite",
				 i);
			return bad_row(r, err, msg);
		}
	}
	if (!printable_string(r->label, sizeof(r->label), true))
		return bad_row(r, err,
			       "label is not NUL-terminated printable ASCII");
	if (!printable_string(r->command, sizeof(r->command), true))
		return bad_row(r, err,
			       "command is not NUL-terminated printable ASCII");
	if (!printable_string(r->instance, sizeof(r->instance), false))
		return bad_row(r, err,
			       "instance is empty or not NUL-terminated printable ASCII");
	if (!printable_string(r->gpus, sizeof(r->gpus), true))
		return bad_row(r, err,
			       "gpus is not NUL-terminated printable ASCII");
	return 0;
}

int llms_history_record(struct llms_history *h,
			const struct llms_history_row *r,
			struct llms_error **err)
{
	sqlite3_stmt *st;
	int rc, ret, i;

	if (!h || !r)
		return llms_error_set_code(err, EINVAL,
					   LLMS_HISTORY_BAD_ARGUMENT,
					   "recording a task: no %s",
					   h ? "row" : "history handle");
	if (h->readonly)
		return llms_error_set_code(err, EBADF,
					   LLMS_HISTORY_BAD_ARGUMENT,
					   "recording task %llu in %s: the history was opened read-only",
					   (unsigned long long)r->task_id,
					   h->path);
	ret = check_row(r, err);
	if (ret)
		return ret;

	st = h->insert;
	rc = sqlite3_bind_text(st, 1, r->instance, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(st, 2, (int64_t)r->task_id);
	rc |= sqlite3_bind_text(st, 3, r->label, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(st, 4, r->uid);
	rc |= sqlite3_bind_int64(st, 5, r->agent_id);
	rc |= sqlite3_bind_int64(st, 6, (int64_t)r->submit_ns);
	rc |= sqlite3_bind_int64(st, 7, (int64_t)r->start_ns);
	rc |= sqlite3_bind_int64(st, 8, (int64_t)r->end_ns);
	for (i = 0; i < LLMSCHED_RES_KNOWN; i++)
		rc |= sqlite3_bind_int64(st, 9 + i, (int64_t)r->demand[i]);
	rc |= sqlite3_bind_int64(st, 13, (int64_t)r->est_ns);
	rc |= sqlite3_bind_int64(st, 14, (int64_t)r->runtime_ns);
	rc |= sqlite3_bind_int64(st, 15, (int64_t)r->mem_peak);
	rc |= sqlite3_bind_int64(st, 16, (int64_t)r->cpu_usec);
	rc |= sqlite3_bind_int64(st, 17, r->state);
	rc |= sqlite3_bind_int64(st, 18, r->reason);
	rc |= sqlite3_bind_int64(st, 19, r->exit_status);
	rc |= sqlite3_bind_int64(st, 20, r->nfeatures);
	for (i = 0; i < LLMSCHED_FEATURES_MAX; i++) {
		if ((uint32_t)i < r->nfeatures)
			rc |= sqlite3_bind_double(st, 21 + i, r->features[i]);
		else
			rc |= sqlite3_bind_null(st, 21 + i);
	}
	rc |= sqlite3_bind_text(st, 29, r->command, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(st, 30, r->gpus, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		/* Binding fails only for memory: SQLITE_NOMEM. */
		ret = sql_error(h, h->db, SQLITE_NOMEM, err,
				"recording task %llu in %s",
				(unsigned long long)r->task_id, h->path);
		goto out;
	}
	/* Autocommit: the statement is its own, short, transaction. */
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		ret = sql_error(h, h->db, rc, err, "recording task %llu in %s",
				(unsigned long long)r->task_id, h->path);
	else
		ret = sqlite3_changes(h->db) > 0;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

static int bind_filter(struct llms_history *h, sqlite3_stmt *st,
		       const struct llms_history_filter *f, bool with_limit,
		       struct llms_error **err)
{
	static const struct llms_history_filter all;
	int rc;

	if (!f)
		f = &all;
	if (f->since_ns > INT64_MAX || f->until_ns > INT64_MAX ||
	    (f->by_task && f->task_id > INT64_MAX) ||
	    (with_limit && f->limit > INT64_MAX))
		return llms_error_set_code(err, EINVAL,
					   LLMS_HISTORY_BAD_ARGUMENT,
					   "reading %s: a filter's time or limit is past %lld",
					   h->path, (long long)INT64_MAX);
	if (f->label_glob && !*f->label_glob)
		return llms_error_set_code(err, EINVAL,
					   LLMS_HISTORY_BAD_ARGUMENT,
					   "reading %s: an empty label pattern (NULL takes every label)",
					   h->path);

	rc = f->by_uid ? sqlite3_bind_int64(st, 1, f->uid) :
		sqlite3_bind_null(st, 1);
	rc |= f->by_state ? sqlite3_bind_int64(st, 2, f->state) :
		sqlite3_bind_null(st, 2);
	rc |= f->by_agent ? sqlite3_bind_int64(st, 3, f->agent_id) :
		sqlite3_bind_null(st, 3);
	rc |= sqlite3_bind_int64(st, 4, (int64_t)f->since_ns);
	rc |= f->until_ns ? sqlite3_bind_int64(st, 5, (int64_t)f->until_ns) :
		sqlite3_bind_null(st, 5);
	rc |= f->label_glob ?
		sqlite3_bind_text(st, 6, f->label_glob, -1, SQLITE_TRANSIENT) :
		sqlite3_bind_null(st, 6);
	/* ?7 is the limit's and ?8 to ?10 the summary's: these come after. */
	rc |= f->by_task ? sqlite3_bind_int64(st, 11, (int64_t)f->task_id) :
		sqlite3_bind_null(st, 11);
	rc |= f->instance ?
		sqlite3_bind_text(st, 12, f->instance, -1, SQLITE_TRANSIENT) :
		sqlite3_bind_null(st, 12);
	if (with_limit)
		rc |= sqlite3_bind_int64(st, 7, f->limit ?
					 (int64_t)f->limit : -1);
	if (rc != SQLITE_OK)
		return sql_error(h, h->db, SQLITE_NOMEM, err, "reading %s",
				 h->path);
	return 0;
}

/* Column @i of @st as an integer in [@min, @max], or false. */
static bool column_int(sqlite3_stmt *st, int i, int64_t min, int64_t max,
		       int64_t *val)
{
	if (sqlite3_column_type(st, i) != SQLITE_INTEGER)
		return false;
	*val = sqlite3_column_int64(st, i);
	return *val >= min && *val <= max;
}

/* Column @i of @st as a string of fewer than @size bytes, into @buf. */
static bool column_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *text;
	int len;

	if (sqlite3_column_type(st, i) != SQLITE_TEXT)
		return false;
	text = sqlite3_column_text(st, i);
	len = sqlite3_column_bytes(st, i);
	if (!text || len < 0 || (size_t)len >= size ||
	    memchr(text, '\0', len))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return true;
}

/* The current row of a query statement into @r; false if it does not fit. */
static bool read_row(sqlite3_stmt *st, struct llms_history_row *r)
{
	/* Columns 5 to 15, in ROW_COLUMNS' order. */
	uint64_t *const u64s[] = {
		&r->submit_ns, &r->start_ns, &r->end_ns, &r->demand[0],
		&r->demand[1], &r->demand[2], &r->demand[3], &r->est_ns,
		&r->runtime_ns, &r->mem_peak, &r->cpu_usec,
	};
	int64_t v;
	int i;

	memset(r, 0, sizeof(*r));
	if (!column_text(st, 0, r->instance, sizeof(r->instance)) ||
	    !column_text(st, 2, r->label, sizeof(r->label)) ||
	    !column_text(st, 28, r->command, sizeof(r->command)) ||
	    !column_text(st, 29, r->gpus, sizeof(r->gpus)))
		return false;
	if (!column_int(st, 1, 1, INT64_MAX, &v))
		return false;
	r->task_id = v;
	for (i = 0; i < (int)(sizeof(u64s) / sizeof(u64s[0])); i++) {
		if (!column_int(st, 5 + i, 0, INT64_MAX, &v))
			return false;
		*u64s[i] = v;
	}
	if (!column_int(st, 3, 0, UINT32_MAX, &v))
		return false;
	r->uid = v;
	if (!column_int(st, 4, 0, UINT32_MAX, &v))
		return false;
	r->agent_id = v;
	if (!column_int(st, 16, 0, UINT32_MAX, &v))
		return false;
	r->state = v;
	if (!column_int(st, 17, 0, UINT32_MAX, &v))
		return false;
	r->reason = v;
	if (!column_int(st, 18, INT32_MIN, INT32_MAX, &v))
		return false;
	r->exit_status = v;
	if (!column_int(st, 19, 0, LLMSCHED_FEATURES_MAX, &v))
		return false;
	r->nfeatures = v;
	for (i = 0; i < LLMSCHED_FEATURES_MAX; i++) {
		int type = sqlite3_column_type(st, 20 + i);

		if ((uint32_t)i >= r->nfeatures)
			continue;
		if (type != SQLITE_FLOAT && type != SQLITE_INTEGER)
			return false;
		r->features[i] = sqlite3_column_double(st, 20 + i);
	}
	return true;
}

int llms_history_query(struct llms_history *h,
		       const struct llms_history_filter *f,
		       int (*cb)(const struct llms_history_row *r, void *arg),
		       void *arg, struct llms_error **err)
{
	struct llms_history_row row;
	sqlite3_stmt *st;
	int rc, ret, n = 0;

	if (!h || !cb)
		return llms_error_set_code(err, EINVAL,
					   LLMS_HISTORY_BAD_ARGUMENT,
					   "reading the history: no %s",
					   h ? "callback" : "history handle");
	st = f && f->oldest_first ? h->query_oldest : h->query_newest;
	ret = bind_filter(h, st, f, true, err);
	if (ret)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!read_row(st, &row)) {
			ret = llms_error_set_code(err, EBADMSG,
						  LLMS_HISTORY_NOT_HISTORY,
						  "reading %s: a row does not fit the history schema (damaged or edited by hand)",
						  h->path);
			goto out;
		}
		ret = cb(&row, arg);
		if (ret < 0) {
			llms_error_set_code(err, ret, 0,
					    "reading %s: stopped by the caller",
					    h->path);
			goto out;
		}
		n++;
		if (ret > 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = sql_error(h, h->db, rc, err, "reading %s", h->path);
		goto out;
	}
	ret = n;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

int llms_history_count(struct llms_history *h,
		       const struct llms_history_filter *f, uint64_t *count,
		       struct llms_error **err)
{
	sqlite3_stmt *st;
	int rc, ret;

	if (!h || !count)
		return llms_error_set_code(err, EINVAL,
					   LLMS_HISTORY_BAD_ARGUMENT,
					   "counting the history: no %s",
					   h ? "count" : "history handle");
	st = h->count;
	ret = bind_filter(h, st, f, false, err);
	if (ret)
		goto out;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		ret = sql_error(h, h->db, rc, err, "counting %s", h->path);
		goto out;
	}
	*count = (uint64_t)sqlite3_column_int64(st, 0);
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

/* A TOTAL() or AVG() column: a number, 0 for NULL (nothing to average). */
static double column_number(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 :
		sqlite3_column_double(st, i);
}

int llms_history_summarize(struct llms_history *h,
			   const struct llms_history_filter *f,
			   int (*cb)(const struct llms_history_summary *s,
				     void *arg),
			   void *arg, struct llms_error **err)
{
	struct llms_history_summary s;
	sqlite3_stmt *st;
	int64_t uid;
	int rc, ret, n = 0;

	if (!h || !cb)
		return llms_error_set_code(err, EINVAL,
					   LLMS_HISTORY_BAD_ARGUMENT,
					   "summing up the history: no %s",
					   h ? "callback" : "history handle");
	st = h->summary;
	ret = bind_filter(h, st, f, false, err);
	if (ret)
		goto out;
	rc = sqlite3_bind_int64(st, 8, LLMSCHED_TASK_SUCCEEDED);
	rc |= sqlite3_bind_int64(st, 9, LLMSCHED_TASK_FAILED);
	rc |= sqlite3_bind_int64(st, 10, LLMSCHED_TASK_CANCELLED);
	if (rc != SQLITE_OK) {
		ret = sql_error(h, h->db, SQLITE_NOMEM, err, "summing up %s",
				h->path);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!column_int(st, 0, 0, UINT32_MAX, &uid)) {
			ret = llms_error_set_code(err, EBADMSG,
						  LLMS_HISTORY_NOT_HISTORY,
						  "summing up %s: a row does not fit the history schema (damaged or edited by hand)",
						  h->path);
			goto out;
		}
		s = (struct llms_history_summary){
			.uid = uid,
			.count = sqlite3_column_int64(st, 1),
			.succeeded = column_number(st, 2),
			.failed = column_number(st, 3),
			.cancelled = column_number(st, 4),
			.started = column_number(st, 5),
			.mean_wait_ns = column_number(st, 6),
			.mean_runtime_ns = column_number(st, 7),
			.estimated = column_number(st, 8),
			.mean_est_error_ns = column_number(st, 9),
		};
		ret = cb(&s, arg);
		if (ret < 0) {
			llms_error_set_code(err, ret, 0,
					    "summing up %s: stopped by the caller",
					    h->path);
			goto out;
		}
		n++;
		if (ret > 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = sql_error(h, h->db, rc, err, "summing up %s", h->path);
		goto out;
	}
	ret = n;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

void llms_history_set_command(struct llms_history_row *r,
			      const char *const *argv)
{
	const size_t max = sizeof(r->command) - 1;
	size_t len = 0;

	for (size_t a = 0; argv && argv[a]; a++) {
		const char *p = argv[a];

		if (a && len < max)
			r->command[len++] = ' ';
		for (; *p && len < max; p++)
			r->command[len++] = (*p < 0x20 || *p > 0x7e) ? '?' : *p;
		if (*p || (len == max && argv[a + 1])) {
			/* Something did not fit: say so at the end. */
			memcpy(r->command + max - 3, "...", 3);
			break;
		}
	}
	r->command[len] = '\0';
}
