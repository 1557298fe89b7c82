import { describe, expect, it } from 'vitest';
import { bundledProfiles } from '../../src/host/profiles.js';
import { factsReader } from '../../src/host/facts.js';
import { evaluateStack } from '../../src/engine/stack.js';
import { planAppliance, planLibguestfs } from '../../src/stack/libguestfs/plan.js';
import { parseAddArgument } from '../../src/stack/libguestfs/uri.js';
import { qemuParam } from '../../src/stack/libguestfs/qemu-param.js';
import { parseServer, type DriveServer } from '../../src/stack/libguestfs/servers.js';
import { InputError } from '../../src/errors.js';

const profiles = bundledProfiles();

function ctx(profile: string, env: Record<string, string> = {}) {
  const p = profiles[profile];
  if (!p) throw new Error(`no profile ${profile}`);
  return { profile: p, facts: factsReader(process.cwd()), env };
}

function run(profile: string, command: string, env: Record<string, string> = {}) {
  const c = ctx(profile, env);
  return evaluateStack(planLibguestfs(command.split(' '), c), c.profile);
}

const messages = (r: ReturnType<typeof run>) => r.steps.flatMap((s) => s.step.messages ?? []);
const codes = (r: ReturnType<typeof run>) => r.findings.map((f) => f.code);

describe('-a URI (libguestfs-common options/uri.c)', () => {
  it.each([
    ['nbd:///?socket=/x.sock', { kind: 'uri', protocol: 'nbd', path: '', server: 'unix:/x.sock' }],
    ['nbd://localhost/x', { kind: 'uri', protocol: 'nbd', path: 'x', server: 'tcp:localhost' }],
    [
      'ssh://root:pw@h:2222/disk.img',
      { kind: 'uri', protocol: 'ssh', path: '/disk.img', server: 'tcp:h:2222', username: 'root', secret: 'pw' },
    ],
    ['rbd:///pool/img', { kind: 'uri', protocol: 'rbd', path: 'pool/img' }],
    ['nbd+unix:///?socket=/x.sock', { kind: 'file', path: 'nbd+unix:///?socket=/x.sock', schemeIgnored: 'nbd+unix' }],
    ['NBD://h/x', { kind: 'file', path: 'NBD://h/x', schemeIgnored: 'NBD' }],
    ['disk.img', { kind: 'file', path: 'disk.img' }],
  ])('%s', (arg, expected) => expect(parseAddArgument(arg)).toEqual(expected));
});

describe('the filename QEMU gets (lib/qemu.c guestfs_int_drive_source_qemu_param)', () => {
  const servers = (s: string[]) => s.map((x) => parseServer(x) as DriveServer);
  // Each expected string was printed by real guestfish 1.48.6 in "qemu-img info: NAME: ..." (see docs/findings).
  it.each([
    ['nbd', 'x', ['tcp:localhost:10809'], 'nbd:localhost:10809:exportname=x'],
    ['nbd', '', ['unix:/tmp/lg/n.sock'], 'nbd:unix:/tmp/lg/n.sock'],
    ['http', '/x', ['tcp:h'], 'http://h/x'],
    ['gluster', 'vol/img', ['tcp:h'], 'gluster+tcp://h/vol/img'],
    ['sheepdog', 'v', ['tcp:h:7000'], 'sheepdog:h:7000:v'],
    ['rbd', 'pool/img', [], 'rbd:pool/img:auth_supported=none'],
    ['iscsi', 'iqn/0', ['tcp:h'], 'iscsi://h/iqn/0'],
  ])('%s %s', (protocol, filename, server, expected) => {
    expect(qemuParam({ protocol, filename, servers: servers(server) }, (p) => p)).toBe(expected);
  });
});

describe('add_drive on each profile', () => {
  it("RHEL 9 refuses ssh with libguestfs's own message, before QEMU", () => {
    const r = run('rhel-9', 'virt-cat -a ssh://h/disk.img /etc/passwd');
    expect(r.verdict).toBe('fails');
    expect(messages(r)).toEqual(['libguestfs: error: unknown protocol ‘ssh’']);
    expect(codes(r)).toEqual(['libguestfs-protocol-unknown']);
    expect(r.steps.map((s) => s.step.id)).toEqual(['hd0']);
  });

  it('RHEL 7 and RHEL 8 keep rbd, Debian keeps ssh', () => {
    expect(codes(run('rhel-7', 'guestfish --ro --format=raw -a rbd://mon:6789/pool/img'))).not.toContain(
      'libguestfs-protocol-unknown',
    );
    expect(codes(run('debian-12', 'guestfish --ro --format=raw -a ssh://h/disk.img'))).not.toContain(
      'libguestfs-protocol-unknown',
    );
  });

  it('OCaml tools wrap the library error', () => {
    const r = run('rhel-9', 'virt-customize -n -a https://h/disk.img');
    expect(messages(r)).toEqual([
      'virt-customize: error: libguestfs error: unknown protocol ‘https’',
      '',
      'If reporting bugs, run virt-customize with debugging enabled and include the complete output:',
      '',
      '  virt-customize -v -x [...]',
    ]);
  });

  it('an nbd URI with no server', () => {
    expect(messages(run('debian-12', 'guestfish --ro -a nbd:///x'))).toEqual([
      'libguestfs: error: nbd: you must specify exactly one server',
    ]);
  });

  it('a read-only remote drive without --format fails on the direct backend since 1.45.7', () => {
    const r = run('debian-12', 'guestfish --ro -a nbd:///?socket=/tmp/n.sock');
    expect(codes(r)).toEqual(['libguestfs-remote-format-needed']);
    expect(messages(r)[0]).toBe(
      'libguestfs: error: qemu-img info: nbd:unix:/tmp/n.sock: qemu-img info exited with error status 1.',
    );
  });

  it("the libvirt backend (RHEL's default) needs the format of a remote drive", () => {
    const r = run('rhel-9', 'guestfish --ro -a nbd://h/disk');
    expect(codes(r)).toEqual(['libguestfs-libvirt-format-needed']);
    expect(messages(r)[0]).toBe('libguestfs: error: could not auto-detect the format when using a non-file protocol.');
  });

  it('the libvirt backend refuses a read-write https drive at launch, the direct backend does not', () => {
    expect(codes(run('fedora', 'guestfish --format=raw -a https://h/disk.img'))).toContain('libguestfs-libvirt-curl');
    expect(
      codes(run('fedora', 'guestfish --format=raw -a https://h/disk.img', { LIBGUESTFS_BACKEND: 'direct' })),
    ).not.toContain('libguestfs-libvirt-curl');
  });
});

describe('the appliance', () => {
  it('a read-only https source is the backing file of the overlay: the RHEL 9 ro whitelist is enough', () => {
    const r = run('rhel-9', 'guestfish --ro --format=raw -a nbd:///?socket=/tmp/n.sock', {
      LIBGUESTFS_BACKEND: 'direct',
    });
    const appliance = r.steps.find((s) => s.step.id === 'appliance');
    expect(appliance?.step.program).toBe('qemu-kvm');
    expect(appliance?.check?.plan.drives[0]?.location).toBe(
      '-drive file=/tmp/libguestfsXXXXXX/overlay1.qcow2,format=qcow2,cache=unsafe,id=hd0,if=none',
    );
    expect(r.verdict).toBe('opens');
  });

  it('planAppliance takes drives from another tool (virt-v2v adds NBD sockets)', () => {
    const steps = planAppliance(
      [{ filename: '', protocol: 'nbd', server: ['unix:/tmp/in.sock'], format: 'raw' }],
      'direct',
      ctx('rhel-9'),
    );
    expect(steps.map((s) => s.id)).toEqual(['hd0', 'appliance']);
    expect(steps[1]?.qemu?.drives[0]?.location).toBe(
      '-drive file=nbd:unix:/tmp/in.sock,cache=writeback,format=raw,id=hd0,if=none',
    );
  });
});

describe('bad input', () => {
  it.each([
    ['guestfish -d guest', /virsh dumpxml guest \| blockgate check --domain -/],
    ['guestfish -a x.img --format=raw', /--format parameter must appear before -a parameter/],
    ['guestfish --ro --rw -a x.img', /cannot mix --ro and --rw options/],
    ['guestfish --ro', /no disk given/],
  ])('%s', (command, message) => {
    expect(() => planLibguestfs(command.split(' '), ctx('debian-12'))).toThrow(InputError);
    expect(() => planLibguestfs(command.split(' '), ctx('debian-12'))).toThrow(message);
  });

  it('an unknown LIBGUESTFS_BACKEND', () => {
    expect(() =>
      planLibguestfs(['guestfish', '-a', '/dev/null'], ctx('debian-12', { LIBGUESTFS_BACKEND: 'uml' })),
    ).toThrow(InputError);
  });
});
