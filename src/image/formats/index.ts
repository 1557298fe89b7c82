import type { ProbeFormat } from '../../model/image.js';
import * as bochs from './bochs.js';
import * as cloop from './cloop.js';
import * as dmg from './dmg.js';
import * as luks from './luks.js';
import * as parallels from './parallels.js';
import * as qcow from './qcow.js';
import * as qcow2 from './qcow2.js';
import * as qed from './qed.js';
import * as raw from './raw.js';
import * as vdi from './vdi.js';
import * as vhdx from './vhdx.js';
import * as vmdk from './vmdk.js';
import * as vpc from './vpc.js';
import type { HeaderReader, Probe } from './types.js';

export interface FormatDriver {
  probe: Probe;
  read: HeaderReader;
}

export const drivers: Record<ProbeFormat, FormatDriver> = {
  bochs,
  cloop,
  dmg,
  luks,
  parallels,
  qcow,
  qcow2,
  qed,
  raw,
  vdi,
  vhdx,
  vmdk,
  vpc,
};
