// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched, internal: small text files of cgroupfs and sysfs.  See
 * fileio.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

int llms_read_text_at(int dirfd, const char *dirpath, const char *name,
		      char **text, size_t *len, struct llms_error **err)
{
	size_t size = 4096, used = 0;
	char *buf, *grown;
	ssize_t n;
	int fd, ret;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return llms_error_set(err, errno, "opening %s/%s", dirpath,
				      name);
	buf = malloc(size);
	if (!buf) {
		ret = llms_error_set(err, ENOMEM, "reading %s/%s", dirpath,
				     name);
		goto out;
	}
	for (;;) {
		if (used + 1 == size) {
			if (size >= LLMS_TEXT_MAX) {
				ret = llms_error_set(
					err, EFBIG,
					"reading %s/%s: longer than %u bytes",
					dirpath, name, LLMS_TEXT_MAX);
				goto out_free;
			}
			grown = realloc(buf, size * 2);
			if (!grown) {
				ret = llms_error_set(err, ENOMEM,
						     "reading %s/%s", dirpath,
						     name);
				goto out_free;
			}
			buf = grown;
			size *= 2;
		}
		n = read(fd, buf + used, size - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = llms_error_set(err, errno, "reading %s/%s",
					     dirpath, name);
			goto out_free;
		}
		if (n == 0)
			break;
		used += n;
	}
	buf[used] = '\0';
	*text = buf;
	if (len)
		*len = used;
	ret = 0;
	goto out;
out_free:
	free(buf);
out:
	close(fd);
	return ret;
}

int llms_write_text_at(int dirfd, const char *dirpath, const char *name,
		       const char *text, struct llms_error **err)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, ret = 0;

	fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return llms_error_set(err, errno, "opening %s/%s", dirpath,
				      name);
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = llms_error_set(err, errno, "writing \"%s\" to %s/%s",
				     text, dirpath, name);
	else if ((size_t)n != len)
		ret = llms_error_set(
			err, EIO,
			"writing \"%s\" to %s/%s: %zd of %zu bytes written",
			text, dirpath, name, n, len);
	close(fd);
	return ret;
}

/* The number in [@s, @end): digits only, at least one, no overflow. */
static int parse_u64_span(const char *s, const char *end, uint64_t *val)
{
	uint64_t v = 0;
	unsigned int digit;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		digit = *s - '0';
		if (v > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	*val = v;
	return 0;
}

/* Where a value read from a file ends: before its one newline, if any. */
static const char *value_end(const char *s)
{
	size_t len = strlen(s);

	if (len && s[len - 1] == '\n')
		len--;
	return s + len;
}

int llms_parse_u64(const char *s, uint64_t *val)
{
	return parse_u64_span(s, value_end(s), val);
}

int llms_parse_u64_or_max(const char *s, uint64_t *val)
{
	const char *end = value_end(s);

	if (end - s == 3 && !strncmp(s, "max", 3)) {
		*val = UINT64_MAX;
		return 0;
	}
	return parse_u64_span(s, end, val);
}

int llms_keyed_u64(const char *text, const char *key, uint64_t *val)
{
	size_t key_len = strlen(key);
	const char *line = text, *end;

	while (*line) {
		end = strchrnul(line, '\n');
		if ((size_t)(end - line) > key_len &&
		    !strncmp(line, key, key_len) && line[key_len] == ' ')
			return parse_u64_span(line + key_len + 1, end, val);
		line = *end ? end + 1 : end;
	}
	return -ENOENT;
}

uint64_t llms_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
