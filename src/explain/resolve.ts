import { FINDING_CODES, type FindingCode, type Layer, type Severity } from '../findings/finding.js';
import type { Profile } from '../model/profile.js';
import { driverForProtocol } from '../qemu/drivers.js';
import type { Said, SaidKind } from './said.js';

/** A message as a finding of one profile: the code, the layer that refused, and the names for the catalog. */
export interface Resolved {
  code: FindingCode;
  layer: Layer;
  severity: Severity;
  args: Record<string, string>;
}

/** The module of this profile that registers a driver, if any. */
export function moduleOf(profile: Profile, driver: string) {
  return profile.qemu.modules.find((m) => m.drivers.includes(driver) || m.protocols?.includes(driver));
}

/**
 * "Unknown protocol/driver" means the same as what the engine's availability layer decides: the name is no driver
 * of this build, its module is missing, or (for a protocol) no driver handles it at all (engine/layers.ts).
 */
function unavailable(driver: string, profile: Profile, protocol?: string): Omit<Resolved, 'severity'> {
  const module = moduleOf(profile, driver);
  if (module)
    return {
      code: 'module-not-installed',
      layer: 'module',
      args: { driver, module: module.file, package: module.package },
    };
  if (protocol !== undefined && !driverForProtocol(protocol))
    return { code: 'protocol-unknown', layer: 'availability', args: { protocol } };
  return { code: 'driver-not-built', layer: 'availability', args: { driver } };
}

/** Codes of the layers above QEMU are looked up by name: a layer that has no code yet leaves its messages unexplained. */
function stackCode(name: string, layer: Layer, args: Record<string, string>): Omit<Resolved, 'severity'> | undefined {
  return (FINDING_CODES as readonly string[]).includes(name) ? { code: name as FindingCode, layer, args } : undefined;
}

const RULES: Record<SaidKind, (said: Said, profile: Profile) => Omit<Resolved, 'severity'> | undefined> = {
  'read-only-only': ({ args }) => ({ code: 'driver-read-only-only', layer: 'whitelist', args }),
  'not-whitelisted': ({ args }) => ({ code: 'driver-not-whitelisted', layer: 'whitelist', args }),
  'unknown-protocol': ({ args }, profile) => {
    const protocol = args['protocol'] ?? '';
    return withArgs(unavailable(driverForProtocol(protocol) ?? protocol, profile, protocol), args);
  },
  'unknown-driver': ({ args }, profile) => withArgs(unavailable(args['driver'] ?? '', profile), args),
  'module-hint': ({ args }, profile) => {
    const module = profile.qemu.modules.find((m) => m.file === args['module']);
    const protocol = args['protocol'] === undefined ? undefined : driverForProtocol(args['protocol']);
    const driver =
      args['driver'] ?? protocol ?? module?.drivers[0] ?? (args['module'] ?? '').replace(/^block-|\.so$/g, '');
    return {
      code: 'module-not-installed',
      layer: 'module',
      args: { ...args, driver, package: module?.package ?? args['package'] ?? '' },
    };
  },
  'module-unloadable': ({ args }, profile) => {
    const module = profile.qemu.modules.find((m) => m.file === args['module']);
    const driver = module?.drivers[0] ?? (args['module'] ?? '').replace(/^block-|\.so$/g, '');
    return { code: 'module-not-installed', layer: 'module', args: { ...args, driver, package: module?.package ?? '' } };
  },
  'no-such-file': ({ args }) => ({ code: 'file-not-found', layer: 'file', args }),
  'cannot-open': ({ args }) => ({ code: 'file-unreadable', layer: 'file', args }),
  'device-read-only': ({ args }) => ({
    code: 'device-needs-write',
    layer: 'device',
    args: { driver: args['driver'] ?? '', fellBack: 'unknown', ...args },
  }),
  'raw-probed': ({ args }) => ({ code: 'raw-probed', layer: 'probe', args: { driver: 'raw', ...args } }),
  'node-not-found': ({ args, text }) => ({
    code: 'node-not-found',
    layer: 'input',
    args: { text: nodeText(text), ...args },
  }),
  'json-invalid': ({ args, text }) => ({
    code: 'json-invalid',
    layer: 'input',
    args: { text: args['detail'] ?? text, ...args },
  }),
  'cannot-write': ({ args }) => ({
    code: 'driver-read-only-by-nature',
    layer: 'driver',
    args: { driver: curlDriver(args['location']), reason: 'curl driver does not support writes', ...args },
  }),
  'backing-loop': ({ args }) => ({
    code: 'backing-loop',
    layer: 'image',
    args: { text: args['backing'] ?? '', ...args },
  }),
  'backing-format-missing': ({ args, program, text }) => {
    const found = {
      backing: args['backing'] ?? 'BACKING',
      image: args['image'] ?? args['location'] ?? '',
      message: text,
      refusedBy: program,
      ...args,
    };
    if (program === 'libvirt')
      return (
        stackCode('libvirt-backing-format-missing', 'libvirt', found) ?? {
          code: 'backing-format-missing',
          layer: 'libvirt',
          args: found,
        }
      );
    return { code: 'backing-format-missing', layer: 'image', args: found };
  },
  'libvirt-storage-access': ({ args }) => {
    if (!/No such file/.test(args['text'] ?? '')) return { code: 'file-unreadable', layer: 'libvirt', args };
    const path = args['filename'] ?? '';
    return (
      stackCode('libvirt-storage-missing', 'libvirt', { path, top: path, ...args }) ?? {
        code: 'file-not-found',
        layer: 'libvirt',
        args,
      }
    );
  },
  'libvirt-protocol': ({ args, text }) =>
    args['what'] === 'tls' || /not supported with this QEMU/.test(text)
      ? stackCode('libvirt-protocol-refused', 'libvirt', { target: 'of the domain', reason: text, ...args })
      : stackCode('libvirt-protocol-unknown', 'libvirt', { target: 'of the domain', ...args }),
  // TODO(libvirt codes): no code yet for a <driver type> libvirt does not know.
  'libvirt-driver-format': ({ args }) => stackCode('libvirt-format-unknown', 'libvirt', args),
  'libvirt-readonly-bus': ({ args }) =>
    stackCode('libvirt-readonly-disk-bus', 'libvirt', { target: 'the disk', ...args }),
  'libvirt-json-backing': ({ args }) =>
    stackCode('libvirt-json-backing-unsupported', 'libvirt', {
      image: 'the image',
      ...args,
      backing: args['backing'] ?? `json:{"driver":"${args['driver'] ?? ''}",...}`,
    }),
  'libvirt-chain-loop': ({ args }) => stackCode('libvirt-chain-too-deep', 'libvirt', args),
  'guestfs-unknown-protocol': ({ args }, profile) =>
    stackCode('libguestfs-protocol-unknown', 'libguestfs', {
      version: String(profile.libguestfs?.['version'] ?? '(version not in the profile)'),
      accepted: listOf(profile.libguestfs?.['protocols']) ?? '(not in the profile)',
      drive: 'the drive',
      ...args,
    }),
  'guestfs-access': ({ args }) =>
    stackCode('libguestfs-file-missing', 'libguestfs', {
      drive: args['filename'] ?? '',
      error: 'No such file or directory',
      ...args,
    }) ?? { code: 'file-not-found', layer: 'libguestfs', args },
  'v2v-access': ({ args }) => ({ code: 'file-not-found', layer: 'virt-v2v', args }),
  'v2v-libvirt-backend': ({ args }) =>
    stackCode('v2v-direct-backend-required', 'virt-v2v', {
      backend: 'libvirt',
      source: 'LIBGUESTFS_BACKEND or the default of the libguestfs build',
      ...args,
    }),
  'v2v-unknown-mode': ({ args }) =>
    stackCode(args['option'] === '-o' ? 'v2v-output-disabled' : 'v2v-input-disabled', 'virt-v2v', {
      ...args,
      [args['option'] === '-o' ? 'output' : 'input']: args['value'] ?? '',
    }),
  'nbdkit-plugin-missing': ({ args }, profile) =>
    stackCode('nbdkit-plugin-missing', 'nbdkit', { installed: nbdkitPlugins(profile), ...args }),
  'nbdkit-no-such-file': ({ args }) => ({ code: 'file-not-found', layer: 'nbdkit', args }),
};

/** Warnings say the program went on; every other recognised message is a refusal. */
const WARNINGS: SaidKind[] = ['raw-probed'];

export function resolve(said: Said, profile: Profile): Resolved | undefined {
  const found = RULES[said.kind](said, profile);
  if (!found) return undefined;
  return { ...found, severity: WARNINGS.includes(said.kind) ? 'warning' : 'error' };
}

function withArgs(found: Omit<Resolved, 'severity'>, said: Record<string, string>): Omit<Resolved, 'severity'> {
  return { ...found, args: { ...said, ...found.args } };
}

function nbdkitPlugins(profile: Profile): string {
  return listOf(profile.nbdkit?.['plugins']) ?? 'not known for this profile';
}

function listOf(value: unknown): string | undefined {
  return Array.isArray(value) ? value.join(', ') : undefined;
}

function nodeText(text: string): string {
  return /Cannot find device=.*$/.exec(text)?.[0] ?? text;
}

/** The curl driver serves http, https, ftp and ftps; the option or URL says which. */
function curlDriver(location: string | undefined): string {
  return (
    /driver=(https?|ftps?)\b/.exec(location ?? '')?.[1] ?? /\b(https?|ftps?):\/\//.exec(location ?? '')?.[1] ?? 'https'
  );
}
