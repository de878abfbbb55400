#!/usr/bin/env bash
# R's library() loads a package's shared library from PKG/libs of the
# library folder it finds the package in: R_HOME's library and
# site-library, /usr/local/lib/R/site-library, and R_LIBS, R_LIBS_SITE
# and R_LIBS_USER's folders.  A process with libR (it exports
# Rf_initialize_R) gets every package's library of those folders, in both
# loaders; R_LIBS's only with the variable; a program without libR none.
# Then the real R runs an httpuv server, a processx child and ps calls
# under strace: no miss (the build before missed socketpair and accept4,
# made by httpuv's libuv and processx).
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"

R=$T/root
root_add_libc "$R"
fake_lib_user "$R/usr/lib/x86_64-linux-gnu/libR.so" libR.so Rf_initialize_R "$R/usr/lib/R/bin/exec/R"
mkdir -p "$R/usr/lib/R/library/pkg/libs" "$R/usr/local/lib/R/site-library/pk2/libs" "$R/opt/rlib/p3/libs"
syscall_lib "$R/usr/lib/R/library/pkg/libs/pkg.so" vhangup
syscall_lib "$R/usr/local/lib/R/site-library/pk2/libs/pk2.so" mincore
syscall_lib "$R/opt/rlib/p3/libs/p3.so" getpgrp
rule_loads "$R" /usr/lib/R/bin/exec/R vhangup "an R package's shared library"
"$CONFINE" analyze --quiet --json --root "$R" /usr/lib/R/bin/exec/R >"$T/a.json" || fail "analyze failed"
json_has "$T/a.json" mincore || fail "/usr/local/lib/R/site-library's package not loaded"
json_has "$T/a.json" getpgrp && fail "R_LIBS's package counted without the variable"
"$CONFINE" analyze --quiet --json --root "$R" -e R_LIBS=/srv/none:/opt/rlib /usr/lib/R/bin/exec/R >"$T/a.json" ||
	fail "analyze -e failed"
json_has "$T/a.json" getpgrp || fail "R_LIBS's package not loaded"
fake_plain "$R/usr/bin/plain"
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/plain >"$T/a.json" || fail "analyze plain failed"
json_has "$T/a.json" vhangup && fail "a program without libR got an R package"

# Rscript execs "%s/bin/R" under R_HOME, whose default it keeps in a char
# array of its writable data: a launcher built so (here /opt/rr) brings
# /opt/rr/bin/R into the program set; a folder it does not name does not.
printf '#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\nstatic char rhome[] = "/opt/rr";\nint main(int c, char **v) { char b[256]; const char *h = getenv("R_HOME"); snprintf(b, sizeof(b), "%%s/bin/R", h ? h : rhome); (void)c; execv(b, v); return 1; }\n' >"$T/rscript.c"
gcc -O2 -o "$R/usr/bin/Rscript" "$T/rscript.c" || fail "cannot build the launcher"
mkdir -p "$R/opt/rr/bin" "$R/opt/other/bin"
syscall_prog() { printf '#include <unistd.h>\n#include <sys/syscall.h>\nint main(void) { return syscall(SYS_%s) < 0; }\n' "$2" >"$T/sp.c"; gcc -O2 -o "$1" "$T/sp.c" || fail "cannot build $1"; }
syscall_prog "$R/opt/rr/bin/R" munlockall
syscall_prog "$R/opt/other/bin/R" vhangup
"$CONFINE" explain --quiet --json --options "--entrypoint /usr/bin/Rscript" "dir:$R" munlockall >"$T/e.json" ||
	fail "explain (launcher) failed"
jq -e '.programs[] | select(.program == "/opt/rr/bin/R")' "$T/e.json" >/dev/null ||
	fail "the launcher's %s/bin/R under /opt/rr is not in the set: $(jq -c '[.programs[].program]' "$T/e.json")"
"$CONFINE" explain --quiet --json --options "--entrypoint /usr/bin/Rscript" "dir:$R" vhangup >"$T/e.json" ||
	fail "explain (launcher, vhangup) failed"
jq -e '.programs[] | select(.program == "/opt/other/bin/R")' "$T/e.json" >/dev/null &&
	fail "/opt/other/bin/R, under a folder the launcher does not name, is in the set"

# ---- the real R with httpuv and processx ----
if [ -x /usr/lib/R/bin/exec/R ] && [ -d /usr/lib/R/site-library/httpuv ] && [ -d /usr/lib/R/site-library/processx ] &&
	command -v curl >/dev/null; then
	. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
	st_workdir
	PORT=$(free_port)
	cat >a.R <<RS
library(httpuv); library(processx)
s <- startServer("127.0.0.1", $PORT, list(call = function(req) list(status = 200L, headers = list("Content-Type" = "text/plain"), body = "ok")))
p <- process\$new("curl", c("-s", "http://127.0.0.1:$PORT/"), stdout = "|")
for (i in 1:100) { service(100); if (!p\$is_alive()) break }
print(p\$read_all_output()); stopServer(s)
print(run("true")\$status)
x <- rnorm(100); print(summary(lm(x ~ seq_along(x)))\$r.squared)
write.csv(data.frame(a = 1:3), "a.csv"); print(read.csv("a.csv"))
RS
	export R_HOME=/usr/lib/R
	st_run R /usr/lib/R/bin/exec/R --no-echo --no-restore --file=a.R
	st_check
	st_expect R /usr/lib/R/bin/exec/R accept4 socketpair
fi
pass
