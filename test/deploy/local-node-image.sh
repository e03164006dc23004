#!/usr/bin/env bash
# Builds local/node:20, a Node 20 base image for the Dockerfile (--build-arg NODE_IMAGE=local/node:20)
# on machines whose Docker cannot pull from Docker Hub: Debian 13 "trixie" minbase from this
# machine's Debian mirror, with Debian's nodejs 20 and CA certificates, and npm from the npm
# registry at this machine's npm version (Debian's npm package brings ~380 packages and takes
# minutes to install). Needs root, a running dockerd, npm and debootstrap (installed if missing).
# The image's npm uses this machine's registry and trusts this machine's extra CA certificates.
# Usage: local-node-image.sh [work dir]   (default /tmp/local-node-image)
set -euo pipefail
work=${1:-/tmp/local-node-image}
mkdir -p "$work" && cd "$work"
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
command -v debootstrap >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q debootstrap >/dev/null; }
rm -rf rootfs
debootstrap --variant=minbase trixie rootfs ${mirror:+"$mirror"} > debootstrap.log 2>&1 \
  || { tail -20 debootstrap.log >&2; exit 1; }
cp /etc/resolv.conf rootfs/etc/resolv.conf
mount -t proc proc rootfs/proc
trap 'umount rootfs/proc 2>/dev/null || true' EXIT
chroot rootfs bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends nodejs ca-certificates >/dev/null'
cp /usr/local/share/ca-certificates/*.crt rootfs/usr/local/share/ca-certificates/ 2>/dev/null || true
chroot rootfs update-ca-certificates >/dev/null 2>&1
# npm is pure JavaScript: installed by this machine's npm into the image's /usr/local. It reads
# its global config from <node's prefix>/etc/npmrc, i.e. /usr/etc/npmrc.
npm install --global --prefix rootfs/usr/local "npm@$(npm --version)" --no-audit --no-fund >/dev/null
mkdir -p rootfs/usr/etc
printf 'registry=%s\ncafile=/etc/ssl/certs/ca-certificates.crt\nupdate-notifier=false\n' "$(npm config get registry)" | tee rootfs/etc/npmrc > rootfs/usr/etc/npmrc
chroot rootfs bash -c 'apt-get clean; rm -rf /var/lib/apt/lists/* /var/log/*.log; echo "node $(node --version), npm $(npm --version)"'
umount rootfs/proc; trap - EXIT
rm -f rootfs/etc/resolv.conf
docker rmi local/node:20 >/dev/null 2>&1 || true
tar -C rootfs -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["node"]' - local/node:20 >/dev/null
rm -rf rootfs
echo "local/node:20 ready"
