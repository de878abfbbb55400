#!/bin/bash
# PostgreSQL: the server loads shared objects from its $libdir by names
# SQL and configuration give (CREATE EXTENSION, LOAD, procedural
# languages, shared_preload_libraries, JIT's llvmjit.so, a standby's
# libpqwalreceiver.so), and finds $libdir relative to its own file.  So a
# process with an object exporting PostmasterMain gets every .so of
# PREFIX/lib when that path names postgres or pgsql, else of
# PREFIX/lib/postgresql (and their plugins/).  Checked on fake servers of
# the three layouts in both loaders, on Debian's postgres (its languages,
# JIT and dblink are objects; dblink's libpq adds rt_sigpending and
# rt_sigtimedwait, llvmjit mknodat), and for real: initdb, a server, SQL
# with PL/pgSQL, dblink, postgres_fdw and JIT, and a fast shutdown, all
# under strace, with 0 misses.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
need_root
st_init
command -v gcc >/dev/null || skip "no gcc"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/postgres" ] || fail "no PostgreSQL server (scripts/setup.sh installs postgresql)"
id postgres >/dev/null 2>&1 || fail "no postgres user (the postgresql package makes it)"

# ---- fake servers of the three layouts ----
R=$T/root
root_add_libc "$R"
for b in /usr/lib/postgresql/99/bin /usr/local/pgsql/bin /opt/pg/bin; do
	fake_exporter "$R$b/postgres" PostmasterMain
done
fake_plain "$R/opt/pg/bin/plain"
mkdir -p "$R/usr/lib/postgresql/99/lib/plugins" "$R/usr/local/pgsql/lib" "$R/opt/pg/lib/postgresql" \
	"$R/usr/lib/postgresql/99/lib/pgxs/deep/er"
syscall_lib "$R/usr/lib/postgresql/99/lib/plpgsql.so" swapoff               # Debian: PREFIX/lib
syscall_lib "$R/usr/lib/postgresql/99/lib/plugins/auto_explain.so" acct    # and plugins/
syscall_lib "$R/usr/lib/postgresql/99/lib/pgxs/deep/er/x.so" iopl          # not deeper
syscall_lib "$R/usr/local/pgsql/lib/dblink.so" vhangup                     # "pgsql" in the path
syscall_lib "$R/opt/pg/lib/postgresql/llvmjit.so" mincore                  # upstream: PREFIX/lib/postgresql
syscall_lib "$R/opt/pg/lib/libother.so" personality                       # not $libdir there
want=("/usr/lib/postgresql/99/bin/postgres swapoff acct" "/usr/local/pgsql/bin/postgres vhangup"
	"/opt/pg/bin/postgres mincore")
"$CONFINE" analyze --quiet --json --root "$R" /usr/lib/postgresql/99/bin/postgres /usr/local/pgsql/bin/postgres \
	/opt/pg/bin/postgres /opt/pg/bin/plain >"$T/files.json" || fail "analyze --root failed"
for i in 0 1 2; do
	read -r prog calls <<<"${want[$i]}"
	for s in $calls; do
		jq -e --argjson i "$i" --arg s "$s" '.programs[$i].syscalls | index($s) != null' "$T/files.json" >/dev/null ||
			fail "files mode: $prog lacks $s: $(jq -c --argjson i "$i" '.programs[$i].objects' "$T/files.json")"
		"$CONFINE" explain --quiet --program "$prog" "dir:$R" "$s" >"$T/e.txt" 2>&1 ||
			fail "image mode: explain $s failed: $(cat "$T/e.txt")"
		grep -q 'a PostgreSQL module' "$T/e.txt" || fail "image mode: $prog's $s not explained: $(cat "$T/e.txt")"
	done
done
jq -e '[.programs[].syscalls[]] | (index("iopl") == null and index("personality") == null)' "$T/files.json" \
	>/dev/null || fail "files mode: a .so outside \$libdir counted"
jq -e '.programs[3].objects | length == 3' "$T/files.json" >/dev/null ||
	fail "plain: modules loaded into a program that is not postgres: $(jq -c '.programs[3].objects' "$T/files.json")"

# ---- Debian's postgres: its $libdir modules are objects ----
"$CONFINE" analyze --quiet --json "$PGBIN/postgres" >"$T/pg.json" || fail "analyze postgres failed"
for m in plpgsql.so llvmjit.so dblink.so; do
	jq -e --arg m "/$m" '.programs[0] | [.objects, .object_reasons] | transpose | any((.[0] | endswith($m)) and .[1] == "postgres")' \
		"$T/pg.json" >/dev/null || fail "postgres: $m is not a postgres module of it"
done
for s in rt_sigpending rt_sigtimedwait mknodat; do
	json_has "$T/pg.json" "$s" || fail "postgres: $s (of its modules) missing"
done

# ---- a real server under strace ----
W=$T/pg
chmod 755 "$T" # the server runs as postgres
mkdir -p "$W/sock"
chown -R postgres: "$W"
PORT=$(free_port)
SQL="CREATE FUNCTION twice(i int) RETURNS int LANGUAGE plpgsql AS \$\$ BEGIN RETURN 2 * i; END \$\$;
SELECT twice(21);
CREATE EXTENSION dblink;
SELECT * FROM dblink('host=$W/sock port=$PORT dbname=postgres user=postgres', 'SELECT 42') AS t(x int);
CREATE EXTENSION postgres_fdw;
SET jit = on; SET jit_above_cost = 0;
SELECT sum(x) FROM generate_series(1, 100000) AS x;"
st_run pg-initdb runuser -u postgres -- "$PGBIN/initdb" -D "$W/data" -A trust -U postgres --no-sync
st_bg pg-server runuser -u postgres -- "$PGBIN/postgres" -D "$W/data" -k "$W/sock" -p "$PORT" \
	-c listen_addresses=127.0.0.1 -c fsync=off
pg_pid=$ST_BG_PID
st_wait_port "$PORT"
st_run pg-sql runuser -u postgres -- "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -d postgres -v ON_ERROR_STOP=1 -c "$SQL"
grep -q 5000050000 "$ST/traces/pg-sql.out" || fail "the SQL workload did not run: $(cat "$ST/traces/pg-sql.out")"
st_run pg-stop runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/data" stop -m fast
st_bg_wait "$pg_pid" postgres
st_check
pass
