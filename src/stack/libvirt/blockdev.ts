import type { DiskDef, ImageSource, NetworkHost } from './domain.js';
import type { ChainImage } from './chain.js';
import { DEFAULT_PORT, QEMU_FORMAT } from './features.js';

type Json = Record<string, unknown>;

/** cache.direct / cache.no-flush per cache mode (qemu_domain.c qemuDomainDiskCachemodeFlags, 9.0.0). */
const CACHE: Record<string, { direct: boolean; 'no-flush': boolean }> = {
  none: { direct: true, 'no-flush': false },
  writeback: { direct: false, 'no-flush': false },
  writethrough: { direct: false, 'no-flush': false },
  directsync: { direct: true, 'no-flush': false },
  unsafe: { direct: false, 'no-flush': true },
};

/** A shared disk that is not read-only gets cache=none (qemu_domain.c qemuDomainPrepareDiskCachemode). */
export function cacheMode(disk: DiskDef): string | undefined {
  return disk.cache ?? (disk.shareable && !disk.readOnly ? 'none' : undefined);
}

/**
 * The two -blockdev options of one image, in libvirt 9.0's key order (qemu_block.c qemuBlockStorageSourceGetBackendProps
 * and qemuBlockStorageSourceGetBlockdevProps, checked against the command lines libvirt 9.0.0 wrote for Debian's QEMU 7.2).
 */
export function imageBlockdevs(
  image: ChainImage,
  index: number,
  readOnly: boolean,
  cache: string | undefined,
  cdrom: boolean,
  backingNode: string | undefined,
): string[] {
  const storageName = `libvirt-${index}-storage`;
  const cacheProps = cache && CACHE[cache] ? { cache: CACHE[cache] } : {};
  const storage: Json = {
    ...storageProps(image.source, cdrom),
    'node-name': storageName,
    ...cacheProps,
    'auto-read-only': true,
    discard: 'unmap',
  };
  const format: Json = {
    'node-name': `libvirt-${index}-format`,
    'read-only': readOnly,
    ...cacheProps,
    driver: QEMU_FORMAT[image.format] ?? image.format,
    file: storageName,
  };
  if (image.backing === 'next' && backingNode) format['backing'] = backingNode;
  if (image.backing === 'null') format['backing'] = null;
  return ['-blockdev', JSON.stringify(storage), '-blockdev', JSON.stringify(format)];
}

function storageProps(source: ImageSource, cdrom: boolean): Json {
  if (source.type === 'file') return { driver: 'file', filename: source.path ?? '' };
  if (source.type === 'block') return { driver: cdrom ? 'host_cdrom' : 'host_device', filename: source.path ?? '' };
  const protocol = source.protocol ?? '';
  const hosts = source.hosts.map((h): NetworkHost => {
    const port = h.port ?? DEFAULT_PORT[protocol];
    return port === undefined ? h : { ...h, port };
  });
  const [host = {} as NetworkHost] = hosts;
  const name = source.name ?? '';
  const inet = (h: NetworkHost): Json =>
    h.transport === 'unix'
      ? { type: 'unix', path: h.socket ?? '' }
      : { type: 'inet', host: h.name ?? '', port: h.port ?? '' };
  switch (protocol) {
    case 'http':
    case 'https':
    case 'ftp':
    case 'ftps':
    case 'tftp':
      return {
        driver: protocol,
        url: `${protocol}://${host.name ?? ''}:${host.port ?? ''}${name.startsWith('/') ? '' : '/'}${name}`,
      };
    case 'nbd':
      return { driver: 'nbd', server: inet(host), ...(name ? { export: name } : {}) };
    case 'ssh':
      return { driver: 'ssh', path: name, server: { host: host.name ?? '', port: host.port ?? '' } };
    case 'iscsi': {
      const [target = '', lun = '0'] = name.split('/');
      return {
        driver: 'iscsi',
        portal: `${host.name ?? ''}:${host.port ?? ''}`,
        target,
        lun: Number(lun),
        transport: 'tcp',
      };
    }
    case 'rbd': {
      const [pool = '', image = ''] = name.split('/');
      return {
        driver: 'rbd',
        pool,
        image,
        ...(hosts.length
          ? { server: hosts.map((h) => ({ host: h.name ?? '', ...(h.port ? { port: h.port } : {}) })) }
          : {}),
      };
    }
    case 'gluster': {
      const slash = name.indexOf('/');
      return {
        driver: 'gluster',
        volume: name.slice(0, slash),
        path: name.slice(slash + 1),
        server: hosts.map(inet),
        debug: 4,
      };
    }
    case 'sheepdog':
      return { driver: 'sheepdog', server: inet(host), vdi: name };
    case 'nfs':
      return { driver: 'nfs', server: { host: host.name ?? '', type: 'inet' }, path: name };
    default:
      return { driver: protocol };
  }
}
