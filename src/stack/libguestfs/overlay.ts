import type { ImageFacts } from '../../model/image.js';
import type { Profile } from '../../model/profile.js';
import type { StackContext } from '../context.js';

/** What qemu-img info reports as the format of a local image: the best probe among the drivers the build has. */
export function probedFormat(facts: ImageFacts | undefined, profile: Profile): string | undefined {
  if (!facts?.exists || !facts.probes) return undefined;
  return facts.probes.find((p) => profile.qemu.drivers.builtin.includes(p.format))?.format;
}

/** The overlay libguestfs creates does not exist yet: QEMU will find a qcow2 whose backing file is the drive. */
export function overlayFacts(
  facts: StackContext['facts'],
  overlay: string,
  backing: string,
  format: string | undefined,
): StackContext['facts'] {
  const made: ImageFacts = {
    filename: overlay,
    exists: true,
    kind: 'file',
    probes: [
      { format: 'qcow2', score: 100 },
      { format: 'raw', score: 1 },
    ],
    header: {
      format: 'qcow2',
      version: 3,
      backingFile: backing,
      ...(format ? { backingFormat: format } : {}),
      notes: [],
    },
  };
  return (name, literal) => (name === overlay ? made : facts(name, literal));
}

/** access(2) on a name libguestfs takes as a path, even one that looks like a URL ("nbd+unix:///..."). */
export function localFacts(facts: StackContext['facts'], path: string): ImageFacts | undefined {
  return facts(path.startsWith('/') || path.startsWith('./') ? path : `./${path}`, true);
}
