#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/imagesjson.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

static void ignore(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

static int parse(const char *s, struct images_file *f)
{
	return images_parse(s, strlen(s), "my.json", f);
}

static void test_seed_shape(void **state)
{
	static const char doc[] =
		"{\n"
		"  \"nginx\": {\"enable\": \"true\", \"image-name\": \"nginx\", \"image-url\": "
		"\"confine-test/nginx:latest\", \"options\": \"\", \"dependencies\": {}},\n"
		"  \"wordpress\": {\"enable\": \"false\", \"image-name\": \"wordpress\", "
		"\"image-url\": \"wordpress\", \"category\": [\"ApplicationServices\"], "
		"\"pull-count\": 3, \"official\": true, \"options\": \"-e A=B -p 80:80\", "
		"\"args\": \"\", \"id\": \"38\", \"dependencies\": {\"mariadb\": {\"image-name\": "
		"\"mysql\", \"image-url\": \"mysql\", \"options\": \"-e X=Y\", \"link\": true}}},\n"
		"  \"redis\": {\"enable\": true, \"id\": 8, \"healthcheck\": \"tcp://127.0.0.1:6379\", "
		"\"workload\": [\"redis-cli\", \"ping\"]}\n"
		"}\n";
	struct images_file f;
	struct images_entry *e;

	(void)state;
	assert_int_equal(parse(doc, &f), 0);
	assert_int_equal(f.nr, 3);
	e = &f.entries[0];
	assert_string_equal(e->key, "nginx");
	assert_true(e->enable);
	assert_string_equal(e->image_url, "confine-test/nginx:latest");
	assert_string_equal(e->id, "-1");
	assert_string_equal(e->category[0], "Other");
	assert_int_equal(e->deps_nr, 0);
	assert_null(e->health.spec);
	e = &f.entries[1];
	assert_false(e->enable);
	assert_string_equal(e->id, "38");
	assert_int_equal(e->deps_nr, 1);
	assert_string_equal(e->deps[0].key, "mariadb");
	assert_string_equal(e->deps[0].image_name, "mysql");
	assert_true(e->deps[0].link);
	assert_string_equal(e->options, "-e A=B -p 80:80");
	e = &f.entries[2];
	assert_true(e->enable);
	assert_string_equal(e->image_name, "redis");
	assert_string_equal(e->image_url, "redis");
	assert_string_equal(e->id, "8");
	assert_string_equal(e->health.spec, "tcp:127.0.0.1:6379");
	assert_string_equal(e->workload.spec, "exec:redis-cli ping");
	images_file_release(&f);
}

static void test_probe_forms(void **state)
{
	static const struct {
		const char *json;
		const char *spec;
		int timeout;
	} cases[] = {
		{ "\"http://127.0.0.1:80/\"", "http://127.0.0.1:80/", 0 },
		{ "\"nginx -t\"", "cmd:nginx -t", 0 },
		{ "\"tcp://127.0.0.1:6379\"", "tcp:127.0.0.1:6379", 0 },
		{ "\"tcp:127.0.0.1:6379\"", "tcp:127.0.0.1:6379", 0 },
		{ "\"exec:redis-cli ping\"", "exec:redis-cli ping", 0 },
		{ "{\"http\": \"http://127.0.0.1/x\", \"timeout\": 5}", "http://127.0.0.1/x", 5 },
		{ "{\"tcp\": \"127.0.0.1:11211\"}", "tcp:127.0.0.1:11211", 0 },
		{ "{\"cmd\": \"redis-cli ping\"}", "cmd:redis-cli ping", 0 },
		{ "{\"cmd\": [\"redis-cli\", \"ping\"]}", "exec:redis-cli ping", 0 },
		{ "[\"redis-cli\", \"ping\"]", "exec:redis-cli ping", 0 },
		{ "\"host:curl -sf http://127.0.0.1/\"", "host:curl -sf http://127.0.0.1/", 0 },
		{ "{\"host\": \"ab -n 10 http://127.0.0.1/\", \"timeout\": 30}", "host:ab -n 10 http://127.0.0.1/", 30 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *doc = xasprintf("{\"x\": {\"healthcheck\": %s, \"workload\": %s}}",
				      cases[i].json, cases[i].json);
		struct images_file f;

		if (parse(doc, &f))
			fail_msg("case %zu: %s", i, err_msg());
		assert_string_equal(f.entries[0].health.spec, cases[i].spec);
		assert_string_equal(f.entries[0].workload.spec, cases[i].spec);
		assert_int_equal(f.entries[0].health.timeout_s, cases[i].timeout);
		images_file_release(&f);
		free(doc);
	}
}

static void test_errors(void **state)
{
	static const struct {
		const char *doc;
		const char *msg;
	} cases[] = {
		{ "{", "my.json: invalid JSON at line" },
		{ "[]", "my.json: must be a JSON object" },
		{ "{\"a\": 3}", "image 'a': must be an object" },
		{ "{\"a\": {\"enable\": \"yes\"}}", "image 'a': \"enable\": must be \"true\"" },
		{ "{\"a\": {\"image-url\": 5}}", "image 'a': \"image-url\": must be a string" },
		{ "{\"a\": {\"image-url\": \"\"}}", "image 'a': \"image-url\": must not be empty" },
		{ "{\"a\": {\"image-name\": \"../x\"}}", "image 'a': \"image-name\": must not start with '.'" },
		{ "{\"a\": {\"options\": [\"-e\"]}}", "image 'a': \"options\": must be a string" },
		{ "{\"a\": {\"dependencies\": []}}", "\"dependencies\": must be an object" },
		{ "{\"a\": {\"dependencies\": {\"d\": 1}}}", "\"dependencies.d\": must be an object" },
		{ "{\"a\": {\"dependencies\": {\"d\": {\"link\": \"maybe\"}}}}", "\"link\": must be" },
		{ "{\"a\": {\"category\": 5}}", "\"category\": must be a string or an array" },
		{ "{\"a\": {\"id\": \"1;2\"}}", "\"id\": must be a number or a string" },
		{ "{\"a\": {\"healthcheck\": {\"tcp\": \"x\"}}}", "\"tcp\" must be \"HOST:PORT\"" },
		{ "{\"a\": {\"healthcheck\": \"tcp://x\"}}", "tcp:// needs HOST:PORT" },
		{ "{\"a\": {\"workload\": [\"a b\"]}}", "without blanks" },
		{ "{\"a\": {\"workload\": \"\"}}", "\"workload\": must not be empty" },
		{ "{\"a\": {\"healthcheck\": {\"http\": \"a\", \"tcp\": \"b:1\"}}}", "exactly one of" },
		{ "{\"a\": {\"healthcheck\": 4}}", "\"healthcheck\": must be a string" },
		{ "{\"a\": {\"workload\": {\"host\": 5}}}", "\"host\" must be a non-empty command" },
		{ "{\"a\": {\"workload\": {\"host\": \"\"}}}", "\"host\" must be a non-empty command" },
		{ "{\"a\": {\"workload\": {\"host\": \"a\", \"cmd\": \"b\"}}}", "exactly one of" },
		{ "{\"a\": {\"workload\": []}}", "\"workload\": command array is empty" },
		{ "{\"a\": {\"enable\": true, \"image-name\": \"n\"}, \"b\": {\"enable\": true, "
		  "\"image-name\": \"n\"}}",
		  "both write outputs named 'n'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct images_file f;

		assert_int_equal(parse(cases[i].doc, &f), -EINVAL);
		if (!strstr(err_msg(), cases[i].msg))
			fail_msg("case %zu: message '%s' lacks '%s'", i, err_msg(), cases[i].msg);
		assert_int_equal(f.nr, 0);
		assert_null(f.entries);
	}
	warn_drain(ignore, NULL);
}

static void test_unknown_key_warns(void **state)
{
	struct images_file f;

	(void)state;
	warn_drain(ignore, NULL);
	assert_int_equal(parse("{\"a\": {\"enabled\": \"true\"}}", &f), 0);
	assert_int_equal(warn_count(), 1);
	warn_drain(ignore, NULL);
	images_file_release(&f);
}

static void test_ref_and_name(void **state)
{
	char *s;

	(void)state;
	s = images_ref("nginx");
	assert_string_equal(s, "docker:nginx");
	free(s);
	s = images_ref("docker-archive:/tmp/x.tar");
	assert_string_equal(s, "docker-archive:/tmp/x.tar");
	free(s);
	s = images_ref("store/oracle/serverjre:8");
	assert_string_equal(s, "docker:store/oracle/serverjre:8");
	free(s);
	s = images_file_name("store/oracle");
	assert_string_equal(s, "store-oracle");
	free(s);
}

/* Confine's own published images files parse (when the data is present). */
static void test_real_files(void **state)
{
	const char *src = getenv("CONFINE_SRC");
	static const char *const files[] = { "images.json", "images.json.raid", "images.json.bak" };
	size_t i;

	(void)state;
	if (!src)
		skip();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = xasprintf("%s/../shared/confine-data/%s", src, files[i]);
		struct images_file f;

		if (fs_exists(path)) {
			if (images_load(path, &f))
				fail_msg("%s: %s", path, err_msg());
			assert_true(f.nr > 5);
			images_file_release(&f);
		}
		free(path);
	}
	warn_drain(ignore, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_shape),
		cmocka_unit_test(test_probe_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_unknown_key_warns),
		cmocka_unit_test(test_ref_and_name),
		cmocka_unit_test(test_real_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
