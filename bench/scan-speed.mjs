// Speed of `blockgate scan DIR --json` against a sequential `qemu-img info -U --backing-chain --output=json` loop on
// the same corpus, as ratios (no timed assertions in tests). Goals: >= 20x faster than the loop, 10,000 images in
// under 1 s, peak memory under 150 MiB. Also checks on a sample that both read the same chains.
//   BENCH_IMAGES   corpus size (default 10000)
//   BENCH_SAMPLE   images the qemu-img loop runs on; its time is extrapolated to the corpus (default 400)
//   BENCH_JOBS     passed as --jobs when set
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
const images = Number(process.env.BENCH_IMAGES ?? 10_000);
const sampleSize = Math.min(images, Number(process.env.BENCH_SAMPLE ?? 400));
const PER_FOLDER = 500;
const work = mkdtempSync(join(tmpdir(), 'blockgate-scan-bench-'));
const corpus = join(work, 'corpus');

/** A few images made by qemu-img, then copied: an overlay copy still points at base.qcow2 in its own folder. */
function makeCorpus() {
  const t = join(work, 'templates');
  mkdirSync(t);
  const img = (...args) => execFileSync('qemu-img', ['create', '-q', ...args], { cwd: t });
  img('-f', 'qcow2', '-o', 'cluster_size=4096', 'base.qcow2', '64M');
  img('-f', 'qcow2', '-o', 'cluster_size=4096', '-b', 'base.qcow2', '-F', 'qcow2', 'overlay.qcow2');
  img('-f', 'qcow2', '-o', 'cluster_size=4096', 'plain.qcow2', '1G');
  img('-f', 'vmdk', 'disk.vmdk', '32M');
  writeFileSync(join(t, 'disk.raw'), Buffer.alloc(16384));
  // Out of every 20 images: 8 overlays, 5 plain qcow2, 4 raw, 3 vmdk.
  const mix = [
    ...Array(8).fill(['overlay.qcow2', 'qcow2']),
    ...Array(5).fill(['plain.qcow2', 'qcow2']),
    ...Array(4).fill(['disk.raw', 'raw']),
    ...Array(3).fill(['disk.vmdk', 'vmdk']),
  ];
  for (let i = 0; i < images; i++) {
    const folder = join(corpus, `f${String(Math.floor(i / PER_FOLDER)).padStart(3, '0')}`);
    if (i % PER_FOLDER === 0) {
      mkdirSync(folder, { recursive: true });
      copyFileSync(join(t, 'base.qcow2'), join(folder, 'base.qcow2'));
    }
    const [template, ext] = mix[i % mix.length];
    copyFileSync(join(t, template), join(folder, `img${String(i).padStart(5, '0')}.${ext}`));
  }
}

/** How to run `blockgate scan`: the wired command when bin/blockgate has it, else runScan from dist called directly. */
function scanCommand(dir, threads = process.env.BENCH_JOBS) {
  const jobs = threads ? ['--jobs', String(threads)] : [];
  const help = spawnSync(join(root, 'bin/blockgate'), ['--help'], { encoding: 'utf8' }).stdout ?? '';
  if (/^ {2}scan\b/m.test(help))
    return {
      how: 'bin/blockgate scan',
      argv: [join(root, 'bin/blockgate'), 'scan', '--profile', 'debian-12', '--json', ...jobs, dir],
    };
  const code = `const { runScan } = await import(${JSON.stringify(join(root, 'dist/cli/scan.js'))});
const { bundledProfiles } = await import(${JSON.stringify(join(root, 'dist/host/profiles.js'))});
await runScan([${JSON.stringify(dir)}], { json: true, profile: bundledProfiles()['debian-12']${jobs.length ? `, jobs: ${Number(jobs[1])}` : ''} });`;
  return {
    how: 'runScan() from dist/cli/scan.js (scan is not wired into bin/blockgate yet)',
    argv: ['node', '--input-type=module', '-e', code],
  };
}

/** Wall time and peak RSS of one run, from GNU time. */
function timed(argv) {
  const start = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH_MAXRSS_KB=%M', ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - start;
  const rss = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  return { ms, rss, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const t0 = performance.now();
makeCorpus();
console.log(
  `corpus: ${images} images (overlays, qcow2, raw, vmdk) in ` +
    `${Math.ceil(images / PER_FOLDER)} folders, made in ` +
    `${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const scan = scanCommand(corpus);
timed(scan.argv); // warm the page cache and Node's compile cache
const runs = [timed(scan.argv), timed(scan.argv), timed(scan.argv)];
const best = runs.reduce((a, b) => (a.ms <= b.ms ? a : b));
const records = best.stdout
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
if (records.length !== images + Math.ceil(images / PER_FOLDER))
  throw new Error(`scan printed ${records.length} records: ${best.stderr}`);
console.log(`blockgate: ${scan.how}`);
console.log(
  `  ${records.length} files in ${best.ms.toFixed(0)} ms (best of 3: ` +
    `${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms), peak RSS ` +
    `${Math.max(...runs.map((r) => r.rss)).toFixed(1)} MiB`,
);

// Worker threads, for the record: on the 2-vCPU VM this was measured on they were slower than one thread.
if (!process.env.BENCH_JOBS) {
  const threaded = scanCommand(corpus, 2);
  const t = timed(threaded.argv);
  console.log(`  with --jobs 2 (worker threads): ${t.ms.toFixed(0)} ms, peak RSS ${t.rss.toFixed(1)} MiB`);
}

// The qemu-img loop, on an even sample of the corpus, extrapolated.
const byPath = new Map(records.map((r) => [r.path, r]));
const paths = [...byPath.keys()];
const sample = Array.from({ length: sampleSize }, (_, i) => paths[Math.floor((i * paths.length) / sampleSize)]);
const qStart = performance.now();
const qemu = sample.map((p) =>
  JSON.parse(execFileSync('qemu-img', ['info', '-U', '--backing-chain', '--output=json', p], { encoding: 'utf8' })),
);
const qPerImage = (performance.now() - qStart) / sample.length;
const qTotal = qPerImage * records.length;
console.log(
  `qemu-img info -U --backing-chain loop: ${qPerImage.toFixed(2)} ms/image on ` +
    `${sample.length} images, extrapolated to ${records.length}: ${(qTotal / 1000).toFixed(1)} ` +
    's',
);

// Same chains: filename, format, virtual size, backing name and backing format, node by node.
const norm = (chain) =>
  chain.map((n) => [
    n.filename,
    n.format,
    n['virtual-size'] ?? n.virtualSize,
    n['backing-filename'] ?? n.backingFile ?? null,
    n['backing-filename-format'] ?? n.backingFormat ?? null,
  ]);
let differ = 0;
sample.forEach((p, i) => {
  const ours = JSON.stringify(norm(byPath.get(p).chain));
  const theirs = JSON.stringify(norm(qemu[i]));
  if (ours !== theirs && differ++ < 3) console.log(`  differs: ${p}\n    blockgate ${ours}\n    qemu-img  ${theirs}`);
});
console.log(`chains identical on ${sample.length - differ}/${sample.length} sampled images`);

const per10k = (best.ms / records.length) * 10_000;
const ratio = qTotal / best.ms;
const rss = Math.max(...runs.map((r) => r.rss));
const mark = (ok) => (ok ? 'met' : 'MISSED');
console.log(`ratio: ${ratio.toFixed(1)}x faster than the qemu-img loop (goal >= 20x: ${mark(ratio >= 20)})`);
console.log(
  `10,000 images: ${per10k.toFixed(0)} ms${records.length === 10_000 ? '' : ' (scaled)'} ` +
    `(goal < 1000 ms: ${mark(per10k < 1000)})`,
);
console.log(`peak memory: ${rss.toFixed(1)} MiB (goal < 150 MiB: ${mark(rss < 150)})`);
rmSync(work, { recursive: true, force: true });
process.exitCode = differ > 0 ? 1 : 0;
