#!/bin/bash
# sudo: the front end loads the plugins /etc/sudo.conf names, by default
# the sudoers policy plugin (sudoers.so), which does the real work, and
# that plugin uses PAM and NSS itself.  So a process with an object
# importing sudo_conf_plugins_v1 gets every .so of sudo's plugin folder,
# and the NSS and PAM rules then see the plugins too.  sudo runs a command
# as another user under strace, and every call must be in its set; a fake
# sudo in a fake root is checked in both loaders.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
need_root
st_init
command -v gcc >/dev/null || skip "no gcc"
SUDO=$(command -v sudo) || fail "no sudo (scripts/setup.sh installs it)"

# ---- a fake sudo in a fake root ----
R=$T/root
root_add_libc "$R"
mkdir -p "$R/usr/libexec/sudo/sub"
fake_lib_user "$R/usr/lib/x86_64-linux-gnu/libsudo_util.so.0" libsudo_util.so.0 sudo_conf_plugins_v1 "$R/usr/bin/sudo"
syscall_lib "$R/usr/libexec/sudo/sudoers.so" swapoff
syscall_lib "$R/usr/libexec/sudo/sub/deep.so" iopl   # one level only
rule_loads "$R" /usr/bin/sudo swapoff 'a sudo plugin'
json_has "$T/rule.json" iopl && fail "files mode: a subfolder's .so counted"

# ---- the host's sudo: the plugin, and the PAM modules it brings ----
"$CONFINE" analyze --quiet --json "$SUDO" >"$T/host.json" || fail "analyze sudo failed"
jq -e '.programs[0] | [.objects, .object_reasons] | transpose | any((.[0] | endswith("/sudoers.so")) and .[1] == "sudo")' \
	"$T/host.json" >/dev/null || fail "sudoers.so is not a sudo plugin of sudo: $(jq -c '.programs[0].object_reasons' "$T/host.json")"
jq -e '.programs[0].object_reasons | index("pam") != null' "$T/host.json" >/dev/null ||
	fail "sudoers.so calls pam_start, but no PAM module was loaded"

# ---- and under strace ----
st_run sudo-true "$SUDO" -n -u nobody /usr/bin/true
st_check
pass
