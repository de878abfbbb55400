#ifndef CONFINE_UTIL_ERROR_H
#define CONFINE_UTIL_ERROR_H

/*
 * Library layers never print.  A failing function records a human message
 * with err_set() and returns its result (a negative errno); callers up the
 * stack may add context with err_wrap(); cmd/ finally prints err_msg().
 * The message is thread-local and lowercase, saying what failed and on what:
 *   "cannot parse ELF '/usr/bin/ls': section header table out of range".
 */

/* Record a message for -errnum and return -errnum (errnum is positive). */
int err_set(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the current message with context; returns 'ret' unchanged. */
int err_wrap(int ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last recorded message, or strerror of the last errnum if none. */
const char *err_msg(void);

/* The errnum of the last err_set() (positive), 0 if none. */
int err_code(void);

void err_clear(void);

/*
 * Non-fatal problems (a skipped malformed entry, an unknown name) are
 * collected as warnings; cmd/ prints or emits them.  Thread-safe.
 */
void warn_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Calls fn (NULL: none) for each warning collected so far, in order, then forgets them. */
void warn_drain(void (*fn)(const char *msg, void *ctx), void *ctx);
unsigned warn_count(void);

#endif
