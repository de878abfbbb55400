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
	{ "dumb-init", 0, "r", true }, { "flock", 1, "wEs", true },
};

static const char *const builtins[] = {
	".", ":", "[", "[[", "alias", "bg", "break", "builtin", "cd", "continue", "declare", "echo", "eval",
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
			w->flags |= W_QUOTED;
			sh->p++;
			expansions_until(sh, '"');
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
};

struct cmd_state {
	enum at at;
	const struct wrapper *wrap;
	unsigned positional, skip_next;
	bool pattern;     /* a case pattern comes next */
	unsigned cases;   /* open case ... esac */
	unsigned parens;  /* ( subshells opened in this scan */
};

static void on_command_word(struct sh *sh, struct cmd_state *st, const struct word *w)
{
	const char *t = w->text;

	if (w->flags & W_ASSIGN)
		return; /* stays a command position */
	if (w->flags & (W_QUOTED | W_EXPANDED | W_GLOB | W_TRUNCATED) || !w->len) {
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
	for (size_t i = 0; i < ARRAY_SIZE(wrappers); i++)
		if (!strcmp(t, wrappers[i].name)) {
			if (wrappers[i].program)
				push_unique(&sh->cmds, &sh->nr, &sh->alloc, t);
			st->wrap = &wrappers[i];
			st->positional = wrappers[i].positional;
			st->skip_next = 0;
			st->at = AT_WRAPPED;
			return;
		}
	st->at = AT_ARGS;
	if (in_list(t, builtins, ARRAY_SIZE(builtins)))
		return;
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

size_t shwords_commands(const char *text, size_t len, char ***out)
{
	struct sh sh = { .p = text, .end = text + len };
	size_t n = 0;

	scan(&sh, '\0');
	for (size_t i = 0; i < sh.nr; i++) {
		if (in_list(sh.cmds[i], (const char *const *)sh.funcs, sh.funcs_nr))
			free(sh.cmds[i]);
		else
			sh.cmds[n++] = sh.cmds[i];
	}
	free_strv(sh.funcs, sh.funcs_nr);
	*out = sh.cmds;
	return n;
}
