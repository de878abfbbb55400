#include "analysis/pycode.h"

#include <stdlib.h>
#include <string.h>

#include "util/path.h"
#include "util/xalloc.h"

void pycode_init(struct pycode *pf)
{
	memset(pf, 0, sizeof(*pf));
	strmap_init(&pf->names);
	strmap_init(&pf->libs);
	code_cmds_init(&pf->cmds);
}

void pycode_release(struct pycode *pf)
{
	strmap_release(&pf->names, NULL);
	strmap_release(&pf->libs, NULL);
	code_cmds_release(&pf->cmds);
	free(pf->first);
	memset(pf, 0, sizeof(*pf));
}

bool pycode_path_wanted(const char *path)
{
	return path_text_of(path) == PATH_TEXT_PYTHON;
}

bool pycode_script(const char *text, size_t len)
{
	const char *nl, *p;
	size_t n;

	if (len < 2 || text[0] != '#' || text[1] != '!')
		return false;
	nl = memchr(text, '\n', len);
	n = nl ? (size_t)(nl - text) : len;
	for (p = text; (p = memmem(p, n - (size_t)(p - text), "python", 6)); p += 6)
		if (p[-1] == '/' || p[-1] == ' ' || p[-1] == '\t')
			return true;
	return false;
}

bool pycode_text_may_use(const char *text, size_t len)
{
	return path_text_matters(PATH_TEXT_PYTHON, text, len);
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
	if (!n || n >= PYCODE_NAME_LEN || !ident_start((unsigned char)s[0]) || (unsigned char)s[0] >= 0x80)
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
	char buf[PYCODE_NAME_LEN];

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

/* A library named by a loading call's string argument (see pycode.h). */
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

/* What a call of function 'name' (n bytes) runs, when it is one of those pycode.h lists; 0 if none. */
enum spawn_kind { SPAWN_NONE, SPAWN_SHELL, SPAWN_WORD };

static enum spawn_kind spawn_call(const char *name, size_t n, bool dotted, const char *owner, size_t owner_n)
{
	static const char *const shell[] = { "system", "popen", "getoutput", "getstatusoutput",
					     "create_subprocess_shell", "Popen", "check_output", "check_call" };
	static const char *const word[] = { "execv", "execve", "execl", "execle", "execlp", "execlpe", "execvp",
					    "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv",
					    "spawnve", "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp",
					    "create_subprocess_exec" };

	for (size_t i = 0; i < sizeof(shell) / sizeof(shell[0]); i++)
		if (strlen(shell[i]) == n && !memcmp(shell[i], name, n))
			return SPAWN_SHELL;
	for (size_t i = 0; i < sizeof(word) / sizeof(word[0]); i++)
		if (strlen(word[i]) == n && !memcmp(word[i], name, n))
			return SPAWN_WORD;
	/* subprocess.run and subprocess.call: other run()s and call()s are not. */
	if (dotted && owner_n == 10 && !memcmp(owner, "subprocess", 10) &&
	    ((n == 3 && !memcmp(name, "run", 3)) || (n == 4 && !memcmp(name, "call", 4))))
		return SPAWN_SHELL;
	return SPAWN_NONE;
}

/* Does the code name a function that runs programs (pycode.h)? */
static bool runs_programs(const char *name, size_t n)
{
	return (n == 10 && !memcmp(name, "subprocess", 10)) ||
	       spawn_call(name, n, false, NULL, 0) != SPAWN_NONE;
}

/* The commands one file gives, kept until its code shows it runs programs. */
struct spans {
	struct { const char *s; size_t n; enum code_cmd_kind kind; } *v;
	size_t nr, alloc;
};

static void span_add(struct spans *sp, const char *s, size_t n, enum code_cmd_kind kind)
{
	if (sp->nr >= CODE_CMDS_MAX)
		return;
	ALLOC_GROW(sp->v, sp->nr + 1, sp->alloc);
	sp->v[sp->nr].s = s;
	sp->v[sp->nr].n = n;
	sp->v[sp->nr++].kind = kind;
}

void pycode_scan_file(struct pycode *pf, const char *path, const char *text, size_t len)
{
	struct scan sc = { STRMAP_INIT, STRMAP_INIT, STRMAP_INIT, false, false };
	struct spans sp = { NULL, 0, 0 };
	bool after_dot = false; /* the last token was a '.' */
	int lib_arg = 0;        /* 1: a loading call's name seen, 2: and its '(' */
	bool runs = false;      /* the code names a function that runs programs */
	/* The last identifier (id_n 0: the last token was none), whether a '.' came before it, and what came before that. */
	const char *id = NULL, *owner = NULL;
	size_t id_n = 0, owner_n = 0;
	bool id_dotted = false;
	/* A call that runs programs: 1, its '(' seen; 2, and a '[' or '(' opening its first argument. */
	enum spawn_kind call = SPAWN_NONE;
	int call_stage = 0;
	/* A list or tuple: 1, opened; 2, its first element a string (first); 3, and a ',' after it. */
	int list = 0;
	const char *first = NULL;
	size_t first_n = 0;

	if (!pycode_text_may_use(text, len))
		return;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)text[i];
		const char *prev_id = id;
		size_t prev_id_n = id_n;
		bool prev_dotted = id_dotted;

		if (c == '#') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\\') {
			i++;
			continue;
		}
		id_n = 0;
		if (c == '\'' || c == '"') {
			size_t body, body_len;

			i = string_end(text, len, i, &body, &body_len);
			put_name(&sc.names, text + body, body_len);
			cdef_names(&sc, text + body, body_len);
			if (lib_arg == 2)
				put_lib(&sc, text + body, body_len);
			if (body_len > 1 && text[body] == '/')
				span_add(&sp, text + body, body_len, CODE_CMD_PATH);
			if (call_stage == 1)
				span_add(&sp, text + body, body_len, call == SPAWN_SHELL ? CODE_CMD_SHELL : CODE_CMD_WORD);
			else if (call_stage == 2)
				span_add(&sp, text + body, body_len, CODE_CMD_WORD);
			if (list == 1) {
				first = text + body;
				first_n = body_len;
				list = 2;
			} else if (list == 3) {
				if (body_len > 1 && text[body] == '-')
					span_add(&sp, first, first_n, CODE_CMD_WORD);
				list = 0;
			} else {
				list = 0;
			}
			after_dot = false;
			lib_arg = 0;
			call_stage = 0;
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
			runs = runs || runs_programs(text + b, i - b);
			lib_arg = loads_library(text + b, i - b) ? 1 : 0;
			id = text + b;
			id_n = i - b;
			id_dotted = after_dot;
			after_dot = false;
			call_stage = 0;
			list = 0;
			continue;
		}
		if (c >= '0' && c <= '9') {
			/* A number, with its dots and exponent (1.5e3): not an attribute. */
			while (i < len && (ident_char((unsigned char)text[i]) || text[i] == '.'))
				i++;
			after_dot = false;
			lib_arg = 0;
			call_stage = 0;
			list = 0;
			continue;
		}
		after_dot = c == '.' && !(i + 1 < len && text[i + 1] == '.');
		if (c == '.' && !after_dot) {
			while (i < len && text[i] == '.')
				i++; /* an ellipsis */
			lib_arg = 0;
			call_stage = 0;
			list = 0;
			continue;
		}
		if (after_dot) {
			/* IDENT '.': the owner of the attribute that may follow. */
			owner = prev_id;
			owner_n = prev_id_n;
		}
		lib_arg = lib_arg == 1 && c == '(' ? 2 : 0;
		if (c == '(' && prev_id_n &&
		    (call = spawn_call(prev_id, prev_id_n, prev_dotted, owner, owner_n)) != SPAWN_NONE)
			call_stage = 1;
		else if ((c == '[' || c == '(') && call_stage == 1)
			call_stage = 2;
		else
			call_stage = 0;
		if (c == '[' || c == '(')
			list = 1;
		else if (c == ',' && list == 2)
			list = 3;
		else
			list = 0;
		i++;
	}
	if (sc.ctypes || sc.cffi) {
		bool mechanism = strstr(path, "/ctypes/") || strstr(path, "/cffi/");

		/* The packages' own code is the mechanism: its names are its internals. */
		if (!mechanism) {
			pf->files++;
			pf->bytes += len;
			if (!pf->first)
				pf->first = xstrdup(path);
			merge(&pf->names, &sc.names, PYCODE_NAMES_MAX, &pf->names_cut);
			if (sc.cffi)
				merge(&pf->names, &sc.cdefs, PYCODE_NAMES_MAX, &pf->names_cut);
			merge(&pf->libs, &sc.libs, PYCODE_LIBS_MAX, NULL);
		}
	}
	if (runs && sp.nr) {
		pf->cmds.files++;
		for (size_t k = 0; k < sp.nr; k++) {
			if (sp.v[k].kind == CODE_CMD_WORD)
				code_cmds_put_word(&pf->cmds, sp.v[k].s, sp.v[k].n, path);
			else
				code_cmds_put(&pf->cmds, sp.v[k].kind, sp.v[k].s, sp.v[k].n, path);
		}
	}
	free(sp.v);
	strmap_release(&sc.names, NULL);
	strmap_release(&sc.cdefs, NULL);
	strmap_release(&sc.libs, NULL);
}

const char **pycode_names(const struct pycode *pf, size_t *nr)
{
	*nr = pf->names.nr;
	return strmap_sorted_keys(&pf->names);
}

const char **pycode_libs(const struct pycode *pf, size_t *nr)
{
	*nr = pf->libs.nr;
	return strmap_sorted_keys(&pf->libs);
}
