import type { Finding } from './finding.js';
import type { CatalogEntry } from './entry.js';
import { LIBVIRT_CATALOG } from './libvirt-catalog.js';
import { LIBGUESTFS_CATALOG } from './libguestfs-catalog.js';
import { V2V_CATALOG } from './v2v-catalog.js';
import { WAIVER_CATALOG } from './waiver-catalog.js';

/** Codes of the QEMU layers and of image files, with their wording. */
export const QEMU_CATALOG = {
  'driver-not-whitelisted': {
    severity: 'error',
    layer: 'whitelist',
    title: 'Driver not whitelisted',
    explain: (a) =>
      `'${a['driver']}' is on neither whitelist of this QEMU build, so it refuses the node read-write and read-only.`,
    fix: (a) =>
      'for an image format, convert it to a whitelisted one with qemu-img convert -O qcow2 SRC ' +
      'DST (on a build whose tools do not enforce the whitelist, or on another host); for a ' +
      'protocol, use another way to reach the data (e.g. nbdkit serving it over nbd); or use a ' +
      `QEMU build that lists '${a['driver']}'`,
  },
  'driver-read-only-only': {
    severity: 'error',
    layer: 'whitelist',
    title: 'Driver allowed read-only only',
    explain: (a) =>
      `'${a['driver']}' is only on the read-only whitelist and the node is opened read-write without auto-read-only.`,
    fix: () =>
      'open it read-only (readonly=on / read-only=on, or auto-read-only=on to fall back), or ' +
      'convert it: qemu-img convert -O qcow2 SRC DST',
  },
  'auto-read-only-fallback': {
    severity: 'warning',
    layer: 'whitelist',
    title: 'Falls back to read-only',
    explain: (a) =>
      `'${a['driver']}' is only on the read-only whitelist; auto-read-only lets the node open ` +
      'read-only without an error, so the guest gets a read-only disk.',
    fix: () =>
      'if the guest must write, convert the image to a read-write whitelisted format: qemu-img ' +
      'convert -O qcow2 SRC DST',
  },
  'driver-not-built': {
    severity: 'error',
    layer: 'availability',
    title: 'Driver not built',
    explain: (a) => `this QEMU build has no '${a['driver']}' driver, neither compiled in nor as a module.`,
    fix: (a) =>
      `convert the image with a qemu-img that has '${a['driver']}' (e.g. on another host: ` +
      `qemu-img convert -f ${a['driver']} -O qcow2 SRC DST); for a remote protocol, nbdkit can ` +
      'serve it as nbd',
  },
  'module-not-installed': {
    severity: 'error',
    layer: 'module',
    title: 'Driver module not installed',
    explain: (a) => `'${a['driver']}' comes from the loadable module ${a['module']}, which is not installed.`,
    fix: (a) => `install the package that ships ${a['module']}: ${a['package']}`,
  },
  'protocol-unknown': {
    severity: 'error',
    layer: 'availability',
    title: 'Unknown protocol',
    explain: (a) => `no driver of this build handles the protocol '${a['protocol']}'.`,
    fix: () =>
      'a local name with a colon before any slash reads as a protocol: write ./a:b.img or ' +
      "file:a:b.img; otherwise check the URL's scheme",
  },
  'driver-read-only-by-nature': {
    severity: 'error',
    severityNote: 'warning when auto-read-only lets it fall back',
    layer: 'driver',
    title: 'Driver cannot write',
    explain: (a) => `the '${a['driver']}' driver has no write support (${a['reason']}).`,
    fix: () =>
      'open it read-only, or put a local qcow2 overlay on top: qemu-img create -f qcow2 -b URL -F raw overlay.qcow2',
  },
  'file-not-found': {
    severity: 'error',
    layer: 'file',
    title: 'File not found',
    explain: (a) => `'${a['filename']}' does not exist where the program would look for it.`,
    fix: () =>
      "check the path: relative names are taken from the current folder (backing files: from the image's folder)",
  },
  'file-unreadable': {
    severity: 'error',
    layer: 'file',
    title: 'File cannot be read',
    explain: (a) => `QEMU cannot open '${a['filename']}': ${a['text']}.`,
    fix: () => 'check permissions and that the file is a disk image',
  },
  'device-needs-write': {
    severity: 'error',
    layer: 'device',
    title: 'Device needs a writable node',
    explain: (a) =>
      `the ${a['device']} device asks for write access, but the '${a['driver']}' node is ` +
      `read-only${a['fellBack'] === 'true' ? ' (it fell back to read-only through auto-read-only)' : ''}.`,
    fix: (a) =>
      a['fellBack'] === 'true'
        ? 'attach it to a device that accepts a read-only node (virtio-blk-pci, scsi-hd, ide-cd), ' +
          'use snapshot=on (writes go to a temporary qcow2), or convert the image to a read-write ' +
          'whitelisted format'
        : 'replace readonly=on with snapshot=on (the guest writes to a temporary overlay), or attach ' +
          'it to virtio-blk-pci, scsi-hd or ide-cd',
  },
  'format-probed': {
    severity: 'info',
    severityNote: 'warning when the header matches several formats',
    layer: 'probe',
    title: 'Format left to probing',
    explain: (a) =>
      `no format was given, so QEMU guesses '${a['driver']}' from the header${a['alternatives']?.includes(',') ? ` (the header matches ${a['alternatives']})` : ''}; probing a file you do not trust is unsafe.`,
    fix: (a) => `name the format: format=${a['driver']} (-f ${a['driver']} for the tools)`,
  },
  'raw-probed': {
    severity: 'warning',
    layer: 'probe',
    title: 'Probing guessed raw',
    explain: (a) =>
      `no format was given and no format matched the header of '${a['filename']}', so QEMU ` +
      'treats it as raw and restricts writes to block 0.',
    fix: () => 'name the format explicitly: format=raw',
  },
  'tools-skip-whitelist': {
    severity: 'info',
    layer: 'whitelist',
    title: 'The tools ignore the whitelist',
    explain: (a) =>
      `${a['program']} opens '${a['driver']}' here because this build does not enforce the ` +
      'whitelist in the tools, but the hypervisor would ' +
      `${a['hypervisor'] === 'refused' ? 'refuse it' : 'open it read-only only'}.`,
    fix: () =>
      'use the tools to convert the image to a whitelisted format before the hypervisor opens ' +
      'it: qemu-img convert -O qcow2 SRC DST',
  },
  'remote-not-checked': {
    severity: 'info',
    layer: 'whitelist',
    layerNote: 'reported; no layer decides',
    title: 'Remote end not checked',
    explain: (a) =>
      `the '${a['driver']}' node connects over the network; blockgate judges the driver, not ` +
      'whether the server answers.',
    fix: () => 'nothing to do if the server is reachable from the host that runs QEMU',
  },
  'json-invalid': {
    severity: 'error',
    layer: 'input',
    title: 'Invalid json: filename',
    explain: (a) =>
      `the json: filename is not valid JSON (${a['text']}); QEMU refuses it with its own parser's wording.`,
    fix: () => 'fix the JSON after json:, e.g. json:{"driver":"qcow2","file":{"driver":"file","filename":"a.qcow2"}}',
  },
  'node-not-found': {
    severity: 'error',
    layer: 'input',
    title: 'Node reference not found',
    explain: (a) =>
      `a child option names a node that does not exist: ${a['text']}; QEMU reads a string there ` +
      'as a node-name or -drive id, never as a filename.',
    fix: () =>
      'define the node first with -blockdev node-name=NAME, or give the child as options ' +
      '(backing.file.filename=PATH) or JSON null for no backing',
  },
  'image-format-probed': {
    severity: 'info',
    layer: 'input',
    title: 'Image format left to probing',
    explain: (a) =>
      `no format was declared, so QEMU would take '${a['format']}' from the header${a['alternatives'] ? ` (matches: ${a['alternatives']})` : ''}; a guest can write a header that changes what the next open sees.`,
    fix: (a) =>
      `declare the format wherever the image is opened: format=${a['format']}, qemu-img -f ` +
      `${a['format']}, <driver type='${a['format']}'/> in libvirt`,
  },
  'image-format-ambiguous': {
    severity: 'error',
    severityNote: 'warning when only the file name suggests the format',
    layer: 'input',
    title: 'More than one format fits',
    explain: (a) =>
      `the header matches ${a['formats']}${a['expected'] ? `, while ${a['expectedBy'] || 'the chain'} says '${a['expected']}'` : ''}: a raw guest disk carrying another format's header (CVE-2024-32498) opens as whatever probing picks.`,
    fix: () =>
      'never probe this file: open it with its real format declared, and inspect where the foreign header came from',
  },
  'backing-absolute': {
    severity: 'warning',
    layer: 'input',
    title: 'Backing file by absolute path',
    explain: (a) =>
      `the backing file is named by absolute path '${a['backing']}', which depends on the host the image is opened on.`,
    fix: () => "use a name relative to the image: qemu-img rebase -u -b BASE -F FMT IMAGE, run from the image's folder",
  },
  'backing-outside-folder': {
    severity: 'error',
    layer: 'input',
    title: "Backing file outside the image's folder",
    explain: (a) =>
      `the backing file '${a['backing']}' resolves to ${a['resolved']}, outside ${a['folder']}: ` +
      'whoever made the image chooses a host file that QEMU will read.',
    fix: () =>
      'do not open the image as it is; rebase it onto a backing file you provide, or convert it ' +
      'alone: qemu-img convert -O qcow2 IMAGE NEW (reads the chain)',
  },
  'backing-device': {
    severity: 'error',
    layer: 'input',
    title: 'Backing file is a device',
    explain: (a) =>
      `the backing file '${a['backing']}' is a device (${a['resolved']}): opening the image reads a host disk.`,
    fix: () => 'do not open the image; rebase it onto an image file you trust: qemu-img rebase -u -b BASE -F FMT IMAGE',
  },
  'backing-url': {
    severity: 'error',
    layer: 'input',
    title: 'Backing file is a URL',
    explain: (a) =>
      `the backing file '${a['backing']}' is a ${a['protocol']} URL: opening the image makes QEMU connect to it.`,
    fix: () =>
      'if the server is yours, record it on purpose; otherwise rebase onto a local file or ' +
      'convert the chain where the URL is reachable',
  },
  'backing-json': {
    severity: 'error',
    layer: 'input',
    title: 'Backing file is a json: graph',
    explain: (a) =>
      `the backing file is a json: block graph (drivers: ${a['drivers'] || 'none named'}${a['servers'] ? `; servers: ${a['servers']}` : ''}${a['filenames'] ? `; files: ${a['filenames']}` : ''}), which can reach files, devices and servers of the image maker's choosing.`,
    fix: () =>
      'do not open the image as it is; rebase it onto a plain local backing file: qemu-img ' +
      'rebase -u -b BASE -F FMT IMAGE',
  },
  'backing-format-missing': {
    severity: 'warning',
    layer: 'input',
    title: 'Backing format not recorded',
    explain: (a) =>
      `'${a['image'] || a['backing']}' names backing file '${a['backing']}' without its format: ` +
      `QEMU probes it, and ${a['refusedBy'] || 'libvirt ≥ 6.0'} refuses the chain: ` +
      `${a['message']}`,
    fix: (a) => `record the format: qemu-img rebase -u -b '${a['backing']}' -F FORMAT IMAGE`,
  },
  'data-file-absolute': {
    severity: 'warning',
    layer: 'input',
    title: 'External data file by absolute path',
    explain: (a) => `the qcow2 external data file is named by absolute path '${a['dataFile']}'.`,
    fix: () =>
      'keep data files next to the image, and check that the image is meant to have one ' +
      '(qemu-img info shows data-file)',
  },
  'data-file-outside-folder': {
    severity: 'error',
    layer: 'input',
    title: "External data file outside the image's folder",
    explain: (a) =>
      `the qcow2 external data file '${a['dataFile']}' resolves to ${a['resolved']}, outside ` +
      `${a['folder']}: guest writes go to a host file of the image maker's choosing ` +
      '(CVE-2024-32498).',
    fix: () =>
      'do not open the image; convert the data you need with a data-file option you control, or reject the image',
  },
  'data-file-device': {
    severity: 'error',
    layer: 'input',
    title: 'External data file is a device',
    explain: (a) =>
      `the qcow2 external data file '${a['dataFile']}' is a device (${a['resolved']}): guest ` +
      'reads and writes reach a host disk.',
    fix: () => 'do not open the image; reject it',
  },
  'data-file-url': {
    severity: 'error',
    severityNote: 'warning when the QEMU opens the name literally',
    layer: 'input',
    title: 'External data file names a protocol or json:',
    explain: (a) =>
      a['opensAs'] === 'literal-path'
        ? `the data file '${a['dataFile']}' looks like ${a['protocol']}, but QEMU ${a['qemu']} opens ` +
          'header data-file names as literal paths (CVE-2024-4467 fix), so it points at an odd local ' +
          'file.'
        : `the data file '${a['dataFile']}' is a ${a['protocol']} name that QEMU before the ` +
          'CVE-2024-4467 fix (7.2.13, 8.2.6, 9.0.2, 9.1) opens as a protocol or block graph.',
    fix: () => 'reject the image; update QEMU to a version with the CVE-2024-4467 fix',
  },
  'extent-outside-folder': {
    severity: 'error',
    layer: 'input',
    title: "vmdk extent outside the image's folder",
    explain: (a) =>
      `the vmdk descriptor names extent '${a['extent']}', which resolves to ${a['resolved']}, outside ${a['folder']}.`,
    fix: () => 'keep extents next to the descriptor; do not open a descriptor you did not make',
  },
  'extent-device': {
    severity: 'error',
    layer: 'input',
    title: 'vmdk extent is a device',
    explain: (a) =>
      `the vmdk descriptor names extent '${a['extent']}', a device (${a['resolved']}): the guest ` +
      'reads and writes a host disk.',
    fix: () => 'reject the image',
  },
  'chain-too-deep': {
    severity: 'error',
    layer: 'input',
    title: 'Backing chain too deep',
    explain: (a) =>
      `the backing chain is ${a['depth']} images deep and still goes on (blockgate follows ` +
      `${a['maxDepth']}): QEMU opens every one, with a file descriptor and memory each.`,
    fix: () => 'flatten it: qemu-img convert -O qcow2 TOP NEW, or qemu-img commit down the chain',
  },
  'header-field-out-of-range': {
    severity: 'error',
    layer: 'image',
    title: 'Header field out of range',
    explain: (a) => `the ${a['format']} header is invalid: ${a['text']}.`,
    fix: () => 'the image is damaged or hostile: do not open it read-write; qemu-img check -f FORMAT IMAGE says more',
  },
  'backing-loop': {
    severity: 'error',
    layer: 'input',
    title: 'Backing chain loops',
    explain: (a) => `the backing chain comes back to '${a['text']}' (or is deeper than blockgate follows).`,
    fix: () => 'point the backing file somewhere else: qemu-img rebase -u -b BASE -F FMT IMAGE',
  },
} satisfies Record<string, CatalogEntry>;

/** All wording for findings. A code is a key here, so a code without text cannot exist. */
const ALL = { ...QEMU_CATALOG, ...LIBVIRT_CATALOG, ...LIBGUESTFS_CATALOG, ...V2V_CATALOG, ...WAIVER_CATALOG };

export type FindingCode = keyof typeof ALL;

export const CATALOG: Record<FindingCode, CatalogEntry> = ALL;

export function docsPath(code: FindingCode): string {
  return `docs/findings/${code}.md`;
}

export function describe(finding: Finding): { title: string; message: string; fix: string; docs: string } {
  const entry = CATALOG[finding.code];
  return {
    title: entry.title,
    message: entry.explain(finding.args),
    fix: entry.fix(finding.args),
    docs: docsPath(finding.code),
  };
}
