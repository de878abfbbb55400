#include "util/error.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define ERR_MSG_MAX 2048
#define WARN_MAX 10000

static _Thread_local char err_buf[ERR_MSG_MAX];
static _Thread_local int err_num;

int err_set(int errnum, const char *fmt, ...)
{
	va_list ap;

	if (errnum < 0)
		errnum = -errnum;
	if (errnum == 0)
		errnum = EIO;
	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	err_num = errnum;
	return -errnum;
}

int err_wrap(int ret, const char *fmt, ...)
{
	char old[ERR_MSG_MAX];
	size_t n;
	va_list ap;
	int w;

	snprintf(old, sizeof(old), "%s", err_msg());
	va_start(ap, fmt);
	w = vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	n = w < 0 ? 0 : (size_t)w;
	if (n < sizeof(err_buf) - 3) {
		err_buf[n++] = ':';
		err_buf[n++] = ' ';
		size_t room = sizeof(err_buf) - n - 1, ol = strlen(old);

		memcpy(err_buf + n, old, ol < room ? ol : room);
		err_buf[n + (ol < room ? ol : room)] = '\0';
	}
	if (!err_num)
		err_num = ret < 0 ? -ret : EIO;
	return ret;
}

const char *err_msg(void)
{
	if (!err_buf[0])
		return err_num ? strerror(err_num) : "unknown error";
	return err_buf;
}

int err_code(void)
{
	return err_num;
}

void err_clear(void)
{
	err_buf[0] = '\0';
	err_num = 0;
}

static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;
static char **warns;
static size_t warn_nr, warn_alloc;
static unsigned warn_dropped;

void warn_add(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	pthread_mutex_lock(&warn_lock);
	if (warn_nr >= WARN_MAX) {
		warn_dropped++;
		free(msg);
	} else {
		ALLOC_GROW(warns, warn_nr + 1, warn_alloc);
		warns[warn_nr++] = msg;
	}
	pthread_mutex_unlock(&warn_lock);
}

void warn_drain(void (*fn)(const char *msg, void *ctx), void *ctx)
{
	char **list;
	size_t nr, i;
	unsigned dropped;

	pthread_mutex_lock(&warn_lock);
	list = warns;
	nr = warn_nr;
	dropped = warn_dropped;
	warns = NULL;
	warn_nr = warn_alloc = 0;
	warn_dropped = 0;
	pthread_mutex_unlock(&warn_lock);
	for (i = 0; i < nr; i++) {
		if (fn)
			fn(list[i], ctx);
		free(list[i]);
	}
	free(list);
	if (dropped && fn) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%u more warnings not shown", dropped);
		fn(msg, ctx);
	}
}

unsigned warn_count(void)
{
	unsigned n;

	pthread_mutex_lock(&warn_lock);
	n = (unsigned)warn_nr + warn_dropped;
	pthread_mutex_unlock(&warn_lock);
	return n;
}
