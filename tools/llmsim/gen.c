// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim-gen: print a synthetic trace for llmsim with realistic shapes.
 *
 *  - arrivals: a Markov-modulated Poisson process, calm phases (mean 300 s)
 *    alternating with bursts (mean 30 s) at 10x the calm rate;
 *  - run times: lognormal (median 20 s, sigma 1.2) clamped to [0.2 s, 2 h];
 *    GPU-bound tasks 2x longer;
 *  - about 3 % GPU-bound tasks (1 GPU, 8-40G of GPU memory);
 *  - dependency chains: 20 % of tasks depend on 1-3 recent tasks of the
 *    same user;
 *  - users with Zipf-like shares of the submissions (user i: 1/(i+1));
 *  - estimates = actual * lognormal noise (sigma 0.3), so estimates are
 *    unbiased in the median but often wrong.
 *
 * Deterministic for a seed (its own PRNG, no libc rand()).
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"

static uint64_t rs[4];

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

static void seed_rng(uint64_t s)
{
	int i;

	for (i = 0; i < 4; i++) {	/* splitmix64 */
		uint64_t z = (s += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		rs[i] = z ^ (z >> 31);
	}
}

static double unit(void)
{
	return ((rnd() >> 11) + 0.5) * 0x1.0p-53;
}

static double expo(double mean)
{
	return -log(unit()) * mean;
}

static double gauss(void)
{
	return sqrt(-2.0 * log(unit())) * cos(2.0 * M_PI * unit());
}

static void print_time(const char *key, double s)
{
	/* millisecond resolution, trailing zeros trimmed */
	uint64_t ms = (uint64_t)llround(s * 1000.0);
	char buf[32];

	trace_fmt_time(buf, sizeof(buf), ms * 1000000ULL);
	printf(" %s=%s", key, buf);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: llmsim-gen --tasks N [--users U] [--seed S] [--agents N]\n"
		"                  [--rate R | --load F]\n"
		"Print a synthetic llmsim trace on standard output.\n"
		"  --tasks N    number of tasks (required)\n"
		"  --users U    number of users (default 8)\n"
		"  --seed S     PRNG seed (default 1); same seed, same trace\n"
		"  --agents N   also print N agents (llmsim's --agents N mix)\n"
		"  --rate R     mean arrival rate, tasks/s (default 10, or\n"
		"               from --load when --agents is given)\n"
		"  --load F     offered load as a fraction of the agents' slots\n"
		"               (default 0.9; needs --agents)\n");
}

struct recent {
	uint64_t ids[8];
	unsigned int n, pos;
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tasks", required_argument, NULL, 't' },
		{ "users", required_argument, NULL, 'u' },
		{ "seed", required_argument, NULL, 's' },
		{ "agents", required_argument, NULL, 'a' },
		{ "rate", required_argument, NULL, 'r' },
		{ "load", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long tasks = 0, users = 8, agents = 0, i, u;
	unsigned long long max_cpu = ~0ULL, max_mem = ~0ULL;
	int have_gpu = 1;
	double rate = 0, load = 0.9, now = 0, phase_end, calm, *cum;
	uint64_t seed = 1;
	struct recent *rec;
	int c, burst = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tasks = strtoul(optarg, &end, 10);
			if (*end || !tasks || tasks > 100000000UL)
				goto bad;
			break;
		case 'u':
			users = strtoul(optarg, &end, 10);
			if (*end || !users || users > 100000)
				goto bad;
			break;
		case 's':
			seed = strtoull(optarg, &end, 0);
			if (*end)
				goto bad;
			break;
		case 'a':
			agents = strtoul(optarg, &end, 10);
			if (*end || !agents || agents > 10000000UL)
				goto bad;
			break;
		case 'r':
			rate = strtod(optarg, &end);
			if (*end || !(rate > 0) || rate > 1e9)
				goto bad;
			break;
		case 'l':
			load = strtod(optarg, &end);
			if (*end || !(load > 0) || load > 100)
				goto bad;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !tasks) {
		usage(stderr);
		return 2;
	}
	if (!rate) {
		if (agents) {
			/* slots of the agents printed (mix.c) */
			double slots = 0, mean_act;
			struct sim_agent a;

			for (i = 0; i < agents; i++) {
				mix_agent(i, 0, &a);
				slots += a.slots;
			}
			/* lognormal mean, clamping ignored; GPU 2x on 3 % */
			mean_act = 20.0 * exp(1.2 * 1.2 / 2) * (0.97 + 0.03 * 2);
			rate = load * slots / mean_act;
		} else {
			rate = 10;
		}
	}
	if (agents) {
		/* keep every task placeable on the agents printed */
		struct sim_agent a;

		max_cpu = 0;
		max_mem = 0;
		have_gpu = 0;
		for (i = 0; i < agents && i < 20; i++) {
			mix_agent(i, 0, &a);
			if (a.gpu) {
				have_gpu = 1;
				continue;
			}
			if (a.cpu > max_cpu)
				max_cpu = a.cpu;
			if (a.mem > max_mem)
				max_mem = a.mem;
		}
	}
	/* time-averaged MMPP rate: (300 c + 30 * 10 c) / 330 = rate */
	calm = rate * 330.0 / 600.0;

	seed_rng(seed);
	printf("# llmsim-gen --tasks %lu --users %lu --seed %llu", tasks, users,
	       (unsigned long long)seed);
	if (agents)
		printf(" --agents %lu", agents);
	printf(" (mean rate %.3f tasks/s)\n", rate);

	cum = calloc(users, sizeof(*cum));
	rec = calloc(users, sizeof(*rec));
	if (!cum || !rec)
		return 1;
	for (u = 0; u < users; u++) {
		/* Zipf(1) shares of the submissions */
		cum[u] = (u ? cum[u - 1] : 0) + 1.0 / (double)(u + 1);
	}
	for (i = 0; i < agents; i++)
		mix_print_agent(i);

	phase_end = expo(300.0);
	for (i = 0; i < tasks; i++) {
		double lam, act, est, x;
		unsigned long prio;
		struct recent *r;
		int gpu;

		/* next arrival, switching phases at their (exponential) ends */
		for (;;) {
			double gap;

			lam = burst ? 10 * calm : calm;
			gap = expo(1.0 / lam);
			if (now + gap <= phase_end) {
				now += gap;
				break;
			}
			now = phase_end;
			burst = !burst;
			phase_end = now + expo(burst ? 30.0 : 300.0);
		}

		x = unit() * cum[users - 1];
		for (u = 0; u < users - 1 && cum[u] < x; u++)
			;
		r = &rec[u];

		gpu = unit() < 0.03 && have_gpu;
		act = 20.0 * exp(1.2 * gauss());
		if (gpu)
			act *= 2;
		if (act < 0.2)
			act = 0.2;
		if (act > 7200)
			act = 7200;
		est = act * exp(0.3 * gauss());
		if (est < 0.001)
			est = 0.001;

		x = unit();
		prio = x < 0.5 ? 0 : x < 0.8 ? 1 : x < 0.93 ? 2 : x < 0.98 ?
		       3 + (rnd() % 2) : 5 + (rnd() % 3);

		printf("task id=%lu", i + 1);
		print_time("at", now);
		printf(" user=u%lu prio=%lu", u, prio);
		if (gpu) {
			printf(" cpu=4 mem=%lluG gpu=1 gpumem=%lluG",
			       16ULL << (rnd() % 2), 8ULL + 8 * (rnd() % 5));
		} else {
			static const unsigned int cpus[] = {
				250, 500, 1000, 1000, 1000, 2000, 2000, 4000,
			};
			static const unsigned int mems[] = {
				512, 1024, 1024, 2048, 2048, 4096, 8192,
			};
			unsigned long long cm, mm;
			unsigned int ci = (unsigned int)(rnd() % 8);
			unsigned int mi = (unsigned int)(rnd() % 7);

			/* keep memory per core sane for the mix's agents */
			if (ci == 7 && mi < 3)
				mi = 3;
			cm = cpus[ci];
			mm = (unsigned long long)mems[mi] << 20;
			if (cm > max_cpu)
				cm = max_cpu;
			if (mm > max_mem)
				mm = max_mem;
			if (cm % 1000)
				printf(" cpu=%llum", cm);
			else
				printf(" cpu=%llu", cm / 1000);
			if (mm % (1ULL << 30))
				printf(" mem=%lluM", mm >> 20);
			else
				printf(" mem=%lluG", mm >> 30);
		}
		print_time("est", est);
		print_time("act", act);
		if (r->n && unit() < 0.2) {
			unsigned int nd = 1 + (unsigned int)(rnd() % 3), d;
			uint64_t prev = 0;

			if (nd > r->n)
				nd = r->n;
			printf(" deps=");
			for (d = 0; d < nd; d++) {
				uint64_t id = r->ids[(r->pos + 8 - 1 - d) % 8];

				if (id == prev)
					continue;
				printf("%s%llu", d ? "," : "",
				       (unsigned long long)id);
				prev = id;
			}
		}
		putchar('\n');
		r->ids[r->pos] = i + 1;
		r->pos = (r->pos + 1) % 8;
		if (r->n < 8)
			r->n++;
	}
	free(cum);
	free(rec);
	if (fflush(stdout) || ferror(stdout)) {
		perror("llmsim-gen: stdout");
		return 1;
	}
	return 0;
bad:
	fprintf(stderr, "llmsim-gen: bad value '%s' for --%s\n", optarg,
		opts[c == 't' ? 0 : c == 'u' ? 1 : c == 's' ? 2 : c == 'a' ? 3 :
		     c == 'r' ? 4 : 5].name);
	return 2;
}
