#!/usr/bin/env bash
# Perl's syscall builtin and Ruby's Kernel#syscall take their numbers from
# the code the interpreter runs, so the analysis reads the root's Perl and
# Ruby code for them (analysis/langsys.h): a syscall.ph name or a literal
# adds that call; a computed number makes the program "every call", with
# the file and line as the reason; POD, comments and strings are not code.
# The interpreter's XS modules and C extensions are in its process.  The
# host's real perl; a fake, stripped libruby whose builtin has no name.
# (The build before: perl and ruby were always "every call".)
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
[ -x /usr/bin/perl ] || skip "no /usr/bin/perl"

an() { # an ROOT PROG: analyze --root, into $T/a.json
	"$CONFINE" analyze --quiet --json --root "$1" "$2" >"$T/a.json" || fail "analyze --root $1 $2 failed"
}
is_all() { jq -e '.programs[0].all_syscalls' "$T/a.json" >/dev/null; }
reasons() { jq -r '.programs[0].unresolved[].reason' "$T/a.json"; }

# ---- Perl ----
R=$T/perl
root_add_program "$R" /usr/bin/perl /usr/bin/perl
an "$R" /usr/bin/perl
is_all && fail "perl with no code calling syscall is every call: $(reasons | head -3)"
for c in vhangup mincore personality getpgrp acct; do
	json_has "$T/a.json" $c && fail "fixture: perl's own set has $c already; pick another call"
done
# A module naming a syscall.ph constant, a script with a literal, and what is not a call.
mkdir -p "$R/usr/share/perl5" "$R/srv"
cat >"$R/usr/share/perl5/Vh.pm" <<'EOF'
package Vh;
require "syscall.ph"; # syscall($n) in a comment is no call
sub go { syscall(&SYS_vhangup, 0) == 0 or warn "syscall failed"; }
my %h = (syscall => 1); $h{syscall}++;
1;
__END__
=head1 NAME

Vh - calls syscall($n)
EOF
printf 'syscall(27, 0, 0, 0);\n' >"$R/srv/app.pl"
printf '#!/bin/sh\necho "syscall($n)"\n' >"$R/srv/tool.sh"
chmod +x "$R/srv/tool.sh"
an "$R" /usr/bin/perl
is_all && fail "perl: every call: $(reasons | head -3)"
json_has "$T/a.json" vhangup || fail "perl: syscall(&SYS_vhangup) in Vh.pm not in the set"
json_has "$T/a.json" mincore || fail "perl: syscall(27) in app.pl not in the set"
[ "$(jq '.programs[0].unresolved | length' "$T/a.json")" = 0 ] || fail "perl: unresolved sites: $(reasons)"
# Image mode: explain names the file and line; the Cmd's perl -e code counts.
"$CONFINE" explain --quiet --program /usr/bin/perl "dir:$R" vhangup >"$T/e.txt" 2>&1 ||
	fail "explain vhangup failed: $(cat "$T/e.txt")"
grep -q 'the number from the code it runs: syscall(&SYS_vhangup, 0) at /usr/share/perl5/Vh.pm:3' "$T/e.txt" ||
	fail "explain does not say where the number comes from: $(cat "$T/e.txt")"
"$CONFINE" profile --quiet --no-runtime --options "--entrypoint /usr/bin/perl" --args "-e 'syscall(135)'" \
	-o "$T/p.json" "dir:$R" || fail "profile of perl -e failed"
jq -e '.syscalls[0].names | index("personality") != null' "$T/p.json" >/dev/null ||
	fail "perl -e 'syscall(135)' as the Cmd: personality not allowed"
jq -e '.syscalls[0].names | length < 300' "$T/p.json" >/dev/null || fail "perl -e: the profile allows everything"
# An XS module in an @INC folder is in perl's process.
mkdir -p "$R/usr/lib/x86_64-linux-gnu/perl5/5.36/auto/Xs"
syscall_lib "$R/usr/lib/x86_64-linux-gnu/perl5/5.36/auto/Xs/Xs.so" getpgrp
rule_loads "$R" /usr/bin/perl getpgrp 'a Perl XS module'
# One in a folder only the Cmd's -I, or the code's `use lib '/opt/lib'`,
# names: with the whole root read, every XS module of the image (an auto/
# folder's .so) is in the process, wherever it is.
mkdir -p "$R/opt/lib/auto/Yy"
syscall_lib "$R/opt/lib/auto/Yy/Yy.so" acct
an "$R" /usr/bin/perl
json_has "$T/a.json" acct || fail "perl: an XS module outside perl's folders (use lib) is not in the process"
jq -e '.programs[0] | [.objects, .object_reasons] | transpose | map(select(.[0] == "/opt/lib/auto/Yy/Yy.so")) | .[0][1] == "perl"' \
	"$T/a.json" >/dev/null || fail "perl: /opt/lib/auto/Yy/Yy.so's reason is not perl"
"$CONFINE" profile --quiet --no-runtime --options "--entrypoint /usr/bin/perl" --args "-w -I /opt/lib /srv/app.pl" \
	-o "$T/p.json" "dir:$R" || fail "profile of perl -I failed"
jq -e '.syscalls[0].names | index("acct") != null' "$T/p.json" >/dev/null ||
	fail "perl -I /opt/lib as the Cmd: the XS module there is not in the process"
# analyze takes them with --args (one FILE).
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/perl --args "-I/opt/lib -e 'syscall(135)'" >"$T/a.json" ||
	fail "analyze --args failed"
json_has "$T/a.json" acct || fail "analyze --args -I/opt/lib: the XS module there is not in the process"
json_has "$T/a.json" personality || fail "analyze --args -e 'syscall(135)': personality not in the set"
rc=0
"$CONFINE" analyze --root "$R" /usr/bin/perl /usr/bin/perl --args "-e 1" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'give one FILE' "$T/err" || fail "analyze --args with two files: exit $rc, $(cat "$T/err")"
# A computed number: every call, the reason naming the script and the line.
mkdir -p "$R/usr/local/bin"
printf '#!/usr/bin/perl\nmy $n = shift;\nsyscall($n, 0);\n' >"$R/usr/local/bin/tool"
chmod +x "$R/usr/local/bin/tool"
an "$R" /usr/bin/perl
is_all || fail "perl: syscall(\$n) in a script did not make it every call"
reasons | grep -q 'syscall(\$n, 0) at /usr/local/bin/tool:3' || fail "perl: the reason does not name tool:3: $(reasons)"

# ---- Ruby: a stripped libruby, Kernel#syscall without a symbol ----
R=$T/ruby
root_add_libc "$R"
mkdir -p "$R/usr/lib/x86_64-linux-gnu" "$R/usr/bin" "$R/usr/lib/ruby/3.1.0" "$R/app"
cat >"$T/libruby.c" <<'EOF'
#include <sys/syscall.h>
#include <unistd.h>
int ruby_init(void) { return 0; }
/* As rb_f_syscall: the number is read from the method's arguments (VALUEs). */
static long f_syscall(int argc, const long *argv) { return argc > 1 ? syscall(argv[0], argv[1]) : syscall(argv[0]); }
long (*volatile rb_global_syscall)(int, const long *) = f_syscall;
EOF
gcc -O2 -shared -fPIC -Wl,-soname,libruby-3.1.so.3.1 -o "$R/usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1" "$T/libruby.c" ||
	fail "cannot build libruby"
strip --strip-all "$R/usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1"
printf 'int ruby_init(void);\nint main(void) { return ruby_init(); }\n' >"$T/ruby.c"
gcc -O2 -o "$R/usr/bin/ruby" "$T/ruby.c" "$R/usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1" || fail "cannot build ruby"
an "$R" /usr/bin/ruby
is_all && fail "ruby with no code calling syscall is every call: $(reasons | head -3)"
json_has "$T/a.json" vhangup && fail "fixture: ruby's own set has vhangup"
printf '# syscall(n)\nx = %%w[Linux-syscall-note]\nKernel.syscall(153)\n' >"$R/usr/lib/ruby/3.1.0/v.rb"
mkdir -p "$R/usr/lib/x86_64-linux-gnu/ruby/3.1.0"
syscall_lib "$R/usr/lib/x86_64-linux-gnu/ruby/3.1.0/ext.so" getpgrp
an "$R" /usr/bin/ruby
is_all && fail "ruby: every call: $(reasons | head -3)"
json_has "$T/a.json" vhangup || fail "ruby: Kernel.syscall(153) in v.rb not in the set"
json_has "$T/a.json" getpgrp || fail "ruby: its C extension ext.so is not in the process"
# A gem of a bundle in the application's folder (bundle config path
# vendor/bundle, no BUNDLE_PATH in the environment): in the process too.
mkdir -p "$R/app/vendor/bundle/ruby/3.1.0/gems/zz-1.0/lib"
syscall_lib "$R/app/vendor/bundle/ruby/3.1.0/gems/zz-1.0/lib/zz.so" swapoff
an "$R" /usr/bin/ruby
json_has "$T/a.json" swapoff || fail "ruby: a bundled gem's extension under /app/vendor is not in the process"
printf 'n = ARGV[0].to_i\nKernel.send(:syscall, n)\n' >"$R/app/y.rb"
an "$R" /usr/bin/ruby
is_all || fail "ruby: send(:syscall, n) did not make it every call"
reasons | grep -q '/app/y.rb:2' || fail "ruby: the reason does not name y.rb:2: $(reasons)"
pass
