/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsim: the generated agent mix (llmsim --agents N, llmsim-gen --agents N).
 */
#ifndef _LLMSIM_MIX_H
#define _LLMSIM_MIX_H

#include "trace.h"

/*
 * Agent i (0-based) of a generated set, by index, no randomness: out of
 * every 20 agents, 10 small (2 cores, 4G), 5 medium (4 cores, 16G),
 * 3 large (8 cores, 32G, 2 slots), 2 GPU (16 cores, 128G, 1 GPU with 80G,
 * tag "gpu").  Agent ids are i + 1.  @gpu_tag: the trace's bit for "gpu".
 */
void mix_agent(unsigned long i, int gpu_tag, struct sim_agent *a);

/* Append n generated agents to t (adds the "gpu" tag). */
void mix_agents(struct trace *t, unsigned long n);

/* Print agent i as a trace line. */
void mix_print_agent(unsigned long i);

#endif /* _LLMSIM_MIX_H */
