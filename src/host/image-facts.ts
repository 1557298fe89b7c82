import fs from 'node:fs';
import path from 'node:path';
import type { ImageFacts, ProbeFormat } from '../model/image.js';
import type { ByteSource } from '../image/byte-source.js';
import { readHeader } from '../image/header.js';
import { PROBE_BUF_SIZE, probeFormats } from '../image/probe.js';
import { hasProtocol } from '../qemu/filename.js';

/** Most bytes read from one image, whatever its header claims (readHeader has its own, smaller budget). */
const READ_CAP = 8 * 1024 * 1024;

/** glibc's strerror() text for the errors an open or read can meet: QEMU prints these. */
const STRERROR: Record<string, string> = {
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  ENODEV: 'No such device',
  ENOMEDIUM: 'No medium found',
  EBUSY: 'Device or resource busy',
  EROFS: 'Read-only file system',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EOVERFLOW: 'Value too large for defined data type',
  EINVAL: 'Invalid argument',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
};

function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code && STRERROR[code]) ?? (err instanceof Error ? err.message : String(err));
}

const errnoCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

/** An errno code as the error it came in, for strerror(). */
const asError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });

type Kind = NonNullable<ImageFacts['kind']>;

function kindOf(st: fs.Stats): Kind {
  if (st.isFile()) return 'file';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isCharacterDevice()) return 'char-device';
  if (st.isDirectory()) return 'directory';
  return 'other';
}

/**
 * The first bytes of a file come in one read: the probe buffer and the headers of the usual formats (qcow2 and
 * its extensions, qed, vdi, vmdk's embedded descriptor at 0x200) all lie there, so most images cost a single pread.
 */
const HEAD_SIZE = 16 * 1024;

/** What stat(2) and the head read found for an absolute path (following symlinks, O_RDONLY): an errno where one failed. */
interface FileHead {
  statError?: string;
  kind?: Kind;
  size?: number;
  openError?: string;
  readError?: string;
  /** Up to HEAD_SIZE bytes from offset 0 (fewer at end of file). */
  head?: Uint8Array;
}

/**
 * A ByteSource over the file at `full` that stops returning bytes after `cap` in total: reads inside the head come
 * from it, others open the file (once) and pread. `close` releases the descriptor.
 */
function fileSource(full: string, size: number, cap: number, head: Uint8Array): ByteSource & { close(): void } {
  let left = cap - head.length;
  let fd: number | undefined;
  return {
    size,
    read(offset, length) {
      if (!Number.isSafeInteger(offset) || offset < 0 || !(length > 0) || offset >= size) return new Uint8Array(0);
      if (offset + Math.min(length, size - offset) <= head.length) return head.slice(offset, offset + length);
      const want = Math.min(length, size - offset, left);
      if (!(want > 0)) return new Uint8Array(0);
      fd ??= fs.openSync(full, fs.constants.O_RDONLY);
      const buf = new Uint8Array(want);
      let got = 0;
      for (let n = 1; got < want && n > 0; got += n) n = fs.readSync(fd, buf, got, want - got, offset + got);
      left -= got;
      return got === want ? buf : buf.subarray(0, got);
    },
    close() {
      if (fd !== undefined) fs.closeSync(fd);
    },
  };
}

/** Where readFileHead puts every head: one buffer, so a scan of thousands of files allocates none. */
const headBuffer = new Uint8Array(HEAD_SIZE);

/**
 * stat, then open, read the head and close: what readImageFacts needs first, now. The head lives in a shared buffer
 * and is valid until the next call.
 */
function readFileHead(full: string): FileHead {
  let st: fs.Stats;
  try {
    st = fs.statSync(full);
  } catch (err) {
    return { statError: errnoCode(err) ?? String(err) };
  }
  const kind = kindOf(st);
  if (kind !== 'file') return { kind };
  let fd: number;
  try {
    fd = fs.openSync(full, fs.constants.O_RDONLY);
  } catch (err) {
    return { kind, size: st.size, openError: errnoCode(err) ?? String(err) };
  }
  try {
    const head = headBuffer.subarray(0, Math.min(HEAD_SIZE, st.size));
    let got = 0;
    for (let n = 1; got < head.length && n > 0; got += n) n = fs.readSync(fd, head, got, head.length - got, got);
    return { kind, size: st.size, head: got === head.length ? head : head.subarray(0, got) };
  } catch (err) {
    if (!errnoCode(err)) throw err;
    return { kind, size: st.size, readError: errnoCode(err) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Probe and read the header of a regular file from its head; read errors become `error`. */
function readHeadOf(full: string, file: FileHead, facts: ImageFacts, format: ProbeFormat | undefined): ImageFacts {
  if (file.readError) return { ...facts, error: strerror(asError(file.readError)) };
  const src = fileSource(full, facts.size ?? 0, READ_CAP, file.head ?? new Uint8Array(0));
  try {
    const probes = probeFormats(src.read(0, PROBE_BUF_SIZE), facts.filename);
    const winner = format ?? probes[0]?.format ?? 'raw';
    return { ...facts, probes, header: readHeader(winner, src) };
  } catch (err) {
    if (!errnoCode(err)) throw err; // a bug, not an unreadable file
    return { ...facts, error: strerror(err) };
  } finally {
    src.close();
  }
}

/**
 * What blockgate can know about `filename` as a program running in `cwd` would open it,
 * reading the file only (O_RDONLY, never written). `format` names the declared format whose
 * header to read; without it the probed winner's header is read.
 *
 * Names with a protocol prefix or `json:` are not local files: they come back with no
 * probes and are not claimed to be missing. Devices, directories and FIFOs are not read
 * (QEMU uses host_device for devices; a FIFO would block).
 */
export function readImageFacts(filename: string, cwd: string, format?: ProbeFormat): ImageFacts {
  if (hasProtocol(filename)) return { filename, exists: true };
  const full = path.resolve(cwd, filename);
  const file = readFileHead(full);
  if (file.statError) {
    if (file.statError === 'ENOENT') return { filename, exists: false };
    return { filename, exists: file.statError !== 'ENOTDIR', error: strerror(asError(file.statError)) };
  }
  const facts: ImageFacts = { filename, exists: true, kind: file.kind ?? 'other' };
  if (facts.kind !== 'file') return facts;
  facts.size = file.size ?? 0;
  if (file.openError) return { ...facts, error: strerror(asError(file.openError)) };
  return readHeadOf(full, file, facts, format);
}
