#include "analysis/runcode.h"

#include <stdlib.h>
#include <string.h>

#include "util/path.h"
#include "util/xalloc.h"

static bool is_word(unsigned char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Does the line [s, s+n) hold the word w (not inside a longer word)? */
static bool has_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	for (const char *p = s; p + wl <= s + n && (p = memmem(p, (size_t)(s + n - p), w, wl)); p++) {
		bool before = p > s && is_word((unsigned char)p[-1]);
		bool after = p + wl < s + n && is_word((unsigned char)p[wl]);

		if (!before && !after)
			return true;
	}
	return false;
}

bool runcode_named(enum runcode_lang lang, const char *path)
{
	switch (lang) {
	case RUNCODE_PERL:
		return path_code_of(path) == PATH_CODE_PERL;
	case RUNCODE_RUBY:
		return path_code_of(path) == PATH_CODE_RUBY;
	case RUNCODE_JS:
		return path_text_of(path) == PATH_TEXT_JS;
	case RUNCODE_PHP:
		return path_text_of(path) == PATH_TEXT_PHP;
	case RUNCODE_LUA:
		return path_text_of(path) == PATH_TEXT_LUA;
	case RUNCODE_R:
		return path_text_of(path) == PATH_TEXT_R;
	case RUNCODE_NR:
		break;
	}
	return false;
}

int runcode_file_lang(const char *path, const char *head, size_t head_len)
{
	if (head && head_len >= 2 && head[0] == '#' && head[1] == '!') {
		const char *nl = memchr(head, '\n', head_len);
		size_t n = nl ? (size_t)(nl - head) : head_len;

		if (has_word(head, n, "perl"))
			return RUNCODE_PERL;
		if (has_word(head, n, "ruby"))
			return RUNCODE_RUBY;
		if (has_word(head, n, "node") || has_word(head, n, "nodejs"))
			return RUNCODE_JS;
		if (has_word(head, n, "php"))
			return RUNCODE_PHP;
		if (has_word(head, n, "Rscript"))
			return RUNCODE_R;
		/* lua, lua5.4, luajit: a word starting so. */
		for (const char *w = head; (w = memmem(w, n - (size_t)(w - head), "lua", 3)); w += 3)
			if ((w[-1] == '/' || w[-1] == ' ') && (w + 3 == head + n || !((w[3] >= 'a' && w[3] <= 'z') && w[3] != 'j')))
				return RUNCODE_LUA;
		return -1;
	}
	for (int l = 0; l < RUNCODE_NR; l++)
		if (runcode_named((enum runcode_lang)l, path))
			return l;
	return -1;
}

bool runcode_text_may_run(enum runcode_lang lang, const char *text, size_t len)
{
	/* Perl's and Ruby's builtins are too common a word to test for; their reader is fast. */
	if (lang == RUNCODE_JS)
		return path_text_matters(PATH_TEXT_JS, text, len);
	if (lang == RUNCODE_PHP)
		return path_text_matters(PATH_TEXT_PHP, text, len);
	if (lang == RUNCODE_LUA)
		return path_text_matters(PATH_TEXT_LUA, text, len);
	if (lang == RUNCODE_R)
		return path_text_matters(PATH_TEXT_R, text, len);
	return true;
}

/* ---- tokens ----------------------------------------------------------------- */

enum tok_type { T_END, T_WORD, T_VAR, T_STR, T_NUM, T_PUNCT, T_REGEX };

enum str_kind {
	S_PLAIN,    /* a string */
	S_CMD,      /* shell text: `...`, qx{}, %x(), a here-document in backquotes */
	S_WORDS,    /* a list of words: qw(), %w[] */
	S_TEMPLATE, /* JavaScript's `...` */
};

struct tok {
	enum tok_type t;
	enum str_kind sk;
	const char *s; /* a string's body; a word, a punctuation's characters */
	size_t n;
};

/* Most here-documents one line may start; how deep interpolations nest. */
#define HEREDOCS_MAX 8
#define NEST_MAX 32

struct lex {
	enum runcode_lang lang;
	const char *text, *p, *end;
	struct tok prev; /* the last token (regular expression or division?) */
	/* Here-documents started on the current line: where the line ends, where code resumes. */
	const char *hd_eol, *hd_resume;
	bool in_php; /* PHP: inside <?php ... ?> (the rest is the page's text) */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool at_line_start(const struct lex *lx, const char *p)
{
	return p == lx->text || p[-1] == '\n';
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

/* Is the line at p exactly 'w' (optionally indented, a trailing '\r' allowed)? */
static bool line_equals(const char *p, const char *end, const char *w, size_t wn, bool indent)
{
	const char *e = line_end(p, end);

	if (indent)
		while (p < e && is_blank(*p))
			p++;
	if (e > p && e[-1] == '\r')
		e--;
	return (size_t)(e - p) == wn && !memcmp(p, w, wn);
}

static char closer(char open)
{
	switch (open) {
	case '(':
		return ')';
	case '[':
		return ']';
	case '{':
		return '}';
	case '<':
		return '>';
	default:
		return open;
	}
}

static const char *skip_code(const struct lex *lx, const char *p, int nest);

/*
 * The end of a quoted body starting at p (after its opening delimiter
 * 'open'): the closing delimiter's position (end when none).  Brackets
 * nest; 'interp' bodies skip the code of #{...} (Ruby) or ${...}
 * (JavaScript's templates); 'one_line' bodies end at a newline.
 */
static const char *body_end(const struct lex *lx, const char *p, char open, bool interp, bool one_line, int nest)
{
	char close = closer(open);
	int depth = 0;

	while (p < lx->end) {
		char c = *p;

		if (c == '\\') {
			p += 2;
			continue;
		}
		if (one_line && c == '\n')
			return p;
		if (interp && nest < NEST_MAX && p + 1 < lx->end && p[1] == '{' &&
		    ((lx->lang == RUNCODE_JS && c == '$') || (lx->lang == RUNCODE_RUBY && c == '#'))) {
			p = skip_code(lx, p + 2, nest + 1);
			continue;
		}
		if (interp && nest < NEST_MAX && p + 1 < lx->end && c == '{' && p[1] == '$' && lx->lang == RUNCODE_PHP) {
			p = skip_code(lx, p + 1, nest + 1); /* "{$o->m("x")}" */
			continue;
		}
		if (c == close && open != close && depth > 0) {
			depth--;
		} else if (c == close) {
			return p;
		} else if (c == open && open != close) {
			depth++;
		}
		p++;
	}
	return lx->end;
}

/* Past the code of an interpolation starting at p, to its closing '}' (strings in it skipped). */
static const char *skip_code(const struct lex *lx, const char *p, int nest)
{
	int depth = 0;

	while (p < lx->end) {
		char c = *p;

		if (c == '\'' || c == '"' || c == '`') {
			p = body_end(lx, p + 1, c, c != '\'', false, nest);
			if (p < lx->end)
				p++;
			continue;
		}
		if (c == '{') {
			depth++;
		} else if (c == '}') {
			if (!depth)
				return p + 1;
			depth--;
		}
		p++;
	}
	return lx->end;
}

/* Does the previous token end a value (so a '/' divides)? */
static bool prev_is_value(const struct lex *lx)
{
	static const char *const ops[] = { "if", "unless", "and", "or", "not", "return", "split", "grep", "map",
					   "when", "while", "until", "typeof", "case", "do", "else", "in", "of",
					   "new", "delete", "void", "throw", "yield", "await", "instanceof", "x",
					   "eq", "ne", "lt", "gt", "le", "ge", "cmp", "elsif", "then", NULL };

	switch (lx->prev.t) {
	case T_END:
		return false;
	case T_WORD:
		for (size_t i = 0; ops[i]; i++)
			if (strlen(ops[i]) == lx->prev.n && !memcmp(ops[i], lx->prev.s, lx->prev.n))
				return false;
		return true;
	case T_VAR:
	case T_STR:
	case T_NUM:
	case T_REGEX:
		return true;
	case T_PUNCT:
		return lx->prev.n == 1 && strchr(")]}", lx->prev.s[0]);
	}
	return false;
}

/* A regular expression's body from p (after its '/'): its end, or NULL when the line ends first. */
static const char *regex_end(const struct lex *lx, const char *p)
{
	bool klass = false;

	for (; p < lx->end && *p != '\n'; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '[')
			klass = true;
		else if (*p == ']')
			klass = false;
		else if (*p == '/' && !klass)
			return p;
	}
	return NULL;
}

static void set_str(struct tok *t, enum str_kind sk, const char *s, const char *e)
{
	*t = (struct tok){ T_STR, sk, s, (size_t)(e - s) };
}

/*
 * A here-document starting at p ("<<" seen before it): its body as a
 * string token, the lexer's resumption past its terminator.  False when
 * p starts none ("<<" is a shift or an append).
 */
static bool heredoc(struct lex *lx, const char **pp, struct tok *t)
{
	const char *p = *pp, *id, *id_end, *body;
	bool indent = false, cmd = false;
	char q = 0;

	if (p < lx->end && (*p == '~' || (lx->lang == RUNCODE_RUBY && *p == '-'))) {
		indent = true;
		p++;
	}
	if (p < lx->end && (*p == '"' || *p == '\'' || *p == '`')) {
		q = *p++;
		cmd = q == '`';
	}
	id = p;
	if (q) {
		/* <<'!END!': a quoted terminator may be any text of the line. */
		while (p < lx->end && *p != q && *p != '\n')
			p++;
	} else {
		while (p < lx->end && is_word((unsigned char)*p))
			p++;
	}
	id_end = p;
	if (id_end == id || (!q && *id >= '0' && *id <= '9'))
		return false;
	if (q) {
		if (p >= lx->end || *p != q)
			return false;
		p++;
	} else if (lx->lang == RUNCODE_RUBY && !indent && !(*id >= 'A' && *id <= 'Z')) {
		return false; /* x <<y appends */
	}
	if (!lx->hd_eol || lx->hd_eol < *pp) {
		lx->hd_eol = line_end(p, lx->end);
		lx->hd_resume = lx->hd_eol < lx->end ? lx->hd_eol + 1 : lx->end;
	}
	body = lx->hd_resume;
	{
		const char *l = body;

		while (l < lx->end && !line_equals(l, lx->end, id, (size_t)(id_end - id), indent)) {
			l = line_end(l, lx->end);
			l = l < lx->end ? l + 1 : l;
		}
		set_str(t, cmd ? S_CMD : S_PLAIN, body, l);
		l = line_end(l, lx->end);
		lx->hd_resume = l < lx->end ? l + 1 : l;
	}
	*pp = p;
	return true;
}

/*
 * PHP's here-document at p (after "<<<"): <<<ID, <<<"ID", <<<'ID'.  Its
 * body is the lines up to one starting with ID (indented or not) and no
 * more of a name; code goes on right after that ID (EOT;).
 */
static bool php_heredoc(struct lex *lx, const char **pp, struct tok *t)
{
	const char *p = *pp, *id, *id_end, *l;
	char q = 0;

	while (p < lx->end && is_blank(*p))
		p++;
	if (p < lx->end && (*p == '"' || *p == '\''))
		q = *p++;
	id = p;
	while (p < lx->end && is_word((unsigned char)*p))
		p++;
	id_end = p;
	if (id_end == id || (*id >= '0' && *id <= '9') || (q && (p >= lx->end || *p++ != q)))
		return false;
	l = line_end(p, lx->end);
	l = l < lx->end ? l + 1 : l;
	for (const char *body = l; l < lx->end; l = l < lx->end ? l + 1 : l) {
		const char *b = l;

		while (b < lx->end && is_blank(*b))
			b++;
		if ((size_t)(lx->end - b) >= (size_t)(id_end - id) && !memcmp(b, id, (size_t)(id_end - id)) &&
		    (b + (id_end - id) == lx->end || !is_word((unsigned char)b[id_end - id]))) {
			set_str(t, S_PLAIN, body, l);
			*pp = b + (id_end - id);
			return true;
		}
		l = line_end(l, lx->end);
	}
	set_str(t, S_PLAIN, l, l);
	*pp = lx->end;
	return true;
}

/*
 * A Lua long bracket at p ("[[", "[==["): past its closing bracket of the
 * same level, its content in [*body, *body_end); NULL when p starts none.
 */
static const char *long_bracket(const struct lex *lx, const char *p, const char **body, const char **body_end)
{
	size_t level = 0;

	if (p >= lx->end || *p != '[')
		return NULL;
	for (p++; p < lx->end && *p == '='; p++)
		level++;
	if (p >= lx->end || *p != '[')
		return NULL;
	*body = ++p;
	for (; p < lx->end; p++) {
		size_t k = 0;

		if (*p != ']')
			continue;
		while (k < level && p + 1 + k < lx->end && p[1 + k] == '=')
			k++;
		if (k == level && p + 1 + k < lx->end && p[1 + k] == ']') {
			*body_end = p;
			return p + level + 2;
		}
	}
	*body_end = lx->end;
	return lx->end;
}

/*
 * R's raw string at q (its quote: r"(...)", R'[...]', r"--{...}--"): the
 * end of its content, *body its start; NULL when q starts none.
 */
static const char *r_raw(const struct lex *lx, const char *q, const char **body)
{
	const char *p = q + 1;
	size_t dashes = 0;
	char open, close;

	while (p < lx->end && *p == '-')
		p++, dashes++;
	if (p >= lx->end || !strchr("([{", *p) || !*p)
		return NULL;
	open = *p;
	close = closer(open);
	*body = ++p;
	for (; p < lx->end; p++) {
		size_t k = 0;

		if (*p != close)
			continue;
		while (k < dashes && p + 1 + k < lx->end && p[1 + k] == '-')
			k++;
		if (k == dashes && p + 1 + k < lx->end && p[1 + k] == *q)
			return p;
	}
	return lx->end;
}

/* Past an R raw string whose content ends at e (r_raw), its quote at q. */
static const char *r_raw_end(const struct lex *lx, const char *q, const char *e)
{
	size_t dashes = 0;

	for (const char *p = q + 1; p < lx->end && *p == '-'; p++)
		dashes++;
	return e + 2 + dashes <= lx->end ? e + 2 + dashes : lx->end;
}

/* Perl's quote-like operators: q qq qw qx (strings), m qr s tr y (patterns). */
static bool perl_quote(struct lex *lx, const char *w, size_t n, const char **pp, struct tok *t)
{
	static const char *const ops[] = { "q", "qq", "qw", "qx", "m", "qr", "s", "tr", "y" };
	const char *p = *pp, *b, *e;
	size_t k;
	char d;

	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (strlen(ops[k]) == n && !memcmp(ops[k], w, n))
			break;
	if (k == sizeof(ops) / sizeof(ops[0]))
		return false;
	/* $obj->s(...), sub q {...}, a hash key q => 1 or {y}: a name. */
	if (lx->prev.t == T_PUNCT && lx->prev.n == 2 && !memcmp(lx->prev.s, "->", 2))
		return false;
	if (lx->prev.t == T_WORD && lx->prev.n == 3 && !memcmp(lx->prev.s, "sub", 3))
		return false;
	if (k <= 3) {
		/* qw (a b): blanks before a bracket. */
		const char *q = p;

		while (q < lx->end && is_blank(*q))
			q++;
		if (q > p && q < lx->end && strchr("({[<", *q))
			p = q;
	}
	if (p >= lx->end)
		return false;
	d = *p;
	if (is_word((unsigned char)d) || is_blank(d) || d == '\n' || !d || strchr(",;)]}>=-", d))
		return false;
	b = p + 1;
	e = body_end(lx, b, d, false, false, 0);
	if (k >= 6 && e < lx->end) {
		/* s/a/b/, tr{a}{b}: a second body, after blanks when the first was bracketed. */
		const char *q = e + 1;

		if (closer(d) != d) {
			while (q < lx->end && (is_blank(*q) || *q == '\n'))
				q++;
			if (q < lx->end)
				q = body_end(lx, q + 1, *q, false, false, 0);
		} else {
			q = body_end(lx, q, d, false, false, 0);
		}
		e = q;
	}
	p = e < lx->end ? e + 1 : e;
	if (k >= 4)
		while (p < lx->end && is_word((unsigned char)*p))
			p++; /* flags */
	if (k <= 3)
		set_str(t, k == 2 ? S_WORDS : k == 3 ? S_CMD : S_PLAIN, b, e);
	else
		*t = (struct tok){ T_REGEX, S_PLAIN, b, (size_t)(e - b) };
	*pp = p;
	return true;
}

/* Ruby's %-literals: %w[], %q(), %x{}, %r||, %(...). */
static bool ruby_percent(struct lex *lx, const char **pp, struct tok *t)
{
	const char *p = *pp + 1, *b, *e;
	char type = 'Q', d;

	if (p < lx->end && strchr("qQwWiIxrs", *p) && p + 1 < lx->end && !is_word((unsigned char)p[1]) &&
	    !is_blank(p[1]) && p[1] != '\n' && p[1] != '=') {
		type = *p++;
	} else if (p >= lx->end || !strchr("([{<|!/^", *p) || prev_is_value(lx)) {
		return false;
	}
	d = *p;
	b = p + 1;
	e = body_end(lx, b, d, type == 'Q' || type == 'W' || type == 'I' || type == 'x' || type == 'r', false, 0);
	p = e < lx->end ? e + 1 : e;
	if (type == 'r') {
		while (p < lx->end && is_word((unsigned char)*p))
			p++;
		*t = (struct tok){ T_REGEX, S_PLAIN, b, (size_t)(e - b) };
	} else {
		set_str(t, strchr("wWiI", type) ? S_WORDS : type == 'x' ? S_CMD : S_PLAIN, b, e);
	}
	*pp = p;
	return true;
}

static void lex_next(struct lex *lx, struct tok *t)
{
	bool perl = lx->lang == RUNCODE_PERL, ruby = lx->lang == RUNCODE_RUBY, js = lx->lang == RUNCODE_JS;
	bool php = lx->lang == RUNCODE_PHP, lua = lx->lang == RUNCODE_LUA, r = lx->lang == RUNCODE_R;
	const char *p = lx->p;

	for (;;) {
		unsigned char c;

		if (p >= lx->end) {
			*t = (struct tok){ T_END, S_PLAIN, p, 0 };
			break;
		}
		if (php && !lx->in_php) {
			/* The page's text, to the next <?php, <?= or <?. */
			const char *open = memmem(p, (size_t)(lx->end - p), "<?", 2);

			p = open ? open + 2 : lx->end;
			if (open && lx->end - p >= 3 && !strncasecmp(p, "php", 3))
				p += 3;
			else if (open && p < lx->end && *p == '=')
				p++;
			lx->in_php = open != NULL;
			continue;
		}
		c = (unsigned char)*p;
		if (php && c == '?' && p + 1 < lx->end && p[1] == '>') {
			static const char semi[] = ";"; /* ?> ends a statement */

			lx->in_php = false;
			p += 2;
			*t = (struct tok){ T_PUNCT, S_PLAIN, semi, 1 };
			break;
		}
		if (c == '\n') {
			/* The here-documents this line started: code resumes after them. */
			if (lx->hd_eol == p) {
				p = lx->hd_resume;
				lx->hd_eol = NULL;
			} else {
				p++;
			}
			continue;
		}
		if (is_blank((char)c)) {
			p++;
			continue;
		}
		if ((perl || ruby) && at_line_start(lx, p)) {
			/* POD (=head1 ... =cut), Ruby's =begin ... =end; __END__ ends the code. */
			if (c == '=' && p + 1 < lx->end && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')) &&
			    (perl || (lx->end - p >= 6 && !memcmp(p, "=begin", 6)))) {
				while (p < lx->end) {
					p = line_end(p, lx->end);
					p = p < lx->end ? p + 1 : p;
					if (lx->end - p >= 4 && !memcmp(p, perl ? "=cut" : "=end", 4))
						break;
				}
				p = line_end(p, lx->end);
				continue;
			}
			if (line_equals(p, lx->end, "__END__", 7, false) ||
			    (perl && line_equals(p, lx->end, "__DATA__", 8, false))) {
				p = lx->end;
				continue;
			}
		}
		if (php && (c == '#' || (c == '/' && p + 1 < lx->end && p[1] == '/'))) {
			/* A PHP line comment ends at the line's end or at ?>. */
			const char *e = line_end(p, lx->end), *close = memmem(p, (size_t)(e - p), "?>", 2);

			p = close ? close : e;
			continue;
		}
		if ((c == '#' && (perl || ruby || r)) || (js && c == '/' && p + 1 < lx->end && p[1] == '/') ||
		    ((js || lua) && p == lx->text && c == '#' && p + 1 < lx->end && p[1] == '!')) {
			p = line_end(p, lx->end);
			continue;
		}
		if (lua && c == '-' && p + 1 < lx->end && p[1] == '-') {
			/* --[==[ a long comment ]==], or one to the line's end. */
			const char *b, *be, *e = long_bracket(lx, p + 2, &b, &be);

			p = e ? e : line_end(p, lx->end);
			continue;
		}
		if (lua && c == '[') {
			const char *b, *be, *e = long_bracket(lx, p, &b, &be);

			if (e) {
				set_str(t, S_PLAIN, b, be);
				p = e;
				break;
			}
		}
		if ((js || php) && c == '/' && p + 1 < lx->end && p[1] == '*') {
			const char *e = memmem(p + 2, (size_t)(lx->end - p - 2), "*/", 2);

			p = e ? e + 2 : lx->end;
			continue;
		}
		if (r && c == '`') {
			/* `a name` */
			const char *e = body_end(lx, p + 1, '`', false, true, 0);

			*t = (struct tok){ T_WORD, S_PLAIN, p + 1, (size_t)(e - p - 1) };
			p = e < lx->end && *e == '`' ? e + 1 : e;
			break;
		}
		if (r && (c == 'r' || c == 'R') && p + 1 < lx->end && (p[1] == '"' || p[1] == '\'') &&
		    (p == lx->text || !is_word((unsigned char)p[-1]))) {
			const char *b, *e = r_raw(lx, p + 1, &b);

			if (e) {
				set_str(t, S_PLAIN, b, e);
				p = r_raw_end(lx, p + 1, e);
				break;
			}
		}
		if (c == '\'' || c == '"' || (c == '`' && !lua)) {
			bool interp = c != '\'' && !perl; /* Ruby's #{}, JavaScript's ${}, PHP's {$} */
			const char *e = body_end(lx, p + 1, (char)c, interp, (js && c != '`') || lua, 0);

			set_str(t, c != '`' ? S_PLAIN : js ? S_TEMPLATE : S_CMD, p + 1, e); /* PHP's `` is shell_exec */
			p = e < lx->end && *e != '\n' ? e + 1 : e;
			break;
		}
		if (c >= '0' && c <= '9') {
			const char *b = p;

			while (p < lx->end && (is_word((unsigned char)*p) || *p == '.'))
				p++;
			*t = (struct tok){ T_NUM, S_PLAIN, b, (size_t)(p - b) };
			break;
		}
		if ((perl || ruby || php) && (c == '$' || ((perl || ruby) && c == '@') || (perl && (c == '%' || c == '&')))) {
			/* Variables: $x $::x $#a @a @@x %h &f; Perl's and Ruby's $' $" $` $/ ... */
			const char *b = p++;

			if (c == '&' && p < lx->end && *p == '&') {
				p = b;
				goto punct;
			}
			if (c == '$' && p < lx->end && *p == '#')
				p++;
			if (c == '@' && p < lx->end && *p == '@')
				p++;
			if (p < lx->end && (is_word((unsigned char)*p) || *p == ':')) {
				while (p < lx->end && (is_word((unsigned char)*p) || (*p == ':' && p + 1 < lx->end && p[1] == ':')))
					p += *p == ':' ? 2 : 1;
			} else if (c == '$' && p < lx->end && *p != '{' && *p != '\n' && !is_blank(*p)) {
				p++;
			} else if (p == b + 1) {
				p = b;
				goto punct;
			}
			*t = (struct tok){ T_VAR, S_PLAIN, b, (size_t)(p - b) };
			break;
		}
		if (is_word(c) || (js && c == '$')) {
			const char *b = p;

			while (p < lx->end && (is_word((unsigned char)*p) || (js && *p == '$') ||
					       ((perl || ruby || php) && *p == ':' && p + 2 < lx->end && p[1] == ':' &&
						is_word((unsigned char)p[2]))))
				p += *p == ':' ? 2 : 1;
			if (perl && perl_quote(lx, b, (size_t)(p - b), &p, t))
				break;
			*t = (struct tok){ T_WORD, S_PLAIN, b, (size_t)(p - b) };
			break;
		}
		if (c == '/' && (perl || ruby || js) && !prev_is_value(lx)) {
			const char *e = regex_end(lx, p + 1);

			if (e) {
				const char *b = p + 1;

				p = e + 1;
				while (p < lx->end && is_word((unsigned char)*p))
					p++;
				*t = (struct tok){ T_REGEX, S_PLAIN, b, (size_t)(e - b) };
				break;
			}
		}
		if (ruby && c == '%' && ruby_percent(lx, &p, t))
			break;
		if (php && c == '<' && lx->end - p >= 3 && p[1] == '<' && p[2] == '<') {
			const char *q = p + 3;

			if (php_heredoc(lx, &q, t)) {
				p = q;
				break;
			}
		}
		if ((perl || ruby) && c == '<' && p + 1 < lx->end && p[1] == '<') {
			const char *q = p + 2;

			if (heredoc(lx, &q, t)) {
				p = q;
				break;
			}
		}
		if (ruby && c == '?' && p + 1 < lx->end && (p[1] == '\'' || p[1] == '"' || p[1] == '`') &&
		    !prev_is_value(lx)) {
			p += 2; /* ?' a character literal */
			continue;
		}
punct:
		if (p + 1 < lx->end && ((c == '=' && p[1] == '>') || (c == '-' && p[1] == '>'))) {
			*t = (struct tok){ T_PUNCT, S_PLAIN, p, 2 };
			p += 2;
			break;
		}
		*t = (struct tok){ T_PUNCT, S_PLAIN, p, 1 };
		p++;
		break;
	}
	lx->p = p;
	lx->prev = *t;
}

/* ---- what runs -------------------------------------------------------------- */

enum call_kind {
	C_NONE = 0,
	C_ARGS,  /* a program, or shell text when it has a blank or a shell character */
	C_SHELL, /* shell text */
	C_WORD,  /* a program */
	C_OPEN,  /* Perl's open: its pipe forms */
	C_LATER, /* the first string among the arguments (open2, open3) */
};

#define L_PERL (1u << RUNCODE_PERL)
#define L_RUBY (1u << RUNCODE_RUBY)
#define L_JS (1u << RUNCODE_JS)
#define L_PHP (1u << RUNCODE_PHP)
#define L_LUA (1u << RUNCODE_LUA)
#define L_R (1u << RUNCODE_R)

/*
 * A call that surely runs a program makes the file one that runs programs
 * (its paths and option lists count); open, run, start and capture are
 * other things too, and count only when their arguments show a command.
 */
#define MAYBE (1u << RUNCODE_NR)

static const struct call {
	const char *name;
	enum call_kind kind;
	unsigned langs;
	const char *owner; /* the module it must be called through (os.execute), or NULL */
} calls[] = {
	{ "system", C_ARGS, L_PERL | L_RUBY, NULL },
	{ "exec", C_ARGS, L_PERL | L_RUBY, NULL },
	{ "readpipe", C_SHELL, L_PERL, NULL },
	{ "open", C_OPEN, L_PERL | MAYBE, NULL },
	{ "open2", C_LATER, L_PERL, NULL },
	{ "open3", C_LATER, L_PERL, NULL },
	/* IPC::Run's run and start with an array, IPC::System::Simple's. */
	{ "run", C_ARGS, L_PERL | MAYBE, NULL },
	{ "start", C_ARGS, L_PERL | MAYBE, NULL },
	{ "capture", C_ARGS, L_PERL | MAYBE, NULL },
	{ "systemx", C_WORD, L_PERL, NULL },
	{ "capturex", C_WORD, L_PERL, NULL },
	{ "runx", C_WORD, L_PERL, NULL },
	{ "spawn", C_ARGS, L_RUBY, NULL },
	{ "popen", C_ARGS, L_RUBY, NULL },
	{ "popen2", C_ARGS, L_RUBY, NULL },
	{ "popen2e", C_ARGS, L_RUBY, NULL },
	{ "popen3", C_ARGS, L_RUBY, NULL },
	{ "capture2", C_ARGS, L_RUBY, NULL },
	{ "capture2e", C_ARGS, L_RUBY, NULL },
	{ "capture3", C_ARGS, L_RUBY, NULL },
	{ "pipeline", C_ARGS, L_RUBY, NULL },
	{ "pipeline_r", C_ARGS, L_RUBY, NULL },
	{ "pipeline_w", C_ARGS, L_RUBY, NULL },
	{ "pipeline_rw", C_ARGS, L_RUBY, NULL },
	{ "pipeline_start", C_ARGS, L_RUBY, NULL },
	{ "exec", C_SHELL, L_JS, NULL },
	{ "execSync", C_SHELL, L_JS, NULL },
	{ "execFile", C_WORD, L_JS, NULL },
	{ "execFileSync", C_WORD, L_JS, NULL },
	{ "spawn", C_ARGS, L_JS, NULL },
	{ "spawnSync", C_ARGS, L_JS, NULL },
	{ "execa", C_WORD, L_JS, NULL },
	{ "execaSync", C_WORD, L_JS, NULL },
	{ "execaCommand", C_SHELL, L_JS, NULL },
	{ "execaCommandSync", C_SHELL, L_JS, NULL },
	/* PHP runs each through /bin/sh -c; proc_open also takes an array. */
	{ "exec", C_SHELL, L_PHP, NULL },
	{ "shell_exec", C_SHELL, L_PHP, NULL },
	{ "system", C_SHELL, L_PHP, NULL },
	{ "passthru", C_SHELL, L_PHP, NULL },
	{ "popen", C_SHELL, L_PHP, NULL },
	{ "proc_open", C_SHELL, L_PHP, NULL },
	{ "pcntl_exec", C_WORD, L_PHP, NULL },
	/* Symfony's Process: new Process(['git', 'log']), Process::fromShellCommandline('...'). */
	{ "Process", C_ARGS, L_PHP, NULL },
	{ "fromShellCommandline", C_SHELL, L_PHP, NULL },
	/* Lua's, and luaposix's exec, execp and spawn (a string, or a table: its first element). */
	{ "execute", C_SHELL, L_LUA, "os" },
	{ "popen", C_SHELL, L_LUA, "io" },
	{ "exec", C_WORD, L_LUA, NULL },
	{ "execp", C_WORD, L_LUA, NULL },
	{ "spawn", C_ARGS, L_LUA, NULL },
	/* R's system, system2 and pipe go through the shell; processx's and sys's run a program. */
	{ "system", C_SHELL, L_R, NULL },
	{ "system2", C_SHELL, L_R, NULL },
	{ "pipe", C_SHELL, L_R, NULL },
	{ "run", C_WORD, L_R, NULL },
	{ "exec_wait", C_WORD, L_R, NULL },
	{ "exec_background", C_WORD, L_R, NULL },
	{ "exec_internal", C_WORD, L_R, NULL },
};

/* Strings Perl's open and open2/open3 collect, up to the call's end. */
#define OPEN_STRS 6
#define OPEN_TOKENS 64

/* Names a file gives those calls (local os_execute = os.execute); how many are kept. */
#define ALIASES_MAX 16

struct scan {
	struct code_cmds *cc;
	enum runcode_lang lang;
	const char *path;
	bool runs;    /* the code names a call that runs programs */
	bool emitted; /* a command went to cc */
	struct tok last[4]; /* the tokens before, the latest first */
	struct { struct tok name; enum call_kind kind; } aliases[ALIASES_MAX];
	int aliases_nr;
	/* The call being read: its kind, where in its arguments, whether its '(' was seen. */
	enum call_kind kind;
	int stage, depth, tokens;
	bool opened;
	struct tok str;
	struct { struct tok s; bool more; } strs[OPEN_STRS];
	int nstrs;
	/* A list: 1 opened, 2 its first element a string (first), 3 and a ',' after it. */
	int list;
	struct tok first;
	/* Absolute paths and option lists, added when the file runs programs. */
	struct tok *spans;
	size_t spans_nr, spans_alloc;
};

static bool shell_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(" \t\n|&;<>()$`\\\"'*?[#~=%{}", s[i]) && s[i])
			return true;
	return false;
}

static void emit(struct scan *sc, enum code_cmd_kind kind, const char *s, size_t n)
{
	while (n && is_blank(*s))
		s++, n--;
	while (n && (is_blank(s[n - 1]) || s[n - 1] == '\n'))
		n--;
	if (kind == CODE_CMD_SHELL)
		code_cmds_put(sc->cc, kind, s, n, sc->path);
	else
		code_cmds_put_word(sc->cc, s, n, sc->path);
	sc->emitted = sc->emitted || n;
	sc->runs = sc->runs || n;
}

/* The first word of a word list (qw(), %w[]). */
static void emit_first_word(struct scan *sc, const struct tok *t)
{
	size_t i = 0;

	while (i < t->n && (is_blank(t->s[i]) || t->s[i] == '\n'))
		i++;
	emit(sc, CODE_CMD_WORD, t->s + i, t->n - i);
}

static void emit_args(struct scan *sc, enum call_kind kind, const struct tok *s)
{
	if (kind == C_SHELL || (kind == C_ARGS && shell_chars(s->s, s->n)))
		emit(sc, CODE_CMD_SHELL, s->s, s->n);
	else
		emit(sc, CODE_CMD_WORD, s->s, s->n);
}

static bool is_punct(const struct tok *t, const char *p)
{
	return t->t == T_PUNCT && t->n == strlen(p) && !memcmp(t->s, p, t->n);
}

static bool is_wordtok(const struct tok *t, const char *w)
{
	return t->t == T_WORD && t->n == strlen(w) && !memcmp(t->s, w, t->n);
}

/* Perl's open: "cmd |", "| cmd", or '-|' / '|-' and the command after it. */
static void open_done(struct scan *sc)
{
	for (int i = 0; i < sc->nstrs; i++) {
		const struct tok *s = &sc->strs[i].s;
		const char *b = s->s;
		size_t n = s->n;

		while (n && is_blank(*b))
			b++, n--;
		while (n && is_blank(b[n - 1]))
			n--;
		if (n == 2 && (!memcmp(b, "-|", 2) || !memcmp(b, "|-", 2))) {
			if (i + 1 < sc->nstrs)
				emit_args(sc, C_ARGS, &sc->strs[i + 1].s);
			return;
		}
		if (n > 1 && b[0] == '|') {
			emit(sc, CODE_CMD_SHELL, b + 1, n - 1);
			return;
		}
		if (n > 1 && b[n - 1] == '|') {
			emit(sc, CODE_CMD_SHELL, b, n - 1);
			return;
		}
	}
}

static void later_done(struct scan *sc)
{
	if (sc->nstrs)
		emit_args(sc, C_ARGS, &sc->strs[0].s);
}

/* Brackets in a call's arguments: does t close the one its arguments are in? */
static bool nest_closes(struct scan *sc, const struct tok *t)
{
	if (is_punct(t, "(") || is_punct(t, "[") || is_punct(t, "{"))
		sc->depth++;
	if (!is_punct(t, ")") && !is_punct(t, "]") && !is_punct(t, "}"))
		return false;
	if (!sc->depth)
		return true;
	sc->depth--;
	return false;
}

/*
 * The call being read takes token t.  Returns true when t is consumed;
 * false when the call ended (or turned out not to be one) and t is to be
 * read afresh.
 */
static bool call_token(struct scan *sc, const struct tok *t)
{
	bool parens = sc->lang == RUNCODE_JS || sc->lang == RUNCODE_PHP || sc->lang == RUNCODE_R; /* calls need them */
	bool lua = sc->lang == RUNCODE_LUA;

	if (sc->kind == C_OPEN || sc->kind == C_LATER) {
		bool end = t->t == T_END || is_punct(t, ";") || ++sc->tokens > OPEN_TOKENS;

		if (sc->stage == 0) {
			sc->stage = 1;
			if (is_punct(t, "("))
				return true; /* its ')' ends the call, as ';' does without it */
		}
		end = nest_closes(sc, t) || end;
		if (!end && t->t == T_STR && sc->nstrs < OPEN_STRS && !sc->depth)
			sc->strs[sc->nstrs++].s = *t;
		if (!end && (is_punct(t, ",") || is_punct(t, "=>")) && sc->nstrs && sc->last[0].t == T_STR)
			sc->strs[sc->nstrs - 1].more = true;
		if (!end)
			return true;
		if (sc->kind == C_OPEN)
			open_done(sc);
		else
			later_done(sc);
		sc->kind = C_NONE;
		return false;
	}
	switch (sc->stage) {
	case 0: /* after the name */
		if (is_punct(t, "(")) {
			sc->stage = 1;
			sc->opened = true;
			return true;
		}
		if (parens)
			break;
		sc->stage = 1; /* Perl's, Ruby's and Lua's calls need no parentheses */
		return call_token(sc, t);
	case 1: /* an argument starts */
		if (t->t == T_STR && t->sk == S_WORDS) {
			emit_first_word(sc, t);
			break;
		}
		if (t->t == T_STR && t->sk != S_CMD) {
			sc->str = *t;
			sc->stage = 3;
			return true;
		}
		if (is_punct(t, "[") || (lua && is_punct(t, "{"))) {
			sc->stage = 2; /* an array, a Lua table */
			return true;
		}
		if (is_punct(t, "*") && sc->lang == RUNCODE_RUBY)
			return true; /* a splat: *%w[ls -l] */
		if (is_punct(t, "{") && sc->lang == RUNCODE_PERL) {
			sc->stage = 4; /* exec { "prog" } ... */
			return true;
		}
		if (is_punct(t, "{") && sc->lang == RUNCODE_RUBY) {
			sc->stage = 5; /* an environment hash first */
			sc->depth = 1;
			return true;
		}
		/*
		 * An expression: its strings (io.popen(cmd or "uname"),
		 * system("ls " . $dir)).  Without '(' only a value starts one:
		 * not system => 1, exec = ...
		 */
		if (sc->opened ? !is_punct(t, ")") : t->t == T_WORD || t->t == T_VAR || is_punct(t, "(")) {
			sc->stage = 8;
			sc->depth = 0;
			sc->nstrs = 0;
			return call_token(sc, t);
		}
		break;
	case 8: {
		bool end = t->t == T_END || is_punct(t, ";") || ++sc->tokens > OPEN_TOKENS ||
			   (!sc->depth && (is_punct(t, ",") || is_punct(t, "=>")));

		end = nest_closes(sc, t) || end;
		if (!end && t->t == T_STR && t->sk == S_CMD)
			emit(sc, CODE_CMD_SHELL, t->s, t->n);
		else if (!end && t->t == T_STR && sc->nstrs < OPEN_STRS)
			sc->strs[sc->nstrs++].s = *t;
		if (!end)
			return true;
		for (int i = 0; i < sc->nstrs; i++)
			emit_args(sc, sc->kind, &sc->strs[i].s);
		break;
	}
	case 2: /* an array's first element */
		if (t->t == T_STR && t->sk != S_CMD)
			emit(sc, CODE_CMD_WORD, t->s, t->n);
		break;
	case 3: /* after the first string */
		emit_args(sc, sc->kind, &sc->str);
		break;
	case 4: /* Perl's block: its string, then '}' */
		if (t->t == T_STR && t->sk == S_PLAIN) {
			sc->str = *t;
			sc->stage = 6;
			return true;
		}
		break;
	case 6:
		if (is_punct(t, "}"))
			emit(sc, CODE_CMD_WORD, sc->str.s, sc->str.n);
		break;
	case 5: /* Ruby's environment hash */
		if (t->t == T_END || ++sc->tokens > OPEN_TOKENS)
			break;
		if (is_punct(t, "{"))
			sc->depth++;
		else if (is_punct(t, "}") && --sc->depth == 0)
			sc->stage = 7;
		return true;
	case 7:
		if (is_punct(t, ",")) {
			sc->stage = 1;
			return true;
		}
		break;
	}
	sc->kind = C_NONE;
	return false;
}

static bool same_tok(const struct tok *a, const struct tok *b)
{
	return a->n == b->n && !memcmp(a->s, b->s, a->n);
}

/*
 * Is t (a word) a call of the table for this language, named as one (not
 * a method's definition, not a method of another module than its own),
 * or a name the file gave one?  *sure: whether the name alone says it
 * runs a program.
 */
static enum call_kind call_of(struct scan *sc, const struct tok *t, bool *sure)
{
	const struct tok *l = sc->last;
	const char *name = t->s;
	size_t n = t->n;

	/* Foo::Bar::open3, CORE::system: the last part. */
	for (const char *c; (c = memmem(name, n, "::", 2));) {
		n -= (size_t)(c + 2 - name);
		name = c + 2;
	}
	if (is_punct(&l[0], "->") || is_wordtok(&l[0], "sub") || is_wordtok(&l[0], "def") ||
	    is_wordtok(&l[0], "function") || (sc->lang == RUNCODE_LUA && is_punct(&l[0], ":")))
		return C_NONE;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const struct call *c = &calls[i];

		if (!(c->langs & 1u << sc->lang) || strlen(c->name) != n || memcmp(c->name, name, n))
			continue;
		if (c->owner && !(is_punct(&l[0], ".") && is_wordtok(&l[1], c->owner)))
			continue;
		*sure = !(c->langs & MAYBE);
		/* NAME = os.execute, NAME = exec: the file's name for the call. */
		if (sc->aliases_nr < ALIASES_MAX) {
			const struct tok *alias = is_punct(&l[0], "=") && l[1].t == T_WORD ? &l[1]
						  : is_punct(&l[0], ".") && is_punct(&l[2], "=") && l[3].t == T_WORD ? &l[3]
														: NULL;

			if (alias && !same_tok(alias, t)) {
				sc->aliases[sc->aliases_nr].name = *alias;
				sc->aliases[sc->aliases_nr++].kind = c->kind;
			}
		}
		return c->kind;
	}
	for (int i = 0; i < sc->aliases_nr; i++)
		if (same_tok(&sc->aliases[i].name, t) && !is_punct(&l[0], ".")) {
			*sure = true;
			return sc->aliases[i].kind;
		}
	return C_NONE;
}

static void span_add(struct scan *sc, const char *s, size_t n)
{
	if (sc->spans_nr >= CODE_CMDS_MAX)
		return;
	ALLOC_GROW(sc->spans, sc->spans_nr + 1, sc->spans_alloc);
	sc->spans[sc->spans_nr++] = (struct tok){ T_STR, S_PLAIN, s, n };
}

/* Rules that hold whatever call is being read: shell text, paths, option lists. */
static void general_token(struct scan *sc, const struct tok *t)
{
	if (t->t == T_STR && t->sk == S_CMD) {
		emit(sc, CODE_CMD_SHELL, t->s, t->n);
		sc->runs = true;
	}
	/* zx: $`cmd`; IPC::Cmd: command => "..." */
	if (t->t == T_STR && ((t->sk == S_TEMPLATE && is_wordtok(&sc->last[0], "$")) ||
			      (t->sk == S_PLAIN && is_punct(&sc->last[0], "=>") && is_wordtok(&sc->last[1], "command")))) {
		emit(sc, CODE_CMD_SHELL, t->s, t->n);
		sc->runs = true;
	}
	if (t->t == T_STR && (t->sk == S_PLAIN || t->sk == S_TEMPLATE) && t->n > 1 && t->s[0] == '/')
		span_add(sc, t->s, t->n);
	if (t->t == T_STR && t->sk == S_WORDS) {
		/* qw(ffmpeg -i ...): a list whose second word is an option. */
		const char *p = t->s, *e = t->s + t->n, *w2;

		while (p < e && (is_blank(*p) || *p == '\n'))
			p++;
		w2 = p;
		while (w2 < e && !is_blank(*w2) && *w2 != '\n')
			w2++;
		while (w2 < e && (is_blank(*w2) || *w2 == '\n'))
			w2++;
		if (w2 < e && *w2 == '-')
			span_add(sc, p, (size_t)(e - p));
	}
	if (is_punct(t, "[") || is_punct(t, "(")) {
		sc->list = 1;
	} else if (t->t == T_STR && t->sk != S_CMD && sc->list == 1) {
		sc->first = *t;
		sc->list = 2;
	} else if (is_punct(t, ",") && sc->list == 2) {
		sc->list = 3;
	} else {
		if (t->t == T_STR && sc->list == 3 && t->n > 1 && t->s[0] == '-')
			span_add(sc, sc->first.s, sc->first.n);
		sc->list = 0;
	}
}

void runcode_scan_file(struct code_cmds *cc, enum runcode_lang lang, const char *path, const char *text,
		       size_t len)
{
	struct lex lx = { .lang = lang, .text = text, .p = text, .end = text + len, .prev = { T_END, S_PLAIN, text, 0 } };
	struct scan sc = { .cc = cc, .lang = lang, .path = path };
	struct tok t;

	if ((unsigned)lang >= RUNCODE_NR || !runcode_text_may_run(lang, text, len))
		return;
	do {
		lex_next(&lx, &t);
		if (sc.kind != C_NONE && call_token(&sc, &t))
			goto next;
		general_token(&sc, &t);
		if (t.t == T_WORD) {
			bool sure = false;
			enum call_kind k = call_of(&sc, &t, &sure);

			if (k != C_NONE) {
				sc.kind = k;
				sc.stage = 0;
				sc.depth = 0;
				sc.tokens = 0;
				sc.nstrs = 0;
				sc.opened = false;
				memset(sc.strs, 0, sizeof(sc.strs));
				sc.runs = sc.runs || sure;
			}
		}
next:
		memmove(sc.last + 1, sc.last, sizeof(sc.last) - sizeof(sc.last[0]));
		sc.last[0] = t;
	} while (t.t != T_END);
	if (sc.runs)
		for (size_t i = 0; i < sc.spans_nr; i++)
			emit(&sc, CODE_CMD_WORD, sc.spans[i].s, sc.spans[i].n);
	if (sc.emitted)
		cc->files++;
	free(sc.spans);
}
