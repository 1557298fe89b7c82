/**
 * Where a message sits in its line: the program that printed it, the option or image it names, and the
 * wrappers QEMU put around the reason ("Could not open backing file: ", "could not open disk image F: ", ...).
 */

/** A QEMU program as it names itself in messages: basename(argv[0]), or a literal "qemu" (Debian's module hint). */
const QEMU_PROGRAM =
  /(?:^|[\s'"([=])(?:\/[^\s:]*\/)?(qemu-system-[\w.-]+|qemu-kvm|qemu-img|qemu-io|qemu-nbd|qemu-storage-daemon|qemu)(?=: )/g;

/** Prefixes the reason can carry, innermost last; stripped from the right (docs/research/qemu-messages-by-version.md §C.1, §C.7). */
const WRAPPERS: [RegExp, (m: RegExpExecArray) => Record<string, string>][] = [
  [/Could not open backing file: $/, () => ({ backing: 'true' })],
  [/could not open disk image (.+?): $/, (m) => ({ image: m[1] ?? '' })],
  [/Could not open new backing file '([^']*)': $/, (m) => ({ image: m[1] ?? '' })],
  [/Could not open '([^']*)': $/, (m) => ({ image: m[1] ?? '' })],
  [/can't open device (.+?): $/, (m) => ({ image: m[1] ?? '' })],
  [/can't open: $/, () => ({})],
  [/Failed to (?:blk_new_open|bdrv_open) '([^']*)': $/, (m) => ({ image: m[1] ?? '' })],
  [/Initialization of device (\S+) failed: $/, (m) => ({ device: m[1] ?? '' })],
];

/** Programs above QEMU that pass its stderr on inside their own messages. */
const VIA: [RegExp, string][] = [
  [/process exited while connecting to monitor|unexpectedly closed the monitor|libvirt|virsh|virError/i, 'libvirt'],
  [/^virt-v2v: /, 'virt-v2v'],
  [/^libguestfs: |guestfs/, 'libguestfs'],
];

export interface LineContext {
  program: string | undefined;
  /** The message from the program's prefix on. */
  text: string;
  args: Record<string, string>;
}

/** The context of a QEMU reason found at `coreStart` in `line`. */
export function qemuContext(line: string, coreStart: number, coreEnd: number): LineContext {
  let program: RegExpExecArray | undefined;
  for (const m of line.matchAll(QEMU_PROGRAM)) {
    if (m.index !== undefined && m.index < coreStart) program = m as RegExpExecArray;
  }
  const from = program ? program.index + program[0].indexOf(program[1] ?? '') : coreStart;
  const prefixStart = program ? program.index + program[0].length + 2 : coreStart;
  const args: Record<string, string> = {};
  let between = line.slice(Math.min(prefixStart, coreStart), coreStart);
  for (let again = true; again; ) {
    again = false;
    for (const [re, take] of WRAPPERS) {
      const m = re.exec(between);
      if (!m) continue;
      Object.assign(args, take(m));
      between = between.slice(0, m.index);
      again = true;
    }
  }
  const location = between.replace(/:\s*$/, '').trim();
  if (program && location) args['location'] = location;
  const via = VIA.find(([re]) => re.test(line.slice(0, from)) || re.test(line.slice(coreEnd)))?.[1];
  if (via) args['via'] = via;
  return { program: program?.[1], text: line.slice(from, coreEnd).trimEnd(), args };
}
