import { driverForProtocol } from './drivers.js';

/** The stat(2) facts of a name that tell a device apart (model/image.ts ImageFacts has them). */
export interface StatFacts {
  exists?: boolean;
  kind?: 'file' | 'block-device' | 'char-device' | 'directory' | 'other';
}

export type FilenameKind =
  | { kind: 'json'; json: string }
  | { kind: 'protocol'; prefix: string; driver?: string }
  | { kind: 'host-device'; driver: 'host_device' | 'host_cdrom' }
  | { kind: 'file'; path: string };

/**
 * How bdrv_find_protocol reads a filename (block.c:945-1004 in 7.2): a device node wins even with a prefix,
 * then a prefix counts only when ':' comes before any '/', else it is a local file.
 */
/** block.c path_has_protocol: a ':' before any '/' makes a protocol prefix (json: included). */
export function hasProtocol(name: string): boolean {
  return /[:/]/.exec(name)?.[0] === ':';
}

/** A plain local path: never a URL, a json: filename or any other protocol prefix. */
export function isLocalPath(name: string): boolean {
  return name !== '' && !hasProtocol(name);
}

export function classifyFilename(name: string, facts?: StatFacts): FilenameKind {
  if (name.startsWith('json:')) return { kind: 'json', json: name.slice(5) };
  const device = hostDevice(name, facts);
  if (device) return { kind: 'host-device', driver: device };
  if (hasProtocol(name)) {
    const prefix = name.slice(0, name.indexOf(':'));
    if (prefix === 'file') return { kind: 'file', path: name.slice(5) };
    return { kind: 'protocol', prefix, driver: driverForProtocol(prefix) };
  }
  return { kind: 'file', path: name };
}

function hostDevice(name: string, facts?: StatFacts): 'host_device' | 'host_cdrom' | undefined {
  const path = name.replace(/^host_(device|cdrom):/, '');
  if (path.startsWith('/dev/cdrom')) return 'host_cdrom';
  if (facts?.kind === 'block-device' || facts?.kind === 'char-device') return 'host_device';
  // Judged for another host: a /dev path QEMU cannot stat here is still meant as a device.
  if (!facts?.exists && path.startsWith('/dev/')) return 'host_device';
  return undefined;
}

/**
 * bdrv_dirname + bdrv_get_full_backing_filename: absolute names and any name with a protocol prefix stay as they are,
 * `file:` included (path_has_protocol), so `file:b.qcow2` opens from the current folder, not the image's.
 */
export function resolveBacking(parent: string, backing: string): string {
  if (backing.startsWith('/') || backing.startsWith('json:') || hasProtocol(backing)) return backing;
  const slash = parent.lastIndexOf('/');
  return slash < 0 ? backing : parent.slice(0, slash + 1) + backing;
}
