#!/usr/bin/env bash
# Soundness against reality, part 4: servers and network clients on
# 127.0.0.1 only: nginx (-t, serving, reload, quit), curl, redis-server
# with redis-cli, openssl (dgst, req, s_server/s_client).  The servers run
# under strace -f with their workers and are stopped the way operators do.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init
for p in nginx curl redis-server redis-cli openssl; do
	command -v "$p" >/dev/null || skip "$p not installed"
done

W=$T/w
mkdir -p "$W/html" "$W/logs" "$W/tmp" "$W/redis"
cd "$W"
echo '<h1>confine</h1>' >"$W/html/index.html"
head -c 3000000 /dev/urandom >"$W/html/big.bin"
PORT=$(free_port)
cat >"$W/nginx.conf" <<CONF
user root;
worker_processes 2;
pid $W/nginx.pid;
error_log $W/logs/error.log;
events { worker_connections 64; }
http {
	access_log $W/logs/access.log;
	client_body_temp_path $W/tmp/body;
	proxy_temp_path $W/tmp/proxy;
	fastcgi_temp_path $W/tmp/fastcgi;
	uwsgi_temp_path $W/tmp/uwsgi;
	scgi_temp_path $W/tmp/scgi;
	sendfile on;
	keepalive_timeout 5;
	server {
		listen 127.0.0.1:$PORT;
		root $W/html;
		location / { try_files \$uri \$uri/ =404; }
	}
}
CONF
NGX=(nginx -p "$W" -c "$W/nginx.conf")

st_run nginx-t "${NGX[@]}" -t
st_bg nginx "${NGX[@]}" -g 'daemon off;'
ngx_pid=$ST_BG_PID
st_wait_port "$PORT"
st_run curl-index curl -sf "http://127.0.0.1:$PORT/"
st_run_rc 22 curl-404 curl -sf "http://127.0.0.1:$PORT/nope"
st_run curl-big curl -sf -o "$W/big.out" "http://127.0.0.1:$PORT/big.bin"
cmp -s "$W/big.out" "$W/html/big.bin" || fail "nginx served a different big.bin"
st_run curl-keepalive curl -sf -I "http://127.0.0.1:$PORT/" "http://127.0.0.1:$PORT/index.html"
st_run curl-post curl -s -o /dev/null -d 'a=1' "http://127.0.0.1:$PORT/"
st_run nginx-reload "${NGX[@]}" -s reload
sleep 0.5
st_run curl-after-reload curl -sf "http://127.0.0.1:$PORT/"
st_run nginx-quit "${NGX[@]}" -s quit
st_bg_wait "$ngx_pid" nginx
st_run curl-file curl -sf "file://$W/html/index.html"

RPORT=$(free_port)
st_bg redis redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$W/redis" --daemonize no --loglevel warning
redis_pid=$ST_BG_PID
st_wait_port "$RPORT"
st_run redis-ping redis-cli -p "$RPORT" ping
st_run redis-set redis-cli -p "$RPORT" set k v
st_run redis-ops redis-cli -p "$RPORT" eval "redis.call('lpush','l','a','b'); return redis.call('lrange','l',0,-1)" 0
st_run redis-bgsave redis-cli -p "$RPORT" bgsave
sleep 0.5
st_run redis-info redis-cli -p "$RPORT" info
st_run redis-shutdown redis-cli -p "$RPORT" shutdown nosave
st_bg_wait "$redis_pid" redis-server

st_run openssl-dgst openssl dgst -sha256 "$W/html/big.bin"
st_run openssl-req openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$W/key.pem" -out "$W/cert.pem" -subj /CN=localhost -days 1
st_run openssl-enc sh -c "openssl enc -aes-256-cbc -pbkdf2 -pass pass:x -in '$W/html/index.html' | openssl base64 >/dev/null"
SPORT=$(free_port)
st_bg openssl-s_server openssl s_server -accept "127.0.0.1:$SPORT" -cert "$W/cert.pem" \
	-key "$W/key.pem" -www -naccept 3
srv_pid=$ST_BG_PID
st_wait_port "$SPORT" # (this probe is one of the three accepts)
st_run openssl-s_client sh -c "echo | openssl s_client -connect 127.0.0.1:$SPORT -brief"
st_run curl-https curl -sk "https://127.0.0.1:$SPORT/"
st_bg_wait "$srv_pid" openssl-s_server
st_check
pass
