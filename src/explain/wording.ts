import type { FindingCode } from '../findings/finding.js';
import { CATALOG } from '../findings/catalog.js';
import { driverFacts, isQemuDriver, protocolsOf, type DriverFacts } from './profile-facts.js';
import type { Profile } from '../model/profile.js';
import type { Said } from './said.js';

/** What the wording of one explained message can use. */
export interface Subject {
  said: Said;
  args: Record<string, string>;
  profile: Profile;
}

interface ExplainWording {
  /** What the profile says about the case, beyond the catalog's cause. */
  notes?: (s: Subject, d: DriverFacts) => string[];
  /** Concrete commands, made specific by the profile; the catalog's fix is used when there is no entry. */
  fixes?: (s: Subject, d: DriverFacts) => string[];
}

/** The image the message names, when it is a file name (not an option string). */
function source(s: Subject): string {
  const fromOption = /(?:^|[ ,])(?:file(?:\.filename)?|filename)=([^,]+)/.exec(s.args['location'] ?? '')?.[1];
  const name = s.args['filename'] ?? s.args['image'] ?? fromOption ?? '';
  return name && !name.includes('=') && !name.startsWith('json:') && !name.includes('://') ? name : 'SRC';
}

function target(src: string): string {
  return src === 'SRC' ? 'DST.qcow2' : `${src.replace(/\.[^./]*$/, '')}.qcow2`;
}

function convert(s: Subject, d: DriverFacts): string {
  const src = source(s);
  return `qemu-img convert -f ${d.driver} -O qcow2 ${src} ${target(src)}`;
}

/** The same option, asking for read-only, as the program that printed the message takes it. */
function readOnly(s: Subject): string {
  const location = s.args['location'] ?? '';
  if (/^-?-drive /.test(location)) return `${location},readonly=on`;
  if (/^-?-blockdev \{/.test(location)) return location.replace(/^(-?-blockdev \{)/, '$1"read-only":true,');
  if (/^-?-blockdev /.test(location)) return `${location},read-only=on`;
  if (s.said.program === 'qemu-io') return `qemu-io -r ... ${source(s)}`;
  if (s.said.program === 'qemu-nbd') return `qemu-nbd --read-only ... ${source(s)}`;
  if (s.args['via'] === 'libvirt') return "<readonly/> inside the domain's <disk>";
  return 'readonly=on (-drive), read-only=on (-blockdev), -r (qemu-io, qemu-nbd)';
}

/** nbdkit serves what QEMU cannot open itself; QEMU then opens an nbd export, whitelisted read-write everywhere. */
function overNbd(d: DriverFacts): string {
  const plugin =
    d.driver === 'ssh' ? 'ssh host=HOST path=PATH' : /^(https?|ftps?)$/.test(d.driver) ? 'curl URL' : `${d.driver} ...`;
  return `nbdkit -U /tmp/nbd.sock --readonly ${plugin}, then open file=nbd+unix:///?socket=/tmp/nbd.sock,format=raw`;
}

function listsNote(d: DriverFacts): string[] {
  if (!d.whitelisted)
    return [
      `${d.profile} has no whitelist: the message comes from a build with one (RHEL's qemu-kvm, ` +
        'say), not from the one this profile describes',
    ];
  if (d.rw)
    return [
      `${d.profile} allows '${d.driver}' read-write: the message comes from a build with other ` +
        'whitelists than this profile',
    ];
  if (d.ro) return [`on ${d.profile} '${d.driver}' is on the read-only whitelist only`];
  return [`on ${d.profile} '${d.driver}' is on neither whitelist: read-only is refused too`];
}

function builtNote(d: DriverFacts): string[] {
  if (d.builtIn || d.module) return [];
  return [`${d.profile} (QEMU ${d.version}) does not build '${d.driver}' at all, neither compiled in nor as a module`];
}

const WORDING: Partial<Record<FindingCode, ExplainWording>> = {
  'driver-read-only-only': {
    notes: (_s, d) => listsNote(d),
    fixes: (s, d) => [
      `open it read-only: ${readOnly(s)}`,
      ...(d.whitelistAutoReadOnly
        ? ['or let it fall back to read-only: auto-read-only=on (the -drive default since QEMU 3.1)']
        : []),
      d.toolsEnforce
        ? `convert it; ${d.profile}'s qemu-img enforces the whitelist, but convert opens its source ` +
          `read-only, which the read-only list allows: ${convert(s, d)}`
        : `convert it; ${d.profile}'s qemu-img does not enforce the whitelist: ${convert(s, d)}`,
    ],
  },
  'driver-not-whitelisted': {
    notes: (_s, d) => [...builtNote(d), ...listsNote(d)],
    fixes: (s, d) => {
      if (!d.isFormat) return [`reach the data another way: ${overNbd(d)}`];
      if (d.toolsEnforce || !(d.builtIn || d.module))
        return [
          `${d.profile}'s qemu-img cannot read '${d.driver}' either: convert on a host whose ` +
            "qemu-img can (Debian's qemu-utils builds every format and has no whitelist): " +
            `${convert(s, d)}`,
        ];
      return [`convert it here; ${d.profile}'s qemu-img does not enforce the whitelist: ${convert(s, d)}`];
    },
  },
  'driver-not-built': {
    notes: (s, d) =>
      isQemuDriver(s.profile, d.driver)
        ? [`${d.profile} (QEMU ${d.version}) does not build '${d.driver}' at all, neither compiled in nor as a module`]
        : [
            `'${d.driver}' is no QEMU driver name: check the spelling (qemu-img --help lists the ` +
              'formats of a build under "Supported formats")',
          ],
    fixes: (s, d) => {
      if (!isQemuDriver(s.profile, d.driver)) return ['name a format or protocol this build has: qemu-img --help'];
      if (d.isFormat)
        return [
          `convert it on a host whose qemu-img has '${d.driver}' (Debian's qemu-utils builds every ` +
            `format): ${convert(s, d)}`,
        ];
      return [`reach the data another way: ${overNbd(d)}`];
    },
  },
  'module-not-installed': {
    notes: (s, d) => [
      ...(s.said.kind === 'module-unloadable'
        ? [
            `the file is there but QEMU refused it (${s.args['stage']} ${s.args['path']}${s.args['text'] ? `: ${s.args['text']}` : ''}); QEMU loads only modules of its own build, so a QEMU started before a package upgrade cannot load the new ones`,
          ]
        : []),
      ...(d.module?.installed
        ? [
            `${d.profile} says ${d.module.file} is installed; on the host that printed this it is not ` +
              '(or not of the same build)',
          ]
        : []),
    ],
    fixes: (s, d) => {
      const pkg = s.args['package'] || d.module?.package || 'the package that ships the module';
      return [
        `${d.install} ${pkg.split(' or ')[0]}`,
        ...(s.said.kind === 'module-unloadable'
          ? [
              `${d.install.replace(/ install$/, ' reinstall')} ${pkg.split(' or ')[0]} (the same version ` +
                `as ${d.hypervisor}), then restart the QEMU processes started before the upgrade`,
            ]
          : []),
      ];
    },
  },
  'protocol-unknown': {
    notes: (s) => [`protocols this build handles: ${protocolsOf(s.profile).join(', ') || 'file only'}`],
  },
  'file-not-found': {
    fixes: (s) => [
      CATALOG['file-not-found'].fix(s.args),
      ...(s.args['backing']
        ? [
            'the missing file is a backing file: qemu-img info --backing-chain ' +
              `${s.args['image'] ?? 'IMAGE'} shows the chain; point it at the right file with qemu-img ` +
              `rebase -u -b NEW -F FMT ${s.args['image'] ?? 'IMAGE'}`,
          ]
        : []),
    ],
  },
  'file-unreadable': {
    fixes: (s) => {
      const file = s.args['filename'] ?? 'FILE';
      if (/lock/.test(s.args['text'] ?? ''))
        return [
          `another process has '${file}' open: stop it first; to look inside meanwhile: qemu-img info -U ${file}`,
        ];
      if (/Permission denied/.test(s.args['text'] ?? ''))
        return [
          "check who QEMU runs as (libvirt: user and group in /etc/libvirt/qemu.conf) and the file's " +
            `owner, mode and label: ls -lZ ${file}`,
        ];
      return [CATALOG['file-unreadable'].fix(s.args)];
    },
  },
  'raw-probed': {
    fixes: (s) => [
      "name the format: format=raw (-f raw for the tools, <driver name='qemu' type='raw'/> in " +
        `libvirt) for ${s.args['filename'] ?? 'the image'}`,
    ],
  },
};

export function notesFor(code: FindingCode, subject: Subject): string[] {
  const facts = driverFacts(subject.profile, subject.args['driver'] ?? '');
  return WORDING[code]?.notes?.(subject, facts) ?? [];
}

export function fixesFor(code: FindingCode, subject: Subject): string[] {
  const facts = driverFacts(subject.profile, subject.args['driver'] ?? '');
  return WORDING[code]?.fixes?.(subject, facts) ?? [CATALOG[code].fix(subject.args)];
}
