#!/bin/bash
# iptables: libxtables loads libxt_NAME.so (libipt_, libip6t_, libebt_ ...)
# from its extension folder for each match and target a rule names, so a
# process with an object exporting xtables_find_match gets every .so of
# the usual xtables folders.  The bpf match (libxt_bpf.so) gets a pinned
# BPF object with bpf(2), which nothing else in iptables makes: iptables
# parses such a rule under strace (the object does not exist, so the rule
# is refused and nothing changes), and every call must be in its set.  A
# fake libxtables in a fake root is checked in both loaders.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
need_root
st_init
command -v gcc >/dev/null || skip "no gcc"
IPT=$(command -v iptables) || fail "no iptables (docker.io depends on it)"

# ---- a fake libxtables in a fake root ----
R=$T/root
root_add_libc "$R"
mkdir -p "$R/usr/lib/xtables/sub"
fake_lib_user "$R/usr/lib/x86_64-linux-gnu/libxtables.so.12" libxtables.so.12 xtables_find_match "$R/usr/sbin/ipt"
syscall_lib "$R/usr/lib/xtables/libxt_bpf.so" swapoff
syscall_lib "$R/usr/lib/xtables/sub/libxt_deep.so" iopl   # one level only
rule_loads "$R" /usr/sbin/ipt swapoff 'an iptables extension'
json_has "$T/rule.json" iopl && fail "files mode: a subfolder's .so counted"

# ---- the host's iptables parses a bpf rule under strace ----
st_run_rc 2 iptables-bpf "$IPT" -A INPUT -m bpf --object-pinned /sys/fs/bpf/confine-test-none -j ACCEPT
grep -q 'failed to get bpf object' "$ST/traces/iptables-bpf.err" ||
	fail "iptables did not try the bpf object: $(cat "$ST/traces/iptables-bpf.err")"
st_check
st_observed iptables-bpf bpf || fail "iptables made no bpf call under strace"
pass
