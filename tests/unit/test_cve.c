/* CVE layer: Confine's file formats, confine's own table, Docker default, report. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cve/cve.h"
#include "cve/cvedb.h"
#include "cve/cvetext.h"
#include "cve/dockerdefault.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static int nr(const char *name)
{
	int n = syscall_number(SYS_ARCH_X86_64, name);

	assert_true(n >= 0);
	return n;
}

static void forget_warning(const char *msg, void *ctx)
{
	(void)msg;
	(*(unsigned *)ctx)++;
}

/* Drop collected warnings, returning how many there were. */
static unsigned drain_warnings(void)
{
	unsigned n = 0;

	warn_drain(forget_warning, &n);
	return n;
}

struct collect {
	char items[8][64];
	size_t n;
};

static int collect(const char *item, size_t len, void *ctx)
{
	struct collect *c = ctx;

	if (c->n < 8)
		snprintf(c->items[c->n++], sizeof(c->items[0]), "%.*s", (int)len, item);
	return 0;
}

static void test_pystrings(void **state)
{
	static const struct {
		const char *in;
		int ok;
		size_t n;
		const char *first, *last;
	} cases[] = {
		{ "{'a', 'b'}", 1, 2, "a", "b" },
		{ "['__x64_sys_keyctl', \"do_x\"]", 1, 2, "__x64_sys_keyctl", "do_x" },
		{ "  set()  ", 1, 0, NULL, NULL },
		{ "[]", 1, 0, NULL, NULL },
		{ "('x',)", 1, 1, "x", "x" },
		{ "{'it\\'s'}", 1, 1, "it's", "it's" },
		{ "{'a' 'b'}", 0, 0, NULL, NULL },
		{ "{'a', 'b'", 0, 0, NULL, NULL },
		{ "{'a}", 0, 0, NULL, NULL },
		{ "a, b", 0, 0, NULL, NULL },
		{ "", 0, 0, NULL, NULL },
		{ "{'a'} x", 0, 0, NULL, NULL },
		{ "set() x", 0, 0, NULL, NULL },
		{ "{a}", 0, 0, NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct collect c = { .n = 0 };
		const char *why = NULL;
		int ret = cvetext_pystrings(cases[i].in, strlen(cases[i].in), collect, &c, &why);

		if (!cases[i].ok) {
			assert_int_equal(ret, -EINVAL);
			assert_non_null(why);
			continue;
		}
		assert_int_equal(ret, 0);
		assert_int_equal(c.n, cases[i].n);
		if (c.n) {
			assert_string_equal(c.items[0], cases[i].first);
			assert_string_equal(c.items[c.n - 1], cases[i].last);
		}
	}
}

static void test_split_lines(void **state)
{
	struct cvetext_cursor cur;
	struct cvetext_line l;
	struct cvetext_field f[3];
	const char buf[] = "a;b;c;d\r\n\nlast";

	(void)state;
	cvetext_start(&cur, buf, sizeof(buf) - 1);
	assert_true(cvetext_next(&cur, &l));
	assert_int_equal(l.len, 7);
	assert_int_equal(cvetext_split(l.p, l.len, ';', f, 3), 4);
	assert_int_equal(f[2].len, 3); /* "c;d": the last field keeps the rest */
	assert_true(cvetext_next(&cur, &l));
	assert_int_equal(l.len, 0);
	assert_true(cvetext_next(&cur, &l));
	assert_int_equal(l.lineno, 3);
	assert_false(cvetext_next(&cur, &l));
}

static void test_id_order(void **state)
{
	(void)state;
	assert_true(cve_id_cmp("CVE-2017-5123", "CVE-2017-14140") < 0);
	assert_true(cve_id_cmp("CVE-2016-99999", "CVE-2017-1") < 0);
	assert_true(cve_id_cmp("CVE-2017-1", "XYZ") < 0);
	assert_int_equal(cve_id_cmp("CVE-2017-1", "CVE-2017-1"), 0);
	assert_string_equal(cve_syscall_name("__x64_sys_newfstat", true), "fstat");
	assert_string_equal(cve_syscall_name("__x64_sys_keyctl", true), "keyctl");
	assert_null(cve_syscall_name("do_syscall_64", true));
	assert_string_equal(cve_syscall_name("waitid", false), "waitid");
}

static const char startnodes[] =
	"CVE-2016-0728;['__x64_sys_keyctl', 'join_session_keyring'];1\n"
	"CVE-2015-8539;['__x64_sys_add_key', '__x64_sys_keyctl', 'x'];1\n"
	"CVE-2017-5123;['__x64_sys_waitid'];0\n"
	"CVE-2019-1;['do_only_internal'];1\n"
	"CVE-2019-2;['__x64_sys_newstat']\n";

static void test_startnodes(void **state)
{
	struct cve_db db;
	const struct cve_entry *e;

	(void)state;
	cve_db_init(&db);
	assert_int_equal(cve_db_parse_startnodes(&db, startnodes, strlen(startnodes), "s.csv"), 0);
	assert_int_equal(db.nr, 3);
	assert_int_equal(db.lines_dropped, 1);
	assert_int_equal(db.lines_no_entry, 1);
	assert_null(cve_db_find(&db, "CVE-2017-5123"));
	e = cve_db_find(&db, "CVE-2015-8539");
	assert_non_null(e);
	assert_int_equal(e->nr_syscalls, 2);
	assert_string_equal(e->syscalls[0], "add_key");
	assert_true(sysset_has(&e->entry, nr("keyctl")));
	e = cve_db_find(&db, "CVE-2019-2");
	assert_string_equal(e->syscalls[0], "stat");
	cve_db_release(&db);
}

static void expect_parse_error(int (*fn)(struct cve_db *, const char *, size_t, const char *),
			       const char *text, const char *needle)
{
	struct cve_db db;

	cve_db_init(&db);
	err_clear();
	assert_int_equal(fn(&db, text, strlen(text), "in.csv"), -EINVAL);
	if (!strstr(err_msg(), needle))
		fail_msg("message '%s' lacks '%s'", err_msg(), needle);
	cve_db_release(&db);
}

static void test_bad_lines(void **state)
{
	(void)state;
	expect_parse_error(cve_db_parse_startnodes, "CVE-2016-0728\n", "in.csv:1:");
	expect_parse_error(cve_db_parse_startnodes, "CVE-2016-0728;['x'];2\n", "validation flag");
	expect_parse_error(cve_db_parse_startnodes, "\nCVE-1-1;['x'\n", "in.csv:2: node list");
	expect_parse_error(cve_db_parse_startnodes, "nope;['x']\n", "not a CVE id");
	expect_parse_error(cve_db_parse_startnodes, "CVE-1-1;['x'];1;9\n", "got 4 fields");
	expect_parse_error(cve_db_parse_manual, "CVE-2016-0728\n", "in.csv:1:");
	expect_parse_error(cve_db_parse_manual, "CVE-2016-0728;__x64_sys_a,,__x64_sys_b\n", "empty syscall");
	expect_parse_error(cve_db_parse_types, "CVE-2016-0728;Gain privileges\n", "type set");
	expect_parse_error(cve_db_parse_types, "CVE-2016-0728;{'a'};x\n", "got 3 fields");
	expect_parse_error(cve_db_parse_builtin, "CVE-2016-0728;keyctl;Gain privileges;4.4\n",
			   "got 4 fields");
	expect_parse_error(cve_db_parse_builtin, "# c\nCVE-2016-0728;keyctl;;;\n",
			   "in.csv:2: missing source");
	expect_parse_error(cve_db_parse_builtin, "CVE-2016-0728;;x;;http://x\n", "no syscall names");
	{
		/* A NUL byte inside a line is reported, not silently truncated. */
		static const char nul[] = "CVE-2016-0728;['__x64_sys_k\0eyctl']\n";
		struct cve_db db;

		cve_db_init(&db);
		assert_int_equal(cve_db_parse_startnodes(&db, nul, sizeof(nul) - 1, "n"), -EINVAL);
		assert_non_null(strstr(err_msg(), "NUL"));
		cve_db_release(&db);
	}
}

static void test_manual_and_types(void **state)
{
	static const char manual[] =
		"CVE-2016-0728;__x64_sys_add_key, __x64_sys_request_key\n"
		"CVE-2017-5123;__x64_sys_waitid\n"
		"CVE-2017-5123;__x64_sys_wait4\n"
		"CVE-2020-1;__x64_sys_no_such_call, __x64_sys_read\n"
		"CVE-2020-2;keyctl\n";
	static const char types[] = "CVE-2017-5123;{'Gain privileges', 'Bypass a restriction or similar'}\n"
				    "CVE-2016-0728;set()\n";
	struct cve_db db;
	const struct cve_entry *e;
	const struct cve_types *t;

	(void)state;
	cve_db_init(&db);
	drain_warnings();
	assert_int_equal(cve_db_parse_startnodes(&db, startnodes, strlen(startnodes), "s"), 0);
	assert_int_equal(cve_db_parse_manual(&db, manual, strlen(manual), "m"), 0);
	/* The automatic map wins; the first manual line for an id wins. */
	e = cve_db_find(&db, "CVE-2016-0728");
	assert_string_equal(e->syscalls[0], "keyctl");
	assert_string_equal(e->origin, "cvefile");
	e = cve_db_find(&db, "CVE-2017-5123");
	assert_string_equal(e->syscalls[0], "waitid");
	e = cve_db_find(&db, "CVE-2020-1");
	assert_true(e->has_unknown);
	assert_null(cve_db_find(&db, "CVE-2020-2"));
	/* An unknown name and the prefix-less item are both reported. */
	assert_int_equal(drain_warnings(), 2);
	assert_int_equal(cve_db_parse_types(&db, types, strlen(types), "t"), 0);
	t = cve_db_types(&db, "CVE-2017-5123");
	assert_int_equal(t->nr, 2);
	assert_string_equal(t->names[0], "Bypass a restriction or similar");
	assert_int_equal(cve_db_types(&db, "CVE-2016-0728")->nr, 0);
	assert_null(cve_db_types(&db, "CVE-2015-8539"));
	cve_db_release(&db);
}

static void test_images(void **state)
{
	static const char details[] =
		"2;nginx;3;0;0;0;0;{'keyctl', 'add_key', 'waitid'}\n"
		"\n"
		"5;redis;1;0;0;0;0;{'keyctl'}\n"
		"6;nginx;1;0;0;0;0;{'bpf'}\n"
		"7;alpine;2;0;0;0;0;{'not_a_syscall', 'mount'};extra\n";
	struct cve_image_list l = { 0 };

	(void)state;
	drain_warnings();
	assert_int_equal(cve_images_parse(&l, details, strlen(details), "d.csv"), 0);
	assert_int_equal(l.nr, 3);
	assert_string_equal(l.v[0].name, "nginx");
	assert_true(sysset_has(&l.v[0].blocked, nr("bpf")));
	assert_true(sysset_has(&l.v[0].blocked, nr("waitid")));
	assert_int_equal(sysset_count(&l.v[2].blocked), 1);
	assert_int_equal(drain_warnings(), 1);
	cve_image_list_release(&l);

	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "", "no image rows" },
		{ "\n\n", "no image rows" },
		{ "1;nginx;0;0;0;0;{'a'}\n", "d.csv:1: expected at least 8" },
		{ "1;;0;0;0;0;0;{'read'}\n", "empty image name" },
		{ "1;x;0;0;0;0;0;{'read'\n", "d.csv:1: blocked syscall set" },
		{ "1;x;0;0;0;0;0;read, write\n", "field 8" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct cve_image_list b = { 0 };

		err_clear();
		assert_int_equal(cve_images_parse(&b, bad[i].text, strlen(bad[i].text), "d.csv"),
				 -EINVAL);
		if (!strstr(err_msg(), bad[i].needle))
			fail_msg("'%s' lacks '%s'", err_msg(), bad[i].needle);
		cve_image_list_release(&b);
	}
	drain_warnings();
}

static void blocked_by(const char *json, struct sysset *out)
{
	assert_int_equal(docker_default_blocked(json, strlen(json), "p.json", out), 0);
}

static void test_docker_rules(void **state)
{
	struct sysset b;

	(void)state;
	/* Allow-list: everything not allowed is blocked; args/caps resolve to "allowed". */
	blocked_by("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		   "{\"names\":[\"read\",\"chown32\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		   "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		   "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
		   "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
		   "[\"CAP_SYS_ADMIN\"]}},"
		   "{\"names\":[\"chroot\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
		   "[\"CAP_SYS_CHROOT\"]}},"
		   "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":"
		   "\"4.8\"}},"
		   "{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":"
		   "[\"s390x\"]}},"
		   "{\"names\":[\"unshare\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":"
		   "[\"CAP_KILL\"]}},"
		   "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}]}",
		   &b);
	assert_false(sysset_has(&b, nr("read")));
	assert_false(sysset_has(&b, nr("clone")));
	assert_true(sysset_has(&b, nr("mount")));
	assert_false(sysset_has(&b, nr("chroot")));
	assert_false(sysset_has(&b, nr("ptrace")));
	assert_true(sysset_has(&b, nr("arch_prctl")));
	assert_true(sysset_has(&b, nr("unshare")));
	assert_true(sysset_has(&b, nr("clone3")));
	assert_true(sysset_has(&b, nr("write")));

	/* Deny-list (Confine's layout): only unconditional blocking rules block. */
	blocked_by("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		   "{\"name\":\"keyctl\",\"action\":\"SCMP_ACT_ERRNO\",\"args\":[]},"
		   "{\"name\":\"socket\",\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
		   "\"value\":40,\"op\":\"SCMP_CMP_EQ\"}]},"
		   "{\"name\":\"bpf\",\"action\":\"SCMP_ACT_KILL\"},"
		   "{\"name\":\"bpf\",\"action\":\"SCMP_ACT_LOG\"}]}",
		   &b);
	assert_int_equal(sysset_count(&b), 1);
	assert_true(sysset_has(&b, nr("keyctl")));

	static const struct {
		const char *json, *needle;
	} bad[] = {
		{ "{", "invalid JSON" },
		{ "[]", "not a seccomp profile" },
		{ "{\"syscalls\":[]}", "defaultAction" },
		{ "{\"defaultAction\":\"SCMP_ACT_MAYBE\"}", "unknown defaultAction" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}", "not an array" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]}]}",
		  "no \"action\"" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[1],"
		  "\"action\":\"SCMP_ACT_ALLOW\"}]}",
		  "not a string" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		  "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":\"CAP_X\"}}]}",
		  "includes/excludes" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err_clear();
		assert_int_equal(docker_default_blocked(bad[i].json, strlen(bad[i].json), "p.json", &b),
				 -EINVAL);
		if (!strstr(err_msg(), bad[i].needle))
			fail_msg("'%s' lacks '%s'", err_msg(), bad[i].needle);
	}
}

static void test_report(void **state)
{
	static const char table[] =
		"CVE-2017-14954;waitid;Obtain Information;;https://x/1\n"
		"CVE-2017-5123;waitid;Gain privileges;;https://x/2\n"
		"CVE-2015-8539;keyctl, add_key;Gain privileges, Denial Of Service;;https://x/3\n"
		"CVE-2016-4557;bpf;Gain privileges;;https://x/4\n"
		"CVE-2013-1858;clone, unshare;;;https://x/5\n";
	struct cve_db db;
	struct cve_image_input in[3];
	struct cve_report *r;
	struct strbuf sb;
	json_t *j;

	(void)state;
	cve_db_init(&db);
	assert_int_equal(cve_db_parse_builtin(&db, table, strlen(table), "t"), 0);
	sysset_clear(&db.docker_blocked);
	sysset_add(&db.docker_blocked, nr("keyctl"));
	sysset_add(&db.docker_blocked, nr("add_key"));
	sysset_add(&db.docker_blocked, nr("bpf"));
	db.has_docker = true;
	in[0].name = "nginx";
	sysset_clear(&in[0].blocked);
	sysset_add(&in[0].blocked, nr("keyctl"));
	sysset_add(&in[0].blocked, nr("add_key"));
	sysset_add(&in[0].blocked, nr("waitid"));
	in[1].name = "alpine";
	sysset_clear(&in[1].blocked);
	sysset_add(&in[1].blocked, nr("keyctl"));
	sysset_add(&in[1].blocked, nr("waitid"));
	sysset_add(&in[1].blocked, nr("clone"));
	in[2] = in[0];
	assert_int_equal(cve_report_build(&db, in, 3, &r), 0);
	assert_int_equal(r->nr_images, 2);
	assert_int_equal(r->nr_cves, 5);
	assert_int_equal(r->docker_mitigated, 2);
	strbuf_init(&sb, 0);
	assert_int_equal(cve_report_csv(r, &sb), 0);
	assert_string_equal(strbuf_str(&sb),
			    "CVE-2015-8539;add_key, keyctl;Denial Of Service, Gain privileges;True;1;nginx\n"
			    "CVE-2017-5123;waitid;Gain privileges;False;2;alpine, nginx\n"
			    "CVE-2017-14954;waitid;Obtain Information;False;2;alpine, nginx\n");
	assert_int_equal(r->images[1].nr_rows, 3); /* nginx */
	assert_int_equal(r->images[1].beyond_default, 2);
	j = cve_report_json(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"),
							    "cves_mitigated")),
			 3);
	json_decref(j);
	strbuf_reset(&sb);
	assert_int_equal(cve_report_summary(r, &sb, 1), 0);
	assert_non_null(strstr(strbuf_str(&sb), "and 1 more images"));
	strbuf_release(&sb);
	cve_report_free(r);

	/* No images: an empty report, not an error. */
	assert_int_equal(cve_report_build(&db, NULL, 0, &r), 0);
	assert_int_equal(r->nr_rows, 0);
	cve_report_free(r);
	cve_db_release(&db);
}

static void test_shipped_data(void **state)
{
	struct cve_db db;
	const struct cve_entry *e;
	size_t with_source = 0;

	(void)state;
	cve_db_init(&db);
	drain_warnings();
	assert_int_equal(cve_db_load_defaults(&db, true, true), 0);
	/* Every name in the table is a real x86_64 syscall. */
	assert_int_equal(drain_warnings(), 0);
	assert_true(db.nr >= 60);
	for (size_t i = 0; i < db.nr; i++) {
		assert_false(db.entries[i].has_unknown);
		if (db.entries[i].source && !strncmp(db.entries[i].source, "https://", 8))
			with_source++;
		assert_non_null(cve_db_types(&db, db.entries[i].id));
	}
	assert_int_equal(with_source, db.nr);
	e = cve_db_find(&db, "CVE-2016-0728");
	assert_non_null(e);
	assert_string_equal(e->syscalls[0], "keyctl");
	/* Docker 20.10: keyctl and friends blocked; conditional rules count as allowed. */
	assert_true(db.has_docker);
	assert_true(sysset_has(&db.docker_blocked, nr("keyctl")));
	assert_true(sysset_has(&db.docker_blocked, nr("add_key")));
	assert_true(sysset_has(&db.docker_blocked, nr("mount")));
	assert_true(sysset_has(&db.docker_blocked, nr("bpf")));
	assert_true(sysset_has(&db.docker_blocked, nr("clone3")));
	assert_true(sysset_has(&db.docker_blocked, nr("name_to_handle_at")));
	assert_false(sysset_has(&db.docker_blocked, nr("clone")));
	assert_false(sysset_has(&db.docker_blocked, nr("personality")));
	assert_false(sysset_has(&db.docker_blocked, nr("socket")));
	assert_false(sysset_has(&db.docker_blocked, nr("ptrace")));
	assert_false(sysset_has(&db.docker_blocked, nr("chroot")));
	assert_false(sysset_has(&db.docker_blocked, nr("io_uring_setup")));
	cve_db_release(&db);
}

static void test_missing_files(void **state)
{
	struct cve_db db;
	struct cve_image_list l = { 0 };

	(void)state;
	cve_db_init(&db);
	assert_true(cve_db_load_startnodes(&db, "/nonexistent/c.csv") < 0);
	assert_non_null(strstr(err_msg(), "/nonexistent/c.csv"));
	assert_true(cve_db_load_docker_default(&db, "/nonexistent/p.json") < 0);
	assert_non_null(strstr(err_msg(), "/nonexistent/p.json"));
	assert_true(cve_images_load(&l, "/nonexistent/d.csv") < 0);
	assert_non_null(strstr(err_msg(), "filter file"));
	cve_db_release(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pystrings),      cmocka_unit_test(test_split_lines),
		cmocka_unit_test(test_id_order),       cmocka_unit_test(test_startnodes),
		cmocka_unit_test(test_bad_lines),      cmocka_unit_test(test_manual_and_types),
		cmocka_unit_test(test_images),         cmocka_unit_test(test_docker_rules),
		cmocka_unit_test(test_report),         cmocka_unit_test(test_shipped_data),
		cmocka_unit_test(test_missing_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
