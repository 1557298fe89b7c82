#!/usr/bin/env bash
# Run a command as if QEMU's system module directory held only the modules in MODULES_DIR.
#
#   scripts/with-missing-module.sh MODULES_DIR -- CMD [ARGS...]
#
# CMD runs in a private mount namespace in which /usr/lib/x86_64-linux-gnu/qemu (override with
# BLOCKGATE_SYSTEM_MODULE_DIR) is bind-mounted from MODULES_DIR, so the host is not changed.
# Example, stock Debian QEMU without block-ssh.so (built by scripts/test-setup.sh):
#
#   scripts/with-missing-module.sh ~/.cache/blockgate/oracles/debian/modules-without-ssh -- \
#     qemu-system-x86_64 -machine none -display none -nodefaults -drive file=ssh://127.0.0.1/x,if=none
#
# stdin/stdout/stderr and CMD's exit status pass through. Exit status 125 means the arguments or
# the bind mount could not be set up; 126/127 mean CMD could not be executed / was not found.
# As root this uses `unshare -m`; otherwise an unprivileged user namespace (`unshare -U -r -m`),
# in which CMD runs as a mapped uid 0.
set -euo pipefail

usage() {
  printf 'usage: %s MODULES_DIR -- CMD [ARGS...]\n' "${0##*/}" >&2
  exit 125
}

(($# >= 3)) && [[ $2 == -- ]] || usage
modules_dir=$1
shift 2

target=${BLOCKGATE_SYSTEM_MODULE_DIR:-/usr/lib/x86_64-linux-gnu/qemu}
[[ -d $modules_dir ]] || { printf '%s: not a directory: %s\n' "${0##*/}" "$modules_dir" >&2; exit 125; }
[[ -d $target ]] || { printf '%s: not a directory: %s\n' "${0##*/}" "$target" >&2; exit 125; }
modules_dir=$(readlink -f -- "$modules_dir")

unshare_args=(--mount --propagation private)
if [[ $(id -u) -ne 0 ]]; then unshare_args=(--user --map-root-user "${unshare_args[@]}"); fi

# The inner shell does the bind mount and then execs CMD, so CMD's status is unshare's status.
# (If unshare itself cannot create the namespace, it prints why and exits 1.)
# shellcheck disable=SC2016
exec unshare "${unshare_args[@]}" -- /bin/bash -c '
  mount --bind -- "$1" "$2" || { echo "with-missing-module.sh: cannot bind-mount $1 over $2" >&2; exit 125; }
  shift 2
  exec -- "$@"
' with-missing-module "$modules_dir" "$target" "$@"
