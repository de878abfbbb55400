#!/usr/bin/env bash
# The seed tutorial's exact command line on a myimages.json naming the nginx
# fixture: phase messages, the profile (>= 150 syscalls blocked), Confine's
# reports, the copied ELF files, validation, and a curl workload passing
# under the generated profile.
. "$(dirname "$0")/lib.sh"
fixture nginx

DATA=$CONFINE_SRC/../shared/confine-data
cd "$T"
if [ -d "$DATA/libc-callgraphs" ]; then
	mkdir -p libc-callgraphs
	ln -s "$DATA/libc-callgraphs/glibc.callgraph" libc-callgraphs/glibc.callgraph
	ln -s "$DATA/libc-callgraphs/musllibc.callgraph" libc-callgraphs/musllibc.callgraph
	ln -s "$DATA/go.syscalls" go.syscalls
	cp "$DATA/default.seccomp.json" default.seccomp.json
else
	# Confine's data is not around: tiny stand-ins in its formats.
	mkdir -p libc-callgraphs go.syscalls
	printf 'socket : syscall( 41 )\n' >libc-callgraphs/glibc.callgraph
	printf 'socket->syscall(41)\n' >libc-callgraphs/musllibc.callgraph
	echo '{"default": ["ptrace", "mount", "reboot"]}' >default.seccomp.json
fi
PORT=$(free_port)
cat >myimages.json <<JSON
{
    "nginx": {
        "enable": "true",
        "image-name": "nginx",
        "image-url": "confine-test/nginx:latest",
        "options": "-p 127.0.0.1:$PORT:80",
        "healthcheck": "http://127.0.0.1:$PORT/",
        "dependencies": {}
    }
}
JSON

start=$(date +%s)
"$CONFINE" -l libc-callgraphs/glibc.callgraph -m libc-callgraphs/musllibc.callgraph \
	-i myimages.json -o output/ -p default.seccomp.json -r results/ -g go.syscalls/ \
	>out.txt 2>err.txt || { cat err.txt; fail "seed command line failed"; }
end=$(date +%s)
echo "nginx batch took $((end - start)) s"

for line in "Starting analysis for image: nginx" "--->Starting MONITOR phase:" \
	"<---Finished MONITOR phase" "--->Starting Direct Syscall Extraction" \
	"--->Starting ANALYZE phase" "--->Starting INTEGRATE phase" \
	"Container Name: nginx Num of filtered syscalls (original):" \
	"--->Validating generated Seccomp profile: results/nginx.seccomp.json" \
	"Finished validation. Container for image: nginx was hardened SUCCESSFULLY!" \
	"Finished extracting system calls for nginx"; do
	grep -qF -- "$line" err.txt || { cat err.txt; fail "missing phase line: $line"; }
done

P=results/nginx.seccomp.json
[ -s "$P" ] || fail "no profile"
allowed=$(jq '.syscalls[0].names | length' "$P")
total=$("$CONFINE" -j diff "$P" "$P" | jq .a_allowed)
n=$(grep -o 'Num of filtered syscalls (original): [0-9]*' err.txt | grep -o '[0-9]*$')
[ "$n" -ge 150 ] || fail "only $n syscalls blocked (allowed $allowed, $total)"

[ -f output/nginx/usr/sbin/nginx ] || fail "nginx binary not copied to output/nginx/usr/sbin/nginx"
[ -f output/nginx/lib/x86_64-linux-gnu/libc.so.6 ] || [ -f output/nginx/usr/lib/x86_64-linux-gnu/libc.so.6 ] ||
	fail "libc not copied"

row=$(grep ';nginx;' results/profile.report.csv) || fail "no report row"
[ "$(echo "$row" | awk -F';' '{print NF}')" -eq 16 ] || fail "report row has $(echo "$row" | awk -F';' '{print NF}') columns: $row"
[ "$(echo "$row" | cut -d';' -f10)" = True ] || fail "report says not hardened: $row"
drow=$(grep ';nginx;' results/profile.report.details.csv) || fail "no details row"
[ "$(echo "$drow" | cut -d';' -f3)" = "$n" ] || fail "details count differs from the INTEGRATE line"
echo "$drow" | cut -d';' -f8 | grep -q "^{'" || fail "details set column"
# confine's extra columns: allowed count, then Confine's method beside it (-l/-m given)
[ "$(echo "$drow" | awk -F';' '{print NF}')" -eq 12 ] || fail "details row columns: $drow"
[ "$(echo "$drow" | cut -d';' -f9)" = "$allowed" ] || fail "details allowed count"
grep -q "Confine's method (libc call graph" err.txt || fail "no Confine-method comparison line"

# The HTML report: nginx's section, every allowed call with a reason.
[ -f results/report.html ] || fail "no results/report.html"
grep -q '<h2 id="nginx">' results/report.html || fail "report.html has no nginx section"
grep -q '<td>accept4</td><td class="a">allowed</td>.*<td class="why">/usr/sbin/nginx: .*accept4' results/report.html ||
	fail "report.html does not explain accept4"
if grep -E '<td class="a">allowed</td><td class="[ab]">[a-z]*</td><td class="why"></td>' results/report.html; then
	fail "report.html: an allowed syscall without a reason"
fi

# A second run replaces nginx's rows instead of appending.
"$CONFINE" -q -i myimages.json -o output/ -r results/ -p default.seccomp.json --no-monitor --no-validate --no-cve ||
	fail "second run"
[ "$(grep -c ';nginx;' results/profile.report.csv)" -eq 1 ] || fail "rows duplicated"

# The workload under the generated profile.
cid=$(docker run -d --rm -p 127.0.0.1:$PORT:80 --security-opt "seccomp=$T/$P" confine-test/nginx:latest)
trap 'docker rm -f "$cid" >/dev/null 2>&1; rm -rf "$T"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done
for _ in $(seq 20); do curl -sf "http://127.0.0.1:$PORT/" | grep -qi nginx || fail "curl under the profile"; done
curl -sf "http://127.0.0.1:$PORT/missing" && fail "404 expected"
[ "$(docker inspect -f '{{.State.Running}}' "$cid")" = true ] || fail "nginx died under the profile"
pass
