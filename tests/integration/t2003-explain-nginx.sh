#!/bin/bash
# 'confine explain' on the nginx fixture rootfs: a witness chain from nginx's
# entry to a socket() site, in text and JSON; a chain that starts elsewhere
# says why it starts there.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "no jq"
R=$FIX/rootfs-nginx
[ -x "$R/usr/sbin/nginx" ] || skip "no nginx fixture rootfs (tests/fixtures/images.sh nginx)"

"$CONFINE" explain "dir:$R" socket --program /usr/sbin/nginx >"$T/out" 2>"$T/err" || fail "explain: $(cat "$T/err")"
grep -q "^socket (41)" "$T/out" || fail "header: $(cat "$T/out")"
grep -q "/usr/sbin/nginx" "$T/out" || fail "program: $(cat "$T/out")"
grep -q -- "-> site libc.so.6!" "$T/out" || fail "chain: $(cat "$T/out")"
# The chain starts at the entry point, although shorter ones start at
# functions of libc whose address is in data.
sed -n 3p "$T/out" | grep -q "nginx!_start 0x[0-9a-f]* (the program's entry point)" || fail "root: $(cat "$T/out")"
grep -q -- "->  nginx!main " "$T/out" || fail "main: $(cat "$T/out")"

"$CONFINE" explain --json "dir:$R" 41 --program /usr/sbin/nginx >"$T/j" || fail "explain --json"
jq -e '.syscall == "socket" and .number == 41 and (.programs[0].chain | length) >= 2
	and (.programs[0].chain[0].object | endswith("/usr/sbin/nginx"))
	and .programs[0].chain[0].root == "the program\u0027s entry point"
	and ([.programs[0].chain[1:][] | select(.root)] | length) == 0' "$T/j" >/dev/null ||
	fail "json: $(head -c 600 "$T/j")"

# epoll_wait only from nginx's event module, called through a pointer in data.
"$CONFINE" explain "dir:$R" epoll_wait --program /usr/sbin/nginx >"$T/out3" 2>"$T/err" || fail "explain epoll_wait: $(cat "$T/err")"
sed -n 3p "$T/out3" | grep -q "nginx!.* (callable through a pointer: its address is stored in data, at 0x[0-9a-f]* in \.data)" ||
	fail "epoll_wait root: $(cat "$T/out3")"
# clone3 from pthread_create, from a hook in nginx's thread pool module: the variable is named.
"$CONFINE" explain --json "dir:$R" clone3 --program /usr/sbin/nginx >"$T/j6" || fail "explain clone3"
jq -e '.programs[0].chain[0] | (.root | test("stored in data")) and (.root_at | test("^0x[0-9a-f]+$"))
	and .root_in == "ngx_thread_pool_module"' "$T/j6" >/dev/null || fail "clone3: $(jq -c '.programs[0].chain[0]' "$T/j6")"

# Calls the profile allows although nginx makes none: the runtime's, the kernel's.
"$CONFINE" explain "dir:$R" capget --program /usr/sbin/nginx >"$T/out4" 2>"$T/err" || fail "explain capget: $(cat "$T/err")"
grep -q "^  no program of the image can make it" "$T/out4" &&
	grep -q "^  the profile allows it: the container runtime (runc" "$T/out4" || fail "capget: $(cat "$T/out4")"
"$CONFINE" explain --json "dir:$R" restart_syscall --program /usr/sbin/nginx >"$T/j5" || fail "explain restart_syscall"
jq -e '.programs == [] and (.profile_reasons | length) == 1 and (.profile_reasons[0] | test("the kernel makes it"))' \
	"$T/j5" >/dev/null || fail "restart_syscall: $(cat "$T/j5")"
jq -e '.profile_reasons == []' "$T/j" >/dev/null || fail "socket has other reasons: $(jq -c .profile_reasons "$T/j")"

# A --program that is not one: the error says why, and how to analyse a library.
if "$CONFINE" explain "dir:$R" write --program /usr/lib/x86_64-linux-gnu/libz.so.1 >"$T/o7" 2>"$T/e7"; then
	fail "a library as --program succeeded"
fi
grep -q "program '/usr/lib/x86_64-linux-gnu/libz.so.1' in the image is not executable (mode 0644): a library is analysed as a plugin with --dlopen" "$T/e7" ||
	fail "library error: $(cat "$T/e7")"
if "$CONFINE" explain "dir:$R" write --program /usr/sbin/no-such >"$T/o8" 2>"$T/e8"; then
	fail "a missing --program succeeded"
fi
grep -q "cannot find program '/usr/sbin/no-such' in the image: no such file" "$T/e8" || fail "missing error: $(cat "$T/e8")"

# Without SYSCALL: every call the profile allows, one line each, the same set.
opts="--entrypoint /usr/sbin/nginx"
"$CONFINE" profile --quiet --options "$opts" -o "$T/p.json" "dir:$R" 2>/dev/null || fail "profile"
jq -r '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | sort | .[]' "$T/p.json" >"$T/allowed"
"$CONFINE" explain --quiet --json --options "$opts" "dir:$R" >"$T/all.json" 2>"$T/err" || fail "explain all: $(cat "$T/err")"
jq -r '[.syscalls[].syscall] | sort | .[]' "$T/all.json" >"$T/explained"
[ "$(wc -l <"$T/allowed")" -gt 80 ] && cmp -s "$T/allowed" "$T/explained" ||
	fail "explain lists other calls than the profile allows: $(diff "$T/allowed" "$T/explained" | head -5)"
jq -e '.syscalls[] | select(.syscall == "socket") | .program | test("^/usr/sbin/nginx: nginx!_start \\(the program.s entry point\\) -> nginx!main -> .* \\(site 0x[0-9a-f]+\\)$")' \
	"$T/all.json" >/dev/null || fail "socket line: $(jq -c '.syscalls[] | select(.syscall == "socket")' "$T/all.json")"
jq -e '[.syscalls[] | select(.program == null and (.profile_reasons | length) == 0)] | length == 0' "$T/all.json" >/dev/null ||
	fail "a call without a reason: $(jq -c '[.syscalls[] | select(.program == null and (.profile_reasons | length) == 0)]' "$T/all.json")"
"$CONFINE" explain --quiet --options "$opts" "dir:$R" >"$T/all.txt" 2>/dev/null || fail "explain all (text)"
grep -q "^dir:$R: $(wc -l <"$T/allowed") system calls allowed" "$T/all.txt" || fail "header: $(head -1 "$T/all.txt")"
grep -q "^  capget  *the container runtime (runc" "$T/all.txt" || fail "capget: $(grep capget "$T/all.txt")"

# A syscall nginx cannot make: none of the programs explains it.
"$CONFINE" explain "dir:$R" kexec_load --program /usr/sbin/nginx >"$T/out2" || fail "explain kexec_load"
grep -q "no program of the image can make it" "$T/out2" && ! grep -q "the profile" "$T/out2" ||
	fail "kexec_load: $(cat "$T/out2")"
pass
