import { InputError } from '../../errors.js';
import type { Profile } from '../../model/profile.js';
import type { GuestfsBackend } from './drive.js';

export interface ChosenBackend {
  backend: GuestfsBackend;
  /** As written: "libvirt:qemu:///session" names a connection. */
  value: string;
  /** LIBGUESTFS_BACKEND chose it, not the build's default. */
  fromEnv: boolean;
}

/**
 * The backend libguestfs launches with, for guestfish, the virt-* tools and virt-v2v alike: LIBGUESTFS_BACKEND, else
 * the build's --with-default-backend (lib/backend.c guestfs_impl_set_backend: "appliance" is the old name of direct,
 * "libvirt:URI" names a connection, any other name is refused).
 */
export function chosenBackend(env: Readonly<Record<string, string | undefined>>, profile: Profile): ChosenBackend {
  const given = env['LIBGUESTFS_BACKEND'];
  const value = given ?? profile.libguestfs?.defaultBackend ?? 'direct';
  const fromEnv = given !== undefined;
  if (value === 'direct' || value === 'appliance') return { backend: 'direct', value, fromEnv };
  if (value === 'libvirt' || value.startsWith('libvirt:')) return { backend: 'libvirt', value, fromEnv };
  throw new InputError(`LIBGUESTFS_BACKEND=${value} is not a libguestfs backend: use direct or libvirt[:URI]`);
}
