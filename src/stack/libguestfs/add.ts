import type { LibguestfsFacts } from '../../model/profile.js';
import type { GuestfsDrive } from './drive.js';
import { parseServer, type DriveServer } from './servers.js';

/** What guestfs_add_drive_opts (lib/drives.c) makes of a drive: the source it will hand QEMU, or its refusal. */
export type AddOutcome =
  | { ok: true; protocol: string; servers: DriveServer[] }
  | { ok: false; reason: 'protocol' | 'parameter' | 'file'; error: string };

const CURL = ['ftp', 'ftps', 'http', 'https', 'tftp'];

/** `accessError`: why access(filename, R_OK) fails here ("No such file or directory"); undefined when it succeeds or was not tried. */
export function addDrive(drive: GuestfsDrive, facts: LibguestfsFacts, accessError: string | undefined): AddOutcome {
  const protocol = drive.protocol ?? 'file';
  const parsed = (drive.server ?? []).map(parseServer);
  const bad = parsed.find((s): s is { error: string } => 'error' in s);
  if (bad) return refuse('parameter', bad.error);
  const servers = parsed as DriveServer[];
  const param = parameterError(drive);
  if (param) return refuse('parameter', param);
  if (protocol === 'file') {
    if (servers.length > 0) return refuse('parameter', 'you cannot specify a server with file-backed disks');
    if (drive.username !== undefined)
      return refuse('parameter', 'you cannot specify a username with file-backed disks');
    if (drive.secret !== undefined) return refuse('parameter', 'you cannot specify a secret with file-backed disks');
    if (accessError !== undefined && drive.filename !== '/dev/null')
      return refuse('file', `${drive.filename}: ${accessError}`);
    return { ok: true, protocol, servers };
  }
  // A distro patch (RHEL's "Disable unsupported remote drive protocols") removes branches: they fall through here.
  if (!facts.protocols.includes(protocol)) return refuse('protocol', `unknown protocol ‘${protocol}’`);
  const error = protocolError(protocol, drive, servers);
  if (error) return refuse('parameter', error);
  // create_drive_nbd: no port means the nbd service port, 10809.
  const fixed =
    protocol === 'nbd'
      ? servers.map((s) => (s.transport !== 'unix' && s.port === 0 ? { ...s, port: 10809 } : s))
      : servers;
  return { ok: true, protocol, servers: fixed };
}

function refuse(reason: 'protocol' | 'parameter' | 'file', error: string): AddOutcome {
  return { ok: false, reason, error };
}

function parameterError(drive: GuestfsDrive): string | undefined {
  const validName = (s: string) => /^[-_A-Za-z0-9]+$/.test(s);
  if (drive.format !== undefined && !validName(drive.format))
    return 'format parameter is empty or contains disallowed characters';
  if (drive.iface !== undefined && !validName(drive.iface))
    return 'iface parameter is empty or contains disallowed characters';
  if (drive.cachemode !== undefined && drive.cachemode !== 'writeback' && drive.cachemode !== 'unsafe') {
    return 'cachemode parameter must be ‘writeback’ (default) or ‘unsafe’';
  }
  if (drive.blocksize !== undefined && drive.blocksize !== 0 && drive.blocksize !== 512 && drive.blocksize !== 4096)
    return 'blocksize parameter is invalid';
  return undefined;
}

/** create_drive_curl, _gluster, _nbd, _rbd, _sheepdog, _ssh, _iscsi (lib/drives.c in 1.48.6). */
function protocolError(protocol: string, drive: GuestfsDrive, servers: DriveServer[]): string | undefined {
  const name = drive.filename;
  const tcpOnly = (p: string) =>
    servers.some((s) => s.transport === 'unix') ? `${p}: only tcp transport is supported` : undefined;
  const noAuth = (p: string) =>
    drive.username !== undefined
      ? `${p}: you cannot specify a username with this protocol`
      : drive.secret !== undefined
        ? `${p}: you cannot specify a secret with this protocol`
        : undefined;
  const one = (p: string) => (servers.length !== 1 ? `${p}: you must specify exactly one server` : undefined);
  if (CURL.includes(protocol)) {
    return (
      one('curl') ??
      tcpOnly('curl') ??
      (name === ''
        ? 'curl: pathname should not be an empty string'
        : name.startsWith('/')
          ? undefined
          : "curl: pathname must begin with a '/'")
    );
  }
  switch (protocol) {
    case 'gluster':
      return (
        noAuth('gluster') ??
        one('gluster') ??
        (name === ''
          ? 'gluster: volume name parameter should not be an empty string'
          : name.startsWith('/')
            ? "gluster: volume/image must not begin with a '/'"
            : undefined)
      );
    case 'nbd':
      return noAuth('nbd') ?? one('nbd');
    case 'rbd':
      return (
        tcpOnly('rbd') ??
        (servers.some((s) => s.port === 0)
          ? 'rbd: port number must be specified'
          : name === ''
            ? 'rbd: image name parameter should not be an empty string'
            : name.startsWith('/')
              ? "rbd: image name must not begin with a '/'"
              : undefined)
      );
    case 'sheepdog':
      return (
        noAuth('sheepdog') ??
        tcpOnly('sheepdog') ??
        (servers.some((s) => s.port === 0)
          ? 'sheepdog: port number must be specified'
          : name === ''
            ? 'sheepdog: volume parameter should not be an empty string'
            : name.startsWith('/')
              ? "sheepdog: volume parameter must not begin with a '/'"
              : undefined)
      );
    case 'ssh':
      return (
        one('ssh') ??
        tcpOnly('ssh') ??
        (name === ''
          ? 'ssh: pathname should not be an empty string'
          : !name.startsWith('/')
            ? "ssh: pathname must begin with a '/'"
            : drive.username === ''
              ? 'ssh: username should not be an empty string'
              : undefined)
      );
    case 'iscsi':
      return (
        one('iscsi') ??
        tcpOnly('iscsi') ??
        (name === ''
          ? 'iscsi: target name should not be an empty string'
          : name.startsWith('/')
            ? "iscsi: target string must not begin with a '/'"
            : undefined)
      );
    default:
      return undefined;
  }
}
