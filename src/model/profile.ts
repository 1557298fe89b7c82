/** A profile describes one stack: which QEMU, built how, with which whitelists. */

/** Where a fact came from: a package and file, or a command and the line it printed. */
export type Source = string;

export interface QemuWhitelist {
  /** Drivers allowed read-write (and therefore read-only too). */
  rw: string[];
  /** Drivers allowed only when the node is opened read-only. */
  ro: string[];
  /** Built with --enable-block-drv-whitelist-in-tools: qemu-img, qemu-io, qemu-nbd and qemu-storage-daemon enforce too. */
  tools: boolean;
  source: Source;
  unconfirmed?: string;
}

export interface BlockModule {
  /** The loadable file, e.g. block-curl.so. */
  file: string;
  /** The package that ships it, e.g. qemu-block-extra or qemu-kvm-block-curl. */
  package: string;
  /** format_name of each driver the module registers. */
  drivers: string[];
  /** protocol prefixes it handles (https, gluster+tcp, ...), when they differ from the driver names. */
  protocols?: string[];
  /** false models a host where the package is not installed. */
  installed: boolean;
  source: Source;
  unconfirmed?: string;
}

export interface QemuFacts {
  /** Upstream version the build is based on, e.g. "7.2.0". Decides message shapes and defaults. */
  version: string;
  /** Distro package, e.g. "qemu-kvm-1.5.3-167.el7_7.1". */
  package: string;
  /** Where version and package were read. */
  source: Source;
  /** Program names that are the hypervisor here; qemu-system-* always counts. */
  hypervisors: string[];
  /** Debian's missing-module hint line is printed before "Unknown protocol/driver". */
  debianModuleHint?: boolean;
  drivers: { builtin: string[]; source: Source; unconfirmed?: string };
  modules: BlockModule[];
  whitelist: QemuWhitelist;
  /** Behaviour a downstream build backported ahead of its version (see engine/features.ts). */
  features?: {
    driveAutoReadOnly?: boolean;
    whitelistAutoReadOnly?: boolean;
    source: Source;
    unconfirmed?: string;
  };
}

export interface Profile {
  name: string;
  description: string;
  /** The profile this one was derived from, already merged in. */
  extends?: string;
  qemu: QemuFacts;
  /** Facts about the stack above QEMU; read by later layers. */
  libvirt?: Record<string, unknown>;
  libguestfs?: Record<string, unknown>;
  virtV2v?: Record<string, unknown>;
  nbdkit?: Record<string, unknown>;
}
