import type { Finding, FindingCode } from '../model/finding.js';

type Args = Record<string, string>;

interface Entry {
  title: string;
  /** One sentence: what happened and why, in the user's terms. */
  explain: (a: Args) => string;
  /** What to do about it, as commands where there is one. */
  fix: (a: Args) => string;
}

/** All wording for findings. The Record type makes a code without text a compile error. */
export const CATALOG: Record<FindingCode, Entry> = {
  'driver-not-whitelisted': {
    title: 'Driver not whitelisted',
    explain: (a) => `'${a['driver']}' is on neither whitelist of this QEMU build, so it refuses the node read-write and read-only.`,
    fix: (a) => `for an image format, convert it to a whitelisted one with qemu-img convert -O qcow2 SRC DST (on a build whose tools do not enforce the whitelist, or on another host); for a protocol, use another way to reach the data (e.g. nbdkit serving it over nbd); or use a QEMU build that lists '${a['driver']}'`,
  },
  'driver-read-only-only': {
    title: 'Driver allowed read-only only',
    explain: (a) => `'${a['driver']}' is only on the read-only whitelist and the node is opened read-write without auto-read-only.`,
    fix: () => 'open it read-only (readonly=on / read-only=on, or auto-read-only=on to fall back), or convert it: qemu-img convert -O qcow2 SRC DST',
  },
  'auto-read-only-fallback': {
    title: 'Falls back to read-only',
    explain: (a) => `'${a['driver']}' is only on the read-only whitelist; auto-read-only lets the node open read-only without an error, so the guest gets a read-only disk.`,
    fix: () => 'if the guest must write, convert the image to a read-write whitelisted format: qemu-img convert -O qcow2 SRC DST',
  },
  'driver-not-built': {
    title: 'Driver not built',
    explain: (a) => `this QEMU build has no '${a['driver']}' driver, neither compiled in nor as a module.`,
    fix: (a) => `convert the image with a qemu-img that has '${a['driver']}' (e.g. on another host: qemu-img convert -f ${a['driver']} -O qcow2 SRC DST); for a remote protocol, nbdkit can serve it as nbd`,
  },
  'module-not-installed': {
    title: 'Driver module not installed',
    explain: (a) => `'${a['driver']}' comes from the loadable module ${a['module']}, which is not installed.`,
    fix: (a) => `install the package that ships ${a['module']}: ${a['package']}`,
  },
  'protocol-unknown': {
    title: 'Unknown protocol',
    explain: (a) => `no driver of this build handles the protocol '${a['protocol']}'.`,
    fix: () => "a local name with a colon before any slash reads as a protocol: write ./a:b.img or file:a:b.img; otherwise check the URL's scheme",
  },
  'driver-read-only-by-nature': {
    title: 'Driver cannot write',
    explain: (a) => `the '${a['driver']}' driver has no write support (${a['reason']}).`,
    fix: () => 'open it read-only, or put a local qcow2 overlay on top: qemu-img create -f qcow2 -b URL -F raw overlay.qcow2',
  },
  'file-not-found': {
    title: 'File not found',
    explain: (a) => `'${a['filename']}' does not exist where the program would look for it.`,
    fix: () => 'check the path: relative names are taken from the current folder (backing files: from the image\'s folder)',
  },
  'file-unreadable': {
    title: 'File cannot be read',
    explain: (a) => `QEMU cannot open '${a['filename']}': ${a['text']}.`,
    fix: () => 'check permissions and that the file is a disk image',
  },
  'device-needs-write': {
    title: 'Device needs a writable node',
    explain: (a) => `the ${a['device']} device asks for write access, but the '${a['driver']}' node is read-only${a['fellBack'] === 'true' ? ' (it fell back to read-only through auto-read-only)' : ''}.`,
    fix: (a) => a['fellBack'] === 'true'
      ? 'attach it to a device that accepts a read-only node (virtio-blk-pci, scsi-hd, ide-cd), use snapshot=on (writes go to a temporary qcow2), or convert the image to a read-write whitelisted format'
      : 'replace readonly=on with snapshot=on (the guest writes to a temporary overlay), or attach it to virtio-blk-pci, scsi-hd or ide-cd',
  },
  'format-probed': {
    title: 'Format left to probing',
    explain: (a) => `no format was given, so QEMU guesses '${a['driver']}' from the header${a['alternatives'] && a['alternatives'].includes(',') ? ` (the header matches ${a['alternatives']})` : ''}; probing a file you do not trust is unsafe.`,
    fix: (a) => `name the format: format=${a['driver']} (-f ${a['driver']} for the tools)`,
  },
  'raw-probed': {
    title: 'Probing guessed raw',
    explain: (a) => `no format was given and no format matched the header of '${a['filename']}', so QEMU treats it as raw and restricts writes to block 0.`,
    fix: () => 'name the format explicitly: format=raw',
  },
  'tools-skip-whitelist': {
    title: 'The tools ignore the whitelist',
    explain: (a) => `${a['program']} opens '${a['driver']}' here because this build does not enforce the whitelist in the tools, but the hypervisor would ${a['hypervisor'] === 'refused' ? 'refuse it' : 'open it read-only only'}.`,
    fix: () => 'use the tools to convert the image to a whitelisted format before the hypervisor opens it: qemu-img convert -O qcow2 SRC DST',
  },
  'remote-not-checked': {
    title: 'Remote end not checked',
    explain: (a) => `the '${a['driver']}' node connects over the network; blockgate judges the driver, not whether the server answers.`,
    fix: () => 'nothing to do if the server is reachable from the host that runs QEMU',
  },
  'json-invalid': {
    title: 'Invalid json: filename',
    explain: (a) => `the json: filename is not valid JSON (${a['text']}); QEMU refuses it with its own parser's wording.`,
    fix: () => 'fix the JSON after json:, e.g. json:{"driver":"qcow2","file":{"driver":"file","filename":"a.qcow2"}}',
  },
  'node-not-found': {
    title: 'Node reference not found',
    explain: (a) => `a child option names a node that does not exist: ${a['text']}; QEMU reads a string there as a node-name or -drive id, never as a filename.`,
    fix: () => 'define the node first with -blockdev node-name=NAME, or give the child as options (backing.file.filename=PATH) or JSON null for no backing',
  },
  'backing-loop': {
    title: 'Backing chain loops',
    explain: (a) => `the backing chain comes back to '${a['text']}' (or is deeper than blockgate follows).`,
    fix: () => 'point the backing file somewhere else: qemu-img rebase -u -b BASE -F FMT IMAGE',
  },
};

export function docsPath(code: FindingCode): string {
  return `docs/findings/${code}.md`;
}

export function describe(finding: Finding): { title: string; message: string; fix: string; docs: string } {
  const entry = CATALOG[finding.code];
  return { title: entry.title, message: entry.explain(finding.args), fix: entry.fix(finding.args), docs: docsPath(finding.code) };
}
