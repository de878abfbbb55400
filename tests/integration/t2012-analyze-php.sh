#!/bin/bash
# PHP: the interpreter loads the extensions its ini files name from its
# extension_dir, so a process with an object exporting php_module_startup
# gets every .so under PREFIX/lib/php (three levels: Debian's
# /usr/lib/php/API, the official images'
# /usr/local/lib/php/extensions/no-debug-non-zts-API) for its own prefix,
# /usr and /usr/local.  Debian's php runs a script using posix, sysvmsg,
# sysvsem and sysvshm (extensions Debian enables) under strace: the calls
# they make are nowhere else in php, and every call must be in its set.
# A fake php of the official images' layout is checked in both loaders,
# with ini files naming an extension_dir and extensions by path of their
# own (and PHP_INI_SCAN_DIR's, in an image).
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init
command -v gcc >/dev/null || skip "no gcc"
PHP=$(readlink -f "$(command -v php)") || fail "no php (scripts/setup.sh installs php-cli)"

# ---- a fake php of the official images' layout ----
R=$T/root
root_add_libc "$R"
E=$R/usr/local/lib/php/extensions/no-debug-non-zts-20220829
mkdir -p "$R/usr/local/bin" "$E" "$R/usr/local/lib/php/extensions/a/b/c" "$R/usr/local/lib/other"
fake_exporter "$R/usr/local/bin/php" php_module_startup
fake_plain "$R/usr/local/bin/plain"
syscall_lib "$E/sysvmsg.so" swapoff
syscall_lib "$E/opcache.so" acct
syscall_lib "$R/usr/local/lib/php/extensions/a/b/c/deep.so" iopl   # four levels down
syscall_lib "$R/usr/local/lib/other/x.so" personality              # not PHP's folder
"$CONFINE" analyze --quiet --json --root "$R" /usr/local/bin/php /usr/local/bin/plain >"$T/files.json" ||
	fail "analyze --root failed"
for s in swapoff acct; do
	rule_loads "$R" /usr/local/bin/php "$s" 'a PHP extension'
done
for s in iopl personality; do
	json_has "$T/files.json" "$s" && fail "files mode: $s counted (too deep, or not PHP's folder)"
done
jq -e '.programs[1].objects | length == 3' "$T/files.json" >/dev/null ||
	fail "plain: extensions loaded into a program that is not php: $(jq -c '.programs[1].objects' "$T/files.json")"

# ---- extensions the ini files name outside those folders ----
mkdir -p "$R/usr/local/etc/php/conf.d" "$R/opt/phpext" "$R/srv/z" "$R/etc/rc" "$R/srv/scan" "$R/srv/scanext"
printf '[PHP]\nextension_dir = "/opt/phpext" ; a folder of its own\nextension=redis\n' \
	>"$R/usr/local/etc/php/conf.d/docker-php-ext-redis.ini"
printf 'zend_extension=/srv/z/xdebug.so\n;zend_extension=/srv/z/off.so\n' >"$R/usr/local/etc/php/php.ini"
printf 'extension = /srv/scanext/s.so\n' >"$R/srv/scan/s.ini"
syscall_lib "$R/opt/phpext/redis.so" mincore
syscall_lib "$R/srv/z/xdebug.so" quotactl
syscall_lib "$R/srv/z/off.so" vhangup
syscall_lib "$R/srv/scanext/s.so" sethostname
for s in mincore quotactl; do
	rule_loads "$R" /usr/local/bin/php "$s" 'a PHP extension'
done
json_has "$T/rule.json" vhangup && fail "a commented-out zend_extension counted"
json_has "$T/rule.json" sethostname && fail "PHP_INI_SCAN_DIR's ini read without the variable"
"$CONFINE" explain --quiet --program /usr/local/bin/php --options "-e PHP_INI_SCAN_DIR=/srv/scan" "dir:$R" sethostname \
	>"$T/e.txt" 2>&1 || fail "explain with PHP_INI_SCAN_DIR failed: $(cat "$T/e.txt")"
grep -q 'a PHP extension' "$T/e.txt" || fail "PHP_INI_SCAN_DIR's extension not loaded: $(cat "$T/e.txt")"

# ---- Debian's php under strace ----
W=$T/w
mkdir -p "$W"
cat >"$W/ipc.php" <<'PHP'
<?php
$q = msg_get_queue(ftok(__FILE__, 'q'));
msg_send($q, 1, "hello");
msg_receive($q, 1, $type, 64, $msg);
msg_remove_queue($q);
$s = sem_get(ftok(__FILE__, 's'));
sem_acquire($s); sem_release($s); sem_remove($s);
$m = shm_attach(ftok(__FILE__, 'm'), 1024);
shm_put_var($m, 1, 42); $v = shm_get_var($m, 1); shm_remove($m);
echo posix_getppid() > 0 ? "ppid " : "", posix_getsid(0) !== false ? "sid " : "", count(posix_times()), " $msg $v\n";
PHP
st_run php-ipc "$PHP" "$W/ipc.php"
grep -qx 'ppid sid 5 hello 42' "$ST/traces/php-ipc.out" || fail "the script did not run: $(cat "$ST/traces/php-ipc.out")"
st_check
for c in msgsnd semtimedop shmctl getsid; do
	st_observed php-ipc "$c" || fail "php made no $c under strace (extension not enabled?)"
done
pass
