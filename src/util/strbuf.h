#ifndef CONFINE_UTIL_STRBUF_H
#define CONFINE_UTIL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * A growable, always NUL-terminated byte buffer (git's strbuf).  'cap', when
 * non-zero, bounds how large the buffer may grow: appends past it fail with
 * -EFBIG instead of allocating, which is how untrusted input is kept in check.
 * The buffer owns 'buf'; strbuf_detach() hands it to the caller.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t cap;
};

#define STRBUF_INIT { .buf = NULL, .len = 0, .alloc = 0, .cap = 0 }

void strbuf_init(struct strbuf *sb, size_t cap);
void strbuf_release(struct strbuf *sb);
/* Returns the buffer (never NULL); the caller frees it; sb is reset. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_reset(struct strbuf *sb);
int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The current contents; "" for an empty buffer. */
const char *strbuf_str(const struct strbuf *sb);

#endif
