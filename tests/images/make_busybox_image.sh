#!/usr/bin/env bash
# Builds a small busybox image as an OCI image layout in OUTDIR, from Debian's
# busybox-static (/bin/busybox), with tar, gzip and sha256sum only: no
# registry, no image tools, no image binary in the repository.
#
#   tests/images/make_busybox_image.sh OUTDIR [NAME]
#
# NAME (default busybox:latest) goes into index.json's
# org.opencontainers.image.ref.name annotation. The output is reproducible:
# two runs with the same busybox give byte-identical layouts (sorted tar with
# fixed mtimes and owners, gzip -n, fixed JSON). BUSYBOX=path overrides the
# binary.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 OUTDIR [NAME]" >&2
  exit 2
fi
out=$1
name=${2:-busybox:latest}
busybox=${BUSYBOX:-/bin/busybox}
if [[ ! -x $busybox ]]; then
  echo "$0: $busybox not found (apt-get install busybox-static)" >&2
  exit 1
fi
case $(uname -m) in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022

# The root filesystem: busybox, one symlink per applet, passwd and group.
root=$work/rootfs
mkdir -p "$root"/{bin,dev,etc,proc,root,sys,tmp}
cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [[ $applet == busybox ]] || ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
chmod 0755 "$root" "$root"/{bin,dev,etc,proc,sys}
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"
chmod 0644 "$root/etc/passwd" "$root/etc/group"

# The layer: its diff_id is the sha256 of the tar, its digest that of the gzip.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
  -C "$root" -cf "$work/layer.tar" .
diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -9 < "$work/layer.tar" > "$work/layer.tar.gz"

rm -rf "$out"
mkdir -p "$out/blobs/sha256"
# Copies FILE into the layout as a blob; prints "digest size".
store_blob() {
  local file=$1 hex size
  hex=$(sha256sum "$file" | cut -d' ' -f1)
  size=$(stat -c %s "$file")
  cp "$file" "$out/blobs/sha256/$hex"
  echo "sha256:$hex $size"
}

read -r layer_digest layer_size < <(store_blob "$work/layer.tar.gz")
printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
  "$arch" "$diff_id" > "$work/config.json"
read -r config_digest config_size < <(store_blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
  "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$work/manifest.json"
read -r manifest_digest manifest_size < <(store_blob "$work/manifest.json")
printf '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest_digest" "$manifest_size" "$name" > "$out/index.json"
echo "$manifest_digest"
