import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectLibguestfs, parseBackend, parseGuestfishVersion } from '../../src/host/inspect-libguestfs.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/libguestfs/${name}`, import.meta.url), 'utf8');

describe('host libguestfs facts', () => {
  it('parses what Debian 12 guestfish 1.48.6 printed', () => {
    expect(parseGuestfishVersion(fixture('guestfish-version.txt'))).toBe('1.48.6');
    expect(parseBackend(fixture('guestfish-get-backend.txt'))).toBe('direct');
  });

  it('asks the real guestfish, and LIBGUESTFS_BACKEND wins over the default', async () => {
    const facts = await inspectLibguestfs('guestfish', { ...process.env, LIBGUESTFS_BACKEND: 'libvirt' });
    expect(facts).toMatchObject({ version: '1.48.6', backend: 'libvirt', defaultBackend: 'direct' });
  });
});
