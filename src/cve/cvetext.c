#include "cve/cvetext.h"

#include <errno.h>
#include <string.h>

#include "util/strbuf.h"

void cvetext_start(struct cvetext_cursor *c, const char *buf, size_t len)
{
	c->cur = buf;
	c->end = buf + len;
	c->lineno = 0;
}

bool cvetext_next(struct cvetext_cursor *c, struct cvetext_line *line)
{
	const char *nl;
	size_t n;

	if (c->cur >= c->end)
		return false;
	nl = memchr(c->cur, '\n', (size_t)(c->end - c->cur));
	n = nl ? (size_t)(nl - c->cur) : (size_t)(c->end - c->cur);
	line->p = c->cur;
	line->len = n;
	if (n && line->p[n - 1] == '\r')
		line->len--;
	line->lineno = ++c->lineno;
	c->cur = nl ? nl + 1 : c->end;
	return true;
}

size_t cvetext_split(const char *p, size_t len, char sep, struct cvetext_field *f, size_t max)
{
	size_t count = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && p[i] != sep)
			continue;
		if (count < max) {
			f[count].p = p + start;
			f[count].len = i - start;
		} else if (max) {
			/* The last field keeps the rest of the line. */
			f[max - 1].len = i - (size_t)(f[max - 1].p - p);
		}
		count++;
		start = i + 1;
	}
	return count;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

struct cvetext_field cvetext_trim(struct cvetext_field f)
{
	while (f.len && is_blank(f.p[0])) {
		f.p++;
		f.len--;
	}
	while (f.len && is_blank(f.p[f.len - 1]))
		f.len--;
	return f;
}

bool cvetext_blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_blank(p[i]))
			return false;
	return true;
}

bool cvetext_has_nul(const char *p, size_t len)
{
	return len && memchr(p, '\0', len) != NULL;
}

static size_t skip_blanks(const char *p, size_t len, size_t i)
{
	while (i < len && is_blank(p[i]))
		i++;
	return i;
}

int cvetext_pystrings(const char *p, size_t len,
		      int (*fn)(const char *item, size_t n, void *ctx), void *ctx,
		      const char **why)
{
	struct strbuf item;
	char close;
	size_t i;
	int ret = 0;

	*why = NULL;
	i = skip_blanks(p, len, 0);
	if (len - i >= 5 && !memcmp(p + i, "set()", 5)) {
		if (!cvetext_blank(p + i + 5, len - i - 5)) {
			*why = "unexpected text after set()";
			return -EINVAL;
		}
		return 0;
	}
	if (i == len) {
		*why = "empty list";
		return -EINVAL;
	}
	switch (p[i]) {
	case '[':
		close = ']';
		break;
	case '{':
		close = '}';
		break;
	case '(':
		close = ')';
		break;
	default:
		*why = "expected a list or set literal ('[', '{' or set())";
		return -EINVAL;
	}
	i++;
	/* Items are names: a cap keeps hostile input from growing it. */
	strbuf_init(&item, 4096);
	for (;;) {
		char quote;

		i = skip_blanks(p, len, i);
		if (i == len) {
			*why = "missing closing bracket";
			ret = -EINVAL;
			goto out;
		}
		if (p[i] == close)
			break;
		if (p[i] != '\'' && p[i] != '"') {
			*why = "expected a quoted string";
			ret = -EINVAL;
			goto out;
		}
		quote = p[i++];
		strbuf_reset(&item);
		while (i < len && p[i] != quote) {
			if (p[i] == '\\' && i + 1 < len)
				i++;
			if (strbuf_addch(&item, p[i]) < 0) {
				*why = "string too long";
				ret = -EINVAL;
				goto out;
			}
			i++;
		}
		if (i == len) {
			*why = "unterminated string";
			ret = -EINVAL;
			goto out;
		}
		i++;
		ret = fn(strbuf_str(&item), item.len, ctx);
		if (ret)
			goto out;
		i = skip_blanks(p, len, i);
		if (i < len && p[i] == ',') {
			i++;
			continue;
		}
		if (i < len && p[i] == close)
			break;
		*why = i == len ? "missing closing bracket" : "expected ',' between items";
		ret = -EINVAL;
		goto out;
	}
	i++;
	if (!cvetext_blank(p + i, len - i)) {
		*why = "unexpected text after the closing bracket";
		ret = -EINVAL;
	}
out:
	strbuf_release(&item);
	return ret;
}
