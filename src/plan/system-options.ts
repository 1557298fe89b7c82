/** qemu-system options that take no argument (qemu-options.hx); every other option takes one. */
export const FLAG_OPTIONS = new Set([
  'S',
  's',
  'snapshot',
  'nographic',
  'nodefaults',
  'no-user-config',
  'enable-kvm',
  'daemonize',
  'no-reboot',
  'no-shutdown',
  'no-acpi',
  'no-hpet',
  'full-screen',
  'win2k-hack',
  'rtc-td-hack',
  'localtime',
  'usb',
  'old-param',
  'only-migratable',
  'enable-sync-profile',
  'preconfig',
  'no-fd-bootchk',
  'alt-grab',
  'ctrl-grab',
  'version',
  'h',
  'help',
  'mem-prealloc',
  'no-quit',
  'no-frame',
  'portrait',
  'curses',
  'sdl',
  'xen-attach',
  'semihosting',
  'no-kvm',
  'no-kvm-irqchip',
  'no-kvm-pit',
  'no-kvm-pit-reinjection',
  'enable-fips',
  'nodefconfig',
  'singlestep',
]);

/** Shorthands that expand to -drive (vl.c drive_add): index and media as QEMU fills them in. */
export const DRIVE_SHORTHANDS: Record<string, { index: number; media?: 'cdrom'; if?: string }> = {
  hda: { index: 0 },
  hdb: { index: 1 },
  hdc: { index: 2 },
  hdd: { index: 3 },
  cdrom: { index: 2, media: 'cdrom' },
  fda: { index: 0, if: 'floppy' },
  fdb: { index: 1, if: 'floppy' },
  mtdblock: { index: 0, if: 'mtd' },
  sd: { index: 0, if: 'sd' },
  pflash: { index: 0, if: 'pflash' },
};

export interface RawOption {
  name: string;
  value: string;
  /** The text QEMU uses as the error location: "-drive file=x", "-hda x". */
  location: string;
}

/** Splits argv into options; a lone argument is the hda image, as vl.c treats it. */
export function splitSystemArgs(args: string[]): RawOption[] {
  const out: RawOption[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      out.push({ name: 'hda', value: arg, location: arg });
      continue;
    }
    const name = arg.replace(/^--?/, '');
    if (FLAG_OPTIONS.has(name)) {
      out.push({ name, value: '', location: arg });
      continue;
    }
    const value = args[++i];
    if (value === undefined) throw new MissingArgument(arg);
    out.push({ name, value, location: `${arg} ${value}` });
  }
  return out;
}

export class MissingArgument extends Error {
  constructor(readonly option: string) {
    super(`${option} requires an argument`);
  }
}
