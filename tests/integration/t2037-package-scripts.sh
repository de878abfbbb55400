#!/bin/bash
# `npm start`, `npm run NAME`, `yarn NAME`: the package manager runs the
# package.json script NAME (after preNAME, before postNAME) with /bin/sh
# -c, node_modules/.bin first on PATH.  Their commands are programs of the
# set (origin cmd, the script named), in the working folder's package or
# the one --prefix names; a docker-archive keeps the application's
# package.json (not those under node_modules).  Scripts the command line
# does not run add nothing.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"
R=$T/root
root_add_libc "$R"
for p in /bin/sh /usr/bin/npm /usr/bin/yarn /usr/bin/node /usr/bin/tool-pre /usr/bin/tool-post /usr/bin/tool-stop \
	/usr/bin/tool-other /usr/bin/npx /srv/pkg/node_modules/.bin/served /app/node_modules/.bin/nodemon; do
	fake_plain "$R$p"
done
mkdir -p "$R/app" "$R/srv/pkg"
cat >"$R/app/package.json" <<'JSON'
{ "name": "app", "scripts": {
  "prestart": "tool-pre --check",
  "start": "NODE_ENV=production nodemon server.js || node server.js",
  "poststart": "tool-post",
  "stop": "tool-stop",
  "other": "tool-other" } }
JSON
printf '{"scripts": {"serve": "served --port 1"}}\n' >"$R/srv/pkg/package.json"
# A package in node_modules: its scripts are not the application's.
mkdir -p "$R/app/node_modules/dep"
printf '{"scripts": {"start": "tool-other"}}\n' >"$R/app/node_modules/dep/package.json"

progs() { # IMAGE OPTS ARGS: the program set, "PATH ORIGIN: REASON" lines
	"$CONFINE" explain --quiet --json --options "$2" ${3:+--args "$3"} "$1" exit_group >"$T/e.json" 2>"$T/e.err" ||
		fail "explain $1 $2 $3 failed: $(cat "$T/e.err")"
	jq -r '.programs[] | "\(.program) \(.origin): \(.reason)"' "$T/e.json"
}
has() { grep -qx "$1 cmd: $2" "$T/p" || fail "$3: no '$1 cmd: $2' in: $(cat "$T/p")"; }
lacks() { grep -q "^$1 " "$T/p" && fail "$2: $1 is in the set: $(cat "$T/p")"; true; }

why="script 'start' of /app/package.json, run by npm"
progs "dir:$R" "--entrypoint npm -w /app" start >"$T/p"
for p in /usr/bin/tool-pre /app/node_modules/.bin/nodemon /usr/bin/node /usr/bin/tool-post /bin/sh; do
	has "$p" "$why" "npm start"
done
lacks /usr/bin/tool-stop "npm start"
lacks /usr/bin/tool-other "npm start"

# npm restart: stop, then start.
progs "dir:$R" "--entrypoint npm -w /app" restart >"$T/p"
has /usr/bin/tool-stop "script 'restart' of /app/package.json, run by npm" "npm restart"
has /usr/bin/tool-pre "script 'restart' of /app/package.json, run by npm" "npm restart"

# yarn NAME, and npm run NAME --prefix DIR from another folder.
progs "dir:$R" "--entrypoint yarn -w /app" other >"$T/p"
has /usr/bin/tool-other "script 'other' of /app/package.json, run by yarn" "yarn other"
lacks /usr/bin/tool-pre "yarn other"
progs "dir:$R" "--entrypoint npm -w /" "--prefix /srv/pkg run serve" >"$T/p"
has /srv/pkg/node_modules/.bin/served "script 'serve' of /srv/pkg/package.json, run by npm" "npm --prefix run"

# In shell text: sh -c "... && npm start", and an entrypoint script's `exec npm run NAME`.
progs "dir:$R" "--entrypoint /bin/sh -w /app" "-c 'NODE_ENV=x npm run other && exec npm start'" >"$T/p"
has /usr/bin/tool-other "script 'other' of /app/package.json, run by npm" "sh -c npm run other"
has /usr/bin/tool-post "$why" "sh -c npm start"
printf '#!/bin/sh\nset -e\ncd /srv/pkg\nexec npm --prefix /srv/pkg run serve\n' >"$R/entry.sh"
chmod +x "$R/entry.sh"
progs "dir:$R" "--entrypoint /entry.sh" >"$T/p"
has /srv/pkg/node_modules/.bin/served "script 'serve' of /srv/pkg/package.json, run by npm" "entrypoint script"

# npx NAME: the package's node_modules/.bin/NAME.
progs "dir:$R" "--entrypoint npx -w /app" "--yes nodemon server.js" >"$T/p"
has /app/node_modules/.bin/nodemon "run by npx" "npx nodemon"

# A missing script is a warning, not an error.
"$CONFINE" explain --json --options "--entrypoint npm -w /app" --args "run nothere" "dir:$R" exit_group \
	>"$T/e.json" 2>"$T/e.err" || fail "explain with a missing script failed"
jq -e '.warnings | map(select(test("has no script .nothere."))) | length == 1' "$T/e.json" >/dev/null ||
	fail "no warning for the missing script: $(jq -c .warnings "$T/e.json")"

# A malformed package.json: a warning naming it and the line.
mkdir -p "$R/bad"
printf '{"scripts": {"start": "tool-pre",\n' >"$R/bad/package.json"
"$CONFINE" explain --json --options "--entrypoint npm -w /bad" --args start "dir:$R" exit_group \
	>"$T/e.json" 2>"$T/e.err" || fail "explain with a malformed package.json failed"
jq -e '.warnings | map(select(test("cannot parse ./bad/package.json. \\(line"))) | length == 1' "$T/e.json" >/dev/null ||
	fail "no warning for the malformed package.json: $(jq -c .warnings "$T/e.json")"
# yarn's built-in commands are no scripts: no warning.
"$CONFINE" explain --json --options "--entrypoint yarn -w /app" --args install "dir:$R" exit_group \
	>"$T/e.json" 2>"$T/e.err" || fail "explain yarn install failed"
jq -e '.warnings | map(select(test("script"))) | length == 0' "$T/e.json" >/dev/null ||
	fail "yarn install warned of a script: $(jq -c .warnings "$T/e.json")"

# The image's own config (Cmd ["npm", "start"], WorkingDir /app) in a docker-archive.
docker_archive "$R" "$T/img.tar" '["npm", "start"]' /app || fail "cannot build the docker-archive"
progs "docker-archive:$T/img.tar" "" >"$T/p"
has /app/node_modules/.bin/nodemon "$why" "docker-archive npm start"
has /usr/bin/tool-post "$why" "docker-archive npm start"
pass
