#include "analysis/imagesjson.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define IMAGES_FILE_CAP (64u << 20)
#define IMAGES_MAX 100000
#define IMAGES_STR_MAX 65536

static const char *const transports[] = {
	"docker:", "docker-archive:", "oci:", "oci-archive:", "dir:",
};

char *images_ref(const char *url)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(transports); i++)
		if (!strncmp(url, transports[i], strlen(transports[i])))
			return xstrdup(url);
	return xasprintf("docker:%s", url);
}

char *images_file_name(const char *name)
{
	char *s = xstrdup(name), *p;

	for (p = s; *p; p++)
		if (*p == '/')
			*p = '-';
	return s;
}

struct ctx {
	const char *what;
	const char *key;
};

static int bad(const struct ctx *c, const char *field, const char *problem)
{
	if (c->key)
		return err_set(EINVAL, "%s: image '%s': \"%s\": %s", c->what, c->key, field, problem);
	return err_set(EINVAL, "%s: \"%s\": %s", c->what, field, problem);
}

static bool sane_string(json_t *v)
{
	size_t len = json_string_length(v);

	return len <= IMAGES_STR_MAX && strlen(json_string_value(v)) == len;
}

/* Optional string field; *out gets a copy or 'dflt' (copied, may be NULL). */
static int get_string(const struct ctx *c, json_t *obj, const char *field, const char *dflt,
		      char **out)
{
	json_t *v = json_object_get(obj, field);

	if (!v || json_is_null(v)) {
		*out = dflt ? xstrdup(dflt) : NULL;
		return 0;
	}
	if (!json_is_string(v))
		return bad(c, field, "must be a string");
	if (!sane_string(v))
		return bad(c, field, "string too long or contains NUL");
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int get_bool(const struct ctx *c, json_t *obj, const char *field, bool dflt, bool *out)
{
	json_t *v = json_object_get(obj, field);
	const char *s;

	*out = dflt;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (!json_is_string(v))
		return bad(c, field, "must be \"true\", \"false\" or a boolean");
	s = json_string_value(v);
	if (!strcasecmp(s, "true"))
		*out = true;
	else if (!strcasecmp(s, "false"))
		*out = false;
	else
		return bad(c, field, "must be \"true\", \"false\" or a boolean");
	return 0;
}

/* A string array (NULL-terminated copy); a plain string is one element. */
static int get_strv(const struct ctx *c, json_t *v, const char *field, char ***out,
		    size_t *nr)
{
	size_t i, n;
	json_t *e;
	char **a;

	if (json_is_string(v)) {
		if (!sane_string(v))
			return bad(c, field, "string too long or contains NUL");
		a = xcalloc(2, sizeof(*a));
		a[0] = xstrdup(json_string_value(v));
		*out = a;
		if (nr)
			*nr = 1;
		return 0;
	}
	if (!json_is_array(v))
		return bad(c, field, "must be a string or an array of strings");
	n = json_array_size(v);
	if (n > 4096)
		return bad(c, field, "too many elements");
	a = xcalloc(n + 1, sizeof(*a));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || !sane_string(e)) {
			size_t j;

			for (j = 0; j < i; j++)
				free(a[j]);
			free(a);
			return bad(c, field, "elements must be strings");
		}
		a[i] = xstrdup(json_string_value(e));
	}
	*out = a;
	if (nr)
		*nr = n;
	return 0;
}

static void strv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* A name used as a file name under output/ and results/. */
static int check_name(const struct ctx *c, const char *field, const char *name)
{
	if (!*name)
		return bad(c, field, "must not be empty");
	if (!strcmp(name, ".") || !strcmp(name, "..") || name[0] == '.')
		return bad(c, field, "must not start with '.' (it names output files)");
	if (strlen(name) > 200)
		return bad(c, field, "longer than 200 characters");
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\')
			return bad(c, field, "contains a control character or backslash");
	return 0;
}

/* Normalise a probe string to the engine's syntax (see imagesjson.h). */
static int probe_from_string(const struct ctx *c, const char *field, const char *s,
			     struct images_probe *pr)
{
	static const char *const kept[] = { "http://", "https://", "tcp:", "cmd:", "exec:", "host:" };
	size_t i;

	if (!*s)
		return bad(c, field, "must not be empty");
	if (!strncmp(s, "tcp://", 6)) {
		if (!strchr(s + 6, ':'))
			return bad(c, field, "tcp:// needs HOST:PORT");
		pr->spec = xasprintf("tcp:%s", s + 6);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(kept); i++) {
		if (!strncmp(s, kept[i], strlen(kept[i]))) {
			if (!strcmp(kept[i], "tcp:") && !strchr(s + 4, ':'))
				return bad(c, field, "tcp: needs HOST:PORT");
			pr->spec = xstrdup(s);
			return 0;
		}
	}
	pr->spec = xasprintf("cmd:%s", s);
	return 0;
}

/* An argv array becomes "exec:W1 W2 ..." (words must not contain blanks). */
static int probe_from_array(const struct ctx *c, const char *field, json_t *v,
			    struct images_probe *pr)
{
	char **argv = NULL;
	size_t n = 0, i, len = 5;
	char *spec;
	int ret;

	ret = get_strv(c, v, field, &argv, &n);
	if (ret)
		return ret;
	if (!n) {
		strv_free(argv);
		return bad(c, field, "command array is empty");
	}
	for (i = 0; i < n; i++) {
		if (!argv[i][0] || strpbrk(argv[i], " \t\n'\"\\")) {
			strv_free(argv);
			return bad(c, field, "array words must be non-empty and without blanks or "
					     "quotes (use a \"cmd:\" string)");
		}
		len += strlen(argv[i]) + 1;
	}
	spec = xmalloc(len + 1);
	{
		size_t off = 0;

		memcpy(spec, "exec:", 5);
		off = 5;
		for (i = 0; i < n; i++) {
			size_t l = strlen(argv[i]);

			if (i)
				spec[off++] = ' ';
			memcpy(spec + off, argv[i], l);
			off += l;
		}
		spec[off] = '\0';
	}
	strv_free(argv);
	pr->spec = spec;
	return 0;
}

static int parse_probe(const struct ctx *c, const char *field, json_t *v,
		       struct images_probe *pr)
{
	static const char *const keys[] = { "http", "tcp", "cmd", "host" };
	json_t *x;
	size_t i, found = 0;

	memset(pr, 0, sizeof(*pr));
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		if (!sane_string(v))
			return bad(c, field, "string too long or contains NUL");
		return probe_from_string(c, field, json_string_value(v), pr);
	}
	if (json_is_array(v))
		return probe_from_array(c, field, v, pr);
	if (!json_is_object(v))
		return bad(c, field, "must be a string, an array or an object");
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_object_get(v, keys[i]))
			found++;
	if (found != 1)
		return bad(c, field, "needs exactly one of \"http\", \"tcp\", \"cmd\", \"host\"");
	x = json_object_get(v, "timeout");
	if (x) {
		if (!json_is_integer(x) || json_integer_value(x) < 1 ||
		    json_integer_value(x) > 3600)
			return bad(c, field, "\"timeout\" must be seconds (1..3600)");
		pr->timeout_s = (int)json_integer_value(x);
	}
	if ((x = json_object_get(v, "http"))) {
		if (!json_is_string(x) || !sane_string(x) ||
		    (strncmp(json_string_value(x), "http://", 7) &&
		     strncmp(json_string_value(x), "https://", 8)))
			return bad(c, field, "\"http\" must be an http:// URL");
		pr->spec = xstrdup(json_string_value(x));
		return 0;
	}
	if ((x = json_object_get(v, "tcp"))) {
		if (!json_is_string(x) || !sane_string(x) || !strchr(json_string_value(x), ':'))
			return bad(c, field, "\"tcp\" must be \"HOST:PORT\"");
		pr->spec = xasprintf("tcp:%s", json_string_value(x));
		return 0;
	}
	if ((x = json_object_get(v, "host"))) {
		if (!json_is_string(x) || !sane_string(x) || !json_string_length(x))
			return bad(c, field, "\"host\" must be a non-empty command");
		pr->spec = xasprintf("host:%s", json_string_value(x));
		return 0;
	}
	x = json_object_get(v, "cmd");
	if (json_is_string(x)) {
		if (!sane_string(x) || !json_string_length(x))
			return bad(c, field, "\"cmd\" must be a non-empty command");
		pr->spec = xasprintf("cmd:%s", json_string_value(x));
		return 0;
	}
	return probe_from_array(c, field, x, pr);
}

static const char *const known_keys[] = {
	"enable", "image-name", "image-url", "options", "args", "dependencies", "id",
	"category", "pull-count", "official", "healthcheck", "workload",
};

static const char *const known_dep_keys[] = {
	"enable", "image-name", "image-url", "options", "args", "link", "id", "category",
	"pull-count", "official", "dependencies",
};

static void warn_unknown(const struct ctx *c, json_t *obj, const char *const *known,
			 size_t nknown, const char *where)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		size_t i;

		for (i = 0; i < nknown; i++)
			if (!strcmp(k, known[i]))
				break;
		if (i == nknown)
			warn_add("%s: image '%s'%s: unknown field \"%s\" ignored", c->what, c->key,
				 where, k);
	}
}

static int parse_deps(const struct ctx *c, json_t *deps, struct images_entry *e)
{
	const char *k;
	json_t *d;
	size_t i = 0;
	int ret;

	if (!deps || json_is_null(deps))
		return 0;
	if (!json_is_object(deps))
		return bad(c, "dependencies", "must be an object of name -> settings");
	if (json_object_size(deps) > 64)
		return bad(c, "dependencies", "more than 64 dependencies");
	e->deps = xcalloc(json_object_size(deps) + 1, sizeof(*e->deps));
	json_object_foreach(deps, k, d) {
		struct images_dep *dep = &e->deps[i++];
		char field[300];

		e->deps_nr = i;
		dep->key = xstrdup(k);
		snprintf(field, sizeof(field), "dependencies.%s", k);
		if (!json_is_object(d))
			return bad(c, field, "must be an object");
		warn_unknown(c, d, known_dep_keys, ARRAY_SIZE(known_dep_keys), " dependency");
		ret = get_string(c, d, "image-name", k, &dep->image_name);
		if (!ret)
			ret = check_name(c, field, dep->image_name);
		if (!ret)
			ret = get_string(c, d, "image-url", dep->image_name, &dep->image_url);
		if (!ret)
			ret = get_string(c, d, "options", "", &dep->options);
		if (!ret)
			ret = get_bool(c, d, "link", false, &dep->link);
		if (ret)
			return ret;
		if (!*dep->image_url)
			return bad(c, field, "\"image-url\" is empty");
	}
	return 0;
}

static int parse_entry(const struct ctx *c, json_t *v, struct images_entry *e)
{
	json_t *x;
	int ret;

	if (!json_is_object(v))
		return err_set(EINVAL, "%s: image '%s': must be an object", c->what, c->key);
	warn_unknown(c, v, known_keys, ARRAY_SIZE(known_keys), "");
	ret = get_bool(c, v, "enable", false, &e->enable);
	if (!ret)
		ret = get_string(c, v, "image-name", c->key, &e->image_name);
	if (!ret)
		ret = check_name(c, "image-name", e->image_name);
	if (!ret)
		ret = get_string(c, v, "image-url", e->image_name, &e->image_url);
	if (!ret && !*e->image_url)
		ret = bad(c, "image-url", "must not be empty");
	if (!ret)
		ret = get_string(c, v, "options", "", &e->options);
	if (!ret)
		ret = get_string(c, v, "args", "", &e->args);
	if (ret)
		return ret;
	x = json_object_get(v, "id");
	if (!x || json_is_null(x))
		e->id = xstrdup("-1");
	else if (json_is_integer(x))
		e->id = xasprintf("%lld", (long long)json_integer_value(x));
	else if (json_is_string(x) && sane_string(x) && !strpbrk(json_string_value(x), ";\n"))
		e->id = xstrdup(json_string_value(x));
	else
		return bad(c, "id", "must be a number or a string without ';'");
	x = json_object_get(v, "category");
	if (!x || json_is_null(x)) {
		e->category = xcalloc(2, sizeof(char *));
		e->category[0] = xstrdup("Other");
		e->category_nr = 1;
	} else {
		ret = get_strv(c, x, "category", &e->category, &e->category_nr);
		if (ret)
			return ret;
	}
	x = json_object_get(v, "pull-count");
	if (x && !json_is_integer(x) && !json_is_null(x))
		return bad(c, "pull-count", "must be a number");
	x = json_object_get(v, "official");
	if (x && !json_is_boolean(x) && !json_is_null(x))
		return bad(c, "official", "must be a boolean");
	ret = parse_deps(c, json_object_get(v, "dependencies"), e);
	if (ret)
		return ret;
	ret = parse_probe(c, "healthcheck", json_object_get(v, "healthcheck"), &e->health);
	if (ret)
		return ret;
	ret = parse_probe(c, "workload", json_object_get(v, "workload"), &e->workload);
	if (ret)
		return ret;
	return 0;
}

int images_parse(const char *buf, size_t len, const char *what, struct images_file *out)
{
	json_error_t jerr;
	json_t *doc;
	const char *k;
	json_t *v;
	size_t i = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	/*
	 * Duplicate keys are accepted, the last one winning, as Confine's
	 * Python reader does: its own published images.json.bak has some.
	 */
	doc = json_loadb(buf, len, 0, &jerr);
	if (!doc)
		return err_set(EINVAL, "%s: invalid JSON at line %d column %d: %s", what, jerr.line,
			       jerr.column, jerr.text);
	if (!json_is_object(doc)) {
		ret = err_set(EINVAL, "%s: must be a JSON object of image name -> settings", what);
		goto out;
	}
	if (json_object_size(doc) > IMAGES_MAX) {
		ret = err_set(E2BIG, "%s: more than %d images", what, IMAGES_MAX);
		goto out;
	}
	out->entries = xcalloc(json_object_size(doc) + 1, sizeof(*out->entries));
	json_object_foreach(doc, k, v) {
		struct ctx c = { what, k };
		struct images_entry *e = &out->entries[i++];

		out->nr = i;
		e->key = xstrdup(k);
		ret = parse_entry(&c, v, e);
		if (ret)
			goto out;
	}
	/* Outputs are named by image-name: two enabled entries must not clash. */
	for (i = 0; i < out->nr; i++) {
		for (size_t j = i + 1; j < out->nr; j++) {
			struct images_entry *a = &out->entries[i], *b = &out->entries[j];
			char *fa, *fb;
			bool same;

			if (!a->enable || !b->enable)
				continue;
			fa = images_file_name(a->image_name);
			fb = images_file_name(b->image_name);
			same = !strcmp(fa, fb);
			free(fa);
			free(fb);
			if (same) {
				ret = err_set(EINVAL,
					      "%s: images '%s' and '%s' both write outputs named '%s'",
					      what, a->key, b->key, a->image_name);
				goto out;
			}
		}
	}
out:
	json_decref(doc);
	if (ret)
		images_file_release(out);
	return ret;
}

int images_load(const char *path, struct images_file *out)
{
	char *data = NULL;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = fs_read_file(path, IMAGES_FILE_CAP, &data, &len);
	if (ret)
		return err_wrap(ret, "cannot read images file");
	ret = images_parse(data, len, path, out);
	free(data);
	return ret;
}

static void entry_release(struct images_entry *e)
{
	size_t i;

	free(e->key);
	free(e->image_name);
	free(e->image_url);
	free(e->options);
	free(e->args);
	free(e->id);
	strv_free(e->category);
	for (i = 0; i < e->deps_nr; i++) {
		free(e->deps[i].key);
		free(e->deps[i].image_name);
		free(e->deps[i].image_url);
		free(e->deps[i].options);
	}
	free(e->deps);
	free(e->health.spec);
	free(e->workload.spec);
}

void images_file_release(struct images_file *f)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		entry_release(&f->entries[i]);
	free(f->entries);
	memset(f, 0, sizeof(*f));
}
