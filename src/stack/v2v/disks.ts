import type { StackContext } from '../context.js';
import type { V2vCommand } from './options.js';
import type { Source } from './source.js';

/** One source disk as virt-v2v finds it: a local file, or a remote disk whose path libvirt reports at run time. */
export interface SourceDisk {
  sd: string;
  /** A local image (for -i disk, the file named; otherwise a stand-in for what the OVA, VMX or XML lists). */
  file?: string;
  format?: string;
  /** The format is assumed, not read (remote disks, disks inside an OVA/VMX/XML). */
  assumed: boolean;
}

export function sourceDisks(cmd: V2vCommand, source: Source, ctx: StackContext): SourceDisk[] {
  const given = cmd.values.get('if');
  if (source.kind === 'disk') {
    // Without -if, virt-v2v asks libguestfs's disk_format, i.e. qemu-img's probe (2.2 input/input_disk.ml detect_local_input_format).
    return source.files.map((file, i) => ({
      sd: sd(i),
      file,
      assumed: false,
      ...((given ?? probed(file, ctx)) ? { format: given ?? probed(file, ctx) } : {}),
    }));
  }
  // VMware disks are vmdk locally (-i vmx, -i ova); over https the -flat file is always raw (1.40 input_libvirt_vcenter_https.ml:112).
  const local =
    source.kind === 'vmx' || source.kind === 'ova'
      ? { file: `${source.subject ?? 'guest'}-disk1.vmdk`, format: 'vmdk' }
      : undefined;
  if (local) return [{ sd: sd(0), ...local, assumed: true }];
  if (source.kind === 'libvirt' || source.kind === 'libvirtxml')
    return [{ sd: sd(0), file: `${source.subject ?? 'guest'}-disk1.img`, format: given ?? 'raw', assumed: true }];
  return [{ sd: sd(0), format: given ?? 'raw', assumed: true }];
}

function probed(file: string, ctx: StackContext): string | undefined {
  return ctx.facts(file)?.header?.format;
}

/** sda, sdb, ... (common/mltools drive_name). */
export function sd(i: number): string {
  let name = '';
  for (let n = i; n >= 0; n = Math.floor(n / 26) - 1) name = String.fromCharCode(97 + (n % 26)) + name;
  return `sd${name}`;
}

/** The guest name: -on, else the libvirt guest, else the first disk's name without its extension (name_from_disk). */
export function guestName(cmd: V2vCommand, source: Source): string {
  const on = cmd.values.get('on');
  if (on) return on;
  if (source.kind === 'disk') return (source.files[0] ?? 'guest').replace(/^.*\//, '').replace(/\.[^.]*$/, '');
  return (source.subject ?? 'guest').replace(/^.*\//, '').replace(/\.(ova|vmx|xml)$/, '');
}
