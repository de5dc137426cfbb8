// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd's log (log.h).  Lines are written with one write() each, so
 * that the lines of the daemon and of its agents, which share standard
 * error, never interleave inside a line.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static char log_who[64] = "llmschedd";
static bool log_verbose;
static bool log_prefix;

static const char *level_name(enum llmsd_level level)
{
	switch (level) {
	case LLMSD_ERR:
		return "error";
	case LLMSD_WARN:
		return "warning";
	case LLMSD_INFO:
		return "info";
	default:
		return "debug";
	}
}

void llmsd_log_init(const char *who, bool verbose)
{
	snprintf(log_who, sizeof(log_who), "%s", who);
	log_verbose = verbose;
	log_prefix = !isatty(STDERR_FILENO);
}

static void log_line(enum llmsd_level level, const char *msg)
{
	char line[1024];
	int n;

	if (level == LLMSD_DEBUG && !log_verbose)
		return;
	if (log_prefix)
		n = snprintf(line, sizeof(line), "<%d>%s: %s: %s\n", level,
			     log_who, level_name(level), msg);
	else
		n = snprintf(line, sizeof(line), "%s: %s: %s\n", log_who,
			     level_name(level), msg);
	if (n >= (int)sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to say it. */
	}
}

void llmsd_log(enum llmsd_level level, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line(level, msg);
}

void llmsd_log_error(enum llmsd_level level, struct llms_error **err,
		     const char *fmt, ...)
{
	char msg[900], text[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	llms_error_format(err ? *err : NULL, text, sizeof(text));
	if (n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", text);
	log_line(level, msg);
	llms_error_free(err);
}
