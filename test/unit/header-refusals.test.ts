import { describe, expect, it } from 'vitest';
import { expectOpen, image } from '../support/scenario.js';

const badQcow2 = image('bad.qcow2', 'qcow2', { refusal: 'Unsupported qcow2 version 4', backingFile: 'base.qcow2' });
const badVhdx = image('bad.vhdx', 'vhdx', { refusal: 'Invalid argument', refusalErrno: true });

describe('a header the format driver refuses', () => {
  it("fails the node at the image layer with QEMU's message", () => {
    const s = expectOpen('debian-12', 'qemu-system-x86_64 -drive file=bad.qcow2,format=qcow2,if=none', [badQcow2]);
    s.toFail('qemu-system-x86_64: -drive file=bad.qcow2,format=qcow2,if=none: Unsupported qcow2 version 4');
    expect(s.result.findings.find((f) => f.code === 'header-field-out-of-range')).toMatchObject({
      severity: 'error',
      layer: 'image',
      args: { format: 'qcow2', text: 'Unsupported qcow2 version 4' },
    });
    expect(s.result.drives[0]?.nodes.find((n) => n.driver === 'qcow2')).toMatchObject({
      verdict: 'fails',
      decidedBy: 'image',
    });
  });

  it('opens nothing the refused header names', () => {
    const s = expectOpen('debian-12', 'qemu-system-x86_64 -drive file=bad.qcow2,format=qcow2,if=none', [badQcow2]);
    expect(s.result.drives[0]?.nodes.map((n) => n.driver)).toEqual(['file', 'qcow2']);
    expect(s.result.findings.map((f) => f.code)).not.toContain('file-not-found');
  });

  it('a bare errno is worded by block.c with the file name', () =>
    expectOpen(
      'debian-12',
      'qemu-system-x86_64 -blockdev driver=vhdx,node-name=d0,file.driver=file,file.filename=bad.vhdx',
      [badVhdx],
    ).toFail(
      'qemu-system-x86_64: -blockdev ' +
        'driver=vhdx,node-name=d0,file.driver=file,file.filename=bad.vhdx: Could not open ' +
        "'bad.vhdx': Invalid argument",
    ));

  it('each tool words it its own way', () => {
    expectOpen('debian-12', 'qemu-img info -f qcow2 bad.qcow2', [badQcow2]).toFail(
      "qemu-img: Could not open 'bad.qcow2': Unsupported qcow2 version 4",
    );
    expectOpen('debian-12', 'qemu-img info -f vhdx bad.vhdx', [badVhdx]).toFail(
      "qemu-img: Could not open 'bad.vhdx': Could not open 'bad.vhdx': Invalid argument",
    );
    expectOpen('debian-12', 'qemu-io -c quit -f qcow2 bad.qcow2', [badQcow2]).toFail(
      "qemu-io: can't open device bad.qcow2: Unsupported qcow2 version 4",
    );
  });

  it('a refused backing file carries the backing prefix', () =>
    expectOpen('debian-12', 'qemu-system-x86_64 -drive file=top.qcow2,format=qcow2,if=none', [
      image('top.qcow2', 'qcow2', { backingFile: 'bad.qcow2', backingFormat: 'qcow2' }),
      badQcow2,
    ]).toFail(
      'qemu-system-x86_64: -drive file=top.qcow2,format=qcow2,if=none: Could not open backing ' +
        'file: Unsupported qcow2 version 4',
    ));

  it('the whitelist is checked before the header is read', () =>
    expectOpen('rhel-9', 'qemu-kvm -blockdev driver=vpc,node-name=d0,file.driver=file,file.filename=bad.vpc', [
      image('bad.vpc', 'vpc', { refusal: 'Incorrect header checksum' }),
    ]).toFail(
      'qemu-kvm: -blockdev driver=vpc,node-name=d0,file.driver=file,file.filename=bad.vpc: ' +
        "Driver 'vpc' can only be used for read-only devices",
    ));

  it('notes alone do not stop the open', () =>
    expectOpen('debian-12', 'qemu-system-x86_64 -drive file=diff.vpc,format=vpc,if=none', [
      image('diff.vpc', 'vpc', { notes: ['differencing VHD: QEMU opens it as a dynamic disk and ignores its parent'] }),
    ]).toOpen());
});
