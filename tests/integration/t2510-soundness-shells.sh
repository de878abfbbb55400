#!/usr/bin/env bash
# Soundness against reality, part 2: shells, text tools and archivers with
# child processes (pipelines, command substitution, subshells); every call
# of every PID is checked against the static set of the program it ran.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init

W=$T/w
mkdir -p "$W/tree/a/b" "$W/out"
for i in 1 2 3 4 5; do seq "$i" 500 >"$W/tree/a/f$i"; done
printf 'alpha beta\ngamma delta\nalpha omega\n' >"$W/tree/a/b/text"
cd "$W"

st_run dash dash -c 'x=$(echo hi); for i in 1 2 3; do echo "$x $i"; done | cat >/dev/null; (cd /tmp && pwd) >/dev/null; test -d tree && umask 022; read -r l < tree/a/f1; trap "true" EXIT; exit 0'
st_run bash bash -c 'set -o pipefail; declare -A m=([a]=1); x=$(ls tree | wc -l); echo "${m[a]} $x" > out/bash.txt; { sleep 0.01 & wait; }; shopt -s globstar; echo tree/** >/dev/null; while read -r l; do :; done < tree/a/b/text; printf "%s\n" {1..3} | sort -r > /dev/null; ulimit -n >/dev/null; kill -0 $$; exec 3>out/fd3; echo x >&3; exec 3>&-'
st_run bash-login bash --norc --noprofile -i -c 'echo interactive; history -c; alias l=ls; type l >/dev/null' 
st_run grep grep -rn --include='f*' -E '^(12|345)$' tree
st_run grep-P grep -c -P 'alpha\s+\w+' tree/a/b/text
st_run_rc 1 grep-none grep -q nosuchtext tree/a/b/text
st_run sed sed -E -e 's/alpha/ALPHA/g' -e '/delta/d' -i.bak tree/a/b/text
st_run tar-c tar -czf out/t.tgz -C "$W" tree
st_run tar-x tar -xzf out/t.tgz -C out
st_run tar-t tar -tvf out/t.tgz
st_run gzip gzip -k -9 tree/a/f5
st_run gunzip gunzip -c tree/a/f5.gz
st_run zcat sh -c 'zcat tree/a/f5.gz | head -n 2'
st_run cut cut -d' ' -f1 tree/a/b/text
st_run tr sh -c 'tr a-z A-Z < tree/a/b/text | rev | nl'
st_run basename sh -c 'basename "$(dirname "$(readlink -f tree/a/f1)")"'
st_run realpath realpath -e tree/a/../a/f1
st_run mktemp sh -c 'd=$(mktemp -d) && rmdir "$d"'
st_run split split -l 100 tree/a/f5 out/part.
st_run paste paste -d, tree/a/f1 tree/a/f2
st_run join bash -c 'join <(sort tree/a/f1) <(sort tree/a/f2) | wc -l'
st_run comm sh -c 'comm -12 tree/a/f1 tree/a/f1 > /dev/null'
st_run printf printf '%s=%d\n' a 1 b 2
st_run expr expr 6 \* 7
st_run seq seq -w 1 3 30
st_run uname uname -a
st_run hostname hostname
st_run whoami whoami
st_run nproc nproc
st_run getent getent passwd root
st_run ps ps -o pid,comm -p $$
st_check
pass
