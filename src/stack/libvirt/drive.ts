import type { DiskDef, ImageSource, NetworkHost } from './domain.js';
import { DEFAULT_PORT, QEMU_FORMAT } from './features.js';
import { cacheMode } from './blockdev.js';

/**
 * Before -blockdev (libvirt < 5.10 or QEMU < 4.2) each disk is one `-drive ...,if=none,id=drive-ALIAS` and QEMU
 * opens the backing chain itself (qemu_command.c qemuBuildDriveStr; key order as in libvirt's qemuxml2argv test data).
 */
export function legacyDrive(disk: DiskDef, top: ImageSource, format: string, alias: string): string[] {
  const parts = [
    `file=${driveFilename(top).replaceAll(',', ',,')}`,
    `format=${QEMU_FORMAT[format] ?? format}`,
    'if=none',
    `id=drive-${alias}`,
  ];
  if (disk.readOnly) parts.push('readonly=on');
  const cache = cacheMode(disk);
  if (cache) parts.push(`cache=${cache}`);
  return ['-drive', parts.join(',')];
}

function driveFilename(source: ImageSource): string {
  if (source.type !== 'network') return source.path ?? '';
  const protocol = source.protocol ?? '';
  const [host = {} as NetworkHost] = source.hosts;
  const port = host.port ?? DEFAULT_PORT[protocol] ?? '';
  const name = source.name ?? '';
  switch (protocol) {
    case 'nbd':
      return host.transport === 'unix'
        ? `nbd:unix:${host.socket ?? ''}${name ? `:exportname=${name}` : ''}`
        : `nbd:${host.name ?? ''}:${port}${name ? `:exportname=${name}` : ''}`;
    case 'rbd':
      return `rbd:${name}:auth_supported=none${host.name ? `:mon_host=${host.name}${host.port ? `\\:${host.port}` : ''}` : ''}`;
    case 'sheepdog':
      return `sheepdog:${host.name ?? ''}:${port}:${name}`;
    default:
      return `${protocol}://${host.name ?? ''}:${port}${name.startsWith('/') ? '' : '/'}${name}`;
  }
}
