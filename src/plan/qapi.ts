import { blockdevDriverAccepted } from '../qemu/qapi.js';
import { isTree, optionString, type OptionTree } from './options.js';

/** QAPI's refusal of the first "driver" in a -blockdev's options (nested children included) that this version lacks. */
export function qapiDriverError(options: OptionTree, version: string): string | undefined {
  const driver = optionString(options['driver']);
  if (driver !== undefined && !blockdevDriverAccepted(driver, version))
    return `Parameter 'driver' does not accept value '${driver}'`;
  for (const value of Object.values(options)) {
    if (!isTree(value)) continue;
    const nested = qapiDriverError(value, version);
    if (nested) return nested;
  }
  return undefined;
}
