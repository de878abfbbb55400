#include "engine/validate.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define PROFILE_CAP (8u << 20)
/* The exit code of a container the stop's SIGKILL ended (128 + 9). */
#define STOP_KILLED 137
#define RUNTIME_INIT_COMM "runc:[2:INIT]"

void validate_result_init(struct validate_result *r)
{
	memset(r, 0, sizeof(*r));
}

static void run_release(struct validate_run *v)
{
	free(v->start_error);
	free(v->probe_error);
	memset(v, 0, sizeof(*v));
}

void validate_result_release(struct validate_result *r)
{
	run_release(&r->baseline);
	run_release(&r->hardened);
	run_release(&r->audit);
	for (size_t i = 0; i < r->missing_nr; i++) {
		free(r->missing[i].comms);
		free(r->missing[i].exes);
	}
	free(r->missing);
	strlist_clear(&r->reasons);
	free(r->log_diff);
	memset(r, 0, sizeof(*r));
}

static bool is_allow(const char *a)
{
	return a && !strcmp(a, "SCMP_ACT_ALLOW");
}

static int load_profile(const char *text, json_t **out)
{
	json_error_t jerr;
	json_t *root;

	if (!text)
		return err_set(EINVAL, "no profile given");
	if (strlen(text) > PROFILE_CAP)
		return err_set(EFBIG, "profile larger than %u bytes", PROFILE_CAP);
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return err_set(EINVAL, "cannot parse the profile: line %d: %s", jerr.line, jerr.text);
	if (!json_is_object(root) || !json_is_string(json_object_get(root, "defaultAction"))) {
		json_decref(root);
		return err_set(EINVAL, "the profile is not a seccomp profile (no defaultAction)");
	}
	*out = root;
	return 0;
}

static char *dump(json_t *root)
{
	char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (!s)
		abort();
	return s;
}

int validate_audit_profile(const char *profile_json, char **out, struct strlist *explicit_names)
{
	json_t *root, *rule;
	size_t i;
	int ret = load_profile(profile_json, &root);

	if (ret < 0)
		return ret;
	/* A deny-list profile (default allow) keeps its default. */
	if (!is_allow(json_string_value(json_object_get(root, "defaultAction")))) {
		json_object_set_new(root, "defaultAction", json_string("SCMP_ACT_LOG"));
		json_object_del(root, "defaultErrnoRet");
	}
	json_array_foreach(json_object_get(root, "syscalls"), i, rule) {
		const char *a = json_string_value(json_object_get(rule, "action"));
		json_t *nm;
		size_t j;

		if (is_allow(a) || (a && !strcmp(a, "SCMP_ACT_LOG")))
			continue;
		/*
		 * A rule answering ENOSYS is a deliberate "not implemented" so
		 * that libc falls back (clone3 -> clone): keep it, or the audit
		 * run would take a path the hardened run never takes.
		 */
		if (a && !strcmp(a, "SCMP_ACT_ERRNO") &&
		    json_integer_value(json_object_get(rule, "errnoRet")) == ENOSYS)
			continue;
		json_object_set_new(rule, "action", json_string("SCMP_ACT_LOG"));
		json_object_del(rule, "errnoRet");
		if (explicit_names) {
			json_array_foreach(json_object_get(rule, "names"), j, nm)
				if (json_is_string(nm))
					strlist_push(explicit_names, json_string_value(nm));
			if (json_is_string(json_object_get(rule, "name")))
				strlist_push(explicit_names,
					     json_string_value(json_object_get(rule, "name")));
		}
	}
	*out = dump(root);
	json_decref(root);
	return 0;
}

static bool lets_through(const char *a)
{
	return is_allow(a) || (a && !strcmp(a, "SCMP_ACT_LOG"));
}

size_t validate_check_names(const char *profile_json)
{
	json_t *root, *rule, *nm;
	struct strbuf bad, old;
	size_t i, j, bad_nr = 0, old_nr = 0;
	bool i386 = false, denylist;

	if (load_profile(profile_json, &root) < 0) {
		err_clear();
		return 0;
	}
	strbuf_init(&bad, 4096);
	strbuf_init(&old, 4096);
	/* A profile admitting i386 names its calls the x86_64 table lacks (mmap2, socketcall). */
	json_array_foreach(json_object_get(root, "architectures"), i, nm)
		if (json_is_string(nm) && !strcmp(json_string_value(nm), "SCMP_ARCH_X86"))
			i386 = true;
	/*
	 * The names whose rule changes what the default does: the allowed ones
	 * of an allowlist, the denied ones of a deny-list.  An allowlist's
	 * ENOSYS rule (new calls libc falls back from) denies what the default
	 * denies anyway.
	 */
	denylist = lets_through(json_string_value(json_object_get(root, "defaultAction")));
	json_array_foreach(json_object_get(root, "syscalls"), i, rule) {
		if (lets_through(json_string_value(json_object_get(rule, "action"))) == denylist)
			continue;
		json_array_foreach(json_object_get(rule, "names"), j, nm) {
			const char *n = json_string_value(nm);

			if (!n)
				continue;
			if (syscall_number(SYS_ARCH_X86_64, n) < 0) {
				if (i386 && seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, n) != __NR_SCMP_ERROR)
					continue;
				strbuf_addf(&bad, "%s%s", bad_nr++ ? ", " : "", n);
			} else if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, n) ==
				   __NR_SCMP_ERROR) {
				strbuf_addf(&old, "%s%s", old_nr++ ? ", " : "", n);
			}
		}
	}
	if (bad_nr)
		warn_add("the profile names %zu unknown system call%s (%s); the engine ignores them",
			 bad_nr, bad_nr == 1 ? "" : "s", bad.buf);
	if (old_nr) {
		const struct scmp_version *v = seccomp_version();

		warn_add("libseccomp %u.%u.%u does not know %zu %s system call%s (%s): Docker "
			 "drops such names silently, so they stay %s",
			 v->major, v->minor, v->micro, old_nr, denylist ? "denied" : "allowed",
			 old_nr == 1 ? "" : "s", old.buf, denylist ? "allowed" : "denied");
	}
	strbuf_release(&bad);
	strbuf_release(&old);
	json_decref(root);
	return (bad_nr > 0) + (old_nr > 0);
}

size_t validate_not_allowed(const char *profile_json, char *const *names, size_t nr,
			    struct strbuf *missing)
{
	json_t *root, *rule, *nm;
	const char *def;
	size_t i, j, n = 0;

	if (load_profile(profile_json, &root) < 0) {
		err_clear();
		return 0;
	}
	def = json_string_value(json_object_get(root, "defaultAction"));
	if (is_allow(def) || !strcmp(def, "SCMP_ACT_LOG")) {
		json_decref(root);
		return 0;
	}
	for (size_t k = 0; k < nr; k++) {
		bool ok = false;

		json_array_foreach(json_object_get(root, "syscalls"), i, rule) {
			if (ok || !is_allow(json_string_value(json_object_get(rule, "action"))) ||
			    json_array_size(json_object_get(rule, "args")))
				continue;
			json_array_foreach(json_object_get(rule, "names"), j, nm)
				ok |= json_is_string(nm) && !strcmp(json_string_value(nm), names[k]);
		}
		if (!ok) {
			strbuf_addf(missing, "%s%s", n ? ", " : "", names[k]);
			n++;
		}
	}
	json_decref(root);
	return n;
}

int validate_profile_add(const char *profile_json, char *const *names, size_t nr, char **out)
{
	json_t *root, *rules, *rule, *target = NULL;
	size_t i;
	int ret = load_profile(profile_json, &root);

	if (ret < 0)
		return ret;
	rules = json_object_get(root, "syscalls");
	if (!json_is_array(rules)) {
		rules = json_array();
		json_object_set_new(root, "syscalls", rules);
	}
	/* The first unconditional allow rule takes them. */
	json_array_foreach(rules, i, rule) {
		if (is_allow(json_string_value(json_object_get(rule, "action"))) &&
		    !json_array_size(json_object_get(rule, "args")) &&
		    !json_object_get(rule, "includes") && !json_object_get(rule, "excludes") &&
		    json_is_array(json_object_get(rule, "names"))) {
			target = rule;
			break;
		}
	}
	if (!target) {
		target = json_pack("{s:[],s:s}", "names", "action", "SCMP_ACT_ALLOW");
		json_array_append_new(rules, target);
	}
	for (i = 0; i < nr; i++) {
		json_t *arr = json_object_get(target, "names"), *e;
		size_t j;
		bool have = false;

		json_array_foreach(arr, j, e)
			have |= json_is_string(e) && !strcmp(json_string_value(e), names[i]);
		if (!have) {
			/* Keep the list sorted for deterministic bytes. */
			size_t pos = 0;

			json_array_foreach(arr, j, e)
				if (json_is_string(e) && strcmp(json_string_value(e), names[i]) < 0)
					pos = j + 1;
			json_array_insert_new(arr, pos, json_string(names[i]));
		}
		/* An explicit deny rule for the name must not win over the allow. */
		json_array_foreach(rules, j, rule) {
			json_t *rn = json_object_get(rule, "names"), *x;
			size_t k;

			if (rule == target || is_allow(json_string_value(json_object_get(rule, "action"))))
				continue;
			json_array_foreach(rn, k, x) {
				if (json_is_string(x) && !strcmp(json_string_value(x), names[i])) {
					json_array_remove(rn, k);
					break;
				}
			}
		}
	}
	*out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!*out)
		abort();
	return 0;
}

/* A UUID (8-4-4-4-12 hex digits) at s: its length, else 0. */
static size_t uuid_at(const char *s, size_t len)
{
	static const unsigned groups[] = { 8, 4, 4, 4, 12 };
	size_t i = 0;

	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		if (g && (i >= len || s[i++] != '-'))
			return 0;
		for (unsigned k = 0; k < groups[g]; k++, i++)
			if (i >= len || !isxdigit((unsigned char)s[i]))
				return 0;
	}
	return i < len && isalnum((unsigned char)s[i]) ? 0 : i;
}

/*
 * A duration at s (Go's time.Duration and the like: "812ns", "1.5µs",
 * "42ms", "3s", "1h2m3.5s"): its length, else 0.  Its unit changes with its
 * size from run to run, so it is one token, whatever the unit.
 */
static size_t duration_at(const char *s, size_t len)
{
	static const char *const units[] = { "ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s", "m", "h" };
	size_t i = 0, parts = 0;

	while (i < len && isdigit((unsigned char)s[i])) {
		size_t u;

		while (i < len && isdigit((unsigned char)s[i]))
			i++;
		if (i + 1 < len && s[i] == '.' && isdigit((unsigned char)s[i + 1]))
			for (i++; i < len && isdigit((unsigned char)s[i]); i++)
				;
		for (u = 0; u < ARRAY_SIZE(units); u++)
			if (len - i >= strlen(units[u]) && !memcmp(s + i, units[u], strlen(units[u])))
				break;
		if (u == ARRAY_SIZE(units))
			return 0;
		i += strlen(units[u]);
		parts++;
	}
	return parts && !(i < len && isalnum((unsigned char)s[i])) ? i : 0;
}

char *validate_normalize_log(const char *log, size_t len)
{
	struct strbuf sb;
	size_t i = 0;

	strbuf_init(&sb, 0);
	while (i < len) {
		unsigned char c = (unsigned char)log[i];

		if (c == '0' && i + 2 < len && (log[i + 1] == 'x' || log[i + 1] == 'X') &&
		    isxdigit((unsigned char)log[i + 2])) {
			i += 2;
			while (i < len && isxdigit((unsigned char)log[i]))
				i++;
			strbuf_addch(&sb, 'X');
			continue;
		}
		bool word_start = i == 0 || !isalnum((unsigned char)log[i - 1]);
		size_t n;

		if (isdigit(c) && word_start && (n = duration_at(log + i, len - i))) {
			i += n;
			strbuf_addch(&sb, 'D');
			continue;
		}
		/* Ids such as MQTT's auto-generated client ids. */
		if (isxdigit(c) && word_start && (n = uuid_at(log + i, len - i))) {
			i += n;
			strbuf_addch(&sb, 'X');
			continue;
		}
		if (isalnum(c) && word_start) {
			size_t j = i, digits = 0, upper = 0, lower = 0;

			for (; j < len && isalnum((unsigned char)log[j]); j++) {
				digits += isdigit((unsigned char)log[j]) != 0;
				upper += isupper((unsigned char)log[j]) != 0;
				lower += islower((unsigned char)log[j]) != 0;
			}
			/*
			 * Generated ids and keys: 20+ letters and digits, both (NATS's server
			 * id); or 8+ with digits and letters of both cases (InfluxDB's
			 * log_id=0rV5GVG0000), which words and numbers seldom have.
			 */
			if ((j - i >= 20 && digits && digits < j - i) || (j - i >= 8 && digits && upper && lower)) {
				strbuf_addch(&sb, 'X');
				i = j;
				continue;
			}
		}
		if (isxdigit(c) && word_start) {
			size_t j = i;
			bool digit = false, alpha = false;

			while (j < len && isxdigit((unsigned char)log[j])) {
				digit |= isdigit((unsigned char)log[j]) != 0;
				alpha |= isalpha((unsigned char)log[j]) != 0;
				j++;
			}
			/* Ids and hashes: a hex word of 8+ with digits and letters. */
			if (j - i >= 8 && digit && alpha && (j == len || !isalnum((unsigned char)log[j]))) {
				strbuf_addch(&sb, 'X');
				i = j;
				continue;
			}
		}
		if (isdigit(c)) {
			while (i < len && isdigit((unsigned char)log[i]))
				i++;
			strbuf_addch(&sb, '#');
			continue;
		}
		if (c != '\r')
			strbuf_addch(&sb, (char)c);
		i++;
	}
	return strbuf_detach(&sb, NULL);
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The end of a "..." string starting at s[i] (the index past its closing quote). */
static size_t quoted_end(const char *s, size_t i, size_t len)
{
	for (i++; i < len && s[i] != '"'; i++)
		if (s[i] == '\\' && i + 1 < len)
			i++;
	return i < len ? i + 1 : len;
}

/*
 * For each '[' or '{' of s (outside "..." strings), the index of the bracket
 * closing it, else SIZE_MAX: one pass with a stack, so that a line of
 * unbalanced brackets costs no more than any other.
 */
static size_t *group_closes(const char *s, size_t len)
{
	size_t *close = xmalloc((len ? len : 1) * sizeof(*close)), *stack = xmalloc((len ? len : 1) * sizeof(*stack));
	size_t depth = 0, i = 0;

	while (i < len) {
		close[i] = SIZE_MAX;
		if (s[i] == '"') {
			size_t e = quoted_end(s, i, len);

			while (++i < e)
				close[i] = SIZE_MAX;
			continue;
		}
		if (s[i] == '[' || s[i] == '{')
			stack[depth++] = i;
		else if ((s[i] == ']' || s[i] == '}') && depth)
			close[stack[--depth]] = i;
		i++;
	}
	free(stack);
	return close;
}

#define GROUP_DEPTH 16

/*
 * s[from, to) with the comma-separated items of every [...] and {...} group
 * sorted: a map printed in hash order (Go's JSON of a map, a Python set)
 * gives the same line whatever the order.  Groups nested deeper than
 * GROUP_DEPTH are kept as they are.
 */
static void canon_groups(const char *s, const size_t *close, size_t from, size_t to, int depth,
			 struct strbuf *out)
{
	size_t i = from;

	while (i < to) {
		size_t e = close[i], start, nr = 0, alloc = 0;
		char **items = NULL;

		if (s[i] == '"') {
			e = quoted_end(s, i, to);
			strbuf_add(out, s + i, e - i);
			i = e;
			continue;
		}
		if (e == SIZE_MAX || e >= to || depth >= GROUP_DEPTH) {
			strbuf_addch(out, s[i++]);
			continue;
		}
		/* Split s(i, e) at its top-level commas. */
		for (start = i + 1; start <= e;) {
			size_t k = start, next;
			struct strbuf item;

			while (k < e && s[k] != ',') {
				if (s[k] == '"')
					k = quoted_end(s, k, e);
				else if (close[k] != SIZE_MAX && close[k] < e)
					k = close[k] + 1;
				else
					k++;
			}
			next = k + 1;
			/* Blanks around an item do not count: "{'b', 'a'}" is "{'a','b'}". */
			while (start < k && s[start] == ' ')
				start++;
			while (k > start && s[k - 1] == ' ')
				k--;
			strbuf_init(&item, 0);
			canon_groups(s, close, start, k, depth + 1, &item);
			ALLOC_GROW(items, nr + 1, alloc);
			items[nr++] = strbuf_detach(&item, NULL);
			start = next;
		}
		qsort(items, nr, sizeof(*items), cmp_line);
		strbuf_addch(out, s[i]);
		for (size_t k = 0; k < nr; k++) {
			if (k)
				strbuf_addch(out, ',');
			strbuf_add(out, items[k], strlen(items[k]));
			free(items[k]);
		}
		free(items);
		strbuf_addch(out, s[e]);
		i = e + 1;
	}
}

char *validate_canon_line(const char *line)
{
	size_t len = strlen(line), *close = group_closes(line, len);
	struct strbuf sb;

	strbuf_init(&sb, 0);
	canon_groups(line, close, 0, len, 0, &sb);
	free(close);
	return strbuf_detach(&sb, NULL);
}

/* The normalised non-empty lines of both streams, sorted (concurrent writers reorder lines). */
static char **log_lines(const struct monitor_result *m, size_t *nr)
{
	char **v = NULL;
	size_t alloc = 0;
	const struct strbuf *bufs[2] = { &m->out, &m->err };

	*nr = 0;
	for (int b = 0; b < 2; b++) {
		char *norm = validate_normalize_log(bufs[b]->buf ? bufs[b]->buf : "", bufs[b]->len);
		char *line, *save = NULL;

		for (line = strtok_r(norm, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			ALLOC_GROW(v, *nr + 1, alloc);
			v[(*nr)++] = validate_canon_line(line);
		}
		free(norm);
	}
	if (*nr)
		qsort(v, *nr, sizeof(*v), cmp_line);
	return v;
}

#define LOG_ID_PAIRS 256 /* most lines of one run only that compare_logs pairs by id */

/* A character of an id word: base64url's, and the normaliser's '#' for digits. */
static bool id_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '#';
}

/* Is [w, w+n) a generated id (validate_lines_differ_by_id)? */
static bool id_word(const char *w, size_t n)
{
	size_t upper = 0, lower = 0, digits = 0, changes = 0, xs = 0;

	for (size_t i = 0; i < n; i++) {
		char c = w[i];

		xs += c == 'X' || c == '-' || c == '_';
		upper += isupper((unsigned char)c) != 0;
		lower += islower((unsigned char)c) != 0;
		digits += isdigit((unsigned char)c) || c == '#';
		changes += i && (isupper((unsigned char)c) != 0) != (isupper((unsigned char)w[i - 1]) != 0);
	}
	/* What the normaliser made of one ('X', 'X-' for Mojolicious's huxHn4i6Fi8-). */
	if (xs == n && memchr(w, 'X', n))
		return true;
	/*
	 * One it replaced in part: a base64url id's '-' or '_' splits it, and
	 * a part with digits and both cases became 'X' (Tg_X, X-GK).
	 */
	for (size_t i = 0; i < n && (memchr(w, '-', n) || memchr(w, '_', n)); i++) {
		size_t j = i;

		while (j < n && w[j] != '-' && w[j] != '_')
			j++;
		if (j - i == 1 && w[i] == 'X')
			return true;
		i = j;
	}
	return n >= 8 && upper && lower && (digits || changes * 3 >= n);
}

bool validate_lines_differ_by_id(const char *a, const char *b)
{
	bool differed = false;

	while (*a || *b) {
		size_t na = 0, nb = 0;

		while (id_char(a[na]))
			na++;
		while (id_char(b[nb]))
			nb++;
		if (!na && !nb) {
			if (*a != *b)
				return false;
			a++;
			b++;
			continue;
		}
		if (na != nb || memcmp(a, b, na)) {
			if (differed || !na || !nb || !id_word(a, na) || !id_word(b, nb))
				return false;
			differed = true;
		}
		a += na;
		b += nb;
	}
	return differed;
}

/* Has 'line' (of one run's lines only) a partner among 'other' (the other run's lines) differing by an id? */
static bool has_id_partner(const char *line, char *const *other, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (validate_lines_differ_by_id(line, other[i]))
			return true;
	return false;
}

bool validate_logs_match(char *const *b, size_t bn, char *const *h, size_t hn, char **diff)
{
	char **ob = xcalloc(bn + 1, sizeof(*ob)), **oh = xcalloc(hn + 1, sizeof(*oh));
	size_t obn = 0, ohn = 0, i = 0, j = 0;
	bool equal = true;

	*diff = NULL;
	/*
	 * The same distinct lines: how often a line repeats (requests served,
	 * workers started while the window closed) depends on timing.
	 */
	while (i < bn || j < hn) {
		int c = i >= bn ? 1 : j >= hn ? -1 : strcmp(b[i], h[j]);
		const char *line = c <= 0 ? b[i] : h[j];

		if (c < 0)
			ob[obn++] = b[i];
		else if (c > 0)
			oh[ohn++] = h[j];
		while (c <= 0 && i < bn && !strcmp(b[i], line))
			i++;
		while (c >= 0 && j < hn && !strcmp(h[j], line))
			j++;
	}
	/*
	 * A line of one run only is the same line as one of the other's that
	 * differs in a generated id: any of the other's, since a line may
	 * repeat (the baseline served "/" twice, as [eq_X] and as [X]; the
	 * hardened run once, as [X]: its line is common, the baseline's
	 * [eq_X] pairs with it).  So many lines of one run only (past
	 * LOG_ID_PAIRS) are a difference anyway, and not paired.
	 */
	if (obn > LOG_ID_PAIRS || ohn > LOG_ID_PAIRS) {
		equal = false;
		*diff = obn ? xasprintf("only in the baseline: %s", ob[0]) : xasprintf("only in the hardened run: %s", oh[0]);
	}
	for (size_t k = 0; k < obn && equal; k++)
		if (!has_id_partner(ob[k], h, hn)) {
			equal = false;
			*diff = xasprintf("only in the baseline: %s", ob[k]);
		}
	for (size_t k = 0; k < ohn && equal; k++)
		if (!has_id_partner(oh[k], b, bn)) {
			equal = false;
			*diff = xasprintf("only in the hardened run: %s", oh[k]);
		}
	free(ob);
	free(oh);
	return equal;
}

static void compare_logs(const struct monitor_result *base, const struct monitor_result *hard,
			 struct validate_result *r)
{
	size_t bn, hn;
	char **b = log_lines(base, &bn), **h = log_lines(hard, &hn);

	r->logs_equal = validate_logs_match(b, bn, h, hn, &r->log_diff);
	for (size_t i = 0; i < bn; i++)
		free(b[i]);
	for (size_t j = 0; j < hn; j++)
		free(h[j]);
	free(b);
	free(h);
}

static void fill_run(struct validate_run *v, const struct monitor_result *m)
{
	v->ran = true;
	v->started = m->started;
	v->exited = m->exited;
	v->exit_code = m->exit_code;
	v->oom_killed = m->oom_killed;
	v->ms = m->ran_ms;
	v->probe_ran = m->probe_ran;
	v->probe_ok = m->probe_ran && m->probe_status == 0;
	v->log_lines = 0;
	for (size_t i = 0; i < m->out.len; i++)
		v->log_lines += m->out.buf[i] == '\n';
	for (size_t i = 0; i < m->err.len; i++)
		v->log_lines += m->err.buf[i] == '\n';
	v->start_error = m->start_error ? xstrdup(m->start_error) : NULL;
	v->probe_error = m->probe_error ? xstrdup(m->probe_error) : NULL;
}

static int cmp_missing(const void *a, const void *b)
{
	const struct validate_missing *x = a, *y = b;

	if (x->arch != y->arch)
		return x->arch == AUDIT_ARCH_X86_64_ID ? -1 : y->arch == AUDIT_ARCH_X86_64_ID ? 1
							     : (x->arch < y->arch ? -1 : 1);
	return x->nr - y->nr;
}

static bool list_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static void add_comm(char **comms, const char *comm)
{
	char *n;
	size_t cl = strlen(comm);

	if (!*comms) {
		*comms = xstrdup(comm);
		return;
	}
	/* Already listed? */
	for (const char *p = *comms; (p = strstr(p, comm)); p++)
		if ((p == *comms || p[-1] == ',') && (p[cl] == ',' || !p[cl]))
			return;
	n = xasprintf("%s,%s", *comms, comm);
	free(*comms);
	*comms = n;
}

static bool watch_knows(void *ctx, int pid)
{
	return procwatch_saw_pid(ctx, pid);
}

/* Fold the container's records (see audit_attribute()) into r->missing. */
static void attribute(struct validate_result *r, struct audit_record *recs, size_t nr,
		      const struct audit_fork *forks, size_t forks_nr, const char *cid,
		      struct procwatch *w, const struct strlist *explicit_names)
{
	size_t alloc = 0;

	audit_attribute(recs, nr, forks, forks_nr, cid, watch_knows, w);
	for (size_t i = 0; i < nr; i++) {
		const struct audit_record *a = &recs[i];
		struct validate_missing *m = NULL;

		if (!a->ours) {
			r->audit_foreign++;
			continue;
		}
		r->audit_records++;
		for (size_t j = 0; j < r->missing_nr; j++)
			if (r->missing[j].nr == a->syscall && r->missing[j].arch == a->arch)
				m = &r->missing[j];
		if (!m) {
			ALLOC_GROW(r->missing, r->missing_nr + 1, alloc);
			m = &r->missing[r->missing_nr++];
			memset(m, 0, sizeof(*m));
			m->nr = a->syscall;
			m->arch = a->arch;
			if (a->arch == AUDIT_ARCH_X86_64_ID)
				m->name = syscall_name(SYS_ARCH_X86_64, a->syscall);
			m->explicit_rule = m->name && explicit_names && list_has(explicit_names, m->name);
		}
		m->count++;
		if (a->comm[0])
			add_comm(&m->comms, a->comm);
		if (a->exe[0])
			add_comm(&m->exes, a->exe);
		if (!strcmp(a->comm, RUNTIME_INIT_COMM))
			m->by_runtime = true;
	}
	if (r->missing_nr)
		qsort(r->missing, r->missing_nr, sizeof(*r->missing), cmp_missing);
}

struct audit_arm {
	struct audit_reader *reader;
};

static void reason(struct validate_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reason(struct validate_result *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	strlist_push(&r->reasons, s);
	free(s);
}

static void monitor_defaults(struct monitor_opts *mo, const struct validate_opts *o,
			     const char *phase)
{
	memset(mo, 0, sizeof(*mo));
	mo->min_ms = o->min_ms > 0 ? o->min_ms : 500;
	mo->idle_ms = o->idle_ms > 0 ? o->idle_ms : 800;
	mo->max_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
	mo->probe = o->probe;
	mo->probe_timeout_ms = mo->max_ms < 5000 ? mo->max_ms : 5000;
	mo->stop_timeout_s = 1;
	mo->progress = o->progress;
	mo->phase = phase;
}

int validate_profile(struct dockerapi *api, const struct container_spec *spec,
		     const struct validate_opts *o, struct validate_result *r)
{
	struct container_spec s;
	struct monitor_opts mo;
	struct monitor_result audit, base, hard;
	struct strlist explicit_names = { 0 };
	struct audit_reader *reader = NULL;
	struct audit_record *recs = NULL;
	struct audit_fork *forks = NULL;
	size_t recs_nr = 0, forks_nr = 0;
	char *audit_json = NULL;
	long t0 = clock_now_ms();
	int ret;

	monitor_result_init(&audit);
	monitor_result_init(&base);
	monitor_result_init(&hard);
	container_spec_copy(&s, spec);
	ret = validate_audit_profile(o->profile_json, &audit_json, &explicit_names);
	if (ret < 0)
		goto out;
	validate_check_names(o->profile_json);

	/* 1. The audit run, which is also the baseline unless asked otherwise. */
	ret = audit_reader_start(&reader);
	if (ret < 0 && o->audit_only)
		goto out;
	if (ret < 0) {
		/* Still worth running: the hardened run alone can show a failure. */
		warn_add("%s; the audit run cannot name the system calls the profile denies", err_msg());
		err_clear();
		reader = NULL;
		r->audit_source = AUDIT_SOURCE_NONE;
	} else {
		r->audit_source = audit_reader_source(reader);
	}
	free(s.seccomp);
	s.seccomp = xstrdup(audit_json);
	monitor_defaults(&mo, o, "validate: audit run");
	ret = monitor_run(api, &s, &mo, &audit);
	if (ret < 0)
		goto out;
	{
		/* Records travel through kauditd asynchronously: let the last ones arrive. */
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (reader) {
		audit_reader_take(reader, &recs, &recs_nr, &r->audit_lost);
		audit_reader_take_forks(reader, &forks, &forks_nr);
	}
	audit_reader_stop(reader);
	reader = NULL;
	fill_run(&r->audit, &audit);
	attribute(r, recs, recs_nr, forks, forks_nr, audit.container_id, &audit.watch,
		  &explicit_names);
	if (!audit.started) {
		ret = err_set(EIO, "the container did not start even with nothing denied: %s",
			      audit.start_error ? audit.start_error : "unknown error");
		goto out;
	}
	if (o->audit_only)
		goto verdict;

	if (o->separate_baseline) {
		free(s.seccomp);
		s.seccomp = xstrdup("unconfined");
		monitor_defaults(&mo, o, "validate: baseline run");
		ret = monitor_run(api, &s, &mo, &base);
		if (ret < 0)
			goto out;
		fill_run(&r->baseline, &base);
	} else {
		r->baseline_is_audit = true;
		fill_run(&r->baseline, &audit);
	}

	/* 2. The hardened run. */
	free(s.seccomp);
	s.seccomp = xstrdup(o->profile_json);
	monitor_defaults(&mo, o, "validate: hardened run");
	{
		/* A probe that answered fast in the baseline need not wait long now. */
		const struct monitor_result *b = o->separate_baseline ? &base : &audit;

		if (b->probe_ran && b->probe_status == 0 && 3 * b->probe_ms + 1500 < mo.probe_timeout_ms)
			mo.probe_timeout_ms = 3 * b->probe_ms + 1500;
	}
	ret = monitor_run(api, &s, &mo, &hard);
	if (ret < 0)
		goto out;
	fill_run(&r->hardened, &hard);
	compare_logs(o->separate_baseline ? &base : &audit, &hard, r);
	/* A probe that fails without a profile tests nothing: say so, it is the user's to fix. */
	if (r->baseline.probe_ran && !r->baseline.probe_ok)
		warn_add("the health check or workload failed in the baseline run too (%s): it tested "
			 "nothing; only the exit, the logs and the denied calls were compared",
			 r->baseline.probe_error ? r->baseline.probe_error : "failed");
	else if (o->probe && !r->baseline.probe_ran && r->baseline.exited)
		warn_add("the health check or workload never ran: the container exited (code %d) after %.1f s "
			 "in the baseline run; only the exit, the logs and the denied calls were compared",
			 r->baseline.exit_code, (double)r->baseline.ms / 1000.0);
	/* A container that fails without a profile's denials has a problem of its own. */
	if (r->baseline.exited && r->baseline.exit_code != 0 && !r->baseline.oom_killed && !o->audit_only)
		warn_add("the container exited with code %d in the baseline run (nothing denied there): "
			 "its command or options may be wrong", r->baseline.exit_code);

verdict:
	{
		const struct validate_run *b = &r->baseline, *h = &r->hardened;
		struct strbuf names;

		strbuf_init(&names, 0);
		for (size_t i = 0; i < r->missing_nr; i++) {
			const struct validate_missing *m = &r->missing[i];

			if (m->explicit_rule)
				continue;
			if (m->name)
				strbuf_addf(&names, "%s%s", names.len ? ", " : "", m->name);
			else
				strbuf_addf(&names, "%s%s%d (arch %#x)", names.len ? ", " : "",
					    m->arch == AUDIT_ARCH_X86_64_ID ? "syscall " : "compat syscall ",
					    m->nr, m->arch);
		}
		bool denied = names.len > 0;

		if (denied)
			reason(r, "the profile denies system calls the container made: %s", names.buf);
		strbuf_release(&names);
		if (r->audit_lost)
			reason(r, "%llu audit records were lost; the list of denied calls may be incomplete",
			       (unsigned long long)r->audit_lost);
		if (!o->audit_only) {
			if (!h->started) {
				reason(r, "the hardened container did not start: %s",
				       h->start_error ? h->start_error : "unknown error");
			} else {
				if (b->exited && !h->exited)
					reason(r, "the baseline exited (code %d) within the window, the hardened "
						  "container did not",
					       b->exit_code);
				else if (!b->exited && h->exited)
					reason(r, "the hardened container exited (code %d) while the baseline "
						  "kept running",
					       h->exit_code);
				else if (b->exited && b->exit_code != h->exit_code)
					reason(r, "exit code %d under the profile, %d in the baseline",
					       h->exit_code, b->exit_code);
				/*
				 * Both stopped at the end of the window: how they shut down
				 * counts, unless one outlasted the stop's grace period and was
				 * killed (137: supervisord waiting for its programs).
				 */
				else if (b->exit_code != h->exit_code && b->exit_code != STOP_KILLED &&
					 h->exit_code != STOP_KILLED)
					reason(r, "stopped at the end of the window, it exited with code %d under the "
						  "profile, %d in the baseline",
					       h->exit_code, b->exit_code);
				if (h->oom_killed && !b->oom_killed)
					reason(r, "the hardened container was killed for lack of memory");
				if (b->probe_ok && !h->probe_ran)
					reason(r, "the health check could not run: the hardened container had "
						  "exited");
				else if (b->probe_ok && !h->probe_ok)
					reason(r, "the health check passed in the baseline but not under the "
						  "profile: %s",
					       h->probe_error ? h->probe_error : "failed");
				if (!r->logs_equal)
					reason(r, "the logs differ from the baseline's (%s)",
					       r->log_diff ? r->log_diff : "");
			}
		}
		r->ok = r->reasons.nr == 0;
		if (o->audit_only)
			r->ok = !denied && !r->audit_lost;
	}
	ret = 0;
out:
	r->total_ms = clock_now_ms() - t0;
	audit_reader_stop(reader);
	free(recs);
	free(forks);
	free(audit_json);
	strlist_clear(&explicit_names);
	container_spec_release(&s);
	monitor_result_release(&audit);
	monitor_result_release(&base);
	monitor_result_release(&hard);
	return ret;
}

size_t validate_missing_set(const struct validate_result *r, struct sysset *set)
{
	size_t n = 0;

	sysset_clear(set);
	for (size_t i = 0; i < r->missing_nr; i++) {
		if (r->missing[i].arch != AUDIT_ARCH_X86_64_ID || r->missing[i].explicit_rule)
			continue;
		sysset_add(set, r->missing[i].nr);
		n++;
	}
	return n;
}
