import { resolveBacking } from '../../qemu/filename.js';
import { flattenJson, isTree, nestOptions, optionString, type OptionTree } from '../../plan/options.js';
import type { ImageSource } from './domain.js';

/** A backing name libvirt could not turn into a source: its exact error (virerror prefix included). */
export interface BackingNameError {
  code: 'libvirt-json-backing-unsupported';
  message: string;
}

/** Drivers virStorageSourceParseBackingJSON has a parser for (storage_source_backingstore.c:1150-1169, 9.0.0). */
export const JSON_BACKING_DRIVERS = [
  'file',
  'host_device',
  'host_cdrom',
  'http',
  'https',
  'ftp',
  'ftps',
  'tftp',
  'gluster',
  'iscsi',
  'nbd',
  'sheepdog',
  'ssh',
  'rbd',
  'raw',
  'nfs',
  'vxhs',
  'nvme',
];

const URL_PROTOCOLS = [
  'http',
  'https',
  'ftp',
  'ftps',
  'tftp',
  'nbd',
  'ssh',
  'gluster',
  'iscsi',
  'rbd',
  'sheepdog',
  'nfs',
];

/** virStorageSourceNewFromBacking: a header's backing name as the source libvirt opens next (a path, a URL or json:). */
export function backingSource(
  parentPath: string,
  name: string,
  format: string | undefined,
): ImageSource | BackingNameError {
  const base = format ? { format } : {};
  if (name.startsWith('json:')) return jsonSource(name, base);
  const url = /^([a-z+]+):\/\//.exec(name);
  const protocol = url?.[1]?.split('+')[0];
  if (protocol && URL_PROTOCOLS.includes(protocol)) return { ...uriSource(protocol, name), ...base };
  return { type: 'file', path: resolveBacking(parentPath, name), hosts: [], ...base };
}

function jsonSource(name: string, base: { format?: string }): ImageSource | BackingNameError {
  let root: unknown;
  try {
    root = JSON.parse(name.slice(5));
  } catch {
    return {
      code: 'libvirt-json-backing-unsupported',
      message: `internal error: cannot parse json ${name.slice(5)}: unexpected token`,
    };
  }
  const tree = isTree(root) ? nestOptions(flattenJson(root)) : {};
  // json:{"file":{"driver":...}} loses its wrapper; json:{"driver":...} is read as it is.
  const inner = tree['driver'] === undefined && isTree(tree['file']) ? tree['file'] : tree;
  return jsonDriver(inner, name, base);
}

function jsonDriver(json: OptionTree, name: string, base: { format?: string }): ImageSource | BackingNameError {
  const driver = optionString(json['driver']);
  if (driver === undefined)
    return {
      code: 'libvirt-json-backing-unsupported',
      message: `invalid argument: JSON backing volume definition '${name.slice(5)}' lacks driver name`,
    };
  if (!JSON_BACKING_DRIVERS.includes(driver)) {
    return {
      code: 'libvirt-json-backing-unsupported',
      message: `internal error: missing parser implementation for JSON backing volume driver '${driver}'`,
    };
  }
  if (driver === 'raw' && isTree(json['file'])) return jsonDriver(json['file'], name, base);
  if (['file', 'host_device', 'host_cdrom'].includes(driver)) {
    return {
      type: driver === 'file' ? 'file' : 'block',
      path: optionString(json['filename']) ?? '',
      hosts: [],
      ...base,
    };
  }
  const url = optionString(json['url']);
  if (url !== undefined) return { ...uriSource(driver, url), ...base };
  const server = isTree(json['server']) ? json['server'] : undefined;
  const host = optionString(server?.['host']) ?? optionString(json['host']);
  const port = optionString(server?.['port']) ?? optionString(json['port']);
  const socket = optionString(server?.['path']);
  const source: ImageSource = {
    type: 'network',
    protocol: driver,
    hosts: [
      { ...(host ? { name: host } : {}), ...(port ? { port } : {}), ...(socket ? { transport: 'unix', socket } : {}) },
    ],
    ...base,
  };
  const exportName = optionString(json['export']) ?? optionString(json['path']);
  return exportName === undefined ? source : { ...source, name: exportName };
}

/** virStorageSourceParseBackingURI: proto://host[:port]/name. */
function uriSource(protocol: string, text: string): ImageSource {
  try {
    const url = new URL(text);
    const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
    return {
      type: 'network',
      protocol,
      hosts: [{ name: url.hostname, ...(url.port ? { port: url.port } : {}) }],
      // http(s)/ftp(s) keep the leading slash of the path in the source name.
      name: ['http', 'https', 'ftp', 'ftps', 'tftp'].includes(protocol) ? `/${name}${url.search}` : name,
    };
  } catch {
    return { type: 'network', protocol, hosts: [], name: text };
  }
}
