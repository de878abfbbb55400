#!/usr/bin/env bash
# Soundness against reality, part 5: Go binaries.  Debian's runc,
# containerd, dockerd, podman and the docker CLI (stripped of Go symbols, PIE and
# non-PIE, Go 1.19 and 1.24), terraform and kubectl (Go 1.23) when
# installed, and when golang-go is installed a fixture
# built here (cgo, static, stripped, PIE) that uses syscall.Syscall and
# RawSyscall with constant numbers, sockets, goroutines and os/exec.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init

W=$T/w
mkdir -p "$W/runc"
cd "$W"
ran=0
if [ -x /usr/sbin/runc ]; then
	# runc links libseccomp, which looks the seccomp syscall number up by
	# name in its architecture tables at run time and calls syscall(nr, ...):
	# the analysis's model of it makes those calls seccomp, so runc's set
	# is not "everything" (st_check's trivial test) and holds seccomp.
	st_run runc-version /usr/sbin/runc --version
	st_run runc-list /usr/sbin/runc --root "$W/runc" list
	ran=1
fi
if [ -x /usr/bin/containerd ]; then
	st_run containerd-version /usr/bin/containerd --version
	st_run containerd-config /usr/bin/containerd config default
	ran=1
fi
if [ -x /usr/sbin/dockerd ]; then
	st_run dockerd-version /usr/sbin/dockerd --version
	ran=1
fi
if [ -x /usr/bin/podman ]; then
	# podman's functions spill their argument registers into big frames
	# before storing a call's stack arguments (getpid's 39 for
	# RawSyscallNoError): with too few stack slots tracked its set was
	# "everything", which st_check fails as trivial.  Its own storage.
	pod=(/usr/bin/podman --root "$W/podman/root" --runroot "$W/podman/run" --storage-driver vfs)
	st_run podman-version "${pod[@]}" --version
	st_run podman-info "${pod[@]}" info
	st_run podman-images "${pod[@]}" images
	ran=1
fi
for d in /usr/local/bin/docker /usr/bin/docker; do
	[ -x "$d" ] || continue
	st_run "docker-version-${d//\//_}" "$d" --version
	if docker_up; then
		st_run "docker-info-${d//\//_}" "$d" version --format '{{.Server.Version}}'
	fi
	ran=1
done

# Newer Go builds from outside Debian (go1.23), when this machine has them: their
# syscall.fcntl64Syscall (FcntlFlock, forkAndExec) sits next to package
# variables that are written, so the trivial check below fails unless the
# analysis knows each store's size.  No network: no update check, no server.
if [ -x /usr/local/bin/terraform ]; then
	mkdir -p "$W/tf"
	printf 'output "x" {\n  value = "hi"\n}\n' >"$W/tf/main.tf"
	export CHECKPOINT_DISABLE=1
	st_run tf-version /usr/local/bin/terraform version
	st_run tf-init /usr/local/bin/terraform -chdir="$W/tf" init -input=false
	st_run tf-apply /usr/local/bin/terraform -chdir="$W/tf" apply -auto-approve -input=false
	st_run tf-output /usr/local/bin/terraform -chdir="$W/tf" output
	ran=1
fi
kubectl=$(command -v kubectl || true)
[ -n "$kubectl" ] || [ ! -x /usr/lib/google-cloud-sdk/bin/kubectl ] || kubectl=/usr/lib/google-cloud-sdk/bin/kubectl
if [ -n "$kubectl" ]; then
	export KUBECONFIG=$W/kubeconfig
	st_run kubectl-version "$kubectl" version --client
	st_run kubectl-set-context "$kubectl" config set-context x --cluster=y
	st_run kubectl-dry-run "$kubectl" create deployment x --image=nginx --dry-run=client -o yaml
	ran=1
fi

GOFIX=()
if command -v go >/dev/null; then
	export GOCACHE=${CONFINE_FIXTURES:-/var/tmp/confine-fixtures}/gocache GOPATH=$T/gopath
	export GOFLAGS=-mod=mod GOTOOLCHAIN=local
	mkdir -p "$GOCACHE"
	src=$CONFINE_SRC/tests/fixtures/programs/go
	(cd "$src" && go build -o "$W/gofix" .) || fail "cannot build the Go fixture"
	(cd "$src" && go build -buildmode=pie -ldflags='-s -w' -o "$W/gofix-pie-stripped" .) ||
		fail "cannot build the Go fixture (pie)"
	(cd "$src" && CGO_ENABLED=0 go build -ldflags='-s -w' -o "$W/gofix-static-stripped" .) ||
		fail "cannot build the Go fixture (static)"
	GOFIX=(gofix gofix-pie-stripped gofix-static-stripped)
	for g in "${GOFIX[@]}"; do
		st_run "$g" "$W/$g"
	done
	ran=1
else
	echo "golang-go not installed: the Go fixture part is skipped"
fi
[ "$ran" = 1 ] || skip "no Go binaries here"
st_check
if [ -x /usr/sbin/runc ]; then
	st_static_has /usr/sbin/runc seccomp || fail "runc: seccomp (libseccomp's model) missing from its set"
fi

for g in "${GOFIX[@]}"; do
	# shellcheck disable=SC2046
	st_expect "$g" "$W/$g" $(sed -n 's|^// expect: \(.*\)$|\1|p' "$CONFINE_SRC/tests/fixtures/programs/go/main.go")
done
pass
