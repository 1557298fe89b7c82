import type { Profile, VirtV2vFacts } from '../../model/profile.js';
import type { StackStep } from '../../model/stack.js';
import type { V2vCommand } from './options.js';
import type { Source } from './source.js';
import { eraOf } from './era.js';
import { finding, type Refusal } from './finding.js';
import { v2vError } from './messages.js';
import { chosenBackend } from '../libguestfs/backend.js';

/** -o aliases (2.2 v2v/v2v.ml set_output_mode, 1.40 v2v/cmdline.ml:136-149): the canonical mode each names. */
const OUTPUT_ALIASES: Record<string, string> = {
  disk: 'local',
  local: 'local',
  osp: 'openstack',
  rhosp: 'openstack',
  ovirt: 'rhv',
  rhev: 'rhv',
  rhv: 'rhv',
  'ovirt-upload': 'rhv-upload',
  ovirt_upload: 'rhv-upload',
  rhv_upload: 'rhv-upload',
  'rhv-upload': 'rhv-upload',
};
const LOCAL_FILE_OUTPUTS = ['local', 'libvirt', 'qemu', 'kubevirt', 'glance', 'rhv', 'vdsm'];

export function outputMode(cmd: V2vCommand): string {
  const given = cmd.values.get('o') ?? 'libvirt';
  return OUTPUT_ALIASES[given] ?? given;
}

/** The option checks virt-v2v makes before it touches a disk, in its order; virt-v2v stops at the first error. */
export function frontStep(
  cmd: V2vCommand,
  source: Source,
  profile: Profile,
  env: Record<string, string | undefined>,
): StackStep {
  const facts = profile.virtV2v;
  const refusals = facts
    ? [
        ...removedOptions(cmd, facts),
        ...modes(cmd, source, facts),
        ...outputFormat(cmd, facts),
        ...backend(source, profile, facts, env),
      ]
    : [{ finding: finding('v2v-facts-missing', 'info', { profile: profile.name, layer: 'virtV2v' }) }];
  const first = refusals.find((r) => r.finding.severity === 'error');
  return {
    id: 'virt-v2v',
    program: 'virt-v2v',
    summary: `${source.kind} source (-i ${source.mode}${source.remote ? ` -ic ${source.remote.scheme}://${source.remote.server}` : ''}), -o ${outputMode(cmd)} -of ${cmd.values.get('of') ?? 'raw'}; virt-v2v ${facts?.version ?? '(version not in profile)'}`,
    findings: refusals.map((r) => r.finding),
    ...(first?.message ? { messages: first.message } : {}),
  };
}

function removedOptions(cmd: V2vCommand, facts: VirtV2vFacts): Refusal[] {
  const used = [...cmd.flags].map((f) => `--${f}`).concat([...cmd.values.keys()].map((k) => `--${k}`));
  const modern = eraOf(facts.version) === 'nbd-sockets';
  const removed = (facts.removedOptions ?? []).filter((o) => used.includes(o));
  const refusals: Refusal[] = removed.map((option) => ({
    finding: finding('v2v-option-removed', 'error', { option, version: facts.version ?? 'current' }),
    // RHEL 9's patches delete the option from the argspec (virt-v2v rhel-9.2 8fbfb57d, b638c208), so Getopt rejects it.
    ...(modern
      ? {
          message: [
            `virt-v2v: unrecognized option '${option}'`,
            'Try ‘virt-v2v --help’ or consult virt-v2v(1) for more information.',
          ],
        }
      : {}),
  }));
  // Upstream 2.x keeps --in-place only to say where it went (2.2 v2v/v2v.ml in_place_error).
  if (modern && cmd.flags.has('in-place') && !removed.includes('--in-place')) {
    refusals.push({
      finding: finding('v2v-option-removed', 'error', { option: '--in-place', version: facts.version ?? 'current' }),
      message: v2vError('The --in-place option has been replaced by the ‘virt-v2v-in-place’ program'),
    });
  }
  return refusals;
}

function modes(cmd: V2vCommand, source: Source, facts: VirtV2vFacts): Refusal[] {
  const out: Refusal[] = [];
  if (facts.inputs && !facts.inputs.includes(source.mode)) {
    out.push({
      finding: finding('v2v-input-disabled', 'error', { input: `-i ${source.mode}` }),
      message: v2vError(`unknown -i option: ${cmd.values.get('i') ?? source.mode}`),
    });
  }
  const it = cmd.values.get('it');
  if (it !== undefined && !(facts.inputTransports ?? ['ssh', 'vddk']).includes(it)) {
    out.push({
      finding: finding('v2v-transport-unknown', 'error', { transport: it }),
      message: v2vError(`unknown input transport ‘-it ${it}’`),
    });
  }
  const given = cmd.values.get('o') ?? 'libvirt';
  const mode = outputMode(cmd);
  const outputs = facts.outputs?.map((o) => OUTPUT_ALIASES[o] ?? o);
  if (outputs && !outputs.includes(mode)) {
    out.push({
      finding: finding('v2v-output-disabled', 'error', { output: `-o ${given}` }),
      message: v2vError(`unknown -o option: ${given}`),
    });
  }
  if (source.kind === 'xen-ssh' && facts.removedInputs?.includes('xen+ssh')) {
    out.push({ finding: finding('v2v-input-disabled', 'error', { input: '-ic xen+ssh://' }) });
  }
  return out;
}

/** 2.x writes output disks with nbdkit-file (raw) or qemu-nbd (qcow2) only; 1.x hands -of to qemu-img convert -O. */
function outputFormat(cmd: V2vCommand, facts: VirtV2vFacts): Refusal[] {
  const format = cmd.values.get('of') ?? 'raw';
  if (eraOf(facts.version) !== 'nbd-sockets') return [];
  const mode = outputMode(cmd);
  const refuse = (message: string): Refusal[] => [
    {
      finding: finding('v2v-output-format-unsupported', 'error', { format, output: mode }),
      message: v2vError(message),
    },
  ];
  // 2.2 output/output_null.ml:47, output/output_openstack.ml:87-88, output/output.ml output_to_local_file.
  if (mode === 'null' && format !== 'raw') return refuse('-o null: -of option cannot be used in this output mode');
  if (mode === 'openstack' && format !== 'raw') return refuse('-o openstack mode only supports -oa sparse -of raw');
  if (LOCAL_FILE_OUTPUTS.includes(mode) && !['raw', 'qcow2'].includes(format))
    return refuse(`output mode only supports raw or qcow2 format (format: ${format})`);
  return [];
}

/**
 * Xen over ssh before 1.43.4 refuses the libvirt backend in its precheck (libguestfs v1.40.2
 * v2v/input_libvirt_xen_ssh.ml:37-41, same on virt-v2v rhel-8.8.0; removed upstream by 2c91610ab).
 */
function backend(
  source: Source,
  profile: Profile,
  facts: VirtV2vFacts,
  env: Record<string, string | undefined>,
): Refusal[] {
  if (source.kind !== 'xen-ssh' || !facts.directBackendRequired?.includes('xen+ssh')) return [];
  const chosen = chosenBackend(env, profile);
  if (chosen.backend !== 'libvirt') return [];
  return [
    {
      finding: finding('v2v-direct-backend-required', 'error', {
        backend: chosen.value,
        source: chosen.fromEnv ? 'LIBGUESTFS_BACKEND' : `the ${profile.name} default`,
      }),
      message: v2vError(
        'because of libvirt bug https://bugzilla.redhat.com/1140166 you must set this environment ' +
          'variable:\n\nexport LIBGUESTFS_BACKEND=direct\n\nand then rerun the virt-v2v command.',
      ),
    },
  ];
}
