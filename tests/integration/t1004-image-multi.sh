#!/usr/bin/env bash
# An input holding several images: `docker save A B` and an OCI layout with
# two named manifests.  Without a name, confine must not pick one for the
# user: an error lists them (with their @N), exit non-zero, no -o file.
# With a name (a RepoTag, spelt as Docker lets one spell it, or a ref.name)
# or @N, exactly that image is opened; an unknown one is an error listing
# what is there.
. "$(dirname "$0")/lib.sh"

fixture small
command -v skopeo >/dev/null || skip "skopeo not installed (needed to make the OCI input)"

# A second, different image: one file, imported.
mkdir -p "$T/tiny/etc"
echo tiny >"$T/tiny/etc/hostname"
tar -C "$T/tiny" -c . | docker import - confine-test/tiny:multi >/dev/null
trap 'docker rmi -f confine-test/tiny:multi >/dev/null 2>&1; rm -rf "$T"' EXIT
small_id=$(docker image inspect -f '{{.Id}}' confine-test/small:latest)
tiny_id=$(docker image inspect -f '{{.Id}}' confine-test/tiny:multi)
[ "$small_id" != "$tiny_id" ] || fail "the two images are one"
docker save -o "$T/two.tar" confine-test/small:latest confine-test/tiny:multi

id_of() { "$CONFINE" inventory --json "$1" 2>"$T/err" | jq -r .id; }

# No name: an error naming both images and how to choose, nothing written.
expect_fail "two images, none named" "$CONFINE" profile "docker-archive:$T/two.tar" -o "$T/p.json"
grep -q "holds 2 images" "$T/err" || fail "no 'holds 2 images' in: $(cat "$T/err")"
grep -qF "confine-test/small:latest" "$T/err" && grep -qF "confine-test/tiny:multi" "$T/err" ||
	fail "the error does not list both images: $(cat "$T/err")"
grep -qF "docker-archive:FILE:@N" "$T/err" || fail "the error does not say how to choose: $(cat "$T/err")"
[ ! -e "$T/p.json" ] || fail "a profile was written for an ambiguous input"

# By name, in the spellings Docker accepts, and by number.
for ref in confine-test/small:latest confine-test/small docker.io/confine-test/small:latest; do
	got=$(id_of "docker-archive:$T/two.tar:$ref") || fail "docker-archive:...:$ref: $(cat "$T/err")"
	[ "$got" = "$small_id" ] || fail "docker-archive:...:$ref opened $got, not $small_id"
done
got=$(id_of "docker-archive:$T/two.tar:confine-test/tiny:multi")
[ "$got" = "$tiny_id" ] || fail "tiny:multi opened $got, not $tiny_id"
# @N is the order of the archive's manifest.json, which the error lists.
n_small=$(tar -xOf "$T/two.tar" manifest.json |
	jq '[.[].RepoTags | index("confine-test/small:latest") != null] | index(true)')
got=$(id_of "docker-archive:$T/two.tar:@$n_small")
[ "$got" = "$small_id" ] || fail "@$n_small opened $got, not $small_id"
grep -qF "@$n_small confine-test/small:latest" <("$CONFINE" inventory "docker-archive:$T/two.tar" 2>&1 || true) ||
	fail "the error's @N does not match the archive's order"

# What is not there.
expect_fail "unknown name" "$CONFINE" inventory "docker-archive:$T/two.tar:confine-test/nope"
grep -q "no image 'confine-test/nope'" "$T/err" && grep -qF "confine-test/tiny:multi" "$T/err" ||
	fail "unknown name: $(cat "$T/err")"
expect_fail "@2 of 2" "$CONFINE" inventory "docker-archive:$T/two.tar:@2"
grep -q "no image @2" "$T/err" || fail "@2: $(cat "$T/err")"
expect_fail "@x" "$CONFINE" inventory "docker-archive:$T/two.tar:@x"
grep -q "no image number" "$T/err" || fail "@x: $(cat "$T/err")"

# One image in the archive: opened without a name, as before.
docker save -o "$T/one.tar" confine-test/tiny:multi
[ "$(id_of "docker-archive:$T/one.tar")" = "$tiny_id" ] || fail "one-image archive: $(cat "$T/err")"

# An OCI layout (and its tar) with the two as ref.names "small" and "tiny".
skopeo copy -q "docker-archive:$T/two.tar:confine-test/small:latest" "oci:$T/oci:small"
skopeo copy -q "docker-archive:$T/two.tar:confine-test/tiny:multi" "oci:$T/oci:tiny"
tar -C "$T/oci" -cf "$T/oci.tar" .
for in in "oci:$T/oci" "oci-archive:$T/oci.tar"; do
	expect_fail "$in, none named" "$CONFINE" inventory "$in"
	grep -q "several images (@0 small, @1 tiny)" "$T/err" || fail "$in: $(cat "$T/err")"
	small_oci=$(id_of "$in:small") || fail "$in:small: $(cat "$T/err")"
	tiny_oci=$(id_of "$in:@1") || fail "$in:@1: $(cat "$T/err")"
	[ "$small_oci" != "$tiny_oci" ] || fail "$in: small and @1 (tiny) opened the same image"
	[ "$(id_of "$in:tiny")" = "$tiny_oci" ] || fail "$in: tiny and @1 differ"
	expect_fail "$in:nope" "$CONFINE" inventory "$in:nope"
	grep -q "no manifest named 'nope' (it lists @0 small, @1 tiny)" "$T/err" || fail "$in:nope: $(cat "$T/err")"
done
# The tiny image's one file is what the OCI "tiny" holds.
"$CONFINE" inventory --json "oci:$T/oci:tiny" | jq -e '.elf_files | length == 0' >/dev/null ||
	fail "oci:...:tiny has ELF files: it is not the tiny image"
pass
