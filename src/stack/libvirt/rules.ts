import type { Profile } from '../../model/profile.js';
import type { ImageFacts } from '../../model/image.js';
import { blockdevDriverAccepted } from '../../qemu/qapi.js';
import type { DiskDef } from './domain.js';
import type { LibvirtIssue } from './chain.js';
import type { LibvirtFeatures } from './features.js';

/** When a rule runs as libvirt starts a domain: XML parsing, then validation, then the start-time checks, then the chains. */
export type Phase = 'parse' | 'validate' | 'start';

export interface RuleIssue extends LibvirtIssue {
  phase: Phase;
}

const NOT_MODELLED: Record<string, string> = {
  volume: 'a storage pool volume',
  dir: 'a directory as a FAT disk',
  nvme: 'an NVMe controller',
  vhostuser: 'a vhost-user-blk socket',
};

/** libvirt's checks of one <disk> before it looks at any image (libvirt 9.0.0 sources named in each message's page). */
export function diskRules(disk: DiskDef, profile: Profile, features: LibvirtFeatures): RuleIssue[] {
  const target = disk.target;
  const source = disk.source;
  const out: RuleIssue[] = [];
  if (source?.type === 'network') out.push(...protocolRules(target, source.protocol ?? '', profile, features));
  // qemu_validate.c:3028-3040 qemuValidateDomainDeviceDefDiskFrontend
  if (disk.readOnly && disk.device === 'disk' && (disk.bus === 'ide' || disk.bus === 'sata')) {
    out.push({
      code: 'libvirt-readonly-disk-bus',
      severity: 'error',
      phase: 'validate',
      args: { target, bus: disk.bus },
      message: `unsupported configuration: readonly ${disk.bus} disks are not supported`,
    });
  }
  if (source && NOT_MODELLED[source.type]) {
    out.push({
      code: 'libvirt-disk-not-checked',
      severity: 'info',
      phase: 'parse',
      args: { target, reason: NOT_MODELLED[source.type] ?? source.type },
    });
  } else if (disk.driverName !== undefined && disk.driverName !== 'qemu') {
    out.push({
      code: 'libvirt-disk-not-checked',
      severity: 'info',
      phase: 'parse',
      args: { target, reason: `driver name '${disk.driverName}'` },
    });
  }
  return out;
}

function protocolRules(target: string, protocol: string, profile: Profile, features: LibvirtFeatures): RuleIssue[] {
  const known = profile.libvirt?.diskProtocols;
  if (known && !known.includes(protocol)) {
    // virXMLPropEnum's wording in 9.0.0 (virxml.c), seen from virsh create.
    return [
      {
        code: 'libvirt-protocol-unknown',
        severity: 'error',
        phase: 'parse',
        args: { target, protocol },
        message: `XML error: Invalid value for attribute 'protocol' in element 'source': '${protocol}'.`,
      },
    ];
  }
  // qemu_domain.c:4967-4973 qemuDomainValidateStorageSource: "TFTP protocol is not supported since QEMU 2.8.0".
  if (protocol === 'tftp' && features.refusesTftp) {
    return [
      {
        code: 'libvirt-protocol-refused',
        severity: 'error',
        phase: 'validate',
        args: { target, protocol, reason: 'libvirt refuses tftp with every QEMU' },
        message: "unsupported configuration: 'tftp' protocol is not supported with this QEMU binary",
      },
    ];
  }
  // qemu_process.c:5419-5425: QEMU_CAPS_VXHS comes from the QMP schema, which lost the driver when QEMU dropped it.
  if (
    protocol === 'vxhs' &&
    (!blockdevDriverAccepted('vxhs', profile.qemu.version) || !profile.qemu.drivers.builtin.includes('vxhs'))
  ) {
    return [
      {
        code: 'libvirt-protocol-refused',
        severity: 'error',
        phase: 'start',
        args: { target, protocol, reason: `QEMU ${profile.qemu.version} has no vxhs driver` },
        message: 'unsupported configuration: VxHS protocol is not supported with this QEMU binary',
      },
    ];
  }
  return [];
}

/** No <driver type>: libvirt opens the disk as raw and never probes (qemuDomainDeviceDiskDefPostParse); say so when the header disagrees. */
export function defaultRawRule(disk: DiskDef, facts: ImageFacts | undefined): LibvirtIssue[] {
  const header = facts?.header?.format;
  if (disk.source?.format !== undefined || !header || header === 'raw') return [];
  return [{ code: 'libvirt-format-defaults-raw', severity: 'warning', args: { target: disk.target, header } }];
}
