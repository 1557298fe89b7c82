import { describe, it, expect } from 'vitest';
import { expectOpen, image, check } from '../support/scenario.js';

const vpc = image('test.vpc', 'vpc');
const qcow1 = image('test.qcow', 'qcow');
const vmdk = image('t.vmdk', 'vmdk');
const vdi = image('t.vdi', 'vdi');
const qcow2 = image('t.qcow2', 'qcow2');

describe('seed case: RHEL 7 qemu-kvm 1.5.3', () => {
  it('refuses a probed vpc read-write', () =>
    expectOpen('rhel-7', 'qemu-kvm -drive file=test.vpc', [vpc]).toFail(
      "qemu-kvm: -drive file=test.vpc: could not open disk image test.vpc: Driver 'vpc' can only " +
        'be used for read-only devices',
    ));
  it('refuses qcow version 1', () =>
    expectOpen('rhel-7', 'qemu-kvm -drive file=test.qcow', [qcow1]).toFail(
      "qemu-kvm: -drive file=test.qcow: could not open disk image test.qcow: Driver 'qcow' is not whitelisted",
    ));
  it('qemu-img info opens the vpc (read-only)', () => expectOpen('rhel-7', 'qemu-img info test.vpc', [vpc]).toOpen());
  it('qemu-img info opens qcow v1 because the tools ignore the whitelist', () => {
    const run = expectOpen('rhel-7', 'qemu-img info test.qcow', [qcow1]);
    run.toOpen();
    run.toFind('tools-skip-whitelist');
  });
  it('qemu-img convert writes a vpc target although qemu-kvm could not open it read-write', () =>
    expectOpen('rhel-7', 'qemu-img convert -O vpc test.qcow out.vpc', [qcow1]).toFind('tools-skip-whitelist'));
  it('opens the vpc with readonly=on on virtio', () =>
    expectOpen('rhel-7', 'qemu-kvm -drive file=test.vpc,readonly=on,if=virtio', [vpc]).toOpen());
});

describe('auto-read-only (RHEL 9, QEMU ≥ 3.1)', () => {
  it('-drive falls back to read-only for a ro-listed driver', () => {
    const run = expectOpen('rhel-9', 'qemu-kvm -drive file=t.vmdk,format=vmdk,if=none,id=d0', [vmdk]);
    run.toOpenReadOnly();
    run.toFind('auto-read-only-fallback');
  });
  it('-blockdev fails: auto-read-only defaults off', () =>
    expectOpen('rhel-9', 'qemu-kvm -blockdev driver=vdi,node-name=a,file.driver=file,file.filename=t.vdi', [
      vdi,
    ]).toFail(
      'qemu-kvm: -blockdev driver=vdi,node-name=a,file.driver=file,file.filename=t.vdi: Driver ' +
        "'vdi' can only be used for read-only devices",
    ));
  it('-blockdev with auto-read-only=on falls back', () =>
    expectOpen(
      'rhel-9',
      'qemu-kvm -blockdev driver=vdi,node-name=a,auto-read-only=on,file.driver=file,file.filename=t.vdi',
      [vdi],
    ).toOpenReadOnly());
  it('-blockdev JSON form reads the same', () =>
    expectOpen(
      'rhel-9',
      'qemu-kvm -blockdev {"driver":"vdi","node-name":"a","file":{"driver":"file","filename":"t.vdi"}}',
      [vdi],
    ).toFail(
      'qemu-kvm: -blockdev ' +
        '{"driver":"vdi","node-name":"a","file":{"driver":"file","filename":"t.vdi"}}: Driver ' +
        "'vdi' can only be used for read-only devices",
    ));
  it('virtio-blk accepts the read-only node silently', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=t.vmdk,format=vmdk,if=none,id=d0 -device virtio-blk-pci,drive=d0', [
      vmdk,
    ]).toOpenReadOnly());
  it('ide-cd accepts it', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=t.vmdk,format=vmdk,if=none,id=d0 -device ide-cd,drive=d0,bus=ide.0', [
      vmdk,
    ]).toOpenReadOnly());
  it('ide-hd refuses it with the -device location', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=t.vmdk,format=vmdk,if=none,id=d0 -device ide-hd,drive=d0,bus=ide.0', [
      vmdk,
    ]).toFail('qemu-kvm: -device ide-hd,drive=d0,bus=ide.0: Block node is read-only'));
  it('the default if=ide device on -M pc refuses it with no location', () =>
    expectOpen('rhel-9', 'qemu-kvm -M pc -drive file=t.vmdk,format=vmdk', [vmdk]).toFail(
      'qemu-kvm: Block node is read-only',
    ));
});

describe('devices and read-only nodes (observed on Debian 7.2)', () => {
  it('readonly=on on the default IDE disk fails', () =>
    expectOpen('debian-12', 'qemu-system-x86_64 -drive file=t.qcow2,format=qcow2,readonly=on', [qcow2]).toFail(
      'qemu-system-x86_64: Block node is read-only',
    ));
  it('readonly=on on virtio opens', () =>
    expectOpen('debian-12', 'qemu-system-x86_64 -drive file=t.qcow2,format=qcow2,readonly=on,if=virtio', [
      qcow2,
    ]).toOpen());
  it('usb-storage accepts a read-only node', () =>
    expectOpen(
      'debian-12',
      'qemu-system-x86_64 -drive file=t.qcow2,format=qcow2,readonly=on,if=none,id=d0 -device usb-storage,drive=d0 -usb',
      [qcow2],
    ).toOpen());
  it('floppy accepts a read-only node', () =>
    expectOpen(
      'debian-12',
      'qemu-system-x86_64 -drive file=t.qcow2,format=qcow2,readonly=on,if=none,id=d0 -device floppy,drive=d0',
      [qcow2],
    ).toOpen());
});

describe('drivers, modules, protocols', () => {
  it('https needs read-only under -blockdev', () =>
    expectOpen('rhel-9', 'qemu-kvm -blockdev driver=https,node-name=b,url=https://127.0.0.1:1/x').toFail(
      "qemu-kvm: -blockdev driver=https,node-name=b,url=https://127.0.0.1:1/x: Driver 'https' " +
        'can only be used for read-only devices',
    ));
  it('https read-only passes the whitelist', () =>
    expectOpen(
      'rhel-9',
      'qemu-kvm -blockdev driver=https,node-name=b,url=https://127.0.0.1:1/x,read-only=on',
    ).toOpen());
  it('ssh is not built on RHEL 9', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=ssh://127.0.0.1/x,format=raw,if=none').toFail(
      "qemu-kvm: -drive file=ssh://127.0.0.1/x,format=raw,if=none: Unknown protocol 'ssh'",
    ));
  it('a driver named by option that is not built says Unknown driver', () =>
    expectOpen('rhel-9', 'qemu-kvm -blockdev driver=ssh,node-name=s,host=127.0.0.1,path=/x').toFail(
      "qemu-kvm: -blockdev driver=ssh,node-name=s,host=127.0.0.1,path=/x: Unknown driver 'ssh'",
    ));
  it('an unknown URL scheme is an unknown protocol', () => {
    const run = expectOpen('debian-12', 'qemu-system-x86_64 -drive file=foo://h/x,format=raw,if=none');
    run.toFail("qemu-system-x86_64: -drive file=foo://h/x,format=raw,if=none: Unknown protocol 'foo'");
    run.toFind('protocol-unknown');
  });
  it('/dev paths are host_device', () =>
    expect(
      check('rhel-9', 'qemu-kvm -drive file=/dev/sdz,format=raw,if=none').drives[0]?.nodes.map((n) => n.driver),
    ).toEqual(['host_device', 'raw']));
  it('Debian has no whitelist: vmdk opens read-write', () =>
    expectOpen('debian-12', 'qemu-system-x86_64 -drive file=t.vmdk,format=vmdk,if=none', [vmdk]).toOpen());
});

describe('backing chains and json:', () => {
  const overlay = (backingFile: string, backingFormat?: string) =>
    image('t.qcow2', 'qcow2', { backingFile, ...(backingFormat ? { backingFormat } : {}) });
  it('a ro-listed vmdk backing opens read-only', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=t.qcow2,format=qcow2,if=none', [
      overlay('t.vmdk', 'vmdk'),
      vmdk,
    ]).toOpen());
  it('a qcow backing is an unknown driver on RHEL 9 (qcow1 not built), with the backing prefix', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=t.qcow2,format=qcow2,if=none', [
      overlay('test.qcow', 'qcow'),
      qcow1,
    ]).toFail(
      "qemu-kvm: -drive file=t.qcow2,format=qcow2,if=none: Could not open backing file: Unknown driver 'qcow'",
    ));
  it('json: backing asking read-only=false is refused', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=t.qcow2,format=qcow2,if=none', [
      overlay('json:{"driver":"vmdk","read-only":false,"file":{"driver":"file","filename":"t.vmdk"}}'),
      vmdk,
    ]).toFail(
      'qemu-kvm: -drive file=t.qcow2,format=qcow2,if=none: Could not open backing file: Driver ' +
        "'vmdk' can only be used for read-only devices",
    ));
  it('snapshot=on puts the image read-only under a temporary qcow2', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=t.vmdk,format=vmdk,if=none,snapshot=on', [vmdk]).toOpen());
  it('a missing file is reported as QEMU reports it', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=nosuch.qcow2,format=qcow2,if=none').toFail(
      "qemu-kvm: -drive file=nosuch.qcow2,format=qcow2,if=none: Could not open 'nosuch.qcow2': " +
        'No such file or directory',
    ));
});

describe('probing', () => {
  it('prints the raw-probe warning for a probed raw image opened read-write', () => {
    const run = check('debian-12', 'qemu-system-x86_64 -drive file=disk.img,if=none', [image('disk.img', 'raw')]);
    expect(run.messages[0]).toBe("WARNING: Image format was not specified for 'disk.img' and probing guessed raw.");
    expect(run.verdict).toBe('opens');
  });
  it('a qcow2 file that names no format still opens as qcow2', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=t.qcow2,if=none', [qcow2]).toFind('format-probed'));
});

describe('by QEMU version (docs/research/qemu-messages-by-version.md)', () => {
  const vmdkFile = image('t.vmdk', 'vmdk');
  it('1.5.3 has no auto-read-only: a ro-listed driver on virtio fails', () =>
    expectOpen('rhel-7', 'qemu-kvm -drive file=t.vmdk,format=vmdk,if=virtio', [vmdkFile]).toFail(
      'qemu-kvm: -drive file=t.vmdk,format=vmdk,if=virtio: could not open disk image t.vmdk: ' +
        "Driver 'vmdk' can only be used for read-only devices",
    ));
  it('qemu-kvm-rhev 2.12.0-24+ backported the fallback: it opens read-only', () =>
    expectOpen('rhel-7-rhev', 'qemu-kvm -drive file=t.vmdk,format=vmdk,if=virtio', [vmdkFile]).toOpenReadOnly());
  it('2.9 to 5.0 prefix machine-created device errors', () =>
    expectOpen('rhel-7-rhev', 'qemu-kvm -drive file=t.vmdk,format=vmdk', [vmdkFile]).toFail(
      'qemu-kvm: Initialization of device ide-hd failed: Block node is read-only',
    ));
  it('5.1 and later print it bare', () =>
    expectOpen('rhel-8', 'qemu-kvm -drive file=t.vmdk,format=vmdk', [vmdkFile]).toFail(
      'qemu-kvm: Block node is read-only',
    ));
  it('before 2.9 IDE refuses a read-only drive in three lines', () =>
    expect(check('rhel-7', 'qemu-kvm -drive file=t.vmdk,format=vmdk,readonly=on', [vmdkFile]).messages).toEqual([
      "qemu-kvm: Can't use a read-only drive",
      'qemu-kvm: Device initialization failed.',
      'qemu-kvm: Initialization of device ide-hd failed',
    ]));
  it('before 2.3 Unknown protocol has no name', () =>
    expectOpen('rhel-7', 'qemu-kvm -drive file=foo://h/x,format=raw,if=virtio').toFail(
      'qemu-kvm: -drive file=foo://h/x,format=raw,if=virtio: could not open disk image foo://h/x: Unknown protocol',
    ));
  it("before 2.3 an unknown format= is 'x' invalid format", () =>
    expectOpen('rhel-7', 'qemu-kvm -drive file=t.vmdk,format=luks,if=virtio', [vmdkFile]).toFail(
      "qemu-kvm: -drive file=t.vmdk,format=luks,if=virtio: 'luks' invalid format",
    ));
  it('before 2.3 there is no raw-probe warning', () =>
    expect(check('rhel-7', 'qemu-kvm -drive file=disk.img,if=virtio', [image('disk.img', 'raw')]).messages).toEqual(
      [],
    ));
});

describe('files QEMU cannot read', () => {
  it('reports the kernel error as QEMU does', () => {
    const locked = { filename: 'locked.qcow2', exists: true, kind: 'file' as const, error: 'Permission denied' };
    const run = expectOpen('debian-12', 'qemu-system-x86_64 -drive file=locked.qcow2,format=qcow2,if=none', [locked]);
    run.toFail(
      'qemu-system-x86_64: -drive file=locked.qcow2,format=qcow2,if=none: Could not open ' +
        "'locked.qcow2': Permission denied",
    );
    run.toFind('file-unreadable');
  });
  it('no probing findings for a URL, whose header blockgate never reads', () =>
    expect(
      check('debian-12', 'qemu-system-x86_64 -drive file=https://h/x,if=none,readonly=on').findings.map((f) => f.code),
    ).toEqual(['remote-not-checked']));
});

describe('-blockdev node references', () => {
  it('a node referenced by name is judged once, by its own -blockdev', () => {
    const result = check(
      'rhel-9',
      'qemu-kvm -blockdev driver=file,node-name=s,filename=t.vmdk -blockdev driver=vmdk,node-name=f,file=s',
      [vmdk],
    );
    expect(result.verdict).toBe('fails');
    expect(result.drives[0]?.nodes.map((n) => n.id)).toEqual(['s']);
    expect(result.drives[1]?.nodes.map((n) => `${n.driver} ${n.verdict}`)).toEqual(['vmdk fails']);
    expect(result.findings.filter((f) => f.code === 'driver-read-only-only')).toHaveLength(1);
  });
});
