import type { V2vCommand } from './options.js';
import { InputError } from '../../errors.js';

/**
 * Where the guest's disks come from, as virt-v2v picks its input module (2.2 v2v/v2v.ml "Get the input module",
 * 1.40 v2v/input_libvirt.ml:50-58): the -i mode, then for -i libvirt the -ic scheme and -it.
 */
export type SourceKind =
  | 'disk'
  | 'ova'
  | 'vmx'
  | 'vmx-ssh'
  | 'libvirtxml'
  | 'libvirt'
  | 'vcenter-https'
  | 'vddk'
  | 'xen-ssh';

export interface RemoteHost {
  scheme: string;
  server: string;
  user?: string;
  port?: string;
  /** ?no_verify=1: vCenter's certificate is not checked (file.sslverify off). */
  noVerify?: boolean;
}

export interface Source {
  kind: SourceKind;
  /** The -i mode as virt-v2v names it (local is disk). */
  mode: string;
  remote?: RemoteHost;
  /** Local images named on the command line (-i disk); remote guests list their disks only at run time. */
  files: string[];
  /** The guest name (-i libvirt) or the XML/OVA/VMX file. */
  subject?: string;
}

const MODES: Record<string, string> = {
  disk: 'disk',
  local: 'disk',
  libvirt: 'libvirt',
  libvirtxml: 'libvirtxml',
  ova: 'ova',
  vmx: 'vmx',
};

export function classifySource(cmd: V2vCommand): Source {
  const given = cmd.values.get('i') ?? 'libvirt';
  const mode = MODES[given] ?? given;
  const transport = cmd.values.get('it');
  const [first] = cmd.args;
  if (mode === 'disk') return { kind: 'disk', mode, files: cmd.args };
  if (mode === 'vmx')
    return {
      kind: first?.startsWith('ssh://') || transport === 'ssh' ? 'vmx-ssh' : 'vmx',
      mode,
      files: [],
      ...(first ? { subject: first } : {}),
    };
  if (mode !== 'libvirt') return { kind: mode as SourceKind, mode, files: [], ...(first ? { subject: first } : {}) };
  const ic = cmd.values.get('ic');
  const remote = ic ? parseUri(ic) : undefined;
  const base = { mode, files: [], ...(first ? { subject: first } : {}), ...(remote ? { remote } : {}) };
  if (!remote || remote.server === '') return { kind: 'libvirt', ...base };
  if (['esx', 'gsx', 'vpx'].includes(remote.scheme))
    return { kind: transport === 'vddk' ? 'vddk' : 'vcenter-https', ...base };
  if (remote.scheme === 'xen+ssh') return { kind: 'xen-ssh', ...base };
  return { kind: 'libvirt', ...base };
}

function parseUri(uri: string): RemoteHost {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InputError(`virt-v2v: could not parse '-ic ${uri}'`);
  }
  return {
    scheme: url.protocol.replace(/:$/, ''),
    server: url.hostname,
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.port ? { port: url.port } : {}),
    ...(url.searchParams.get('no_verify') === '1' ? { noVerify: true } : {}),
  };
}
