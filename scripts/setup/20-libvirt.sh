#!/usr/bin/env bash
# What the libvirt tests need beyond 10-stack-packages.sh: virt-xml-validate runs xmllint (libxml2-utils, only
# recommended by libvirt-clients), and the real-libvirt comparison runs `unshare --user` (util-linux).
# Installs only when something is missing.
set -euo pipefail
readonly PACKAGES=(libxml2-utils util-linux)
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
