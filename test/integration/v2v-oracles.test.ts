/**
 * The key case of virt-v2v on RHEL, run for real on the whitelisted oracle QEMUs: what virt-v2v 1.40 (RHEL 7) makes
 * QEMU open for VMware over https and Xen over ssh (a local qcow2 overlay with a json: backing), and what 2.x
 * (RHEL 9) makes it open (an nbd socket served by nbdkit). Each appliance -drive blockgate plans is started
 * paused on the oracle; a connection error after the whitelist counts as agreement (see verify.test.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Profile } from '../../src/model/profile.js';
import type { StackStep } from '../../src/model/stack.js';
import { bundledProfiles, loadProfile } from '../../src/host/profiles.js';
import { planV2v } from '../../src/stack/v2v/plan.js';
import { evaluateStack } from '../../src/engine/stack.js';
import { factsReader } from '../../src/host/facts.js';
import { oracle } from '../support/oracles.js';
import { compare, expectAgreement } from '../support/compare.js';

const VPX = 'virt-v2v -ic vpx://root@vcenter.invalid/Datacenter/esxi guest1 -o local -os /var/tmp -of qcow2';
const XEN = 'virt-v2v -ic xen+ssh://root@xen.invalid guest2 -o local -os /var/tmp -of qcow2';

/** The oracle's QEMU facts under the bundled distro's virt-v2v, libguestfs and nbdkit facts. */
async function stack(oracleProfile: string, distro: string): Promise<Profile> {
  const q = await loadProfile(resolve(`test/fixtures/profiles/${oracleProfile}.yaml`));
  const d = bundledProfiles()[distro];
  if (!d) throw new Error(`no bundled profile ${distro}`);
  return { ...d, name: `${distro} on ${oracleProfile}`, qemu: q.qemu };
}

function appliance(
  p: Profile,
  command: string,
  env: Record<string, string> = { LIBGUESTFS_BACKEND: 'direct' },
): { step: StackStep; verdict: string; overlayBacking?: string } {
  const r = evaluateStack(planV2v(command.split(' '), { profile: p, facts: factsReader(tmpdir()), env }), p);
  const s = r.steps.find((x) => x.step.id === 'appliance');
  if (!s) throw new Error('no appliance step');
  const overlay = r.steps.find((x) => x.step.id === 'overlay sda');
  return {
    step: s.step,
    verdict: s.verdict,
    ...(overlay ? { overlayBacking: overlay.step.qemu?.drives[0]?.location } : {}),
  };
}

describe('rhel-7 (virt-v2v 1.40): the remote disk is the read-only backing of a local overlay', () => {
  for (const [name, command, driver] of [
    ['vpx:// over https', VPX, 'https'],
    ['xen+ssh://', XEN, 'ssh'],
  ] as const) {
    it(`${name}: the rhel7 oracle opens the overlay and reaches the ${driver} backing read-only`, async () => {
      const o = oracle('rhel7');
      const p = await stack('oracle-rhel7', 'rhel-7');
      const planned = appliance(p, command);
      expect(planned.verdict).toBe('opens');
      const backing = planned.overlayBacking ?? '';
      expect(backing).toContain(`"file.driver":"${driver}"`);
      // The overlay as virt-v2v makes it (v2v.ml create_overlays), with -u and a size since nothing answers here.
      const dir = mkdtempSync(join(tmpdir(), 'blockgate-v2v-'));
      await execa(
        o.qemuImg,
        ['create', '-q', '-f', 'qcow2', '-u', '-b', backing, '-F', 'raw', '-o', 'compat=1.1', 'ov.qcow2', '1G'],
        { cwd: dir, env: o.env },
      );
      const c = await compare(o, p, dir, ['-drive', 'file=ov.qcow2,cache=unsafe,format=qcow2,id=hd0,if=none']);
      expectAgreement(c);
      expect(c.real.stderr).not.toMatch(/whitelist|read-only devices/);
      // The node graph blockgate checks for virt-v2v's appliance is the one this run checked.
      const nodes = (n: { driver: string; readOnly: boolean; children: unknown[] }): string[] => [
        `${n.driver}:${n.readOnly}`,
        ...(n.children as (typeof n)[]).flatMap(nodes),
      ];
      expect(planned.step.qemu?.drives.flatMap((d) => nodes(d.root))).toEqual(
        c.predicted.plan.drives.flatMap((d) => nodes(d.root)),
      );
    }, 60_000);
  }
  it('the same 1.40 plan on the rhel9 oracle fails: ssh is not whitelisted there, word for word', async () => {
    const o = oracle('rhel9');
    const p = { ...(await stack('oracle-rhel9', 'rhel-7')), name: 'virt-v2v 1.40 on rhel9 QEMU' };
    const planned = appliance(p, XEN);
    expect(planned.verdict).toBe('fails');
    const dir = mkdtempSync(join(tmpdir(), 'blockgate-v2v-'));
    await execa(
      o.qemuImg,
      ['create', '-q', '-f', 'qcow2', '-u', '-b', planned.overlayBacking ?? '', '-F', 'raw', 'ov.qcow2', '1G'],
      { cwd: dir, env: o.env },
    );
    const c = await compare(o, p, dir, ['-drive', 'file=ov.qcow2,cache=unsafe,format=qcow2,id=hd0,if=none']);
    expectAgreement(c);
    expect(c.real.stderr).toMatch(/Driver 'ssh' is not whitelisted/);
  }, 60_000);
});

describe('rhel-9 (virt-v2v 2.x): nbdkit serves the disk, QEMU only opens nbd', () => {
  const servers: ResultPromise[] = [];
  afterAll(() => {
    for (const s of servers) s.kill();
  });

  for (const [name, command] of [
    ['vpx:// over https', VPX],
    ['xen+ssh://', XEN],
  ] as const) {
    it(`${name}: the rhel9 oracle opens the appliance drive on a real nbdkit socket`, async () => {
      const o = oracle('rhel9');
      const p = await stack('oracle-rhel9', 'rhel-9');
      const planned = appliance(p, command, {});
      expect(planned.verdict).toBe('opens');
      const drive = planned.step.qemu?.drives[0];
      expect(drive?.root.driver).toBe('raw');
      expect(drive?.root.children.map((c) => c.driver)).toEqual(['nbd']);
      // The socket nbdkit would serve the remote disk on; here nbdkit-file serves a local stand-in.
      const dir = mkdtempSync(join(tmpdir(), 'blockgate-v2v-'));
      writeFileSync(join(dir, 'disk.img'), Buffer.alloc(1 << 20));
      const socket = join(dir, 'in0');
      const server = execa(
        'nbdkit',
        ['-f', '--exit-with-parent', '-U', socket, 'file', `file=${join(dir, 'disk.img')}`],
        { reject: false },
      );
      servers.push(server);
      // Wait for nbdkit to bind the socket (it does not fork in -f mode, so there is no ready signal but the file).
      for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
      const c = await compare(o, p, dir, ['-drive', `file=nbd:unix:${socket},format=raw,id=hd0,if=none`]);
      expectAgreement(c);
      expect(c.real.nodes.map((n) => n.driver).sort()).toEqual(['nbd', 'raw']);
    }, 60_000);
  }
});
