#!/usr/bin/env bash
# What the tests of blockgate's own documents and shell glue run: groff and man-db (the man page renders without
# warnings), zsh and bash (the completion scripts, in the real shells), util-linux's script (a pseudo-terminal,
# for colour). Installs only when something is missing.
set -euo pipefail
readonly PACKAGES=(groff-base man-db zsh bash bsdutils)
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
