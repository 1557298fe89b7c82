/** What a libguestfs tool hands to guestfs_add_drive_opts (lib/drives.c), and which backend launches the appliance. */

export type GuestfsBackend = 'direct' | 'libvirt';

/**
 * One call of guestfs_add_drive_opts: the filename (a path for `file`, the export, volume or URL path for the
 * others) and the optional arguments, named as libguestfs names them.
 */
export interface GuestfsDrive {
  filename: string;
  /** add_drive's protocol; libguestfs's default is `file`. */
  protocol?: string;
  /** add_drive's server list: "tcp:HOST[:PORT]", "unix:/SOCKET" or "HOST[:PORT]". */
  server?: string[];
  username?: string;
  secret?: string;
  format?: string;
  readonly?: boolean;
  iface?: string;
  cachemode?: string;
  blocksize?: number;
  /** How the user named the drive, for reports: "-a nbd://host/disk", "--domain disk sda". */
  origin?: string;
}
