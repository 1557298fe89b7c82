import { atLeast } from './version.js';

/**
 * QEMU behaviours that changed between versions (docs/research/qemu-messages-by-version.md §B).
 * A profile's `qemu.features` overrides what the version implies, for downstream backports.
 */
export interface QemuFeatures {
  /** -drive defaults to auto-read-only=on: 9384a444f6, 3.1.0. */
  driveAutoReadOnly: boolean;
  /** A ro-whitelisted driver opened rw falls back to read-only under auto-read-only: 8be25de64315, 4.0.0. */
  whitelistAutoReadOnly: boolean;
  /** -drive errors read "could not open disk image FILE: ..." until e4342ce5a2, 2.3.0. */
  openDiskImagePrefix: boolean;
  /** "Unknown protocol 'x'" names the protocol, and "Unknown driver" replaces "'x' invalid format": 2.3.0. */
  namedUnknown: boolean;
  /** raw-format.c warns about a probed raw image opened read-write: 38f3ef574b, 2.3.0. */
  rawProbeWarning: boolean;
  /** Device realize errors come from the permission system ("Block node is read-only"): 33a610c398, 2.9.0. */
  permissionErrors: boolean;
  /** Machine-created devices fail with "Initialization of device X failed: " before the reason: 2.9 to 5.0. */
  implicitDevicePrefix: boolean;
  /**
   * Header data-file names and vmdk extent names are literal local paths, never json: or a protocol
   * (CVE-2024-4467, "block: Parse filenames only when explicitly requested": 7.2.13, 8.2.6, 9.0.2, 9.1).
   */
  literalChildNames: boolean;
  /** qemu-img info (BDRV_O_NO_IO) does not open a qcow2 external data file: same CVE-2024-4467 series. */
  noIoSkipsDataFile: boolean;
}

/** What this leaf needs of a profile's QEMU facts (model/profile.ts QemuFacts has it), so it imports nothing. */
export interface VersionedQemu {
  version: string;
  features?: Partial<QemuFeatures> & { source?: string; unconfirmed?: string };
}

/**
 * The CVE-2024-4467 series (upstream 7ead946998 "block: Parse filenames only when explicitly requested" and
 * "qcow2: Don't open data_file with BDRV_O_NO_IO", in 9.1.0) was backported to the stable 9.0.2, 8.2.6 and 7.2.13
 * releases only; 8.0.x and 8.1.x never got it.
 */
const CVE_2024_4467_FIXED = [
  ['7.2.13', '8.0'],
  ['8.2.6', '9.0'],
  ['9.0.2', '9.1'],
] as const;

export function hasCve20244467Fix(version: string): boolean {
  return (
    atLeast(version, '9.1') || CVE_2024_4467_FIXED.some(([from, to]) => atLeast(version, from) && !atLeast(version, to))
  );
}

/** Asked once per node on hot paths: computed once per profile. */
const cache = new WeakMap<VersionedQemu, QemuFeatures>();

export function qemuFeatures(qemu: VersionedQemu): QemuFeatures {
  let features = cache.get(qemu);
  if (!features) {
    features = derive(qemu);
    cache.set(qemu, features);
  }
  return features;
}

function derive(qemu: VersionedQemu): QemuFeatures {
  const v = qemu.version;
  const implied: QemuFeatures = {
    driveAutoReadOnly: atLeast(v, '3.1'),
    whitelistAutoReadOnly: atLeast(v, '4.0'),
    openDiskImagePrefix: !atLeast(v, '2.3'),
    namedUnknown: atLeast(v, '2.3'),
    rawProbeWarning: atLeast(v, '2.3'),
    permissionErrors: atLeast(v, '2.9'),
    implicitDevicePrefix: atLeast(v, '2.9') && !atLeast(v, '5.1'),
    literalChildNames: hasCve20244467Fix(v),
    noIoSkipsDataFile: hasCve20244467Fix(v),
  };
  const { source: _source, unconfirmed: _unconfirmed, ...overrides } = qemu.features ?? {};
  return { ...implied, ...overrides };
}
