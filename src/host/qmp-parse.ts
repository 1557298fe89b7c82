/**
 * Pure readers for what QEMU prints over QMP and in its trace log. Tested on output recorded
 * from real runs (test/fixtures/qmp/); nothing here runs a process.
 */

/** One node of `query-named-block-nodes`: what really opened, as QEMU reports it. */
export interface OpenedNode {
  nodeName: string;
  /** `drv`: the driver's format_name (file, qcow2, vmdk, host_device, ...). */
  driver: string;
  /** `ro`: true also when auto-read-only silently downgraded the node. */
  readOnly: boolean;
  /** `file`: the node's filename (a format node shows its protocol child's name). */
  filename: string;
}

/** One device of `query-block`; nodeName, driver and readOnly only when a medium is inserted. */
export interface BlockDevice {
  /** The BlockBackend name: the `-drive` id, `ide1-cd0`, `floppy0`, ...; "" for an anonymous `-blockdev` user. */
  device: string;
  /** The QOM path of the attached guest device, when there is one. */
  qdev?: string;
  nodeName?: string;
  driver?: string;
  readOnly?: boolean;
}

/** One `bdrv_open_common` trace event (block/trace-events, the same in 7.2 and 10.2). */
export interface OpenTrace {
  /** The BlockDriverState pointer, e.g. "0x55f82001f740": ties a format node to its children. */
  bs: string;
  filename: string;
  /** open_flags as requested, before the whitelist check and any auto-read-only downgrade. */
  flags: number;
  formatName: string;
  /** BDRV_O_RDWR (0x2) was requested. */
  readWrite: boolean;
  /** BDRV_O_AUTO_RDONLY (0x20000) was set. */
  autoReadOnly: boolean;
}

export class QmpParseError extends Error {}

const BDRV_O_RDWR = 0x2;
const BDRV_O_AUTO_RDONLY = 0x20000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts the `return` value itself or a whole reply `{"return": ...}`. */
function returnedArray(json: unknown, command: string): Json[] {
  const value = isObject(json) && 'return' in json ? json.return : json;
  if (!Array.isArray(value) || !value.every(isObject)) {
    throw new QmpParseError(`${command}: expected an array of objects, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return value;
}

function string(object: Json, key: string, command: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw fieldError(object, key, 'a string', command);
  return value;
}

function boolean(object: Json, key: string, command: string): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') throw fieldError(object, key, 'a boolean', command);
  return value;
}

function fieldError(object: Json, key: string, kind: string, command: string): QmpParseError {
  return new QmpParseError(`${command}: "${key}" is not ${kind} in ${JSON.stringify(object).slice(0, 120)}`);
}

/** `query-named-block-nodes` (BlockDeviceInfo[]); `flat: true` or not, the fields read are the same. */
export function parseNamedBlockNodes(json: unknown): OpenedNode[] {
  const command = 'query-named-block-nodes';
  return returnedArray(json, command).map((node) => ({
    nodeName: string(node, 'node-name', command),
    driver: string(node, 'drv', command),
    readOnly: boolean(node, 'ro', command),
    filename: string(node, 'file', command),
  }));
}

/** `query-block` (BlockInfo[]). */
export function parseQueryBlock(json: unknown): BlockDevice[] {
  const command = 'query-block';
  return returnedArray(json, command).map((info) => {
    const device: BlockDevice = { device: string(info, 'device', command) };
    if (typeof info.qdev === 'string') device.qdev = info.qdev;
    const inserted = info.inserted;
    if (isObject(inserted)) {
      device.nodeName = string(inserted, 'node-name', command);
      device.driver = string(inserted, 'drv', command);
      device.readOnly = boolean(inserted, 'ro', command);
    }
    return device;
  });
}

// The log backend prints `bdrv_open_common bs %p filename "%s" flags 0x%x format_name "%s"`,
// optionally prefixed by `PID@sec.usec:` (7.2 with -msg timestamp=on). The filename is not
// escaped, so it is matched greedily up to the last `" flags 0x`.
const TRACE_LINE =
  /^(?:\d+@\d+\.\d+:)?bdrv_open_common bs (\S+) filename "(.*)" flags 0x([0-9a-f]+) format_name "([^"]*)"$/;

/** Parses one `bdrv_open_common` log line; undefined for any other line. */
export function parseTraceLine(line: string): OpenTrace | undefined {
  const match = TRACE_LINE.exec(line.trimEnd());
  if (!match) return undefined;
  const [, bs = '', filename = '', hexFlags = '0', formatName = ''] = match;
  const flags = Number.parseInt(hexFlags, 16);
  return {
    bs,
    filename,
    flags,
    formatName,
    readWrite: (flags & BDRV_O_RDWR) !== 0,
    autoReadOnly: (flags & BDRV_O_AUTO_RDONLY) !== 0,
  };
}
