#include "analysis/pyffi.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void pyffi_init(struct pyffi *pf)
{
	memset(pf, 0, sizeof(*pf));
	strmap_init(&pf->names);
	strmap_init(&pf->libs);
}

void pyffi_release(struct pyffi *pf)
{
	strmap_release(&pf->names, NULL);
	strmap_release(&pf->libs, NULL);
	free(pf->first);
	memset(pf, 0, sizeof(*pf));
}

bool pyffi_path_wanted(const char *path)
{
	size_t n = strlen(path);

	/* The packages' own code is the mechanism: its names are its internals. */
	return n > 3 && !strcmp(path + n - 3, ".py") && !strstr(path, "/ctypes/") && !strstr(path, "/cffi/");
}

bool pyffi_text_may_use(const char *text, size_t len)
{
	return memmem(text, len, "ctypes", 6) || memmem(text, len, "cffi", 4);
}

static bool ident_start(unsigned char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

/* Is s (n bytes) a C identifier a library may export? */
static bool c_ident(const char *s, size_t n)
{
	if (!n || n >= PYFFI_NAME_LEN || !ident_start((unsigned char)s[0]) || (unsigned char)s[0] >= 0x80)
		return false;
	for (size_t i = 1; i < n; i++)
		if (!ident_char((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* What one file gives, kept until its code shows it uses ctypes or cffi. */
struct scan {
	struct strmap names, cdefs, libs;
	bool ctypes, cffi;
};

static void put_name(struct strmap *m, const char *s, size_t n)
{
	char buf[PYFFI_NAME_LEN];

	if (!c_ident(s, n))
		return;
	memcpy(buf, s, n);
	buf[n] = '\0';
	strmap_put(m, buf, NULL);
}

/* The identifiers followed by '(' in a string's content: what a cffi cdef() declares. */
static void cdef_names(struct scan *sc, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t b = i, e;

		if (s[i] == '\\') {
			i += 2; /* an escape ("\n") is no letter of a name */
			continue;
		}
		if (!ident_char((unsigned char)s[i])) {
			i++;
			continue;
		}
		while (i < n && ident_char((unsigned char)s[i]))
			i++;
		e = i;
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
			i++;
		/* A word starting with a digit is a number's: put_name() refuses it. */
		if (i < n && s[i] == '(')
			put_name(&sc->cdefs, s + b, e - b);
	}
}

/* A library named by a loading call's string argument (see pyffi.h). */
static void put_lib(struct scan *sc, const char *s, size_t n)
{
	char *name;

	if (!n || n > 4096 || memchr(s, '\0', n) || memchr(s, '\n', n) || memchr(s, '\\', n))
		return;
	if (memchr(s, '/', n) || memmem(s, n, ".so", 3))
		name = xstrndup(s, n);
	else if (c_ident(s, n) || memchr(s, '-', n) || memchr(s, '.', n) || memchr(s, '+', n))
		name = n > 3 && !memcmp(s, "lib", 3) ? xasprintf("%.*s.so*", (int)n, s)
						     : xasprintf("lib%.*s.so*", (int)n, s);
	else
		return;
	strmap_put(&sc->libs, name, NULL);
	free(name);
}

static bool loads_library(const char *s, size_t n)
{
	static const char *const fns[] = { "CDLL", "PyDLL", "LoadLibrary", "find_library", "dlopen" };

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strlen(fns[i]) == n && !memcmp(fns[i], s, n))
			return true;
	return false;
}

/* The end of the string literal whose opening quote is at text[i] (one past its closing quote). */
static size_t string_end(const char *text, size_t len, size_t i, size_t *body, size_t *body_len)
{
	char q = text[i];
	size_t ql = i + 2 < len && text[i + 1] == q && text[i + 2] == q ? 3 : 1;
	size_t k = i + ql;

	*body = k;
	while (k < len) {
		if (text[k] == '\\') {
			k += 2;
			continue;
		}
		if (ql == 1 && text[k] == '\n')
			break; /* an unterminated one-line string ends at its line */
		if (text[k] == q && (ql == 1 || (k + 2 < len && text[k + 1] == q && text[k + 2] == q))) {
			*body_len = k - *body;
			return k + ql;
		}
		k++;
	}
	if (k > len)
		k = len;
	*body_len = k - *body;
	return k;
}

static void merge(struct strmap *into, const struct strmap *from, size_t cap, bool *cut)
{
	struct strmap_entry *e;

	for (size_t it = 0; strmap_next(from, &it, &e);) {
		if (into->nr >= cap && !strmap_contains(into, e->key)) {
			if (cut)
				*cut = true;
			continue;
		}
		strmap_put(into, e->key, NULL);
	}
}

void pyffi_scan_file(struct pyffi *pf, const char *path, const char *text, size_t len)
{
	struct scan sc = { STRMAP_INIT, STRMAP_INIT, STRMAP_INIT, false, false };
	bool after_dot = false; /* the last token was a '.' */
	int lib_arg = 0;        /* 1: a loading call's name seen, 2: and its '(' */

	if (!pyffi_text_may_use(text, len))
		return;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)text[i];

		if (c == '#') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\\') {
			i++;
			continue;
		}
		if (c == '\'' || c == '"') {
			size_t body, body_len;

			i = string_end(text, len, i, &body, &body_len);
			put_name(&sc.names, text + body, body_len);
			cdef_names(&sc, text + body, body_len);
			if (lib_arg == 2)
				put_lib(&sc, text + body, body_len);
			after_dot = false;
			lib_arg = 0;
			continue;
		}
		if (ident_start(c)) {
			size_t b = i;

			while (i < len && ident_char((unsigned char)text[i]))
				i++;
			/* A string's prefix (r"", b'', rb"", f"...") is part of it. */
			if (i < len && (text[i] == '\'' || text[i] == '"') && i - b <= 2 &&
			    strspn(text + b, "rRbBuUfF") >= i - b)
				continue;
			if (after_dot)
				put_name(&sc.names, text + b, i - b);
			else if (i - b == 6 && !memcmp(text + b, "ctypes", 6))
				sc.ctypes = true;
			else if (i - b == 4 && !memcmp(text + b, "cffi", 4))
				sc.cffi = true;
			lib_arg = loads_library(text + b, i - b) ? 1 : 0;
			after_dot = false;
			continue;
		}
		if (c >= '0' && c <= '9') {
			/* A number, with its dots and exponent (1.5e3): not an attribute. */
			while (i < len && (ident_char((unsigned char)text[i]) || text[i] == '.'))
				i++;
			after_dot = false;
			lib_arg = 0;
			continue;
		}
		after_dot = c == '.' && !(i + 1 < len && text[i + 1] == '.');
		if (c == '.' && !after_dot) {
			while (i < len && text[i] == '.')
				i++; /* an ellipsis */
			lib_arg = 0;
			continue;
		}
		lib_arg = lib_arg == 1 && c == '(' ? 2 : 0;
		i++;
	}
	if (sc.ctypes || sc.cffi) {
		pf->files++;
		pf->bytes += len;
		if (!pf->first)
			pf->first = xstrdup(path);
		merge(&pf->names, &sc.names, PYFFI_NAMES_MAX, &pf->names_cut);
		if (sc.cffi)
			merge(&pf->names, &sc.cdefs, PYFFI_NAMES_MAX, &pf->names_cut);
		merge(&pf->libs, &sc.libs, PYFFI_LIBS_MAX, NULL);
	}
	strmap_release(&sc.names, NULL);
	strmap_release(&sc.cdefs, NULL);
	strmap_release(&sc.libs, NULL);
}

const char **pyffi_names(const struct pyffi *pf, size_t *nr)
{
	*nr = pf->names.nr;
	return strmap_sorted_keys(&pf->names);
}

const char **pyffi_libs(const struct pyffi *pf, size_t *nr)
{
	*nr = pf->libs.nr;
	return strmap_sorted_keys(&pf->libs);
}
