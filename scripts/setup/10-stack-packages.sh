#!/usr/bin/env bash
# Debian's packages for the layers above QEMU: libvirt, libguestfs, virt-v2v, nbdkit (and what the tests
# build guest images with). Installs only when something is missing.
# libnbd-bin: virt-v2v 2.2 copies every disk with nbdcopy and sizes it with nbdinfo, but Debian 12's virt-v2v
# 2.2.0-1 neither depends on nor recommends the package; without it a conversion fails only at the copy, after the
# whole conversion ("nbdcopy: executable not found" / "virt-v2v: error: nbdcopy command failed").
set -euo pipefail
readonly PACKAGES=(
  libguestfs-tools virt-v2v libnbd-bin libvirt-clients libvirt-daemon nbdkit debootstrap linux-image-amd64
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "test-setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
