#include <errno.h>
#include <jansson.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "profile/profile.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static const char *const small_allow[] = { "read", "write", "exit_group", "openat", "futex" };

static void make_small(struct profile *p)
{
	size_t i;

	profile_init(p, SYS_ARCH_X86_64);
	profile_set_name(p, "Confine-Test/nginx:latest");
	for (i = 0; i < ARRAY_SIZE(small_allow); i++)
		assert_int_equal(profile_allow_name(p, small_allow[i]), 0);
}

static void test_format_parse(void **state)
{
	enum profile_format f;

	(void)state;
	assert_int_equal(profile_format_parse("docker", &f), 0);
	assert_int_equal(f, PROFILE_DOCKER);
	assert_int_equal(profile_format_parse("k8s", &f), 0);
	assert_int_equal(f, PROFILE_K8S);
	assert_int_equal(profile_format_parse("confine-deny", &f), 0);
	assert_int_equal(f, PROFILE_CONFINE_DENY);
	assert_int_equal(profile_format_parse("bpf", &f), 0);
	assert_int_equal(f, PROFILE_BPF);
	assert_int_equal(profile_format_parse("yaml", &f), -EINVAL);
	assert_non_null(strstr(err_msg(), "unknown profile format 'yaml'"));
}

static void test_deny_errno(void **state)
{
	(void)state;
	assert_int_equal(profile_deny_errno(SYS_ARCH_X86_64, syscall_number(SYS_ARCH_X86_64, "clone3")),
			 ENOSYS);
	assert_int_equal(profile_deny_errno(SYS_ARCH_X86_64,
					    syscall_number(SYS_ARCH_X86_64, "faccessat2")),
			 ENOSYS);
	assert_int_equal(profile_deny_errno(SYS_ARCH_X86_64, syscall_number(SYS_ARCH_X86_64, "ptrace")),
			 EPERM);
	assert_int_equal(profile_deny_errno(SYS_ARCH_X86_64, syscall_number(SYS_ARCH_X86_64, "mount")),
			 EPERM);
}

/* The Docker JSON: exact layout, deterministic bytes, clone3 gets ENOSYS. */
static void test_docker_layout(void **state)
{
	struct profile p;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	json_t *doc, *rules, *r0, *r1;
	const char *expect_head = "{\n"
				  "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				  "  \"defaultErrnoRet\": 1,\n"
				  "  \"architectures\": [\n"
				  "    \"SCMP_ARCH_X86_64\"\n"
				  "  ],\n"
				  "  \"syscalls\": [\n"
				  "    {\n"
				  "      \"names\": [\n"
				  "        \"exit_group\",\n"
				  "        \"futex\",\n"
				  "        \"openat\",\n"
				  "        \"read\",\n"
				  "        \"write\"\n"
				  "      ],\n"
				  "      \"action\": \"SCMP_ACT_ALLOW\"\n"
				  "    },\n";

	(void)state;
	make_small(&p);
	assert_int_equal(profile_render(&p, PROFILE_DOCKER, &a), 0);
	assert_int_equal(profile_render(&p, PROFILE_DOCKER, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	assert_int_equal(strncmp(a.buf, expect_head, strlen(expect_head)), 0);
	assert_int_equal(a.buf[a.len - 1], '\n');

	doc = json_loads(a.buf, 0, NULL);
	assert_non_null(doc);
	rules = json_object_get(doc, "syscalls");
	assert_int_equal(json_array_size(rules), 2);
	r0 = json_array_get(rules, 0);
	r1 = json_array_get(rules, 1);
	assert_int_equal(json_array_size(json_object_get(r0, "names")), 5);
	assert_string_equal(json_string_value(json_object_get(r1, "action")), "SCMP_ACT_ERRNO");
	assert_int_equal(json_integer_value(json_object_get(r1, "errnoRet")), 38);
	{
		json_t *names = json_object_get(r1, "names"), *v;
		size_t i;
		bool clone3 = false, ptrace = false;
		const char *prev = "";

		json_array_foreach(names, i, v) {
			const char *s = json_string_value(v);

			assert_true(strcmp(prev, s) < 0);
			prev = s;
			clone3 |= !strcmp(s, "clone3");
			ptrace |= !strcmp(s, "ptrace");
		}
		assert_true(clone3);
		assert_false(ptrace);
	}
	json_decref(doc);

	/* Allowing clone3 removes it from the ENOSYS rule. */
	strbuf_reset(&a);
	assert_int_equal(profile_allow_name(&p, "clone3"), 0);
	assert_int_equal(profile_render(&p, PROFILE_DOCKER, &a), 0);
	doc = json_loads(a.buf, 0, NULL);
	r1 = json_array_get(json_object_get(doc, "syscalls"), 1);
	{
		json_t *v;
		size_t i;

		json_array_foreach(json_object_get(r1, "names"), i, v)
			assert_string_not_equal(json_string_value(v), "clone3");
	}
	json_decref(doc);
	strbuf_release(&a);
	strbuf_release(&b);
	profile_release(&p);
}

static void roundtrip(enum profile_format fmt, enum profile_kind want_kind)
{
	struct profile p, q;
	struct strbuf sb = STRBUF_INIT;
	enum profile_kind kind;

	make_small(&p);
	assert_int_equal(profile_render(&p, fmt, &sb), 0);
	profile_init(&q, SYS_ARCH_X86_64);
	assert_int_equal(profile_read_buf(sb.buf, sb.len, "mem", &q, &kind), 0);
	assert_int_equal(kind, want_kind);
	assert_memory_equal(&p.allow, &q.allow, sizeof(p.allow));
	assert_int_equal(q.unknown_nr, 0);
	strbuf_release(&sb);
	profile_release(&p);
	profile_release(&q);
}

static void test_roundtrip(void **state)
{
	(void)state;
	roundtrip(PROFILE_DOCKER, PROFILE_KIND_ALLOWLIST);
	roundtrip(PROFILE_CONFINE_DENY, PROFILE_KIND_DENYLIST);
}

static void test_blocked_count(void **state)
{
	struct profile p;
	size_t n;

	(void)state;
	make_small(&p);
	syscall_table(SYS_ARCH_X86_64, &n);
	assert_int_equal(profile_blocked_count(&p), n - ARRAY_SIZE(small_allow));
	profile_release(&p);
}

static void test_k8s(void **state)
{
	struct profile p;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	make_small(&p);
	assert_int_equal(profile_render(&p, PROFILE_K8S, &sb), 0);
	assert_non_null(strstr(sb.buf, "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
				       "kind: SeccompProfile\n"
				       "metadata:\n"
				       "  name: confine-confine-test-nginx-latest\n"
				       "spec:\n"
				       "  defaultAction: SCMP_ACT_ERRNO\n"
				       "  architectures:\n"
				       "  - SCMP_ARCH_X86_64\n"
				       "  syscalls:\n"
				       "  - action: SCMP_ACT_ALLOW\n"
				       "    names:\n"
				       "    - exit_group\n"
				       "    - futex\n"));
	assert_non_null(strstr(sb.buf, "  - action: SCMP_ACT_ERRNO\n    errnoRet: 38\n    names:\n"));
	strbuf_release(&sb);
	profile_release(&p);
}

static void test_read_layouts(void **state)
{
	static const char older[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		"\"SCMP_ARCH_X86\"],\"syscalls\":[{\"name\":\"ptrace\",\"action\":\"SCMP_ACT_ERRNO\","
		"\"args\":[]},{\"name\":\"mount\",\"action\":\"SCMP_ACT_ERRNO\",\"args\":[]}]}";
	static const char confine_default[] = "{\"default\": [\"ptrace\", \"mount\", \"move_apges\"]}";
	static const char docker_caps[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"syscalls\":["
		"{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"s390_pci_mmio_read\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"s390x\"]}},"
		"{\"names\":[\"no_such_call\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	struct profile p;
	enum profile_kind kind;
	int nr_ptrace = syscall_number(SYS_ARCH_X86_64, "ptrace");
	int nr_mount = syscall_number(SYS_ARCH_X86_64, "mount");

	(void)state;
	profile_init(&p, SYS_ARCH_X86_64);
	assert_int_equal(profile_read_buf(older, strlen(older), "older", &p, &kind), 0);
	assert_int_equal(kind, PROFILE_KIND_DENYLIST);
	assert_false(sysset_has(&p.allow, nr_ptrace));
	assert_false(sysset_has(&p.allow, nr_mount));
	assert_true(sysset_has(&p.allow, syscall_number(SYS_ARCH_X86_64, "read")));
	profile_release(&p);

	profile_init(&p, SYS_ARCH_X86_64);
	assert_int_equal(profile_read_buf(confine_default, strlen(confine_default), "def", &p, &kind), 0);
	assert_int_equal(kind, PROFILE_KIND_CONFINE_DEFAULT);
	assert_false(sysset_has(&p.allow, nr_ptrace));
	assert_true(sysset_has(&p.allow, syscall_number(SYS_ARCH_X86_64, "read")));
	assert_int_equal(p.unknown_nr, 1);
	assert_string_equal(p.unknown[0], "move_apges");
	profile_release(&p);

	profile_init(&p, SYS_ARCH_X86_64);
	assert_int_equal(profile_read_buf(docker_caps, strlen(docker_caps), "caps", &p, &kind), 0);
	assert_int_equal(kind, PROFILE_KIND_ALLOWLIST);
	assert_true(sysset_has(&p.allow, syscall_number(SYS_ARCH_X86_64, "read")));
	assert_true(sysset_has(&p.allow, syscall_number(SYS_ARCH_X86_64, "personality")));
	assert_false(sysset_has(&p.allow, nr_mount));
	assert_int_equal(sysset_count(&p.allow), 3);
	assert_int_equal(p.unknown_nr, 1);
	profile_release(&p);
}

static void test_read_errors(void **state)
{
	static const struct {
		const char *doc;
		const char *msg;
	} cases[] = {
		{ "{", "bad.json: invalid JSON" },
		{ "[]", "bad.json: a profile must be a JSON object" },
		{ "{\"syscalls\":[]}", "missing \"defaultAction\"" },
		{ "{\"defaultAction\":\"SCMP_ACT_MAYBE\"}", "unknown defaultAction 'SCMP_ACT_MAYBE'" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}", "\"syscalls\" must be an array" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]}]}",
		  "syscalls[0]: missing \"action\"" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"}]}",
		  "syscalls[0]: \"names\" must be an array" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[1],\"action\":\"SCMP_ACT_ALLOW\"}]}",
		  "names must be strings" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]}",
		  "neither \"names\" nor \"name\"" },
		{ "{\"default\": \"ptrace\"}", "\"default\" must be an array" },
		{ "{\"default\": [3]}", "\"default\"[0] is not a syscall name" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultAction\":\"SCMP_ACT_ALLOW\"}",
		  "invalid JSON" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct profile p;

		profile_init(&p, SYS_ARCH_X86_64);
		assert_int_equal(profile_read_buf(cases[i].doc, strlen(cases[i].doc), "bad.json", &p,
						  NULL),
				 -EINVAL);
		if (!strstr(err_msg(), cases[i].msg))
			fail_msg("case %zu: message '%s' lacks '%s'", i, err_msg(), cases[i].msg);
		profile_release(&p);
	}
}

static void test_write_atomic(void **state)
{
	char dir[] = "/tmp/confine-test-profile.XXXXXX";
	struct profile p, q;
	char *path;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = fs_join(dir, "p.json");
	make_small(&p);
	assert_int_equal(profile_write(&p, PROFILE_DOCKER, path), 0);
	profile_init(&q, SYS_ARCH_X86_64);
	assert_int_equal(profile_read_file(path, &q, NULL), 0);
	assert_memory_equal(&p.allow, &q.allow, sizeof(p.allow));
	free(path);
	path = fs_join(dir, "missing/p.json");
	assert_true(profile_write(&p, PROFILE_DOCKER, path) < 0);
	free(path);
	path = fs_join(dir, "nope.json");
	assert_int_equal(profile_read_file(path, &q, NULL), -ENOENT);
	assert_non_null(strstr(err_msg(), "nope.json"));
	free(path);
	profile_release(&p);
	profile_release(&q);
	fs_remove_tree(dir);
}

/*
 * The BPF program loads into the kernel: in a child, everything but
 * getppid is allowed; getppid answers EPERM, a newer call (clone3-class)
 * would answer ENOSYS.
 */
static void test_bpf_loads(void **state)
{
	struct profile p;
	struct strbuf sb = STRBUF_INIT;
	const struct syscall_info *tab;
	size_t n, i;
	pid_t pid;
	int status;

	(void)state;
	profile_init(&p, SYS_ARCH_X86_64);
	tab = syscall_table(SYS_ARCH_X86_64, &n);
	for (i = 0; i < n; i++)
		if (strcmp(tab[i].name, "getppid") && strcmp(tab[i].name, "membarrier"))
			sysset_add(&p.allow, tab[i].nr);
	assert_int_equal(profile_render(&p, PROFILE_BPF, &sb), 0);
	assert_true(sb.len > 0);
	assert_int_equal(sb.len % sizeof(struct sock_filter), 0);
	{
		struct strbuf again = STRBUF_INIT;

		assert_int_equal(profile_render(&p, PROFILE_BPF, &again), 0);
		assert_int_equal(again.len, sb.len);
		assert_memory_equal(again.buf, sb.buf, sb.len);
		strbuf_release(&again);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_fprog prog = { (unsigned short)(sb.len / sizeof(struct sock_filter)),
					   (struct sock_filter *)sb.buf };
		long r;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(10);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(11);
		r = syscall(SYS_getppid);
		if (r != -1 || errno != EPERM)
			_exit(12);
		r = syscall(SYS_membarrier, 0, 0, 0);
		if (r != -1 || errno != ENOSYS)
			_exit(13);
		if (syscall(SYS_getpid) <= 0)
			_exit(14);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	strbuf_release(&sb);
	profile_release(&p);
}

/* getpid through the i386 ABI, from 64-bit code. */
static long int80_getpid(void)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory", "rcx", "r11");
	return r;
}

/*
 * Whether the kernel runs int 0x80 from 64-bit code: tried in a child, as a
 * kernel without IA-32 emulation may return ENOSYS or kill the caller
 * (SIGSEGV, seen on a PVM guest).
 */
static bool int80_works(void)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		/* Die of the signal, not in cmocka's handler (which would run the other tests here). */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		_exit(int80_getpid() == getpid() ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Run int80_getpid under the profile's BPF in a child: its wait status. */
static int int80_under(const struct profile *p)
{
	struct strbuf sb = STRBUF_INIT;
	pid_t pid;
	int status;

	assert_int_equal(profile_render(p, PROFILE_BPF, &sb), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_fprog prog = { (unsigned short)(sb.len / sizeof(struct sock_filter)),
					   (struct sock_filter *)sb.buf };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(10);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(11);
		_exit(int80_getpid() == getpid() ? 0 : 12);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	strbuf_release(&sb);
	return status;
}

/*
 * A profile admitting i386 (32-bit code, int 0x80) lists SCMP_ARCH_X86 in
 * every format, names the i386 calls x86_64 lacks, reads back with them
 * known, and lets an int 0x80 call through; without it the kernel kills
 * the caller even when the call's name is allowed.
 */
static void test_abis(void **state)
{
	struct profile p, back;
	struct strbuf sb = STRBUF_INIT;
	json_t *doc, *names;
	size_t n;
	int status;

	(void)state;
	make_small(&p);
	assert_int_equal(profile_allow_name(&p, "getpid"), 0);
	if (!int80_works()) {
		profile_release(&p);
		skip(); /* a kernel without IA-32 emulation */
	}
	status = int80_under(&p);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);

	assert_int_equal(profile_allow_abis(&p, PROFILE_ABI_I386), 0);
	assert_int_equal(p.abis, PROFILE_ABI_I386);
	(void)syscall_table(SYS_ARCH_X86_64, &n);
	assert_int_equal(sysset_count(&p.allow), n);
	status = int80_under(&p);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	assert_int_equal(profile_render(&p, PROFILE_DOCKER, &sb), 0);
	doc = json_loads(sb.buf, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "architectures"), 0)),
			    "SCMP_ARCH_X86_64");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "architectures"), 1)),
			    "SCMP_ARCH_X86");
	names = json_object_get(json_array_get(json_object_get(doc, "syscalls"), 0), "names");
	{
		bool mmap2 = false, socketcall = false, sorted = true;

		for (size_t i = 0; i < json_array_size(names); i++) {
			const char *nm = json_string_value(json_array_get(names, i));

			mmap2 |= !strcmp(nm, "mmap2");
			socketcall |= !strcmp(nm, "socketcall");
			if (i && strcmp(json_string_value(json_array_get(names, i - 1)), nm) >= 0)
				sorted = false;
		}
		assert_true(mmap2 && socketcall && sorted);
		assert_true(json_array_size(names) > n);
	}
	json_decref(doc);
	profile_init(&back, SYS_ARCH_X86_64);
	assert_int_equal(profile_read_buf(sb.buf, sb.len, "abis.json", &back, NULL), 0);
	assert_int_equal(back.abis, PROFILE_ABI_I386);
	assert_int_equal(back.unknown_nr, 0);
	assert_int_equal(sysset_count(&back.allow), n);
	profile_release(&back);
	strbuf_reset(&sb);
	assert_int_equal(profile_render(&p, PROFILE_K8S, &sb), 0);
	assert_non_null(strstr(sb.buf, "  - SCMP_ARCH_X86_64\n  - SCMP_ARCH_X86\n"));
	assert_non_null(strstr(sb.buf, "    - mmap2\n"));
	strbuf_reset(&sb);
	assert_int_equal(profile_render(&p, PROFILE_CONFINE_DENY, &sb), 0);
	assert_non_null(strstr(sb.buf, "\"SCMP_ARCH_X86\""));
	strbuf_release(&sb);
	profile_release(&p);

	profile_init(&p, SYS_ARCH_AARCH64);
	assert_int_equal(profile_allow_abis(&p, PROFILE_ABI_I386), -EINVAL);
	assert_int_equal(p.abis, 0);
	profile_release(&p);
}

static void ignore_warning(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

static void test_check_names(void **state)
{
	struct profile p;

	(void)state;
	make_small(&p);
	warn_drain(ignore_warning, NULL);
	assert_int_equal(profile_check_names(&p), 0);
	profile_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_deny_errno),
		cmocka_unit_test(test_docker_layout),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_blocked_count),
		cmocka_unit_test(test_k8s),
		cmocka_unit_test(test_read_layouts),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_bpf_loads),
		cmocka_unit_test(test_check_names),
		cmocka_unit_test(test_abis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
