// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim: metric helpers.
 */
#include <math.h>
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

double bounded_slowdown(uint64_t wait_ns, uint64_t run_ns, uint64_t tau_ns)
{
	double d = (double)(run_ns > tau_ns ? run_ns : tau_ns);
	double s = ((double)wait_ns + (double)run_ns) / d;

	return s < 1.0 ? 1.0 : s;
}

static uint64_t div_up(long double work, long double cap)
{
	return cap > 0 ? (uint64_t)ceill(work / cap) : 0;
}

void lower_bound(const struct trace *t, struct lower_bound *lb)
{
	long double w_cpu = 0, w_mem = 0, w_gpu = 0, w_gm = 0, w_slot = 0;
	long double c_cpu = 0, c_mem = 0, c_gpu = 0, c_gm = 0, c_slot = 0;
	uint64_t *fin, first = 0;
	size_t i, j;

	memset(lb, 0, sizeof(*lb));
	if (!t->ntasks)
		return;
	/*
	 * Earliest finish along dependency chains: a task cannot start before
	 * it arrives nor before its dependencies finish.  Dependencies are
	 * always on earlier lines, so index order is a topological order.
	 */
	fin = malloc(t->ntasks * sizeof(*fin));
	if (!fin)
		abort();
	for (i = 0; i < t->ntasks; i++) {
		const struct sim_task *k = &t->tasks[i];
		uint64_t start = k->arrival;

		for (j = 0; j < k->ndeps; j++) {
			uint64_t f = fin[t->deps[k->dep_off + j]];

			if (f > start)
				start = f;
		}
		fin[i] = start + k->act;
		if (fin[i] > lb->path)
			lb->path = fin[i];
		w_cpu += (long double)k->cpu * k->act;
		w_mem += (long double)k->mem * k->act;
		w_gpu += (long double)k->gpu * k->act;
		w_gm += (long double)k->gpumem * k->act;
		w_slot += k->act;
	}
	free(fin);
	for (i = 0; i < t->nagents; i++) {
		const struct sim_agent *a = &t->agents[i];

		c_cpu += a->cpu;
		c_mem += a->mem;
		c_gpu += a->gpu;
		c_gm += a->gpumem;
		c_slot += a->slots;
	}
	first = t->tasks[t->order ? t->order[0] : 0].arrival;
	lb->cpu = first + div_up(w_cpu, c_cpu);
	lb->mem = first + div_up(w_mem, c_mem);
	lb->gpu = w_gpu > 0 ? first + div_up(w_gpu, c_gpu) : 0;
	lb->gpumem = w_gm > 0 ? first + div_up(w_gm, c_gm) : 0;
	lb->slots = first + div_up(w_slot, c_slot);
	lb->total = lb->path;
	if (lb->cpu > lb->total)
		lb->total = lb->cpu;
	if (lb->mem > lb->total)
		lb->total = lb->mem;
	if (lb->gpu > lb->total)
		lb->total = lb->gpu;
	if (lb->gpumem > lb->total)
		lb->total = lb->gpumem;
	if (lb->slots > lb->total)
		lb->total = lb->slots;
}
