/* SPDX-License-Identifier: GPL-2.0 */
/* llmschedd's supervisor (supervisor.c). */
#ifndef LLMSCHEDD_SUPERVISOR_H
#define LLMSCHEDD_SUPERVISOR_H

#include "capacity.h"
#include "config.h"

/*
 * Run the daemon until SIGTERM or SIGINT: 0 after an orderly stop, 1 when
 * it could not start or went wrong.  @self_exe is the program agents are
 * started from; @ready_fd, when not -1, gets one byte once every agent has
 * registered (and is closed).  @overrides, @noverrides: the --set
 * assignments, applied again after the file on every SIGHUP.
 */
int llmsd_supervise(struct llmsd_config *cfg, const struct llmsd_capacity *cap,
		    const char *self_exe, int ready_fd,
		    char *const *overrides, size_t noverrides);

#endif /* LLMSCHEDD_SUPERVISOR_H */
