#!/usr/bin/env bash
# Prepare the real QEMU binaries ("oracles") that the integration tests run against.
#
#   bash scripts/test-setup.sh
#
# - Installs the Debian packages the tests and the builds need (only when something is missing).
# - Builds QEMU 7.2 from Debian's qemu source package three times, with RHEL-like block-driver
#   whitelists: rhel9, rhel7 and rhel9-tools (whitelist enforced in qemu-img/qemu-io/qemu-nbd too).
# - Describes the stock Debian QEMU as the "debian" oracle, with a copy of its module directory
#   that lacks block-ssh.so (see scripts/with-missing-module.sh).
#
# Everything lives under $BLOCKGATE_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/blockgate):
#   oracles/<name>/bin/                       qemu-system-x86_64 qemu-img qemu-io qemu-nbd
#   oracles/<name>/modules/                   every built module: use QEMU_MODULE_DIR=<this dir>
#   oracles/<name>/lib/x86_64-linux-gnu/qemu/ accel modules only; the binaries' default module
#                                             dir, so without QEMU_MODULE_DIR TCG still loads but
#                                             block-curl/block-ssh are "not installed"
#   oracles/<name>/build.json                 manifest (also oracles/debian/build.json and
#                                             oracles/debian/modules-without-ssh/)
#   src/                                      the unpacked Debian qemu source tree (kept)
#   build/<name>/                             meson build dirs (deleted after a successful build
#                                             unless BLOCKGATE_KEEP_BUILD=1)
#   logs/<name>.log                           configure and ninja output
# A build is skipped when oracles/<name>/build.json records the same configHash (a hash of the
# configure arguments and RECIPE_REVISION) and the binaries are present; the module layout and
# build.json are still refreshed (cheaply, and rewritten only on change). Runs are serialised
# with a lock, so concurrent invocations are safe. With everything cached this takes well under
# a second and makes no apt or network call.
#
# Environment: BLOCKGATE_CACHE, BLOCKGATE_JOBS (default: nproc), BLOCKGATE_KEEP_BUILD=1.
# The recipe is /work/shared/reference/oracle-builds.md (Debian 12 bookworm, amd64).
set -euo pipefail

# Bump to force every build to be redone after a change to how builds are made or copied.
readonly RECIPE_REVISION=1

readonly CACHE="${BLOCKGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/blockgate}"
readonly ORACLES="$CACHE/oracles"
readonly LOGS="$CACHE/logs"
readonly SRC_ROOT="$CACHE/src"
readonly BUILD_ROOT="$CACHE/build"
readonly JOBS="${BLOCKGATE_JOBS:-$(nproc)}"

readonly DEBIAN_MODDIR=/usr/lib/x86_64-linux-gnu/qemu
readonly DEB_SRC_FILE=/etc/apt/sources.list.d/debian-src.sources

readonly PACKAGES=(
  qemu-utils qemu-system-x86 qemu-block-extra dpkg-dev ninja-build meson libglib2.0-dev
  libpixman-1-dev zlib1g-dev pkg-config flex bison libfdt-dev libcurl4-gnutls-dev libssh-dev
  util-linux
  # The layers above QEMU, and the kernel and debootstrap the libguestfs appliance and the virt-v2v test guest need.
  # libnbd-bin: virt-v2v 2.2 copies every disk with nbdcopy and sizes it with nbdinfo, but Debian 12's virt-v2v
  # 2.2.0-1 neither depends on nor recommends it; without it a conversion fails only at the copy.
  libguestfs-tools virt-v2v libnbd-bin libvirt-clients libvirt-daemon nbdkit debootstrap linux-image-amd64
  # virt-xml-validate runs xmllint (only recommended by libvirt-clients).
  libxml2-utils
  # The man page (groff, man-db), the completion scripts in real shells (zsh, bash), script(1) for a terminal.
  groff-base man-db zsh bash bsdutils
)

readonly COMMON_ARGS=(
  --target-list=x86_64-softmmu --without-default-features --disable-docs
  --enable-tools --enable-fdt=system --disable-install-blobs
  --enable-modules --enable-curl --enable-libssh
  --enable-vdi --enable-qcow1 --enable-qed --enable-parallels --enable-bochs
  --enable-cloop --enable-dmg --enable-vvfat
)
readonly RHEL9_RW=qcow2,raw,file,host_device,nbd,iscsi,rbd,blkdebug,luks,null-co,nvme,copy-on-read,throttle,compress
readonly RHEL9_RO=vdi,vmdk,vhdx,vpc,https
readonly RHEL7_RW=qcow2,raw,file,host_device,blkdebug,nbd,iscsi,gluster,rbd
readonly RHEL7_RO=vmdk,vhdx,vpc,ssh,https

# Wanted ninja targets; the ones this source tree does not define are dropped. The accel modules
# are needed because --enable-modules makes TCG (and qtest) loadable modules: without them a
# QEMU_MODULE_DIR=<oracle>/modules run stops with "could not load module for type 'tcg-accel-ops'".
readonly TARGETS=(
  qemu-system-x86_64 qemu-img qemu-io qemu-nbd
  block-curl.so block-ssh.so accel-tcg-x86_64.so accel-qtest-x86_64.so
)
# Where the built binaries look for modules when QEMU_MODULE_DIR is unset, relative to the
# oracle dir (CONFIG_QEMU_MODDIR relative to the default prefix /usr/local; checked at build time).
readonly DEFAULT_MODDIR_REL=lib/x86_64-linux-gnu/qemu
readonly REQUIRED_FILES=(
  bin/qemu-system-x86_64 bin/qemu-img bin/qemu-io modules/block-curl.so modules/block-ssh.so
)

# The builds use the Debian toolchain (meson, python3, ninja) even when PATH puts pyenv/cargo
# shims or the like first.
readonly BUILD_PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
APT_UPDATED=0

say() { printf 'test-setup: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

as_root() { ${SUDO[@]+"${SUDO[@]}"} "$@"; }

# run_logged LOG CMD...: append CMD's output to LOG; on failure show the log's tail and exit.
run_logged() {
  local log=$1; shift
  printf '\n+ %s\n' "$*" >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    say "command failed: $*"
    say "last 40 lines of $log:"
    tail -n 40 "$log" >&2
    exit 1
  fi
}

json_str() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/\\t}; s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}
  printf '"%s"' "$s"
}
json_arr() {
  local out='[' sep='' x
  for x in "$@"; do out+="$sep$(json_str "$x")"; sep=', '; done
  printf '%s]' "$out"
}
# csv_json_arr "a,b,c" -> ["a", "b", "c"]; "" -> []
csv_json_arr() {
  local -a items=()
  [[ -n $1 ]] && IFS=, read -r -a items <<<"$1"
  json_arr ${items[@]+"${items[@]}"}
}
# manifest_field FILE KEY: the string value of "KEY" in a manifest written by this script.
manifest_field() {
  local v
  v=$(sed -n "s/^  \"$2\": \"\\(.*\\)\",\{0,1\}\$/\\1/p" "$1")
  printf '%s\n' "${v%%$'\n'*}"
}
write_file_atomic() { # write_file_atomic PATH CONTENT
  printf '%s\n' "$2" >"$1.tmp.$$"
  mv -f "$1.tmp.$$" "$1"
}
first_line_version() { # the first line of `<qemu binary> --version`
  local out
  out=$("$1" --version) || die "$1 --version failed"
  printf '%s\n' "${out%%$'\n'*}"
}
short_version() { # "QEMU emulator version 7.2.22 (Debian ...)" -> "7.2.22"
  local v=${1#QEMU emulator version }
  printf '%s\n' "${v%% *}"
}

# ---------------------------------------------------------------------------------------------
# Packages

ensure_packages() {
  local status missing=() p
  # One dpkg-query for all of them; packages dpkg has never heard of are reported on stderr.
  status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)
  for p in "${PACKAGES[@]}"; do
    grep -qx "$p ii *" <<<"$status" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  say "installing missing packages: ${missing[*]}"
  apt_update
  run_logged "$LOGS/setup.log" as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

apt_update() {
  ((APT_UPDATED)) && return 0
  say "apt-get update"
  run_logged "$LOGS/setup.log" as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  APT_UPDATED=1
}

# ---------------------------------------------------------------------------------------------
# Source tree (fetched lazily: only when a build is actually needed)

SRC_DIR=''
ensure_source() {
  [[ -n $SRC_DIR ]] && return 0
  if [[ -f $SRC_ROOT/.complete ]]; then
    SRC_DIR="$SRC_ROOT/$(sed -n 1p "$SRC_ROOT/.complete")"
    [[ -f $SRC_DIR/configure ]] || die "$SRC_ROOT/.complete names a missing tree; delete $SRC_ROOT and rerun"
  else
    fetch_source
  fi
  patch_source
}

have_deb_src() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] && grep -Eq '^[[:space:]]*deb-src[[:space:]].*debian.*bookworm' "$f" && return 0
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    # deb822: a stanza with deb-src among its Types and bookworm among its Suites.
    awk 'BEGIN { RS = ""; IGNORECASE = 1 }
         /(^|\n)Types:[^\n]*deb-src/ && /(^|\n)Suites:[^\n]*bookworm/ && !/(^|\n)Enabled:[ \t]*no/ { found = 1 }
         END { exit !found }' "$f" && return 0
  done
  return 1
}

fetch_source() {
  local log="$LOGS/setup.log" tmp="$CACHE/src.tmp" srcver dir
  if ! have_deb_src; then
    say "adding $DEB_SRC_FILE"
    as_root tee "$DEB_SRC_FILE" >/dev/null <<'S'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
S
    APT_UPDATED=0
  fi
  # apt may know deb-src entries whose index was never downloaded.
  local known
  known=$(apt-cache showsrc --only-source qemu 2>/dev/null || true)
  if ((!APT_UPDATED)) && ! grep -q '^Version:' <<<"$known"; then
    apt_update
  fi
  # Prefer the source of the installed binaries, so that the builds match the stock Debian oracle.
  srcver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null || true)
  rm -rf "$tmp"; mkdir -p "$tmp"
  say "fetching the Debian qemu source package into $SRC_ROOT"
  printf '\n+ (cd %s && apt-get source qemu=%s)\n' "$tmp" "$srcver" >>"$log"
  if [[ -z $srcver ]] || ! (cd "$tmp" && apt-get source "qemu=$srcver") >>"$log" 2>&1; then
    say "qemu=$srcver is not available as source; using the newest qemu source instead"
    rm -rf "$tmp"; mkdir -p "$tmp"
    (cd "$tmp" && run_logged "$log" apt-get source qemu)
  fi
  dir=$(cd "$tmp" && find . -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' -printf '%f\n' | head -n 1)
  [[ -n $dir && -f $tmp/$dir/configure ]] || die "apt-get source qemu produced no source tree (see $log)"
  # Keep only the unpacked tree; the tarballs (~25 MB) are not needed again.
  find "$tmp" -mindepth 1 -maxdepth 1 ! -name "$dir" -exec rm -rf {} +
  srcver=$(dpkg-parsechangelog -l "$tmp/$dir/debian/changelog" -S Version 2>/dev/null || echo unknown)
  printf '%s\n%s\n' "$dir" "$srcver" >"$tmp/.complete"
  rm -rf "$SRC_ROOT"
  mv "$tmp" "$SRC_ROOT"
  SRC_DIR="$SRC_ROOT/$dir"
}

patch_source() {
  # The dfsg tarball has no firmware blobs, yet pc-bios/meson.build unpacks edk2-*.fd.bz2 whenever
  # bzip2 is installed ("File edk2-aarch64-code.fd.bz2 does not exist"). Never unpack them.
  # (Debian's skip-meson-pc-bios.diff already comments out subdir('pc-bios') in the tree that
  # `apt-get source` unpacks, so this only matters for a pristine tree; it is harmless either way.)
  local mb="$SRC_DIR/meson.build"
  if grep -Eq '^[[:space:]]*unpack_edk2_blobs[[:space:]]*=[[:space:]]*[^[:space:]f]' "$mb"; then
    sed -i -E 's/^([[:space:]]*)unpack_edk2_blobs[[:space:]]*=[[:space:]]*[^[:space:]f].*$/\1unpack_edk2_blobs = false  # blockgate: dfsg tree has no edk2 blobs/' "$mb"
  fi
  local assignments
  assignments=$(grep -E '^[[:space:]]*unpack_edk2_blobs[[:space:]]*=' "$mb" || true)
  [[ -n $assignments ]] || die "no unpack_edk2_blobs assignment in $mb; the edk2 workaround needs updating"
  if grep -vq '= false' <<<"$assignments"; then
    die "could not force unpack_edk2_blobs = false in $mb"
  fi
}

# ---------------------------------------------------------------------------------------------
# Stock Debian oracle

setup_debian_oracle() {
  local dir="$ORACLES/debian" nossh="$ORACLES/debian/modules-without-ssh" f base version manifest
  mkdir -p "$nossh"
  [[ -x /usr/bin/qemu-system-x86_64 && -d $DEBIAN_MODDIR ]] || die "stock Debian QEMU is not installed"
  # Every module except block-ssh.so: bind-mounting this over $DEBIAN_MODDIR must only take ssh
  # away. (Copying just block-*.so would also hide accel-tcg-x86_64.so, and every run that gets
  # past option parsing would then die with "could not load module for type 'tcg-accel-ops'".)
  for f in "$DEBIAN_MODDIR"/*.so; do
    [[ -e $f ]] || continue
    base=${f##*/}
    [[ $base == block-ssh.so ]] && continue
    cmp -s "$f" "$nossh/$base" || cp -f "$f" "$nossh/$base"
  done
  for f in "$nossh"/*; do
    [[ -e $f ]] || continue
    base=${f##*/}
    if [[ $base == block-ssh.so || ! -e $DEBIAN_MODDIR/$base ]]; then rm -rf "$f"; fi
  done
  version=$(first_line_version /usr/bin/qemu-system-x86_64)
  manifest=$(cat <<EOF
{
  "name": "debian",
  "qemuVersion": $(json_str "$version"),
  "configureArgs": [],
  "rwWhitelist": [],
  "roWhitelist": [],
  "toolsEnforce": false,
  "package": $(json_str "$(dpkg-query -W -f='${Version}' qemu-system-x86)"),
  "qemuSystem": "/usr/bin/qemu-system-x86_64",
  "qemuImg": "/usr/bin/qemu-img",
  "qemuIo": "/usr/bin/qemu-io",
  "qemuNbd": "/usr/bin/qemu-nbd",
  "moduleDir": $(json_str "$DEBIAN_MODDIR"),
  "modulesWithoutSsh": $(json_str "$nossh")
}
EOF
)
  # Rewrite only on change, so an unchanged cache keeps its timestamps.
  if [[ ! -f $dir/build.json ]] || [[ $(<"$dir/build.json") != "$manifest" ]]; then
    write_file_atomic "$dir/build.json" "$manifest"
  fi
}

# ---------------------------------------------------------------------------------------------
# Whitelisted builds

# build_oracle NAME RW RO TOOLS(0|1): build NAME unless the cached build has the same configHash,
# then (always, cheaply) lay out the default module dir and refresh build.json.
build_oracle() {
  local name=$1 rw=$2 ro=$3 tools=$4
  local out="$ORACLES/$name"
  local -a args=("${COMMON_ARGS[@]}" "--block-drv-rw-whitelist=$rw" "--block-drv-ro-whitelist=$ro")
  ((tools)) && args+=(--enable-block-drv-whitelist-in-tools)
  local hash f fresh=0 source
  hash=$(printf 'recipe %s\n' "$RECIPE_REVISION" | cat - <(printf '%s\n' "${args[@]}") | sha256sum)
  hash=${hash%% *}

  if [[ -f $out/build.json ]] && [[ $(manifest_field "$out/build.json" configHash) == "$hash" ]]; then
    for f in "${REQUIRED_FILES[@]}"; do [[ -e $out/$f ]] || fresh=1; done
  else
    fresh=1
  fi
  if ((fresh)); then
    compile_oracle "$name" "$ORACLES/.$name.new" "${args[@]}"
    source="$(sed -n 1p "$SRC_ROOT/.complete") (Debian $(sed -n 2p "$SRC_ROOT/.complete"))"
    finish_oracle "$ORACLES/.$name.new" "$out" "$name" "$rw" "$ro" "$tools" "$hash" "$source" "${args[@]}"
    rm -rf "$out"
    mv "$ORACLES/.$name.new" "$out"
  else
    # The source tree may have been deleted since; then keep what the manifest says.
    if [[ -f $SRC_ROOT/.complete ]]; then
      source="$(sed -n 1p "$SRC_ROOT/.complete") (Debian $(sed -n 2p "$SRC_ROOT/.complete"))"
    else
      source=$(manifest_field "$out/build.json" source)
    fi
    finish_oracle "$out" "$out" "$name" "$rw" "$ro" "$tools" "$hash" "$source" "${args[@]}"
  fi
}

# compile_oracle NAME STAGE_DIR CONFIGURE_ARGS...: configure and build NAME, copy the binaries to
# STAGE_DIR/bin and the modules to STAGE_DIR/modules.
compile_oracle() {
  local name=$1 stage=$2; shift 2
  local bdir="$BUILD_ROOT/$name" log="$LOGS/$name.log" start=$SECONDS
  ensure_source
  say "building oracle $name (log: $log)"
  : >"$log"
  rm -rf "$bdir"; mkdir -p "$bdir"
  (cd "$bdir" && PATH=$BUILD_PATH run_logged "$log" "$SRC_DIR/configure" "$@")

  # Binaries look for modules in $QEMU_MODULE_DIR, then in CONFIG_QEMU_MODDIR relocated to their
  # own directory: bin/../<moddir relative to prefix>. finish_oracle relies on DEFAULT_MODDIR_REL.
  local prefix moddir
  prefix=$(sed -n 's/^#define CONFIG_PREFIX "\(.*\)"$/\1/p' "$bdir/config-host.h")
  moddir=$(sed -n 's/^#define CONFIG_QEMU_MODDIR "\(.*\)"$/\1/p' "$bdir/config-host.h")
  [[ $moddir == "$prefix/$DEFAULT_MODDIR_REL" ]] \
    || die "CONFIG_QEMU_MODDIR is $moddir, not $prefix/$DEFAULT_MODDIR_REL; update DEFAULT_MODDIR_REL"

  local -a targets=()
  local -A known=()
  local t listing
  listing=$(PATH=$BUILD_PATH ninja -C "$bdir" -t targets all)
  while IFS= read -r t; do known[${t%%: *}]=1; done <<<"$listing"
  for t in "${TARGETS[@]}"; do
    if [[ -n ${known[$t]:-} ]]; then targets+=("$t"); else
      printf '\n(no ninja target %s in this tree; skipped)\n' "$t" >>"$log"
    fi
  done
  ((${#targets[@]})) || die "none of the wanted ninja targets exist in $bdir (see $log)"
  PATH=$BUILD_PATH run_logged "$log" ninja -C "$bdir" -j"$JOBS" "${targets[@]}"

  rm -rf "$stage"; mkdir -p "$stage/bin" "$stage/modules"
  for t in "${targets[@]}"; do
    case $t in
      *.so) cp "$bdir/$t" "$stage/modules/" ;;
      *) cp "$bdir/$t" "$stage/bin/" ;;
    esac
  done
  for t in "${REQUIRED_FILES[@]}"; do
    [[ -e $stage/$t ]] || die "build $name did not produce $t (see $log)"
  done
  [[ ${BLOCKGATE_KEEP_BUILD:-0} == 1 ]] || rm -rf "$bdir"
  say "built oracle $name in $((SECONDS - start)) s"
}

# finish_oracle DIR FINAL_DIR NAME RW RO TOOLS HASH SOURCE CONFIGURE_ARGS...
# DIR/lib/x86_64-linux-gnu/qemu (the binaries' default module dir) gets the accel modules only,
# so a run without QEMU_MODULE_DIR works (TCG loads) but finds no block modules: curl and ssh
# then behave as on a host without the block-module package. QEMU_MODULE_DIR=DIR/modules has all.
# build.json is rewritten only when its content changes. FINAL_DIR is where DIR will end up.
finish_oracle() {
  local dir=$1 final=$2 name=$3 rw=$4 ro=$5 tools=$6 hash=$7 source=$8; shift 8
  local defdir="$dir/$DEFAULT_MODDIR_REL" f base
  mkdir -p "$defdir"
  for f in "$dir"/modules/accel-*.so; do
    [[ -e $f ]] || continue
    cmp -s "$f" "$defdir/${f##*/}" || cp -f "$f" "$defdir/"
  done
  for f in "$defdir"/*; do
    [[ -e $f ]] || continue
    base=${f##*/}
    [[ $base == accel-*.so && -e $dir/modules/$base ]] || rm -rf "$f"
  done

  local version manifest
  version=$(first_line_version "$dir/bin/qemu-system-x86_64")
  manifest=$(cat <<JSON
{
  "name": $(json_str "$name"),
  "qemuVersion": $(json_str "$version"),
  "configureArgs": $(json_arr "$@"),
  "rwWhitelist": $(csv_json_arr "$rw"),
  "roWhitelist": $(csv_json_arr "$ro"),
  "toolsEnforce": $( ((tools)) && echo true || echo false),
  "configHash": "$hash",
  "source": $(json_str "$source"),
  "qemuSystem": $(json_str "$final/bin/qemu-system-x86_64"),
  "qemuImg": $(json_str "$final/bin/qemu-img"),
  "qemuIo": $(json_str "$final/bin/qemu-io"),
  "qemuNbd": $( [[ -e $dir/bin/qemu-nbd ]] && json_str "$final/bin/qemu-nbd" || echo null),
  "moduleDir": $(json_str "$final/modules"),
  "defaultModuleDir": $(json_str "$final/$DEFAULT_MODDIR_REL")
}
JSON
)
  if [[ ! -f $dir/build.json ]] || [[ $(<"$dir/build.json") != "$manifest" ]]; then
    write_file_atomic "$dir/build.json" "$manifest"
  fi
}

# ---------------------------------------------------------------------------------------------

main() {
  mkdir -p "$ORACLES" "$LOGS"
  exec 9>"$CACHE/.lock"
  flock 9

  ensure_packages
  setup_debian_oracle
  build_oracle rhel9 "$RHEL9_RW" "$RHEL9_RO" 0
  build_oracle rhel7 "$RHEL7_RW" "$RHEL7_RO" 0
  build_oracle rhel9-tools "$RHEL9_RW" "$RHEL9_RO" 1

  # Fixtures the layers above QEMU need (the virt-v2v test guest): one script each, idempotent and quick when
  # everything is in place.
  local step
  for step in "$(dirname -- "${BASH_SOURCE[0]}")"/setup/*.sh; do
    [[ -e $step ]] || continue
    BLOCKGATE_CACHE="$CACHE" bash "$step"
  done

  local name m
  for name in debian rhel9 rhel7 rhel9-tools; do
    m="$ORACLES/$name/build.json"
    printf 'oracle %s: %s %s\n' "$name" "$(short_version "$(manifest_field "$m" qemuVersion)")" "$ORACLES/$name"
  done
}

main "$@"
