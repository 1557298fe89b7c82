import { describe, expect, it } from 'vitest';
import { commandEnv, splitEnvironment } from '../../src/plan/environment.js';
import { InputError } from '../../src/errors.js';

describe('the environment a command line gives its program', () => {
  it('reads NAME=VALUE words before the program, as the shell does', () => {
    const split = splitEnvironment(['LIBGUESTFS_BACKEND=direct', 'X=a=b', 'virt-v2v', '-i', 'disk', 'Y=c']);
    expect(split.argv).toEqual(['virt-v2v', '-i', 'disk', 'Y=c']);
    expect(commandEnv(split, { HOME: '/root', LIBGUESTFS_BACKEND: 'libvirt' })).toEqual({
      HOME: '/root',
      LIBGUESTFS_BACKEND: 'direct',
      X: 'a=b',
    });
  });

  it('reads env(1) with -i, -u and --', () => {
    const split = splitEnvironment([
      '/usr/bin/env',
      '-u',
      'HOME',
      '-i',
      '--',
      'LIBGUESTFS_BACKEND=direct',
      'guestfish',
      '-a',
      'x',
    ]);
    expect(split.argv).toEqual(['guestfish', '-a', 'x']);
    expect(commandEnv(split, { HOME: '/root', PATH: '/bin' })).toEqual({ LIBGUESTFS_BACKEND: 'direct' });
    expect(
      commandEnv(splitEnvironment(['env', '--unset=PATH', 'qemu-img', 'info', 'x']), { PATH: '/bin', A: '1' }),
    ).toEqual({ A: '1' });
  });

  it('leaves a plain command alone, and refuses env options it does not know', () => {
    expect(splitEnvironment(['qemu-img', 'info', 'a=b'])).toEqual({
      argv: ['qemu-img', 'info', 'a=b'],
      set: {},
      unset: [],
      clean: false,
    });
    expect(() => splitEnvironment(['env', '-S', 'x'])).toThrow(InputError);
  });
});
