import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { namesIn, parseNbdkitConfig, parseV2vFeatures, parseV2vVersion } from '../../src/host/inspect-v2v.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/v2v/${name}`, import.meta.url), 'utf8');

describe('virt-v2v and nbdkit output, recorded from Debian 12 (virt-v2v 2.2.0, nbdkit 1.32.5)', () => {
  it('--machine-readable: the input and output modes', () => {
    const { inputs, outputs, features } = parseV2vFeatures(fixture('machine-readable-2.2.0.txt'));
    expect(inputs).toEqual(['disk', 'libvirt', 'libvirtxml', 'ova', 'vmx']);
    expect(outputs).toEqual([
      'glance',
      'kubevirt',
      'libvirt',
      'local',
      'null',
      'openstack',
      'qemu',
      'rhv',
      'rhv-upload',
      'vdsm',
    ]);
    expect(features).toContain('virt-v2v-2.0');
  });
  it('--version, also the 1.x form with the RHEL suffix', () => {
    expect(parseV2vVersion('virt-v2v 2.2.0\n')).toBe('2.2.0');
    expect(parseV2vVersion('virt-v2v 1.40.2rhel=7,release=10.el7,libvirt\n')).toBe('1.40.2');
  });
  it('nbdkit --dump-config and the plugin directory', () => {
    const config = parseNbdkitConfig(fixture('nbdkit-dump-config-1.32.5.txt'));
    expect(config['version']).toBe('1.32.5');
    expect(config['plugindir']).toBe('/usr/lib/x86_64-linux-gnu/nbdkit/plugins');
    const plugins = namesIn(fixture('nbdkit-plugindir-1.32.5.txt').split('\n'), 'plugin');
    expect(plugins).toContain('curl');
    expect(plugins).toContain('sparse-random');
    expect(plugins).not.toContain('vddk');
  });
});
