// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for libllmsched's history of ended tasks
 * (runtime/lib/history.c): every field round trip, the filters and
 * summaries, idempotent records, every bad row and bad file, writers in
 * two processes at once, and a writer killed with SIGKILL that loses
 * nothing it reported recorded.  Each test works in its own folder under
 * /tmp, removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "kselftest_harness.h"
#include "../../runtime/lib/history.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define INSTANCE "boot-0123456789abcdef-1"

static int remove_entry(const char *path, const struct stat *sb, int type,
			struct FTW *ftw)
{
	return remove(path);
}

/*
 * A row whose every field differs from every other row's (for @i up to a
 * few thousands), with every byte past the strings' ends zero, so that two
 * rows compare with memcmp().
 */
static void make_row(struct llms_history_row *r, uint64_t i)
{
	memset(r, 0, sizeof(*r));
	r->task_id = i;
	snprintf(r->label, sizeof(r->label), "task-%llu",
		 (unsigned long long)i);
	r->uid = 1000 + i % 3;
	r->agent_id = 1 + i % 4;
	r->submit_ns = 1700000000000000000ULL + i * 1000;
	r->start_ns = r->submit_ns + 100 + i;
	r->end_ns = r->start_ns + 1000000 + i;
	r->demand[LLMSCHED_RES_CPU] = 500 + i;
	r->demand[LLMSCHED_RES_MEM] = (1ULL << 30) + i;
	r->demand[LLMSCHED_RES_GPU] = i % 2;
	r->demand[LLMSCHED_RES_GPU_MEM] = (i % 2) << 34;
	r->est_ns = 900000 + i;
	r->runtime_ns = r->end_ns - r->start_ns;
	r->mem_peak = (1ULL << 20) + i;
	r->cpu_usec = 700 + i;
	r->state = LLMSCHED_TASK_SUCCEEDED;
	r->reason = LLMSCHED_REASON_NONE;
	r->exit_status = 0;
	r->nfeatures = 2;
	r->features[0] = 100.0 + i;
	r->features[1] = 7000.5;
	snprintf(r->command, sizeof(r->command), "/usr/bin/agent --task %llu",
		 (unsigned long long)i);
	strcpy(r->instance, INSTANCE);
	if (i % 2)
		snprintf(r->gpus, sizeof(r->gpus), "gpu%llu,gpu%llu",
			 (unsigned long long)i, (unsigned long long)i + 1);
}

/* Rows handed over by a query, copied in their order. */
struct collected {
	struct llms_history_row rows[64];
	size_t n;
	int stop_after;		/* > 0: return this from that row on */
	int stop_with;
};

static int collect(const struct llms_history_row *r, void *arg)
{
	struct collected *c = arg;

	if (c->n < sizeof(c->rows) / sizeof(c->rows[0]))
		c->rows[c->n] = *r;
	c->n++;
	if (c->stop_after && (int)c->n >= c->stop_after)
		return c->stop_with;
	return 0;
}

/* The task ids a query with @f returns, "1,2,3", into @buf. */
static int query_ids(struct llms_history *h,
		     const struct llms_history_filter *f, char *buf,
		     size_t size)
{
	static struct collected c;
	struct llms_error *err = NULL;
	size_t len = 0;
	int n;

	memset(&c, 0, sizeof(c));
	buf[0] = '\0';
	n = llms_history_query(h, f, collect, &c, &err);
	if (n < 0) {
		llms_error_print(stderr, "query", err);
		llms_error_free(&err);
		return n;
	}
	for (size_t i = 0; i < c.n && i < 64; i++)
		len += snprintf(buf + len, size - len, "%s%llu", i ? "," : "",
				(unsigned long long)c.rows[i].task_id);
	return n;
}

static uint64_t count_rows(struct llms_history *h,
			   const struct llms_history_filter *f)
{
	struct llms_error *err = NULL;
	uint64_t n = 0;

	if (llms_history_count(h, f, &n, &err) < 0) {
		llms_error_print(stderr, "count", err);
		llms_error_free(&err);
		return UINT64_MAX;
	}
	return n;
}

/* Run @sql on @path with SQLite itself, as another program would. */
static int raw_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "raw sql %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		perror(path);
	if (fd >= 0)
		close(fd);
}

FIXTURE(hist) {
	char dir[64];
	char path[96];
	struct llms_history *h;
};

FIXTURE_SETUP(hist)
{
	strcpy(self->dir, "/tmp/llms-history-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/history.db", self->dir);
	self->h = NULL;
	umask(022);
}

FIXTURE_TEARDOWN(hist)
{
	llms_history_close(self->h);
	nftw(self->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Open self->path as a writer into self->h, or fail the test. */
#define OPEN_WRITER() do {						\
	struct llms_error *e_ = NULL;					\
	int r_ = llms_history_open(&self->h, self->path, 0, &e_);	\
	if (r_)								\
		llms_error_print(stderr, "open", e_);			\
	llms_error_free(&e_);						\
	ASSERT_EQ(0, r_);						\
} while (0)

#define RECORD(row) do {						\
	struct llms_error *e_ = NULL;					\
	int r_ = llms_history_record(self->h, (row), &e_);		\
	if (r_ < 0)							\
		llms_error_print(stderr, "record", e_);			\
	llms_error_free(&e_);						\
	ASSERT_EQ(1, r_);						\
} while (0)

TEST_F(hist, every_field_round_trips_through_writer_and_reader)
{
	struct llms_history_row rows[3], extreme, empty;
	struct llms_history *ro = NULL;
	struct llms_error *err = NULL;
	struct collected c = { 0 };
	char cmd[300];

	/* The largest value of each field. */
	memset(&extreme, 0, sizeof(extreme));
	extreme.task_id = INT64_MAX;
	memset(extreme.label, '~', sizeof(extreme.label) - 1);
	extreme.uid = UINT32_MAX;
	extreme.agent_id = UINT32_MAX;
	extreme.submit_ns = INT64_MAX - 2;
	extreme.start_ns = INT64_MAX - 1;
	extreme.end_ns = INT64_MAX;
	for (int i = 0; i < LLMSCHED_RES_KNOWN; i++)
		extreme.demand[i] = INT64_MAX - i;
	extreme.est_ns = INT64_MAX;
	extreme.runtime_ns = INT64_MAX - 3;
	extreme.mem_peak = INT64_MAX - 4;
	extreme.cpu_usec = INT64_MAX - 5;
	extreme.state = LLMSCHED_TASK_FAILED;
	extreme.reason = UINT32_MAX;
	extreme.exit_status = INT32_MIN;
	extreme.nfeatures = LLMSCHED_FEATURES_MAX;
	for (int i = 0; i < LLMSCHED_FEATURES_MAX; i++)
		extreme.features[i] = (i - 3) * 1.0e300 / 7 + 0.125 * i;
	memset(cmd, 'c', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = '\0';
	memcpy(extreme.command, cmd, sizeof(extreme.command) - 1);
	memset(extreme.instance, 'i', sizeof(extreme.instance) - 1);

	/* The smallest: empty strings, no features, never started. */
	memset(&empty, 0, sizeof(empty));
	empty.task_id = 1;
	empty.state = LLMSCHED_TASK_CANCELLED;
	empty.reason = LLMSCHED_REASON_CANCELLED;
	empty.exit_status = -1;
	strcpy(empty.instance, "x");

	OPEN_WRITER();
	make_row(&rows[0], 5);
	rows[0].end_ns = INT64_MAX - 10; /* between extreme and empty */
	rows[1] = extreme;
	rows[2] = empty;
	for (int i = 0; i < 3; i++)
		RECORD(&rows[i]);

	/* The writer reads its own rows, newest end first. */
	ASSERT_EQ(3, llms_history_query(self->h, NULL, collect, &c, &err));
	EXPECT_EQ(0, memcmp(&extreme, &c.rows[0], sizeof(extreme)));
	EXPECT_EQ(0, memcmp(&rows[0], &c.rows[1], sizeof(rows[0])));
	EXPECT_EQ(0, memcmp(&empty, &c.rows[2], sizeof(empty)));

	/* So does a reader, in another connection, after the writer closed. */
	llms_history_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, llms_history_open(&ro, self->path, LLMS_HISTORY_READONLY,
				       &err));
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(3, llms_history_query(ro, NULL, collect, &c, &err));
	EXPECT_EQ(0, memcmp(&extreme, &c.rows[0], sizeof(extreme)));
	EXPECT_EQ(0, memcmp(&rows[0], &c.rows[1], sizeof(rows[0])));
	EXPECT_EQ(0, memcmp(&empty, &c.rows[2], sizeof(empty)));
	llms_history_close(ro);
}

TEST_F(hist, recording_a_task_again_keeps_the_first_row)
{
	struct llms_history_row r, again;
	struct llms_error *err = NULL;
	struct collected c = { 0 };

	OPEN_WRITER();
	make_row(&r, 42);
	RECORD(&r);
	again = r;
	strcpy(again.label, "second");
	again.exit_status = 3;
	EXPECT_EQ(0, llms_history_record(self->h, &again, &err));
	EXPECT_EQ(NULL, err);
	EXPECT_EQ(0, llms_history_record(self->h, &r, &err));
	EXPECT_EQ(1, count_rows(self->h, NULL));
	ASSERT_EQ(1, llms_history_query(self->h, NULL, collect, &c, &err));
	EXPECT_EQ(0, memcmp(&r, &c.rows[0], sizeof(r)));

	/* The same id from another load of the module is another task. */
	strcpy(again.instance, "boot-other-2");
	EXPECT_EQ(1, llms_history_record(self->h, &again, &err));
	EXPECT_EQ(2, count_rows(self->h, NULL));

	/* Through a restart of the writer too. */
	llms_history_close(self->h);
	self->h = NULL;
	OPEN_WRITER();
	EXPECT_EQ(0, llms_history_record(self->h, &r, &err));
	EXPECT_EQ(2, count_rows(self->h, NULL));
}

TEST_F(hist, filters_order_and_limit)
{
	struct llms_history_filter f;
	struct llms_history_row r;
	char ids[512];

	OPEN_WRITER();
	/*
	 * Tasks 1..12: uid 1000 + i % 3, agent 1 + i % 4, end time rising
	 * with i; every third (3, 6, 9, 12) failed; labels task-N, but
	 * 10..12 are "eval-N".
	 */
	for (uint64_t i = 1; i <= 12; i++) {
		make_row(&r, i);
		if (i % 3 == 0) {
			r.state = LLMSCHED_TASK_FAILED;
			r.reason = LLMSCHED_REASON_EXIT;
			r.exit_status = 1;
		}
		if (i >= 10)
			snprintf(r.label, sizeof(r.label), "eval-%llu",
				 (unsigned long long)i);
		RECORD(&r);
	}

	EXPECT_EQ(12, query_ids(self->h, NULL, ids, sizeof(ids)));
	EXPECT_STREQ("12,11,10,9,8,7,6,5,4,3,2,1", ids);

	memset(&f, 0, sizeof(f));
	f.oldest_first = true;
	EXPECT_EQ(12, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("1,2,3,4,5,6,7,8,9,10,11,12", ids);
	f.limit = 3;
	EXPECT_EQ(3, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("1,2,3", ids);
	f.oldest_first = false;
	EXPECT_EQ(3, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("12,11,10", ids);
	EXPECT_EQ(12, count_rows(self->h, &f)); /* count ignores the limit */

	memset(&f, 0, sizeof(f));
	f.by_uid = true;
	f.uid = 1001;
	EXPECT_EQ(4, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("10,7,4,1", ids);
	EXPECT_EQ(4, count_rows(self->h, &f));
	f.uid = 0; /* uid 0 is a user like any other, not "any" */
	EXPECT_EQ(0, query_ids(self->h, &f, ids, sizeof(ids)));

	memset(&f, 0, sizeof(f));
	f.by_state = true;
	f.state = LLMSCHED_TASK_FAILED;
	EXPECT_EQ(4, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("12,9,6,3", ids);

	memset(&f, 0, sizeof(f));
	f.by_agent = true;
	f.agent_id = 2;
	EXPECT_EQ(3, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("9,5,1", ids);

	memset(&f, 0, sizeof(f));
	f.by_task = true;
	f.task_id = 5;
	EXPECT_EQ(1, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("5", ids);
	EXPECT_EQ(1, count_rows(self->h, &f));
	f.task_id = 99;
	EXPECT_EQ(0, query_ids(self->h, &f, ids, sizeof(ids)));
	make_row(&r, 5);
	f.task_id = 5;
	f.instance = r.instance;
	EXPECT_EQ(1, query_ids(self->h, &f, ids, sizeof(ids)));
	f.instance = "another load";
	EXPECT_EQ(0, query_ids(self->h, &f, ids, sizeof(ids)));

	/* since is inclusive, until exclusive, on the end time. */
	make_row(&r, 4);
	memset(&f, 0, sizeof(f));
	f.since_ns = r.end_ns;
	make_row(&r, 7);
	f.until_ns = r.end_ns;
	EXPECT_EQ(3, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("6,5,4", ids);
	EXPECT_EQ(3, count_rows(self->h, &f));

	memset(&f, 0, sizeof(f));
	f.label_glob = "eval-*";
	EXPECT_EQ(3, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("12,11,10", ids);
	f.label_glob = "task-?";
	EXPECT_EQ(9, query_ids(self->h, &f, ids, sizeof(ids)));
	f.label_glob = "TASK-*"; /* GLOB is case-sensitive */
	EXPECT_EQ(0, query_ids(self->h, &f, ids, sizeof(ids)));
	/* A pattern is a value, never SQL. */
	f.label_glob = "' OR 1=1 --";
	EXPECT_EQ(0, query_ids(self->h, &f, ids, sizeof(ids)));

	/* All at once: uid 1000's failed tasks labelled task-*. */
	memset(&f, 0, sizeof(f));
	f.by_uid = true;
	f.uid = 1000;
	f.by_state = true;
	f.state = LLMSCHED_TASK_FAILED;
	f.label_glob = "task-*";
	EXPECT_EQ(3, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("9,6,3", ids);
	f.by_agent = true;
	f.agent_id = 4; /* 3 % 4 + 1 */
	EXPECT_EQ(1, query_ids(self->h, &f, ids, sizeof(ids)));
	EXPECT_STREQ("3", ids);
}

struct summaries {
	struct llms_history_summary s[8];
	size_t n;
};

static int collect_summary(const struct llms_history_summary *s, void *arg)
{
	struct summaries *all = arg;

	if (all->n < 8)
		all->s[all->n] = *s;
	all->n++;
	return 0;
}

TEST_F(hist, summaries_per_user)
{
	struct llms_history_filter f = { 0 };
	struct summaries all = { 0 };
	struct llms_error *err = NULL;
	struct llms_history_row r;

	OPEN_WRITER();
	/* uid 7: waits 10 and 30, runs 100 and 300, estimates 150 and 0. */
	make_row(&r, 1);
	r.uid = 7;
	r.submit_ns = 1000;
	r.start_ns = 1010;
	r.runtime_ns = 100;
	r.end_ns = 1110;
	r.est_ns = 150;
	RECORD(&r);
	make_row(&r, 2);
	r.uid = 7;
	r.submit_ns = 2000;
	r.start_ns = 2030;
	r.runtime_ns = 300;
	r.end_ns = 2330;
	r.est_ns = 0;
	r.state = LLMSCHED_TASK_FAILED;
	RECORD(&r);
	/* uid 7, cancelled before it started: counts, no wait or run. */
	make_row(&r, 3);
	r.uid = 7;
	r.submit_ns = 3000;
	r.start_ns = 0;
	r.runtime_ns = 0;
	r.end_ns = 3500;
	r.state = LLMSCHED_TASK_CANCELLED;
	RECORD(&r);
	/* uid 5: one task, estimate 400 for a run of 100. */
	make_row(&r, 4);
	r.uid = 5;
	r.submit_ns = 4000;
	r.start_ns = 4001;
	r.runtime_ns = 100;
	r.end_ns = 4101;
	r.est_ns = 400;
	RECORD(&r);

	ASSERT_EQ(2, llms_history_summarize(self->h, NULL, collect_summary,
					    &all, &err));
	EXPECT_EQ(5, all.s[0].uid);
	EXPECT_EQ(1, all.s[0].count);
	EXPECT_EQ(1, all.s[0].succeeded);
	EXPECT_EQ(1, all.s[0].estimated);
	EXPECT_EQ(300.0, all.s[0].mean_est_error_ns);
	EXPECT_EQ(1.0, all.s[0].mean_wait_ns);

	EXPECT_EQ(7, all.s[1].uid);
	EXPECT_EQ(3, all.s[1].count);
	EXPECT_EQ(1, all.s[1].succeeded);
	EXPECT_EQ(1, all.s[1].failed);
	EXPECT_EQ(1, all.s[1].cancelled);
	EXPECT_EQ(2, all.s[1].started);
	EXPECT_EQ(20.0, all.s[1].mean_wait_ns);
	EXPECT_EQ(200.0, all.s[1].mean_runtime_ns);
	EXPECT_EQ(1, all.s[1].estimated);
	EXPECT_EQ(50.0, all.s[1].mean_est_error_ns);

	/* The filter applies: uid 7's tasks that ended before 3000. */
	memset(&all, 0, sizeof(all));
	f.until_ns = 3000;
	f.by_uid = true;
	f.uid = 7;
	ASSERT_EQ(1, llms_history_summarize(self->h, &f, collect_summary,
					    &all, &err));
	EXPECT_EQ(2, all.s[0].count);
	EXPECT_EQ(0, all.s[0].cancelled);

	/* No rows: no summary. */
	f.uid = 9;
	EXPECT_EQ(0, llms_history_summarize(self->h, &f, collect_summary,
					    &all, &err));
}

TEST_F(hist, callback_stops_the_query)
{
	struct collected c = { .stop_after = 2, .stop_with = 1 };
	struct llms_error *err = NULL;
	struct llms_history_row r;

	OPEN_WRITER();
	for (uint64_t i = 1; i <= 5; i++) {
		make_row(&r, i);
		RECORD(&r);
	}
	EXPECT_EQ(2, llms_history_query(self->h, NULL, collect, &c, &err));
	EXPECT_EQ(NULL, err);

	memset(&c, 0, sizeof(c));
	c.stop_after = 3;
	c.stop_with = -ECANCELED;
	EXPECT_EQ(-ECANCELED, llms_history_query(self->h, NULL, collect, &c,
						 &err));
	ASSERT_NE(NULL, err);
	EXPECT_EQ(ECANCELED, err->errnum);
	EXPECT_NE(NULL, strstr(err->msg, "stopped by the caller"));
	llms_error_free(&err);
	EXPECT_EQ(3, c.n);

	/* The statement was reset: the next query sees everything. */
	memset(&c, 0, sizeof(c));
	EXPECT_EQ(5, llms_history_query(self->h, NULL, collect, &c, &err));
}

/* Record @r, expecting EINVAL with @what in the message. */
static int refused(struct llms_history *h, const struct llms_history_row *r,
		   const char *what)
{
	struct llms_error *err = NULL;
	int ret = llms_history_record(h, r, &err), ok;

	ok = ret == -EINVAL && err && err->errnum == EINVAL &&
		err->code == LLMS_HISTORY_BAD_ARGUMENT &&
		strstr(err->msg, what);
	if (!ok)
		fprintf(stderr, "# record returned %d, '%s', wanted '%s'\n",
			ret, err ? err->msg : "(no error)", what);
	llms_error_free(&err);
	return ok;
}

TEST_F(hist, every_bad_row_is_refused_naming_its_field)
{
	struct llms_history_row good, r;

	OPEN_WRITER();
	make_row(&good, 1);

#define BAD(stmt, what) do {						\
	r = good;							\
	stmt;								\
	EXPECT_TRUE(refused(self->h, &r, what));			\
} while (0)
	BAD(r.task_id = 0, "task id 0");
	BAD(r.task_id = 1ULL << 63, "task id");
	BAD(r.submit_ns = UINT64_MAX, "submit time");
	BAD(r.start_ns = (uint64_t)INT64_MAX + 1, "start time");
	BAD(r.end_ns = UINT64_MAX, "end time");
	BAD(r.est_ns = UINT64_MAX, "estimate");
	BAD(r.runtime_ns = UINT64_MAX, "run time");
	BAD(r.mem_peak = UINT64_MAX, "peak memory");
	BAD(r.cpu_usec = UINT64_MAX, "cpu time");
	BAD(r.demand[LLMSCHED_RES_CPU] = UINT64_MAX, "cpu demand");
	BAD(r.demand[LLMSCHED_RES_MEM] = UINT64_MAX, "memory demand");
	BAD(r.demand[LLMSCHED_RES_GPU] = UINT64_MAX, "gpu demand");
	BAD(r.demand[LLMSCHED_RES_GPU_MEM] = UINT64_MAX, "gpu memory demand");
	BAD(r.state = LLMSCHED_TASK_RUNNING, "not an end state");
	BAD(r.state = 0, "not an end state");
	BAD(r.state = 99, "not an end state");
	BAD(r.nfeatures = LLMSCHED_FEATURES_MAX + 1, "features, more than");
	BAD(r.features[1] = NAN, "feature 1 is not finite");
	BAD(r.features[0] = INFINITY, "feature 0 is not finite");
	BAD(memset(r.label, 'a', sizeof(r.label)), "label");
	BAD(r.label[0] = '\n', "label");
	BAD(r.label[0] = (char)0xc3, "label");
	BAD(memset(r.command, 'a', sizeof(r.command)), "command");
	BAD(r.command[3] = '\t', "command");
	BAD(r.instance[0] = '\0', "instance is empty");
	BAD(memset(r.instance, 'a', sizeof(r.instance)), "instance");
	BAD(r.instance[1] = 0x7f, "instance");
#undef BAD
	/* Nothing of it was recorded; a NaN past nfeatures is not looked at. */
	EXPECT_EQ(0, count_rows(self->h, NULL));
	r = good;
	r.features[2] = NAN;
	RECORD(&r);
	EXPECT_EQ(1, count_rows(self->h, NULL));
}

TEST_F(hist, bad_arguments_are_refused)
{
	struct llms_history_filter f = { 0 };
	struct llms_error *err = NULL;
	struct llms_history_row r;
	struct llms_history *h2 = NULL;
	struct collected c = { 0 };
	uint64_t n;

	EXPECT_EQ(-EINVAL, llms_history_open(&h2, NULL, 0, &err));
	EXPECT_EQ(LLMS_HISTORY_BAD_ARGUMENT, err->code);
	llms_error_free(&err);
	EXPECT_EQ(-EINVAL, llms_history_open(&h2, "", 0, &err));
	llms_error_free(&err);
	EXPECT_EQ(-EINVAL, llms_history_open(&h2, self->path, 1U << 5, &err));
	EXPECT_NE(NULL, strstr(err->msg, "unknown flags 0x20"));
	llms_error_free(&err);
	EXPECT_EQ(NULL, h2);
	/* None of it created the file. */
	EXPECT_EQ(-1, access(self->path, F_OK));

	OPEN_WRITER();
	make_row(&r, 1);
	EXPECT_EQ(-EINVAL, llms_history_record(NULL, &r, &err));
	llms_error_free(&err);
	EXPECT_EQ(-EINVAL, llms_history_record(self->h, NULL, &err));
	llms_error_free(&err);
	EXPECT_EQ(-EINVAL, llms_history_query(self->h, NULL, NULL, NULL,
					      &err));
	llms_error_free(&err);
	EXPECT_EQ(-EINVAL, llms_history_count(self->h, NULL, NULL, &err));
	llms_error_free(&err);

	f.since_ns = (uint64_t)INT64_MAX + 1;
	EXPECT_EQ(-EINVAL, llms_history_query(self->h, &f, collect, &c,
					      &err));
	EXPECT_NE(NULL, strstr(err->msg, "past"));
	llms_error_free(&err);
	f.since_ns = 0;
	f.until_ns = UINT64_MAX;
	EXPECT_EQ(-EINVAL, llms_history_count(self->h, &f, &n, &err));
	llms_error_free(&err);
	f.until_ns = 0;
	f.limit = SIZE_MAX;
	EXPECT_EQ(-EINVAL, llms_history_query(self->h, &f, collect, &c,
					      &err));
	llms_error_free(&err);
	f.limit = 0;
	f.label_glob = "";
	EXPECT_EQ(-EINVAL, llms_history_query(self->h, &f, collect, &c,
					      &err));
	EXPECT_NE(NULL, strstr(err->msg, "empty label pattern"));
	llms_error_free(&err);
	EXPECT_EQ(0, c.n);

	/* The handle still works after all that. */
	RECORD(&r);
}

TEST_F(hist, read_only_open_of_a_missing_file_says_so)
{
	struct llms_history *ro = NULL;
	struct llms_error *err = NULL;

	EXPECT_EQ(-ENOENT, llms_history_open(&ro, self->path,
					     LLMS_HISTORY_READONLY, &err));
	ASSERT_NE(NULL, err);
	EXPECT_EQ(LLMS_HISTORY_MISSING, err->code);
	EXPECT_NE(NULL, strstr(err->msg, self->path));
	EXPECT_NE(NULL, strstr(err->msg, "not there"));
	llms_error_free(&err);
	EXPECT_EQ(NULL, ro);
	/* And it did not create it. */
	EXPECT_EQ(-1, access(self->path, F_OK));

	/* A writer in a folder that is not there: the system's errno. */
	snprintf(self->path, sizeof(self->path), "%s/no/history.db",
		 self->dir);
	EXPECT_EQ(-ENOENT, llms_history_open(&ro, self->path, 0, &err));
	EXPECT_NE(NULL, strstr(err->msg, "creating history database"));
	llms_error_free(&err);
}

TEST_F(hist, writing_through_a_read_only_handle_is_refused)
{
	struct llms_history *ro = NULL;
	struct llms_error *err = NULL;
	struct llms_history_row r;

	OPEN_WRITER();
	ASSERT_EQ(0, llms_history_open(&ro, self->path, LLMS_HISTORY_READONLY,
				       &err));
	make_row(&r, 1);
	EXPECT_EQ(-EBADF, llms_history_record(ro, &r, &err));
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err->msg, "read-only"));
	llms_error_free(&err);
	llms_history_close(ro);
	EXPECT_EQ(0, count_rows(self->h, NULL));
}

/* Open @path both ways: each must be EBADMSG, "not an llmsched history". */
static int both_refused(const char *path, int want_errno, const char *what)
{
	unsigned int flags[] = { 0, LLMS_HISTORY_READONLY };
	int ok = 1;

	for (int i = 0; i < 2; i++) {
		struct llms_history *h = NULL;
		struct llms_error *err = NULL;
		int ret = llms_history_open(&h, path, flags[i], &err);

		if (ret != -want_errno || !err || !strstr(err->msg, what) ||
		    !strstr(err->msg, path) || h) {
			fprintf(stderr, "# open flags %u: %d '%s'\n", flags[i],
				ret, err ? err->msg : "(no error)");
			ok = 0;
		}
		llms_error_free(&err);
		llms_history_close(h);
	}
	return ok;
}

TEST_F(hist, a_file_that_is_not_a_history_is_refused_and_left_alone)
{
	char text[] = "this is a text file, not a database\n";
	char junk[8192], back[8192];
	uint64_t seed = 12345;
	struct stat sb;
	int fd;

	write_file(self->path, text, sizeof(text) - 1);
	EXPECT_TRUE(both_refused(self->path, EBADMSG,
				 "is not an llmsched history database"));
	ASSERT_EQ(0, stat(self->path, &sb));
	EXPECT_EQ(sizeof(text) - 1, sb.st_size);

	for (size_t i = 0; i < sizeof(junk); i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		junk[i] = seed >> 56;
	}
	write_file(self->path, junk, sizeof(junk));
	EXPECT_TRUE(both_refused(self->path, EBADMSG,
				 "is not an llmsched history database"));
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(sizeof(back), read(fd, back, sizeof(back)));
	close(fd);
	EXPECT_EQ(0, memcmp(junk, back, sizeof(junk)));

	/* Another program's SQLite database. */
	unlink(self->path);
	ASSERT_EQ(SQLITE_OK, raw_sql(self->path,
				     "CREATE TABLE notes (t TEXT);"));
	EXPECT_TRUE(both_refused(self->path, EBADMSG,
				 "is not an llmsched history database"));

	/* A folder. */
	unlink(self->path);
	ASSERT_EQ(0, mkdir(self->path, 0755));
	EXPECT_TRUE(both_refused(self->path, EISDIR,
				 "is not an llmsched history database (it is a folder)"));

	/* Not a regular file. */
	ASSERT_EQ(0, rmdir(self->path));
	ASSERT_EQ(0, mkfifo(self->path, 0600));
	EXPECT_TRUE(both_refused(self->path, EBADMSG,
				 "(it is not a regular file)"));
}

TEST_F(hist, an_empty_file_is_no_history_to_a_reader_and_new_to_a_writer)
{
	struct llms_history *ro = NULL;
	struct llms_error *err = NULL;

	write_file(self->path, "", 0);
	EXPECT_EQ(-EBADMSG, llms_history_open(&ro, self->path,
					      LLMS_HISTORY_READONLY, &err));
	ASSERT_NE(NULL, err);
	EXPECT_EQ(LLMS_HISTORY_NOT_HISTORY, err->code);
	EXPECT_NE(NULL, strstr(err->msg,
			       "is not an llmsched history database (it is empty)"));
	llms_error_free(&err);
	EXPECT_EQ(NULL, ro);

	/* A writer gives it the schema: one that died just after creating it. */
	OPEN_WRITER();
	EXPECT_EQ(0, count_rows(self->h, NULL));
	ASSERT_EQ(0, llms_history_open(&ro, self->path, LLMS_HISTORY_READONLY,
				       &err));
	llms_history_close(ro);
}

/*
 * A version 1 file (no gpu_names column): a reader reads its rows with
 * no GPUs; the first writer adds the column, and its rows keep theirs.
 */
TEST_F(hist, a_version_1_file_is_read_and_then_brought_up_to_date)
{
	struct llms_history *ro = NULL;
	struct llms_error *err = NULL;
	struct llms_history_row r;
	static struct collected c;

	OPEN_WRITER();
	make_row(&r, 1);
	RECORD(&r);
	llms_history_close(self->h);
	self->h = NULL;
	ASSERT_EQ(SQLITE_OK, raw_sql(self->path,
				     "ALTER TABLE tasks DROP COLUMN gpu_names;"
				     "PRAGMA user_version=1"));
	ASSERT_EQ(0, llms_history_open(&ro, self->path, LLMS_HISTORY_READONLY,
				       &err));
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(1, llms_history_query(ro, NULL, collect, &c, &err));
	EXPECT_EQ(1, c.rows[0].task_id);
	EXPECT_STREQ("", c.rows[0].gpus);
	llms_history_close(ro);

	OPEN_WRITER();
	make_row(&r, 3);
	RECORD(&r);
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(2, llms_history_query(self->h, NULL, collect, &c, &err));
	/* Newest first. */
	EXPECT_EQ(3, c.rows[0].task_id);
	EXPECT_STREQ("gpu3,gpu4", c.rows[0].gpus);
	EXPECT_STREQ("", c.rows[1].gpus);
	llms_history_close(self->h);
	self->h = NULL;
	/* It is version 2 now: a reader reads the column itself. */
	ASSERT_EQ(0, llms_history_open(&ro, self->path, LLMS_HISTORY_READONLY,
				       &err));
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(2, llms_history_query(ro, NULL, collect, &c, &err));
	EXPECT_STREQ("gpu3,gpu4", c.rows[0].gpus);
	llms_history_close(ro);
}

TEST_F(hist, a_newer_schema_is_refused)
{
	struct llms_history *ro = NULL;
	struct llms_error *err = NULL;
	struct llms_history_row r;

	OPEN_WRITER();
	make_row(&r, 1);
	RECORD(&r);
	llms_history_close(self->h);
	self->h = NULL;
	ASSERT_EQ(SQLITE_OK, raw_sql(self->path, "PRAGMA user_version=3"));
	EXPECT_TRUE(both_refused(self->path, EPROTONOSUPPORT,
				 "schema is version 3, newer than this program's 2"));
	EXPECT_EQ(-EPROTONOSUPPORT, llms_history_open(&ro, self->path, 0,
						      &err));
	EXPECT_EQ(LLMS_HISTORY_NEWER_SCHEMA, err->code);
	llms_error_free(&err);

	/* Ours in all but the application id: not ours. */
	ASSERT_EQ(SQLITE_OK, raw_sql(self->path, "PRAGMA user_version=2;"
				     "PRAGMA application_id=7"));
	EXPECT_TRUE(both_refused(self->path, EBADMSG,
				 "application_id 7, user_version 2"));
	/* Back as it was: opens again, row intact. */
	{
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA application_id=%d",
			 LLMS_HISTORY_APPLICATION_ID);
		ASSERT_EQ(SQLITE_OK, raw_sql(self->path, sql));
	}
	OPEN_WRITER();
	EXPECT_EQ(1, count_rows(self->h, NULL));
}

TEST_F(hist, file_is_created_0640_and_wal_files_stay)
{
	char side[128];
	struct stat sb;
	int64_t mode;

	umask(0);
	OPEN_WRITER();
	ASSERT_EQ(0, stat(self->path, &sb));
	EXPECT_EQ(0640, sb.st_mode & 07777);
	llms_history_close(self->h);
	self->h = NULL;

	/* WAL mode is in the file: SQLite says so to anyone. */
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		ASSERT_EQ(SQLITE_OK, sqlite3_open(self->path, &db));
		ASSERT_EQ(SQLITE_OK, sqlite3_prepare_v2(db,
				"PRAGMA journal_mode", -1, &st, NULL));
		ASSERT_EQ(SQLITE_ROW, sqlite3_step(st));
		EXPECT_STREQ("wal", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		ASSERT_EQ(SQLITE_OK, sqlite3_prepare_v2(db,
				"PRAGMA application_id", -1, &st, NULL));
		ASSERT_EQ(SQLITE_ROW, sqlite3_step(st));
		mode = sqlite3_column_int64(st, 0);
		EXPECT_EQ(LLMS_HISTORY_APPLICATION_ID, mode);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}

	/* The -wal and -shm files outlive the writer, with the same mode. */
	OPEN_WRITER();
	llms_history_close(self->h);
	self->h = NULL;
	snprintf(side, sizeof(side), "%s-wal", self->path);
	ASSERT_EQ(0, stat(side, &sb));
	EXPECT_EQ(0640, sb.st_mode & 07777);
	snprintf(side, sizeof(side), "%s-shm", self->path);
	ASSERT_EQ(0, stat(side, &sb));
	EXPECT_EQ(0640, sb.st_mode & 07777);

	/* An existing file keeps its mode. */
	ASSERT_EQ(0, chmod(self->path, 0600));
	OPEN_WRITER();
	ASSERT_EQ(0, stat(self->path, &sb));
	EXPECT_EQ(0600, sb.st_mode & 07777);
}

/* A child's body: write rows @first .. @first + @n - 1; 0 on success. */
static int write_rows(const char *path, uint64_t first, uint64_t n, int go)
{
	struct llms_history *h = NULL;
	struct llms_error *err = NULL;
	struct llms_history_row r;
	char c;

	/* Wait for the start, so that both open the new file at once. */
	if (read(go, &c, 1) != 0)
		return 10;
	if (llms_history_open(&h, path, 0, &err) < 0) {
		llms_error_print(stderr, "# child open", err);
		return 11;
	}
	for (uint64_t i = first; i < first + n; i++) {
		make_row(&r, i);
		if (llms_history_record(h, &r, &err) != 1) {
			llms_error_print(stderr, "# child record", err);
			return 12;
		}
	}
	llms_history_close(h);
	return 0;
}

TEST_F(hist, two_processes_write_500_rows_each_at_once)
{
	struct llms_history_filter f = { 0 };
	struct llms_history_row r;
	struct collected c = { 0 };
	struct llms_error *err = NULL;
	pid_t pids[2];
	int go[2], status;

	/* The file does not exist yet: both children race to create it. */
	ASSERT_EQ(0, pipe(go));
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			close(go[1]);
			_exit(write_rows(self->path, 1 + 500 * i, 500, go[0]));
		}
	}
	close(go[0]);
	close(go[1]); /* go */
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}

	OPEN_WRITER();
	EXPECT_EQ(1000, count_rows(self->h, NULL));
	/* Spot checks: each child's first and last row, every field. */
	for (uint64_t id = 1; id <= 1000; id += 499) {
		make_row(&r, id);
		memset(&c, 0, sizeof(c));
		f.since_ns = r.end_ns;
		f.until_ns = r.end_ns + 1;
		ASSERT_EQ(1, llms_history_query(self->h, &f, collect, &c,
						&err));
		EXPECT_EQ(0, memcmp(&r, &c.rows[0], sizeof(r)));
	}
}

struct seen {
	uint64_t *ids;
	size_t n;
	uint8_t *found;
	uint64_t max;
};

static int mark(const struct llms_history_row *r, void *arg)
{
	struct seen *s = arg;

	if (r->task_id <= s->max)
		s->found[r->task_id] = 1;
	return 0;
}

TEST_F(hist, a_writer_killed_mid_stream_loses_no_recorded_row)
{
	struct llms_history *ro = NULL;
	struct llms_error *err = NULL;
	struct seen s = { 0 };
	size_t cap = 1 << 16;
	uint64_t id, rows;
	int pfd[2], status;
	pid_t pid;
	ssize_t got;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct llms_history *h = NULL;
		struct llms_history_row r;

		close(pfd[0]);
		if (llms_history_open(&h, self->path, 0, &err) < 0)
			_exit(11);
		for (id = 1;; id++) {
			make_row(&r, id);
			if (llms_history_record(h, &r, &err) != 1)
				_exit(12);
			/* Only what record() reported is announced. */
			if (write(pfd[1], &id, sizeof(id)) != sizeof(id))
				_exit(13);
		}
	}
	close(pfd[1]);
	s.ids = calloc(cap, sizeof(*s.ids));
	ASSERT_NE(NULL, s.ids);
	while (s.n < 300) {
		got = read(pfd[0], &s.ids[s.n], sizeof(id));
		ASSERT_EQ(sizeof(id), got);
		s.n++;
	}
	/* Mid-stream: the child is inside its next record() or write(). */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	while (s.n < cap &&
	       (got = read(pfd[0], &s.ids[s.n], sizeof(id))) == sizeof(id))
		s.n++;
	close(pfd[0]);
	for (size_t i = 0; i < s.n; i++)
		ASSERT_EQ(i + 1, s.ids[i]);

	/* A reader opens what the dead writer left, before any writer. */
	ASSERT_EQ(0, llms_history_open(&ro, self->path, LLMS_HISTORY_READONLY,
				       &err));
	s.max = s.n + 16;
	s.found = calloc(s.max + 1, 1);
	ASSERT_NE(NULL, s.found);
	ASSERT_LE(0, llms_history_query(ro, NULL, mark, &s, &err));
	for (size_t i = 0; i < s.n; i++)
		EXPECT_EQ(1, s.found[s.ids[i]]);
	rows = count_rows(ro, NULL);
	/* Every reported row, and at most the one in flight besides. */
	EXPECT_LE(s.n, rows);
	EXPECT_GE(s.n + 1, rows);
	llms_history_close(ro);

	/* A writer carries on after it, and the file is sound. */
	OPEN_WRITER();
	{
		struct llms_history_row r;

		make_row(&r, rows + 1);
		RECORD(&r);
	}
	EXPECT_EQ(rows + 1, count_rows(self->h, NULL));
	llms_history_close(self->h);
	self->h = NULL;
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		ASSERT_EQ(SQLITE_OK, sqlite3_open(self->path, &db));
		ASSERT_EQ(SQLITE_OK, sqlite3_prepare_v2(db,
				"PRAGMA integrity_check", -1, &st, NULL));
		ASSERT_EQ(SQLITE_ROW, sqlite3_step(st));
		EXPECT_STREQ("ok", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	free(s.found);
	free(s.ids);
}

TEST_F(hist, a_writer_held_off_past_the_timeout_gets_ebusy)
{
	struct llms_error *err = NULL;
	struct llms_history_row r;
	sqlite3 *db = NULL;

	OPEN_WRITER();
	/* Another writer holds the write lock for longer than the wait. */
	ASSERT_EQ(SQLITE_OK, sqlite3_open(self->path, &db));
	ASSERT_EQ(SQLITE_OK, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
					  NULL));
	make_row(&r, 1);
	EXPECT_EQ(-EBUSY, llms_history_record(self->h, &r, &err));
	ASSERT_NE(NULL, err);
	EXPECT_EQ(LLMS_HISTORY_BUSY, err->code);
	EXPECT_NE(NULL, strstr(err->msg, "recording task 1 in"));
	llms_error_free(&err);
	ASSERT_EQ(SQLITE_OK, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL));
	sqlite3_close(db);
	/* Nothing was recorded, and the same row goes in now. */
	EXPECT_EQ(0, count_rows(self->h, NULL));
	RECORD(&r);
}

/* As uid/gid 65534 (nobody), with @gid as its group: open and count. */
static int count_as_nobody(const char *path, gid_t gid)
{
	struct llms_history *h = NULL;
	struct llms_error *err = NULL;
	uint64_t n = 0;
	int ret;

	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(65534, 65534, 65534))
		return 100;
	ret = llms_history_open(&h, path, LLMS_HISTORY_READONLY, &err);
	if (ret < 0) {
		ret = err->errnum;
		llms_error_free(&err);
		return ret;
	}
	if (llms_history_count(h, NULL, &n, &err) < 0) {
		llms_error_print(stderr, "# count as nobody", err);
		return 101;
	}
	llms_history_close(h);
	return n == 1 ? 0 : 102;
}

TEST_F(hist, the_group_may_read_others_may_not)
{
	struct llms_history_row r;
	char side[128];
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	OPEN_WRITER();
	make_row(&r, 1);
	RECORD(&r);
	llms_history_close(self->h);
	self->h = NULL;
	/* The folder is not writable to nobody: no new -shm can be made. */
	ASSERT_EQ(0, chmod(self->dir, 0755));
	ASSERT_EQ(0, chown(self->path, 0, 65534));
	snprintf(side, sizeof(side), "%s-wal", self->path);
	ASSERT_EQ(0, chown(side, 0, 65534));
	snprintf(side, sizeof(side), "%s-shm", self->path);
	ASSERT_EQ(0, chown(side, 0, 65534));

	/* In the file's group: reads, through the kept WAL files. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(count_as_nobody(self->path, 65534));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Another group: EACCES. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(count_as_nobody(self->path, 65533));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EACCES, WEXITSTATUS(status));
}

TEST(set_command_joins_cuts_and_cleans)
{
	struct llms_history_row r;
	const char *plain[] = { "python3", "-m", "agent", "run", NULL };
	const char *odd[] = { "echo", "a\nb", "\xc3\xa9", NULL };
	const char *none[] = { NULL };
	char big[400];
	const char *longer[] = { "x", big, NULL };

	memset(&r, 'z', sizeof(r));
	llms_history_set_command(&r, plain);
	EXPECT_STREQ("python3 -m agent run", r.command);
	llms_history_set_command(&r, odd);
	EXPECT_STREQ("echo a?b ??", r.command);
	llms_history_set_command(&r, none);
	EXPECT_STREQ("", r.command);
	llms_history_set_command(&r, NULL);
	EXPECT_STREQ("", r.command);

	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	llms_history_set_command(&r, longer);
	EXPECT_EQ(sizeof(r.command) - 1, strlen(r.command));
	EXPECT_EQ(0, strncmp(r.command, "x bbb", 5));
	EXPECT_STREQ("...", r.command + sizeof(r.command) - 4);

	/* Exactly full is not cut; one more argument is. */
	memset(big, 'b', sizeof(r.command) - 3);
	big[sizeof(r.command) - 3] = '\0';
	llms_history_set_command(&r, longer);
	EXPECT_EQ(sizeof(r.command) - 1, strlen(r.command));
	EXPECT_EQ('b', r.command[sizeof(r.command) - 2]);
	{
		const char *more[] = { "x", big, "y", NULL };

		llms_history_set_command(&r, more);
		EXPECT_STREQ("...", r.command + sizeof(r.command) - 4);
	}
}

TEST_HARNESS_MAIN
