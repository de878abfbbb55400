#include "cmd/cmd.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "engine/container.h"
#include "engine/probe.h"
#include "engine/runopts.h"
#include "util/error.h"
#include "util/xalloc.h"

struct cmd_opts cmd_opts;

void p_err(const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	cmd_progress_done();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cmd_opts.json) {
		json_t *o = json_pack("{s:s}", "error", msg);

		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		fprintf(stderr, "confine: %s\n", msg);
	}
}

void p_err_last(void)
{
	p_err("%s", err_msg());
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (cmd_opts.quiet || cmd_opts.json)
		return;
	cmd_progress_done();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void print_warning(const char *msg, void *ctx)
{
	(void)ctx;
	if (!cmd_opts.json)
		fprintf(stderr, "confine: warning: %s\n", msg);
}

void p_warnings(void)
{
	cmd_progress_done();
	warn_drain(print_warning, NULL);
}

static void collect_warning(const char *msg, void *ctx)
{
	json_array_append_new(ctx, json_string(msg));
}

json_t *p_warnings_json(void)
{
	json_t *a = json_array();

	warn_drain(collect_warning, a);
	return a;
}

/* Write JSON text s with every line after the first indented by 'indent' more spaces. */
/* v as json_dumps(JSON_INDENT(2)) prints it, with 'indent' spaces after each newline; malloc'd. */
static char *dump_indented(json_t *v, unsigned indent, size_t *len)
{
	char *s = v ? json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
	size_t lines = 0, n;
	char *out, *o;

	if (!s)
		s = xstrdup("null");
	for (const char *c = s; (c = strchr(c, '\n')); c++)
		lines++;
	if (!lines || !indent) {
		*len = strlen(s);
		return s;
	}
	n = strlen(s) + lines * indent;
	out = o = xmalloc(n + 1);
	for (const char *c = s; *c; c++) {
		*o++ = *c;
		if (*c == '\n') {
			memset(o, ' ', indent);
			o += indent;
		}
	}
	*o = '\0';
	free(s);
	*len = n;
	return out;
}

static void put_value(FILE *f, json_t *v, unsigned indent)
{
	size_t len;
	char *s = dump_indented(v, indent, &len);

	fwrite(s, 1, len, f);
	free(s);
}

/* Items first..first+n-1 of a p_json_stream, made and printed to strings by several threads. */
struct stream_batch {
	json_t *(*item)(size_t i, void *ctx);
	void *ctx;
	size_t first, n;
	atomic_size_t next;
	char **text;
	size_t *len;
};

static void *stream_worker(void *arg)
{
	struct stream_batch *b = arg;

	for (size_t k; (k = atomic_fetch_add(&b->next, 1)) < b->n;) {
		json_t *v = b->item(b->first + k, b->ctx);

		b->text[k] = dump_indented(v, 4, &b->len[k]);
		json_decref(v);
	}
	return NULL;
}

#define STREAM_BATCH 128 /* items held as text at once */

void p_json_stream(FILE *f, const char *key, size_t n, json_t *(*item)(size_t i, void *ctx), void *ctx,
		   json_t *rest, unsigned threads)
{
	char *text[STREAM_BATCH];
	size_t len[STREAM_BATCH];
	json_t *k = json_string(key);
	const char *rk;
	json_t *rv;

	fputs("{\n  ", f);
	put_value(f, k, 0);
	json_decref(k);
	fputs(n ? ": [\n" : ": []", f);
	for (size_t first = 0; first < n; first += STREAM_BATCH) {
		struct stream_batch b = { item, ctx, first, n - first < STREAM_BATCH ? n - first : STREAM_BATCH, 0,
					  text, len };
		pthread_t th[8];
		unsigned started = 0;

		for (unsigned t = 1; t < threads && t < b.n && started < ARRAY_SIZE(th); t++)
			if (pthread_create(&th[started], NULL, stream_worker, &b) == 0)
				started++;
		stream_worker(&b);
		for (unsigned t = 0; t < started; t++)
			pthread_join(th[t], NULL);
		for (size_t i = 0; i < b.n; i++) {
			fputs("    ", f);
			fwrite(text[i], 1, len[i], f);
			free(text[i]);
			fputs(first + i + 1 < n ? ",\n" : "\n  ]", f);
		}
	}
	json_object_foreach(rest, rk, rv) {
		k = json_string(rk);
		fputs(",\n  ", f);
		put_value(f, k, 0);
		json_decref(k);
		fputs(": ", f);
		put_value(f, rv, 2);
	}
	fputs("\n}", f);
}

json_t *p_unresolved_json(const struct analysis_unresolved *u)
{
	char addr[32], start[32];

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)u->address);
	snprintf(start, sizeof(start), "0x%llx", (unsigned long long)u->function_start);
	return json_pack("{s:s, s:s, s:s?, s:s, s:s}", "object", u->object, "address", addr, "function",
			 u->function, "function_start", start, "reason", u->reason);
}

json_t *p_abis_json(unsigned abis)
{
	json_t *a = json_array();

	for (unsigned b = 1; b && b <= abis; b <<= 1)
		if (abis & b)
			json_array_append_new(a, json_string(analysis_abi_name(b)));
	return a;
}

const char *p_abis_text(unsigned abis, char *buf, size_t len)
{
	size_t at = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned b = 1; b && b <= abis && at < len; b <<= 1)
		if (abis & b)
			at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? ", " : "", analysis_abi_name(b));
	return buf;
}

static bool progress_shown;
static struct timespec progress_last;

static void render(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	struct timespec now;
	long ms;

	(void)ctx;
	if (cmd_opts.quiet || cmd_opts.json || !cmd_opts.tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - progress_last.tv_sec) * 1000 +
	     (now.tv_nsec - progress_last.tv_nsec) / 1000000;
	/* Redraw at most ten times a second, but always show the last step. */
	if (progress_shown && ms < 100 && done != total)
		return;
	progress_last = now;
	if (total)
		fprintf(stderr, "\r\033[K%s: %llu/%llu (%u%%)", phase, (unsigned long long)done,
			(unsigned long long)total, (unsigned)(done * 100 / total));
	else
		fprintf(stderr, "\r\033[K%s: %llu", phase, (unsigned long long)done);
	fflush(stderr);
	progress_shown = true;
}

static struct progress the_progress = { render, NULL };

struct progress *cmd_progress(void)
{
	return &the_progress;
}

void cmd_progress_done(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		progress_shown = false;
	}
}

int cmd_parse_common(int argc, char **argv, const char *usage)
{
	int i, out = 1;
	bool rest = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!rest && !strcmp(a, "--")) {
			rest = true;
			argv[out++] = argv[i];
			continue;
		}
		if (!rest && (!strcmp(a, "-j") || !strcmp(a, "--json"))) {
			cmd_opts.json = true;
		} else if (!rest && (!strcmp(a, "-q") || !strcmp(a, "--quiet"))) {
			cmd_opts.quiet = true;
		} else if (!rest && !strcmp(a, "--verbose")) {
			cmd_opts.verbose++;
		} else if (!rest && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fputs(usage, stdout);
			exit(0);
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	return out;
}

int cmd_run_config(const char *options, const char *args, const struct image_config *image,
		   struct image_config *out)
{
	struct container_spec spec;
	int ret;

	container_spec_init(&spec);
	ret = runopts_parse(options, &spec);
	if (!ret && args)
		ret = runopts_args(args, &spec);
	if (!ret)
		container_spec_config(&spec, image, out);
	container_spec_release(&spec);
	return ret;
}

int cmd_engine_open(struct dockerapi *api, const char *image, bool have_probe, struct probe *probe)
{
	if (dockerapi_init(api, NULL) < 0)
		return -1;
	if (dockerapi_ping(api) < 0) {
		dockerapi_release(api);
		return -1;
	}
	container_install_signals();
	/* Containers a killed confine left behind. */
	if (container_sweep(api) < 0)
		err_clear();
	if (!have_probe && probe_from_image(api, image, probe) < 0) {
		dockerapi_release(api);
		return -1;
	}
	return 0;
}

json_t *cmd_strings_json(char *const *v, size_t nr)
{
	json_t *a = json_array();

	for (size_t i = 0; i < nr; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

int cmd_spec_args(struct container_spec *spec, const char *options, int argc, char **argv, int cmd_start)
{
	if (options && runopts_parse(options, spec) < 0)
		return -1;
	if (cmd_start > 0 && cmd_start <= argc) {
		spec->cmd_set = true;
		for (int i = cmd_start; i < argc; i++)
			strlist_push(&spec->cmd, argv[i]);
	}
	return 0;
}
