// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for llmctl's pure parts (tools/llmctl/common.c, output.c):
 * what --state and --user accept and refuse, tags shown by the runtime
 * configuration's names (and bit numbers without one), durations rounded
 * for a table, the runtime's estimator.json read back, and tables aligned
 * with numbers to the right and the last column unpadded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../tools/llmctl/common.h"

#define S(x) (1U << LLMSCHED_TASK_##x)

TEST(states_one_or_a_list)
{
	const char *bad = NULL;
	uint32_t m = 0;

	ASSERT_EQ(0, llmctl_parse_states("running", &m, &bad));
	EXPECT_EQ(S(RUNNING), m);
	m = 0;
	ASSERT_EQ(0, llmctl_parse_states("queued,runnable,frozen", &m, &bad));
	EXPECT_EQ(S(QUEUED) | S(RUNNABLE) | S(FROZEN), m);
	/* Repeated --state adds to the set. */
	ASSERT_EQ(0, llmctl_parse_states("cancelled", &m, &bad));
	EXPECT_EQ(S(QUEUED) | S(RUNNABLE) | S(FROZEN) | S(CANCELLED), m);
	m = 0;
	ASSERT_EQ(0, llmctl_parse_states("ended", &m, &bad));
	EXPECT_EQ(S(SUCCEEDED) | S(FAILED) | S(CANCELLED), m);
	m = 0;
	ASSERT_EQ(0, llmctl_parse_states("active", &m, &bad));
	EXPECT_EQ(S(QUEUED) | S(RUNNABLE) | S(ASSIGNED) | S(RUNNING) |
		  S(STOPPING) | S(FROZEN), m);
	EXPECT_EQ(LLMCTL_STATES_ALL, LLMCTL_STATES_ACTIVE | LLMCTL_STATES_ENDED);
}

TEST(states_refused_with_the_bad_word)
{
	static const char *const lists[] = {
		"", "run", "running,", ",running", "running,,queued",
		"Running", "running queued", "done",
	};
	const char *bad;
	uint32_t m;
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		m = 0;
		bad = NULL;
		EXPECT_EQ(-1, llmctl_parse_states(lists[i], &m, &bad))
			TH_LOG("'%s'", lists[i]);
		EXPECT_NE(NULL, bad);
	}
	m = 0;
	ASSERT_EQ(-1, llmctl_parse_states("queued,bogus", &m, &bad));
	EXPECT_STREQ("bogus", bad);
}

TEST(users_by_name_or_number)
{
	uid_t uid = 12345;

	ASSERT_EQ(0, llmctl_parse_user("root", &uid));
	EXPECT_EQ(0, uid);
	ASSERT_EQ(0, llmctl_parse_user("4242", &uid));
	EXPECT_EQ(4242, uid);
	EXPECT_EQ(-1, llmctl_parse_user("", &uid));
	EXPECT_EQ(-1, llmctl_parse_user("-1", &uid));
	EXPECT_EQ(-1, llmctl_parse_user("12x", &uid));
	EXPECT_EQ(-1, llmctl_parse_user("4294967295", &uid));
	EXPECT_EQ(-1, llmctl_parse_user("no-such-user-xyz", &uid));
	EXPECT_STREQ("root", llmctl_user_name(0));
	/* A uid without a name is its number. */
	EXPECT_STREQ("4000000000", llmctl_user_name(4000000000U));
}

TEST(on_off)
{
	bool on;

	ASSERT_EQ(0, llmctl_parse_on_off("on", &on));
	EXPECT_TRUE(on);
	ASSERT_EQ(0, llmctl_parse_on_off("no", &on));
	EXPECT_FALSE(on);
	EXPECT_EQ(-1, llmctl_parse_on_off("ON", &on));
	EXPECT_EQ(-1, llmctl_parse_on_off("2", &on));
	EXPECT_EQ(-1, llmctl_parse_on_off("", &on));
}

TEST(tags_by_name_else_bit)
{
	struct llmsd_config c;
	struct llms_error *err = NULL;
	char buf[256];
	struct json_object *a;

	llmsd_config_init(&c);
	llmctl_format_tags(NULL, 0, buf, sizeof(buf));
	EXPECT_STREQ("-", buf);
	llmctl_format_tags(NULL, (1ULL << 3) | (1ULL << 63), buf, sizeof(buf));
	EXPECT_STREQ("bit3,bit63", buf);
	ASSERT_EQ(0, llmsd_config_set(&c, "tags.fast=3", &err));
	ASSERT_EQ(0, llmsd_config_set(&c, "tags.h200=0", &err));
	llmctl_format_tags(&c, (1ULL << 0) | (1ULL << 3) | (1ULL << 5), buf,
			   sizeof(buf));
	EXPECT_STREQ("h200,fast,bit5", buf);
	/* Cut short, still terminated. */
	llmctl_format_tags(&c, (1ULL << 0) | (1ULL << 3), buf, 6);
	EXPECT_STREQ("h200,", buf);
	a = llmctl_json_tags(&c, (1ULL << 3) | (1ULL << 7));
	EXPECT_STREQ("[\"fast\",\"bit7\"]", json_object_to_json_string_ext(a,
		     JSON_C_TO_STRING_PLAIN));
	json_object_put(a);
	llmsd_config_free(&c);
}

TEST(resources_and_ages)
{
	__u64 v[LLMSCHED_RES_MAX] = { 1500, 3ULL << 29, 2, 0 };
	struct json_object *o;
	char buf[LLMS_UNITS_BUF];

	llmctl_format_res(LLMSCHED_RES_CPU, 1500, buf, sizeof(buf));
	EXPECT_STREQ("1.5", buf);
	llmctl_format_res(LLMSCHED_RES_MEM, 3ULL << 29, buf, sizeof(buf));
	EXPECT_STREQ("1.5G", buf);
	/* Tables take llms_format_bytes_short()'s form (tested with it). */
	llmctl_format_res(LLMSCHED_RES_MEM, 1855298765, buf, sizeof(buf));
	EXPECT_STREQ("1.7G", buf);
	llmctl_format_res(LLMSCHED_RES_GPU_MEM, 80ULL << 30, buf, sizeof(buf));
	EXPECT_STREQ("80G", buf);
	llmctl_format_res(LLMSCHED_RES_GPU, 2, buf, sizeof(buf));
	EXPECT_STREQ("2", buf);
	o = llmctl_json_res(v);
	EXPECT_STREQ("{\"cpu_mcpu\":1500,\"mem_bytes\":1610612736,\"gpu\":2,"
		     "\"gpu_mem_bytes\":0}",
		     json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);

	llmctl_format_age(0, true, buf, sizeof(buf));
	EXPECT_STREQ("-", buf);
	llmctl_format_age(0, false, buf, sizeof(buf));
	EXPECT_STREQ("0s", buf);
	llmctl_format_age(1234567, false, buf, sizeof(buf));
	EXPECT_STREQ("1ms", buf);
	llmctl_format_age(1500400000ULL, false, buf, sizeof(buf));
	EXPECT_STREQ("1.5s", buf);
	llmctl_format_age(42600000000ULL, false, buf, sizeof(buf));
	EXPECT_STREQ("43s", buf);
	llmctl_format_age(7200ULL * 1000000000ULL, false, buf, sizeof(buf));
	EXPECT_STREQ("2h", buf);
	llmctl_format_age(999, false, buf, sizeof(buf));
	EXPECT_STREQ("999ns", buf);
}

TEST(names_of_policies_and_choices)
{
	EXPECT_STREQ("prio_fifo", llmctl_policy_name(LLMSCHED_POLICY_PRIO_FIFO));
	EXPECT_STREQ("drf", llmctl_policy_name(LLMSCHED_POLICY_DRF));
	EXPECT_STREQ("?", llmctl_policy_name(99));
	EXPECT_STREQ("best_fit", llmctl_choice_name(LLMSCHED_CHOICE_BEST_FIT));
	EXPECT_STREQ("?", llmctl_choice_name(7));
}

TEST(estimator_state_file)
{
	char dir[] = "/tmp/unit-llmctl-XXXXXX", path[128];
	struct llmctl_est_state st;
	struct llmsd_config c;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	llmsd_config_init(&c);
	snprintf(c.state_dir, sizeof(c.state_dir), "%s", dir);
	llmctl_est_state(&c, &st);
	EXPECT_FALSE(st.found);
	snprintf(path, sizeof(path), "%s/estimator.json", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("{\"features\": 2, \"samples\": 340, \"window\": 100, "
	      "\"mae_ns\": 1234.5, \"coefficients_ns\": [1, 2, 3], "
	      "\"updated\": 1700000000}\n", f);
	fclose(f);
	llmctl_est_state(&c, &st);
	EXPECT_TRUE(st.found);
	EXPECT_EQ(340, st.samples);
	EXPECT_EQ(100, st.window);
	EXPECT_EQ(2, st.features);
	EXPECT_EQ(1700000000, st.updated);
	EXPECT_EQ(1234, (long)st.mae_ns);
	EXPECT_STREQ(path, st.path);
	/* A file that is not an object is not taken. */
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("[1, 2]\n", f);
	fclose(f);
	llmctl_est_state(&c, &st);
	EXPECT_FALSE(st.found);
	unlink(path);
	rmdir(dir);
	llmsd_config_free(&c);
}

TEST(tables_align)
{
	static const struct llmctl_column cols[] = {
		{ "ID", LLMCTL_RIGHT }, { "STATE", LLMCTL_LEFT },
		{ "LABEL", LLMCTL_LEFT },
	};
	const char *r1[] = { "7", "running", "a" };
	const char *r2[] = { "1234", "queued", "a longer label" };
	struct llmctl_table t;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ASSERT_NE(NULL, f);
	llmctl_table_init(&t, cols, 3);
	ASSERT_EQ(0, llmctl_table_add(&t, r1));
	ASSERT_EQ(0, llmctl_table_add(&t, r2));
	llmctl_table_print(&t, f);
	llmctl_table_free(&t);
	fclose(f);
	EXPECT_STREQ("  ID  STATE    LABEL\n"
		     "   7  running  a\n"
		     "1234  queued   a longer label\n", text);
	free(text);
}

/* The direct writer gives json-c's document, byte for byte. */
TEST(task_json_writer_matches_the_tree)
{
	struct llmsched_task_info t[3];
	struct llms_error *err = NULL;
	struct llmsd_config c;
	struct timespec a, b, d;
	double tree_us, direct_us;
	FILE *null;
	int i, k;

	llmsd_config_init(&c);
	ASSERT_EQ(0, llmsd_config_set(&c, "tags.fast=3", &err));
	memset(t, 0, sizeof(t));
	t[0].task_id = 1;
	t[0].state = LLMSCHED_TASK_RUNNABLE;
	t[0].wait = LLMSCHED_WAIT_TURN;
	t[0].priority = 100;
	t[0].demand[LLMSCHED_RES_CPU] = 500;
	strcpy(t[0].label, "plain");
	t[1].task_id = UINT64_MAX;
	t[1].owner_uid = 4000000000U;
	t[1].state = LLMSCHED_TASK_FAILED;
	t[1].reason = LLMSCHED_REASON_SIGNAL;
	t[1].exit_status = -9;
	t[1].submit_flags = LLMSCHED_SUBMIT_PREEMPTIBLE;
	t[1].flags = LLMSCHED_INFO_FETCHED;
	t[1].submit_ns = UINT64_MAX;
	t[1].demand[LLMSCHED_RES_MEM] = UINT64_MAX;
	t[1].tags = (1ULL << 3) | (1ULL << 9);
	strcpy(t[1].label, "q\"uo\\te/sl");
	t[2] = t[0];
	t[2].task_id = 3;
	t[2].state = 99;	/* a state this llmctl does not know: "?" */
	memset(t[2].label, 'x', sizeof(t[2].label));	/* no NUL */

	for (i = 0; i < 3; i++) {
		struct json_object *o = llmctl_task_json(&c, &t[i]);
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		ASSERT_NE(NULL, f);
		llmctl_task_json_write(f, &c, &t[i]);
		fclose(f);
		EXPECT_STREQ(json_object_to_json_string_ext(o,
			     JSON_C_TO_STRING_PLAIN |
			     JSON_C_TO_STRING_NOSLASHESCAPE), text);
		json_object_put(o);
		free(text);
	}

	/* How much the writer saves, as a figure (not asserted). */
	null = fopen("/dev/null", "w");
	ASSERT_NE(NULL, null);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (k = 0; k < 20000; k++) {
		struct json_object *o = llmctl_task_json(&c, &t[k % 2]);

		fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		      null);
		json_object_put(o);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	tree_us = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
		   (double)(b.tv_nsec - a.tv_nsec)) / 20000 / 1e3;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (k = 0; k < 20000; k++)
		llmctl_task_json_write(null, &c, &t[k % 2]);
	clock_gettime(CLOCK_MONOTONIC, &d);
	direct_us = ((double)(d.tv_sec - a.tv_sec) * 1e9 +
		     (double)(d.tv_nsec - a.tv_nsec)) / 20000 / 1e3;
	fclose(null);
	TH_LOG("per task: json-c tree %.2f us, direct %.2f us", tree_us,
	       direct_us);
	llmsd_config_free(&c);
}

TEST_HARNESS_MAIN
