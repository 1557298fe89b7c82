import type { Profile } from '../model/profile.js';

/** Which fact of a build changed: what a distro maintainer's CI gate watches. */
export type DiffArea =
  | 'version'
  | 'rw-whitelist'
  | 'ro-whitelist'
  | 'tools-enforce'
  | 'builtin'
  | 'module'
  | 'module-installed'
  | 'probe';

export interface Difference {
  area: DiffArea;
  /** The driver or module file the change is about; absent for version and tools. */
  subject?: string;
  change: 'gained' | 'lost' | 'changed';
  from?: string;
  to?: string;
}

export const DIFF_AREAS: { area: DiffArea; title: string }[] = [
  { area: 'version', title: 'QEMU version' },
  { area: 'rw-whitelist', title: 'read-write whitelist' },
  { area: 'ro-whitelist', title: 'read-only whitelist' },
  { area: 'tools-enforce', title: 'whitelist enforced by the tools' },
  { area: 'builtin', title: 'built-in drivers' },
  { area: 'module', title: 'block modules' },
  { area: 'module-installed', title: 'block modules installed' },
  { area: 'probe', title: 'probed behaviour' },
];

/** Every difference in the QEMU facts of two profiles, in a stable order. */
export function diffProfiles(a: Profile, b: Profile): Difference[] {
  const out: Difference[] = [];
  if (a.qemu.version !== b.qemu.version)
    out.push({ area: 'version', change: 'changed', from: a.qemu.version, to: b.qemu.version });
  out.push(...sets('rw-whitelist', a.qemu.whitelist.rw, b.qemu.whitelist.rw));
  out.push(...sets('ro-whitelist', a.qemu.whitelist.ro, b.qemu.whitelist.ro));
  if (a.qemu.whitelist.tools !== b.qemu.whitelist.tools) {
    out.push({
      area: 'tools-enforce',
      change: 'changed',
      from: String(a.qemu.whitelist.tools),
      to: String(b.qemu.whitelist.tools),
    });
  }
  out.push(...sets('builtin', a.qemu.drivers.builtin, b.qemu.drivers.builtin));
  out.push(
    ...sets(
      'module',
      a.qemu.modules.map((m) => m.file),
      b.qemu.modules.map((m) => m.file),
    ),
  );
  for (const m of a.qemu.modules) {
    const other = b.qemu.modules.find((n) => n.file === m.file);
    if (other && other.installed !== m.installed) {
      out.push({
        area: 'module-installed',
        subject: m.file,
        change: 'changed',
        from: String(m.installed),
        to: String(other.installed),
      });
    }
  }
  return out;
}

function sets(area: DiffArea, a: string[], b: string[]): Difference[] {
  const lost = a
    .filter((x) => !b.includes(x))
    .sort()
    .map((subject): Difference => ({ area, subject, change: 'lost' }));
  const gained = b
    .filter((x) => !a.includes(x))
    .sort()
    .map((subject): Difference => ({ area, subject, change: 'gained' }));
  return [...lost, ...gained];
}
