#!/usr/bin/env bash
# The monitor's eBPF tracer sees what a process that lives a millisecond
# maps: the container runs the scripts of a folder by a glob (no analysis
# can know which), and the one there runs a program that dlopen()s a plugin
# by a name from its arguments and exits at once, then waits.  /proc polling
# every 50 ms almost never catches the plugin mapped, and never sees a
# script's own path (only its shell's); the tracer must see both, so the
# plugin's iopl gets into the profile, and so does the syncfs of a program
# the script runs only in a branch not taken (the script, once seen, is
# read as the ones the config names are).  JSON lists what the monitor
# saw, the script among what the tracer alone saw.  No path of the host
# (runc's own libraries, mapped while it starts the container) may be taken
# for the image's.  (A build without the tracer fails here: the poll
# missed the plugin in 3 runs of 3.)
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"
need_docker
need_root
command -v gcc >/dev/null || skip "gcc not installed"
"$CONFINE" --version >/dev/null || fail "confine does not run"

R=$T/root
mkdir -p "$R/bin" "$R/plugins"
root_add_libc "$R"
root_add_program "$R" "$(readlink -f /bin/sh)" /bin/sh
cat >"$T/host.c" <<'C'
#include <dlfcn.h>
#include <time.h>
int main(int argc, char **argv)
{
	void *h = argc > 1 ? dlopen(argv[1], RTLD_NOW) : 0;
	void (*f)(void) = h ? (void (*)(void))dlsym(h, "plugin_fn") : 0;
	struct timespec ts = { 2, 0 };

	if (f)
		f();
	else if (argc == 1)
		nanosleep(&ts, 0); /* "wait": no plugin, a process the poll sees */
	return 0;
}
C
cat >"$T/plugin.c" <<'C'
#include <sys/syscall.h>
#include <unistd.h>
void plugin_fn(void) { syscall(SYS_iopl, 0); }
C
gcc -O2 -o "$R/bin/host" "$T/host.c" -ldl || fail "cannot build the host program"
gcc -O2 -shared -fPIC -o "$R/plugins/p.so" "$T/plugin.c" || fail "cannot build the plugin"
root_add_tool "$R" flush "syncfs(fd)"
mkdir -p "$R/etc/run.d"
printf '#!/bin/sh\n/bin/host /plugins/p.so\nif [ -n "$NEVER" ]; then /usr/bin/flush; fi\n/bin/host\n' >"$R/etc/run.d/10-start.sh"
chmod +x "$R/etc/run.d/10-start.sh"

tag=confine-test-ebpf-$$
trap 'docker rmi -f $tag >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
tar -C "$R" -c . | docker import -c 'CMD ["/bin/sh", "-c", "for f in /etc/run.d/*.sh; do \"$f\"; done"]' - "$tag" \
	>/dev/null || fail "docker import failed"

"$CONFINE" profile "docker:$tag" --monitor --json -o "$T/p.json" >"$T/out.json" 2>"$T/err" ||
	fail "profile failed: $(cat "$T/err")"
jq -e '.monitor.tracer == "ebpf"' "$T/out.json" >/dev/null ||
	fail "the eBPF tracer did not run: $(jq -c '.monitor, .warnings' "$T/out.json")"
jq -e '.syscalls[0].names | index("iopl")' "$T/p.json" >/dev/null ||
	fail "the plugin the short-lived process mapped is not in the profile: $(jq -c .monitor "$T/out.json")"
jq -e '.monitor.seen.libraries | index("/plugins/p.so")' "$T/out.json" >/dev/null ||
	fail "JSON does not list the plugin as seen: $(jq -c .monitor "$T/out.json")"
jq -e '.monitor.traced_only.executables | index("/etc/run.d/10-start.sh")' "$T/out.json" >/dev/null ||
	fail "JSON does not say the tracer alone saw the script run: $(jq -c .monitor "$T/out.json")"
jq -e '.syscalls[0].names | index("syncfs")' "$T/p.json" >/dev/null ||
	fail "the program of the script's branch not taken is not in the profile"
# Every file the monitor named is the image's.
for p in $(jq -r '.monitor.seen | .executables[], .libraries[]' "$T/out.json"); do
	[ -e "$R$p" ] || fail "the tracer named '$p', which the image does not have"
done
# A file on a volume is named by its path in the container: the tracer's
# walk crosses the mount (the volume holds the image's own plugins here,
# so the analysis finds the same file in the image).
"$CONFINE" profile "docker:$tag" --monitor --options "-v $R/plugins:/plugins:ro" --json -o "$T/vol.json" \
	>"$T/vol-out.json" 2>"$T/err" || fail "profile with a volume failed: $(cat "$T/err")"
jq -e '.monitor.seen.libraries | index("/plugins/p.so")' "$T/vol-out.json" >/dev/null ||
	fail "the plugin on a volume is not named by its container path: $(jq -c .monitor "$T/vol-out.json")"
jq -e '.syscalls[0].names | index("iopl")' "$T/vol.json" >/dev/null ||
	fail "the plugin on a volume is not in the profile"
# Without the monitor neither is known (the control: the test shows the tracer's work).
"$CONFINE" -q profile "docker:$tag" -o "$T/static.json" || fail "profile without the monitor failed"
jq -e '.syscalls[0].names | index("iopl") or index("syncfs")' "$T/static.json" >/dev/null &&
	fail "iopl or syncfs allowed without the monitor: the test proves nothing"
pass
