#!/bin/bash
# The programs Perl, Ruby, Node.js, PHP, Lua and R code runs
# (analysis/runcode.h): system, backquotes, pipe opens, Open3,
# child_process, proc_open, os.execute, io.popen, system2 execute names
# the code gives, which no object of the interpreter holds.  The real
# perl, ruby, node, php, lua and R run a script each in a chroot under
# strace; every program
# a script runs must be in the set (origin exec, the script named) and
# every call in its profile (the build before misses the tools' calls).
# Code that is not the interpreter's (a .js file naming no child_process,
# a Perl file under /usr that is neither on perl's path nor a program of
# the set) adds nothing; a docker-archive's layer keeps the .js file.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"
command -v python3 >/dev/null || skip "no python3 (docker_archive)"
for i in perl ruby node php lua5.3 Rscript; do command -v $i >/dev/null || fail "no $i (scripts/setup.sh installs it)"; done
R=$T/root
chroot_root "$R"
root_add_program "$R" "$(readlink -f /bin/sh)" /bin/sh
root_add_program "$R" "$(readlink -f /usr/bin/perl)" /usr/bin/perl
root_add_program "$R" "$(readlink -f /usr/bin/ruby)" /usr/bin/ruby
root_add_program "$R" "$(readlink -f /usr/bin/node)" /usr/bin/node
root_add_program "$R" "$(readlink -f /usr/bin/php)" /usr/bin/php
root_add_program "$R" "$(readlink -f /usr/bin/lua5.3)" /usr/bin/lua5.3
# Ruby's encodings and the library its startup requires.
for d in $(ruby -e 'puts RbConfig::CONFIG.values_at("rubylibdir", "rubyarchdir")'); do
	mkdir -p "$R$(dirname "$d")"
	cp -a "$d" "$R$(dirname "$d")/"
done
for l in "$R/usr/lib/x86_64-linux-gnu/ruby/"*/*.so "$R/usr/lib/x86_64-linux-gnu/ruby/"*/*/*.so; do
	for d in $(ldd "$l" 2>/dev/null | awk '$3 ~ /^\// { print $3 }'); do
		[ -e "$R$d" ] || { mkdir -p "$R$(dirname "$d")"; cp -L "$d" "$R$d"; }
	done
done
root_add_tool "$R" tool-a 'personality(0xffffffff)'
root_add_tool "$R" tool-b 'syncfs(fd)'
root_add_tool "$R" tool-c 'readahead(fd, 0, 4096)'
root_add_tool "$R" tool-d 'fremovexattr(fd, "user.x")'
root_add_tool "$R" tool-n 'syncfs(fd); personality(0xffffffff); readahead(fd, 0, 4096)'
mkdir -p "$R/app" "$R/usr/share/misc"
cat >"$R/app/app.pl" <<'PL'
#!/usr/bin/perl
# system('tool-n') in a comment runs nothing
system("tool-a", "x") == 0 or die "tool-a: $?";
my $out = `tool-b -q`;
open(my $fh, "-|", "tool-c", "-v") or die "tool-c: $!";
my @lines = <$fh>;
close($fh);
my $q = qx{tool-d 2>/dev/null};
print "done\n";
__END__
system("tool-n");
PL
cat >"$R/app/app.rb" <<'RB'
#!/usr/bin/ruby --disable-gems
=begin
system("tool-n")
=end
system({ "LC_ALL" => "C" }, "tool-a", "x") or abort "tool-a"
out = `tool-b -q`
IO.popen(["tool-c", "-v"]) { |io| io.read }
x = %x(tool-d > /dev/null)
puts "done"
RB
cat >"$R/app/app.js" <<'JS'
#!/usr/bin/node
const cp = require('child_process');
// cp.execSync('tool-n');
cp.execFileSync('tool-a', ['x']);
cp.execSync('tool-b -q > /dev/null');
const r = cp.spawnSync('tool-c', ['-v']);
cp.exec(`tool-d`, (err) => { if (err) throw err; console.log('done'); });
JS
cat >"$R/app/app.php" <<'PHP'
#!/usr/bin/php
<?php
// exec('tool-n');
exec('tool-a x', $out, $rc);
$o = shell_exec('tool-b -q');
$p = proc_open(['tool-c', '-v'], [1 => ['pipe', 'w']], $pipes);
stream_get_contents($pipes[1]);
fclose($pipes[1]);
proc_close($p);
$q = `tool-d 2>/dev/null`;
echo "done\n";
?>
<p>system('tool-n')</p>
PHP
# The Lua script runs its programs from a module in a folder of its own
# under /usr, which it names (as prosody does /usr/lib/prosody).
cat >"$R/app/app.lua" <<'LUA'
#!/usr/bin/env lua5.3
--[[ os.execute("tool-n") ]]
package.path = "/usr/lib/luaapp/?.lua;" .. package.path
require("runner").go()
print("done")
LUA
mkdir -p "$R/usr/lib/luaapp" "$R/usr/bin"
cp /usr/bin/env "$R/usr/bin/env"
cat >"$R/usr/lib/luaapp/runner.lua" <<'LUA'
local M = {}
local run = os.execute
function M.go()
	os.execute("tool-a x")
	local h = io.popen(os.getenv("NO_SUCH_VAR") or "tool-b -q")
	h:read("a")
	h:close()
	run("tool-c -v")
	local p = io.popen("tool-d 2>/dev/null", "r")
	p:close()
end
return M
LUA
# R from its home (base only: R_DEFAULT_PACKAGES=NULL), without the site library.
mkdir -p "$R/usr/lib/R" "$R/usr/share" "$R/etc"
for d in bin etc lib library modules; do cp -a "/usr/lib/R/$d" "$R/usr/lib/R/"; done
cp -a /usr/share/R "$R/usr/share/"
cp -a /etc/R "$R/etc/"
for f in "$R/usr/lib/R/bin/exec/R" $(find "$R/usr/lib/R" -name '*.so'); do
	for l in $(ldd "$f" 2>/dev/null | awk '$3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }'); do
		[ -e "$R$l" ] || { mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"; }
	done
done
root_add_program "$R" "$(readlink -f /bin/rm)" /bin/rm
cat >"$R/app/app.R" <<'RS'
# system("tool-n")
system("tool-a x")
x <- system2("tool-b", "-q", stdout = TRUE)
con <- pipe("tool-c -v", "r")
invisible(readLines(con))
close(con)
system(paste("tool-d", "2>/dev/null"))
cat("done\n")
RS
# Not the interpreters' code: a .js file that names no child_process, and a
# Perl file under /usr off perl's folders that no program of the set is.
printf 'function exec(c) { return c }\nexec("tool-n");\n' >"$R/app/other.js"
printf '#!/usr/bin/perl\nsystem("tool-n");\n' >"$R/usr/share/misc/helper.pl"
chmod +x "$R/app/app.pl" "$R/app/app.rb" "$R/app/app.js" "$R/app/app.php" "$R/app/app.lua" "$R/usr/share/misc/helper.pl"

origin() { jq -r --arg p "$1" '.programs[] | select(.program == $p) | "\(.origin): \(.reason)"' "$T/e.json"; }
REXEC=/usr/lib/R/bin/exec/R
for s in app.pl app.rb app.js app.php app.lua app.R; do
	case $s in app.pl) lang=Perl ;; app.rb) lang=Ruby ;; app.js) lang=JavaScript ;; app.php) lang=PHP ;; app.lua) lang=Lua ;; *) lang=R ;; esac
	run=("/app/$s") env=(PATH=/usr/bin:/bin) args=
	if [ $s = app.R ]; then
		run=($REXEC --vanilla --no-echo -f /app/app.R) env+=(R_HOME=/usr/lib/R R_DEFAULT_PACKAGES=NULL)
		args="--vanilla --no-echo -f /app/app.R"
	fi
	strace -f -qq -o "$T/trace" env -i "${env[@]}" "$(command -v chroot)" "$R" "${run[@]}" >"$T/out" 2>&1 ||
		fail "$s failed: $(cat "$T/out")"
	grep -qx done "$T/out" || fail "$s did not finish: $(cat "$T/out")"
	sed -n 's/^[0-9]* *execve("\([^"]*\)".*/\1/p' "$T/trace" | sort -u >"$T/executed"
	for p in /usr/bin/tool-a /usr/bin/tool-b /usr/bin/tool-c /usr/bin/tool-d; do
		grep -qx "$p" "$T/executed" || fail "$s did not execute $p: $(tr '\n' ' ' <"$T/executed")"
	done
	trace_calls "$T/trace" "${run[0]}" >"$T/observed"
	for c in personality syncfs readahead fremovexattr; do
		grep -qx "$c" "$T/observed" || fail "$s: the tools made no $c under strace"
	done
	OPTS="--entrypoint ${run[0]}$(printf ' -e %s' "${env[@]}")"
	profile_covers "$R" "$OPTS" "$args"
	"$CONFINE" explain --quiet --json --options "$OPTS" ${args:+--args "$args"} "dir:$R" exit_group >"$T/e.json" ||
		fail "explain failed"
	from=/app/$s
	[ $s = app.lua ] && from=/usr/lib/luaapp/runner.lua
	for p in /usr/bin/tool-a /usr/bin/tool-b /usr/bin/tool-c /usr/bin/tool-d; do
		[ "$(origin $p)" = "exec: run by $lang code ($from)" ] || fail "$s: $p: '$(origin $p)'"
	done
	[ -z "$(origin /usr/bin/tool-n)" ] || fail "$s: tool-n, named by no code that runs, is in the set: $(origin /usr/bin/tool-n)"
done

# Docker-archives: their layer keeps the .js file that names child_process
# and the .php file that names exec.
for s in app.js app.php; do
	case $s in app.js) cmd='["/usr/bin/node", "/app/app.js"]' lang=JavaScript ;; *) cmd='["/usr/bin/php", "/app/app.php"]' lang=PHP ;; esac
	docker_archive "$R" "$T/img.tar" "$cmd" || fail "cannot build the docker-archive"
	"$CONFINE" explain --quiet --json "docker-archive:$T/img.tar" exit_group >"$T/e.json" || fail "explain (archive) failed"
	for p in /usr/bin/tool-a /usr/bin/tool-b /usr/bin/tool-c /usr/bin/tool-d; do
		[ "$(origin $p)" = "exec: run by $lang code (/app/$s)" ] || fail "docker-archive $s: $p: '$(origin $p)'"
	done
done

# The Perl helper as the Entrypoint: a program of the set, so tool-n is.
"$CONFINE" explain --quiet --json --options "--entrypoint /usr/share/misc/helper.pl" "dir:$R" exit_group \
	>"$T/e.json" || fail "explain (helper) failed"
[ "$(origin /usr/bin/tool-n)" = "exec: run by Perl code (/usr/share/misc/helper.pl)" ] ||
	fail "tool-n run by the helper: '$(origin /usr/bin/tool-n)'"
pass
