import fs from 'node:fs';
import path from 'node:path';
import type { ImageFacts, ProbeFormat } from '../model/image.js';
import type { ByteSource } from '../image/byte-source.js';
import { readHeader } from '../image/header.js';
import { PROBE_BUF_SIZE, probeFormats } from '../image/probe.js';
import { hasProtocol } from '../plan/filename.js';

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


function kindOf(st: fs.Stats): NonNullable<ImageFacts['kind']> {
  if (st.isFile()) return 'file';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isCharacterDevice()) return 'char-device';
  if (st.isDirectory()) return 'directory';
  return 'other';
}

/**
 * The first bytes of a file come in one read: the probe buffer and the headers of the usual formats (qcow2 and
 * its extensions, vmdk's embedded descriptor, qed, vdi) all lie there, so most images cost a single pread.
 */
const HEAD_SIZE = 4096;

/** One buffer for every head read: a file's head is copied out piece by piece, so nothing keeps it alive. */
const headBuffer = new Uint8Array(HEAD_SIZE);

/** A ByteSource over an open descriptor that stops returning bytes after `cap` in total (the head counts once). */
function fdSource(fd: number, size: number, cap: number): ByteSource {
  let left = cap;
  const pread = (buf: Uint8Array, offset: number, want: number): number => {
    let got = 0;
    for (let n = 1; got < want && n > 0; got += n) n = fs.readSync(fd, buf, got, want - got, offset + got);
    left -= got;
    return got;
  };
  let headLength = -1;
  return {
    size,
    read(offset, length) {
      const want = Math.min(length, size - offset, left);
      if (!Number.isSafeInteger(offset) || offset < 0 || !(want > 0)) return new Uint8Array(0);
      if (offset + want <= HEAD_SIZE) {
        if (headLength < 0) headLength = pread(headBuffer, 0, Math.min(HEAD_SIZE, size, left));
        return headBuffer.slice(offset, Math.min(offset + want, headLength));
      }
      const buf = new Uint8Array(want);
      const got = pread(buf, offset, want);
      return got === want ? buf : buf.subarray(0, got);
    },
  };
}

/** Probe and read the header of an open regular file; read errors become `error`. */
function readOpenFile(fd: number, facts: ImageFacts, format: ProbeFormat | undefined): ImageFacts {
  try {
    const src = fdSource(fd, facts.size ?? 0, READ_CAP);
    const probes = probeFormats(src.read(0, PROBE_BUF_SIZE), facts.filename);
    const winner = format ?? probes[0]?.format ?? 'raw';
    return { ...facts, probes, header: readHeader(winner, src) };
  } catch (err) {
    if (!errnoCode(err)) throw err; // a bug, not an unreadable file
    return { ...facts, error: strerror(err) };
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
  let st: fs.Stats;
  try {
    st = fs.statSync(full);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return { filename, exists: false };
    return { filename, exists: code !== 'ENOTDIR', error: strerror(err) };
  }
  const facts: ImageFacts = { filename, exists: true, kind: kindOf(st) };
  if (facts.kind !== 'file') return facts;
  facts.size = st.size;
  let fd: number;
  try {
    fd = fs.openSync(full, fs.constants.O_RDONLY);
  } catch (err) {
    return { ...facts, error: strerror(err) };
  }
  try {
    return readOpenFile(fd, facts, format);
  } finally {
    fs.closeSync(fd);
  }
}
