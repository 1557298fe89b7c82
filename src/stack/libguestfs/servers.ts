/** add_drive's server strings (lib/drives.c parse_one_server). */

export interface DriveServer {
  transport: 'none' | 'tcp' | 'unix';
  hostname?: string;
  port: number;
  socket?: string;
}

/** A parsed server, or the exact error libguestfs raises for it. */
export function parseServer(server: string): DriveServer | { error: string } {
  let rest = server;
  let transport: DriveServer['transport'] = 'none';
  if (rest.startsWith('tcp:')) {
    rest = rest.slice(4);
    transport = 'tcp';
  } else if (rest.startsWith('unix:')) {
    if (rest.length === 5) return { error: 'missing Unix domain socket path' };
    return { transport: 'unix', socket: rest.slice(5), port: 0 };
  }
  const m = /^(.*):(\d+)$/s.exec(rest);
  if (m) {
    const [, hostname = '', port = ''] = m;
    if (!(Number(port) > 0 && Number(port) <= 65535)) return { error: `invalid port number ‘${port}’` };
    if (!validHostname(hostname)) return { error: `invalid hostname ‘${hostname}’` };
    return { transport, hostname, port: Number(port) };
  }
  if (!validHostname(rest)) return { error: `invalid hostname or server string ‘${rest}’` };
  return { transport, hostname: rest, port: 0 };
}

/** VALID_HOSTNAME (lib/guestfs-internal.h): letters, digits, '-', '.', ':', '[' and ']', 1 to 255 of them. */
function validHostname(name: string): boolean {
  return /^[-A-Za-z0-9.:[\]]{1,255}$/.test(name);
}
