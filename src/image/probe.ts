import type { ProbeFormat, ProbeScore } from '../model/image.js';
import { drivers } from './formats/index.js';

/**
 * BLOCK_PROBE_BUF_SIZE (include/block/block_int-common.h:65 in 7.2): find_image_format reads
 * 512 bytes, not 2 KiB. qemu-img 7.2 agrees: a vmdk descriptor whose "version=1" line ends at
 * byte 512 probes as vmdk, one byte later as raw.
 */
export const PROBE_BUF_SIZE = 512;

/**
 * bdrv_drivers in the order bdrv_probe_all walks it. Drivers register in link order
 * (block/meson.build lists crypto.c, qcow2.c, raw-format.c, vhdx.c, vmdk.c, vpc.c, then
 * qcow.c, vdi.c, cloop.c, bochs.c, dmg.c, qed.c, parallels.c) and bdrv_register
 * (block.c:400) inserts each at the head, so the list runs backwards. bdrv_probe_all
 * (block.c:1020) keeps the first strictly higher score, so on a tie the driver registered
 * last wins. Checked with qemu-img 7.2: vdi beats qcow2/qcow/vmdk/vpc/vhdx/luks, parallels
 * and qed beat vdi, dmg beats cloop.
 */
export const PROBE_ORDER: readonly ProbeFormat[] = [
  'parallels',
  'qed',
  'dmg',
  'bochs',
  'cloop',
  'vdi',
  'qcow',
  'vpc',
  'vmdk',
  'vhdx',
  'raw',
  'qcow2',
  'luks',
];

/**
 * Every format whose .bdrv_probe scores above 0 for these first bytes, the winner first.
 * `head` is the start of the file (at most PROBE_BUF_SIZE bytes are used).
 */
export function probeFormats(head: Uint8Array, filename: string): ProbeScore[] {
  // find_image_format (block.c:1050): an empty image is raw without probing.
  if (head.length === 0) return [{ format: 'raw', score: 1 }];
  // It always probes a full buffer: bytes past the end of a short file read as zeros
  // (blk_pread zero-fills; an 8-byte "QFI\xfb\0\0\0\2" file probes as qcow2).
  const buf = new Uint8Array(PROBE_BUF_SIZE);
  buf.set(head.subarray(0, PROBE_BUF_SIZE));
  const scores = PROBE_ORDER.map((format) => ({ format, score: drivers[format].probe(buf, PROBE_BUF_SIZE, filename) }));
  // Array.prototype.sort is stable, so equal scores keep PROBE_ORDER.
  return scores.filter((s) => s.score > 0).sort((a, b) => b.score - a.score);
}
