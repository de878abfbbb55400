/*
 * engine/: the parts that need no engine (log demultiplexing, audit record
 * parsing, log normalisation, profile transforms, probes, runtime data),
 * then, when a Docker engine answers, container lifecycle, cleanup and the
 * monitor on the fixture images.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <seccomp.h>

#include "engine/audit.h"
#include "engine/container.h"
#include "engine/monitor.h"
#include "engine/probe.h"
#include "engine/runtime.h"
#include "engine/validate.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/strmap.h"

static void frame(struct strbuf *sb, int stream, const char *s)
{
	size_t n = strlen(s);
	unsigned char h[8] = { (unsigned char)stream, 0, 0, 0, (unsigned char)(n >> 24),
			       (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n };

	strbuf_add(sb, h, 8);
	strbuf_add(sb, s, n);
}

static void test_demux(void **state)
{
	struct strbuf in, out, err;

	(void)state;
	strbuf_init(&in, 0);
	strbuf_init(&out, 0);
	strbuf_init(&err, 0);
	frame(&in, 1, "hello ");
	frame(&in, 2, "oops\n");
	frame(&in, 1, "world\n");
	frame(&in, 1, "");
	assert_int_equal(container_demux(in.buf, in.len, &out, &err), 0);
	assert_string_equal(strbuf_str(&out), "hello world\n");
	assert_string_equal(strbuf_str(&err), "oops\n");
	/* Truncated header, bad stream byte, length past the end. */
	assert_int_equal(container_demux(in.buf, 5, &out, &err), -EBADMSG);
	in.buf[0] = 7;
	assert_int_equal(container_demux(in.buf, in.len, &out, &err), -EBADMSG);
	in.buf[0] = 1;
	in.buf[7] = 100;
	assert_int_equal(container_demux(in.buf, in.len, &out, &err), -EBADMSG);
	strbuf_release(&in);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void test_audit_parse(void **state)
{
	static const char nl[] =
		"audit(1795901558.995:2): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=25175 "
		"comm=\"runc:[2:INIT]\" exe=\"/\" sig=0 arch=c000003e syscall=257 compat=0 "
		"ip=0x40828e code=0x7ffc0000";
	static const char km[] =
		"5,1234,388919931,-;audit: type=1326 audit(1795901558.995:9): auid=4294967295 "
		"uid=1000 gid=1000 ses=4294967295 pid=42 comm=6E67 20696E78 exe=\"/usr/sbin/nginx\" "
		"sig=0 arch=40000003 syscall=5 compat=1 ip=0x1 code=0x7ffc0000";
	static const char hexcomm[] =
		"audit(1.2:3): pid=7 comm=6E67696E78 exe=\"/x\" arch=c000003e syscall=288 code=0x7ffc0000";
	static const char other[] = "6,99,1,-;audit: type=1400 audit(1.2:3): apparmor=\"DENIED\"";
	static const char bad[] = "audit(1.2:3): pid=x comm=\"a\" arch=c000003e syscall=1";
	struct audit_record r;

	(void)state;
	assert_int_equal(audit_parse_seccomp(nl, strlen(nl), &r), 0);
	assert_int_equal(r.pid, 25175);
	assert_int_equal(r.syscall, 257);
	assert_int_equal(r.arch, AUDIT_ARCH_X86_64_ID);
	assert_int_equal(r.code, 0x7ffc0000u);
	assert_int_equal(r.serial, 2);
	assert_string_equal(r.comm, "runc:[2:INIT]");
	assert_string_equal(r.exe, "/");
	assert_int_equal(audit_parse_seccomp(km, strlen(km), &r), 0);
	assert_int_equal(r.pid, 42);
	assert_int_equal(r.arch, AUDIT_ARCH_I386_ID);
	assert_int_equal(r.syscall, 5);
	assert_string_equal(r.exe, "/usr/sbin/nginx");
	assert_int_equal(audit_parse_seccomp(hexcomm, strlen(hexcomm), &r), 0);
	assert_string_equal(r.comm, "nginx");
	assert_int_equal(audit_parse_seccomp(other, strlen(other), &r), -ENOMSG);
	assert_int_equal(audit_parse_seccomp("hello", 5, &r), -ENOMSG);
	assert_int_equal(audit_parse_seccomp(bad, strlen(bad), &r), -EBADMSG);
	/* Cut anywhere: never reads past the length. */
	for (size_t n = 0; n < sizeof(nl) - 1; n++)
		(void)audit_parse_seccomp(nl, n, &r);
}

static void test_cgroup_id(void **state)
{
	char id[65];
	static const char v1[] =
		"12:pids:/docker/279c0c92b185bc0e075728d3be82d5a52f71a9eadb8775b13b042cf4ab66215f\n";
	static const char v2[] =
		"0::/system.slice/docker-279c0c92b185bc0e075728d3be82d5a52f71a9eadb8775b13b042cf4ab66215f.scope\n";

	(void)state;
	assert_true(audit_cgroup_container_id(v1, id));
	assert_string_equal(id, "279c0c92b185bc0e075728d3be82d5a52f71a9eadb8775b13b042cf4ab66215f");
	assert_true(audit_cgroup_container_id(v2, id));
	assert_string_equal(id, "279c0c92b185bc0e075728d3be82d5a52f71a9eadb8775b13b042cf4ab66215f");
	assert_false(audit_cgroup_container_id("0::/\n", id));
	assert_false(audit_cgroup_container_id("0::/user.slice/abc\n", id));
}

static bool known_10(void *ctx, int pid)
{
	(void)ctx;
	return pid == 10;
}

static void test_attribute(void **state)
{
	static const char cid[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	static const char other[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	struct audit_record recs[7];
	/* 10 -> 11 -> 12 (a short-lived grandchild), 20 (another container) -> 21 */
	static const struct audit_fork forks[] = { { 10, 11 }, { 11, 12 }, { 20, 21 }, { 1, 30 } };
	static const struct {
		int pid;
		const char *cid;
		bool ours;
	} want[] = {
		{ 5, cid, true },    /* the cgroup said so */
		{ 5, "", true },     /* the same pid, read after it died */
		{ 12, "", true },    /* descendant of a known pid */
		{ 21, "", false },   /* descendant of another container's process */
		{ 20, other, false }, { 30, "", false }, /* a host process */
		{ 10, other, false }, /* a live process in another cgroup is never ours */
	};

	(void)state;
	memset(recs, 0, sizeof(recs));
	for (size_t i = 0; i < 7; i++) {
		recs[i].pid = want[i].pid;
		snprintf(recs[i].container_id, sizeof(recs[i].container_id), "%s", want[i].cid);
	}
	assert_int_equal(audit_attribute(recs, 7, forks, 4, cid, known_10, NULL), 3);
	for (size_t i = 0; i < 7; i++)
		if (recs[i].ours != want[i].ours)
			fail_msg("record %zu (pid %d): ours=%d", i, recs[i].pid, recs[i].ours);
}

/*
 * A process named as one of runc's stages is noted but its executable and
 * mappings (the host's runc and libseccomp) are not the container's; once
 * it has become the container's program (a new comm), they are.  A real
 * child process of this test plays both parts; it is watched as the init
 * process with its descendants (no cgroup file).
 */
static void test_procwatch_runtime_stage(void **state)
{
	int go[2], ready[2];
	char c;
	pid_t child;
	struct procwatch w;
	bool changed, alive;
	uint64_t cpu;

	(void)state;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* Only the test holds the other ends: when it ends, so does this. */
		close(go[1]);
		close(ready[0]);
		prctl(PR_SET_NAME, "runc:[2:INIT]");
		if (write(ready[1], "1", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		prctl(PR_SET_NAME, "worker");
		if (write(ready[1], "2", 1) != 1)
			_exit(1);
		(void)read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	memset(&w, 0, sizeof(w));
	strmap_init(&w.exes);
	strmap_init(&w.libs);
	w.init_pid = child;
	assert_int_equal(procwatch_poll(&w, &changed, &cpu, &alive), 0);
	assert_true(alive);
	assert_true(procwatch_saw_pid(&w, child));
	assert_true(procwatch_saw_comm(&w, "runc:[2:INIT]"));
	assert_int_equal(w.exes.nr, 0);
	assert_int_equal(w.libs.nr, 0);

	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(procwatch_poll(&w, &changed, &cpu, &alive), 0);
	assert_true(changed);
	assert_true(procwatch_saw_comm(&w, "worker"));
	assert_int_equal(w.exes.nr, 1);
	assert_true(w.libs.nr > 0);

	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(child, NULL, 0), child);
	procwatch_release(&w);
	close(go[1]);
	close(ready[0]);
}

static void test_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "2026/11/28 21:40:01 [notice] 1#1: start worker process 31",
		  "#/#/# #:#:# [notice] ###: start worker process #" },
		{ "ptr=0x7ffd1234abcd id=279c0c92b185 ok", "ptr=X id=X ok" },
		{ "deadbee1 cafe 12ab facade00", "X cafe #ab X" },
		{ "line\r\n", "line\n" },
		/* UUIDs, whatever their digits and letters (mosquitto's client ids) */
		{ "Client auto-9E2C4A1B-3F5D-4C7A-8B9E-0D1F2A3B4C5D disconnected.", "Client auto-X disconnected." },
		{ "Client auto-12345678-AAAA-4C7A-0000-0D1F2A3B4C5D disconnected.", "Client auto-X disconnected." },
		{ "not-a-uuid 1234-5678 abcd-ef", "not-a-uuid #-# abcd-ef" },
		/* Durations, whatever their unit (prometheus: "WAL replay completed") */
		{ "wal_replay_duration=812ns total=1.5\xc2\xb5s", "wal_replay_duration=D total=D" },
		{ "wal_replay_duration=42.25ms total=1h2m3.5s", "wal_replay_duration=D total=D" },
		{ "took 3s, 10 items, 5min, 2mb, 7 s", "took D, # items, #min, #mb, # s" },
		/* Generated ids: 20+ letters and digits (nats-server's) */
		{ "[1] [INF]   ID:       NC2ATLHP5CYLDCMDSZVG7LNWXBISL3ZYXU", "[#] [INF]   ID:       X" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ 12345678901234567890123 abc1", "ABCDEFGHIJKLMNOPQRSTUVWXYZ # abc#" },
		/* 8+ with digits and both cases (InfluxDB's log ids); not one case only */
		{ "msg=\"Compaction settings\" log_id=0rV5GVG0000 service=store",
		  "msg=\"Compaction settings\" log_id=X service=store" },
		{ "x86Linux64 HelloWorld abcdefgh12 ABCDEFGH12 Ab1", "X HelloWorld abcdefgh# ABCDEFGH# Ab#" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = validate_normalize_log(cases[i].in, strlen(cases[i].in));

		assert_string_equal(n, cases[i].out);
		free(n);
	}
}

/* Lines that differ only in a generated id pair up (validate_lines_differ_by_id). */
static void test_differ_by_id(void **state)
{
	static const struct {
		const char *a, *b;
		bool same;
	} cases[] = {
		/* Mojolicious's request ids: letters only (the normaliser leaves them), or with digits ('X') */
		{ "[trace] [PpYaQFjPtYCc] GET \"/page\"", "[trace] [X] GET \"/page\"", true },
		{ "[trace] [PpYaQFjPtYCc] GET \"/page\"", "[trace] [hGqTLwEYcNbR] GET \"/page\"", true },
		/* base64url ids: the normaliser's X with a '-' left, or digits it left as '#' */
		{ "[#] [trace] [X-] Routing to a callback", "[#] [trace] [X] Routing to a callback", true },
		{ "[#] [trace] [_X] Routing", "[#] [trace] [abcDEFgh#_k] Routing", true },
		/* ... and a part of one the normaliser replaced ("Tg_8a7B3xyzW" became "Tg_X") */
		{ "[trace] [Tg_X] GET \"/\"", "[trace] [X] GET \"/\"", true },
		{ "[trace] [X-GK] GET \"/\"", "[trace] [Tg_X] GET \"/\"", true },
		{ "[trace] [X-GK] GET \"/\"", "[trace] [plain] GET \"/\"", false },
		/* anything else differing: not the same line */
		{ "[trace] [PpYaQFjPtYCc] GET \"/page\"", "[trace] [X] GET \"/other\"", false },
		{ "[trace] [PpYaQFjPtYCc] GET \"/page\"", "[trace] [X] POST \"/page\"", false },
		{ "[a] [PpYaQFjPtYCc] [QwErTyUiOp]", "[a] [X] [X]", false },
		{ "error: ConnectionRefused", "error: TimeoutExceeded", false },
		{ "status=Success", "status=Failure", false },
		{ "same line", "same line", false },
		{ "[X] done", "[X] done.", false },
		{ "", "X", false },
		{ "x86_#-linux-gnu loaded", "X loaded", false },
		{ "[trace] [X] GET /", "[trace] [X] GET /a-b", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (validate_lines_differ_by_id(cases[i].a, cases[i].b) != cases[i].same ||
		    validate_lines_differ_by_id(cases[i].b, cases[i].a) != cases[i].same)
			fail_msg("'%s' / '%s': expected %s", cases[i].a, cases[i].b, cases[i].same ? "same" : "different");
}

/*
 * Whole logs: a line of one run only pairs with any line of the other's
 * that differs by an id, also one both runs have (the baseline served "/"
 * twice, its ids normalised two ways; the hardened run once).
 */
static void test_logs_match(void **state)
{
	static char *base[] = { "[trace] [X] GET \"/\"", "[trace] [X] GET \"/x1\"", "[trace] [eq_X] GET \"/\"" };
	static char *hard[] = { "[trace] [X] GET \"/\"", "[trace] [X] GET \"/x1\"" };
	static char *other[] = { "[trace] [X] GET \"/\"", "[trace] [X] GET \"/x2\"" };
	char *diff;

	(void)state;
	assert_true(validate_logs_match(base, 3, hard, 2, &diff));
	assert_null(diff);
	assert_true(validate_logs_match(hard, 2, base, 3, &diff));
	assert_false(validate_logs_match(base, 3, other, 2, &diff));
	assert_string_equal(diff, "only in the baseline: [trace] [X] GET \"/x1\"");
	free(diff);
	assert_false(validate_logs_match(hard, 1, hard, 2, &diff));
	assert_string_equal(diff, "only in the hardened run: [trace] [X] GET \"/x1\"");
	free(diff);
}

static void test_canon_line(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		/* caddy: a Go map's keys, in hash order */
		{ "{\"msg\":\"admin endpoint started\",\"origins\":[\"//localhost:#\",\"//[::#]:#\"]}",
		  "{\"msg\":\"admin endpoint started\",\"origins\":[\"//[::#]:#\",\"//localhost:#\"]}" },
		{ "set {'b', 'a'} and [c, [b,a]]", "set {'a','b'} and [[a,b],c]" },
		/* commas and brackets inside strings are text */
		{ "[\"b,]\",\"a\"]", "[\"a\",\"b,]\"]" },
		/* unbalanced: kept */
		{ "[b,a", "[b,a" },
		{ "a] [b,a]", "a] [a,b]" },
		{ "[]", "[]" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = validate_canon_line(cases[i].in);

		assert_string_equal(n, cases[i].out);
		free(n);
	}
	/* Deep nesting neither recurses without bound nor loses text. */
	{
		char *deep = xcalloc(200001, 1), *n;

		memset(deep, '[', 100000);
		memset(deep + 100000, ']', 100000);
		n = validate_canon_line(deep);
		assert_string_equal(n, deep);
		free(n);
		/* Unbalanced, in one pass: "[[[[...". */
		memset(deep + 100000, '[', 100000);
		n = validate_canon_line(deep);
		assert_string_equal(n, deep);
		free(n);
		free(deep);
	}
}

static void test_audit_profile(void **state)
{
	static const char prof[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
		"\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},"
		"{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}";
	static const char denylist[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kexec_load\"],"
		"\"action\":\"SCMP_ACT_ERRNO\"}]}";
	struct strlist ex = { 0 };
	char *out = NULL;

	(void)state;
	assert_int_equal(validate_audit_profile(prof, &out, &ex), 0);
	assert_non_null(strstr(out, "\"defaultAction\":\"SCMP_ACT_LOG\""));
	assert_null(strstr(out, "defaultErrnoRet"));
	/* ENOSYS rules stay (libc falls back), other denies become LOG. */
	assert_non_null(strstr(out, "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}"));
	assert_non_null(strstr(out, "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_LOG\"}"));
	assert_int_equal(ex.nr, 1);
	assert_string_equal(ex.v[0], "ptrace");
	free(out);
	strlist_clear(&ex);
	assert_int_equal(validate_audit_profile(denylist, &out, NULL), 0);
	assert_non_null(strstr(out, "\"defaultAction\":\"SCMP_ACT_ALLOW\""));
	assert_non_null(strstr(out, "\"kexec_load\"],\"action\":\"SCMP_ACT_LOG\""));
	free(out);
	err_clear();
	assert_int_equal(validate_audit_profile("{\"syscalls\":[]}", &out, NULL), -EINVAL);
	assert_non_null(strstr(err_msg(), "not a seccomp profile"));
	assert_int_equal(validate_audit_profile("{nope", &out, NULL), -EINVAL);
	assert_non_null(strstr(err_msg(), "cannot parse the profile"));
}

struct warned {
	struct strbuf all;
};

static void collect_warning(const char *msg, void *ctx)
{
	strbuf_addf(&((struct warned *)ctx)->all, "%s\n", msg);
}

/*
 * Only names whose rule changes what the default does are warned about:
 * an allowlist's ENOSYS rule (new calls denied so libc falls back) is not
 * "allowed", and a deny-list's unknown denied names stay allowed.
 */
static void test_check_names(void **state)
{
	static const char allowlist[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
		"\"syscalls\":[{\"names\":[\"read\",\"nosuchcall\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"mseal\",\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}]}";
	static const char allow_new[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"mseal\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}";
	static const char denylist[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kexec_load\",\"mseal\"],"
		"\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	/* mseal (Linux 6.10) is in confine's table; whether libseccomp knows it depends on its version. */
	bool old = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "mseal") == __NR_SCMP_ERROR;
	struct warned w;

	(void)state;
	strbuf_init(&w.all, 256);
	warn_drain(collect_warning, &w);
	strbuf_reset(&w.all);
	assert_int_equal(validate_check_names(allowlist), 1);
	warn_drain(collect_warning, &w);
	assert_non_null(strstr(w.all.buf, "1 unknown system call (nosuchcall)"));
	assert_null(strstr(w.all.buf, "mseal"));
	strbuf_reset(&w.all);

	assert_int_equal(validate_check_names(allow_new), old ? 1 : 0);
	warn_drain(collect_warning, &w);
	if (old)
		assert_non_null(strstr(w.all.buf, "does not know 1 allowed system call (mseal): Docker drops such "
						  "names silently, so they stay denied"));
	strbuf_reset(&w.all);

	assert_int_equal(validate_check_names(denylist), old ? 1 : 0);
	warn_drain(collect_warning, &w);
	if (old)
		assert_non_null(strstr(w.all.buf, "does not know 1 denied system call (mseal): Docker drops such "
						  "names silently, so they stay allowed"));
	assert_int_equal(validate_check_names("{nope"), 0);
	strbuf_release(&w.all);
}

static void test_profile_add(void **state)
{
	static const char prof[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"write\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
	char *names[] = { "accept4", "ptrace", "read" };
	char *out = NULL;
	json_t *j, *n;

	(void)state;
	assert_int_equal(validate_profile_add(prof, names, 3, &out), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	n = json_object_get(json_array_get(json_object_get(j, "syscalls"), 0), "names");
	assert_int_equal(json_array_size(n), 4);
	assert_string_equal(json_string_value(json_array_get(n, 0)), "accept4");
	assert_string_equal(json_string_value(json_array_get(n, 1)), "ptrace");
	assert_string_equal(json_string_value(json_array_get(n, 2)), "read");
	n = json_object_get(json_array_get(json_object_get(j, "syscalls"), 1), "names");
	assert_int_equal(json_array_size(n), 0);
	json_decref(j);
	free(out);
}

static void test_probe_parse(void **state)
{
	static const struct {
		const char *spec;
		int ret;
		enum probe_kind kind;
	} cases[] = {
		{ "http://127.0.0.1:8080/", 0, PROBE_HTTP },
		{ "http://localhost/health", 0, PROBE_HTTP },
		{ "http://[::1]:80/", 0, PROBE_HTTP },
		{ "tcp:127.0.0.1:6379", 0, PROBE_TCP },
		{ "tcp://[::1]:6379", 0, PROBE_TCP },
		{ "cmd:redis-cli ping", 0, PROBE_EXEC },
		{ "exec:redis-cli -p 6379 ping", 0, PROBE_EXEC },
		{ "host:curl -sf http://127.0.0.1:8080/", 0, PROBE_HOST },
		{ "host:", -EINVAL, PROBE_NONE },
		{ "http://example.com/", -EINVAL, PROBE_NONE },
		{ "tcp:10.0.0.1:80", -EINVAL, PROBE_NONE },
		{ "tcp:127.0.0.1:0", -EINVAL, PROBE_NONE },
		{ "tcp:127.0.0.1", -EINVAL, PROBE_NONE },
		{ "cmd:", -EINVAL, PROBE_NONE },
		{ "exec:", -EINVAL, PROBE_NONE },
		{ "ftp://127.0.0.1/", -EINVAL, PROBE_NONE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe p;
		int ret = probe_parse(cases[i].spec, &p);

		if (ret != cases[i].ret)
			fail_msg("probe '%s': got %d (%s)", cases[i].spec, ret, err_msg());
		if (!ret) {
			assert_int_equal(p.kind, cases[i].kind);
			probe_release(&p);
		} else {
			assert_non_null(strstr(err_msg(), cases[i].spec));
		}
	}
	{
		char *hc[] = { "CMD-SHELL", "curl -f http://localhost/" };
		char *none[] = { "NONE" };
		struct probe p;

		assert_int_equal(probe_from_healthcheck(hc, 2, &p), 0);
		assert_int_equal(p.kind, PROBE_EXEC);
		assert_string_equal(p.argv[2], "curl -f http://localhost/");
		assert_string_equal(p.spec, "HEALTHCHECK CMD-SHELL curl -f http://localhost/");
		probe_release(&p);
		assert_int_equal(probe_from_healthcheck(none, 1, &p), 0);
		assert_int_equal(p.kind, PROBE_NONE);
		/* What the engine does not run either: no check, and a warning naming it. */
		{
			char *bogus[] = { "BOGUS", "x" }, *bare[] = { "CMD" };
			unsigned w = warn_count();

			assert_int_equal(probe_from_healthcheck(bogus, 2, &p), 0);
			assert_int_equal(p.kind, PROBE_NONE);
			assert_int_equal(probe_from_healthcheck(bare, 1, &p), 0);
			assert_int_equal(p.kind, PROBE_NONE);
			assert_int_equal(warn_count(), w + 2);
			warn_drain(NULL, NULL);
		}
	}
}

static void test_probe_tcp_refused(void **state)
{
	struct probe p;

	(void)state;
	/* Port 1 on loopback: nothing listens; the probe must give up in time. */
	assert_int_equal(probe_parse("tcp:127.0.0.1:1", &p), 0);
	assert_true(probe_run(&p, NULL, NULL, 300) < 0);
	assert_non_null(strstr(err_msg(), "tcp:127.0.0.1:1"));
	probe_release(&p);
}

/* host: runs the shell on the host: its exit decides, and a command still
 * running when the budget ends is killed with everything it started. */
static void test_probe_host(void **state)
{
	char dir[] = "/tmp/confine-probe-XXXXXX", spec[256], ran[64], late[64];
	struct probe p;
	long t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(ran, sizeof(ran), "%s/ran", dir);
	snprintf(late, sizeof(late), "%s/late", dir);
	snprintf(spec, sizeof(spec), "host:echo noise; echo noise >&2; touch %s", ran);
	assert_int_equal(probe_parse(spec, &p), 0);
	assert_int_equal(probe_run(&p, NULL, NULL, 2000), 0);
	assert_int_equal(access(ran, F_OK), 0);
	probe_release(&p);

	assert_int_equal(probe_parse("host:exit 3", &p), 0);
	assert_true(probe_run(&p, NULL, NULL, 300) < 0);
	assert_non_null(strstr(err_msg(), "exited with 3"));
	probe_release(&p);

	/* A background child of the shell dies with it: it never writes 'late'. */
	snprintf(spec, sizeof(spec), "host:(sleep 1; touch %s) & sleep 30", late);
	assert_int_equal(probe_parse(spec, &p), 0);
	t = clock_now_ms();
	assert_true(probe_run(&p, NULL, NULL, 300) < 0);
	assert_true(clock_now_ms() - t < 3000);
	assert_non_null(strstr(err_msg(), "still running"));
	probe_release(&p);
	sleep(2);
	assert_int_equal(access(late, F_OK), -1);
	unlink(ran);
	unlink(late);
	rmdir(dir);
}

static void test_runtime_data(void **state)
{
	struct runtime_info info = { "runc", "1.1.5+ds1" }, old = { "runc", "0.9" },
			    crun = { "crun", "1.8" };
	char **names, *src = NULL;
	size_t nr;
	struct sysset set;
	static const char *const must[] = { "capget", "capset", "chdir", "execve", "fchown",
					    "fstatfs", "futex", "getdents64", "openat", "setgid",
					    "setgroups", "setuid", "write" };

	(void)state;
	assert_int_equal(runtime_syscall_names(&info, &names, &nr, &src), 0);
	assert_non_null(strstr(src, "runc-1.1.json"));
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		bool found = false;

		for (size_t j = 0; j < nr; j++)
			found |= !strcmp(names[j], must[i]);
		if (!found)
			fail_msg("runc set lacks %s", must[i]);
	}
	for (size_t j = 1; j < nr; j++)
		assert_true(strcmp(names[j - 1], names[j]) < 0);
	runtime_names_free(names);
	free(src);
	assert_int_equal(runtime_sysset(&info, SYS_ARCH_X86_64, &set), 0);
	assert_int_equal(sysset_count(&set), nr);
	/* Unknown versions and runtimes fall back to the newest runc set, with a warning. */
	warn_drain(NULL, NULL);
	assert_int_equal(runtime_syscall_names(&old, &names, &nr, NULL), 0);
	assert_true(warn_count() >= 1);
	runtime_names_free(names);
	assert_int_equal(runtime_syscall_names(&crun, &names, &nr, NULL), 0);
	runtime_names_free(names);
}

/* ---- with a Docker engine ---- */

static bool have_docker(struct dockerapi *api)
{
	if (dockerapi_init(api, NULL) < 0)
		return false;
	if (dockerapi_ping(api) < 0) {
		dockerapi_release(api);
		return false;
	}
	return true;
}

static bool have_image(struct dockerapi *api, const char *name)
{
	char *path, *esc = dockerapi_escape(name);
	int ret;

	path = malloc(strlen(esc) + 32);
	snprintf(path, strlen(esc) + 32, "/images/%s/json", esc);
	ret = dockerapi_request(api, "GET", path, NULL, NULL, NULL);
	free(path);
	free(esc);
	err_clear();
	return ret == 0;
}

/* Containers of this process's run still present (by label). */
static size_t labelled(struct dockerapi *api)
{
	char *f, *path;
	struct strbuf sb;
	json_t *list;
	size_t n;
	char filter[256];

	snprintf(filter, sizeof(filter), "{\"label\":[\"%s=%s\"]}", CONTAINER_RUN_LABEL,
		 container_run_id());
	f = dockerapi_escape(filter);
	path = malloc(strlen(f) + 64);
	snprintf(path, strlen(f) + 64, "/containers/json?all=1&filters=%s", f);
	strbuf_init(&sb, 0);
	assert_int_equal(dockerapi_request(api, "GET", path, NULL, &sb, NULL), 0);
	list = json_loadb(sb.buf, sb.len, 0, NULL);
	assert_non_null(list);
	n = json_array_size(list);
	json_decref(list);
	strbuf_release(&sb);
	free(path);
	free(f);
	return n;
}

static void test_docker_lifecycle(void **state)
{
	struct dockerapi api;
	struct container_spec spec;
	struct container c;
	struct strbuf out, err;
	int code = -1;
	bool trunc;

	(void)state;
	if (!have_docker(&api))
		skip();
	if (!have_image(&api, "confine-test/small:latest")) {
		dockerapi_release(&api);
		skip();
	}
	container_spec_init(&spec);
	spec.image = strdup("confine-test/small:latest");
	spec.network = strdup("none");
	spec.cmd_set = true;
	strlist_push(&spec.cmd, "/bin/sh");
	strlist_push(&spec.cmd, "-c");
	strlist_push(&spec.cmd, "echo out; echo err >&2; exit 3");
	assert_int_equal(container_create(&api, &spec, &c), 0);
	assert_int_equal(labelled(&api), 1);
	assert_int_equal(container_start(&api, &c), 0);
	assert_int_equal(container_wait(&api, &c, 10000, &code), 0);
	assert_int_equal(code, 3);
	strbuf_init(&out, 0);
	strbuf_init(&err, 0);
	assert_int_equal(container_logs(&api, &c, 0, &out, &err, &trunc), 0);
	assert_string_equal(strbuf_str(&out), "out\n");
	assert_string_equal(strbuf_str(&err), "err\n");
	assert_false(trunc);
	strbuf_release(&out);
	strbuf_release(&err);
	assert_int_equal(container_remove(&api, &c), 0);
	assert_int_equal(labelled(&api), 0);
	container_release(&c);

	/* A failing start (no such executable) still leaves nothing behind. */
	strlist_clear(&spec.cmd);
	strlist_push(&spec.cmd, "/nonexistent");
	assert_int_equal(container_create(&api, &spec, &c), 0);
	assert_true(container_start(&api, &c) < 0);
	assert_non_null(strstr(err_msg(), "cannot start container"));
	container_release(&c);
	assert_int_equal(container_cleanup_all(&api), 1);
	assert_int_equal(labelled(&api), 0);

	/* No such image: a clear message, nothing created. */
	free(spec.image);
	spec.image = strdup("confine-test/does-not-exist:nope");
	assert_int_equal(container_create(&api, &spec, &c), -ENOENT);
	assert_non_null(strstr(err_msg(), "no such image 'confine-test/does-not-exist:nope'"));
	assert_int_equal(labelled(&api), 0);
	container_spec_release(&spec);
	dockerapi_release(&api);
}

static bool has(char **v, size_t nr, const char *s, bool prefix)
{
	for (size_t i = 0; i < nr; i++)
		if (prefix ? !strncmp(v[i], s, strlen(s)) : !strcmp(v[i], s))
			return true;
	return false;
}

static void test_docker_monitor_nginx(void **state)
{
	struct dockerapi api;
	struct container_spec spec;
	struct monitor_opts o = { .min_ms = 300, .max_ms = 8000, .idle_ms = 500, .collect_maps = true,
				  .no_audit_exec = true };
	struct monitor_result r;

	(void)state;
	if (!have_docker(&api))
		skip();
	if (!have_image(&api, "confine-test/nginx:latest")) {
		dockerapi_release(&api);
		skip();
	}
	container_spec_init(&spec);
	spec.image = strdup("confine-test/nginx:latest");
	spec.network = strdup("none");
	monitor_result_init(&r);
	assert_int_equal(monitor_run(&api, &spec, &o, &r), 0);
	assert_true(r.started);
	assert_false(r.exited);
	assert_true(r.ran_ms < 8000);
	if (!has(r.exes, r.exes_nr, "/usr/sbin/nginx", false))
		fail_msg("monitor did not see /usr/sbin/nginx (%zu exes)", r.exes_nr);
	if (!has(r.libs, r.libs_nr, "/usr/lib/x86_64-linux-gnu/libc.so.6", false) &&
	    !has(r.libs, r.libs_nr, "/lib/x86_64-linux-gnu/libc.so.6", false))
		fail_msg("monitor did not see libc (%zu libs)", r.libs_nr);
	assert_true(has(r.libs, r.libs_nr, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", false) ||
		    has(r.libs, r.libs_nr, "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", false) ||
		    has(r.libs, r.libs_nr, "/lib64/ld-linux-x86-64.so.2", false));
	/* The master and its worker(s). */
	assert_true(r.watch.pids_nr >= 2);
	assert_true(procwatch_saw_comm(&r.watch, "nginx"));
	assert_int_equal(labelled(&api), 0);
	monitor_result_release(&r);
	container_spec_release(&spec);
	dockerapi_release(&api);
}

static void test_docker_monitor_short_lived(void **state)
{
	struct dockerapi api;
	struct container_spec spec;
	/*
	 * The idle window is far longer than the shell's sleep: with both at
	 * 0.3 s the monitor could stop the container just before it exited.
	 */
	struct monitor_opts o = { .min_ms = 200, .max_ms = 10000, .idle_ms = 3000, .collect_maps = true };
	struct monitor_result r;

	(void)state;
	if (!have_docker(&api))
		skip();
	if (!have_image(&api, "confine-test/small:latest") || geteuid() != 0) {
		dockerapi_release(&api);
		skip();
	}
	container_spec_init(&spec);
	spec.image = strdup("confine-test/small:latest");
	spec.network = strdup("none");
	spec.cmd_set = true;
	strlist_push(&spec.cmd, "/bin/sh");
	strlist_push(&spec.cmd, "-c");
	/*
	 * ls and cat live for a millisecond: /proc polling alone would miss
	 * them.  The shell lives 0.3 s first, as an entrypoint does, so the
	 * poller knows the container's first process and the fork events tie
	 * ls's and cat's records to it even when a busy machine delivers them
	 * after they are gone (their cgroup can no longer be read then).
	 */
	strlist_push(&spec.cmd, "sleep 0.3; ls / >/dev/null; cat /etc/hostname >/dev/null; echo done");
	monitor_result_init(&r);
	assert_int_equal(monitor_run(&api, &spec, &o, &r), 0);
	assert_true(r.started);
	assert_true(r.exited);
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(strbuf_str(&r.out), "done\n");
	if (!has(r.exes, r.exes_nr, "/bin/ls", false) || !has(r.exes, r.exes_nr, "/bin/cat", false) ||
	    !has(r.exes, r.exes_nr, "/bin/sh", false))
		fail_msg("short-lived programs missed: %zu exes, %zu from audit", r.exes_nr, r.audit_exes);
	assert_int_equal(labelled(&api), 0);
	monitor_result_release(&r);
	container_spec_release(&spec);
	dockerapi_release(&api);
}

static void test_docker_runtime_detect(void **state)
{
	struct dockerapi api;
	struct runtime_info info;

	(void)state;
	if (!have_docker(&api))
		skip();
	assert_int_equal(runtime_detect(&api, &info), 0);
	assert_non_null(info.name);
	assert_true(info.name[0] != '\0');
	runtime_info_release(&info);
	dockerapi_release(&api);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demux),
		cmocka_unit_test(test_audit_parse),
		cmocka_unit_test(test_cgroup_id),
		cmocka_unit_test(test_attribute),
		cmocka_unit_test(test_procwatch_runtime_stage),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_differ_by_id),
		cmocka_unit_test(test_logs_match),
		cmocka_unit_test(test_audit_profile),
		cmocka_unit_test(test_check_names),
		cmocka_unit_test(test_profile_add),
		cmocka_unit_test(test_probe_parse),
		cmocka_unit_test(test_probe_tcp_refused),
		cmocka_unit_test(test_probe_host),
		cmocka_unit_test(test_canon_line),
		cmocka_unit_test(test_runtime_data),
		cmocka_unit_test(test_docker_lifecycle),
		cmocka_unit_test(test_docker_monitor_nginx),
		cmocka_unit_test(test_docker_monitor_short_lived),
		cmocka_unit_test(test_docker_runtime_detect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
