/** Where a probe of a real build disagrees with what a profile says about it. Pure. */
import type { Profile } from '../model/profile.js';
import type { ProbeAccess, ProbeOutcome, ProbeReport } from './probe.js';

export interface ProbeDisagreement {
  driver: string;
  access: ProbeAccess;
  probed: ProbeOutcome;
  expected: ProbeOutcome;
}

/**
 * What the profile implies for one driver opened by qemu-system with `auto-read-only=off`
 * (blockdev-add's default): present = built in, or in an installed module; then the whitelist
 * as bdrv_open_common applies it (both lists empty = no whitelist; rw-listed = both accesses;
 * ro-listed = read-only only).
 */
export function expectedOutcome(profile: Profile, driver: string, access: ProbeAccess): ProbeOutcome {
  const { drivers, modules, whitelist } = profile.qemu;
  const present = drivers.builtin.includes(driver) || modules.some((m) => m.installed && m.drivers.includes(driver));
  if (!present) return 'unavailable';
  if (whitelist.rw.length === 0 && whitelist.ro.length === 0) return 'allowed';
  if (whitelist.rw.includes(driver)) return 'allowed';
  if (whitelist.ro.includes(driver)) return access === 'ro' ? 'allowed' : 'read-only-only';
  return 'not-whitelisted';
}

/** Every probed driver and access whose outcome differs from the profile's, in probe order. */
export function diffProbe(report: ProbeReport, profile: Profile): ProbeDisagreement[] {
  return Object.entries(report.results).flatMap(([driver, result]) =>
    (['rw', 'ro'] as const)
      .map((access) => ({ driver, access, probed: result[access], expected: expectedOutcome(profile, driver, access) }))
      .filter((d) => d.probed !== d.expected),
  );
}
