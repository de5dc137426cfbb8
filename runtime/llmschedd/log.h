/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd's log: one line per event that matters, on standard error,
 * where journald (or the terminal of --foreground) picks it up.  Each line
 * starts with syslog's "<N>" priority prefix when standard error is not a
 * terminal, which journald turns into the entry's level.
 */
#ifndef LLMSCHEDD_LOG_H
#define LLMSCHEDD_LOG_H

#include <stdbool.h>

#include "../lib/error.h"

enum llmsd_level {
	LLMSD_ERR = 3,
	LLMSD_WARN = 4,
	LLMSD_INFO = 6,
	LLMSD_DEBUG = 7,
};

/* @who names the process in every line: "llmschedd", "agent small-0". */
void llmsd_log_init(const char *who, bool verbose);

void llmsd_log(enum llmsd_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "@fmt: <the error's text>" at @level; the error is freed. */
void llmsd_log_error(enum llmsd_level level, struct llms_error **err,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define llmsd_err(...)		llmsd_log(LLMSD_ERR, __VA_ARGS__)
#define llmsd_warn(...)		llmsd_log(LLMSD_WARN, __VA_ARGS__)
#define llmsd_info(...)		llmsd_log(LLMSD_INFO, __VA_ARGS__)
#define llmsd_debug(...)	llmsd_log(LLMSD_DEBUG, __VA_ARGS__)

#endif /* LLMSCHEDD_LOG_H */
