#!/bin/bash
# Lua: require() loads C modules from package.cpath, by default from the
# version folders of /usr/local/lib/lua, /usr/lib/x86_64-linux-gnu/lua
# and /usr/lib/lua (and OpenResty's own), so a process with an object
# exporting luaL_openlibs gets every .so there, four levels down.
# Debian's lua5.3 runs a script using lua-posix under strace: posix makes
# calls the interpreter has nowhere else, and every call must be in its
# set.  A fake lua in a fake root is checked in both loaders.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init
command -v gcc >/dev/null || skip "no gcc"
LUA=$(readlink -f "$(command -v lua5.3)") || fail "no lua5.3 (scripts/setup.sh installs it)"

# ---- a fake lua in a fake root ----
R=$T/root
root_add_libc "$R"
mkdir -p "$R/usr/bin" "$R/usr/local/lib/lua/5.4/posix/sys" "$R/usr/local/lib/lua/5.4/a/b/c" "$R/opt/lua"
fake_exporter "$R/usr/bin/lua" luaL_openlibs
syscall_lib "$R/usr/local/lib/lua/5.4/posix/sys/stat.so" swapoff
syscall_lib "$R/usr/local/lib/lua/5.4/a/b/c/deep.so" iopl   # five levels down
syscall_lib "$R/opt/lua/x.so" personality                   # not a cpath folder
rule_loads "$R" /usr/bin/lua swapoff 'a Lua C module'
for s in iopl personality; do
	json_has "$T/rule.json" "$s" && fail "files mode: $s counted (too deep, or not a cpath folder)"
done

# ---- Debian's lua5.3 with lua-posix under strace ----
W=$T/w
mkdir -p "$W"
cat >"$W/p.lua" <<'LUA'
local p = require "posix"
local f = io.open(arg[1] .. "/f", "w"); f:close()
assert(p.chmod(arg[1] .. "/f", "rw-------") == 0)
assert(p.link(arg[1] .. "/f", arg[1] .. "/g") == 0)
assert(p.unlink(arg[1] .. "/g") == 0)
print(p.getppid() > 0, p.getpgrp() >= 0, p.nice(0))
LUA
st_run lua-posix "$LUA" "$W/p.lua" "$W"
grep -Eq '^true	true	-?[0-9]+$' "$ST/traces/lua-posix.out" || fail "the script did not run: $(cat "$ST/traces/lua-posix.out" "$ST/traces/lua-posix.err")"
st_check
for c in chmod link getppid; do
	st_observed lua-posix "$c" || fail "lua made no $c under strace"
done
pass
