import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InputError } from '../../errors.js';
import type { BackingStore, DiskDef, DiskDevice, DomainDef, ImageSource, NetworkHost, SourceType } from './domain.js';

type Element = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '$',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['disk', 'host', 'emulator', 'backingStore'].includes(name),
});

/** virDomainDiskDefParseXML fills in the bus from the target's prefix when <target bus> is missing. */
const BUS_BY_PREFIX: [string, string][] = [
  ['hd', 'ide'],
  ['sd', 'scsi'],
  ['vd', 'virtio'],
  ['fd', 'fdc'],
  ['xvd', 'xen'],
  ['ubd', 'uml'],
];

/** Reads the parts of a domain XML (virsh dumpxml, or a file for virsh define/create) that decide how its disks open. */
export function parseDomainXml(xml: string): DomainDef {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new InputError(`domain XML is not well-formed: line ${valid.err.line}: ${valid.err.msg}`);
  const domain = element((parser.parse(xml) as Element)['domain']);
  if (!domain) throw new InputError('not a libvirt domain XML: no <domain> element at the top');
  const devices = element(domain['devices']) ?? {};
  const emulator = list(devices['emulator'])
    .map(text)
    .find((e) => e !== undefined);
  const machine = attr(element(element(domain['os'])?.['type']), 'machine');
  return {
    name: text(domain['name']) ?? '',
    type: attr(domain, 'type') ?? 'kvm',
    ...(emulator ? { emulator } : {}),
    ...(machine ? { machine } : {}),
    disks: list(devices['disk']).map((d, i) => disk(element(d) ?? {}, i)),
  };
}

function disk(d: Element, index: number): DiskDef {
  const target = element(d['target']);
  const dev = attr(target, 'dev');
  if (!dev) throw new InputError(`<disk> number ${index + 1} has no <target dev=...>`);
  const driver = element(d['driver']);
  const type = (attr(d, 'type') ?? 'file') as SourceType;
  const source = element(d['source']);
  const image = source || type === 'network' ? imageSource(type, source ?? {}, attr(driver, 'type')) : undefined;
  const driverName = attr(driver, 'name');
  const cache = attr(driver, 'cache');
  return {
    target: dev,
    bus: attr(target, 'bus') ?? BUS_BY_PREFIX.find(([p]) => dev.startsWith(p))?.[1] ?? 'ide',
    device: (attr(d, 'device') ?? 'disk') as DiskDevice,
    ...(driverName ? { driverName } : {}),
    ...(cache && cache !== 'default' ? { cache } : {}),
    ...(image ? { source: image } : {}),
    backing: backingStore(d['backingStore']),
    readOnly: 'readonly' in d,
    shareable: 'shareable' in d,
    transient: 'transient' in d,
  };
}

function backingStore(value: unknown): BackingStore {
  const [first] = list(value);
  if (first === undefined) return { kind: 'detect' };
  const store = element(first);
  const source = element(store?.['source']);
  if (!store || !source) return { kind: 'end' };
  const type = (attr(store, 'type') ?? 'file') as SourceType;
  return {
    kind: 'image',
    image: imageSource(type, source, attr(element(store['format']), 'type')),
    backing: backingStore(store['backingStore']),
  };
}

function imageSource(type: SourceType, source: Element, format: string | undefined): ImageSource {
  const path = attr(source, 'file') ?? attr(source, 'dev') ?? attr(source, 'dir');
  const hosts = list(source['host']).map((h): NetworkHost => {
    const a = element(h)?.['$'] as Record<string, string> | undefined;
    return {
      ...(a?.['name'] ? { name: a['name'] } : {}),
      ...(a?.['port'] ? { port: a['port'] } : {}),
      ...(a?.['transport'] ? { transport: a['transport'] } : {}),
      ...(a?.['socket'] ? { socket: a['socket'] } : {}),
    };
  });
  const optional = {
    path,
    protocol: attr(source, 'protocol'),
    name: attr(source, 'name'),
    pool: attr(source, 'pool'),
    volume: attr(source, 'volume'),
    format,
  };
  return { type, hosts, ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) };
}

function element(value: unknown): Element | undefined {
  if (Array.isArray(value)) return element(value[0]);
  if (typeof value === 'string') return {};
  return typeof value === 'object' && value !== null ? (value as Element) : undefined;
}

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function attr(e: Element | undefined, name: string): string | undefined {
  const attrs = e?.['$'] as Record<string, string> | undefined;
  return attrs?.[name];
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  const e = element(value);
  const t = e?.['#text'];
  return typeof t === 'string' ? t.trim() || undefined : undefined;
}
