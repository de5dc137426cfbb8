// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched's ioctl numbers against the kernel's register of them
 * (Documentation/userspace-api/ioctl/ioctl-number.rst, from linux-source-6.1):
 * no registered driver uses a (code, number) pair of ours, and ours are
 * distinct and of our code.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/llmsched.h>

#include "kselftest_harness.h"

#ifndef IOCTL_NUMBER_RST
#error "IOCTL_NUMBER_RST names the kernel's ioctl-number.rst"
#endif

#define IOC(name) { #name, LLMSCHED_IOC_##name }
static const struct {
	const char *name;
	unsigned long cmd;
} our_ioctls[] = {
	IOC(VERSION), IOC(SUBMIT), IOC(SUBMIT_BATCH), IOC(CANCEL),
	IOC(TASK_QUERY), IOC(TASK_WAIT), IOC(TASK_LIST), IOC(GET_CAPACITY),
	IOC(GET_POLICY), IOC(GET_ESTIMATOR), IOC(GET_LIMITS),
	IOC(AGENT_REGISTER), IOC(AGENT_FETCH), IOC(AGENT_START),
	IOC(AGENT_COMPLETE), IOC(AGENT_HEARTBEAT), IOC(AGENT_UNREGISTER),
	IOC(AGENT_CONTROL), IOC(AGENT_CONFIRM), IOC(LOAD_REPORT),
	IOC(AGENT_LIST), IOC(AGENT_DRAIN), IOC(AGENT_RESIZE),
	IOC(SET_CAPACITY), IOC(SET_POLICY), IOC(SET_ESTIMATOR),
	IOC(SET_LIMITS),
};
#define NR_OURS (sizeof(our_ioctls) / sizeof(our_ioctls[0]))

struct entry {
	unsigned int code, first, last;	/* numbers first..last of code */
	int line;
	char text[160];
};

/* "0xB7" or "'a'": the code, or -1 when the line holds no entry. */
static int parse_code(const char *s, const char **end)
{
	char *e;
	long v;

	if (s[0] == '\'' && s[1] && s[2] == '\'') {
		*end = s + 3;
		return (unsigned char)s[1];
	}
	if (strncmp(s, "0x", 2) || !isxdigit((unsigned char)s[2]))
		return -1;
	v = strtol(s, &e, 16);
	if (v < 0 || v > 0xff || (*e && !isspace((unsigned char)*e)))
		return -1;
	*end = e;
	return (int)v;
}

/*
 * "all", "NN", "NN-MM" (hexadecimal); anything else ("many", "00-1F
 * conflict" notes, a blank column) is taken as all of the code: a
 * collision this test cannot rule out counts as one.
 */
static void parse_range(const char *s, struct entry *e)
{
	unsigned int a, b;
	int n = 0;

	while (isspace((unsigned char)*s))
		s++;
	e->first = 0;
	e->last = 0xff;
	if (sscanf(s, "%2x-%2x%n", &a, &b, &n) == 2 && n == 5 && a <= b) {
		e->first = a;
		e->last = b;
	} else if (sscanf(s, "%2x%n", &a, &n) == 1 && n == 2 &&
		   (!s[2] || isspace((unsigned char)s[2]))) {
		e->first = a;
		e->last = a;
	}
}

static int read_register(struct entry **out, size_t *nr)
{
	FILE *f = fopen(IOCTL_NUMBER_RST, "re");
	struct entry *v = NULL, *grown;
	size_t n = 0, cap = 0;
	char line[512];
	int lineno = 0, code;
	const char *rest;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		code = parse_code(line, &rest);
		if (code < 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				free(v);
				fclose(f);
				return -ENOMEM;
			}
			v = grown;
		}
		v[n].code = (unsigned int)code;
		v[n].line = lineno;
		parse_range(rest, &v[n]);
		line[strcspn(line, "\n")] = 0;
		line[sizeof(v[n].text) - 1] = 0;
		strcpy(v[n].text, line);
		n++;
	}
	fclose(f);
	*out = v;
	*nr = n;
	return 0;
}

TEST(register_is_read_whole)
{
	struct entry *v;
	size_t n, i;
	int seen = 0;

	ASSERT_EQ(0, read_register(&v, &n)) TH_LOG("%s", IOCTL_NUMBER_RST);
	/* 6.1 registers 265 ranges; far fewer means a format change. */
	EXPECT_LT(250, n);
	for (i = 0; i < n; i++) {
		/* Two known entries, as the parser must read them. */
		if (v[i].code == 0xB4 && v[i].first == 0 && v[i].last == 0x0f &&
		    strstr(v[i].text, "linux/gpio.h"))
			seen |= 1;
		if (v[i].code == 'a' && v[i].first == 0 && v[i].last == 0xff &&
		    strstr(v[i].text, "ATM"))
			seen |= 2;
	}
	EXPECT_EQ(3, seen);
	free(v);
}

TEST(no_registered_ioctl_shares_our_numbers)
{
	struct entry *v;
	size_t n, i, k;

	ASSERT_EQ(0, read_register(&v, &n));
	for (i = 0; i < n; i++) {
		if (v[i].code != LLMSCHED_IOCTL_MAGIC ||
		    strstr(v[i].text, "linux/llmsched.h"))
			continue;
		for (k = 0; k < NR_OURS; k++) {
			unsigned int nr = _IOC_NR(our_ioctls[k].cmd);

			EXPECT_FALSE(nr >= v[i].first && nr <= v[i].last)
				TH_LOG("LLMSCHED_IOC_%s (%#x, %#x) collides with line %d: %s",
				       our_ioctls[k].name, LLMSCHED_IOCTL_MAGIC,
				       nr, v[i].line, v[i].text);
		}
	}
	free(v);
}

TEST(our_numbers_are_distinct_and_ours)
{
	size_t i, k;

	for (i = 0; i < NR_OURS; i++) {
		EXPECT_EQ(LLMSCHED_IOCTL_MAGIC, _IOC_TYPE(our_ioctls[i].cmd))
			TH_LOG("%s", our_ioctls[i].name);
		/* Sizes travel in the argument: no size or direction bits. */
		EXPECT_EQ(0U, _IOC_SIZE(our_ioctls[i].cmd));
		EXPECT_EQ((unsigned int)_IOC_NONE, _IOC_DIR(our_ioctls[i].cmd));
		for (k = i + 1; k < NR_OURS; k++)
			EXPECT_NE(our_ioctls[i].cmd, our_ioctls[k].cmd)
				TH_LOG("entries %zu and %zu", i, k);
	}
}

TEST_HARNESS_MAIN
