#ifndef CONFINE_CVE_CVETEXT_H
#define CONFINE_CVE_CVETEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Small text helpers shared by the CVE parsers: Confine's files are lines
 * of ';'-separated fields whose lists are Python literals printed by
 * str(set) / str(list) ("{'a', 'b'}", "['a']", "set()").  Everything works
 * on (pointer, length) pairs so untrusted input needs no NUL terminator.
 */

struct cvetext_line {
	const char *p;
	size_t len;     /* without the line terminator (\n, \r\n) */
	size_t lineno;  /* 1-based */
};

struct cvetext_cursor {
	const char *cur, *end;
	size_t lineno;
};

void cvetext_start(struct cvetext_cursor *c, const char *buf, size_t len);
/* The next line; false at the end of the buffer. */
bool cvetext_next(struct cvetext_cursor *c, struct cvetext_line *line);

struct cvetext_field {
	const char *p;
	size_t len;
};

/*
 * Split at 'sep' into at most 'max' fields (the last one keeps the rest,
 * separators included).  Returns the number of fields there would be
 * without the limit.
 */
size_t cvetext_split(const char *p, size_t len, char sep, struct cvetext_field *f, size_t max);

/* Trim ASCII blanks from both ends. */
struct cvetext_field cvetext_trim(struct cvetext_field f);
bool cvetext_blank(const char *p, size_t len);
bool cvetext_has_nul(const char *p, size_t len);

/*
 * Parse a Python literal holding strings: [..], {..}, (..), set(), with
 * items quoted by ' or " (backslash escapes \\ \' \" kept verbatim minus the
 * backslash).  Calls fn for each item (not NUL-terminated).  Returns 0, the
 * first non-zero value fn returns, or -EINVAL with *why set to a static
 * description of the problem.
 */
int cvetext_pystrings(const char *p, size_t len,
		      int (*fn)(const char *item, size_t n, void *ctx), void *ctx,
		      const char **why);

#endif
