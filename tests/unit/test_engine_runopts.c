/* Table-driven tests of the docker run options parser (engine/runopts). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/container.h"
#include "engine/runopts.h"
#include "util/words.h"
#include "util/error.h"

struct split_case {
	const char *in;
	int ret;
	const char *words[6];
};

static const struct split_case split_cases[] = {
	{ "", 0, { NULL } },
	{ "  -e  A=1 ", 0, { "-e", "A=1", NULL } },
	{ "-e 'A=x y' -e \"B=\\\"q\\\"\"", 0, { "-e", "A=x y", "-e", "B=\"q\"", NULL } },
	{ "a\\ b c", 0, { "a b", "c", NULL } },
	{ "--entrypoint ''", 0, { "--entrypoint", "", NULL } },
	{ "-e 'A=1", -EINVAL, { NULL } },
	{ "-e \"A=1", -EINVAL, { NULL } },
};

static void test_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		char **argv = NULL;
		int argc = -1, ret = words_split(c->in, &argv, &argc);

		assert_int_equal(ret, c->ret);
		if (ret < 0)
			continue;
		for (int w = 0; w < argc; w++) {
			assert_non_null(c->words[w]);
			assert_string_equal(argv[w], c->words[w]);
		}
		assert_null(c->words[argc]);
		words_free(argv);
	}
}

/*
 * Each accepted case names the substring the create request JSON must hold;
 * each rejected one the substring the error message must hold (the option).
 */
struct parse_case {
	const char *opts;
	int ret;
	const char *expect; /* in the JSON on success, in the message on failure */
	const char *expect2;
};

static const struct parse_case parse_cases[] = {
	{ "-e MYSQL_ROOT_PASSWORD=my-secret-pw", 0, "\"Env\":[\"MYSQL_ROOT_PASSWORD=my-secret-pw\"]", NULL },
	{ "-e WORDPRESS_DB_PASSWORD=wpuser@ -p 80:80 -v /tmp/html:/var/www/html", 0,
	  "\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"80\"}]}",
	  "\"Binds\":[\"/tmp/html:/var/www/html\"]" },
	{ "-p 127.0.0.1:8080:80/udp", 0, "\"80/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}]", "\"ExposedPorts\":{\"80/udp\":{}}" },
	{ "-p 9000", 0, "\"9000/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]", NULL },
	{ "--publish=[::1]:8443:443", 0, "\"HostIp\":\"::1\",\"HostPort\":\"8443\"", NULL },
	{ "--entrypoint /bin/sh --name web-1 --network host -u 1000 -w /srv", 0,
	  "\"Entrypoint\":[\"/bin/sh\"]", "\"NetworkMode\":\"host\"" },
	{ "--entrypoint=\"\"", 0, "\"Entrypoint\":[]", NULL },
	{ "--net=none --user=nobody --workdir=/tmp", 0, "\"User\":\"nobody\",\"WorkingDir\":\"/tmp\"", "\"NetworkMode\":\"none\"" },
	{ "--link db --link cache:redis", 0, "\"Links\":[\"db:db\",\"cache:redis\"]", NULL },
	{ "--cap-add NET_ADMIN --cap-drop ALL", 0, "\"CapAdd\":[\"NET_ADMIN\"],\"CapDrop\":[\"ALL\"]", NULL },
	{ "--tmpfs /run --tmpfs /tmp:rw,size=64m", 0, "\"Tmpfs\":{\"/run\":\"\",\"/tmp\":\"rw,size=64m\"}", NULL },
	{ "-l a=b --label c", 0, "\"a\":\"b\",\"c\":\"\"", NULL },
	{ "-it --rm -d", 0, "\"Tty\":true,\"OpenStdin\":true", NULL },
	{ "-eA=1 -e=B=2", 0, "\"Env\":[\"A=1\",\"B=2\"]", NULL },
	{ "--read-only --init --shm-size 64m -m 1g --cpus 1.5", 0, "\"ShmSize\":67108864", "\"NanoCpus\":1500000000" },
	{ "--ulimit nofile=1024:2048 --sysctl net.core.somaxconn=1024", 0,
	  "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}]", "\"Sysctls\":{\"net.core.somaxconn\":\"1024\"}" },
	{ "--mount type=bind,source=/a,target=/b,readonly", 0, "\"Binds\":[\"/a:/b:ro\"]", NULL },
	{ "-v data:/var/lib/mysql -v /cache", 0, "\"Binds\":[\"data:/var/lib/mysql\"]", "\"Volumes\":{\"/cache\":{}}" },
	{ "--security-opt no-new-privileges --add-host db:127.0.0.1 --restart no", 0,
	  "\"SecurityOpt\":[\"no-new-privileges\"]", "\"ExtraHosts\":[\"db:127.0.0.1\"]" },
	{ "-h box --dns 127.0.0.53 --stop-signal SIGQUIT --stop-timeout 3", 0, "\"Hostname\":\"box\"", "\"StopTimeout\":3" },
	{ "--health-cmd 'curl -f http://localhost/'", 0, "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"curl -f http://localhost/\"]}", NULL },
	{ "--privileged", -EINVAL, "'--privileged'", "seccomp" },
	{ "--security-opt seccomp=unconfined", -EINVAL, "'--security-opt seccomp=unconfined'", NULL },
	{ "--security-opt=seccomp=/x.json", -EINVAL, "seccomp", NULL },
	{ "--runtime crun", -EINVAL, "'--runtime'", NULL },
	{ "--pid host", -EINVAL, "'--pid host'", NULL },
	{ "--restart always", -EINVAL, "'--restart always'", NULL },
	{ "--gpus all", -EINVAL, "'--gpus'", NULL },
	{ "--volumes-from x", -EINVAL, "'--volumes-from'", NULL },
	{ "--frobnicate", -EINVAL, "unknown docker run option '--frobnicate'", NULL },
	{ "-Z", -EINVAL, "unknown docker run option '-Z'", NULL },
	{ "-e", -EINVAL, "'-e' needs a value", NULL },
	{ "-p 80-90:80-90", -EINVAL, "port ranges", NULL },
	{ "-p 99999:80", -EINVAL, "host port", NULL },
	{ "-p 8080:http", -EINVAL, "container port", NULL },
	{ "-p 80/icmp", -EINVAL, "protocol", NULL },
	{ "-v rel/dir:/x", -EINVAL, "relative host path", NULL },
	{ "-v /a:b", -EINVAL, "container path must be absolute", NULL },
	{ "-v /a:/b:bogus", -EINVAL, "unknown volume option", NULL },
	{ "-w relative", -EINVAL, "working directory must be absolute", NULL },
	{ "--name 'bad name'", -EINVAL, "'--name bad name'", NULL },
	{ "--shm-size lots", -EINVAL, "'--shm-size lots'", NULL },
	{ "--cpus 0", -EINVAL, "'--cpus 0'", NULL },
	{ "--ulimit nofile=x", -EINVAL, "'--ulimit nofile=x'", NULL },
	{ "-l io.confine.run=x", -EINVAL, "confine's own", NULL },
	{ "nginx", -EINVAL, "unexpected argument 'nginx'", NULL },
	{ "--platform linux/arm64", -EINVAL, "'--platform linux/arm64'", NULL },
	{ "--read-only=maybe", -EINVAL, "expected true or false", NULL },
	{ "--mount type=npipe,target=/x", -EINVAL, "mount type", NULL },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct container_spec spec;
		int ret;

		container_spec_init(&spec);
		spec.image = strdup("img");
		err_clear();
		ret = runopts_parse(c->opts, &spec);
		if (ret != c->ret)
			fail_msg("case %zu '%s': got %d (%s), want %d", i, c->opts, ret, err_msg(), c->ret);
		if (ret == 0) {
			char *json = container_spec_json(&spec, "run-1");

			if (!strstr(json, c->expect) || (c->expect2 && !strstr(json, c->expect2)))
				fail_msg("case %zu '%s': JSON %s lacks %s / %s", i, c->opts, json, c->expect,
					 c->expect2 ? c->expect2 : "");
			assert_non_null(strstr(json, "\"io.confine.run\":\"run-1\""));
			free(json);
		} else {
			if (!strstr(err_msg(), c->expect) || (c->expect2 && !strstr(err_msg(), c->expect2)))
				fail_msg("case %zu '%s': message '%s' lacks '%s'", i, c->opts, err_msg(), c->expect);
		}
		container_spec_release(&spec);
	}
}

static void test_env_passthrough(void **state)
{
	struct container_spec spec;
	char *json;

	(void)state;
	container_spec_init(&spec);
	setenv("CONFINE_TEST_VAR", "v1", 1);
	unsetenv("CONFINE_TEST_UNSET");
	assert_int_equal(runopts_parse("-e CONFINE_TEST_VAR -e CONFINE_TEST_UNSET", &spec), 0);
	json = container_spec_json(&spec, "r");
	assert_non_null(strstr(json, "\"Env\":[\"CONFINE_TEST_VAR=v1\"]"));
	free(json);
	container_spec_release(&spec);
}

static void test_spec_copy_and_seccomp(void **state)
{
	struct container_spec a, b;
	char *json;

	(void)state;
	container_spec_init(&a);
	a.image = strdup("x");
	a.seccomp = strdup("{\"defaultAction\":\"SCMP_ACT_ERRNO\"}");
	assert_int_equal(runopts_parse("-e A=1 --security-opt no-new-privileges", &a), 0);
	container_spec_copy(&b, &a);
	container_spec_release(&a);
	json = container_spec_json(&b, "r");
	assert_non_null(strstr(json,
			       "\"SecurityOpt\":[\"no-new-privileges\",\"seccomp={\\\"defaultAction\\\":"
			       "\\\"SCMP_ACT_ERRNO\\\"}\"]"));
	free(json);
	container_spec_release(&b);
}

/* v[0..n) joined with ' ' ("-" for NULL v). */
static char *joined(char *const *v, size_t n)
{
	size_t len = 2;
	char *out;

	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	out = calloc(1, len);
	strcpy(out, v ? "" : "-");
	for (size_t i = 0; i < n; i++)
		strcat(strcat(out, i ? " " : ""), v[i]);
	return out;
}

/* The configuration the engine gives a container: the image's with the run's options applied. */
static void test_spec_config(void **state)
{
	static const struct {
		const char *options, *args;
		const char *entrypoint, *cmd, *env, *workdir;
	} cases[] = {
		{ "", NULL, "/docker-entrypoint.sh", "nginx -g daemon off;", "PATH=/bin A=1 B=2", "/srv" },
		{ "-e A=9 -e C=3", NULL, "/docker-entrypoint.sh", "nginx -g daemon off;", "A=9 C=3 PATH=/bin B=2", "/srv" },
		{ "-w /tmp", "redis-server --port 1", "/docker-entrypoint.sh", "redis-server --port 1",
		  "PATH=/bin A=1 B=2", "/tmp" },
		/* A non-empty --entrypoint drops the image's Cmd; an empty one keeps it. */
		{ "--entrypoint /bin/sleep", NULL, "/bin/sleep", "-", "PATH=/bin A=1 B=2", "/srv" },
		{ "--entrypoint /bin/sleep", "5", "/bin/sleep", "5", "PATH=/bin A=1 B=2", "/srv" },
		{ "--entrypoint ''", NULL, "-", "nginx -g daemon off;", "PATH=/bin A=1 B=2", "/srv" },
	};
	char *entrypoint[] = { "/docker-entrypoint.sh" }, *cmd[] = { "nginx", "-g", "daemon off;" };
	char *env[] = { "PATH=/bin", "A=1", "B=2" };
	const struct image_config image = { .entrypoint = entrypoint, .entrypoint_nr = 1, .cmd = cmd, .cmd_nr = 3,
					    .env = env, .env_nr = 3, .working_dir = "/srv" };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_spec spec;
		struct image_config out;
		char *got[3];

		container_spec_init(&spec);
		assert_int_equal(runopts_parse(cases[i].options, &spec), 0);
		if (cases[i].args)
			assert_int_equal(runopts_args(cases[i].args, &spec), 0);
		container_spec_config(&spec, &image, &out);
		got[0] = joined(out.entrypoint, out.entrypoint_nr);
		got[1] = joined(out.cmd, out.cmd_nr);
		got[2] = joined(out.env, out.env_nr);
		if (strcmp(got[0], cases[i].entrypoint) || strcmp(got[1], cases[i].cmd) ||
		    strcmp(got[2], cases[i].env) || strcmp(out.working_dir, cases[i].workdir))
			fail_msg("'%s' '%s': got entrypoint '%s' cmd '%s' env '%s' workdir '%s'", cases[i].options,
				 cases[i].args ? cases[i].args : "", got[0], got[1], got[2], out.working_dir);
		for (size_t k = 0; k < 3; k++)
			free(got[k]);
		image_config_release(&out);
		container_spec_release(&spec);
	}
	/* The image's configuration is not changed. */
	assert_string_equal(env[1], "A=1");
	assert_int_equal(image.cmd_nr, 3);
}

static void test_size(void **state)
{
	static const struct {
		const char *s;
		int ret;
		int64_t v;
	} cases[] = {
		{ "1024", 0, 1024 }, { "1k", 0, 1024 },	     { "64m", 0, 64 << 20 },
		{ "1.5g", 0, 3LL << 29 }, { "2GB", 0, 2LL << 30 }, { "x", -EINVAL, 0 },
		{ "", -EINVAL, 0 },	  { "1q", -EINVAL, 0 },    { "-1", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -1;

		assert_int_equal(runopts_parse_size(cases[i].s, &v), cases[i].ret);
		if (!cases[i].ret)
			assert_int_equal(v, cases[i].v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_env_passthrough),
		cmocka_unit_test(test_spec_copy_and_seccomp),
		cmocka_unit_test(test_spec_config),
		cmocka_unit_test(test_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
