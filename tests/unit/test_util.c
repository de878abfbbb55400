#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

static void test_strbuf_cap(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 8);
	assert_int_equal(strbuf_addstr(&sb, "abcd"), 0);
	assert_int_equal(strbuf_addf(&sb, "%d", 1234), 0);
	assert_string_equal(strbuf_str(&sb), "abcd1234");
	assert_int_equal(strbuf_addch(&sb, 'x'), -EFBIG);
	assert_int_equal(sb.len, 8);
	strbuf_release(&sb);
}

static void test_strmap(void **state)
{
	struct strmap m = STRMAP_INIT;
	char key[32];
	const char **keys;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%04d", i);
		assert_null(strmap_put(&m, key, (void *)(intptr_t)(i + 1)));
	}
	for (i = 0; i < 1000; i += 2) {
		snprintf(key, sizeof(key), "k%04d", i);
		assert_int_equal((intptr_t)strmap_remove(&m, key), i + 1);
	}
	assert_int_equal(m.nr, 500);
	assert_null(strmap_get(&m, "k0000"));
	assert_int_equal((intptr_t)strmap_get(&m, "k0001"), 2);
	keys = strmap_sorted_keys(&m);
	assert_string_equal(keys[0], "k0001");
	assert_string_equal(keys[499], "k0999");
	free(keys);
	strmap_release(&m, NULL);
}

static void test_error_wrap(void **state)
{
	int ret;

	(void)state;
	ret = err_set(ENOENT, "cannot open '%s'", "x");
	assert_int_equal(ret, -ENOENT);
	ret = err_wrap(ret, "cannot open image '%s'", "dir:/nope");
	assert_string_equal(err_msg(), "cannot open image 'dir:/nope': cannot open 'x'");
	assert_int_equal(err_code(), ENOENT);
	err_clear();
}

static void test_sha256(void **state)
{
	char hex[SHA256_HEX_LEN + 1];

	(void)state;
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_write_atomic(void **state)
{
	char dir[] = "/tmp/confine-util-XXXXXX";
	char *path, *data;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = fs_join(dir, "f.json");
	assert_int_equal(fs_write_atomic(path, "{}\n", 3, 0644), 0);
	assert_int_equal(fs_read_file(path, 100, &data, &len), 0);
	assert_int_equal(len, 3);
	assert_string_equal(data, "{}\n");
	free(data);
	assert_int_equal(fs_read_file(path, 2, &data, &len), -EFBIG);
	/* Exactly the cap is allowed (the buffer is sized from the file). */
	assert_int_equal(fs_read_file(path, 3, &data, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "{}\n", 4);
	free(data);
	/* Writing into a missing folder fails and leaves nothing behind. */
	free(path);
	path = fs_join(dir, "missing/f.json");
	assert_true(fs_write_atomic(path, "x", 1, 0644) < 0);
	assert_int_equal(fs_remove_tree(dir), 0);
	assert_false(fs_exists(dir));
	free(path);
}

static void test_size_helpers(void **state)
{
	size_t r;

	(void)state;
	assert_false(size_add(SIZE_MAX, 1, &r));
	assert_false(size_mul(SIZE_MAX / 2, 3, &r));
	assert_true(size_mul(3, 4, &r));
	assert_int_equal(r, 12);
	assert_true(range_ok(10, 5, 15));
	assert_false(range_ok(10, 6, 15));
	assert_false(range_ok(UINT64_MAX, 2, 15));
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#endif

static bool under_asan(void)
{
#ifdef UNDER_ASAN
	return true;
#else
	return false;
#endif
}

/* Map 'path' through the arena; its bytes must be the file's. */
static void *arena_map_path(struct fs_arena *a, const char *path, size_t *size, bool *in_arena)
{
	char *want;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	assert_true(fd >= 0);
	assert_int_equal(fs_read_file(path, 64 << 20, &want, &len), 0);
	p = fs_arena_map(a, fd, len, in_arena);
	close(fd);
	assert_non_null(p);
	assert_memory_equal(p, want, len);
	free(want);
	*size = len;
	return p;
}

static void test_arena(void **state)
{
	static const char *const files[] = { "/usr/bin/ls", "/usr/bin/cat", "/etc/passwd" };
	struct fs_arena a = { 0 };
	void *p[3];
	size_t size[3];
	bool in[3];
	pid_t pid;
	int status;

	(void)state;
	for (int i = 0; i < 3; i++) {
		p[i] = arena_map_path(&a, files[i], &size[i], &in[i]);
		assert_true(in[i]);
		assert_true((uint8_t *)p[i] >= a.base && (uint8_t *)p[i] + size[i] <= a.base + a.used);
	}
	/* Giving one back drops its pages; the others stay, and it reads from the file again. */
	fs_arena_unmap(&a, p[1], size[1], in[1]);
	assert_memory_equal(p[1], "\177ELF", 4);
	assert_memory_equal(p[0], "\177ELF", 4);
	fs_arena_release(&a);
	assert_null(a.base);
	assert_int_equal(a.used, 0);

	/* No reservation: each file maps on its own. */
	a.failed = true;
	p[0] = arena_map_path(&a, files[0], &size[0], &in[0]);
	assert_false(in[0]);
	fs_arena_unmap(&a, p[0], size[0], in[0]);
	fs_arena_release(&a);

	/*
	 * Under ulimit -v the arena takes a quarter of the limit; a file past it
	 * maps on its own.  (Not under ASan: its shadow memory alone is far
	 * past any such limit.)
	 */
	if (under_asan())
		return;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 1ull << 30, 1ull << 30 };
		struct fs_arena b = { 0 };
		char *ls, *big;
		size_t len;
		bool inb;
		int fd;
		void *q;

		if (setrlimit(RLIMIT_AS, &rl) != 0 || fs_read_file(files[0], 64 << 20, &ls, &len) != 0)
			_exit(2);
		fd = open(files[0], O_RDONLY | O_CLOEXEC);
		q = fs_arena_map(&b, fd, len, &inb);
		if (!q || !inb || b.size > (1ull << 28) || memcmp(q, ls, len) != 0)
			_exit(3);
		b.used = b.size - 4096; /* full */
		q = fs_arena_map(&b, fd, len, &inb);
		if (!q || inb || memcmp(q, ls, len) != 0)
			_exit(4);
		big = q;
		fs_arena_unmap(&b, big, len, inb);
		fs_arena_release(&b);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_cap),   cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_error_wrap),   cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_write_atomic), cmocka_unit_test(test_size_helpers),
		cmocka_unit_test(test_arena),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
