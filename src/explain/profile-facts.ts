import type { Profile } from '../model/profile.js';
import { driverForProtocol, driverRole } from '../qemu/drivers.js';
import { qemuFeatures } from '../qemu/features.js';
import { moduleOf } from './resolve.js';

/** What a profile says about one driver, in the terms the fixes need. */
export interface DriverFacts {
  profile: string;
  version: string;
  driver: string;
  isFormat: boolean;
  builtIn: boolean;
  module?: { file: string; package: string; installed: boolean };
  /** The build has a whitelist at all. */
  whitelisted: boolean;
  rw: boolean;
  ro: boolean;
  /** qemu-img and the other tools enforce the whitelist (--enable-block-drv-whitelist-in-tools). */
  toolsEnforce: boolean;
  /** -drive falls back to read-only for a ro-listed driver (QEMU 4.0, 8be25de64315). */
  whitelistAutoReadOnly: boolean;
  hypervisor: string;
  /** The command that installs a package on this distro. */
  install: string;
}

export function driverFacts(profile: Profile, driver: string): DriverFacts {
  const { qemu } = profile;
  const module = moduleOf(profile, driver);
  const { rw, ro, tools } = qemu.whitelist;
  return {
    profile: profile.name,
    version: qemu.version,
    driver,
    isFormat: driverRole(driver) === 'format',
    builtIn: qemu.drivers.builtin.includes(driver),
    ...(module ? { module: { file: module.file, package: module.package, installed: module.installed } } : {}),
    whitelisted: rw.length > 0 || ro.length > 0,
    rw: rw.includes(driver),
    ro: ro.includes(driver),
    toolsEnforce: tools,
    whitelistAutoReadOnly: qemuFeatures(qemu).whitelistAutoReadOnly,
    hypervisor: qemu.hypervisors[0] ?? 'qemu-system-x86_64',
    install: installer(profile),
  };
}

/** A name QEMU knows as a driver somewhere (any build): used to tell a typo from a driver this build lacks. */
export function isQemuDriver(profile: Profile, driver: string): boolean {
  const { qemu } = profile;
  return (
    driverRole(driver) !== 'protocol' ||
    driverForProtocol(driver) !== undefined ||
    qemu.drivers.builtin.includes(driver) ||
    qemu.modules.some((m) => m.drivers.includes(driver)) ||
    qemu.whitelist.rw.includes(driver) ||
    qemu.whitelist.ro.includes(driver)
  );
}

/** The drivers of this build that a protocol prefix can reach: what "Unknown protocol" could have been. */
export function protocolsOf(profile: Profile): string[] {
  const usable = [
    ...profile.qemu.drivers.builtin,
    ...profile.qemu.modules.filter((m) => m.installed).flatMap((m) => [...m.drivers, ...(m.protocols ?? [])]),
  ];
  return [...new Set(usable.filter((d) => driverRole(d) === 'protocol' && driverForProtocol(d) !== undefined))].sort();
}

function installer(profile: Profile): string {
  const id = `${profile.name} ${profile.qemu.package}`;
  if (/\bel\d|rhel|fedora|\.fc\d|centos/i.test(id)) return 'dnf install';
  if (/suse|sles/i.test(id)) return 'zypper install';
  if (/debian|ubuntu|dfsg|deb\d/i.test(id)) return 'apt-get install';
  return 'install';
}
