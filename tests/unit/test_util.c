#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_cap),   cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_error_wrap),   cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_write_atomic), cmocka_unit_test(test_size_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
