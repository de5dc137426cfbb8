// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim: trace parser.  Everything is parsed and checked before anything
 * is simulated, so a bad line never leaves a partial report behind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define NS_PER_S	1000000000ULL

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "llmsim: out of memory\n");
		exit(1);
	}
	return p;
}

#define GROW(arr, n, cap) do {						\
	if ((n) >= (cap)) {						\
		(cap) = (cap) ? (cap) * 2 : 64;				\
		(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));	\
	}								\
} while (0)

void trace_init(struct trace *t)
{
	memset(t, 0, sizeof(*t));
}

void trace_free(struct trace *t)
{
	size_t i;

	for (i = 0; i < t->nusers; i++)
		free(t->users[i]);
	for (i = 0; i < t->ntags; i++)
		free(t->tags[i]);
	free(t->users);
	free(t->user_max_active);
	free(t->tasks);
	free(t->agents);
	free(t->deps);
	free(t->feats);
	free(t->hkeys);
	free(t->hvals);
	free(t->order);
	memset(t, 0, sizeof(*t));
}

static void seterr(struct trace_err *err, unsigned long line,
		   const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ id hash */

static size_t hslot(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static void hput(struct trace *t, uint64_t key, uint32_t val);

static void hgrow(struct trace *t)
{
	uint64_t *ok = t->hkeys;
	uint32_t *ov = t->hvals;
	size_t i, ocap = t->hcap;

	t->hcap = ocap ? ocap * 2 : 1024;
	t->hkeys = xrealloc(NULL, t->hcap * sizeof(*t->hkeys));
	t->hvals = xrealloc(NULL, t->hcap * sizeof(*t->hvals));
	memset(t->hvals, 0xff, t->hcap * sizeof(*t->hvals));
	for (i = 0; i < ocap; i++)
		if (ov[i] != UINT32_MAX)
			hput(t, ok[i], ov[i]);
	free(ok);
	free(ov);
}

static void hput(struct trace *t, uint64_t key, uint32_t val)
{
	size_t i = hslot(key, t->hcap);

	while (t->hvals[i] != UINT32_MAX)
		i = (i + 1) & (t->hcap - 1);
	t->hkeys[i] = key;
	t->hvals[i] = val;
}

long trace_find(const struct trace *t, uint64_t id)
{
	size_t i;

	if (!t->hcap)
		return -1;
	i = hslot(id, t->hcap);
	while (t->hvals[i] != UINT32_MAX) {
		if (t->hkeys[i] == id)
			return t->hvals[i];
		i = (i + 1) & (t->hcap - 1);
	}
	return -1;
}

/* ---------------------------------------------------------- numbers */

/*
 * Parse a non-negative decimal "123", "1.5" into an integer count of
 * 1/10^@digits units, exactly.  Return the end pointer or NULL.
 */
static const char *parse_dec(const char *s, unsigned int digits,
			     uint64_t *out, int *inexact)
{
	uint64_t v = 0, m = 1;
	unsigned int i, got = 0;
	const char *p = s;

	*inexact = 0;
	if (*p < '0' || *p > '9') {
		if (*p != '.' || p[1] < '0' || p[1] > '9')
			return NULL;
	}
	while (*p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return NULL;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (got < digits) {
				if (v > (UINT64_MAX - 9) / 10)
					return NULL;
				v = v * 10 + (uint64_t)(*p - '0');
				got++;
			} else if (*p != '0') {
				*inexact = 1;
			}
			p++;
		}
	}
	for (i = got; i < digits; i++) {
		if (v > UINT64_MAX / 10)
			return NULL;
		v *= 10;
	}
	(void)m;
	*out = v;
	return p;
}

static int mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
	if (b && a > UINT64_MAX / b)
		return -1;
	*out = a * b;
	return 0;
}

/* Cores: "2", "0.5", "500m".  Out: millicores. */
static int parse_cpu(const char *s, uint64_t *out)
{
	const char *e;
	uint64_t v;
	int inexact;

	e = parse_dec(s, 3, &v, &inexact);
	if (!e || inexact)
		return -1;
	if (*e == 'm') {
		/* millicores: must be an integer */
		if (v % 1000)
			return -1;
		v /= 1000;
		e++;
	}
	if (*e)
		return -1;
	*out = v;
	return 0;
}

/* Bytes with K/M/G/T (1024-based); decimals only with a suffix. */
static int parse_mem(const char *s, uint64_t *out)
{
	const char *e;
	uint64_t v, mult = 1, r;
	int inexact;

	e = parse_dec(s, 6, &v, &inexact);
	if (!e || inexact)
		return -1;
	switch (*e) {
	case 'K': case 'k':
		mult = 1ULL << 10; e++; break;
	case 'M':
		mult = 1ULL << 20; e++; break;
	case 'G': case 'g':
		mult = 1ULL << 30; e++; break;
	case 'T': case 't':
		mult = 1ULL << 40; e++; break;
	default:
		break;
	}
	if (*e == 'B')
		e++;
	if (*e)
		return -1;
	/* v is in millionths */
	if (mul_ok(v / 1000000, mult, &r))
		return -1;
	if (v % 1000000) {
		uint64_t frac = (v % 1000000) * mult;	/* < 2^40 * 1e6 */

		if (frac % 1000000)
			return -1;	/* not a whole byte */
		if (r + frac / 1000000 < r)
			return -1;
		r += frac / 1000000;
	}
	*out = r;
	return 0;
}

/* Seconds "10", "1.5", or with ms/us/ns/s suffix.  Out: nanoseconds. */
int trace_parse_time(const char *s, uint64_t *out)
{
	const char *e;
	uint64_t v;
	int inexact, div = 1;

	e = parse_dec(s, 9, &v, &inexact);
	if (!e || inexact)
		return -1;
	if (!strcmp(e, "ms"))
		div = 1000;
	else if (!strcmp(e, "us"))
		div = 1000000;
	else if (!strcmp(e, "ns"))
		div = 1000000000;
	else if (*e && strcmp(e, "s"))
		return -1;
	if (v % div)
		return -1;
	*out = v / div;
	return 0;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		      *s == '.'))
			return 0;
	return 1;
}

static long user_index(struct trace *t, const char *name, int create)
{
	size_t i;

	/* few users: linear search from the last hit is fine */
	static size_t last;

	if (last < t->nusers && !strcmp(t->users[last], name))
		return (long)last;
	for (i = 0; i < t->nusers; i++)
		if (!strcmp(t->users[i], name))
			return (long)(last = i);
	if (!create)
		return -1;
	if (t->nusers >= t->cap_users) {
		t->cap_users = t->cap_users ? t->cap_users * 2 : 16;
		t->users = xrealloc(t->users, t->cap_users * sizeof(char *));
		t->user_max_active = xrealloc(t->user_max_active,
					      t->cap_users * sizeof(uint32_t));
	}
	t->users[t->nusers] = strdup(name);
	t->user_max_active[t->nusers] = 0;
	return (long)(last = t->nusers++);
}

int trace_tag(const struct trace *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->ntags; i++)
		if (!strcmp(t->tags[i], name))
			return (int)i;
	return -1;
}

/* "a,b,c" -> mask; adds unknown tags.  Return -1 bad name, -2 too many. */
static int parse_tags(struct trace *t, const char *str, uint64_t *mask)
{
	char *s = strdup(str), *tok, *save = NULL;
	int b, rc = 0;

	*mask = 0;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!valid_name(tok)) {
			rc = -1;
			break;
		}
		b = trace_tag(t, tok);
		if (b < 0) {
			if (t->ntags >= TRACE_MAX_TAGS) {
				rc = -2;
				break;
			}
			t->tags[t->ntags] = strdup(tok);
			b = (int)t->ntags++;
		}
		*mask |= 1ULL << b;
	}
	if (!rc && !*mask)
		rc = -1;
	free(s);
	return rc;
}

/* ------------------------------------------------------------ records */

enum field {
	F_ID, F_AT, F_USER, F_PRIO, F_CPU, F_MEM, F_GPU, F_GPUMEM, F_EST,
	F_ACT, F_DEPS, F_TAGS, F_SLOTS, F_NAME, F_MAX_ACTIVE, F_FEAT, F_PREEMPT,
	F_USE, F_NR
};

static const char *const field_names[F_NR] = {
	"id", "at", "user", "prio", "cpu", "mem", "gpu", "gpumem", "est",
	"act", "deps", "tags", "slots", "name", "max_active", "feat",
	"preempt", "use",
};

#define BIT(f)	(1u << (f))
#define TASK_FIELDS	(BIT(F_ID) | BIT(F_AT) | BIT(F_USER) | BIT(F_PRIO) | \
			 BIT(F_CPU) | BIT(F_MEM) | BIT(F_GPU) | \
			 BIT(F_GPUMEM) | BIT(F_EST) | BIT(F_ACT) | \
			 BIT(F_DEPS) | BIT(F_TAGS) | BIT(F_FEAT) | \
			 BIT(F_PREEMPT) | BIT(F_USE))
#define TASK_REQUIRED	(BIT(F_ID) | BIT(F_CPU) | BIT(F_MEM))
#define AGENT_FIELDS	(BIT(F_ID) | BIT(F_CPU) | BIT(F_MEM) | BIT(F_GPU) | \
			 BIT(F_GPUMEM) | BIT(F_SLOTS) | BIT(F_TAGS))
#define AGENT_REQUIRED	(BIT(F_ID) | BIT(F_CPU) | BIT(F_MEM))
#define USER_FIELDS	(BIT(F_NAME) | BIT(F_MAX_ACTIVE))
#define USER_REQUIRED	(BIT(F_NAME))

static int field_of(const char *key)
{
	int i;

	for (i = 0; i < F_NR; i++)
		if (!strcmp(key, field_names[i]))
			return i;
	return -1;
}

#define MAX_FIELDS 32

int trace_parse_line(struct trace *t, char *line, unsigned long lineno,
		     int only_agents, struct trace_err *err)
{
	char *tok[MAX_FIELDS + 1], *p, *val[F_NR] = { 0 };
	char *raw[F_NR] = { 0 };
	unsigned int ntok = 0, i, seen = 0, allowed, required;
	const char *kind;
	int f;

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (ntok == MAX_FIELDS + 1) {
			seterr(err, lineno, "too many fields (at most %d)",
			       MAX_FIELDS);
			return -1;
		}
		tok[ntok++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		       *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (!ntok)
		return 0;

	kind = tok[0];
	if (!strcmp(kind, "task") && !only_agents) {
		allowed = TASK_FIELDS;
		required = TASK_REQUIRED;
	} else if (!strcmp(kind, "agent")) {
		allowed = AGENT_FIELDS;
		required = AGENT_REQUIRED;
	} else if (!strcmp(kind, "user") && !only_agents) {
		allowed = USER_FIELDS;
		required = USER_REQUIRED;
	} else {
		seterr(err, lineno, "unknown record '%s': expected %s", kind,
		       only_agents ? "'agent'" : "'task', 'agent' or 'user'");
		return -1;
	}

	for (i = 1; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');

		if (!eq || eq == tok[i]) {
			seterr(err, lineno,
			       "bad field '%s': expected key=value", tok[i]);
			return -1;
		}
		*eq = '\0';
		f = field_of(tok[i]);
		*eq = '=';
		if (f < 0 || !(allowed & BIT(f))) {
			seterr(err, lineno, "unknown field '%s' in %s record",
			       tok[i], kind);
			return -1;
		}
		if (seen & BIT(f)) {
			seterr(err, lineno, "field '%s=' given twice",
			       field_names[f]);
			return -1;
		}
		if (!eq[1]) {
			seterr(err, lineno, "bad field '%s': empty value",
			       tok[i]);
			return -1;
		}
		seen |= BIT(f);
		val[f] = eq + 1;
		raw[f] = tok[i];
	}
	if ((seen & required) != required) {
		for (f = 0; f < F_NR; f++)
			if ((required & BIT(f)) && !(seen & BIT(f)))
				break;
		seterr(err, lineno, "missing field '%s=' in %s record",
		       field_names[f], kind);
		return -1;
	}

#define BAD(f, why) do {						\
	seterr(err, lineno, "bad field '%s': %s", raw[f], why);	\
	return -1;							\
} while (0)

	if (kind[0] == 'u') {
		uint64_t v = 0;
		long u;

		if (!valid_name(val[F_NAME]))
			BAD(F_NAME, "must be letters, digits, '_', '-', '.'");
		if (val[F_MAX_ACTIVE] &&
		    parse_uint(val[F_MAX_ACTIVE], UINT32_MAX, &v))
			BAD(F_MAX_ACTIVE, "must be a whole number (0: no limit)");
		u = user_index(t, val[F_NAME], 1);
		t->user_max_active[u] = (uint32_t)v;
		return 0;
	}

	if (kind[0] == 'a') {
		struct sim_agent a = { 0 };
		uint64_t v;
		size_t j;

		if (parse_uint(val[F_ID], UINT32_MAX, &a.id))
			BAD(F_ID, "must be an integer 0..4294967295");
		for (j = 0; j < t->nagents; j++)
			if (t->agents[j].id == a.id) {
				seterr(err, lineno,
				       "duplicate agent id %llu (first on line %u)",
				       (unsigned long long)a.id,
				       t->agents[j].line);
				return -1;
			}
		if (parse_cpu(val[F_CPU], &a.cpu) || !a.cpu)
			BAD(F_CPU, "must be a positive number of cores (2, 0.5 or 500m)");
		if (parse_mem(val[F_MEM], &a.mem) || !a.mem)
			BAD(F_MEM, "must be a positive size in bytes (8G, 512M, 1.5G)");
		if (val[F_GPU]) {
			if (parse_uint(val[F_GPU], 1024, &v))
				BAD(F_GPU, "must be a whole number of GPUs, 0..1024");
			a.gpu = (uint32_t)v;
		}
		if (val[F_GPUMEM] && parse_mem(val[F_GPUMEM], &a.gpumem))
			BAD(F_GPUMEM, "must be a size in bytes (80G)");
		a.slots = 1;
		if (val[F_SLOTS]) {
			if (parse_uint(val[F_SLOTS], 1024, &v) || !v)
				BAD(F_SLOTS, "must be a whole number, 1..1024");
			a.slots = (uint32_t)v;
		}
		if (val[F_TAGS]) {
			int rc = parse_tags(t, val[F_TAGS], &a.tags);

			if (rc == -1)
				BAD(F_TAGS, "must be comma-separated names");
			if (rc == -2)
				BAD(F_TAGS, "too many distinct tags (at most 64)");
		}
		a.line = (uint32_t)lineno;
		GROW(t->agents, t->nagents, t->cap_agents);
		t->agents[t->nagents++] = a;
		return 0;
	}

	{
		struct sim_task k = { .prio = TRACE_DEFAULT_PRIO,
				      .use = TRACE_USE_ONE };
		uint64_t v;
		long idx, u;
		size_t dstart = t->ndeps;

		if (parse_uint(val[F_ID], UINT64_MAX, &k.id))
			BAD(F_ID, "must be an unsigned integer");
		idx = trace_find(t, k.id);
		if (idx >= 0) {
			seterr(err, lineno,
			       "duplicate task id %llu (first on line %u)",
			       (unsigned long long)k.id, t->tasks[idx].line);
			return -1;
		}
		if (val[F_AT] && trace_parse_time(val[F_AT], &k.arrival))
			BAD(F_AT, "must be a time in seconds (12, 0.5, 250ms)");
		if (val[F_USER] && !valid_name(val[F_USER]))
			BAD(F_USER, "must be letters, digits, '_', '-', '.'");
		if (val[F_PRIO]) {
			if (parse_uint(val[F_PRIO], TRACE_MAX_PRIO, &v))
				BAD(F_PRIO, "must be an integer 0..255 (255 runs first)");
			k.prio = (uint32_t)v;
		}
		if (val[F_PREEMPT]) {
			if (parse_uint(val[F_PREEMPT], 1, &v))
				BAD(F_PREEMPT, "must be 0 or 1 (1: it may be frozen for a task of higher priority)");
			k.preempt = (uint32_t)v;
		}
		if (parse_cpu(val[F_CPU], &k.cpu))
			BAD(F_CPU, "must be a non-negative number of cores (2, 0.5 or 500m)");
		/* The same decimals as cpu=: thousandths of the demand. */
		if (val[F_USE] && (parse_cpu(val[F_USE], &v) || !v ||
				   v > TRACE_USE_MAX))
			BAD(F_USE, "must be the CPU used over the CPU demanded, 0.001..64 (1.5: half again as much)");
		if (val[F_USE])
			k.use = (uint32_t)v;
		if (parse_mem(val[F_MEM], &k.mem))
			BAD(F_MEM, "must be a size in bytes (4G, 512M, 1.5G)");
		if (val[F_GPU]) {
			if (parse_uint(val[F_GPU], 1024, &v))
				BAD(F_GPU, "must be a whole number of GPUs, 0..1024");
			k.gpu = (uint32_t)v;
		}
		if (val[F_GPUMEM] && parse_mem(val[F_GPUMEM], &k.gpumem))
			BAD(F_GPUMEM, "must be a size in bytes (16G)");
		if (!val[F_EST] && !val[F_FEAT]) {
			seterr(err, lineno,
			       "missing field 'est=' in task record (or 'feat=' to have it estimated)");
			return -1;
		}
		if (val[F_EST] &&
		    (trace_parse_time(val[F_EST], &k.est) || !k.est))
			BAD(F_EST, "must be a positive time in seconds (10, 0.5, 250ms)");
		k.act = k.est;
		if (!val[F_EST] && !val[F_ACT]) {
			seterr(err, lineno,
			       "missing field 'act=' in task record: without 'est=' the run time must be given");
			return -1;
		}
		if (val[F_ACT] && (trace_parse_time(val[F_ACT], &k.act) || !k.act))
			BAD(F_ACT, "must be a positive time in seconds (10, 0.5, 250ms)");
		if (val[F_FEAT]) {
			char *fe, *save = NULL, *copy = strdup(val[F_FEAT]);
			size_t fstart = t->nfeats;

			for (fe = strtok_r(copy, ",", &save); fe;
			     fe = strtok_r(NULL, ",", &save)) {
				if (parse_uint(fe, UINT64_MAX, &v) ||
				    t->nfeats - fstart == TRACE_MAX_FEATURES) {
					free(copy);
					t->nfeats = fstart;
					BAD(F_FEAT, "must be at most 8 comma-separated whole numbers");
				}
				GROW(t->feats, t->nfeats, t->cap_feats);
				t->feats[t->nfeats++] = v;
			}
			free(copy);
			if (t->nfeats == fstart)
				BAD(F_FEAT, "must be at most 8 comma-separated whole numbers");
			k.feat_off = (uint32_t)fstart;
			k.nfeat = (uint32_t)(t->nfeats - fstart);
			if (k.nfeat > t->max_nfeat)
				t->max_nfeat = k.nfeat;
		}
		if (val[F_DEPS]) {
			char *d, *save = NULL, *copy = strdup(val[F_DEPS]);

			for (d = strtok_r(copy, ",", &save); d;
			     d = strtok_r(NULL, ",", &save)) {
				long di;

				if (parse_uint(d, UINT64_MAX, &v)) {
					free(copy);
					BAD(F_DEPS, "must be comma-separated task ids");
				}
				if (v == k.id) {
					free(copy);
					BAD(F_DEPS, "a task cannot depend on itself");
				}
				di = trace_find(t, v);
				if (di < 0) {
					seterr(err, lineno,
					       "bad field '%s': task %llu is not defined on an earlier line",
					       raw[F_DEPS],
					       (unsigned long long)v);
					free(copy);
					t->ndeps = dstart;
					return -1;
				}
				if (t->tasks[di].arrival > k.arrival) {
					seterr(err, lineno,
					       "bad field '%s': task %llu arrives after this one",
					       raw[F_DEPS],
					       (unsigned long long)v);
					free(copy);
					t->ndeps = dstart;
					return -1;
				}
				GROW(t->deps, t->ndeps, t->cap_deps);
				t->deps[t->ndeps++] = (uint32_t)di;
			}
			free(copy);
			if (t->ndeps == dstart)
				BAD(F_DEPS, "must be comma-separated task ids");
		}
		if (val[F_TAGS]) {
			int rc = parse_tags(t, val[F_TAGS], &k.tags);

			if (rc) {
				t->ndeps = dstart;
				if (rc == -1)
					BAD(F_TAGS, "must be comma-separated names");
				BAD(F_TAGS, "too many distinct tags (at most 64)");
			}
		}
		u = user_index(t, val[F_USER] ? val[F_USER] : "default", 1);
		k.user = (uint32_t)u;
		k.dep_off = (uint32_t)dstart;
		k.ndeps = (uint32_t)(t->ndeps - dstart);
		k.line = (uint32_t)lineno;
		if (t->ntasks >= UINT32_MAX - 1) {
			seterr(err, lineno, "too many tasks");
			return -1;
		}
		GROW(t->tasks, t->ntasks, t->cap_tasks);
		if (2 * (t->ntasks + 1) > t->hcap)
			hgrow(t);
		hput(t, k.id, (uint32_t)t->ntasks);
		t->tasks[t->ntasks++] = k;
	}
#undef BAD
	return 0;
}

static void set_file(struct trace_err *err, const char *name)
{
	snprintf(err->file, sizeof(err->file), "%s", name);
}

int trace_parse_file(struct trace *t, const char *path, int only_agents,
		     struct trace_err *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	set_file(err, strcmp(path, "-") ? path : "<stdin>");
	if (!f) {
		seterr(err, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		rc = trace_parse_line(t, line, lineno, only_agents, err);
		if (rc)
			break;
	}
	if (!rc && ferror(f)) {
		seterr(err, lineno, "read error: %s", strerror(errno));
		rc = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

int trace_parse_string(struct trace *t, const char *name, const char *text,
		       int only_agents, struct trace_err *err)
{
	unsigned long lineno = 0;
	const char *p = text, *nl;
	char *buf;
	int rc = 0;

	set_file(err, name);
	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		buf = strndup(p, (size_t)(nl - p));
		lineno++;
		rc = trace_parse_line(t, buf, lineno, only_agents, err);
		free(buf);
		if (rc)
			return rc;
		p = *nl ? nl + 1 : nl;
	}
	return 0;
}

/* ------------------------------------------------------------ finish */

static const struct sim_task *sort_base;

static int cmp_arrival(const void *a, const void *b)
{
	const struct sim_task *x = &sort_base[*(const uint32_t *)a];
	const struct sim_task *y = &sort_base[*(const uint32_t *)b];

	if (x->arrival != y->arrival)
		return x->arrival < y->arrival ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int fits(const struct sim_task *k, const struct sim_agent *a)
{
	return k->cpu <= a->cpu && k->mem <= a->mem && k->gpu <= a->gpu &&
	       k->gpumem <= a->gpumem && (k->tags & ~a->tags) == 0;
}

int trace_finish(struct trace *t, struct trace_err *err)
{
	size_t i, j;
	int sorted = 1;

	if (!t->nagents) {
		seterr(err, 0, "no agents: give 'agent' lines or --agents");
		return -1;
	}
	for (i = 0; i < t->ntasks; i++) {
		const struct sim_task *k = &t->tasks[i];

		for (j = 0; j < t->nagents; j++)
			if (fits(k, &t->agents[j]))
				break;
		if (j == t->nagents) {
			seterr(err, k->line,
			       "task %llu fits no agent (needs more cpu, mem, gpu, gpumem or tags than any agent has)",
			       (unsigned long long)k->id);
			return -1;
		}
	}
	free(t->order);
	t->order = xrealloc(NULL, (t->ntasks ? t->ntasks : 1) *
				  sizeof(*t->order));
	for (i = 0; i < t->ntasks; i++) {
		t->order[i] = (uint32_t)i;
		if (i && t->tasks[i].arrival < t->tasks[i - 1].arrival)
			sorted = 0;
	}
	if (!sorted) {
		sort_base = t->tasks;
		qsort(t->order, t->ntasks, sizeof(*t->order), cmp_arrival);
	}
	return 0;
}

void trace_fmt_time(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / NS_PER_S, frac = ns % NS_PER_S;

	if (!frac) {
		snprintf(buf, len, "%llu", (unsigned long long)s);
	} else {
		int n = snprintf(buf, len, "%llu.%09llu",
				 (unsigned long long)s,
				 (unsigned long long)frac);

		while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
			buf[--n] = '\0';
	}
}
