#include "analysis/shwords.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define WORD_MAX 256      /* longer words are not names of programs */
#define NEST_MAX 16       /* $(...) and `...` inside each other */
#define HEREDOCS_MAX 4    /* here-documents started on one line */

/* Why a word cannot name a program by itself. */
enum {
	W_QUOTED = 1 << 0,   /* '...', "...", \c */
	W_EXPANDED = 1 << 1, /* $x, ${x}, $(...), `...` */
	W_GLOB = 1 << 2,     /* * ? [ */
	W_ASSIGN = 1 << 3,   /* NAME=... */
	W_TRUNCATED = 1 << 4, /* too long, or holds a NUL byte */
};

struct word {
	char text[WORD_MAX + 1];
	size_t len;
	unsigned flags;
	const char *raw;  /* the word as written, quotes and expansions included */
	size_t raw_len;
};

/* A variable assigned in the script: NAME=VALUE (VALUE as written). */
struct assign {
	char *name, *value;
};

struct sh {
	const char *p, *end;
	char **cmds;
	size_t nr, alloc;
	char **funcs;
	size_t funcs_nr, funcs_alloc;
	struct {
		char delim[WORD_MAX + 1];
		bool strip_tabs; /* <<- */
	} heredocs[HEREDOCS_MAX];
	size_t heredocs_nr;
	unsigned nest;
	/* What needs the variables: resolved once the whole text (and what it sources) is read. */
	struct assign *assigns;
	size_t assigns_nr, assigns_alloc;
	char **dyn;               /* command words with expansions, as written */
	size_t dyn_nr, dyn_alloc;
	char **evaled;            /* quoted or expanded command words after 'eval', as written */
	size_t evaled_nr, evaled_alloc;
	char **sourced;           /* the words after '.' and 'source', as written */
	size_t sourced_nr, sourced_alloc;
};

/* Programs that run the command their arguments name. */
static const struct wrapper {
	const char *name;
	unsigned positional; /* arguments before the command (gosu USER CMD) */
	const char *opt_args; /* short options that take an argument */
	bool program;         /* a program (not a builtin) itself */
} wrappers[] = {
	{ "exec", 0, "a", false },    { "command", 0, "", false }, { "nohup", 0, "", true },
	{ "nice", 0, "n", true },     { "env", 0, "uSC", true },   { "timeout", 1, "sk", true },
	{ "gosu", 1, "", true },      { "su-exec", 1, "", true },  { "chroot", 1, "", true },
	{ "xargs", 0, "nIPdsLaE", true }, { "setpriv", 0, "", true }, { "stdbuf", 0, "ioe", true },
	{ "ionice", 0, "cnp", true }, { "taskset", 1, "", true },  { "unshare", 0, "", true },
	{ "runuser", 0, "ugl", true }, { "sudo", 0, "ugCDhpRrTU", true }, { "tini", 0, "sep", true },
	{ "dumb-init", 0, "r", true }, { "flock", 1, "wEs", true }, { "eval", 0, "", false },
};

/* Shells: NAME -c STRING runs STRING's commands. */
static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh" };

static const char *const builtins[] = {
	".", ":", "[", "[[", "alias", "bg", "break", "builtin", "cd", "continue", "declare", "echo",
	"exit", "export", "false", "fg", "getopts", "hash", "jobs", "kill", "let", "local", "mapfile", "printf",
	"pwd", "read", "readarray", "readonly", "return", "set", "shift", "shopt", "source", "test", "trap",
	"true", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait",
};

/* Reserved words after which a command starts. */
static const char *const openers[] = { "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time" };

static bool in_list(const char *w, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w, v[i]))
			return true;
	return false;
}

static void push_unique(char ***v, size_t *nr, size_t *alloc, const char *w)
{
	if (*nr >= SHWORDS_MAX || in_list(w, (const char *const *)*v, *nr))
		return;
	ALLOC_GROW(*v, *nr + 1, *alloc);
	(*v)[(*nr)++] = xstrdup(w);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Does an unquoted c end a word? */
static bool delimiter(char c)
{
	return blank(c) || (c && strchr("\n;&|()<>`", c) != NULL);
}

static bool identifier(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_'))
			return false;
	return true;
}

static void scan(struct sh *sh, char closer);
static void expansions_until(struct sh *sh, char end);

/* Skip to the ')' that closes an already opened '(' (counting nesting, for $((...)) and ${...}). */
static void skip_balanced(struct sh *sh, char open, char close)
{
	for (unsigned depth = 1; sh->p < sh->end && depth; sh->p++) {
		if (*sh->p == '\\' && sh->p + 1 < sh->end)
			sh->p++;
		else if (*sh->p == open)
			depth++;
		else if (*sh->p == close)
			depth--;
	}
}

/* After "$(" or "`": the commands inside. */
static void substitution(struct sh *sh, char closer)
{
	if (sh->nest >= NEST_MAX) {
		skip_balanced(sh, closer == ')' ? '(' : '\0', closer);
		return;
	}
	sh->nest++;
	scan(sh, closer);
	sh->nest--;
}

/* '$' at sh->p: an expansion; command substitutions are scanned. */
static void dollar(struct sh *sh)
{
	sh->p++;
	if (sh->p + 1 < sh->end && sh->p[0] == '(' && sh->p[1] == '(') {
		sh->p += 2;
		skip_balanced(sh, '(', ')');
		if (sh->p < sh->end && *sh->p == ')')
			sh->p++;
	} else if (sh->p < sh->end && *sh->p == '(') {
		sh->p++;
		substitution(sh, ')');
	} else if (sh->p < sh->end && *sh->p == '{') { /* ${x:-$(cmd)}: substitutions inside too */
		sh->p++;
		expansions_until(sh, '}');
	}
}

/* Text up to and past 'end' ('"', '}'), whose $... and `...` are read. */
static void expansions_until(struct sh *sh, char end)
{
	while (sh->p < sh->end && *sh->p != end) {
		if (*sh->p == '\\' && sh->p + 1 < sh->end) {
			sh->p += 2;
		} else if (*sh->p == '$' && sh->nest < NEST_MAX) {
			sh->nest++;
			dollar(sh);
			sh->nest--;
		} else if (*sh->p == '`') {
			sh->p++;
			substitution(sh, '`');
		} else {
			sh->p++;
		}
	}
	if (sh->p < sh->end)
		sh->p++;
}

/* A word at sh->p (quotes, escapes and expansions inside it; substitutions scanned). */
static void read_word(struct sh *sh, struct word *w)
{
	w->len = 0;
	w->flags = 0;
	w->raw = sh->p;
	while (sh->p < sh->end && !delimiter(*sh->p)) {
		char c = *sh->p;

		if (c == '\\') {
			w->flags |= W_QUOTED;
			sh->p += sh->p + 1 < sh->end ? 2 : 1;
			continue;
		}
		if (c == '\'') {
			const char *q = memchr(sh->p + 1, '\'', (size_t)(sh->end - sh->p - 1));

			w->flags |= W_QUOTED;
			sh->p = q ? q + 1 : sh->end;
			continue;
		}
		if (c == '"') {
			const char *q = ++sh->p;

			w->flags |= W_QUOTED;
			expansions_until(sh, '"');
			if (memchr(q, '$', (size_t)(sh->p - q)) || memchr(q, '`', (size_t)(sh->p - q)))
				w->flags |= W_EXPANDED;
			continue;
		}
		if (c == '$') {
			w->flags |= W_EXPANDED;
			dollar(sh);
			continue;
		}
		if (c == '*' || c == '?' || c == '[')
			w->flags |= W_GLOB;
		if (c == '\0') { /* not text: the word names nothing */
			w->flags |= W_TRUNCATED;
			sh->p++;
			continue;
		}
		if (c == '=' && !(w->flags & (W_QUOTED | W_EXPANDED | W_ASSIGN)) && identifier(w->text, w->len))
			w->flags |= W_ASSIGN;
		if (w->len < WORD_MAX)
			w->text[w->len++] = c;
		else
			w->flags |= W_TRUNCATED;
		sh->p++;
	}
	w->text[w->len] = '\0';
	w->raw_len = (size_t)(sh->p - w->raw);
}

/* "<<" at sh->p: remember the here-document's delimiter; its body starts at the next line. */
static void heredoc(struct sh *sh)
{
	struct word w;
	bool strip = false;

	sh->p += 2;
	if (sh->p < sh->end && *sh->p == '<') { /* <<< word: a here-string */
		sh->p++;
		while (sh->p < sh->end && blank(*sh->p))
			sh->p++;
		read_word(sh, &w);
		return;
	}
	if (sh->p < sh->end && *sh->p == '-') {
		strip = true;
		sh->p++;
	}
	while (sh->p < sh->end && blank(*sh->p))
		sh->p++;
	{
		/* The delimiter with its quotes removed ('EOF', "EOF", \EOF). */
		const char *start = sh->p;
		size_t n = 0;
		char *d;

		read_word(sh, &w); /* may start here-documents itself: $(cat <<X) */
		if (sh->heredocs_nr >= HEREDOCS_MAX)
			return;
		d = sh->heredocs[sh->heredocs_nr].delim;
		for (const char *c = start; c < sh->p && n < WORD_MAX; c++)
			if (*c != '\'' && *c != '"' && *c != '\\')
				d[n++] = *c;
		if (n) {
			d[n] = '\0';
			sh->heredocs[sh->heredocs_nr++].strip_tabs = strip;
		}
	}
}

/* At the start of a line: skip the bodies of the here-documents started on the line before. */
static void heredoc_bodies(struct sh *sh)
{
	for (size_t k = 0; k < sh->heredocs_nr; k++) {
		const char *delim = sh->heredocs[k].delim;
		size_t dl = strlen(delim);

		while (sh->p < sh->end) {
			const char *line = sh->p, *nl = memchr(line, '\n', (size_t)(sh->end - line));
			const char *stop = nl ? nl : sh->end;

			while (sh->heredocs[k].strip_tabs && line < stop && *line == '\t')
				line++;
			sh->p = nl ? nl + 1 : sh->end;
			if ((size_t)(stop - line) == dl && !memcmp(line, delim, dl))
				break;
		}
	}
	sh->heredocs_nr = 0;
}

/* Where a word stands in its simple command. */
enum at {
	AT_COMMAND,   /* the command word (or an opener, an assignment ...) */
	AT_ARGS,      /* an argument */
	AT_WRAPPED,   /* an argument of a wrapper, before the command it runs */
	AT_CASE_WORD, /* case WORD in */
	AT_CASE_IN,
	AT_FOR,       /* for NAME in WORDS; */
	AT_FUNCTION,  /* function NAME */
	AT_SHELL,     /* an argument of a shell (sh, bash ...) or of su/runuser, before its -c STRING */
};

struct cmd_state {
	enum at at;
	const struct wrapper *wrap;
	unsigned positional, skip_next;
	bool pattern;     /* a case pattern comes next */
	bool assigns;     /* export/readonly/local/declare/typeset: NAME=VALUE arguments assign */
	bool source;      /* '.' or 'source': the next word names a file */
	bool evaled;      /* after 'eval' (and wrappers): the command word is parsed again */
	bool shell_c;     /* AT_SHELL: the next word is the -c STRING */
	bool su;          /* AT_SHELL: of su or runuser (a user name may come first; -s takes a value) */
	unsigned cases;   /* open case ... esac */
	unsigned parens;  /* ( subshells opened in this scan */
};

/* Keep a copy of what a word says, as written, in a list bounded by SHWORDS_MAX. */
static void keep_raw(char ***v, size_t *nr, size_t *alloc, const char *raw, size_t len)
{
	if (*nr >= SHWORDS_MAX || len > WORD_MAX * 4)
		return;
	ALLOC_GROW(*v, *nr + 1, *alloc);
	(*v)[(*nr)++] = xstrndup(raw, len);
}

/* NAME=VALUE: remember VALUE as written. */
static void keep_assign(struct sh *sh, const struct word *w)
{
	const char *eq = memchr(w->raw, '=', w->raw_len);

	if (!eq || sh->assigns_nr >= SHWORDS_MAX || w->raw_len > WORD_MAX * 4)
		return;
	ALLOC_GROW(sh->assigns, sh->assigns_nr + 1, sh->assigns_alloc);
	sh->assigns[sh->assigns_nr++] = (struct assign){ xstrndup(w->raw, (size_t)(eq - w->raw)),
							 xstrndup(eq + 1, (size_t)(w->raw + w->raw_len - eq - 1)) };
}

static void on_command_word(struct sh *sh, struct cmd_state *st, const struct word *w)
{
	const char *t = w->text;
	bool evaled = st->evaled;

	st->assigns = st->source = st->evaled = false;
	if (w->flags & W_ASSIGN) {
		keep_assign(sh, w);
		st->evaled = evaled;
		return; /* stays a command position */
	}
	/*
	 * eval exec "\"$_RUNJAVA\"" (Tomcat's catalina.sh): the shell parses
	 * the word's value again, so its quotes go and its first word is the
	 * command; read once all variables are known.
	 */
	if (evaled && (w->flags & (W_QUOTED | W_EXPANDED)) && !(w->flags & (W_GLOB | W_TRUNCATED))) {
		keep_raw(&sh->evaled, &sh->evaled_nr, &sh->evaled_alloc, w->raw, w->raw_len);
		st->at = AT_ARGS;
		return;
	}
	/* "$cmd", ${PROG:-nginx}: what the variables can hold, once all are known. */
	if ((w->flags & W_EXPANDED) && !(w->flags & (W_GLOB | W_TRUNCATED)))
		keep_raw(&sh->dyn, &sh->dyn_nr, &sh->dyn_alloc, w->raw, w->raw_len);
	if (w->flags & (W_EXPANDED | W_GLOB | W_TRUNCATED)) {
		st->at = AT_ARGS;
		return;
	}
	/* 'prog', "/usr/bin/java": a name all the same, once its quotes are gone. */
	if (w->flags & W_QUOTED) {
		keep_raw(&sh->dyn, &sh->dyn_nr, &sh->dyn_alloc, w->raw, w->raw_len);
		st->at = AT_ARGS;
		return;
	}
	if (!w->len) {
		st->at = AT_ARGS;
		return;
	}
	if (in_list(t, openers, ARRAY_SIZE(openers)))
		return;
	if (!strcmp(t, "fi") || !strcmp(t, "done") || !strcmp(t, "}")) {
		st->at = AT_ARGS;
		return;
	}
	if (!strcmp(t, "esac")) { /* after a last branch without ;; */
		st->cases -= st->cases > 0;
		st->at = AT_ARGS;
		return;
	}
	if (!strcmp(t, "case")) {
		st->at = AT_CASE_WORD;
		return;
	}
	if (!strcmp(t, "for") || !strcmp(t, "select")) {
		st->at = AT_FOR;
		return;
	}
	if (!strcmp(t, "function")) {
		st->at = AT_FUNCTION;
		return;
	}
	/*
	 * sh -c STRING, bash -ec STRING, su USER -c STRING: the string is shell
	 * text whose commands run too (read like an eval's, once variables are
	 * known).
	 */
	{
		const char *base = strrchr(t, '/');

		base = base ? base + 1 : t;
		if (in_list(base, shells, ARRAY_SIZE(shells)) || !strcmp(base, "su") || !strcmp(base, "runuser")) {
			push_unique(&sh->cmds, &sh->nr, &sh->alloc, t);
			st->at = AT_SHELL;
			st->shell_c = false;
			st->su = !strcmp(base, "su") || !strcmp(base, "runuser");
			st->skip_next = 0;
			return;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(wrappers); i++)
		if (!strcmp(t, wrappers[i].name)) {
			if (wrappers[i].program)
				push_unique(&sh->cmds, &sh->nr, &sh->alloc, t);
			st->wrap = &wrappers[i];
			st->positional = wrappers[i].positional;
			st->skip_next = 0;
			st->at = AT_WRAPPED;
			st->evaled = evaled || !strcmp(t, "eval");
			return;
		}
	st->at = AT_ARGS;
	if (in_list(t, builtins, ARRAY_SIZE(builtins))) {
		st->source = !strcmp(t, ".") || !strcmp(t, "source");
		st->assigns = !strcmp(t, "export") || !strcmp(t, "readonly") || !strcmp(t, "local") ||
			      !strcmp(t, "declare") || !strcmp(t, "typeset");
		return;
	}
	/* NAME() { ...: a function definition. */
	{
		const char *q = sh->p;

		while (q < sh->end && blank(*q))
			q++;
		if (q + 1 < sh->end && q[0] == '(' && q[1] == ')') {
			push_unique(&sh->funcs, &sh->funcs_nr, &sh->funcs_alloc, t);
			sh->p = q + 2;
			st->at = AT_COMMAND;
			return;
		}
	}
	push_unique(&sh->cmds, &sh->nr, &sh->alloc, t);
}

static void on_word(struct sh *sh, struct cmd_state *st, const struct word *w)
{
	if (st->pattern) { /* a case pattern, up to its ')' */
		if (!strcmp(w->text, "esac") && !(w->flags & W_QUOTED)) {
			st->pattern = false;
			st->cases -= st->cases > 0;
			st->at = AT_ARGS;
		}
		return;
	}
	switch (st->at) {
	case AT_COMMAND:
		on_command_word(sh, st, w);
		break;
	case AT_WRAPPED:
		if (st->skip_next) {
			st->skip_next = 0;
		} else if (w->text[0] == '-' && !(w->flags & W_QUOTED)) {
			if (!strcmp(st->wrap->name, "command") && (!strcmp(w->text, "-v") || !strcmp(w->text, "-V")))
				st->at = AT_ARGS; /* a lookup, not a run */
			else if (w->len == 2 && strchr(st->wrap->opt_args, w->text[1]))
				st->skip_next = 1;
		} else if ((w->flags & W_ASSIGN) && !strcmp(st->wrap->name, "env")) {
			/* env NAME=VALUE ... */
		} else if (st->positional) {
			st->positional--;
		} else {
			st->at = AT_COMMAND;
			on_command_word(sh, st, w);
		}
		break;
	case AT_SHELL:
		if (st->shell_c) {
			keep_raw(&sh->evaled, &sh->evaled_nr, &sh->evaled_alloc, w->raw, w->raw_len);
			st->at = AT_ARGS;
		} else if (st->skip_next) {
			st->skip_next = 0;
		} else if (w->text[0] == '-' && w->text[1] && !(w->flags & W_QUOTED) && strcmp(w->text, "--")) {
			if (!strcmp(w->text, "--command") || (w->text[1] != '-' && strchr(w->text + 1, 'c')))
				st->shell_c = true;
			else if (st->su && w->len == 2 && strchr("sgGu", w->text[1]))
				st->skip_next = 1; /* su -s SHELL, -g GROUP */
		} else if (!st->su) {
			st->at = AT_ARGS; /* sh SCRIPT ARGS: a script, not a string */
		}
		break;
	case AT_CASE_WORD:
		st->at = AT_CASE_IN;
		break;
	case AT_CASE_IN:
		if (!strcmp(w->text, "in")) {
			st->pattern = true;
			st->cases++;
			st->at = AT_COMMAND;
		}
		break;
	case AT_FOR:
		if (!strcmp(w->text, "do"))
			st->at = AT_COMMAND;
		break;
	case AT_FUNCTION:
		push_unique(&sh->funcs, &sh->funcs_nr, &sh->funcs_alloc, w->text);
		if (sh->p + 1 < sh->end && sh->p[0] == '(' && sh->p[1] == ')')
			sh->p += 2;
		st->at = AT_COMMAND;
		break;
	case AT_ARGS:
		if (st->source) {
			keep_raw(&sh->sourced, &sh->sourced_nr, &sh->sourced_alloc, w->raw, w->raw_len);
			st->source = false;
		} else if (st->assigns && (w->flags & W_ASSIGN)) {
			keep_assign(sh, w);
		}
		break;
	}
}

/* Commands until 'closer' (')' of $(, '`', or '\0': the end of the text). */
static void scan(struct sh *sh, char closer)
{
	struct cmd_state st = { .at = AT_COMMAND };
	struct word w;

	while (sh->p < sh->end) {
		char c = *sh->p;

		if (blank(c)) {
			sh->p++;
		} else if (c == '\\' && sh->p + 1 < sh->end && sh->p[1] == '\n') {
			sh->p += 2;
		} else if (c == '#') {
			const char *nl = memchr(sh->p, '\n', (size_t)(sh->end - sh->p));

			sh->p = nl ? nl : sh->end;
		} else if (c == '\n') {
			sh->p++;
			heredoc_bodies(sh);
			st.at = AT_COMMAND;
		} else if (c == ';') {
			sh->p++;
			if (sh->p < sh->end && (*sh->p == ';' || *sh->p == '&')) { /* ;; ;& ;;& end a case branch */
				sh->p += 1 + (sh->p + 1 < sh->end && sh->p[1] == '&');
				st.pattern = st.cases > 0;
			}
			st.at = AT_COMMAND;
		} else if (c == '&' || c == '|') {
			sh->p += 1 + (sh->p + 1 < sh->end && sh->p[1] == c);
			if (!st.pattern)
				st.at = AT_COMMAND;
		} else if (c == '(') {
			sh->p++;
			if (!st.pattern) {
				st.parens++;
				st.at = AT_COMMAND;
			}
		} else if (c == ')') {
			sh->p++;
			if (st.pattern) {
				st.pattern = false;
				st.at = AT_COMMAND;
			} else if (st.parens) {
				st.parens--;
				st.at = AT_ARGS;
			} else if (closer == ')') {
				return;
			} else {
				st.at = AT_ARGS;
			}
		} else if (c == '`') {
			sh->p++;
			if (closer == '`')
				return;
			substitution(sh, '`');
			if (st.at == AT_COMMAND)
				st.at = AT_ARGS; /* `cmd` as the command: only the run can tell */
		} else if (c == '<' || c == '>') {
			if (c == '<' && sh->p + 1 < sh->end && sh->p[1] == '<') {
				heredoc(sh);
				continue;
			}
			while (sh->p < sh->end && *sh->p && strchr("<>&|-", *sh->p))
				sh->p++;
			while (sh->p < sh->end && blank(*sh->p))
				sh->p++;
			read_word(sh, &w); /* the target: a file, not a command */
		} else {
			const char *at = sh->p;

			read_word(sh, &w);
			if (sh->p == at) { /* nothing a word can hold: never stay in place */
				sh->p++;
				continue;
			}
			/* 2>&1, 3<file: an fd number before a redirection */
			if (w.len && sh->p < sh->end && (*sh->p == '<' || *sh->p == '>') &&
			    strspn(w.text, "0123456789") == w.len)
				continue;
			on_word(sh, &st, &w);
		}
	}
}

/* ---- what variables hold ------------------------------------------------ */

#define VALS_MAX 16  /* values of one word or variable kept */
#define EVAL_DEPTH 6 /* variables defined by variables */

/*
 * The values a word can take: the known ones, and whether it may take
 * others (something only the run can tell: $(cmd), $1, a variable the
 * environment may hold).
 */
struct vals {
	char *v[VALS_MAX];
	size_t nr;
	bool other;
	bool split; /* an unquoted expansion: the shell splits the value into fields */
};

static void vals_clear(struct vals *x)
{
	for (size_t i = 0; i < x->nr; i++)
		free(x->v[i]);
	x->nr = 0;
}

static void vals_add(struct vals *x, const char *v, size_t len)
{
	for (size_t i = 0; i < x->nr; i++)
		if (strlen(x->v[i]) == len && !memcmp(x->v[i], v, len))
			return;
	if (x->nr >= VALS_MAX || len > WORD_MAX) {
		x->other = true;
		return;
	}
	x->v[x->nr++] = xstrndup(v, len);
}

/* out gets every value of *v (and its 'other'); *v is released. */
static void vals_take(struct vals *out, struct vals *v)
{
	for (size_t i = 0; i < v->nr; i++)
		vals_add(out, v->v[i], strlen(v->v[i]));
	out->other |= v->other;
	vals_clear(v);
}

/* Is s the variable name [name, name+n)? */
static bool name_is(const char *s, const char *name, size_t n)
{
	return strlen(s) == n && !memcmp(s, name, n);
}

/* Each value of *x followed by each of *y (x = x . y). */
static void vals_concat(struct vals *x, const struct vals *y)
{
	struct vals r = { .other = x->other || y->other, .split = x->split || y->split };

	for (size_t i = 0; i < x->nr; i++)
		for (size_t j = 0; j < y->nr; j++) {
			size_t a = strlen(x->v[i]), b = strlen(y->v[j]);
			char *c = xmalloc(a + b + 1);

			memcpy(c, x->v[i], a);
			memcpy(c + a, y->v[j], b + 1);
			vals_add(&r, c, a + b);
			free(c);
		}
	vals_clear(x);
	*x = r;
}

#define EVAL_BUDGET 50000 /* lookups, assignments read and values joined, for one script: hostile ones stay cheap */

struct env {
	const struct sh *sh;
	const struct shwords_env *e;
	size_t *budget;
};

/* x = x . y, each value joined with each charged to the budget: hostile words stay bounded too. */
static void vals_join(const struct env *en, struct vals *x, const struct vals *y)
{
	if (*en->budget < x->nr * y->nr + 1) {
		*en->budget = 0;
		vals_clear(x);
		x->other = true;
		return;
	}
	*en->budget -= x->nr * y->nr + 1;
	vals_concat(x, y);
}

static void vals_append(const struct env *en, struct vals *x, const char *lit, size_t len)
{
	struct vals y = { .nr = 0 };

	vals_add(&y, lit, len);
	vals_join(en, x, &y);
	vals_clear(&y);
}


static void eval_text(const struct env *en, const char *p, const char *end, bool quoted, unsigned depth,
		      struct vals *out);

/*
 * What variable NAME can hold: its value in the environment and what the
 * script assigns it; empty when it has neither.  Without an environment,
 * or for what the shell and the runtime set themselves (HOME, HOSTNAME
 * ...), anything besides.
 */
static void var_vals(const struct env *en, const char *name, size_t n, unsigned depth, struct vals *out)
{
	static const char *const runtime_set[] = { "HOME", "HOSTNAME", "PWD", "OLDPWD", "TERM", "SHLVL", "UID",
						   "EUID", "PPID", "RANDOM", "LINENO", "IFS", "OPTARG", "OPTIND",
						   "REPLY", "USER", "LOGNAME", "SHELL", "BASH", "BASHPID", "SECONDS" };
	bool found = false;

	if (depth >= EVAL_DEPTH || !*en->budget) {
		out->other = true;
		return;
	}
	--*en->budget;
	if (!en->e || !en->e->env) {
		out->other = true;
	} else {
		for (size_t i = 0; i < en->e->env_nr; i++) {
			const char *kv = en->e->env[i];

			if (kv && !strncmp(kv, name, n) && kv[n] == '=') {
				vals_add(out, kv + n + 1, strlen(kv + n + 1));
				found = true;
			}
		}
		for (size_t i = 0; !found && i < ARRAY_SIZE(runtime_set); i++)
			if (name_is(runtime_set[i], name, n))
				found = out->other = true;
		/*
		 * Unset, unless the script assigns it: then it holds what
		 * the script assigns (a use before every assignment is
		 * rare; a default, ${X:-W}, counts anyway).
		 */
		for (size_t i = 0; !found && i < en->sh->assigns_nr; i++)
			found = name_is(en->sh->assigns[i].name, name, n);
		if (!found)
			vals_add(out, "", 0);
	}
	for (size_t i = 0; i < en->sh->assigns_nr; i++) {
		const struct assign *a = &en->sh->assigns[i];
		struct vals v = { .nr = 0 };

		if (!name_is(a->name, name, n))
			continue;
		if (!*en->budget) {
			out->other = true;
			break;
		}
		--*en->budget;
		vals_add(&v, "", 0);
		eval_text(en, a->value, a->value + strlen(a->value), false, depth + 1, &v);
		vals_take(out, &v);
	}
}

/* The end of a ${...} starting after "${" (nested braces and quotes skipped). */
static const char *brace_end(const char *p, const char *end)
{
	unsigned depth = 1;

	for (; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == '\'') {
			const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));

			if (!q)
				return end;
			p = q;
		} else if (*p == '{')
			depth++;
		else if (*p == '}' && !--depth)
			return p;
	}
	return end;
}

/* '$' at *pp: the expansion's values (concatenated onto *out); *pp moves past it. */
static void eval_dollar(const struct env *en, const char **pp, const char *end, bool quoted, unsigned depth,
			struct vals *out)
{
	const char *p = *pp + 1, *name = p;
	struct vals v = { .nr = 0 };

	if (p < end && *p == '{') {
		const char *close = brace_end(p + 1, end), *op;

		name = p + 1;
		for (op = name; op < close && ((*op >= 'a' && *op <= 'z') || (*op >= 'A' && *op <= 'Z') ||
					       (*op >= '0' && *op <= '9') || *op == '_');
		     op++)
			;
		*pp = close < end ? close + 1 : end;
		if (!identifier(name, (size_t)(op - name))) {
			v.other = true; /* ${1}, ${#x}, ${!x}, ${@} */
		} else if (op == close) {
			var_vals(en, name, (size_t)(op - name), depth, &v);
		} else if (op < close && (*op == '-' || *op == '=' || (*op == ':' && op + 1 < close &&
								  (op[1] == '-' || op[1] == '=')))) {
			/* ${X:-W}, ${X-W}, ${X:=W}: X's non-empty values, and W (X may be unset or empty). */
			const char *w = op + (*op == ':' ? 2 : 1);
			struct vals x = { .nr = 0 };

			var_vals(en, name, (size_t)(op - name), depth, &x);
			for (size_t i = 0; i < x.nr; i++)
				if (x.v[i][0])
					vals_add(&v, x.v[i], strlen(x.v[i]));
			v.other = x.other;
			vals_clear(&x);
			x.other = false;
			vals_add(&x, "", 0);
			eval_text(en, w, close, quoted, depth + 1, &x);
			vals_take(&v, &x);
		} else if (op < close && (*op == '+' || (*op == ':' && op + 1 < close && op[1] == '+'))) {
			/* ${X:+W}: empty, or W. */
			vals_add(&v, "", 0);
			eval_text(en, op + (*op == ':' ? 2 : 1), close, quoted, depth + 1, &v);
		} else {
			v.other = true; /* ${X#pat}, ${X%pat}, ${X:1:2}, ${X/a/b} ... */
		}
	} else if (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_')) {
		while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				   *p == '_'))
			p++;
		*pp = p;
		var_vals(en, name, (size_t)(p - name), depth, &v);
	} else if (p < end && (strchr("0123456789@*#?$!-", *p) || *p == '(')) {
		/* $1, $@, $?, $(cmd), $((n)): only the run can tell. */
		if (*p == '(') {
			const char *q = p + 1;
			unsigned d = 1;

			for (; q < end && d; q++)
				d += *q == '(' ? 1 : *q == ')' ? -1 : 0;
			p = q - 1;
		}
		*pp = p + 1 <= end ? p + 1 : end;
		v.other = true;
	} else {
		*pp = p; /* a lone '$' is itself */
		vals_append(en, out, "$", 1);
		return;
	}
	v.split = !quoted;
	if (!v.nr && !v.other)
		vals_add(&v, "", 0);
	vals_join(en, out, &v);
	vals_clear(&v);
}

/* The values of text [p, end) as the shell expands it (no globbing, no tilde). */
static void eval_text(const struct env *en, const char *p, const char *end, bool quoted, unsigned depth,
		      struct vals *out)
{
	while (p < end && out->nr) {
		const char *lit = p;

		if (*p == '$') {
			eval_dollar(en, &p, end, quoted, depth, out);
			continue;
		}
		if (*p == '`') {
			out->other = true;
			vals_clear(out);
			return;
		}
		if (!quoted && *p == '\'') {
			const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));

			q = q ? q : end;
			vals_append(en, out, p + 1, (size_t)(q - p - 1));
			p = q < end ? q + 1 : end;
			continue;
		}
		if (!quoted && *p == '"') {
			const char *q = p + 1;

			while (q < end && *q != '"') {
				if (*q == '\\' && q + 1 < end)
					q++;
				else if (*q == '$' && q + 1 < end && q[1] == '{')
					q = brace_end(q + 2, end);
				q++;
			}
			eval_text(en, p + 1, q < end ? q : end, true, depth, out);
			p = q < end ? q + 1 : end;
			continue;
		}
		if (*p == '\\' && p + 1 < end) {
			/* Inside double quotes only \$ \` \" \\ drop the backslash. */
			if (!quoted || strchr("$`\"\\", p[1]))
				lit = ++p;
			p++;
			vals_append(en, out, lit, 1);
			continue;
		}
		while (p < end && *p != '$' && *p != '`' && *p != '\\' && (quoted || (*p != '\'' && *p != '"')))
			p++;
		vals_append(en, out, lit, (size_t)(p - lit));
	}
	if (!out->nr)
		out->other = true;
}

/* The values of a word as written; the first field of each when an expansion was unquoted. */
static void eval_word(const struct env *en, const char *raw, struct vals *out, bool first_field)
{
	out->nr = 0;
	out->other = out->split = false;
	vals_add(out, "", 0);
	eval_text(en, raw, raw + strlen(raw), false, 0, out);
	if (!first_field || !out->split)
		return;
	for (size_t i = 0; i < out->nr; i++) {
		char *v = out->v[i], *f = v + strspn(v, " \t\n");

		memmove(v, f, strlen(f) + 1);
		v[strcspn(v, " \t\n")] = '\0';
	}
}

static void scan_text(struct sh *sh, const char *text, size_t len)
{
	sh->p = text;
	sh->end = text + len;
	sh->heredocs_nr = 0;
	sh->nest = 0;
	scan(sh, '\0');
}

#define SOURCED_MAX 16 /* files read for one script */

size_t shwords_commands_env(const char *text, size_t len, const struct shwords_env *e, char ***out)
{
	struct sh sh = { .p = text, .end = text + len };
	size_t budget = EVAL_BUDGET;
	struct env en = { &sh, e, &budget };
	char **read = NULL;
	size_t n = 0, read_nr = 0, read_alloc = 0;
	struct vals v = { .nr = 0 };

	scan_text(&sh, text, len);
	/* The files it sources ('. $CONFDIR/envvars'): their commands and assignments count too. */
	for (size_t i = 0; e && e->read && i < sh.sourced_nr; i++) {
		eval_word(&en, sh.sourced[i], &v, false);
		for (size_t k = 0; k < v.nr && read_nr < SOURCED_MAX; k++) {
			size_t flen = 0;
			char *ftext;

			if (v.v[k][0] != '/' || in_list(v.v[k], (const char *const *)read, read_nr))
				continue;
			ALLOC_GROW(read, read_nr + 1, read_alloc);
			read[read_nr++] = xstrdup(v.v[k]);
			ftext = e->read(e->arg, v.v[k], &flen);
			if (ftext)
				scan_text(&sh, ftext, flen);
			free(ftext);
		}
		vals_clear(&v);
	}
	/*
	 * Words 'eval' parses again: each value is shell text whose commands
	 * count (read like the script's own: its expanded words join sh.dyn,
	 * an eval in it sh.evaled, which this loop reaches too).
	 */
	for (size_t i = 0; i < sh.evaled_nr; i++) {
		eval_word(&en, sh.evaled[i], &v, false);
		for (size_t k = 0; k < v.nr; k++)
			scan_text(&sh, v.v[k], strlen(v.v[k]));
		vals_clear(&v);
	}
	/* Command words with expansions: every value the variables allow ($HTTPD: /usr/sbin/apache2). */
	for (size_t i = 0; i < sh.dyn_nr; i++) {
		eval_word(&en, sh.dyn[i], &v, true);
		for (size_t k = 0; k < v.nr; k++)
			if (v.v[k][0] && !strchr(v.v[k], '=') && !in_list(v.v[k], builtins, ARRAY_SIZE(builtins)))
				push_unique(&sh.cmds, &sh.nr, &sh.alloc, v.v[k]);
		vals_clear(&v);
	}
	for (size_t i = 0; i < sh.nr; i++) {
		if (in_list(sh.cmds[i], (const char *const *)sh.funcs, sh.funcs_nr))
			free(sh.cmds[i]);
		else
			sh.cmds[n++] = sh.cmds[i];
	}
	for (size_t i = 0; i < sh.assigns_nr; i++) {
		free(sh.assigns[i].name);
		free(sh.assigns[i].value);
	}
	free(sh.assigns);
	free_strv(sh.dyn, sh.dyn_nr);
	free_strv(sh.evaled, sh.evaled_nr);
	free_strv(sh.sourced, sh.sourced_nr);
	free_strv(read, read_nr);
	free_strv(sh.funcs, sh.funcs_nr);
	*out = sh.cmds;
	return n;
}

size_t shwords_commands(const char *text, size_t len, char ***out)
{
	return shwords_commands_env(text, len, NULL, out);
}
