#!/usr/bin/env bash
# Soundness against reality, part 1: coreutils and friends run with typical
# arguments under strace -f; every call each program makes must be in the
# static set `confine analyze` gives for it (tests/fixtures/strace-lib.sh).
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init

W=$T/w
mkdir -p "$W/src/sub" "$W/dst"
seq 1 2000 >"$W/src/nums"
printf 'b\na\nc\na\nb\n' >"$W/src/words"
printf 'hello\n' >"$W/src/sub/hello"
cd "$W"

st_run ls ls -la --color=always -R src /usr/share/doc/coreutils
st_run cat cat src/nums src/words
st_run cp cp -a src dst/copy
st_run mv mv dst/copy dst/moved
st_run mkdir mkdir -p -m 700 dst/a/b/c
st_run touch touch -d '2020-01-01 00:00' dst/a/t
st_run ln ln -sf ../src/words dst/link
st_run chmod chmod -R u+rwX,go-w dst/moved
st_run stat stat -L dst/link src /
st_run du du -sh src /usr/share/doc/coreutils
st_run df df -h /
st_run id id
st_run env env -i FOO=bar /usr/bin/env
st_run sort sort -n -r --parallel=2 -S 1M src/nums
st_run uniq uniq -c src/words
st_run wc wc -lwc src/nums src/words
st_run head head -n 3 src/nums
st_run tail tail -n 3 src/nums
st_run date date -u '+%Y-%m-%d %H:%M:%S' -d @0
st_run sleep sleep 0.05
st_run timeout timeout 5 sleep 0.05
st_run find find /usr/share/doc/coreutils src -type f -name '*' -newer src/nums
st_run xargs sh -c 'find src -type f -print0 | xargs -0 -n 1 wc -c'
st_run_rc 1 diff diff -u src/nums src/words
st_run_rc 1 cmp cmp src/nums src/words
st_run awk mawk -F: '{ n += length($1) } END { print n }' /etc/passwd
st_run rm rm -rf dst/moved dst/a
st_run tee sh -c 'seq 10 | tee dst/tee.out | tr 0-9 a-j > /dev/null'
st_run md5 sha256sum src/nums
# debugfs reads its commands through libss, which dlopen()s the first of
# "libreadline.so.8:libreadline.so.7:...:libedit.so.2" it finds (a list in
# its strings); readline waits for input in pselect6.
st_run debugfs debugfs
st_check
st_expect debugfs /usr/sbin/debugfs pselect6
pass
