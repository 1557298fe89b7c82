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
  /** Behaviour a downstream build backported ahead of its version (see qemu/features.ts). */
  features?: {
    driveAutoReadOnly?: boolean;
    whitelistAutoReadOnly?: boolean;
    literalChildNames?: boolean;
    noIoSkipsDataFile?: boolean;
    source: Source;
    unconfirmed?: string;
  };
}

/** The libguestfs library under guestfish and the virt-* tools. */
export interface LibguestfsFacts {
  /** Upstream version, e.g. "1.48.6": decides the overlay's backing format detection (1.45.7) and the messages. */
  version: string;
  /** Values of add_drive's `protocol` this build accepts (lib/drives.c, after any distro patch). */
  protocols: string[];
  /** --with-default-backend: the backend used when LIBGUESTFS_BACKEND is not set. */
  defaultBackend: 'direct' | 'libvirt';
  source: Source;
  unconfirmed?: string;
}

/** The libvirt daemon that starts QEMU for a domain XML (src/stack/libvirt). */
export interface LibvirtFacts {
  /** Upstream version the build is based on, e.g. "9.0.0": decides -blockdev or -drive and which of libvirt's rules apply. */
  version: string;
  /** Network disk protocols the domain XML accepts (virStorageNetProtocol). */
  diskProtocols?: string[];
  /** Storage pool backends the distro does not build (libvirt.spec with_storage_*). */
  storageBackendsDisabled?: string[];
  source: Source;
  unconfirmed?: string;
}

export interface Profile {
  name: string;
  description: string;
  /** The profile this one was derived from, already merged in. */
  extends?: string;
  qemu: QemuFacts;
  /** Facts about the stack above QEMU; read by later layers. */
  libvirt?: LibvirtFacts;
  libguestfs?: LibguestfsFacts;
  virtV2v?: VirtV2vFacts;
  nbdkit?: NbdkitFacts;
}

/** virt-v2v as the distro builds it: which modes its command line accepts, after downstream patches. */
export interface VirtV2vFacts {
  /** Upstream version; decides how sources reach QEMU (qemu drivers before 1.41.5, nbdkit after). Latest when absent. */
  version?: string;
  /** -i modes accepted (local is an alias of disk). */
  inputs?: string[];
  /** -it transports accepted. */
  inputTransports?: string[];
  /** Sources a downstream build removed although the -i mode stays (xen+ssh: RHEL 10 "Remove input from Xen"). */
  removedInputs?: string[];
  /** -o modes accepted, by their canonical names (disk and local are one mode). */
  outputs?: string[];
  /** Options a downstream patch removed or turned into errors (--in-place, --qemu-boot, --block-driver). */
  removedOptions?: string[];
  /** -ic schemes whose input refuses the libvirt backend (virt-v2v < 1.43.4: xen+ssh, RHBZ#1140166). */
  directBackendRequired?: string[];
  /**
   * libnbd's nbdcopy, which virt-v2v 2.x copies every disk with: on this host (inspect), or, for a distro, whether the
   * virt-v2v package pulls it in ('not-a-dependency': Debian 12's virt-v2v does not depend on libnbd-bin).
   */
  nbdcopy?: 'installed' | 'missing' | 'not-a-dependency';
  source: Source;
  unconfirmed?: string;
}

/** nbdkit as installed next to virt-v2v: the plugins and filters virt-v2v probes for. */
export interface NbdkitFacts {
  version?: string;
  plugins: string[];
  filters?: string[];
  source: Source;
  unconfirmed?: string;
}
