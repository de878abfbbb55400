#!/bin/bash
# MySQL and MariaDB: the server loads the plugins INSTALL PLUGIN,
# plugin-load and the accounts' authentication methods name from its
# plugin folder, and the client library the authentication plugin a server
# asks for from its own.  So a process with an object exporting
# opt_plugin_dir (mariadbd, mysqld) or mysql_load_plugin (libmariadb,
# libmysqlclient, a client with it built in) gets every .so of the plugin
# folder that object names in its read-only data (else the packages'
# folders); a client library also MARIADB_PLUGIN_DIR's and
# LIBMYSQL_PLUGIN_DIR's.  Checked on Debian's MariaDB, on fakes in both
# loaders, and for real: Debian's server, with auth_pam_v1 loaded and an
# account that logs in through PAM, under strace; every call it makes must
# be in its set.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
need_root
st_init
command -v gcc >/dev/null || skip "no gcc"
MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
[ -x "$MARIADBD" ] || fail "no mariadbd (scripts/setup.sh installs mariadb-server)"
PLUGINDIR=$(strings -a "$MARIADBD" | grep -x '/.*/plugin' | sed -n 1p)
[ -n "$PLUGINDIR" ] && [ -d "$PLUGINDIR" ] || fail "mariadbd names no plugin folder that exists ('$PLUGINDIR')"

# ---- Debian's MariaDB: the server's plugins, the client's own ----
"$CONFINE" analyze --quiet --json "$MARIADBD" "$(command -v mariadb)" >"$T/host.json" || fail "analyze failed"
jq -e --arg d "$PLUGINDIR/" '.programs[0] | [.objects, .object_reasons] | transpose |
	any(.[0] == ($d + "auth_pam_v1.so") and .[1] == "mysql")' "$T/host.json" >/dev/null ||
	fail "auth_pam_v1.so is not a plugin of mariadbd: $(jq -c '.programs[0].objects' "$T/host.json")"
json_has "$T/host.json" capset || fail "mariadbd: capset (auth_pam_v1's PAM modules) missing"
jq -e --arg d "$PLUGINDIR/" '.programs[1].objects | all(startswith($d) | not)' "$T/host.json" >/dev/null ||
	fail "the mariadb client gets the server's plugins: $(jq -c '.programs[1].objects' "$T/host.json")"

# ---- fakes: a server naming its folder, one naming none, a client library ----
R=$T/root
root_add_libc "$R"
mkdir -p "$R/usr/sbin" "$R/usr/bin" "$R/opt/my/plugin" "$R/usr/lib64/mysql/plugin" "$R/usr/lib/x86_64-linux-gnu/cli/plugin" "$R/srv/cp" \
	"$R/opt/my/plugin/sub"
cat >"$T/server.c" <<'C'
char opt_plugin_dir[512];
static const char *const plugindir = "/opt/my/plugin";
int main(int argc, char **argv) { (void)argv; return opt_plugin_dir[0] + plugindir[argc]; }
C
gcc -O2 -rdynamic -o "$R/usr/sbin/mysqld" "$T/server.c" || fail "cannot build mysqld"
strings -a "$R/usr/sbin/mysqld" | grep -qx /opt/my/plugin || fail "the compiler did not keep mysqld's plugin folder string"
fake_exporter "$R/usr/sbin/mysqld-nodir" opt_plugin_dir
syscall_lib "$R/opt/my/plugin/p.so" swapoff
syscall_lib "$R/opt/my/plugin/sub/deep.so" vhangup                # the folder's own files only
syscall_lib "$R/usr/lib64/mysql/plugin/d.so" acct                   # a packages' folder
cat >"$T/cli.c" <<'C'
static const char *const plugindir = "/usr/lib/x86_64-linux-gnu/cli/plugin";
void *mysql_load_plugin(void *m, const char *name, int type, int argc) { (void)m; (void)name; (void)type; return (void *)plugindir + argc; }
C
gcc -O2 -shared -fPIC -Wl,-soname,libmariadb.so.3 -o "$R/usr/lib/x86_64-linux-gnu/libmariadb.so.3" "$T/cli.c" ||
	fail "cannot build the client library"
printf 'void *mysql_load_plugin(void *, const char *, int, int);\nint main(void) { return mysql_load_plugin(0, "x", 0, 0) == 0; }\n' >"$T/client.c"
gcc -O2 -o "$R/usr/bin/client" "$T/client.c" "$R/usr/lib/x86_64-linux-gnu/libmariadb.so.3" || fail "cannot build client"
syscall_lib "$R/usr/lib/x86_64-linux-gnu/cli/plugin/c.so" mincore
syscall_lib "$R/srv/cp/e.so" personality
fake_plain "$R/usr/bin/plain"

"$CONFINE" analyze --quiet --json --root "$R" /usr/sbin/mysqld /usr/sbin/mysqld-nodir /usr/bin/client /usr/bin/plain \
	>"$T/files.json" || fail "analyze --root failed"
jq -e '.programs[0].syscalls | index("swapoff") != null and index("acct") == null and index("vhangup") == null' \
	"$T/files.json" >/dev/null || fail "mysqld: not its own folder's plugins alone: $(jq -c '.programs[0].objects' "$T/files.json")"
jq -e '.programs[1].syscalls | index("acct") != null' "$T/files.json" >/dev/null ||
	fail "a server naming no folder: the packages' folders not read: $(jq -c '.programs[1].objects' "$T/files.json")"
jq -e '.programs[2].syscalls | index("mincore") != null and index("swapoff") == null' "$T/files.json" >/dev/null ||
	fail "client: not its library's folder alone: $(jq -c '.programs[2].objects' "$T/files.json")"
jq -e '.programs[3].objects | length == 3' "$T/files.json" >/dev/null ||
	fail "plain: plugins loaded into a program that is neither: $(jq -c '.programs[3].objects' "$T/files.json")"
"$CONFINE" explain --quiet --program /usr/sbin/mysqld "dir:$R" swapoff >"$T/e.txt" 2>&1 || fail "explain failed: $(cat "$T/e.txt")"
grep -q 'a MySQL or MariaDB plugin' "$T/e.txt" || fail "image mode: swapoff not explained through the plugin: $(cat "$T/e.txt")"
"$CONFINE" explain --quiet --program /usr/bin/client --options "-e MARIADB_PLUGIN_DIR=/srv/cp" "dir:$R" personality \
	>"$T/e.txt" 2>&1 || fail "explain failed: $(cat "$T/e.txt")"
grep -q 'a MySQL or MariaDB plugin' "$T/e.txt" || fail "MARIADB_PLUGIN_DIR's plugin not loaded: $(cat "$T/e.txt")"

# ---- the real server: auth_pam_v1 loaded, a log-in through PAM ----
W=$T/my
mkdir -p "$W"
mariadb-install-db --no-defaults --datadir="$W/data" --user=root --auth-root-authentication-method=normal \
	>"$W/install.log" 2>&1 || fail "mariadb-install-db failed: $(tail -5 "$W/install.log")"
st_bg mariadbd "$MARIADBD" --no-defaults --datadir="$W/data" --socket="$W/s.sock" --skip-networking --user=root \
	--pid-file="$W/pid" --plugin-load-add=auth_pam_v1
srv=$ST_BG_PID
for ((i = 0; i < 200; i++)); do [ -S "$W/s.sock" ] && break; sleep 0.1; done
[ -S "$W/s.sock" ] || fail "mariadbd did not start: $(tail -5 "$ST/traces/mariadbd.err")"
mariadb --no-defaults -S "$W/s.sock" -u root \
	-e "CREATE USER pamu@localhost IDENTIFIED VIA pam USING 'other'; SELECT plugin_status FROM information_schema.plugins WHERE plugin_name = 'pam'" \
	>"$W/q.out" 2>&1 || fail "the client failed: $(cat "$W/q.out")"
grep -qx ACTIVE "$W/q.out" || fail "auth_pam_v1 is not active: $(cat "$W/q.out")"
mariadb --no-defaults -S "$W/s.sock" -u pamu -pwrong -e "SELECT 1" >"$W/login.out" 2>&1 &&
	fail "pamu logged in with a wrong password"
mariadb --no-defaults -S "$W/s.sock" -u root -e "SHUTDOWN" || fail "shutdown failed"
st_bg_wait "$srv" mariadbd 30
grep -q 'pam.d' "$ST/traces/mariadbd.trace" || fail "the server did not run PAM"
st_check
pass
