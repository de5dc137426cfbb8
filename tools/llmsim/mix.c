// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim: the generated agent mix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"

#define GIB	(1ULL << 30)

void mix_agent(unsigned long i, int gpu_tag, struct sim_agent *a)
{
	unsigned long r = i % 20;

	memset(a, 0, sizeof(*a));
	a->id = i + 1;
	a->slots = 1;
	if (r < 10) {
		a->cpu = 2000;
		a->mem = 4 * GIB;
	} else if (r < 15) {
		a->cpu = 4000;
		a->mem = 16 * GIB;
	} else if (r < 18) {
		a->cpu = 8000;
		a->mem = 32 * GIB;
		a->slots = 2;
	} else {
		a->cpu = 16000;
		a->mem = 128 * GIB;
		a->gpu = 1;
		a->gpumem = 80 * GIB;
		if (gpu_tag >= 0)
			a->tags = 1ULL << gpu_tag;
	}
}

void mix_agents(struct trace *t, unsigned long n)
{
	unsigned long i;
	int tag;

	tag = trace_tag(t, "gpu");
	if (tag < 0) {
		if (t->ntags >= TRACE_MAX_TAGS) {
			fprintf(stderr, "llmsim: too many tags for --agents\n");
			exit(1);
		}
		t->tags[t->ntags] = strdup("gpu");
		tag = (int)t->ntags++;
	}
	t->agents = realloc(t->agents, (t->nagents + n + 1) *
				       sizeof(*t->agents));
	if (!t->agents) {
		fprintf(stderr, "llmsim: out of memory\n");
		exit(1);
	}
	t->cap_agents = t->nagents + n + 1;
	for (i = 0; i < n; i++)
		mix_agent(i, tag, &t->agents[t->nagents++]);
}

void mix_print_agent(unsigned long i)
{
	struct sim_agent a;

	mix_agent(i, 0, &a);
	printf("agent id=%llu cpu=%llu mem=%lluG slots=%u",
	       (unsigned long long)a.id, (unsigned long long)a.cpu / 1000,
	       (unsigned long long)(a.mem / GIB), a.slots);
	if (a.gpu)
		printf(" gpu=%u gpumem=%lluG tags=gpu", a.gpu,
		       (unsigned long long)(a.gpumem / GIB));
	putchar('\n');
}
