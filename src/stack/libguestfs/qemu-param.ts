import type { DriveServer } from './servers.js';

export interface DriveSource {
  protocol: string;
  /** The path (file) or export name. */
  filename: string;
  servers: DriveServer[];
  username?: string;
  secret?: string;
}

/**
 * guestfs_int_drive_source_qemu_param (lib/qemu.c, 1.48.6): the filename libguestfs gives QEMU for a drive, as the
 * -drive file= of the appliance or as the backing file of a read-only drive's overlay.
 * `absolute` turns a local path into the realpath libguestfs uses.
 */
export function qemuParam(src: DriveSource, absolute: (path: string) => string): string {
  const server = src.servers[0];
  switch (src.protocol) {
    case 'file':
      return absolute(src.filename);
    case 'nbd': {
      const base =
        server?.transport === 'unix'
          ? `nbd:unix:${server.socket ?? ''}`
          : `nbd:${server?.hostname ?? ''}:${server?.port ?? 0}`;
      return src.filename === '' ? base : `${base}:exportname=${src.filename}`;
    }
    case 'gluster': {
      const scheme =
        server?.transport === 'tcp' ? 'gluster+tcp' : server?.transport === 'unix' ? 'gluster+unix' : 'gluster';
      return makeUri(scheme, undefined, undefined, server, server?.transport === 'unix' ? undefined : src.filename);
    }
    case 'iscsi': {
      const auth = src.username !== undefined && src.secret !== undefined ? `${src.username}%${src.secret}@` : '';
      const port = server && server.port !== 0 ? `:${server.port}` : '';
      return `iscsi://${auth}${encodeURIComponent(server?.hostname ?? '')}${port}/${encodeURI(src.filename)}`;
    }
    case 'rbd': {
      const hosts = src.servers.map((s) => `${(s.hostname ?? '').replaceAll(':', '\\:')}\\:${s.port}`).join('\\;');
      const id = src.username !== undefined ? `:id=${src.username}` : '';
      const key = src.secret !== undefined ? `:key=${src.secret}` : '';
      const auth = id || key ? ':auth_supported=cephx\\;none' : ':auth_supported=none';
      return `rbd:${src.filename}${src.servers.length > 0 ? `:mon_host=${hosts}` : ''}${id}${auth}${key}`;
    }
    case 'sheepdog':
      return server ? `sheepdog:${server.hostname ?? ''}:${server.port}:${src.filename}` : `sheepdog:${src.filename}`;
    default:
      // ftp, ftps, http, https, ssh, tftp
      return makeUri(src.protocol, src.username, src.secret, server, src.filename);
  }
}

/** make_uri: scheme://[user[:password]@]host[:port]/path, or ?socket= for a Unix socket. */
function makeUri(
  scheme: string,
  user: string | undefined,
  password: string | undefined,
  server: DriveServer | undefined,
  path: string | undefined,
): string {
  const auth = user !== undefined ? `${password !== undefined ? `${user}:${password}` : user}@` : '';
  const slashed = path === undefined ? '' : path.startsWith('/') ? path : `/${path}`;
  if (server?.transport === 'unix') return `${scheme}://${auth}${slashed}?socket=${server.socket ?? ''}`;
  const port = server && server.port !== 0 ? `:${server.port}` : '';
  return `${scheme}://${auth}${server?.hostname ?? ''}${port}${slashed}`;
}
