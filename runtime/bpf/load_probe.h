/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load probe's map values (load_probe.bpf.c), shared by the BPF
 * program and llmschedd's loader (runtime/llmschedd/loadprobe.c).  Plain
 * fixed-width fields: the same layout on both sides.
 */
#ifndef LLMSCHED_BPF_LOAD_PROBE_H
#define LLMSCHED_BPF_LOAD_PROBE_H

/*
 * The agents a map can hold: LLMSCHED_IOC_LOAD_REPORT's most entries.
 * More agents than this are not measured (the loader says so).
 */
#define LOAD_PROBE_MAX_AGENTS	4096
/* Tasks woken and not yet on a CPU, at once. */
#define LOAD_PROBE_MAX_QUEUED	16384

/*
 * What one CPU saw of one agent (the "loads" map is per-CPU: the loader
 * sums the CPUs).  Counters only grow; the loader takes differences.
 * @run_ns: time its tasks ran on a CPU.
 * @wait_ns: time its tasks were runnable but not running (woken, or
 *	preempted, until they got a CPU again): run-queue latency, summed
 *	over tasks; cpu.max throttling is in it too (a throttled task stays
 *	runnable).
 * @nr_switches: times one of its tasks left a CPU.
 */
struct load_probe_stat {
	__u64 run_ns;
	__u64 wait_ns;
	__u64 nr_switches;
};

#endif /* LLMSCHED_BPF_LOAD_PROBE_H */
