import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseFormatHelp, parseImgHelp, parseVersion } from '../../src/host/inspect-parse.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/inspect/${name}`, import.meta.url), 'utf8');
const words = (s: string): string[] => s.split(' ');

const RHEL9_RW = words('blkdebug compress copy-on-read file host_device luks nbd null-co nvme qcow2 raw throttle');
const DEBIAN_ALL = words(
  'blkdebug blklogwrites blkreplay blkverify bochs cloop compress copy-before-write ' +
    'copy-on-read dmg file ftp ftps gluster host_cdrom host_device http https iscsi iser luks ' +
    'nbd nfs null-aio null-co nvme parallels preallocate qcow qcow2 qed quorum raw rbd ' +
    'replication snapshot-access ssh throttle vdi vhdx vmdk vpc vvfat',
);

describe('parseVersion', () => {
  it('reads version and Debian package text from stock Debian qemu-system-x86_64 --version', () => {
    expect(parseVersion(fixture('debian.qemu-version.txt'))).toEqual({
      version: '7.2.22',
      package: 'Debian 1:7.2+dfsg-7+deb12u18+b3',
      line: 1,
      text: 'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)',
    });
  });

  it('gives an empty package for a build without --with-pkgversion', () => {
    expect(parseVersion(fixture('rhel9.qemu-version.txt'))).toMatchObject({ version: '7.2.22', package: '', line: 1 });
  });

  it('reads qemu-img --version the same way', () => {
    expect(parseVersion(fixture('debian.img-version.txt'))).toMatchObject({
      version: '7.2.22',
      package: 'Debian 1:7.2+dfsg-7+deb12u18+b3',
    });
  });

  it('reads the old one-line form with the copyright after the package (RHEL 7 qemu-kvm 1.5.3)', () => {
    const text = 'QEMU emulator version 1.5.3 (qemu-kvm-1.5.3-175.el7_9.6), Copyright (c) 2003-2008 Fabrice Bellard\n';
    expect(parseVersion(text)).toMatchObject({ version: '1.5.3', package: 'qemu-kvm-1.5.3-175.el7_9.6' });
  });

  it('returns undefined for text that names no version', () => {
    expect(parseVersion('bash: qemu-kvm: command not found\n')).toBeUndefined();
  });
});

describe('parseFormatHelp', () => {
  it('splits the rhel9 build into the rw line and the rw+ro line', () => {
    expect(parseFormatHelp(fixture('rhel9.format-help.txt'))).toEqual({
      readWrite: { formats: RHEL9_RW, line: 1 },
      readOnly: {
        formats: words(
          'blkdebug compress copy-on-read file host_device https luks nbd null-co nvme qcow2 raw ' +
            'throttle vdi vhdx vmdk vpc',
        ),
        line: 2,
      },
    });
  });

  it('leaves out whitelisted names that the rhel7 build does not have (iscsi, gluster, rbd)', () => {
    const help = parseFormatHelp(fixture('rhel7.format-help.txt'));
    expect(help?.readWrite.formats).toEqual(words('blkdebug file host_device nbd qcow2 raw'));
    expect(help?.readOnly.formats).toEqual(words('blkdebug file host_device https nbd qcow2 raw ssh vhdx vmdk vpc'));
  });

  it('gives two identical lists for stock Debian, which has no whitelist', () => {
    const help = parseFormatHelp(fixture('debian.format-help.txt'));
    expect(help?.readWrite.formats).toEqual(DEBIAN_ALL);
    expect(help?.readOnly.formats).toEqual(DEBIAN_ALL);
  });

  it('returns undefined when a line is missing', () => {
    expect(parseFormatHelp('Supported formats: qcow2 raw\n')).toBeUndefined();
  });
});

describe('parseImgHelp', () => {
  it('reads the 7.2 one-line list from stock Debian qemu-img --help', () => {
    const help = parseImgHelp(fixture('debian.img-help.txt'));
    expect(help).toMatchObject({ layout: 'one-line', line: 109 });
    expect(help?.formats).toEqual(DEBIAN_ALL.filter((n) => n !== 'blkreplay'));
  });

  it('shows the rw list only when the tools enforce (rhel9-tools), everything otherwise (rhel9)', () => {
    expect(parseImgHelp(fixture('rhel9-tools.img-help.txt'))?.formats).toEqual(RHEL9_RW);
    expect(parseImgHelp(fixture('rhel9.img-help.txt'))?.formats).toContain('vvfat');
  });

  it('reads the wrapped 10.2 form: heading, blank line, indented lines up to a blank line', () => {
    const help = parseImgHelp(fixture('qemu-10.2.img-help.txt'));
    expect(help).toMatchObject({ layout: 'wrapped', line: 6 });
    expect(help?.formats).toEqual(DEBIAN_ALL.filter((n) => n !== 'blkreplay'));
  });

  it('stops the wrapped list at the first blank line', () => {
    const text = 'Supported image formats:\n\n  qcow2 raw\n  vmdk\n\n  not-a-format\n';
    expect(parseImgHelp(text)?.formats).toEqual(['qcow2', 'raw', 'vmdk']);
  });

  it('returns undefined when there is no list', () => {
    expect(parseImgHelp('qemu-img: unrecognized option\n')).toBeUndefined();
  });
});
