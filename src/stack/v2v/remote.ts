import type { Source } from './source.js';

/**
 * The json: filename virt-v2v 1.40 gives qemu for a remote disk; the path comes from libvirt at run time, so a stand-in
 * path is used. vCenter: libguestfs v1.40.2 v2v/vCenter.ml:74-106; Xen: v2v/input_libvirt_xen_ssh.ml:73-98.
 */
export function remoteBacking(source: Source): { uri: string; protocol: 'https' | 'ssh' } | undefined {
  const remote = source.remote;
  if (!remote) return undefined;
  const guest = source.subject ?? 'guest';
  if (source.kind === 'vcenter-https') {
    const port = remote.port ? `:${remote.port}` : '';
    const url = `https://${remote.server}${port}/folder/${guest}/${guest}-flat.vmdk?dcPath=Datacenter&dsName=datastore1`;
    return {
      protocol: 'https',
      uri:
        'json: ' +
        `${JSON.stringify({ 'file.driver': 'https', 'file.url': url, 'file.timeout': 2000, ...(remote.noVerify ? { 'file.sslverify': 'off' } : {}) })}`,
    };
  }
  if (source.kind === 'xen-ssh' || source.kind === 'vmx-ssh') {
    const json: Record<string, string> = {
      'file.driver': 'ssh',
      'file.path': `/var/lib/xen/images/${guest}.img`,
      'file.host': remote.server,
      'file.host_key_check': 'no',
    };
    if (remote.port && remote.port !== '22') json['file.port'] = remote.port;
    if (remote.user) json['file.user'] = remote.user;
    return { protocol: 'ssh', uri: `json: ${JSON.stringify(json)}` };
  }
  return undefined;
}

/** The nbdkit plugin that serves a remote source from 1.41.5 on (curl for vCenter https, ssh for Xen and vmx over ssh). */
export function remotePlugin(source: Source): string | undefined {
  return { 'vcenter-https': 'curl', 'xen-ssh': 'ssh', 'vmx-ssh': 'ssh', vddk: 'vddk' }[source.kind as string];
}
