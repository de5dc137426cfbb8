// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched: errors that carry an errno and a message up the stack.
 * See error.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/*
 * What an error is when there is no memory left to describe the failure.
 * A library must not abort its caller for that (crun can, being a
 * command), so the caller still gets an error to print and to free.
 * Never written to: llms_error_prefix() and llms_error_free() leave it be.
 */
static struct llms_error error_nomem = {
	.errnum = ENOMEM,
	.code = 0,
	.msg = (char *)"out of memory",
};

static int error_vset(struct llms_error **err, int errnum, int code,
		      const char *fmt, va_list ap)
{
	struct llms_error *e;

	if (errnum < 0)
		errnum = -errnum;
	if (!errnum)
		errnum = EIO;
	if (!err)
		return -errnum;
	e = malloc(sizeof(*e));
	if (!e) {
		*err = &error_nomem;
		return -ENOMEM;
	}
	if (vasprintf(&e->msg, fmt, ap) < 0) {
		free(e);
		*err = &error_nomem;
		return -ENOMEM;
	}
	e->errnum = errnum;
	e->code = code;
	*err = e;
	return -errnum;
}

int llms_error_set(struct llms_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_vset(err, errnum, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int llms_error_set_code(struct llms_error **err, int errnum, int code,
			const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_vset(err, errnum, code, fmt, ap);
	va_end(ap);
	return ret;
}

int llms_error_prefix(struct llms_error **err, const char *fmt, ...)
{
	struct llms_error *e;
	char *context, *msg;
	va_list ap;
	int len;

	if (!err || !*err)
		return llms_error_set(
			err, EIO,
			"internal error: context \"%s\" added to no error",
			fmt);
	e = *err;
	if (e == &error_nomem)
		return -e->errnum;
	va_start(ap, fmt);
	len = vasprintf(&context, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -e->errnum;
	if (asprintf(&msg, "%s: %s", context, e->msg) < 0) {
		free(context);
		return -e->errnum;
	}
	free(context);
	free(e->msg);
	e->msg = msg;
	return -e->errnum;
}

/*
 * The errno's text.  strerrordesc_np(), unlike strerror(), shares no
 * buffer between threads; it returns NULL for a number it does not know.
 */
static const char *errno_text(int errnum, char *buf, size_t size)
{
	const char *text = strerrordesc_np(errnum);

	if (text)
		return text;
	snprintf(buf, size, "Unknown error %d", errnum);
	return buf;
}

int llms_error_format(const struct llms_error *err, char *buf, size_t size)
{
	char unknown[32];

	if (!err)
		return snprintf(buf, size, "no error");
	return snprintf(buf, size, "%s: %s", err->msg,
			errno_text(err->errnum, unknown, sizeof(unknown)));
}

void llms_error_print(FILE *out, const char *prog, const struct llms_error *err)
{
	char unknown[32];

	if (prog)
		fprintf(out, "%s: ", prog);
	if (!err)
		fputs("no error\n", out);
	else
		fprintf(out, "%s: %s\n", err->msg,
			errno_text(err->errnum, unknown, sizeof(unknown)));
}

void llms_error_free(struct llms_error **err)
{
	if (!err || !*err)
		return;
	if (*err != &error_nomem) {
		free((*err)->msg);
		free(*err);
	}
	*err = NULL;
}
