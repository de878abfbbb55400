#include "analysis/confprogs.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/path.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define CONF_FILE_CAP (1u << 20) /* bytes read of one configuration file */
#define CONF_DEPTH 8             /* include levels */
#define CONF_VARS_MAX 256        /* lighttpd var.NAME assignments kept */

struct conf {
	const struct root_reader *rr;
	const struct runtimes_process *p;
	const char *server; /* "lighttpd" */
	char *root;         /* Apache's ServerRoot, relative paths' base (owned) */
	struct confprog *v;
	size_t nr, alloc;
	size_t files;
	/* lighttpd's var.NAME = "..." (names and values, owned) */
	char *var_names[CONF_VARS_MAX], *var_values[CONF_VARS_MAX];
	size_t vars_nr;
};

enum confprogs_server confprogs_server_elf(const struct elf_file *elf, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (elf_dynsym_has(elf, "config_plugin_values_init", true))
		return CONFPROGS_LIGHTTPD;
	if (elf_dynsym_has(elf, "h2o_access_log_register_configurator", true))
		return CONFPROGS_H2O;
	if (elf_dynsym_has(elf, "ap_hook_post_config", true))
		return CONFPROGS_APACHE;
	if (elf_dynsym_has(elf, "cfg_parse_listen", true))
		return CONFPROGS_HAPROXY;
	/* Postfix's postfix command and master (postconf, postqueue ... link the library too) */
	for (size_t i = 0; (!strcmp(base, "postfix") || !strcmp(base, "master")) && i < elf->dyn.needed_nr; i++)
		if (!strcmp(elf->dyn.needed[i], "libpostfix-global.so") ||
		    !strncmp(elf->dyn.needed[i], "libpostfix-global.so.", 21))
			return CONFPROGS_POSTFIX;
	return CONFPROGS_NONE;
}

enum confprogs_server confprogs_server_script(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strcmp(base ? base + 1 : path, "supervisord") ? CONFPROGS_SUPERVISORD : CONFPROGS_NONE;
}

/* Add the command of 'len' bytes at text (blanks around it dropped); returns it, or NULL when none. */
static struct confprog *conf_add(struct conf *c, const char *text, size_t len, bool shell, const char *key,
				 const char *file)
{
	struct confprog *v;

	while (len && isspace((unsigned char)*text))
		text++, len--;
	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	if (!len || c->nr >= CONFPROGS_MAX)
		return NULL;
	ALLOC_GROW(c->v, c->nr + 1, c->alloc);
	v = &c->v[c->nr++];
	v->text = xstrndup(text, len);
	v->shell = shell;
	v->file = false;
	v->why = xasprintf("%s in %s, run by %s", key, file, c->server);
	return v;
}

/* 'path' made absolute: from 'dir' (a configuration file's folder), else the working folder. */
static char *conf_path(const struct conf *c, const char *dir, const char *path)
{
	char *joined, *out;

	if (path[0] == '/')
		return path_tidy(path, strlen(path));
	joined = xasprintf("%s/%s", dir ? dir : c->p->workdir ? c->p->workdir : "", path);
	out = path_tidy(joined, strlen(joined));
	free(joined);
	return out;
}

typedef void (*conf_reader)(struct conf *c, const char *path, unsigned depth);

/* Read 'path', or each file a glob in its last component matches, with 'read'. */
static void conf_glob(struct conf *c, const char *path, unsigned depth, conf_reader read)
{
	const char *slash = strrchr(path, '/');
	char **entries, *dir;
	size_t n;

	if (depth > CONF_DEPTH || !slash)
		return;
	if (!strpbrk(slash + 1, "*?[")) {
		read(c, path, depth);
		return;
	}
	dir = xstrndup(path, (size_t)(slash - path));
	n = c->rr->list(c->rr->ctx, dir[0] ? dir : "/", &entries);
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(entries[i], '/');

		if (fnmatch(slash + 1, base ? base + 1 : entries[i], FNM_PERIOD) == 0)
			read(c, entries[i], depth);
		free(entries[i]);
	}
	free(entries);
	free(dir);
}

/* 'path' is a folder (or nothing): read its entries whose names end with 'suffix'. */
static void conf_folder(struct conf *c, const char *path, unsigned depth, const char *suffix, conf_reader read)
{
	char **entries = NULL;
	size_t n = depth < CONF_DEPTH && c->files < CONFPROGS_FILES_MAX ? c->rr->list(c->rr->ctx, path, &entries) : 0;

	for (size_t i = 0; i < n; i++) {
		if (str_has_suffix(entries[i], suffix))
			read(c, entries[i], depth + 1);
		free(entries[i]);
	}
	free(entries);
}

/* The file's text, counted against CONFPROGS_FILES_MAX; NULL when unreadable or over the limits. */
static char *conf_text(struct conf *c, const char *path, unsigned depth)
{
	char *text;

	if (depth > CONF_DEPTH || c->files >= CONFPROGS_FILES_MAX || path[0] != '/')
		return NULL;
	text = c->rr->read(c->rr->ctx, path, CONF_FILE_CAP, NULL);
	if (text)
		c->files++;
	return text;
}

/* The value of option 'opt' ("-f"; "--conf" takes "--conf=V" too) in the arguments, or NULL. */
static const char *arg_value(const struct runtimes_process *p, const char *opt, const char *long_opt)
{
	const char *v = NULL;
	size_t ll = long_opt ? strlen(long_opt) : 0;

	for (size_t i = 1; i < p->argc; i++) {
		const char *a = p->argv[i];

		if ((!strcmp(a, opt) || (long_opt && !strcmp(a, long_opt))) && i + 1 < p->argc)
			v = p->argv[++i];
		else if (!strncmp(a, opt, strlen(opt)) && a[strlen(opt)] && opt[1] != '-')
			v = a + strlen(opt);
		else if (long_opt && !strncmp(a, long_opt, ll) && a[ll] == '=')
			v = a + ll + 1;
	}
	return v;
}

/* ---- lighttpd ------------------------------------------------------------ */

enum tok_kind { TOK_END, TOK_STRING, TOK_WORD, TOK_OP };

struct tok {
	enum tok_kind kind;
	char *text; /* owned: a string's value (escapes undone), a word, an operator */
};

/* The next token of lighttpd's syntax at *s: "strings", words, operators; '#' comments skipped. */
static struct tok next_tok(const char **s)
{
	const char *p = *s;
	struct tok t = { TOK_END, NULL };

	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (*p != '#')
			break;
		while (*p && *p != '\n')
			p++;
	}
	if (!*p) {
		*s = p;
		return t;
	}
	if (*p == '"') {
		struct strbuf sb;

		strbuf_init(&sb, 0);
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			strbuf_addch(&sb, *p);
		}
		if (*p)
			p++;
		t.kind = TOK_STRING;
		t.text = strbuf_detach(&sb, NULL);
	} else if (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-') {
		const char *b = p;

		while (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-')
			p++;
		t.kind = TOK_WORD;
		t.text = xstrndup(b, (size_t)(p - b));
	} else {
		const char *b = p++;

		if (*p == '=' || *p == '>' || *p == '~')
			p++;
		t.kind = TOK_OP;
		t.text = xstrndup(b, (size_t)(p - b));
	}
	*s = p;
	return t;
}

static bool tok_is(const struct tok *t, enum tok_kind k, const char *text)
{
	return t->kind == k && (!text || !strcmp(t->text, text));
}

static const char *lighttpd_var(const struct conf *c, const char *name)
{
	for (size_t i = c->vars_nr; i-- > 0;)
		if (!strcmp(c->var_names[i], name))
			return c->var_values[i];
	if (!strncmp(name, "env.", 4) && c->p->env)
		return env_lookup(c->p->env, c->p->env_nr, name + 4);
	return NULL;
}

/*
 * An expression at *s: strings and variables joined by '+' ("a" + var.x);
 * an unknown variable or a number adds nothing.  *t is the token after it
 * on return (the caller owns it).
 */
static char *lighttpd_expr(struct conf *c, const char **s, struct tok *t)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	for (;;) {
		if (t->kind == TOK_STRING) {
			strbuf_addstr(&sb, t->text);
		} else if (t->kind == TOK_WORD) {
			const char *v = lighttpd_var(c, t->text);

			if (v)
				strbuf_addstr(&sb, v);
		} else {
			break;
		}
		free(t->text);
		*t = next_tok(s);
		if (!tok_is(t, TOK_OP, "+"))
			break;
		free(t->text);
		*t = next_tok(s);
	}
	return strbuf_detach(&sb, NULL);
}

static void lighttpd_read(struct conf *c, const char *path, unsigned depth)
{
	char *text = conf_text(c, path, depth), *dir;
	const char *s = text;
	struct tok t;
	int parens = 0, cgi_at = -1; /* '(' depth; that of cgi.assign's list, -1 outside it */
	bool cgi_next = false;       /* cgi.assign = seen: its list opens next */

	if (!text)
		return;
	dir = path_dirname(path);
	t = next_tok(&s);
	while (t.kind != TOK_END) {
		struct tok cur = t;
		bool is_include = tok_is(&cur, TOK_WORD, "include"), is_shell = tok_is(&cur, TOK_WORD, "include_shell");

		t = next_tok(&s);
		if (tok_is(&cur, TOK_OP, "(")) {
			parens++;
			if (cgi_next)
				cgi_at = parens;
			cgi_next = false;
		} else if (tok_is(&cur, TOK_OP, ")")) {
			if (parens == cgi_at)
				cgi_at = -1;
			parens -= parens > 0;
		}
		if (is_include || is_shell) {
			char *v = lighttpd_expr(c, &s, &t);

			if (is_shell) {
				conf_add(c, v, strlen(v), true, "include_shell", path);
			} else if (v[0]) {
				char *full = conf_path(c, dir, v);

				conf_glob(c, full, depth + 1, lighttpd_read);
				free(full);
			}
			free(v);
		} else if (cur.kind == TOK_WORD && (tok_is(&t, TOK_OP, "=") || tok_is(&t, TOK_OP, ":=") ||
						    tok_is(&t, TOK_OP, "+="))) {
			bool assign = t.text[0] != '+';
			char *v;

			free(t.text);
			t = next_tok(&s);
			if (!strcmp(cur.text, "cgi.assign")) {
				cgi_next = true; /* its ".ext" => "interpreter" pairs come as => below */
				free(cur.text);
				continue;
			}
			v = lighttpd_expr(c, &s, &t);
			if (!strncmp(cur.text, "var.", 4) && assign && c->vars_nr < CONF_VARS_MAX) {
				c->var_names[c->vars_nr] = xstrdup(cur.text);
				c->var_values[c->vars_nr++] = v;
				v = NULL;
			} else if ((!strcmp(cur.text, "accesslog.filename") || !strcmp(cur.text, "server.errorlog") ||
				    !strcmp(cur.text, "server.breakagelog")) && v[0] == '|') {
				conf_add(c, v + 1, strlen(v + 1), true, cur.text, path);
			}
			free(v);
		} else if (cur.kind == TOK_STRING && tok_is(&t, TOK_OP, "=>")) {
			free(t.text);
			t = next_tok(&s);
			if (t.kind == TOK_STRING) {
				char *v = lighttpd_expr(c, &s, &t);

				/* "bin-path" => "/usr/bin/php-cgi"; in cgi.assign, ".py" => "/usr/bin/python3" */
				if (!strcmp(cur.text, "bin-path"))
					conf_add(c, v, strlen(v), false, "bin-path", path);
				else if (cgi_at >= 0 && parens == cgi_at)
					conf_add(c, v, strlen(v), false, "cgi.assign", path);
				free(v);
			}
		}
		free(cur.text);
	}
	free(dir);
	free(text);
}

/* ---- h2o ----------------------------------------------------------------- */

/* The YAML scalar at v ("...", '...' or plain up to a comment), or NULL for none. */
static char *yaml_scalar(const char *v, bool *quoted)
{
	size_t len;

	v += strspn(v, " \t");
	*quoted = *v == '"' || *v == '\'';
	if (*quoted) {
		char q = *v++;
		struct strbuf sb;

		strbuf_init(&sb, 0);
		for (; *v && *v != q && *v != '\n'; v++) {
			if (q == '"' && *v == '\\' && v[1])
				v++;
			else if (q == '\'' && *v == '\'' && v[1] == '\'')
				v++;
			strbuf_addch(&sb, *v);
		}
		return strbuf_detach(&sb, NULL);
	}
	len = strcspn(v, "\n");
	for (size_t i = 0; i < len; i++)
		if (v[i] == '#' && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t'))
			len = i;
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
		len--;
	return len ? xstrndup(v, len) : NULL;
}

/* Every "|COMMAND" string in the line's text from v: h2o's piped logs. */
static void h2o_pipes(struct conf *c, const char *v, const char *key, const char *path)
{
	for (const char *q = v; (q = strpbrk(q, "\"'")); q++) {
		bool quoted;
		char *s = yaml_scalar(q, &quoted);

		if (s && s[0] == '|')
			conf_add(c, s + 1, strlen(s + 1), true, key, path);
		if (s) {
			const char *end = strchr(q + 1, *q);

			free(s);
			if (!end)
				break;
			q = end;
		}
	}
}

static void h2o_read(struct conf *c, const char *path, unsigned depth)
{
	char *text = conf_text(c, path, depth), *dir;

	if (!text)
		return;
	dir = path_dirname(path);
	for (char *line = text, *next; line && *line; line = next) {
		const char *k, *inc;
		size_t kl;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		k = line + strspn(line, " \t");
		if (k[0] == '-' && (k[1] == ' ' || k[1] == '\t'))
			k += 1 + strspn(k + 1, " \t");
		if (*k == '#')
			continue;
		if ((inc = strstr(k, "!file "))) {
			bool quoted;
			char *f = yaml_scalar(inc + 6, &quoted);

			if (f) {
				char *full = conf_path(c, dir, f);

				conf_glob(c, full, depth + 1, h2o_read);
				free(full);
				free(f);
			}
		}
		kl = strcspn(k, ": \t\"'{");
		if (k[kl] != ':')
			continue;
		if ((kl == 10 && !strncmp(k, "access-log", kl)) || (kl == 9 && !strncmp(k, "error-log", kl)) ||
		    (kl == 4 && !strncmp(k, "path", kl))) {
			char *key = xstrndup(k, kl);

			h2o_pipes(c, k + kl + 1, key, path);
			free(key);
		} else if ((kl == 13 && !strncmp(k, "fastcgi.spawn", kl)) || (kl == 7 && !strncmp(k, "command", kl))) {
			bool quoted;
			char *v = yaml_scalar(k + kl + 1, &quoted);

			/* fastcgi.spawn: "exec /usr/bin/php-cgi", or a mapping whose command: is that */
			if (v && (quoted || (v[0] != '{' && v[0] != '|' && v[0] != '>')))
				conf_add(c, v, strlen(v), true, kl == 7 ? "fastcgi.spawn's command" : "fastcgi.spawn",
					 path);
			free(v);
		}
	}
	free(dir);
	free(text);
}

/* ---- supervisord ---------------------------------------------------------- */

/* value with supervisord's %(NAME)s expansions done, for the program 'name' of the file in 'here'. */
static char *supervisor_expand(const struct conf *c, const char *value, const char *name, const char *here)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	for (const char *v = value; *v; v++) {
		const char *close;

		if (v[0] == '%' && v[1] == '%') {
			strbuf_addch(&sb, '%');
			v++;
			continue;
		}
		if (v[0] != '%' || v[1] != '(' || !(close = strchr(v + 2, ')'))) {
			strbuf_addch(&sb, *v);
			continue;
		}
		{
			char *key = xstrndup(v + 2, (size_t)(close - v - 2));
			const char *conv = close + 1;
			const char *val = NULL;

			if (!strncmp(key, "ENV_", 4) && c->p->env)
				val = env_lookup(c->p->env, c->p->env_nr, key + 4);
			else if (!strcmp(key, "here"))
				val = here;
			else if (!strcmp(key, "program_name") || !strcmp(key, "group_name"))
				val = name;
			else if (!strcmp(key, "process_num"))
				val = "0";
			/* the conversion: "s", "d", "02d" ... */
			conv += strspn(conv, "-+ #0123456789.");
			if (*conv && strchr("sdirx", *conv)) {
				strbuf_addstr(&sb, val ? val : "");
				v = conv;
			} else {
				strbuf_addch(&sb, *v);
			}
			free(key);
		}
	}
	return strbuf_detach(&sb, NULL);
}

struct sv_state {
	char *section; /* lower case, or NULL before the first */
	char *key;     /* the key whose value is being read, or NULL */
	struct strbuf value;
};

static void supervisor_read(struct conf *c, const char *path, unsigned depth);

/* The key read so far is complete: a program's command, or [include]'s files. */
static void supervisor_flush(struct conf *c, struct sv_state *st, const char *path, const char *here,
			     unsigned depth)
{
	char *v = st->value.buf, *sc;

	if (st->key && st->section && v) {
		if ((sc = strstr(v, " ;"))) /* an inline comment */
			*sc = '\0';
		if (!strcasecmp(st->key, "command") && strchr(st->section, ':')) {
			char *x = supervisor_expand(c, v, strchr(st->section, ':') + 1, here);
			char *what = xasprintf("command of [%s]", st->section);

			conf_add(c, x, strlen(x), false, what, path);
			free(what);
			free(x);
		} else if (!strcasecmp(st->key, "files") && !strcmp(st->section, "include")) {
			char *x = supervisor_expand(c, v, "", here), *save = NULL;

			for (char *f = strtok_r(x, " \t\r", &save); f; f = strtok_r(NULL, " \t\r", &save)) {
				char *full = conf_path(c, here, f);

				conf_glob(c, full, depth + 1, supervisor_read);
				free(full);
			}
			free(x);
		}
	}
	free(st->key);
	st->key = NULL;
	strbuf_reset(&st->value);
}

/* supervisord's INI file: [section]s, KEY = VALUE (or ':'), indented lines continue a value. */
static void supervisor_read(struct conf *c, const char *path, unsigned depth)
{
	char *text = conf_text(c, path, depth), *here;
	struct sv_state st = { NULL, NULL, STRBUF_INIT };

	if (!text)
		return;
	here = path_dirname(path);
	for (char *line = text, *next; line; line = next) {
		size_t kl;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((line[0] == ' ' || line[0] == '\t') && st.key && line[strspn(line, " \t\r")]) {
			strbuf_addch(&st.value, ' ');
			strbuf_addstr(&st.value, line + strspn(line, " \t"));
			continue;
		}
		supervisor_flush(c, &st, path, here, depth);
		line += strspn(line, " \t");
		if (line[0] == '[') {
			char *end = strchr(line, ']');

			free(st.section);
			st.section = end ? xstrndup(line + 1, (size_t)(end - line - 1)) : NULL;
			for (char *q = st.section; q && *q; q++)
				*q = (char)tolower((unsigned char)*q);
			continue;
		}
		if (!line[0] || line[0] == ';' || line[0] == '#' || !line[kl = strcspn(line, "=:")])
			continue;
		st.key = xstrndup(line, kl);
		for (char *e = st.key + kl; e > st.key && (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = '\0';
		line += kl + 1;
		strbuf_addstr(&st.value, line + strspn(line, " \t"));
	}
	supervisor_flush(c, &st, path, here, depth);
	strbuf_release(&st.value);
	free(st.section);
	free(here);
	free(text);
}

/* ---- Apache httpd ----------------------------------------------------------- */

/* The next word of a directive's arguments at *s: "quoted" or bare; NULL at the end. */
static char *apache_word(const char **s)
{
	const char *p = *s + strspn(*s, " \t");
	struct strbuf sb;

	if (!*p)
		return NULL;
	strbuf_init(&sb, 0);
	if (*p == '"' || *p == '\'') {
		char q = *p++;

		for (; *p && *p != q; p++) {
			if (*p == '\\' && (p[1] == q || p[1] == '\\'))
				p++;
			strbuf_addch(&sb, *p);
		}
		if (*p)
			p++;
	} else {
		/* cmd="/bin/prog -x": a quoted part keeps its blanks */
		for (bool quoted = false; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
			if (*p == '"')
				quoted = !quoted;
			else
				strbuf_addch(&sb, *p);
		}
	}
	*s = p;
	return strbuf_detach(&sb, NULL);
}

/* A piped log's target: "|$cmd" and "|cmd" run by the shell, "||cmd" not. */
static void apache_pipe(struct conf *c, const char *target, const char *key, const char *path)
{
	if (target[0] != '|')
		return;
	if (target[1] == '|')
		conf_add(c, target + 2, strlen(target + 2), false, key, path);
	else
		conf_add(c, target + 1 + (target[1] == '$'), strlen(target + 1 + (target[1] == '$')), true, key, path);
}

/* Every file down in a ScriptAlias folder is a CGI program the server may run. */
static void apache_cgi_dir(struct conf *c, const char *dir, const char *path)
{
	char **files, *full = conf_path(c, c->root, dir);
	size_t n = c->rr->walk(c->rr->ctx, full, 4, "", &files);

	for (size_t i = 0; i < n; i++) {
		struct confprog *v = conf_add(c, files[i], strlen(files[i]), false, "ScriptAlias", path);

		if (v)
			v->file = true;
		free(files[i]);
	}
	free(files);
	free(full);
}

static void apache_read(struct conf *c, const char *path, unsigned depth)
{
	char *text = conf_text(c, path, depth);

	if (!text) {
		conf_folder(c, path, depth, "", apache_read); /* Include of a folder: its files */
		return;
	}
	for (char *line = text, *next; line && *line; line = next) {
		const char *s;
		char *key, *a1 = NULL, *a2 = NULL;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* A line ending in a backslash goes on with the next (joined in place). */
		while (next && line[0] && line[strlen(line) - 1] == '\\') {
			size_t l = strlen(line);
			char *end = strchr(next, '\n');

			if (end)
				*end = '\0';
			line[l - 1] = ' ';
			memmove(line + l, next, strlen(next) + 1);
			next = end ? end + 1 : NULL;
		}
		s = line + strspn(line, " \t\r");
		if (*s == '#' || *s == '<' || !(key = apache_word(&s)))
			continue;
		a1 = apache_word(&s);
		a2 = a1 ? apache_word(&s) : NULL;
		if (a1 && (!strcasecmp(key, "Include") || !strcasecmp(key, "IncludeOptional"))) {
			char *full = conf_path(c, c->root, a1);

			conf_glob(c, full, depth + 1, apache_read);
			free(full);
		} else if (a1 && !strcasecmp(key, "ServerRoot")) {
			free(c->root);
			c->root = path_tidy(a1, strlen(a1));
		} else if (a1 && (!strcasecmp(key, "CustomLog") || !strcasecmp(key, "TransferLog") ||
				  !strcasecmp(key, "ErrorLog") || !strcasecmp(key, "GlobalLog"))) {
			apache_pipe(c, a1, key, path);
		} else if (a2 && !strcasecmp(key, "RewriteMap") && !strncasecmp(a2, "prg:", 4)) {
			/* RewriteMap NAME prg:/path/program [USER:GROUP]: run without the shell */
			conf_add(c, a2 + 4, strlen(a2 + 4), false, key, path);
		} else if (a2 && !strcasecmp(key, "ExtFilterDefine")) {
			/* ExtFilterDefine NAME [mode=...] cmd="PROGRAM ARGS": run without the shell */
			for (char *w = a2; w; free(w), w = apache_word(&s))
				if (!strncasecmp(w, "cmd=", 4))
					conf_add(c, w + 4, strlen(w + 4), false, key, path);
			a2 = NULL;
		} else if (a2 && (!strcasecmp(key, "ScriptAlias") || !strcasecmp(key, "ScriptAliasMatch"))) {
			apache_cgi_dir(c, a2, path);
		}
		free(key);
		free(a1);
		free(a2);
	}
	free(text);
}

/* ---- HAProxy ----------------------------------------------------------------- */

static void haproxy_read(struct conf *c, const char *path, unsigned depth)
{
	static const char *const sections[] = { "global", "defaults", "frontend", "backend", "listen", "program",
						"peers", "resolvers", "userlist", "mailers", "cache", "http-errors",
						"ring", "log-forward", "crt-store", "traces" };
	char *text = conf_text(c, path, depth);
	bool program = false;

	if (!text) {
		if (depth == 0) /* -f FOLDER: its .cfg files */
			conf_folder(c, path, depth, ".cfg", haproxy_read);
		return;
	}
	for (char *line = text, *next; line && *line; line = next) {
		char *hash;
		size_t kl;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		line += strspn(line, " \t");
		kl = strcspn(line, " \t\r");
		for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
			if (kl == strlen(sections[i]) && !strncmp(line, sections[i], kl))
				program = !strcmp(sections[i], "program");
		if (program && kl == 7 && !strncmp(line, "command", 7))
			conf_add(c, line + kl, strlen(line + kl), false, "command of a program section", path);
		else if (kl == 14 && !strncmp(line, "external-check", 14)) {
			const char *rest = line + kl + strspn(line + kl, " \t");

			if (!strncmp(rest, "command", 7) && (rest[7] == ' ' || rest[7] == '\t'))
				conf_add(c, rest + 7, strlen(rest + 7), false, "external-check command", path);
		}
	}
	free(text);
}

/* ---- Postfix ------------------------------------------------------------------ */

/* main.cf's value of 'key' (the last one), or NULL. */
static char *postfix_main(struct conf *c, const char *dir, const char *key)
{
	char *path = xasprintf("%s/main.cf", dir), *text = conf_text(c, path, 0), *value = NULL;
	size_t kl = strlen(key);

	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, key, kl) && strchr(" \t=", line[kl])) {
			const char *v = line + kl + strspn(line + kl, " \t");

			if (*v++ != '=')
				continue;
			v += strspn(v, " \t");
			free(value);
			value = xstrndup(v, strcspn(v, " \t\r#"));
		}
	}
	free(text);
	free(path);
	return value;
}

/*
 * master.cf: "service type private unpriv chroot wakeup maxproc command
 * args", lines that start with a blank go on with the one before.  The
 * command is in daemon_directory (or a path); a pipe or spawn service runs
 * the program its argv= names.
 */
static void postfix_master(struct conf *c, const char *dir, const char *daemons)
{
	char *path = xasprintf("%s/master.cf", dir), *text = conf_text(c, path, 0);

	for (char *line = text, *next; line && *line; line = next) {
		char *w[9] = { NULL }, *save = NULL, *argv;
		size_t n = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line == '#' || !*line)
			continue;
		/* argv=PROGRAM ... on this line or a continuation */
		if ((argv = strstr(line, "argv=")) && (argv == line || argv[-1] == ' ' || argv[-1] == '\t')) {
			conf_add(c, argv + 5, strlen(argv + 5), false, "argv= of a master.cf service", path);
			*argv = '\0';
		}
		if (*line == ' ' || *line == '\t')
			continue;
		for (char *t = strtok_r(line, " \t\r", &save); t && n < 9; t = strtok_r(NULL, " \t\r", &save))
			w[n++] = t;
		if (n >= 8 && w[7][0] != '#') {
			char *prog = w[7][0] == '/' ? xstrdup(w[7]) : xasprintf("%s/%s", daemons, w[7]);
			struct confprog *v = conf_add(c, prog, strlen(prog), false, "a master.cf service", path);

			if (v)
				v->file = true;
			free(prog);
		}
	}
	free(text);
	free(path);
}

static void postfix_read(struct conf *c, const struct runtimes_process *p)
{
	static const char *const scripts[] = { "master", "postfix-script", "postfix-tls-script", "postfix-wrapper",
					       "postmulti-script", "post-install" };
	const char *given = arg_value(p, "-c", NULL);
	const char *env = p->env ? env_lookup(p->env, p->env_nr, "MAIL_CONFIG") : NULL;
	char *dir = given || env ? conf_path(c, NULL, given ? given : env) : xstrdup("/etc/postfix");
	char *daemons = postfix_main(c, dir, "daemon_directory");
	const char *const dflt[] = { "/usr/lib/postfix/sbin", "/usr/libexec/postfix" };

	for (size_t d = 0; d < (daemons ? 1 : ARRAY_SIZE(dflt)); d++) {
		const char *dd = daemons ? daemons : dflt[d];

		for (size_t i = 0; i < ARRAY_SIZE(scripts); i++) {
			char *f = xasprintf("%s/%s", dd, scripts[i]);
			struct confprog *v = conf_add(c, f, strlen(f), false, "daemon_directory", "main.cf");

			if (v)
				v->file = true;
			free(f);
		}
		postfix_master(c, dir, dd);
	}
	free(daemons);
	free(dir);
}

/* ---- the servers' configuration files ------------------------------------ */

/*
 * Read the file the arguments name ('given', relative to the working
 * folder), else the first of 'defaults' (NULL-terminated) that exists.
 */
static void conf_start(struct conf *c, const char *given, const char *const *defaults, conf_reader read)
{
	if (given) {
		char *f = conf_path(c, NULL, given);

		read(c, f, 0);
		free(f);
		return;
	}
	for (size_t i = 0; defaults[i] && !c->files; i++)
		read(c, defaults[i], 0);
}

size_t confprogs_find(enum confprogs_server s, const struct root_reader *rr, const struct runtimes_process *p,
		      struct confprog **out)
{
	static const char *const lighttpd_confs[] = { "/etc/lighttpd/lighttpd.conf",
						      "/usr/local/etc/lighttpd/lighttpd.conf", NULL };
	static const char *const h2o_confs[] = { "/etc/h2o/h2o.conf", "/usr/local/etc/h2o/h2o.conf", NULL };
	struct conf c = { .rr = rr, .p = p };

	*out = NULL;
	switch (s) {
	case CONFPROGS_LIGHTTPD:
		c.server = "lighttpd";
		conf_start(&c, arg_value(p, "-f", NULL), lighttpd_confs, lighttpd_read);
		break;
	case CONFPROGS_H2O:
		c.server = "h2o";
		conf_start(&c, arg_value(p, "-c", "--conf"), h2o_confs, h2o_read);
		break;
	case CONFPROGS_SUPERVISORD: {
		/* supervisord's search: beside its program (../etc, ..), the working folder, /etc */
		char *bin = path_dirname(p->given ? p->given : "/usr/bin/supervisord"), *up = path_dirname(bin);
		const char *top = strcmp(up, "/") ? up : "";
		char *found[] = { xasprintf("%s/etc/supervisord.conf", top), xasprintf("%s/supervisord.conf", top),
				  conf_path(&c, NULL, "supervisord.conf"), conf_path(&c, NULL, "etc/supervisord.conf"),
				  NULL };
		const char *const defaults[] = { found[0], found[1], found[2], found[3], "/etc/supervisord.conf",
						 "/etc/supervisor/supervisord.conf", NULL };

		c.server = "supervisord";
		conf_start(&c, arg_value(p, "-c", "--configuration"), defaults, supervisor_read);
		for (size_t i = 0; found[i]; i++)
			free(found[i]);
		free(up);
		free(bin);
		break;
	}
	case CONFPROGS_APACHE: {
		/* -d ROOT, -f FILE (under the root); else the packages' places */
		static const char *const roots[][2] = { { "/etc/apache2", "apache2.conf" },
							 { "/usr/local/apache2", "conf/httpd.conf" },
							 { "/etc/httpd", "conf/httpd.conf" } };
		const char *d = arg_value(p, "-d", NULL), *f = arg_value(p, "-f", NULL);

		c.server = "apache";
		for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]) && !c.files; i++) {
			char *conf;

			free(c.root);
			c.root = d ? conf_path(&c, NULL, d) : xstrdup(roots[i][0]);
			conf = conf_path(&c, c.root, f ? f : roots[i][1]);
			apache_read(&c, conf, 0);
			free(conf);
		}
		break;
	}
	case CONFPROGS_HAPROXY: {
		static const char *const defaults[] = { "/etc/haproxy/haproxy.cfg", "/usr/local/etc/haproxy/haproxy.cfg",
							NULL };
		bool given = false;

		c.server = "haproxy";
		for (size_t i = 1; i + 1 < p->argc; i++)
			if (!strcmp(p->argv[i], "-f")) {
				char *f = conf_path(&c, NULL, p->argv[++i]);

				haproxy_read(&c, f, 0);
				given = true;
				free(f);
			}
		if (!given)
			conf_start(&c, NULL, defaults, haproxy_read);
		break;
	}
	case CONFPROGS_POSTFIX:
		c.server = "postfix";
		postfix_read(&c, p);
		break;
	default:
		break;
	}
	free(c.root);
	for (size_t i = 0; i < c.vars_nr; i++) {
		free(c.var_names[i]);
		free(c.var_values[i]);
	}
	*out = c.v;
	return c.nr;
}

void confprogs_release(struct confprog *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].why);
	}
	free(v);
}
