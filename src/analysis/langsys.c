#include "analysis/langsys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/path.h"
#include "util/xalloc.h"

void langsys_init(struct langsys *ls, enum langsys_lang lang)
{
	*ls = (struct langsys){ .lang = lang, .known = true };
}

void langsys_release(struct langsys *ls)
{
	for (size_t i = 0; i < ls->notes_nr; i++)
		free(ls->notes[i].where);
	free(ls->notes);
	free(ls->unknown);
	*ls = (struct langsys){ 0 };
}

void langsys_copy(struct langsys *dst, const struct langsys *src)
{
	*dst = *src;
	dst->unknown = src->unknown ? xstrdup(src->unknown) : NULL;
	dst->notes = xcalloc(src->notes_nr ? src->notes_nr : 1, sizeof(*dst->notes));
	dst->notes_alloc = src->notes_nr ? src->notes_nr : 1;
	for (size_t i = 0; i < src->notes_nr; i++)
		dst->notes[i] = (struct langsys_note){ src->notes[i].nr, xstrdup(src->notes[i].where) };
}

const char *langsys_lang_name(enum langsys_lang lang)
{
	return lang == LANGSYS_RUBY ? "ruby" : "perl";
}

const char *langsys_function(enum langsys_lang lang)
{
	return lang == LANGSYS_RUBY ? "rb_f_syscall" : "Perl_pp_syscall";
}

bool langsys_anonymous(enum langsys_lang lang)
{
	return lang == LANGSYS_RUBY;
}

void langsys_set_unknown(struct langsys *ls, const char *why)
{
	if (!ls->known)
		return;
	ls->known = false;
	ls->unknown = xstrdup(why);
}

const char *langsys_note(const struct langsys *ls, int nr)
{
	size_t lo = 0, hi = ls->notes_nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ls->notes[mid].nr == nr)
			return ls->notes[mid].where;
		if (ls->notes[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Keep the first place number nr was read (notes stay sorted by number). */
static void note_add(struct langsys *ls, int nr, char *where)
{
	size_t at = 0;

	while (at < ls->notes_nr && ls->notes[at].nr < nr)
		at++;
	if (at < ls->notes_nr && ls->notes[at].nr == nr) {
		free(where);
		return;
	}
	ALLOC_GROW(ls->notes, ls->notes_nr + 1, ls->notes_alloc);
	memmove(ls->notes + at + 1, ls->notes + at, (ls->notes_nr - at) * sizeof(*ls->notes));
	ls->notes[at] = (struct langsys_note){ nr, where };
	ls->notes_nr++;
}

/* ---- which files ------------------------------------------------------------ */

/* Does [s, s+n) hold the word w (not inside a longer word: jruby counts, rubyfoo does not)? */
static bool has_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	for (const char *p = s; p + wl <= s + n && (p = memmem(p, (size_t)(s + n - p), w, wl)); p++) {
		char after = p + wl < s + n ? p[wl] : ' ';

		if (!(after >= 'a' && after <= 'z') && !(after >= 'A' && after <= 'Z') && after != '_')
			return true;
	}
	return false;
}

unsigned langsys_file_langs(const char *path, const char *head, size_t head_len)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (head && head_len >= 2 && head[0] == '#' && head[1] == '!') {
		const char *nl = memchr(head, '\n', head_len);
		size_t n = nl ? (size_t)(nl - head) : head_len;

		if (has_word(head, n, "perl"))
			return 1u << LANGSYS_PERL;
		if (has_word(head, n, "ruby"))
			return 1u << LANGSYS_RUBY;
		return LANGSYS_OTHER_SCRIPT;
	}
	switch (path_code_of(base)) {
	case PATH_CODE_PERL:
		return 1u << LANGSYS_PERL;
	case PATH_CODE_RUBY:
		return 1u << LANGSYS_RUBY;
	case PATH_CODE_NONE:
		break;
	}
	return 0;
}

/* ---- reading code ----------------------------------------------------------- */

struct scan {
	struct langsys *ls;
	const char *path;
	const char *text, *end;
	/*
	 * Code inside another program's text (a shell script's perl -e '...',
	 * a command line): a call right after a quote is code there.
	 */
	bool embedded;
};

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static unsigned line_of(const struct scan *sc, const char *at)
{
	unsigned line = 1;

	for (const char *p = sc->text; p < at && (p = memchr(p, '\n', (size_t)(at - p))); p++)
		line++;
	return line;
}

/* The call at w as written for a report: to its first ')' on the line, at most 60 bytes. */
static char *call_text(const struct scan *sc, const char *w)
{
	const char *e = memchr(w, '\n', (size_t)(sc->end - w)), *close;
	size_t n;

	e = e ? e : sc->end;
	close = memchr(w, ')', (size_t)(e - w));
	if (close)
		e = close + 1;
	n = (size_t)(e - w);

	while (n && is_space(w[n - 1]))
		n--;
	return xstrndup(w, n > 60 ? 60 : n);
}

static void unknown_call(struct scan *sc, const char *w)
{
	char *t, *why;

	sc->ls->calls++;
	if (!sc->ls->known)
		return;
	t = call_text(sc, w);
	why = xasprintf("%s's syscall with a number computed at run time: %s at %s:%u",
			langsys_lang_name(sc->ls->lang), t, sc->path, line_of(sc, w));
	langsys_set_unknown(sc->ls, why);
	free(why);
	free(t);
}

static void known_call(struct scan *sc, const char *w, int nr)
{
	char *t;

	sc->ls->calls++;
	/* A name the table lacks is no call here (Perl dies: the .ph defines no such sub). */
	if (nr < 0 || nr >= SYSSET_NR || !syscall_name(SYS_ARCH_X86_64, nr))
		return;
	sysset_add(&sc->ls->set, nr);
	if (langsys_note(sc->ls, nr))
		return;
	t = call_text(sc, w);
	note_add(sc->ls, nr, xasprintf("%s at %s:%u", t, sc->path, line_of(sc, w)));
	free(t);
}

static const char *skip_space(const char *p, const char *end, bool newlines)
{
	while (p < end && (is_space(*p) || (newlines && *p == '\n')))
		p++;
	return p;
}

/* An integer literal (decimal, 0x, 0o, 0b; '_' separators) at *pp: its value or -1; *pp moves past it. */
static long long parse_int(const char **pp, const char *end)
{
	const char *p = *pp;
	unsigned base = 10;
	unsigned long long v = 0;
	bool any = false;

	if (p + 1 < end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p + 1 < end && p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p + 1 < end && p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p + 1 < end && p[0] == '0' && p[1] >= '0' && p[1] <= '7')
		base = 8, p += 1;
	for (; p < end; p++) {
		unsigned d;

		if (*p == '_' && any)
			continue;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (d >= base)
			break;
		any = true;
		if (v < (1ULL << 40))
			v = v * base + d;
	}
	if (!any || (p < end && (is_word(*p) || *p == '.')))
		return -1;
	*pp = p;
	return v < (1ULL << 40) ? (long long)v : (long long)SYSSET_NR;
}

/*
 * The number of a Perl call's first argument at *pp: a literal, or a
 * syscall.ph constant (&SYS_NAME, SYS_NAME(), &main::SYS_NAME, __NR_NAME):
 * the number, the table's -1 for a name x86_64 lacks, or -2 when it is
 * neither.  *pp moves past it.
 */
static int perl_number(const char **pp, const char *end)
{
	const char *p = *pp, *name;
	char buf[64];
	size_t n;
	int nr;

	if (p < end && *p >= '0' && *p <= '9') {
		long long v = parse_int(&p, end);

		if (v < 0)
			return -2;
		*pp = p;
		return v >= SYSSET_NR ? SYSSET_NR : (int)v;
	}
	if (p < end && *p == '&')
		p = skip_space(p + 1, end, false);
	/* A package: main::, ::, Foo::Bar:: */
	for (;;) {
		const char *q = p;

		while (q < end && is_word(*q))
			q++;
		if (q + 1 < end && q[0] == ':' && q[1] == ':')
			p = q + 2;
		else
			break;
	}
	name = p;
	while (p < end && is_word(*p))
		p++;
	n = (size_t)(p - name);
	if (n > 4 && !memcmp(name, "SYS_", 4))
		name += 4, n -= 4;
	else if (n > 5 && !memcmp(name, "__NR_", 5))
		name += 5, n -= 5;
	else
		return -2;
	if (n >= sizeof(buf))
		return -2;
	memcpy(buf, name, n);
	buf[n] = '\0';
	{
		const char *q = skip_space(p, end, false);

		if (q + 1 < end && q[0] == '(' && skip_space(q + 1, end, false) < end &&
		    *skip_space(q + 1, end, false) == ')')
			p = skip_space(q + 1, end, false) + 1;
	}
	nr = syscall_number(SYS_ARCH_X86_64, buf);
	*pp = p;
	return nr < 0 ? -1 : nr;
}

/*
 * A call of the builtin at w ("syscall"; e: end of the word): read its
 * first argument up to the comma, or find it computed.
 */
static void read_call(struct scan *sc, const char *w, const char *e)
{
	const char *p = skip_space(e, sc->end, sc->ls->lang == LANGSYS_PERL);
	int nr;

	if (p < sc->end && *p == '(')
		p = skip_space(p + 1, sc->end, true);
	if (sc->ls->lang == LANGSYS_PERL) {
		nr = perl_number(&p, sc->end);
	} else {
		long long v = p < sc->end && *p >= '0' && *p <= '9' ? parse_int(&p, sc->end) : -1;

		nr = v < 0 ? -2 : v >= SYSSET_NR ? SYSSET_NR : (int)v;
	}
	if (nr == -2) {
		unknown_call(sc, w);
		return;
	}
	p = skip_space(p, sc->end, true);
	/* The number is the whole first argument: a comma, or the end of the call. */
	if (p < sc->end && *p != ',' && *p != ')' && *p != ';' && *p != '\n' && *p != '}') {
		unknown_call(sc, w);
		return;
	}
	known_call(sc, w, nr);
}

/* Is [p - n, p) the word 'word', itself not the end of a longer word? */
static bool word_before(const char *line, const char *p, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(p - line) >= n && !memcmp(p - n, word, n) && (p - n == line || !is_word(p[-(ptrdiff_t)n - 1]));
}

/* An occurrence of "syscall" at w in the code [line, code_end) of one line. */
static void occurrence(struct scan *sc, const char *line, const char *code_end, const char *w)
{
	const char *e = w + 7;
	char prev = w > line ? w[-1] : '\n', next = e < code_end ? *e : '\n';
	bool perl = sc->ls->lang == LANGSYS_PERL;
	const char *q;

	if (is_word(prev) || is_word(next))
		return;
	if (perl && word_before(line, w, "CORE::")) {
		read_call(sc, w, e);
		return;
	}
	if (!perl && (word_before(line, w, "Kernel.") || word_before(line, w, "Kernel::") ||
		      word_before(line, w, "Object."))) {
		read_call(sc, w, e);
		return;
	}
	/* Ruby: a literal symbol or name may reach the method: send(:syscall, n), __send__("syscall", n). */
	if (!perl && ((prev == ':' && (w - line < 2 || w[-2] != ':')) ||
		      ((prev == '"' || prev == '\'') && next == prev))) {
		unknown_call(sc, w);
		return;
	}
	/* In a string: a call only in code that is run as such (perl -e '...', eval "syscall(...)"). */
	if ((prev == '\'' || prev == '"') && (sc->embedded || next == '(')) {
		read_call(sc, w, e);
		return;
	}
	/*
	 * Not the builtin: a variable ($syscall, @syscall...), a sub of that
	 * name (&syscall, ->syscall, .syscall, Foo::syscall), a string or a
	 * file name ("syscall", 'sys/syscall.ph'), a hyphenated word, a
	 * regex's alternative (|syscall|), a hash key ({syscall}, syscall =>,
	 * Ruby's syscall:), a method's name (Ruby's syscall? and syscall=).
	 */
	if (strchr("$@%&*:>'\"-/|{<.\\", prev) || strchr(":-.|'\"}?!", next))
		return;
	if (!perl && word_before(line, w - (prev == ' ' ? 1 : 0), "def"))
		return;
	q = skip_space(e, code_end, false);
	if (q + 1 < code_end && q[0] == '=' && q[1] != '=' && q[1] != '~')
		return;
	read_call(sc, w, e);
}

/*
 * Where a line's comment starts: '#' at its start or after a blank, ';',
 * '{' or '(' ($#array, s#a#b# and Ruby's "#{x}" are not comments).
 */
static const char *comment_start(const char *p, const char *eol, bool ruby)
{
	for (const char *c = p; c < eol && (c = memchr(c, '#', (size_t)(eol - c))); c++) {
		char prev = c > p ? c[-1] : ' ';

		if (ruby && c + 1 < eol && c[1] == '{')
			continue;
		if (is_space(prev) || prev == ';' || prev == '{' || prev == '(')
			return c;
	}
	return eol;
}

/* Does the line [p, eol) start with the word 'word'? */
static bool line_starts(const char *p, const char *eol, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(eol - p) >= n && !memcmp(p, word, n) && ((size_t)(eol - p) == n || !is_word(p[n]));
}

static bool line_is(const char *p, const char *eol, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(eol - p) < n || memcmp(p, word, n))
		return false;
	p = skip_space(p + n, eol, false);
	return p == eol;
}

static void scan_text(struct scan *sc)
{
	bool perl = sc->ls->lang == LANGSYS_PERL, doc = false;
	const char *p = sc->text;

	if (!memmem(sc->text, (size_t)(sc->end - sc->text), "syscall", 7))
		return;
	while (p < sc->end) {
		const char *eol = memchr(p, '\n', (size_t)(sc->end - p)), *code_end, *w;

		if (!eol)
			eol = sc->end;
		/* POD (=head1 ... =cut) and Ruby's =begin ... =end are documentation. */
		if (doc) {
			if (line_starts(p, eol, perl ? "=cut" : "=end"))
				doc = false;
			goto next;
		}
		if (!sc->embedded && p < eol && *p == '=' && eol - p > 1 &&
		    ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')) &&
		    (perl || line_starts(p, eol, "=begin"))) {
			doc = true;
			goto next;
		}
		if (!sc->embedded && (line_is(p, eol, "__END__") || (perl && line_is(p, eol, "__DATA__"))))
			break;
		code_end = comment_start(p, eol, !perl);
		for (w = p; w < code_end && (w = memmem(w, (size_t)(code_end - w), "syscall", 7)); w += 7)
			occurrence(sc, p, code_end, w);
next:
		p = eol + 1;
	}
}

void langsys_scan_file(struct langsys *ls, unsigned want, unsigned langs, const char *path, const char *text,
		       size_t len)
{
	for (unsigned l = 0; l < LANGSYS_NR; l++) {
		if (!(want & 1u << l))
			continue;
		struct scan sc = { &ls[l], path, text, text + len, false };
		bool embedded = (langs & LANGSYS_OTHER_SCRIPT) && has_word(text, len, langsys_lang_name(l));

		if (!(langs & 1u << l) && !embedded)
			continue;
		sc.embedded = !(langs & 1u << l);
		ls[l].files++;
		ls[l].bytes += len;
		scan_text(&sc);
	}
}

bool langsys_argv_runs(const char *argv0, enum langsys_lang lang)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	return !strncmp(base, langsys_lang_name(lang), 4);
}

void langsys_scan_argv(struct langsys *ls, char *const *argv, size_t argc)
{
	if (!argc || !argv[0] || !langsys_argv_runs(argv[0], ls->lang))
		return;
	for (size_t i = 1; i < argc; i++) {
		struct scan sc = { ls, "the command line", argv[i], argv[i] + strlen(argv[i]), true };

		scan_text(&sc);
	}
}
