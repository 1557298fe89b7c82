// Speed of `blockgate check` against the real thing, in one run, as ratios (no timed assertions in tests).
//  1. wall time of one `blockgate check` process vs one real trial open of the same drive with qemu-system
//     (goal: at most 3x);
//  2. node evaluations per second when many command lines are judged in one process (goal: >= 100,000).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
const runs = Number(process.env.BENCH_RUNS ?? 30);
const dir = mkdtempSync(join(tmpdir(), 'blockgate-bench-'));
execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 't.qcow2'), '16M']);

const drive = ['-drive', 'file=t.qcow2,format=qcow2,if=none,id=d0'];
const qemu = () =>
  spawnSync(
    'qemu-system-x86_64',
    ['-machine', 'none', '-display', 'none', '-nodefaults', '-S', '-qmp', 'stdio', ...drive],
    { cwd: dir, input: '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n' },
  );
const check = () =>
  spawnSync(
    join(root, 'bin/blockgate'),
    ['check', '--profile', 'debian-12', '--json', '--', 'qemu-system-x86_64', ...drive],
    { cwd: dir },
  );

function median(fn) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = fn();
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const real = median(qemu);
const ours = median(check);
const bare = median(() => spawnSync('node', ['-e', '0']));
console.log(
  `one check: blockgate ${ours.toFixed(1)} ms, qemu-system trial open ${real.toFixed(1)} ms, ` +
    `ratio ${(ours / real).toFixed(2)}x (goal <= 3x)`,
);
console.log(
  `  (node -e 0 alone: ${bare.toFixed(1)} ` +
    `ms${process.env.NODE_EXTRA_CA_CERTS ? ' with NODE_EXTRA_CA_CERTS set; bin/blockgate unsets it' : ''})`,
);

const { bundledProfiles } = await import(join(root, 'dist/host/profiles.js'));
const { planCommand } = await import(join(root, 'dist/plan/plan.js'));
const { evaluate } = await import(join(root, 'dist/engine/evaluate.js'));
const profile = bundledProfiles()['rhel-9'] ?? bundledProfiles()['debian-12'];
const facts = (name) => ({
  filename: name,
  exists: true,
  kind: 'file',
  probes: [{ format: 'qcow2', score: 100 }],
  header: { format: 'qcow2', problems: [], backingFile: 'base.vmdk', backingFormat: 'vmdk' },
});
const commands = [
  ['qemu-kvm', '-drive', 'file=a.qcow2,format=qcow2,if=none,id=d0', '-device', 'virtio-blk-pci,drive=d0'],
  [
    'qemu-kvm',
    '-blockdev',
    'driver=vmdk,node-name=v,file.driver=file,file.filename=v.vmdk',
    '-drive',
    'file=https://127.0.0.1/x,format=raw,if=none',
  ],
  ['qemu-img', 'convert', '-f', 'vmdk', '-O', 'qcow2', 'in.vmdk', 'out.qcow2'],
];
let nodes = 0;
const start = performance.now();
const deadline = start + 2000;
while (performance.now() < deadline) {
  for (const argv of commands) {
    const result = evaluate(planCommand(argv, profile, facts), profile);
    for (const d of result.drives) nodes += d.nodes.length;
  }
}
const seconds = (performance.now() - start) / 1000;
console.log(
  `throughput: ${Math.round(nodes / seconds).toLocaleString('en')} node evaluations/s on ` +
    `${profile.name} (goal >= 100,000)`,
);
rmSync(dir, { recursive: true, force: true });
