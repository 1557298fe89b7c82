import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { ImageFacts } from '../../src/model/image.js';
import type { Profile } from '../../src/model/profile.js';
import { bundledProfiles } from '../../src/host/profiles.js';
import { planDomain } from '../../src/stack/libvirt/plan.js';
import { parseDomainXml } from '../../src/stack/libvirt/xml.js';
import { libvirtDiskOrder, diskIndex } from '../../src/stack/libvirt/devices.js';
import { libvirtFeatures } from '../../src/stack/libvirt/features.js';
import { backingSource } from '../../src/stack/libvirt/backing-name.js';
import { evaluateStack } from '../../src/engine/stack.js';
import { parseLibvirtVersion } from '../../src/host/inspect-libvirt.js';
import { InputError } from '../../src/errors.js';
import { image } from '../support/scenario.js';

const D = '/srv/blockgate-images';
const fixture = (name: string) => readFileSync(`test/fixtures/domains/${name}.xml`, 'utf8');
const profile = (name: string, libvirt?: string): Profile => {
  const p = bundledProfiles()[name];
  if (!p?.libvirt) throw new Error(`${name} has no libvirt group`);
  return libvirt ? { ...p, libvirt: { ...p.libvirt, version: libvirt } } : p;
};

const FILES: ImageFacts[] = [
  image(`${D}/base.qcow2`, 'qcow2'),
  image(`${D}/overlay.qcow2`, 'qcow2', { backingFile: 'base.qcow2', backingFormat: 'qcow2' }),
  image(`${D}/data.img`, 'raw'),
  image(`${D}/disk.vpc`, 'vpc'),
  image(`${D}/unrecorded.qcow2`, 'qcow2', { backingFile: 'base.qcow2' }),
  image(`${D}/unrecorded-chain.qcow2`, 'qcow2', { backingFile: 'overlay.qcow2' }),
  image(`${D}/json-backing.qcow2`, 'qcow2', {
    backingFile: 'json:{"driver":"null-co","size":1048576}',
    backingFormat: 'raw',
  }),
];

function judge(xml: string, p: Profile) {
  const byName = new Map(FILES.map((f) => [f.filename, f]));
  const facts = (name: string) => byName.get(name) ?? { filename: name, exists: false };
  const result = evaluateStack(planDomain(xml, { profile: p, facts, env: {} }), p);
  const step = (id: string) => result.steps.find((s) => s.step.id === id);
  return {
    result,
    codes: result.findings.filter((f) => f.layer === 'libvirt').map((f) => f.code),
    libvirtMessage: step('libvirt')?.step.messages?.[0],
    qemu: step('qemu')?.check,
  };
}

describe('libvirt versions', () => {
  it('-blockdev from libvirt 5.10 with QEMU 4.2, -drive before', () => {
    expect(libvirtFeatures('5.10.0', '4.2.0').blockdev).toBe(true);
    expect(libvirtFeatures('5.10.0', '4.1.0').blockdev).toBe(false);
    expect(libvirtFeatures('5.9.0', '6.0.0').blockdev).toBe(false);
  });

  it('backing format policy: QEMU probes, assumed raw (5.10), refused (6.0), probed if safe (6.1+)', () => {
    expect(libvirtFeatures('4.5.0', '2.12.0').backingFormat).toBe('qemu-probes');
    expect(libvirtFeatures('5.10.0', '4.2.0').backingFormat).toBe('assume-raw');
    expect(libvirtFeatures('6.0.0', '4.2.0').backingFormat).toBe('refuse');
    expect(libvirtFeatures('6.1.0', '4.2.0').backingFormat).toBe('probe-if-safe');
  });
});

describe('libvirt rules by version', () => {
  it('a backing image with a backing of its own and no recorded format: refused from 6.0', () => {
    const j = judge(fixture('backing-format-missing'), profile('debian-12'));
    expect(j.result.verdict).toBe('fails');
    expect(j.libvirtMessage).toBe(
      "Requested operation is not valid: format of backing image 'overlay.qcow2' of image " +
        `'${D}/unrecorded-chain.qcow2' was not specified in the image metadata (See ` +
        'https://libvirt.org/kbase/backing_chains.html for troubleshooting)',
    );
    expect(j.qemu).toBeUndefined();
  });

  it('an unrecorded backing with no backing of its own: probed from 6.1, refused by 6.0, assumed raw by 5.10', () => {
    expect(judge(fixture('backing-format-probed'), profile('debian-12')).codes).toEqual([
      'libvirt-backing-format-probed',
    ]);
    expect(judge(fixture('backing-format-probed'), profile('debian-12', '6.0.0')).codes).toEqual([
      'libvirt-backing-format-missing',
    ]);
    const raw = judge(fixture('backing-format-probed'), profile('debian-12', '5.10.0'));
    expect(raw.codes).toEqual(['libvirt-backing-assumed-raw']);
    expect(raw.qemu?.plan.drives.map((d) => d.location)).toContain(
      '-blockdev {"node-name":"libvirt-2-format","read-only":true,"driver":"raw","file":"libvirt-2-storage"}',
    );
  });

  it('libvirt 4.5 (RHEL 7) hands QEMU one -drive and lets QEMU open the chain', () => {
    const j = judge(fixture('backing-format-probed'), profile('rhel-7'));
    expect(j.codes).toEqual([]);
    expect(j.qemu?.plan.drives.map((d) => d.location)).toEqual([
      `-drive file=${D}/unrecorded.qcow2,format=qcow2,if=none,id=drive-virtio-disk0`,
    ]);
  });

  it('json: backing with a driver libvirt cannot parse', () => {
    expect(judge(fixture('json-backing'), profile('rhel-9')).libvirtMessage).toBe(
      "internal error: missing parser implementation for JSON backing volume driver 'null-co'",
    );
  });

  it('tftp always, vxhs with a QEMU from 5.1 on, read-only IDE disks', () => {
    expect(judge(fixture('tftp'), profile('rhel-9')).libvirtMessage).toBe(
      "unsupported configuration: 'tftp' protocol is not supported with this QEMU binary",
    );
    expect(judge(fixture('vxhs'), profile('rhel-9')).libvirtMessage).toBe(
      'unsupported configuration: VxHS protocol is not supported with this QEMU binary',
    );
    expect(judge(fixture('readonly-ide'), profile('rhel-9')).libvirtMessage).toBe(
      'unsupported configuration: readonly ide disks are not supported',
    );
  });

  it('no <driver type>: raw, with a warning when the header says otherwise', () => {
    const j = judge(fixture('no-driver-type'), profile('debian-12'));
    expect(j.codes).toEqual(['libvirt-format-defaults-raw']);
    expect(j.result.verdict).toBe('opens');
  });

  it('vpc read-write fails in QEMU on rhel-9, read-only opens', () => {
    const rw = judge(fixture('vpc-read-write'), profile('rhel-9'));
    expect(rw.qemu?.messages).toEqual([
      'qemu-system-x86_64: -blockdev ' +
        '{"node-name":"libvirt-1-format","read-only":false,"driver":"vpc","file":"libvirt-1-storage"}: ' +
        "Driver 'vpc' can only be used for read-only devices",
    ]);
    expect(judge(fixture('vpc-read-only'), profile('rhel-9')).result.verdict).toBe('opens');
  });

  it(
    'network disks become the storage nodes libvirt 9.0 writes, numbered from the last disk ' +
      '(hdc sorts after the virtio disks)',
    () => {
      const j = judge(fixture('network-disks'), profile('debian-12'));
      const locations = j.qemu?.plan.drives.map((d) => d.location) ?? [];
      expect(locations).toContain(
        '-blockdev ' +
          '{"driver":"nbd","server":{"type":"inet","host":"nbd.example.com","port":"10809"},"export":"export","node-name":"libvirt-6-storage","auto-read-only":true,"discard":"unmap"}',
      );
      expect(locations).toContain(
        '-blockdev ' +
          '{"driver":"https","url":"https://www.example.com:443/images/boot.iso","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap"}',
      );
      expect(locations).toContain(
        '-blockdev ' +
          '{"driver":"nfs","server":{"host":"nfs.example.com","type":"inet"},"path":"/export/a.img","node-name":"libvirt-2-storage","auto-read-only":true,"discard":"unmap"}',
      );
    },
  );

  it("a protocol the profile's libvirt does not know is an XML error", () => {
    const xml = fixture('network-disks').replace("protocol='nfs'", "protocol='vitastor'");
    expect(judge(xml, profile('debian-12')).libvirtMessage).toBe(
      "XML error: Invalid value for attribute 'protocol' in element 'source': 'vitastor'.",
    );
  });
});

describe('domain XML', () => {
  it('reads disks, chains and flags', () => {
    const d = parseDomainXml(fixture('explicit-backing-store'));
    expect(d.emulator).toBe('/usr/bin/qemu-system-x86_64');
    expect(d.disks[0]?.backing).toEqual({
      kind: 'image',
      image: { type: 'file', path: `${D}/base.qcow2`, hosts: [], format: 'qcow2' },
      backing: { kind: 'end' },
    });
  });

  it('malformed XML and non-domains are input errors', () => {
    expect(() => parseDomainXml('<domain><devices>')).toThrow(InputError);
    expect(() => parseDomainXml('<network/>')).toThrow(/no <domain>/);
  });

  it('orders disks as virDomainDiskInsert does: by index within a bus', () => {
    const disks = ['vdb', 'hdc', 'vda'].map((target) => ({
      target,
      bus: target.startsWith('vd') ? 'virtio' : 'ide',
      device: 'disk' as const,
      backing: { kind: 'detect' as const },
      readOnly: false,
      shareable: false,
      transient: false,
    }));
    expect(libvirtDiskOrder(disks).map((d) => d.target)).toEqual(['vda', 'vdb', 'hdc']);
    expect(diskIndex('sdaa')).toBe(26);
  });

  it('backing names: relative paths, URLs and json:', () => {
    expect(backingSource('/a/top.qcow2', 'base.qcow2', 'qcow2')).toEqual({
      type: 'file',
      path: '/a/base.qcow2',
      hosts: [],
      format: 'qcow2',
    });
    expect(backingSource('/a/t', 'http://example.com/a.img', 'raw')).toMatchObject({
      type: 'network',
      protocol: 'http',
      name: '/a.img',
    });
    expect(backingSource('/a/t', 'json:{"driver":"qcow2","file":{"driver":"file"}}', undefined)).toMatchObject({
      message: "internal error: missing parser implementation for JSON backing volume driver 'qcow2'",
    });
  });
});

describe('libvirt version output (recorded from libvirt 9.0.0)', () => {
  it.each([
    ['virsh-version-9.0.0.txt', 'Using library: libvirt 9.0.0'],
    ['libvirtd-version-9.0.0.txt', 'libvirtd (libvirt) 9.0.0'],
    ['virsh--version-9.0.0.txt', '9.0.0'],
  ])('%s', (file, line) => {
    const parsed = parseLibvirtVersion(readFileSync(`test/fixtures/domains/versions/${file}`, 'utf8'));
    expect(parsed?.libvirt).toBe('9.0.0');
    expect(parsed?.line).toBe(line);
  });

  it('virsh version names the running hypervisor', () => {
    expect(
      parseLibvirtVersion(readFileSync('test/fixtures/domains/versions/virsh-version-9.0.0.txt', 'utf8'))?.hypervisor,
    ).toEqual({ name: 'QEMU', version: '7.2.22' });
    expect(parseLibvirtVersion('error: failed to connect to the hypervisor')).toBeUndefined();
  });
});
