#!/usr/bin/env bash
# A small Debian 12 guest that virt-v2v 2.2 converts (test/integration/v2v-*.test.ts), built once:
#   ${BLOCKGATE_CACHE:-$HOME/.cache/blockgate}/guests/debian12-minimal.img   raw, one ext4 filesystem, no partition table
#
# What virt-v2v's Linux conversion needs, and nothing more (virt-v2v 2.2 convert/linux_bootloaders.ml,
# convert/convert_linux.ml): an OS that inspection recognises (/etc/os-release, /etc/fstab), a kernel with
# virtio modules in /boot and /lib/modules, a grub.cfg under /boot (else "no bootloader detected") and
# grub-mkconfig (else "failed to find grub2-mkconfig binary"), and update-initramfs to rebuild the initrd.
# The guest never boots, so no boot loader is installed.
# MODULES=list (initramfs-tools): virt-v2v runs update-initramfs inside the appliance, which on this host runs under
# TCG; with Debian's default MODULES=most it copies ~750 modules and takes ~10 minutes of the conversion, with
# MODULES=list only the virtio modules virt-v2v writes to /etc/initramfs-tools/modules (and the hooks' few).
#
# Needs root (debootstrap) and a Debian mirror (DEBIAN_MIRROR, default deb.debian.org). Idempotent: skips when
# the image of the same RECIPE exists; serialised with a lock; the image appears atomically.
set -euo pipefail

readonly RECIPE=2
readonly CACHE="${BLOCKGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/blockgate}"
readonly DIR="$CACHE/guests"
readonly IMAGE="$DIR/debian12-minimal.img"
readonly MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9
if [[ -f $IMAGE && "$(cat "$IMAGE.recipe" 2>/dev/null)" == "$RECIPE" ]]; then exit 0; fi

work="$(mktemp -d "$DIR/.build.XXXXXX")"
trap 'umount -R "$work/root/proc" "$work/root/sys" 2>/dev/null || true; rm -rf "$work"' EXIT
echo "setup: building the virt-v2v test guest in $IMAGE (debootstrap, a few minutes)" >&2

debootstrap --variant=minbase --include=linux-image-amd64,initramfs-tools,grub2-common \
  bookworm "$work/root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log" >&2; exit 1; }

kernel="$(basename "$(ls "$work/root/boot"/vmlinuz-* | head -1)")"
version="${kernel#vmlinuz-}"
echo "v2vguest" >"$work/root/etc/hostname"
printf '/dev/sda\t/\text4\terrors=remount-ro\t0\t1\n' >"$work/root/etc/fstab"
cat >"$work/root/etc/default/grub" <<GRUB
GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=Debian
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX="console=tty0"
GRUB
mkdir -p "$work/root/boot/grub"
cat >"$work/root/boot/grub/grub.cfg" <<GRUB
set default=0
menuentry 'Debian GNU/Linux' {
	linux /boot/$kernel root=/dev/sda ro quiet
	initrd /boot/initrd.img-$version
}
GRUB
mkdir -p "$work/root/etc/initramfs-tools/conf.d"
echo 'MODULES=list' >"$work/root/etc/initramfs-tools/conf.d/blockgate.conf"
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*

mkfs.ext4 -q -L root -d "$work/root" "$work/guest.img" 2G
mv "$work/guest.img" "$IMAGE"
echo "$RECIPE" >"$IMAGE.recipe"
echo "setup: guest ready: $IMAGE ($kernel)" >&2
