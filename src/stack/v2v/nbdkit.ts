import type { Finding } from '../../findings/finding.js';
import type { Profile } from '../../model/profile.js';
import type { StackStep } from '../../model/stack.js';
import { finding } from './finding.js';
import { v2vError } from './messages.js';

/**
 * virt-v2v 2.2's probes, in its order, with what it prints when one fails (input/input_disk.ml, input/input_libvirt.ml,
 * input/nbdkit_curl.ml:42-46, input/nbdkit_ssh.ml:51-55, input/nbdkit_vddk.ml:59-63, output/output.ml, output/output_null.ml:60-61).
 */
const PLUGIN_MESSAGE: Record<string, string> = {
  file: 'nbdkit-file-plugin is not installed or not working',
  nbd: 'nbdkit-nbd-plugin is not installed or not working',
  null: 'nbdkit-null-plugin is not installed or not working',
  curl: 'nbdkit-curl-plugin is not installed',
  ssh: 'nbdkit-ssh-plugin is not installed',
  vddk: 'nbdkit-vddk-plugin is not installed',
};
const FILTER_MESSAGE: Record<string, string> = { cow: 'nbdkit-cow-filter is not installed or not working' };

export interface NbdkitUse {
  id: string;
  /** Plugins virt-v2v probes for, the serving one last (-i libvirt checks file and nbd before any disk). */
  plugins: string[];
  /** Filters it cannot do without (cow protects the source); optional ones (retry, rate, ...) are left out. */
  filters: string[];
  summary: string;
  /** 2.x prints the messages above; 1.42's wording was not checked, so it only gets findings. */
  exactMessages: boolean;
  extra?: Finding[];
}

export function nbdkitStep(use: NbdkitUse, profile: Profile): StackStep {
  const facts = profile.nbdkit;
  const missing: { finding: Finding; message?: string }[] = facts
    ? [
        ...use.plugins
          .filter((p) => !facts.plugins.includes(p))
          .map((plugin) => ({
            finding: finding(
              'nbdkit-plugin-missing',
              'error',
              { plugin, installed: facts.plugins.join(', ') },
              'nbdkit',
            ),
            message: PLUGIN_MESSAGE[plugin],
          })),
        ...(facts.filters ? use.filters.filter((f) => !facts.filters?.includes(f)) : []).map((filter) => ({
          finding: finding('nbdkit-filter-missing', 'error', { filter }, 'nbdkit'),
          message: FILTER_MESSAGE[filter],
        })),
      ]
    : [{ finding: finding('v2v-facts-missing', 'info', { profile: profile.name, layer: 'nbdkit' }, 'nbdkit') }];
  const first = missing.find((m) => m.finding.severity === 'error');
  return {
    id: use.id,
    program: 'nbdkit',
    summary: use.summary,
    findings: [...missing.map((m) => m.finding), ...(use.extra ?? [])],
    ...(use.exactMessages && first?.message ? { messages: v2vError(first.message) } : {}),
  };
}
