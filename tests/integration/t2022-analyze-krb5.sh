#!/bin/bash
# MIT libkrb5 loads plugins from its plugin folder: its built-in dynamic
# modules (tls/k5tls.so, preauth/spake.so ...) and every module of
# plugins/libkrb5.  A fake libkrb5 (exporting k5_plugin_register_dyn) gets
# the packages' folder, two levels down, and the folder compiled into it
# (a string ending in /krb5/plugins); the host's curl, through libgssapi,
# gets the host's real plugins.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"

R=$T/root
root_add_libc "$R"
fake_lib_user "$R/usr/lib/x86_64-linux-gnu/libkrb5.so.3" libkrb5.so.3 k5_plugin_register_dyn "$R/usr/bin/kinit"
mkdir -p "$R/usr/lib/x86_64-linux-gnu/krb5/plugins/preauth" "$R/opt/krb/lib/krb5/plugins/tls"
syscall_lib "$R/usr/lib/x86_64-linux-gnu/krb5/plugins/preauth/spake.so" vhangup
rule_loads "$R" /usr/bin/kinit vhangup 'a Kerberos plugin'
# a libkrb5 built for /opt/krb: its own folder, from the string compiled into it
printf 'const char *plugin_dir = "/opt/krb/lib/krb5/plugins";\nvoid *k5_plugin_register_dyn(void) { return (void *)plugin_dir; }\n' \
	>"$T/krb.c"
mkdir -p "$R/opt/krb/lib" "$R/opt/krb/bin"
gcc -O2 -shared -fPIC -Wl,-soname,libkrb5.so.3 -o "$R/opt/krb/lib/libkrb5.so.3" "$T/krb.c" || fail "cannot build the /opt libkrb5"
printf 'void *k5_plugin_register_dyn(void);\nint main(void) { return k5_plugin_register_dyn() != 0; }\n' >"$T/k.c"
gcc -O2 -o "$R/opt/krb/bin/kinit" "$T/k.c" "$R/opt/krb/lib/libkrb5.so.3" -Wl,-rpath,/opt/krb/lib || fail "cannot build kinit"
syscall_lib "$R/opt/krb/lib/krb5/plugins/tls/k5tls.so" mincore
rule_loads "$R" /opt/krb/bin/kinit mincore 'a Kerberos plugin'
fake_plain "$R/usr/bin/plain"
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/plain >"$T/a.json" || fail "analyze plain failed"
json_has "$T/a.json" vhangup && fail "a program without libkrb5 got a Kerberos plugin"

# ---- the host's curl (libcurl -> libgssapi_krb5 -> libkrb5) ----
if [ -x /usr/bin/curl ] && ls /usr/lib/x86_64-linux-gnu/krb5/plugins/*/*.so >/dev/null 2>&1 &&
	ldd /usr/bin/curl | grep -q libkrb5; then
	"$CONFINE" analyze --quiet --json /usr/bin/curl >"$T/c.json" || fail "analyze curl failed"
	for m in /usr/lib/x86_64-linux-gnu/krb5/plugins/*/*.so; do
		jq -e --arg m "$m" '.programs[0] as $p | [range(0; $p.objects | length) |
			select($p.objects[.] == $m and $p.object_reasons[.] == "krb5")] | length == 1' "$T/c.json" >/dev/null ||
			fail "curl: $m not loaded as a Kerberos plugin"
	done
fi
pass
