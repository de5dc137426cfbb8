// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-bench-probefloor: holds tools/bench/probe_floor.bpf.c attached
 * until its standard input ends or it is sent SIGTERM or SIGINT, then
 * takes it away.  "attached" on standard output says it is in place.
 * Root, in the VM: tools/bench/loadbench runs it (part 1b).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "probe_floor.skel.h"

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct probe_floor_bpf *skel;
	char c;
	int err;

	if (argc > 1) {
		bool help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");

		fprintf(help ? stdout : stderr,
			"%s%s"
			"Usage: %s\n"
			"Attaches an empty program to sched_switch (the load probe\n"
			"benchmark's floor) until standard input ends or SIGTERM.\n",
			help ? "" : argv[1], help ? "" : ": unknown argument\n",
			argv[0]);
		return help ? 0 : 2;
	}
	skel = probe_floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "%s: loading the floor program: %s\n", argv[0],
			strerror(errno));
		return 1;
	}
	err = probe_floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "%s: attaching the floor program: %s\n",
			argv[0], strerror(-err));
		probe_floor_bpf__destroy(skel);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("attached\n");
	fflush(stdout);
	/* EOF, or a signal that cuts the read short. */
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	probe_floor_bpf__destroy(skel);
	return 0;
}
