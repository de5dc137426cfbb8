// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim: metric helpers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

void sort_u64(uint64_t *v, size_t n)
{
	uint64_t *tmp, *src = v, *dst, *sw, or = 0;
	size_t cnt[256], i, pass, sum;

	if (n < 64) {	/* insertion sort */
		for (i = 1; i < n; i++) {
			uint64_t x = v[i];
			size_t j = i;

			while (j && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	for (i = 0; i < n; i++)
		or |= v[i];
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		abort();
	dst = tmp;
	for (pass = 0; pass < 8; pass++) {
		unsigned int sh = pass * 8;

		if (!((or >> sh) & 0xff))
			continue;
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(src[i] >> sh) & 0xff]++;
		sum = 0;
		for (i = 0; i < 256; i++) {
			size_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[(src[i] >> sh) & 0xff]++] = src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
}

uint64_t pct_nearest_rank(uint64_t *v, size_t n, double p)
{
	double r;
	size_t k;

	if (!n)
		return 0;
	sort_u64(v, n);
	r = ceil(p / 100.0 * (double)n);
	k = r < 1.0 ? 1 : (size_t)r;
	if (k > n)
		k = n;
	return v[k - 1];
}

double jain_index(const double *x, size_t n)
{
	double s = 0.0, s2 = 0.0;
	size_t i;

	for (i = 0; i < n; i++) {
		s += x[i];
		s2 += x[i] * x[i];
	}
	if (!n || s2 == 0.0)
		return 1.0;
	return s * s / ((double)n * s2);
}

static uint64_t div_up(long double work, long double cap)
{
	return cap > 0 ? (uint64_t)ceill(work / cap) : 0;
}

int task_fits_agent(const struct sim_task *k, const struct sim_agent *a)
{
	return k->cpu <= a->cpu && k->mem <= a->mem && k->gpu <= a->gpu &&
	       k->gpumem <= a->gpumem && (k->tags & ~a->tags) == 0;
}

static int same_shape(const struct sim_agent *a, const struct sim_agent *b)
{
	return a->cpu == b->cpu && a->mem == b->mem && a->gpu == b->gpu &&
	       a->gpumem == b->gpumem && a->tags == b->tags;
}

unsigned int agent_shapes(const struct trace *t, unsigned int *shape_of,
			  size_t *rep)
{
	unsigned int n = 0, s;
	size_t i;

	for (i = 0; i < t->nagents; i++) {
		for (s = 0; s < n; s++)
			if (same_shape(&t->agents[i], &t->agents[rep[s]]))
				break;
		if (s == n)
			rep[n++] = i;
		shape_of[i] = s;
	}
	return n;
}

unsigned int agent_classes(const struct trace *t, unsigned int max,
			   unsigned int *cls)
{
	size_t *rep = malloc((t->nagents ? t->nagents : 1) * sizeof(*rep));
	unsigned int n;
	size_t i;

	if (!rep)
		abort();
	n = agent_shapes(t, cls, rep);
	for (i = 0; i < t->nagents; i++)
		if (cls[i] >= max)
			cls[i] = max - 1;
	free(rep);
	return n < max ? n : max;
}

uint64_t task_classes(const struct trace *t, const struct sim_task *k,
		      const size_t *rep, unsigned int nshapes,
		      unsigned int max)
{
	uint64_t set = 0;
	unsigned int s;

	for (s = 0; s < nshapes; s++)
		if (task_fits_agent(k, &t->agents[rep[s]]))
			set |= 1ULL << (s < max ? s : max - 1);
	return set;
}

/* Arrival bins of the work terms: a bound per bin start, the best kept. */
#define LB_BINS		64

/* Work of the tasks of one eligibility set, per arrival bin. */
struct lb_group {
	uint64_t set;
	long double work[LB_SLOTS - LB_CPU + 1][LB_BINS];
};

static const char *const lb_names[LB_NR] = {
	"path", "cpu", "mem", "gpu", "gpumem", "slots", "user limit",
};

const char *lb_term_name(enum lb_term term)
{
	return term < LB_NR ? lb_names[term] : "?";
}

static void lb_take(struct lower_bound *lb, enum lb_term term, uint64_t v,
		    uint64_t set, uint32_t user)
{
	if (v <= lb->term[term])
		return;
	lb->term[term] = v;
	lb->set[term] = set;
	lb->user[term] = user;
}

/*
 * The terms, computed as follows.  Path: a task starts after its arrival
 * and after its dependencies finish (dependencies are on earlier lines, so
 * line order is topological).  Work: each task can run on the agent
 * classes whose capacity and tags hold it (its set); for every union S of
 * classes and every arrival bin b starting at s_b, the tasks whose set is
 * within S and that arrive in bin b or later need S's agents after s_b:
 * s_b + their work / S's capacity, per kind and per slot.  Users: a user
 * with max_active m runs at most m tasks at once: s_b + its run times
 * from bin b on / m.  Fragmentation and start delays are ignored.
 */
void lower_bound(const struct trace *t, struct lower_bound *lb)
{
	unsigned int *cls = NULL, nc, nshapes, b, k;
	long double cap[LB_MAX_CLASSES][LB_SLOTS - LB_CPU + 1] = { { 0 } };
	long double sw[LB_SLOTS - LB_CPU + 1][LB_BINS];
	long double (*uw)[LB_BINS] = NULL;
	uint64_t *fin, first, last, width, bin_start[LB_BINS], s;
	struct lb_group *g = NULL;
	size_t i, j, ng = 0, cap_g = 0, *rep = NULL;

	memset(lb, 0, sizeof(*lb));
	if (!t->ntasks || !t->nagents)
		return;
	fin = malloc(t->ntasks * sizeof(*fin));
	cls = malloc(t->nagents * sizeof(*cls));
	rep = malloc(t->nagents * sizeof(*rep));
	uw = calloc(t->nusers ? t->nusers : 1, sizeof(*uw));
	if (!fin || !cls || !rep || !uw)
		abort();
	nshapes = agent_shapes(t, cls, rep);
	for (i = 0; i < t->nagents; i++)
		if (cls[i] >= LB_MAX_CLASSES)
			cls[i] = LB_MAX_CLASSES - 1;
	nc = nshapes < LB_MAX_CLASSES ? nshapes : LB_MAX_CLASSES;
	lb->nclasses = nc;
	lb->all = nc >= 64 ? ~0ULL : (1ULL << nc) - 1;
	for (i = 0; i < t->nagents; i++) {
		const struct sim_agent *a = &t->agents[i];

		cap[cls[i]][0] += a->cpu;
		cap[cls[i]][1] += a->mem;
		cap[cls[i]][2] += a->gpu;
		cap[cls[i]][3] += a->gpumem;
		cap[cls[i]][4] += a->slots;
	}
	first = t->tasks[t->order[0]].arrival;
	last = t->tasks[t->order[t->ntasks - 1]].arrival;
	width = (last - first) / LB_BINS + 1;
	for (b = 0; b < LB_BINS; b++)
		bin_start[b] = first + b * width;

	for (i = 0; i < t->ntasks; i++) {
		const struct sim_task *tk = &t->tasks[i];
		uint64_t start = tk->arrival, set;
		long double v[LB_SLOTS - LB_CPU + 1];

		for (j = 0; j < tk->ndeps; j++) {
			uint64_t f = fin[t->deps[tk->dep_off + j]];

			if (f > start)
				start = f;
		}
		fin[i] = start + tk->act;
		lb_take(lb, LB_PATH, fin[i], 0, 0);

		set = task_classes(t, tk, rep, nshapes, LB_MAX_CLASSES);
		for (j = 0; j < ng && g[j].set != set; j++)
			;
		if (j == ng) {
			if (ng == cap_g) {
				cap_g = cap_g ? 2 * cap_g : 16;
				g = realloc(g, cap_g * sizeof(*g));
				if (!g)
					abort();
			}
			memset(&g[ng], 0, sizeof(g[ng]));
			g[ng++].set = set;
		}
		b = (unsigned int)((tk->arrival - first) / width);
		v[0] = (long double)tk->cpu * tk->act;
		v[1] = (long double)tk->mem * tk->act;
		v[2] = (long double)tk->gpu * tk->act;
		v[3] = (long double)tk->gpumem * tk->act;
		v[4] = tk->act;
		for (k = 0; k <= LB_SLOTS - LB_CPU; k++)
			g[j].work[k][b] += v[k];
		uw[tk->user][b] += tk->act;
	}

	/* Every union of classes (all of them when too many). */
	for (s = 1; s <= lb->all; s++) {
		long double c[LB_SLOTS - LB_CPU + 1] = { 0 };

		if (nc > LB_MAX_CLASSES && s != lb->all)
			continue;
		for (k = 0; k < nc; k++)
			if (s & (1ULL << k))
				for (j = 0; j <= LB_SLOTS - LB_CPU; j++)
					c[j] += cap[k][j];
		memset(sw, 0, sizeof(sw));
		for (j = 0; j < ng; j++)
			if (!(g[j].set & ~s))
				for (k = 0; k <= LB_SLOTS - LB_CPU; k++)
					for (b = 0; b < LB_BINS; b++)
						sw[k][b] += g[j].work[k][b];
		for (k = 0; k <= LB_SLOTS - LB_CPU; k++) {
			long double suffix = 0;

			for (b = LB_BINS; b-- > 0;) {
				suffix += sw[k][b];
				if (suffix > 0)
					lb_take(lb, LB_CPU + k, bin_start[b] +
						div_up(suffix, c[k]), s, 0);
			}
		}
	}
	for (i = 0; i < t->nusers; i++) {
		long double suffix = 0;
		uint32_t m = t->user_max_active[i];

		if (!m)
			continue;
		for (b = LB_BINS; b-- > 0;) {
			suffix += uw[i][b];
			if (suffix > 0)
				lb_take(lb, LB_USER, bin_start[b] +
					div_up(suffix, m), 0, (uint32_t)i);
		}
	}
	for (k = 0; k < LB_NR; k++) {
		if (lb->term[k] > lb->total) {
			lb->total = lb->term[k];
			lb->binds = k;
		}
	}
	lb->path = lb->term[LB_PATH];
	lb->cpu = lb->term[LB_CPU];
	lb->mem = lb->term[LB_MEM];
	lb->gpu = lb->term[LB_GPU];
	lb->gpumem = lb->term[LB_GPUMEM];
	lb->slots = lb->term[LB_SLOTS];
	free(fin);
	free(cls);
	free(rep);
	free(uw);
	free(g);
}

void lb_describe(const struct trace *t, const struct lower_bound *lb,
		 char *buf, size_t len)
{
	enum lb_term b = lb->binds;
	unsigned int n = 0, k;

	if (b == LB_PATH) {
		snprintf(buf, len, "dependency path");
		return;
	}
	if (b == LB_USER) {
		snprintf(buf, len, "user %s's limit (%u)",
			 t->users[lb->user[b]],
			 t->user_max_active[lb->user[b]]);
		return;
	}
	for (k = 0; k < 64; k++)
		n += !!(lb->set[b] & (1ULL << k));
	if (lb->set[b] == lb->all)
		snprintf(buf, len, "%s work on all agents", lb_names[b]);
	else
		snprintf(buf, len, "%s work on %u of %u agent classes",
			 lb_names[b], n, lb->nclasses);
}
