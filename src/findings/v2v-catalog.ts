import type { CatalogEntry } from './entry.js';

/** Codes of the v2v layer (and nbdkit) and their wording; one page each in docs/findings/. */
export const V2V_CATALOG = {
  'v2v-input-disabled': {
    severity: 'error',
    layer: 'virt-v2v',
    title: 'Input mode not in this virt-v2v build',
    explain: (a) =>
      `this virt-v2v build does not have the input ${a['input']}: the distro removed it, or it never existed.`,
    fix: () =>
      'convert on a host whose virt-v2v has that input (see virt-v2v --machine-readable: ' +
      'input:MODE), or export the guest to a form this build reads (-i disk, -i ova)',
  },
  'v2v-output-disabled': {
    severity: 'error',
    layer: 'virt-v2v',
    title: 'Output mode not in this virt-v2v build',
    explain: (a) =>
      `this virt-v2v build does not have the output ${a['output']}; a downstream patch removed ` +
      'it or the name is unknown, so virt-v2v stops before reading any disk.',
    fix: () =>
      'pick an output the build lists (virt-v2v --machine-readable: output:MODE), e.g. -o local ' +
      '-os DIR, and import from there',
  },
  'v2v-option-removed': {
    severity: 'error',
    layer: 'virt-v2v',
    title: 'Option removed from this virt-v2v',
    explain: (a) => `${a['option']} is not available in virt-v2v ${a['version']} as this distro builds it.`,
    fix: (a) =>
      a['option'] === '--in-place'
        ? 'use virt-v2v-in-place (2.x), where the distro supports it'
        : `drop ${a['option']}; start the converted guest with libvirt or the profile's qemu-kvm instead`,
  },
  'v2v-transport-unknown': {
    severity: 'error',
    layer: 'virt-v2v',
    title: 'Unknown input transport',
    explain: (a) => `-it ${a['transport']} is not a transport virt-v2v knows; it accepts ssh and vddk.`,
    fix: () => 'use -it vddk (VMware, with the VDDK library) or -it ssh (-i vmx over ssh), or leave -it out',
  },
  'v2v-output-format-unsupported': {
    severity: 'error',
    layer: 'virt-v2v',
    title: 'Output format not supported',
    explain: (a) =>
      `virt-v2v 2.x writes -o ${a['output']} disks only as ` +
      `${a['output'] === 'null' || a['output'] === 'openstack' ? 'raw' : 'raw or qcow2'}, not ` +
      `${a['format']}.`,
    fix: () => 'use -of qcow2 or -of raw, then qemu-img convert the result if another format is really needed',
  },
  'v2v-direct-backend-required': {
    severity: 'error',
    layer: 'virt-v2v',
    title: 'Xen over ssh needs the direct backend',
    explain: (a) =>
      'virt-v2v before 1.43.4 refuses Xen over ssh when libguestfs uses the libvirt backend ' +
      `(${a['backend']}, from ${a['source']}): libvirt could not pass the ssh json: backing to ` +
      'qemu (RHBZ#1140166).',
    fix: () =>
      'export LIBGUESTFS_BACKEND=direct and rerun virt-v2v (ssh-agent must hold the key: eval $(ssh-agent); ssh-add)',
  },
  'v2v-remote-behind-overlay': {
    severity: 'info',
    layer: 'virt-v2v',
    title: 'Remote disk read through a local overlay',
    explain: (a) =>
      `the '${a['protocol']}' disk is only the read-only backing file of the local qcow2 overlay ` +
      `${a['overlay']}: libguestfs is handed a local file, so its own protocol rules never see ` +
      `'${a['protocol']}', and QEMU opens the backing read-only, so a read-only whitelist entry ` +
      'is enough.',
    fix: () => 'nothing to do; the network must be reachable from the conversion host, and the source is never written',
  },
  'v2v-source-over-nbd': {
    severity: 'info',
    layer: 'nbdkit',
    title: 'Source served by nbdkit',
    explain: (a) =>
      `nbdkit-${a['plugin']}-plugin reads the source and serves it on ${a['socket']}; QEMU only ` +
      "sees nbd, so its whitelist and modules do not matter for the remote protocol, nbdkit's " +
      'plugins do.',
    fix: () => 'nothing to do if the plugin is installed; the source host must be reachable from the conversion host',
  },
  'v2v-facts-missing': {
    severity: 'info',
    layer: 'virt-v2v',
    title: 'Profile has no facts for this layer',
    explain: (a) => `profile ${a['profile']} records no ${a['layer']} facts, so that layer's rules were not checked.`,
    fix: (a) =>
      `add a ${a['layer']} group to the profile (blockgate inspect reads it from a host), or ` +
      'pick a profile that has one',
  },
  'v2v-nbdcopy-missing': {
    severity: 'error',
    severityNote: 'warning when only the packaging leaves it out and this host was not inspected',
    layer: 'virt-v2v',
    title: 'nbdcopy not installed',
    explain: (a) =>
      a['state'] === 'missing'
        ? 'virt-v2v 2.x copies every disk with nbdcopy (and sizes it with nbdinfo), which is not ' +
          'installed here: the conversion runs to the end and then fails at "Copying disk".'
        : 'virt-v2v 2.x copies every disk with nbdcopy (and sizes it with nbdinfo), but this ' +
          "distro's virt-v2v package does not pull them in: without them the conversion fails at " +
          '"Copying disk".',
    fix: () =>
      "install libnbd's tools first: apt-get install libnbd-bin (Debian, Ubuntu); dnf install libnbd (Fedora, RHEL)",
  },
  'nbdkit-plugin-missing': {
    severity: 'error',
    layer: 'nbdkit',
    title: 'nbdkit plugin not installed',
    explain: (a) =>
      `virt-v2v needs nbdkit-${a['plugin']}-plugin, which this stack does not have (it has: ` +
      `${a['installed'] || 'none'}).`,
    fix: (a) =>
      `install the package with nbdkit-${a['plugin']}-plugin (Debian: nbdkit, or ` +
      `nbdkit-plugin-${a['plugin']}; RHEL: ` +
      `nbdkit-${a['plugin']}-plugin)${a['plugin'] === 'vddk' ? "; vddk also needs VMware's VDDK library (-io vddk-libdir=DIR)" : ''}`,
  },
  'nbdkit-filter-missing': {
    severity: 'error',
    layer: 'nbdkit',
    title: 'nbdkit filter not installed',
    explain: (a) =>
      `virt-v2v needs nbdkit-${a['filter']}-filter to protect the source, and this stack does not have it.`,
    fix: (a) => `install the package with nbdkit-${a['filter']}-filter (Debian: nbdkit; RHEL: nbdkit-basic-filters)`,
  },
} satisfies Record<string, CatalogEntry>;

export type V2vCode = keyof typeof V2V_CATALOG;
